"""What the endpoint refuses before a query reaches the engine: updates, ``SERVICE`` (a query
must never make the server contact another host) and nesting deep enough to overflow the
parser's stack.

The query is read as SPARQL's lexer reads it: comments, strings and IRIs are skipped, so a
``SERVICE`` inside a string, an IRI or a prefixed name (``ex:SERVICE``) is not the keyword.

>>> refusal("SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }").reason[:47]
'this endpoint does not run SERVICE <http://127.'
>>> refusal("SELECT * { SERVICE SILENT <http://a/q> {} }", frozenset({"http://a/q"})) is None
True
>>> refusal('SELECT * WHERE { ?s ?p "SERVICE" . ?s ex:service ?service }') is None
True
>>> refusal("PREFIX x: <http://x/> INSERT DATA { x:a x:b x:c }").status
403
>>> refusal("SELECT * WHERE " + "{" * 500 + "}" * 500).reason
'the query nests 500 levels of brackets; at most 64 are accepted'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_DEPTH = 64  # oxigraph's recursive parser overflows a thread's stack some thousands deep
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD",
                             "MOVE", "COPY", "WITH"})
READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"

_TOKEN = re.compile(r"""
    (?P<skip> \#[^\n\r]*                                   # a comment
      | \"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|$)          # long strings (to the end if open)
      | '''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)
      | "(?:[^"\\\n\r]|\\.)*"? | '(?:[^'\\\n\r]|\\.)*'? )  # short strings
    | (?P<iri> <[^<>"{}|^`\\\x00-\x20]*> )
    | (?P<name> [?$@_]?[^\s{}()\[\]<>"'\#,;^=!|&*+/]+ )    # keyword, variable, prefixed name
    | (?P<open> [{(\[] ) | (?P<close> [})\]] )
    """, re.X | re.S)
_KEYWORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str


@dataclass
class Reading:
    """What the lexer saw: bare words (upper-cased keywords), each SERVICE's endpoint as
    written (an ``<IRI>``, a variable or a prefixed name), the deepest bracket nesting."""

    words: list[str]
    services: list[str]
    deepest: int


def read(query: str) -> Reading:
    words: list[str] = []
    services: list[str] = []
    depth = deepest = 0
    want_endpoint = False
    for m in _TOKEN.finditer(query):
        kind, text = m.lastgroup, m.group()
        if kind == "skip":
            continue
        if want_endpoint and not (kind == "name" and text.upper() == "SILENT"):
            services.append(text)
            want_endpoint = False
        if kind == "name" and _KEYWORD.fullmatch(text):
            words.append(text.upper())
            want_endpoint = want_endpoint or text.upper() == "SERVICE"
        elif kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close":
            depth -= 1
    return Reading(words, services, deepest)


def refusal(query: str, allowed_services: frozenset[str] = frozenset()) -> Refusal | None:
    """Why the endpoint will not run ``query``, or None when it may. ``allowed_services``: the
    endpoints an operator lets SERVICE reach (written in full, without angle brackets)."""
    seen = read(query)
    if seen.deepest > MAX_DEPTH:
        return Refusal(400, f"the query nests {seen.deepest} levels of brackets; at most "
                            f"{MAX_DEPTH} are accepted")
    operation = next((w for w in seen.words if w not in ("PREFIX", "BASE")), "")
    if operation in UPDATE_KEYWORDS:
        return Refusal(403, READ_ONLY)
    for endpoint in seen.services:
        if endpoint.strip("<>") not in allowed_services or not endpoint.startswith("<"):
            return Refusal(400, f"this endpoint does not run SERVICE {endpoint}: a federated "
                                "query would make the server contact another address; run it "
                                "in your own store"
                                + (" (allowed: " + ", ".join(sorted(allowed_services)) + ")"
                                   if allowed_services else ""))
    return None
