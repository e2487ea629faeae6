"""Curated records to RDF: actors, relation nodes, citations, sources, the derived shortcuts,
and the ontology itself, so an export is self-describing.

Triples are plain tuples ``(subject IRI, predicate IRI, object)`` where the object is an IRI
string or a :class:`Lit`; they are cheap to build for a million triples, and
:func:`ntriples_lines` turns them into the sorted N-Triples every export starts from.
:func:`to_rdflib` gives the same graph as an ``rdflib.Graph``, the API users see.
"""

from __future__ import annotations

import re
from itertools import compress, islice
from operator import ne
from typing import Iterable, NamedTuple

from .dataset import Dataset
from .ids import citation_key
from .namespaces import ACTOR, CITE, ISSUE, PREFIXES, REL, SRC, expand
from .projection import project

RDF_TYPE = PREFIXES["rdf"] + "type"
XSD = PREFIXES["xsd"]
E = {c: expand(c) for c in (
    "rdfs:label", "skos:prefLabel", "skos:altLabel", "skos:note", "skos:definition",
    "skos:inScheme", "skos:Concept", "dcterms:description", "dcterms:title", "dcterms:creator",
    "dcterms:publisher", "dcterms:issued", "dcterms:BibliographicResource", "schema:url",
    "schema:startDate", "schema:endDate", "schema:foundingDate", "gk:sourceFile", "gk:country",
    "gk:track", "gk:confidence", "gk:Relation", "gk:Citation", "gk:Issues",
    "org:classification", "prov:wasDerivedFrom", "oa:SpecificResource", "oa:hasSource",
    "oa:hasSelector", "oa:TextQuoteSelector", "oa:exact", "gk:sign", "gk:Signs")}


class Lit(NamedTuple):
    """A literal: its lexical form, and a datatype IRI or a language tag (or neither)."""

    value: str
    datatype: str | None = None
    lang: str | None = None


Triple = tuple  # (str, str, str | Lit)


def en(text: str) -> Lit:
    return Lit(text, None, "en")


