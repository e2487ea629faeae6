"""The curation model (``ontology/model.yaml``) and the concept schemes (``ontology/graphkit.ttl``).

The model declares, once: each actor type (class, style, default track) and each actor field
(property, bounds); each relation kind (YAML keys, cardinality, accepted types, RDF terms, the
edges it projects to, its sign, its style, whether it happens at a point in time, which of its
concept values are partial memberships); the network views; the groupings. It is checked when
loaded: a broken model raises :class:`InvalidModel` naming what is wrong, so a renamed role or
a misspelt view fails here and never later.

>>> m = load_model()
>>> m.relations["mediation"].roles["parties"].min
2
>>> m.concept("gk:Tracks", "1.5")
'https://w3id.org/graphkit/ontology#track-1-5'
>>> m.sign("tie", {"nature": m.concept("gk:TieNatures", "rivalry")}), m.sign("membership", {})
('adversarial', 'cooperative')
>>> sorted(m.views["actors"].signs), m.views["states"].nodes == frozenset({"state"})
(['cooperative', 'neutral'], True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

from .files import shipped
from .namespaces import PREFIXES, expand

ONTOLOGY_DIR = shipped("ontology")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # control characters but tab and newline
SKOS = PREFIXES["skos"]
COMMON_FIELDS = ("type", "start", "end", "track", "confidence", "note", "description",
                 "sources", "key")
SIGNS = ("cooperative", "neutral", "adversarial")
BUILDS = ("weighted", "signed", "bipartite", "co-membership", "overlap")
GROUP_ATTRIBUTES = ("type", "track", "country")
TEXT_RECORDS = ("relation", "citation", "source", "issue")


class InvalidModel(Exception):
    """The model file contradicts itself or the ontology."""


@dataclass(frozen=True)
class TextSpec:
    """A text field's RDF path (None where the field is not a literal of its own) and its
    length bounds in characters."""

    property: tuple[str, ...] | None  # the RDF path from the record's node to the text
    min: int
    max: int
    hint: str = "the bounds are set in ontology/model.yaml"

    def problem(self, text: str) -> str | None:
        """What is wrong with ``text``'s length or characters, or None.

        >>> TextSpec(None, 10, 300).problem("short")
        'is 5 characters long; at least 10'
        """
        if len(text) > self.max:
            return f"is {len(text):,} characters long; at most {self.max:,}"
        if len(text) < self.min:
            return f"is {len(text)} characters long; at least {self.min}"
        bad = _CONTROL.search(text)
        if bad is not None:
            return f"holds the control character U+{ord(bad.group()):04X}"
        return None


@dataclass(frozen=True)
class Style:
    """How the map draws an actor type (shape, colour) or a relation kind (colour, width)."""

    shape: str = "dot"
    color: str = "#999999"
    width: float = 1.0


@dataclass(frozen=True)
class ActorType:
    name: str
    class_iri: str
    label: str
    track: str | None = None  # the track an actor of this type stands at when none is given
    style: Style = Style()


@dataclass(frozen=True)
class ActorField:
    """A field of an actor record: a text, a list of texts, a reference to an actor, or a
    concept; ``properties`` are the RDF properties its value is written under."""

    name: str
    properties: tuple[str, ...]
    many: bool = False
    required: bool = False
    actor_types: frozenset[str] | None = None  # a reference to an actor of these types
    scheme: str | None = None  # a concept of this scheme
    text: TextSpec | None = None  # a text, with its bounds

    @property
    def property(self) -> str:
        return self.properties[0]


@dataclass(frozen=True)
class RoleSpec:
    """A participant role of a relation kind (``member``, ``parties``...)."""

    name: str
    property: str
    min: int
    max: int | None  # None: unbounded
    types: frozenset[str]

    @property
    def single(self) -> bool:
        return self.max == 1


@dataclass(frozen=True)
class ConceptField:
    name: str
    property: str
    scheme: str
    default: str | None
    required: bool
    partial: frozenset[str] = frozenset()  # concept IRIs that are not full membership
    signs: tuple[tuple[str, str], ...] = ()  # (concept IRI, sign) that set the relation's sign


@dataclass(frozen=True)
class EdgeSpec:
    """How a relation projects to graph edges: from each ``source`` participant to each ``target``."""

    source: str
    target: str
    shortcut: str
    directed: bool


@dataclass(frozen=True)
class RelationKind:
    name: str
    class_iri: str
    label: str
    doc: str
    roles: dict[str, RoleSpec]
    concepts: dict[str, ConceptField]
    literals: dict[str, str]  # YAML key -> property IRI
    issues_property: str | None
    issues_min: int
    track_required: bool
    disjoint: tuple[tuple[str, str], ...]
    edges: tuple[EdgeSpec, ...]
    sign: str = "neutral"
    style: Style = Style()
    point_in_time: bool = False
    start_shortcut: tuple[str, str] | None = None  # (role, property) the start is copied to

    @cached_property
    def fields(self) -> tuple[str, ...]:
        """Every key a record of this kind may carry (asked for once per record read)."""
        own = list(self.roles) + list(self.concepts) + list(self.literals)
        if self.issues_property:
            own.append("issues")
        return COMMON_FIELDS + tuple(own)


@dataclass(frozen=True)
class ViewSpec:
    """A network view: which relations feed it and how its edges are built."""

    name: str
    doc: str
    kinds: frozenset[str]
    signs: frozenset[str]
    nodes: frozenset[str] | None  # the actor types kept (None: every actor)
    build: str
    directed: bool = False


@dataclass(frozen=True)
class Grouping:
    """How actors are put in groups: by an attribute, or by a body's side."""

    name: str
    attribute: str | None = None
    anchor: str | None = None
    inside: str = ""
    outside: str = "outside"


