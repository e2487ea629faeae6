"""The curation model (``ontology/model.yaml``) and the concept schemes (``ontology/graphkit.ttl``).

The model declares, once, each actor type and each relation kind: the YAML keys, their
cardinality, the actor types they accept, the RDF terms, and the edges a relation projects to.
It is checked when loaded; a broken model raises :class:`InvalidModel` naming what is wrong.

>>> m = load_model()
>>> m.relations["mediation"].roles["parties"].min
2
>>> m.concept("gk:Tracks", "1.5")
'https://w3id.org/graphkit/ontology#track-1-5'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .files import shipped
from .namespaces import PREFIXES, expand

ONTOLOGY_DIR = shipped("ontology")
SKOS = PREFIXES["skos"]
COMMON_FIELDS = ("type", "start", "end", "track", "confidence", "note", "description",
                 "sources", "key")


class InvalidModel(Exception):
    """The model file contradicts itself or the ontology."""


@dataclass(frozen=True)
class TextSpec:
    """A text field's RDF property (None where the field is not a literal of its own) and its
    length bounds in characters."""

    property: tuple[str, ...] | None  # the RDF path from the record's node to the text
    min: int
    max: int
    hint: str = "the bounds are set in ontology/model.yaml (texts)"

    def problem(self, text: str) -> str | None:
        """What is wrong with ``text``'s length or characters, or None.

        >>> TextSpec(None, 10, 300).problem("short")
        'is 5 characters long; at least 10'
        """
        if len(text) > self.max:
            return f"is {len(text):,} characters long; at most {self.max:,}"
        if len(text) < self.min:
            return f"is {len(text)} characters long; at least {self.min}"
        bad = next((ch for ch in text if ch < " " and ch not in "\t\n"
                    or "\x7f" <= ch < "\xa0"), None)
        if bad is not None:
            return f"holds the control character U+{ord(bad):04X}"
        return None


TEXT_RECORDS = ("actor", "relation", "citation", "source", "issue")


@dataclass(frozen=True)
class ActorType:
    name: str
    class_iri: str
    label: str


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

    @property
    def fields(self) -> tuple[str, ...]:
        """Every key a record of this kind may carry."""
        own = list(self.roles) + list(self.concepts) + list(self.literals)
        if self.issues_property:
            own.append("issues")
        return COMMON_FIELDS + tuple(own)


@dataclass
class Model:
    actor_types: dict[str, ActorType]
    relations: dict[str, RelationKind]
    schemes: dict[str, dict[str, str]]  # scheme IRI -> notation -> concept IRI
    texts: dict[str, dict[str, TextSpec]] = field(default_factory=dict)  # record -> field -> spec
    labels: dict[str, str] = field(default_factory=dict)  # IRI -> English label
    ontology_triples: list = field(default_factory=list)  # pyoxigraph Triples of graphkit.ttl
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


@lru_cache(maxsize=1)
def load_model(ontology_dir: Path = ONTOLOGY_DIR) -> Model:
    """Load and check ``model.yaml`` against ``graphkit.ttl`` (cached: the files ship with graphkit)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec = yaml.load((ontology_dir / "model.yaml").read_text(encoding="utf-8"), Loader=loader)
    triples, declared, schemes, labels = _read_ontology(ontology_dir / "graphkit.ttl")
    problems: list[str] = []

    def term(curie: str, where: str) -> str:
        try:
            iri = expand(curie)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            return curie
        if iri not in declared and not iri.startswith(tuple(
                PREFIXES[p] for p in ("org", "schema", "foaf", "dcterms", "skos", "prov", "oa"))):
            problems.append(f"{where}: {curie} is not declared in graphkit.ttl")
        return iri

    actor_types = {
        name: ActorType(name, term(t["class"], f"actor_types.{name}"), t["label"])
        for name, t in spec["actor_types"].items()
    }
    groups = _expand_groups(spec.get("type_groups", {}), set(actor_types), problems)

    relations: dict[str, RelationKind] = {}
    for name, r in spec["relations"].items():
        where = f"relations.{name}"
        roles = {}
        for role, rs in r["roles"].items():
            types: set[str] = set()
            for t in rs.get("types", []):
                if t in groups:
                    types |= groups[t]
                elif t in actor_types:
                    types.add(t)
                else:
                    problems.append(f"{where}.roles.{role}: unknown actor type or group '{t}'")
            roles[role] = RoleSpec(role, term(rs["property"], f"{where}.roles.{role}"),
                                   rs.get("min", 0), rs.get("max"), frozenset(types))
        concepts = {}
        for cname, cs in r.get("concepts", {}).items():
            scheme = term(cs["scheme"], f"{where}.concepts.{cname}")
            if scheme not in schemes:
                problems.append(f"{where}.concepts.{cname}: no concept scheme {cs['scheme']}")
            elif cs.get("default") and cs["default"] not in schemes[scheme]:
                problems.append(f"{where}.concepts.{cname}: default '{cs['default']}' "
                                f"is not a notation of {cs['scheme']}")
            concepts[cname] = ConceptField(cname, term(cs["property"], f"{where}.concepts.{cname}"),
                                           scheme, cs.get("default"), cs.get("required", False))
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
        relations[name] = RelationKind(
            name, term(r["class"], f"{where}.class"), r["label"], r.get("doc", ""), roles,
            concepts, literals, term(issues["property"], f"{where}.issues") if issues else None,
            (issues or {}).get("min", 0), bool(r.get("track_required", False)), disjoint,
            tuple(edges))
    texts = _read_texts(spec.get("texts", {}), term, problems)
    for required in ("gk:Tracks", "gk:Confidence", "gk:Issues"):
        if expand(required) not in schemes and required != "gk:Issues":
            problems.append(f"graphkit.ttl: missing concept scheme {required}")
    if problems:
        raise InvalidModel("invalid model:\n  " + "\n  ".join(problems))
    return Model(actor_types, relations, schemes, texts, labels, triples)


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
            lo, hi = spec.get("min", 0), spec.get("max")
            if not isinstance(hi, int) or not isinstance(lo, int) or not 0 <= lo <= hi:
                problems.append(f"texts.{record}.{name}: needs 0 <= min <= max, integers")
                continue
            path = spec.get("property")
            prop = None if path is None else tuple(
                term(p, f"texts.{record}.{name}") for p in ([path] if isinstance(path, str) else path))
            out[record][name] = TextSpec(prop, lo, hi, *([spec["hint"]] if "hint" in spec else []))
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
