"""``graphkit push``: publish the built graph into a named graph of any triple store, through the
SPARQL 1.1 Graph Store HTTP Protocol.

An HTTP ``PUT`` to ``ENDPOINT?graph=IRI`` replaces the named graph's content with the file's,
so pushing twice leaves one copy, never two. The authentication scheme (Basic or Digest) is
the one the store asks for in its 401 answer; with Digest, a small request first settles the
challenge so that the graph itself is sent once, with credentials (Virtuoso resets the
connection when a large body arrives without them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import requests
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

#: the graph's file suffix and the media type it is sent as
MEDIA = {".nt": "application/n-triples", ".ttl": "text/turtle", ".jsonld": "application/ld+json"}
DEFAULT_GRAPH = "https://w3id.org/graphkit/graph"


class PushError(Exception):
    """The store refused the graph, or could not be reached; the message says which and why."""


@dataclass
class Pushed:
    status: int
    bytes: int
    graph: str


def push(graph_file: Path, endpoint: str, graph: str = DEFAULT_GRAPH, user: str | None = None,
         password: str | None = None, timeout: float = 300.0) -> Pushed:
    """PUT ``graph_file`` into the named graph ``graph`` at the Graph Store endpoint ``endpoint``.

    Example: ``push(Path("exports/graph.nt"), "http://127.0.0.1:8890/sparql-graph-crud-auth",
    user="dba", password="dba")``.
    """
    media = MEDIA.get(graph_file.suffix)
    if media is None:
        raise PushError(f"{graph_file}: cannot tell the format from '{graph_file.suffix}' "
                        f"(one of {', '.join(MEDIA)})")
    body = graph_file.read_bytes()
    headers = {"Content-Type": media}
    params = {"graph": graph}
    try:
        with requests.Session() as session:
            session.auth = _auth(session, endpoint, user, password, timeout)
            r = session.put(endpoint, params=params, data=body, headers=headers,
                            timeout=timeout)
    except requests.RequestException as exc:
        raise PushError(f"cannot reach {endpoint}: {exc}") from None
    if r.status_code == 401:
        raise PushError(f"{endpoint} refused the credentials (401): check --user and "
                        "--password")
    if r.status_code == 415 and media != "text/turtle":
        raise PushError(f"{endpoint} does not take {media} (415); push the Turtle export "
                        "instead (--file exports/graph.ttl)")
    if not r.ok:
        raise PushError(f"{endpoint} answered {r.status_code} {r.reason}: "
                        f"{r.text.strip()[:500]}")
    return Pushed(r.status_code, len(body), graph)


PROBE = {"graph": "urn:graphkit:auth-probe"}  # a graph no store holds: the answer is tiny


def _auth(session: requests.Session, endpoint: str, user: str | None, password: str | None,
          timeout: float):
    """The auth the store asks for, read from its challenge to a small GET, and primed."""
    if user is None:
        return None
    probe = session.get(endpoint, params=PROBE, timeout=timeout)
    challenge = probe.headers.get("WWW-Authenticate", "")
    if probe.status_code == 401 and challenge.lower().startswith("digest"):
        auth = HTTPDigestAuth(user, password or "")
        primed = session.get(endpoint, params=PROBE, auth=auth, timeout=timeout)
        if primed.status_code == 401:  # before sending megabytes that would be refused
            raise PushError(f"{endpoint} refused the credentials (401): check --user and "
                            "--password")
        return auth
    return HTTPBasicAuth(user, password or "")