@dataclass
class Model:
    actor_types: dict[str, ActorType]
    relations: dict[str, RelationKind]
    schemes: dict[str, dict[str, str]]  # scheme IRI -> notation -> concept IRI
    texts: dict[str, dict[str, TextSpec]] = field(default_factory=dict)  # record -> field -> spec
    labels: dict[str, str] = field(default_factory=dict)  # IRI -> English label
    ontology_triples: list = field(default_factory=list)  # pyoxigraph Triples of graphkit.ttl
    actor_fields: dict[str, ActorField] = field(default_factory=dict)
    views: dict[str, ViewSpec] = field(default_factory=dict)
    groupings: dict[str, Grouping] = field(default_factory=dict)
    type_groups: dict[str, frozenset[str]] = field(default_factory=dict)
    fold_members_from: int = 0  # the map folds the memberships of bodies with this many or more
    fingerprint: str = ""  # a hash of model.yaml and graphkit.ttl (keys the parsed-data cache)
    _notations: dict[str, str] = field(default_factory=dict, repr=False)

    def concept(self, scheme: str, notation: str) -> str | None:
        """The concept IRI of ``notation`` in ``scheme`` (a prefixed name or an IRI)."""
        iri = scheme if "://" in scheme else expand(scheme)
        return self.schemes[iri].get(notation)

    def notations(self, scheme: str) -> list[str]:
        return sorted(self.schemes[scheme])

    def notation(self, iri: str) -> str:
        """The YAML value (skos:notation) of concept ``iri``."""
        if not self._notations:
            self._notations.update({concept: notation for table in self.schemes.values()
                                    for notation, concept in table.items()})
        return self._notations.get(iri, iri)

    def label(self, iri: str) -> str:
        return self.labels.get(iri, iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1])

    def sign(self, kind: str, concepts: dict[str, str]) -> str:
        """The sign of a relation of ``kind`` with these concept values (field -> IRI): a
        concept that declares a sign (a tie's nature) sets it, otherwise the kind's."""
        spec = self.relations[kind]
        for name, cf in spec.concepts.items():
            if cf.signs and name in concepts:
                found = dict(cf.signs).get(concepts[name])
                if found:
                    return found
        return spec.sign

    def partial(self, kind: str, concepts: dict[str, str]) -> bool:
        """Whether a relation with these concept values is a partial membership (an observer,
        a dialogue partner...), as its kind declares."""
        spec = self.relations[kind]
        return any(concepts.get(name) in cf.partial for name, cf in spec.concepts.items()
                   if cf.partial)

    def style(self, actor_type: str) -> Style:
        t = self.actor_types.get(actor_type)
        return t.style if t else Style()