def to_triples(ds: Dataset) -> list[Triple]:
    """Every triple of the export for a checked dataset (may repeat).

    Nearly in N-Triples order, which :func:`canonical` then sorts in half the time (1.5 to
    1.6 s against 2.9 to 3.4 s at 10,000 actors: Python's sort merges runs already in order): the
    records by their IRIs, and the relations' citations and the actors' shortcuts gathered
    apart from the relations' own triples instead of between them."""
    model = ds.model
    signs = model.schemes[E["gk:Signs"]]
    out: list[Triple] = list(ontology_triples(model))
    add = out.append
    cites: list[Triple] = []  # the citations' triples, after the records'
    shortcuts: list[Triple] = []  # the actors' derived shortcuts and dates, last
    supers = _superclasses(out)
    # each actor's, source's and issue's IRI made once, shared by the triples naming it (a million
    # triples name actors at 10,000 actors: one string each instead of one per mention)
    actor_iri = {aid: ACTOR + aid for aid in ds.actors}
    source_iri = {sid: SRC + sid for sid in ds.sources}
    issue_iri = {iid: ISSUE + iid for iid in ds.issues}

    for src in _in_order(ds.sources):
        s = source_iri[src.id]
        add((s, RDF_TYPE, E["dcterms:BibliographicResource"]))
        add((s, E["dcterms:title"], en(src.title)))
        for author in src.authors:
            add((s, E["dcterms:creator"], Lit(author)))
        add((s, E["dcterms:publisher"], Lit(src.publisher)))
        if src.date:
            add((s, E["dcterms:issued"], _date(src.date)))
        if src.url:
            add((s, E["schema:url"], src.url))
        if src.file:
            add((s, E["gk:sourceFile"], Lit(src.file)))
        if src.note:
            add((s, E["skos:note"], en(src.note)))

    for issue in _in_order(ds.issues):
        s = issue_iri[issue.id]
        add((s, RDF_TYPE, E["skos:Concept"]))
        add((s, E["skos:inScheme"], E["gk:Issues"]))
        add((s, E["skos:prefLabel"], en(issue.label)))
        for alias in issue.aliases:
            add((s, E["skos:altLabel"], en(alias)))
        if issue.description:
            add((s, E["skos:definition"], en(issue.description)))

    types = {name: sorted({t.class_iri} | supers.get(t.class_iri, set()))
             for name, t in model.actor_types.items()}
    for actor in _in_order(ds.actors):
        s = actor_iri[actor.id]
        for c in types[actor.type]:
            add((s, RDF_TYPE, c))
        for name, spec in model.actor_fields.items():
            value = actor.fields.get(name)
            if not value:
                continue
            for v in (value if spec.many else [value]):
                obj = (v if spec.scheme is not None else actor_iri.get(v) or ACTOR + v
                       if spec.actor_types is not None
                       else en(v))
                for prop in spec.properties:
                    add((s, prop, obj))
        _citations(cites.append, s, f"actor.{actor.id}", actor.sources, source_iri)

    for fact in sorted(ds.facts, key=lambda f: _as_line_sorts(f.key)):
        rel = fact.record
        kind = model.relations[fact.kind]
        s = REL + fact.key
        add((s, RDF_TYPE, kind.class_iri))
        add((s, RDF_TYPE, E["gk:Relation"]))
        for role, spec in kind.roles.items():
            for actor_id in fact.participants.get(role, ()):
                add((s, spec.property, actor_iri[actor_id]))
        for name, iri in fact.concepts.items():
            add((s, kind.concepts[name].property, iri))
        for name, text in fact.literals.items():
            add((s, kind.literals[name], Lit(text)))
        for issue_id in fact.issues:
            add((s, kind.issues_property, issue_iri.get(issue_id) or ISSUE + issue_id))
        if fact.start:
            add((s, E["schema:startDate"], _date(fact.start)))
        if fact.end:
            add((s, E["schema:endDate"], _date(fact.end)))
        if rel.track:
            add((s, E["gk:track"], rel.track))
        if rel.confidence:
            add((s, E["gk:confidence"], rel.confidence))
        add((s, E["gk:sign"], signs[fact.sign]))
        if rel.description:
            add((s, E["dcterms:description"], en(rel.description)))
        if rel.note:
            add((s, E["skos:note"], en(rel.note)))
        _citations(cites.append, s, fact.key, rel.sources, source_iri)
        if fact.low:
            continue  # a contradicted claim stays a claim: no shortcut, no derived date
        for a, b, edge in project(kind, fact.participants):
            shortcuts.append((actor_iri[a], edge.shortcut, actor_iri[b]))
            if not edge.directed:
                shortcuts.append((actor_iri[b], edge.shortcut, actor_iri[a]))
        if kind.start_shortcut and fact.start:
            role, prop = kind.start_shortcut
            for actor_id in fact.participants.get(role, ()):
                shortcuts.append((actor_iri[actor_id], prop, _date(fact.start)))
    out += cites
    out += shortcuts
    return out


def _in_order(records: dict) -> list:
    """The records of a table by id, in the order their IRIs' lines sort (``<ns/ID>``)."""
    return [records[k] for k in sorted(records, key=_as_line_sorts)]


def _as_line_sorts(local: str) -> str:
    """What orders the IRIs of one namespace as their N-Triples lines sort (``<ns/ID> ...``:
    the ``>`` after the id counts)."""
    return local + ">"


def _citations(add, subject: str, key: str, citations,
               source_iri: dict[str, str]) -> None:
    for n, c in enumerate(citations, start=1):
        cite = CITE + citation_key(key, n)
        selector = cite + ".quote"
        add((subject, E["prov:wasDerivedFrom"], cite))
        add((cite, RDF_TYPE, E["gk:Citation"]))
        add((cite, RDF_TYPE, E["oa:SpecificResource"]))
        add((cite, E["oa:hasSource"], source_iri.get(c.source) or SRC + c.source))
        add((cite, E["oa:hasSelector"], selector))
        add((selector, RDF_TYPE, E["oa:TextQuoteSelector"]))
        add((selector, E["oa:exact"], Lit(c.quote, None, c.lang)))
        if c.note:
            add((cite, E["skos:note"], en(c.note)))


def _date(d) -> Lit:
    return Lit(d.text, XSD + d.xsd_type)


def ontology_triples(model) -> list[Triple]:
    """The triples of ``ontology/graphkit.ttl`` as tuples."""
    import pyoxigraph as ox

    out = []
    for t in model.ontology_triples:
        o = t.object
        if isinstance(o, ox.Literal):
            obj = Lit(o.value, None if o.language or o.datatype.value == XSD + "string"
                      else o.datatype.value, o.language)
        else:
            obj = o.value
        out.append((t.subject.value, t.predicate.value, obj))
    return out


