"""Curated records to RDF: actors, relation nodes, citations, sources, the derived shortcuts,
and the ontology itself, so an export is self-describing.

Triples are plain tuples ``(subject IRI, predicate IRI, object)`` where the object is an IRI
string or a :class:`Lit`; they are cheap to build for a million triples, and
:func:`canonical` turns them into the sorted N-Triples every export starts from.
:func:`to_rdflib` gives the same graph as an ``rdflib.Graph``, the API users see.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate, chain, compress, islice, repeat
from operator import add, itemgetter, lt, ne, sub
from typing import Iterable, NamedTuple, Sequence

from .dataset import Dataset
from .ids import citation_key
from .namespaces import ACTOR, CITE, ISSUE, PREFIXES, REL, SRC, expand
from .nt_lines import SPILL_FROM, LinesWriter, NTLines, nt_data
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


def canonical(triples: Iterable[Triple]) -> tuple[NTLines, list[Triple]]:
    """The unique triples in N-Triples line order, with their lines (:class:`NTLines`).

    Every export is written in this order, so the same data gives the same bytes.

    >>> lines, _ = canonical([("a", "p", "c"), ("a", "p", Lit("b")), ("a", "p", "c")])
    >>> list(lines)
    ['<a> <p> "b" .', '<a> <p> <c> .']

    Below ``SPILL_FROM`` triples, all lines are made and sorted at once, then kept as bytes in
    memory. From there they would not fit so well (12.5 million lines took 3.1 GB as strings at
    100,000 actors), so a subject's lines sorting together (``<s> ...``), the runs of triples
    of one subject are put in their subjects' order first (:func:`_by_subject`), then the
    triples are ordered by line a block of whole subjects at a time, each block's lines written
    into a scratch file in the temporary folder (:mod:`graphkit.scratch`). A repeated
    triple's lines end up side by side, and all but the first are dropped.
    """
    triples = triples if isinstance(triples, list) else list(triples)
    spill = len(triples) >= SPILL_FROM
    writer = LinesWriter(spill)
    out: list[Triple] = []

    def ordered(block: list[Triple]) -> None:
        # each with its line break: a line is never the start of another, so they sort alike
        lines = [f"<{s}> <{p}> <{o}> .\n" if o.__class__ is str
                 else f"<{s}> <{p}> {nt_term(o)} .\n" for s, p, o in block]
        order = sorted(range(len(lines)), key=lines.__getitem__)
        lines = list(map(lines.__getitem__, order))
        block = list(map(block.__getitem__, order))
        first = [True, *map(ne, lines, islice(lines, 1, None))]  # not the line before it again
        if not all(first):
            lines, block = list(compress(lines, first)), list(compress(block, first))
        for at in range(0, len(lines), _RUN):  # a run of bytes at a time, its strings let go
            run = lines[at:at + _RUN]
            writer.add(run)
            lines[at:at + len(run)] = repeat(None, len(run))
        out.extend(block)

    if not spill:
        ordered(triples)
        return writer.done(), out
    ordered_triples, ends = _by_subject(triples)
    start, n = 0, len(ordered_triples)
    for cut in range(_BLOCK, n, _BLOCK):  # blocks of whole subjects: cut where a run ends
        stop = ends[bisect_left(ends, cut)]
        if stop > start and stop < n:
            ordered(ordered_triples[start:stop])
            start = stop
    if start < n:
        ordered(ordered_triples[start:])
    return writer.done(), out


#: triples ordered at a time by canonical() from ``SPILL_FROM`` triples, whole subjects: a
#: block's lines (about 1.2 MB of strings) stay in the processor's caches and in the memory the
#: block before them freed. At 100,000 actors, ordering 11.6 million triples took 13.6 to 15.3 s
#: in four runs, against 16.2 to 20.6 s in blocks of 65,536, whose 10 MB of strings were mapped
#: anew each time (system time 1.2 to 3.7 s against 3.9 to 6.8 s); 4,096 took 14.5 and 15.4 s,
#: 16,384 16.2 and 20.1 s (bench/README.md)
_BLOCK = 8_192
_RUN = 65_536  # lines made into bytes at a time by canonical() below SPILL_FROM (all at once)


def _by_subject(triples: list[Triple]) -> tuple[list[Triple], list[int]]:
    """``triples`` in the order of their subjects' N-Triples lines, a subject's together
    (each subject's runs in the order given), and where each subject ends among them. The
    triples come mostly in order, a subject's together: the runs of one subject are sorted,
    not the triples."""
    subjects = list(map(itemgetter(0), triples))
    starts = [0, *compress(range(1, len(subjects)),
                           map(ne, islice(subjects, 1, None), subjects))] if subjects else []
    stops = [*islice(starts, 1, None), len(subjects)]
    keys = list(map(add, map(subjects.__getitem__, starts), repeat(">")))  # _as_line_sorts
    del subjects
    order = sorted(range(len(keys)), key=keys.__getitem__)
    if all(map(lt, order, islice(order, 1, None))):
        ordered = triples
    else:
        ordered = list(chain.from_iterable(map(triples.__getitem__, map(
            slice, map(starts.__getitem__, order), map(stops.__getitem__, order)))))
    ends = list(accumulate(map(sub, map(stops.__getitem__, order),
                               map(starts.__getitem__, order))))
    # a subject whose runs were apart ends where its last run does
    last = [*map(ne, map(keys.__getitem__, order), map(keys.__getitem__, islice(order, 1, None))),
            True]
    return ordered, list(compress(ends, last))


def merge_canonical(a: tuple[NTLines, list[Triple]], b: tuple[Sequence[str], list[Triple]]
                    ) -> tuple[NTLines, list[Triple]]:
    """Two results of :func:`canonical` as one (what ``canonical`` of both triple lists gives),
    ``b`` the smaller: the lines of each subject of ``b`` are merged with that subject's lines
    in ``a``; the runs of ``a`` between them are referred to where they are, not copied.

    >>> merged = merge_canonical(canonical([("a", "p", "c")]), canonical([("a", "p", "b"), ("a", "p", "c")]))
    >>> list(merged[0])
    ['<a> <p> <b> .', '<a> <p> <c> .']
    """
    (la, ta), (lb, tb) = a, b
    if not tb:
        return la, ta
    lb = list(lb)
    writer = LinesWriter(la.spilled)
    out: list[Triple] = []
    subjects = list(map(itemgetter(0), tb))
    bounds = [0, *compress(range(1, len(tb)), map(ne, islice(subjects, 1, None), subjects)),
              len(tb)]
    del subjects
    at, n = 0, len(ta)
    window = _Window(la)
    # merged lines not yet added, one write for a run of subjects, at most about _BLOCK: held
    # to the end (every actor's lines and its measures'), merging 1.2 million measures' lines
    # into the 100k set's took 4.8 to 5.0 s and 404,000 to 416,000 page faults, against 3.3 s
    # and 140,000 (bench/README.md)
    pending: list[str] = []
    for i, j in zip(bounds, islice(bounds, 1, None)):
        line_start = "<" + tb[i][0] + ">"
        lo = _gallop(ta, line_start, at, n, bisect_left)
        hi = _gallop(ta, line_start, lo, n, bisect_right)
        if lo > at:
            writer.add(pending)
            pending = []
            writer.copy(la, at, lo)
            out += ta[at:lo]
        merged = dict(zip(window.lines(lo, hi), ta[lo:hi]))  # in both: a's kept
        for line, triple in zip(lb[i:j], tb[i:j]):
            merged.setdefault(line, triple)
        lines = sorted(merged)
        pending += map(add, lines, repeat("\n"))
        if len(pending) >= _BLOCK:  # as canonical's blocks: the strings of a few MB at a time
            writer.add(pending)
            pending = []
        out += map(merged.__getitem__, lines)
        at = hi
    writer.add(pending)
    writer.copy(la, at, n)
    out += ta[at:]
    return writer.done(), out


_WINDOW = 4_096  # lines read at a time by merge_canonical()


class _Window:
    """Lines of an :class:`NTLines` read as text a block at a time, for calls asking for runs
    of lines in order, each near the one before."""

    def __init__(self, lines: NTLines) -> None:
        self.source, self.size = lines, _WINDOW
        self.start, self.text = 0, []

    def lines(self, lo: int, hi: int) -> list[str]:
        """``source[lo:hi]``."""
        if lo < self.start or hi > self.start + len(self.text):
            self.start, self.text = lo, self.source[lo:max(hi, lo + self.size)]
        return self.text[lo - self.start:hi - self.start]


def _gallop(triples: list[Triple], line_start: str, lo: int, hi: int, search) -> int:
    """``search`` (bisect_left or bisect_right) for the subject ``line_start`` (``<s>``) in
    ``triples[lo:hi]``, looking among the next 32 first (the measures of one actor after the
    previous one's: a tenth of the steps of a search of the whole)."""
    near = lo + 32
    if near < hi:
        at = search(triples, line_start, lo, near, key=_line_start)
        if at < near:
            return at
        lo = near
    return search(triples, line_start, lo, hi, key=_line_start)


def _line_start(triple: Triple) -> str:
    return "<" + triple[0] + ">"


def to_rdflib(lines: Sequence[str]):
    """The graph as an ``rdflib.Graph`` with the project's prefixes bound."""
    import rdflib

    g = rdflib.Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, rdflib.Namespace(ns), override=True, replace=True)
    g.parse(data=nt_data(lines).decode("utf-8"), format="nt")
    return g


def to_store(lines: Sequence[str]):
    """The graph in a pyoxigraph Store (fast SPARQL and SHACL)."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(nt_data(lines), format=ox.RdfFormat.N_TRIPLES)
    return store
