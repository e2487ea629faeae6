"""``graphkit push``: publish the built graph into a named graph of any triple store, through the
SPARQL 1.1 Graph Store HTTP Protocol.

An HTTP ``PUT`` to ``ENDPOINT?graph=IRI`` replaces the named graph's content with the file's,
so pushing twice leaves one copy, never two.

Credentials go only to a store that asks for them: a small first request tells whether the
store answers 401, and with which scheme (Basic or Digest); only then are they looked up (see
``graphkit push --help``) and sent. With Digest the challenge is settled on that small request,
so the graph itself is sent once, with credentials (Virtuoso resets the connection when a large
body arrives without them). Sending credentials over plain http to another machine than this
one gets a warning. The whole exchange has a total deadline (``timeout``), which a store that
answers one byte at a time cannot stretch: it runs under :func:`asyncio.wait_for`.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import httpx

#: the graph's file suffix and the media type it is sent as
MEDIA = {".nt": "application/n-triples", ".ttl": "text/turtle", ".jsonld": "application/ld+json"}
DEFAULT_GRAPH = "https://w3id.org/graphkit/graph"
PROBE = {"graph": "urn:graphkit:auth-probe"}  # a graph no store holds: the answer is tiny

Credentials = Callable[[str], "tuple[str, str] | None"]  # scheme -> (user, password)


class PushError(Exception):
    """The store refused the graph, or could not be reached; the message says which and why."""


@dataclass
class Pushed:
    status: int
    bytes: int
    graph: str
    scheme: str  # the authentication the store asked for: "", "Basic" or "Digest"


def loopback(url: str) -> bool:
    """Whether ``url`` names this machine.

    >>> loopback("http://127.0.0.1:8890/x"), loopback("http://localhost/"), loopback("http://[::1]/")
    (True, True, True)
    >>> loopback("http://store.example.org/sparql")
    False
    """
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plain_http_warning(url: str, scheme: str) -> str | None:
    """The warning due when credentials are about to go over plain http to another machine.

    >>> plain_http_warning("http://store.example.org/crud", "Basic")[:60]
    'sending credentials (Basic) over plain http to store.example'
    >>> plain_http_warning("https://store.example.org/crud", "Basic") is None
    True
    """
    if urlsplit(url).scheme == "http" and not loopback(url):
        how = ("readable by anyone on the way" if scheme == "Basic"
               else "open to replay and offline guessing")
        return (f"sending credentials ({scheme}) over plain http to {urlsplit(url).hostname}: "
                f"{how}; use https if the store offers it")
    return None


def push(graph_file: Path, endpoint: str, graph: str = DEFAULT_GRAPH,
         credentials: Credentials | None = None, timeout: float = 300.0,
         connect_timeout: float = 10.0, warn: Callable[[str], None] | None = None) -> Pushed:
    """PUT ``graph_file`` into the named graph ``graph`` at the Graph Store endpoint ``endpoint``.

    ``credentials(scheme)`` is called only if the store asks for them; ``timeout`` bounds the
    whole exchange, ``connect_timeout`` each connection. Example:
    ``push(Path("exports/graph.nt"), "http://127.0.0.1:8890/sparql-graph-crud-auth",
    credentials=lambda scheme: ("dba", "dba"))``.
    """
    media = MEDIA.get(graph_file.suffix)
    if media is None:
        raise PushError(f"{graph_file}: cannot tell the format from '{graph_file.suffix}' "
                        f"(one of {', '.join(MEDIA)})")
    try:
        body = graph_file.read_bytes()
    except OSError as exc:
        raise PushError(f"cannot read {graph_file}: {exc.strerror or exc}") from None
    exchange = _exchange(endpoint, graph, body, media, credentials, connect_timeout, warn)
    try:
        status, scheme = asyncio.run(asyncio.wait_for(exchange, timeout))
    except (asyncio.TimeoutError, TimeoutError):
        raise PushError(f"{endpoint} did not finish within {timeout:g} s (--timeout); the "
                        "named graph may be unchanged or replaced: push again") from None
    except httpx.HTTPError as exc:
        raise PushError(f"cannot reach {endpoint}: {exc or type(exc).__name__}") from None
    return Pushed(status, len(body), graph, scheme)


async def _exchange(endpoint: str, graph: str, body: bytes, media: str,
                    credentials: Credentials | None, connect_timeout: float,
                    warn: Callable[[str], None] | None) -> tuple[int, str]:
    limits = httpx.Timeout(None, connect=connect_timeout)  # the total is kept by wait_for
    async with httpx.AsyncClient(timeout=limits, trust_env=False) as client:
        probe = await client.get(endpoint, params=PROBE)
        auth, scheme = None, ""
        if probe.status_code == 401:
            challenge = probe.headers.get("WWW-Authenticate", "")
            scheme = "Digest" if challenge.lower().startswith("digest") else "Basic"
            found = credentials(scheme) if credentials else None
            if found is None:
                raise PushError(f"{endpoint} asks for credentials ({scheme}): give --user, and "
                                "the password in GRAPHKIT_PASSWORD, ~/.netrc or at the prompt")
            if warn and (text := plain_http_warning(endpoint, scheme)):
                warn(text)
            user, password = found
            if scheme == "Digest":
                auth = httpx.DigestAuth(user, password)
                primed = await client.get(endpoint, params=PROBE, auth=auth)  # settles it
                if primed.status_code == 401:  # before sending megabytes that would be refused
                    raise _refused(endpoint)
            else:
                auth = httpx.BasicAuth(user, password)
        r = await client.put(endpoint, params={"graph": graph}, content=body,
                             headers={"Content-Type": media}, auth=auth)
        await r.aread()
    if r.status_code == 401:
        raise _refused(endpoint)
    if r.status_code == 415 and media != "text/turtle":
        raise PushError(f"{endpoint} does not take {media} (415); push the Turtle export "
                        "instead (--file exports/graph.ttl)")
    if r.is_error:
        raise PushError(f"{endpoint} answered {r.status_code} {r.reason_phrase}: "
                        f"{' '.join(r.text.split())[:500]}")
    return r.status_code, scheme


def _refused(endpoint: str) -> PushError:
    return PushError(f"{endpoint} refused the credentials (401): check --user and the password")


def netrc_login(url: str) -> tuple[str, str] | None:
    """The (login, password) ``~/.netrc`` holds for ``url``'s host, if any."""
    import netrc

    try:
        found = netrc.netrc().authenticators(urlsplit(url).hostname or "")
    except FileNotFoundError:
        return None
    except netrc.NetrcParseError as exc:  # e.g. readable by others: refused, with the reason
        raise PushError(f"~/.netrc: {exc.msg} (line {exc.lineno}); fix it or set "
                        "GRAPHKIT_PASSWORD") from None
    except OSError:
        return None
    if not found or found[2] is None:
        return None
    return found[0], found[2]