def _superclasses(triples: Iterable[Triple]) -> dict[str, set[str]]:
    """Each class's superclasses (transitively) as the ontology declares them."""
    sub = expand("rdfs:subClassOf")
    direct: dict[str, set[str]] = {}
    for s, p, o in triples:
        if p == sub and isinstance(o, str):
            direct.setdefault(s, set()).add(o)

    def up(c: str, seen: frozenset) -> set[str]:
        out = set()
        for parent in direct.get(c, ()):
            if parent not in seen:
                out |= {parent} | up(parent, seen | {parent})
        return out

    return {c: up(c, frozenset({c})) for c in direct}


# --- N-Triples: the canonical, sorted form every export starts from ---------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


_NEEDS_ESCAPE = re.compile(r'[\\"\n\r]')


def nt_term(o) -> str:
    """The N-Triples form of a term: ``<iri>``, ``"text"@lang`` or ``"text"^^<datatype>``."""
    if o.__class__ is str:
        return f"<{o}>"
    value = o.value.translate(_ESCAPES) if _NEEDS_ESCAPE.search(o.value) else o.value
    if o.lang:
        return f'"{value}"@{o.lang}'
    if o.datatype:
        return f'"{value}"^^<{o.datatype}>'
    return f'"{value}"'


def canonical(triples: Iterable[Triple]) -> tuple[list[str], list[Triple]]:
    """The unique triples in N-Triples line order, with their lines.

    Every export is written in this order, so the same data gives the same bytes.

    >>> canonical([("a", "p", "c"), ("a", "p", Lit("b")), ("a", "p", "c")])[0]
    ['<a> <p> "b" .', '<a> <p> <c> .']

    The triples are put in order through their positions sorted by line (no dictionary of a
    million lines to hash: about 10% faster at 10,000 actors); a repeated triple's lines end
    up side by side, and all but the first are dropped.
    """
    triples = triples if isinstance(triples, list) else list(triples)
    lines = [f"<{s}> <{p}> <{o}> ." if o.__class__ is str else f"<{s}> <{p}> {nt_term(o)} ."
             for s, p, o in triples]
    order = sorted(range(len(lines)), key=lines.__getitem__)
    lines = list(map(lines.__getitem__, order))
    triples = list(map(triples.__getitem__, order))
    del order
    first = [True, *map(ne, lines, islice(lines, 1, None))]  # not the line before it again
    if not all(first):
        lines, triples = list(compress(lines, first)), list(compress(triples, first))
    return lines, triples


def merge_canonical(a: tuple[list[str], list[Triple]], b: tuple[list[str], list[Triple]]
                    ) -> tuple[list[str], list[Triple]]:
    """Two results of :func:`canonical` as one (what ``canonical`` of both triple lists gives).

    >>> merge_canonical(canonical([("a", "p", "c")]), canonical([("a", "p", "b"), ("a", "p", "c")]))[0]
    ['<a> <p> <b> .', '<a> <p> <c> .']
    """
    from bisect import bisect_left

    (la, ta), (lb, tb) = a, b
    lines: list[str] = []
    triples: list[Triple] = []
    start, n = 0, len(la)
    for line, triple in zip(lb, tb):  # each line of the shorter run put in its place: one
        # binary search each, the rest copied in slices; first among the next 32 lines (the
        # measures of an actor go among its other lines: 0.58 -> 0.34 s at 10,000 actors)
        near = start + 32
        at = bisect_left(la, line, start, near) if near < n else bisect_left(la, line, start)
        if at == near:
            at = bisect_left(la, line, near)
        if at > start:
            lines += la[start:at]
            triples += ta[start:at]
            start = at
        if at < n and la[at] == line:
            continue  # in both: kept once
        lines.append(line)
        triples.append(triple)
    lines += la[start:]
    triples += ta[start:]
    return lines, triples


def to_rdflib(lines: list[str]):
    """The graph as an ``rdflib.Graph`` with the project's prefixes bound."""
    import rdflib

    g = rdflib.Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, rdflib.Namespace(ns), override=True, replace=True)
    g.parse(data="\n".join(lines), format="nt")
    return g


def to_store(lines: list[str]):
    """The graph in a pyoxigraph Store (fast SPARQL and SHACL)."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(("\n".join(lines) + "\n").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store
