"""Reading any graphkit export back into a :class:`graphkit.facts.Graph`, so an analysis runs on
a graph file as on the data folder (``--graph FILE``): the same facts, the same actors.

>>> from pathlib import Path
>>> from graphkit.build import check
>>> from graphkit.facts import graph_of
>>> result = check(Path("tests/cases/base"), shacl=False)
>>> back = from_triples(result.triples)
>>> mine = graph_of(result.dataset)
>>> key = lambda f: (f.key, f.participants, f.sign, f.start, f.end)
>>> sorted(map(key, back.facts)) == sorted(map(key, mine.facts))
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .dates import parse_date
from .facts import ActorInfo, Fact, Graph
from .model import Model, load_model
from .namespaces import ACTOR, PREFIXES, REL, expand

RDF_TYPE = PREFIXES["rdf"] + "type"


def term_from_ox(term):
    """A pyoxigraph term as graphkit's triples hold it: an IRI string or a
    :class:`graphkit.to_rdf.Lit` (plain strings have neither datatype nor language)."""
    import pyoxigraph as ox

    from .to_rdf import Lit

    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        return Lit(term.value, None if term.language or datatype == PREFIXES["xsd"] + "string"
                   else datatype, term.language)
    return term.value


def from_file(path: Path, model: Model | None = None) -> Graph:
    """The graph in an exported file (Turtle, N-Triples or JSON-LD, by its extension)."""
    import pyoxigraph as ox

    fmt = ox.RdfFormat.from_extension(str(path).rsplit(".", 1)[-1])
    if fmt is None:
        raise ValueError(f"cannot tell the RDF format of {path} from its extension")
    return from_triples(((t.subject.value, t.predicate.value, term_from_ox(t.object))
                         for t in ox.parse(path=str(path), format=fmt)), model)


def _value(o) -> str:
    return o if isinstance(o, str) else o.value


def from_triples(triples: Iterable[tuple], model: Model | None = None) -> Graph:
    """Facts and actors from triples ``(s, p, o)`` (objects: IRI strings or literals)."""
    model = model or load_model()
    kind_of = {k.class_iri: k for k in model.relations.values()}
    type_of = {t.class_iri: name for name, t in model.actor_types.items()}
    notation = model.notation
    role_of = {k.name: {spec.property: role for role, spec in k.roles.items()}
               for k in model.relations.values()}
    concept_of = {k.name: {cf.property: name for name, cf in k.concepts.items()}
                  for k in model.relations.values()}
    literal_of = {k.name: {prop: name for name, prop in k.literals.items()}
                  for k in model.relations.values()}
    fields = model.actor_fields
    field_of = {f.property: f for f in fields.values()}
    by_subject: dict[str, list[tuple[str, object]]] = {}
    for s, p, o in triples:
        if s.startswith(REL) or s.startswith(ACTOR):
            by_subject.setdefault(s, []).append((p, o))
    start_p, end_p = expand("schema:startDate"), expand("schema:endDate")
    track_p, conf_p, sign_p = expand("gk:track"), expand("gk:confidence"), expand("gk:sign")
    issue_ps = {k.issues_property for k in model.relations.values() if k.issues_property}
    facts: list[Fact] = []
    actors: dict[str, ActorInfo] = {}
    for s in sorted(by_subject):
        pos = sorted(by_subject[s], key=lambda po: (po[0], str(po[1])))
        if s.startswith(REL):
            kind = next((kind_of[o] for p, o in pos if p == RDF_TYPE and o in kind_of), None)
            if kind is None:
                continue
            f = Fact(s[len(REL):], kind.name, {role: () for role in kind.roles})
            roles, concepts, literals = role_of[kind.name], concept_of[kind.name], \
                literal_of[kind.name]
            for p, o in pos:
                if p in roles and isinstance(o, str) and o.startswith(ACTOR):
                    f.participants[roles[p]] += (o[len(ACTOR):],)
                elif p == start_p:
                    f.start = parse_date(_value(o))
                elif p == end_p:
                    f.end = parse_date(_value(o))
                elif p == track_p:
                    f.track = notation(o)
                elif p == conf_p:
                    f.confidence = notation(o)
                elif p == sign_p:
                    f.sign = notation(o)
                elif p in concepts:
                    f.concepts[concepts[p]] = o
                elif p in literals:
                    f.literals[literals[p]] = _value(o)
                elif p in issue_ps and isinstance(o, str):
                    f.issues += (o.rsplit("/", 1)[-1],)
            if not any(p == sign_p for p, _ in pos):  # an export older than signs
                f.sign = model.sign(kind.name, f.concepts)
            f.partial = model.partial(kind.name, f.concepts)
            facts.append(f)
        else:
            aid = s[len(ACTOR):]
            kind = next((type_of[o] for p, o in pos if p == RDF_TYPE and o in type_of), "")
            info = ActorInfo(aid, aid, kind)
            for p, o in pos:
                spec = field_of.get(p)
                if spec is None:
                    continue
                if spec.name == "name":
                    info.label = _value(o)
                elif spec.name == "aliases":
                    info.aliases.append(_value(o))
                elif spec.name == "country" and isinstance(o, str):
                    info.country = o[len(ACTOR):]
                elif spec.name == "track" and isinstance(o, str):
                    info.track = notation(o)
                elif spec.text is not None and not spec.many:
                    info.texts[spec.name] = _value(o)
            t = model.actor_types.get(kind)
            info.track = info.track or (t.track if t and t.track else "")
            info.country = info.country or (aid if kind == "state" else "")
            actors[aid] = info
    return Graph(facts, actors, model)