@lru_cache(maxsize=1)
def load_model(ontology_dir: Path = ONTOLOGY_DIR) -> Model:
    """Load and check ``model.yaml`` against ``graphkit.ttl`` (cached: the files ship with graphkit)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        spec = yaml.load((ontology_dir / "model.yaml").read_text(encoding="utf-8"),
                         Loader=loader)
        triples, declared, schemes, labels = _read_ontology(ontology_dir / "graphkit.ttl")
    except (OSError, yaml.YAMLError, SyntaxError, ValueError) as exc:
        raise InvalidModel(f"cannot read the model in {ontology_dir}: {exc}") from None
    problems: list[str] = []

    def term(curie: str, where: str) -> str:
        try:
            iri = expand(curie)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            return curie
        if iri not in declared and not iri.startswith(tuple(
                PREFIXES[p] for p in ("org", "schema", "foaf", "dcterms", "skos", "prov", "oa",
                                      "rdfs"))):
            problems.append(f"{where}: {curie} is not declared in graphkit.ttl")
        return iri

    tracks = schemes.get(expand("gk:Tracks"), {})
    actor_types = {}
    for name, t in spec["actor_types"].items():
        where = f"actor_types.{name}"
        if t.get("track") is not None and str(t["track"]) not in tracks:
            problems.append(f"{where}.track: '{t['track']}' is not a track")
        actor_types[name] = ActorType(name, term(t["class"], where), t["label"],
                                      str(t["track"]) if t.get("track") is not None else None,
                                      _style(t.get("style", {}), where, problems))
    groups = _expand_groups(spec.get("type_groups", {}), set(actor_types), problems)

    def type_set(names, where: str) -> frozenset[str]:
        out: set[str] = set()
        for t in names:
            if t in groups:
                out |= groups[t]
            elif t in actor_types:
                out.add(t)
            else:
                problems.append(f"{where}: unknown actor type or group '{t}'")
        return frozenset(out)

    actor_fields = _read_actor_fields(spec.get("actor", {}), term, type_set, schemes, problems)
    relations: dict[str, RelationKind] = {}
    for name, r in spec["relations"].items():
        relations[name] = _read_kind(name, r, term, type_set, schemes, problems)
    texts = _read_texts(spec.get("texts", {}), term, problems)
    views = _read_views(spec.get("views", {}), relations, type_set, problems)
    groupings = _read_groupings(spec.get("groupings", {}), problems)
    for required in ("gk:Tracks", "gk:Confidence", "gk:Signs"):
        if expand(required) not in schemes:
            problems.append(f"graphkit.ttl: missing concept scheme {required}")
    if set(SIGNS) - set(schemes.get(expand("gk:Signs"), {})):
        problems.append(f"graphkit.ttl: gk:Signs must hold {', '.join(SIGNS)}")
    if problems:
        raise InvalidModel("invalid model:\n  " + "\n  ".join(problems))
    fold = spec.get("map", {}).get("fold_members_from", 0)
    if not isinstance(fold, int) or fold < 0:
        raise InvalidModel(f"invalid model:\n  map.fold_members_from: '{fold}' is not a count")
    return Model(actor_types, relations, schemes, texts, labels, triples, actor_fields, views,
                 groupings, {k: frozenset(v) for k, v in groups.items()}, fold,
                 _fingerprint(ontology_dir / "model.yaml", ontology_dir / "graphkit.ttl"))


def _fingerprint(*paths: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    for path in paths:
        h.update(path.read_bytes())
    return h.hexdigest()


def _style(raw: dict, where: str, problems: list[str]) -> Style:
    unknown = set(raw) - {"shape", "color", "width"}
    if unknown:
        problems.append(f"{where}.style: unknown keys {sorted(unknown)}")
    color = raw.get("color", Style.color)
    if not (isinstance(color, str) and len(color) == 7 and color.startswith("#")):
        problems.append(f"{where}.style.color: '{color}' is not a colour like #1f77b4")
    return Style(raw.get("shape", "dot"), color, float(raw.get("width", 1.0)))


def _text_spec(spec: dict, where: str, term, problems: list[str]) -> TextSpec | None:
    lo, hi = spec.get("min", 0), spec.get("max")
    if not isinstance(hi, int) or not isinstance(lo, int) or not 0 <= lo <= hi:
        problems.append(f"{where}: needs 0 <= min <= max, integers")
        return None
    path = spec.get("property")
    prop = None if path is None else tuple(
        term(p, where) for p in ([path] if isinstance(path, str) else path))
    return TextSpec(prop, lo, hi, *([spec["hint"]] if "hint" in spec else []))


def _read_actor_fields(raw: dict, term, type_set, schemes, problems) -> dict[str, ActorField]:
    out = {}
    for name in ("name", "aliases", "country", "track"):
        if name not in raw:
            problems.append(f"actor: missing the field '{name}' (the code reads it)")
    for name, spec in raw.items():
        where = f"actor.{name}"
        if name in ("id", "type", "sources"):
            problems.append(f"{where}: '{name}' is not declared here (every actor has it)")
            continue
        props = (term(spec["property"], where),) + tuple(
            term(p, f"{where}.also") for p in spec.get("also", []))
        scheme = term(spec["scheme"], where) if "scheme" in spec else None
        if scheme is not None and scheme not in schemes:
            problems.append(f"{where}: no concept scheme {spec['scheme']}")
        targets = type_set(spec["actor"], where) if "actor" in spec else None
        text = None
        if scheme is None and targets is None:
            text = _text_spec({**spec, "property": spec["property"]}, where, term, problems)
        out[name] = ActorField(name, props, bool(spec.get("many")), bool(spec.get("required")),
                               targets, scheme, text)
    return out


def _read_kind(name: str, r: dict, term, type_set, schemes, problems) -> RelationKind:
    where = f"relations.{name}"
    roles = {role: RoleSpec(role, term(rs["property"], f"{where}.roles.{role}"),
                            rs.get("min", 0), rs.get("max"),
                            type_set(rs.get("types", []), f"{where}.roles.{role}"))
             for role, rs in r["roles"].items()}
    concepts = {}
    for cname, cs in r.get("concepts", {}).items():
        cwhere = f"{where}.concepts.{cname}"
        scheme = term(cs["scheme"], cwhere)
        table = schemes.get(scheme)
        if table is None:
            problems.append(f"{cwhere}: no concept scheme {cs['scheme']}")
            table = {}
        elif cs.get("default") and cs["default"] not in table:
            problems.append(f"{cwhere}: default '{cs['default']}' is not a notation of "
                            f"{cs['scheme']}")
        partial = set()
        for notation in cs.get("partial", []):
            if notation not in table:
                problems.append(f"{cwhere}.partial: '{notation}' is not a notation of "
                                f"{cs['scheme']}")
            else:
                partial.add(table[notation])
        signs = []
        for notation, sign in sorted(cs.get("signs", {}).items()):
            if notation not in table:
                problems.append(f"{cwhere}.signs: '{notation}' is not a notation of "
                                f"{cs['scheme']}")
            elif sign not in SIGNS:
                problems.append(f"{cwhere}.signs.{notation}: '{sign}' is not a sign "
                                f"({', '.join(SIGNS)})")
            else:
                signs.append((table[notation], sign))
        concepts[cname] = ConceptField(cname, term(cs["property"], cwhere), scheme,
                                       cs.get("default"), cs.get("required", False),
                                       frozenset(partial), tuple(signs))
    literals = {k: term(v["property"], f"{where}.literals.{k}")
                for k, v in r.get("literals", {}).items()}
    issues = r.get("issues")
    edges = []
    for e in r.get("edges", []):
        for end in ("from", "to"):
            if e[end] not in roles:
                problems.append(f"{where}.edges: missing edge {end}: '{e[end]}' is not a role")
        edges.append(EdgeSpec(e["from"], e["to"], term(e["shortcut"], f"{where}.edges"),
                              bool(e.get("directed", True))))
    if not edges:
        problems.append(f"{where}: declares no edges")
    disjoint = tuple(tuple(pair) for pair in r.get("disjoint", []))
    for pair in disjoint:
        for role in pair:
            if role not in roles:
                problems.append(f"{where}.disjoint: '{role}' is not a role")
    clash = set(roles) & (set(COMMON_FIELDS) | set(concepts) | set(literals))
    if clash:
        problems.append(f"{where}: role names clash with other fields: {sorted(clash)}")
    sign = r.get("sign")
    if sign not in SIGNS:
        problems.append(f"{where}.sign: '{sign}' is not a sign ({', '.join(SIGNS)})")
    shortcut = r.get("start_shortcut")
    if shortcut is not None:
        if shortcut.get("role") not in roles:
            problems.append(f"{where}.start_shortcut: '{shortcut.get('role')}' is not a role")
        shortcut = (shortcut.get("role"), term(shortcut["property"], f"{where}.start_shortcut"))
    return RelationKind(
        name, term(r["class"], f"{where}.class"), r["label"], r.get("doc", ""), roles,
        concepts, literals, term(issues["property"], f"{where}.issues") if issues else None,
        (issues or {}).get("min", 0), bool(r.get("track_required", False)), disjoint,
        tuple(edges), sign if sign in SIGNS else "neutral",
        _style(r.get("style", {}), where, problems), bool(r.get("point_in_time", False)),
        shortcut)


def _read_texts(raw: dict, term, problems: list[str]) -> dict[str, dict[str, TextSpec]]:
    out: dict[str, dict[str, TextSpec]] = {}
    for record in TEXT_RECORDS:
        if record not in raw:
            problems.append(f"texts: missing '{record}'")
    for record, fields in raw.items():
        if record not in TEXT_RECORDS:
            problems.append(f"texts: unknown record '{record}' (one of {', '.join(TEXT_RECORDS)})")
            continue
        out[record] = {}
        for name, spec in fields.items():
            found = _text_spec(spec, f"texts.{record}.{name}", term, problems)
            if found:
                out[record][name] = found
    return out


def _read_views(raw: dict, relations: dict, type_set, problems: list[str]) -> dict[str, ViewSpec]:
    out = {}
    for name, v in raw.items():
        where = f"views.{name}"
        kinds = v.get("kinds", "all")
        kinds = set(relations) if kinds == "all" else set(kinds)
        for k in sorted(kinds - set(relations)):
            problems.append(f"{where}.kinds: unknown relation kind '{k}'")
        signs = set(v.get("signs", SIGNS))
        for s in sorted(signs - set(SIGNS)):
            problems.append(f"{where}.signs: '{s}' is not a sign ({', '.join(SIGNS)})")
        build = v.get("build", "weighted")
        if build not in BUILDS:
            problems.append(f"{where}.build: '{build}' is not one of {', '.join(BUILDS)}")
        if build == "bipartite":
            for k in sorted(kinds & set(relations)):
                if len(relations[k].roles) < 2:
                    problems.append(f"{where}: a bipartite view needs kinds with two roles; "
                                    f"'{k}' has {len(relations[k].roles)}")
        nodes = type_set([v["nodes"]], f"{where}.nodes") if "nodes" in v else None
        out[name] = ViewSpec(name, v.get("doc", ""), frozenset(kinds & set(relations)),
                             frozenset(signs), nodes, build, bool(v.get("directed", False)))
    if "actors" not in out:
        problems.append("views: missing 'actors' (the default view of the network commands)")
    return out


def _read_groupings(raw: dict, problems: list[str]) -> dict[str, Grouping]:
    out = {}
    for name, g in raw.items():
        where = f"groupings.{name}"
        if ("attribute" in g) == ("anchor" in g):
            problems.append(f"{where}: give either 'attribute' or 'anchor'")
            continue
        if "attribute" in g and g["attribute"] not in GROUP_ATTRIBUTES:
            problems.append(f"{where}.attribute: '{g['attribute']}' is not one of "
                            f"{', '.join(GROUP_ATTRIBUTES)}")
        out[name] = Grouping(name, g.get("attribute"), g.get("anchor"),
                             g.get("inside", g.get("anchor", "")), g.get("outside", "outside"))
    return out


def _expand_groups(raw: dict, types: set[str], problems: list[str]) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {}

    def resolve(name: str, seen: tuple[str, ...]) -> set[str]:
        if name in groups:
            return groups[name]
        if name in seen:
            problems.append(f"type_groups: cycle through '{name}'")
            return set()
        out: set[str] = set()
        for member in raw[name]:
            if member in types:
                out.add(member)
            elif member in raw:
                out |= resolve(member, seen + (name,))
            else:
                problems.append(f"type_groups.{name}: unknown actor type '{member}'")
        groups[name] = out
        return out

    for name in raw:
        resolve(name, ())
    return groups


def _read_ontology(path: Path):
    import pyoxigraph as ox

    triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    rdf_type = PREFIXES["rdf"] + "type"
    declared = {t.subject.value for t in triples if t.predicate.value == rdf_type}
    in_scheme: dict[str, str] = {}
    notation: dict[str, str] = {}
    labels: dict[str, str] = {}
    schemes: dict[str, dict[str, str]] = {}
    for t in triples:
        p = t.predicate.value
        if p == rdf_type and t.object.value == SKOS + "ConceptScheme":
            schemes.setdefault(t.subject.value, {})
        elif p == SKOS + "inScheme":
            in_scheme[t.subject.value] = t.object.value
        elif p == SKOS + "notation":
            notation[t.subject.value] = t.object.value
        elif p in (SKOS + "prefLabel", PREFIXES["rdfs"] + "label"):
            labels.setdefault(t.subject.value, t.object.value)
    for concept, scheme in in_scheme.items():
        if concept in notation:
            schemes.setdefault(scheme, {})[notation[concept]] = concept
    return triples, declared, schemes, labels
