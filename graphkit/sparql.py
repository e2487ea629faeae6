"""SPARQL over the built graph, evaluated by pyoxigraph.

pyoxigraph (Oxigraph's Rust engine) answers the named queries on the shipped graph in about a
millisecond, where rdflib's own engine takes tens to hundreds (bench/README.md). Queries may
use the project's prefixes (``gk:``, ``actor:``, ``org:``...) without declaring them.

>>> store = load_store(Path("exports/graph.nt"))
>>> answer = run(store, "SELECT ?name WHERE { actor:cscap skos:prefLabel ?name }")
>>> [row for row in table_rows(answer)]
[{'name': 'Council for Security Cooperation in the Asia Pacific'}]
>>> run(store, "SELECT ?x WHERE { ?x ?y }")
Traceback (most recent call last):
  ...
graphkit.sparql.QueryError: the query is not valid SPARQL: error at 1:26: expected one of LATERAL, SERVICE, [_]
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

from .namespaces import PREFIXES

#: media types of SELECT and ASK results, the first the default
RESULT_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
#: media types of CONSTRUCT and DESCRIBE results, the first the default
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
#: the short names clients send as ``format=`` or ``output=`` (SPARQLWrapper sends both)
SHORT_NAMES = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
    "ttl": "text/turtle", "json-ld": "application/ld+json", "jsonld": "application/ld+json",
    "nt": "application/n-triples", "n-triples": "application/n-triples",
    "rdf+xml": "application/rdf+xml", "rdf": "application/rdf+xml",
}
#: same-meaning aliases for media types some clients ask for
ALIASES = {"application/json": "application/sparql-results+json",
           "application/xml": "application/sparql-results+xml",
           "text/xml": "application/sparql-results+xml",
           "application/x-turtle": "text/turtle", "text/plain": "application/n-triples",
           "application/json-ld": "application/ld+json"}


class QueryError(Exception):
    """A query that cannot be answered, with a message for the person who wrote it."""


class ResultTooLarge(QueryError):
    """The serialised result passed the size bound."""


@dataclass
class Answer:
    """What a query gave: ``kind`` is "select", "ask" or "graph" (CONSTRUCT, DESCRIBE)."""

    kind: str
    result: object  # pyoxigraph QuerySolutions, QueryBoolean or QueryTriples

    @property
    def variables(self) -> list[str]:
        return [v.value for v in self.result.variables] if self.kind == "select" else []


def load_store(path: Path) -> ox.Store:
    """An in-memory store holding the RDF file ``path`` (format from its extension)."""
    store = ox.Store()
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.TURTLE
    store.bulk_load(path=str(path), format=fmt)
    return store


def run(store: ox.Store, text: str, substitutions: dict | None = None) -> Answer:
    """Evaluate the query ``text``; a syntax error becomes a :class:`QueryError`."""
    try:
        result = store.query(text, prefixes=PREFIXES, substitutions=substitutions)
    except SyntaxError as exc:
        raise QueryError(f"the query is not valid SPARQL: {exc}") from None
    except OSError as exc:
        raise QueryError(f"the query failed: {exc}") from None
    if isinstance(result, ox.QuerySolutions):
        return Answer("select", result)
    if isinstance(result, ox.QueryBoolean):
        return Answer("ask", result)
    return Answer("graph", result)


def media_types(answer: Answer) -> dict:
    """The media types ``answer`` can be written as."""
    return GRAPH_TYPES if answer.kind == "graph" else RESULT_TYPES


def negotiate(kind: str, accept: str | None, short: str | None = None) -> str | None:
    """The media type to answer a ``kind`` query in, from a ``format=`` value or an Accept header.

    None when nothing acceptable can be produced.

    >>> negotiate("select", "text/csv;q=0.5, application/sparql-results+xml")
    'application/sparql-results+xml'
    >>> negotiate("graph", "*/*"), negotiate("select", None, "tsv")
    ('text/turtle', 'text/tab-separated-values')
    >>> negotiate("select", "image/png") is None
    True
    """
    offered = list(GRAPH_TYPES if kind == "graph" else RESULT_TYPES)
    if short:
        wanted = SHORT_NAMES.get(short.lower(), ALIASES.get(short.lower(), short.lower()))
        if wanted in offered:
            return wanted
        # a results format asked of a CONSTRUCT (or the reverse): fall back to content negotiation
    if not accept:
        return offered[0]
    ranked = []
    for i, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        media = ALIASES.get(media.lower(), media.lower())
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        ranked.append((-q, i, media))
    for negq, _, media in sorted(ranked):
        if negq == 0:
            break
        if media in offered:
            return media
        if media in ("*/*", "application/*", "text/*"):
            match = [o for o in offered if media == "*/*" or o.startswith(media[:-1])]
            if match:
                return match[0]
    return None


class _Bounded(io.RawIOBase):
    """A byte sink that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int | None) -> None:
        self.buffer = bytearray()
        self.limit = limit

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.buffer += data
        if self.limit is not None and len(self.buffer) > self.limit:
            raise ResultTooLarge(f"the result is larger than {self.limit:,} bytes")
        return len(data)


def serialize(answer: Answer, media_type: str, limit: int | None = None) -> bytes:
    """The answer written as ``media_type``; :class:`ResultTooLarge` past ``limit`` bytes."""
    sink = _Bounded(limit)
    fmt = media_types(answer)[media_type]
    try:
        if answer.kind == "graph" and fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
            ox.serialize(answer.result, sink, format=fmt, prefixes=PREFIXES)
        else:
            answer.result.serialize(sink, format=fmt)
    except OSError as exc:  # pyoxigraph wraps what the sink raised
        if limit is not None and len(sink.buffer) > limit:
            raise ResultTooLarge(f"the result is larger than {limit:,} bytes") from None
        raise QueryError(f"the query failed: {exc}") from None
    return bytes(sink.buffer)


def compact(term) -> str:
    """A term as a person reads it: prefixed IRIs, a literal's plain text, '' for unbound.

    >>> compact(ox.NamedNode(PREFIXES["actor"] + "dprk")), compact(ox.Literal("1994-07-25"))
    ('actor:dprk', '1994-07-25')
    """
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        best = max((ns for ns in PREFIXES.values() if term.value.startswith(ns)), key=len,
                   default=None)
        if best is None:
            return term.value
        prefix = next(p for p, ns in PREFIXES.items() if ns == best)
        return f"{prefix}:{term.value[len(best):]}"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def table_rows(answer: Answer) -> Iterator[dict]:
    """SELECT solutions as dicts of compact strings; an ASK as one row ``{"answer": ...}``."""
    if answer.kind == "ask":
        yield {"answer": "yes" if bool(answer.result) else "no"}
        return
    if answer.kind == "graph":
        raise ValueError("a CONSTRUCT or DESCRIBE answer is a graph, not rows")
    names = answer.variables
    for solution in answer.result:
        yield {n: compact(solution[n]) for n in names}
