"""Typed records from located YAML: actors, relations, sources and issues.

Each ``read_*`` function checks one record on its own (required and unknown keys, value shapes,
slugs, dates, concept values) and returns the record with every field's line, plus the problems
found. Checks across records (references, types, duplicates) live in :mod:`graphkit.checks`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from operator import attrgetter
from sys import intern

from .dates import FORMAT_HINT, FUTURE_YEARS, DateError, PartialDate, parse_date, too_far_ahead
from .model import COMMON_FIELDS, Model, RelationKind, TextSpec
from .namespaces import expand
from .problems import Problem, did_you_mean
from .jsonl_source import Decoded
from .yaml_source import Mapping, Node, Scalar, Sequence

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_HINT = ("use at most 80 lower-case letters, digits and single hyphens, e.g. "
             "'asean-isis'")
MAX_SLUG = 80
SOURCE_FIELDS = ("id", "title", "authors", "publisher", "date", "url", "file", "note")
ISSUE_FIELDS = ("id", "label", "aliases", "description")
CITATION_FIELDS = ("source", "quote", "lang", "note", "implicit")
LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def _pickled_by_fields(cls):
    """Pickle the dataclass ``cls``'s instances as a call of ``cls`` with their fields' values:
    the parsed-data cache (:mod:`graphkit.parse_cache`) then loads a relation about a quarter
    faster than from a state dictionary (11 to 13 microseconds instead of 14 to 17) and stores
    it in a fifth fewer bytes."""
    values = attrgetter(*(f.name for f in fields(cls)))

    def __reduce__(self):
        return cls, values(self)

    cls.__reduce__ = __reduce__
    return cls


class Lines:
    """The line of each key of one record, as ``lines.get(key, default)`` reads it: the
    record's own line and each key's distance from it, in a dictionary shared by every record
    laid out alike (the generated 10k set's 138,141 relations and citations have 55 layouts),
    instead of a dictionary of line numbers per record (at 100,000 actors the records' lines
    were a million dictionaries and ten million numbers).

    >>> a, b = Lines.of(10, {"type": 10, "quote": 12}), Lines.of(40, {"type": 40, "quote": 42})
    >>> a.get("quote"), b.get("quote"), b.get("note", 40), a.offsets is b.offsets
    (12, 42, 40, True)
    >>> a == Lines.of(10, {"type": 10, "quote": 12}), dict(a.items())
    (True, {'type': 10, 'quote': 12})
    """

    __slots__ = ("line", "offsets")
    _layouts: dict[tuple, dict[str, int]] = {}
    KEEP = 10_000  # layouts kept for sharing (more are rare: each record then has its own)

    def __init__(self, line: int, offsets: dict[str, int]) -> None:
        self.line, self.offsets = line, offsets

    @classmethod
    def of(cls, line: int, key_lines: dict[str, int]) -> "Lines":
        """The lines of a record at ``line`` whose keys are at ``key_lines``."""
        return cls(line, cls._shared(tuple((key, at - line) for key, at in key_lines.items())))

    @classmethod
    def _shared(cls, layout: tuple) -> dict[str, int]:
        """The one dictionary of ``layout`` (its keys and offsets, in order)."""
        offsets = cls._layouts.get(layout)
        if offsets is None:
            offsets = dict(layout)
            if len(cls._layouts) < cls.KEEP:
                cls._layouts[layout] = offsets
        return offsets

    _flat: dict[tuple, dict[str, int]] = {}

    @classmethod
    def flat(cls, line: int, keys) -> "Lines":
        """The lines of a record at ``line`` whose ``keys`` are all on that line (JSON Lines).

        >>> Lines.flat(7, {"type": 1, "quote": 2}) == Lines.of(7, {"type": 7, "quote": 7})
        True
        """
        keys = tuple(keys)
        offsets = cls._flat.get(keys)
        if offsets is None:
            offsets = cls._shared(tuple((key, 0) for key in keys))
            if len(cls._flat) < cls.KEEP:
                cls._flat[keys] = offsets
        return cls(line, offsets)

    def get(self, key: str, default: int | None = None) -> int | None:
        offset = self.offsets.get(key)
        return default if offset is None else self.line + offset

    def items(self):
        return ((key, self.line + offset) for key, offset in self.offsets.items())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Lines) and dict(self.items()) == dict(other.items())

    def __repr__(self) -> str:
        return f"Lines({dict(self.items())})"

    def __reduce__(self):  # the layout pickled once per file (pickle keeps shared objects once)
        return _shared_lines, (self.line, self.offsets)


def _shared_lines(line: int, offsets: dict[str, int]) -> Lines:
    """A pickled :class:`Lines` loaded with its layout shared again across files."""
    return Lines(line, Lines._shared(tuple(offsets.items())))


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to an actor or issue as the curator wrote it (id, name or alias)."""

    text: str
    line: int


@_pickled_by_fields
@dataclass(slots=True)
class Citation:
    source: str
    quote: str
    note: str
    line: int
    lines: Lines | dict[str, int] = field(default_factory=dict)
    lang: str = "en"  # the quote's language (BCP 47), English unless the record says otherwise
    implicit: bool = False  # the quote states the claim without naming a participant (note why)


@_pickled_by_fields
@dataclass(slots=True)
class Actor:
    """An actor record: ``fields`` holds each field the model declares (``ontology/model.yaml``,
    ``actor:``) as written: a text, a list of texts, a :class:`Ref` to an actor, or a concept
    IRI."""

    id: str
    type: str
    fields: dict[str, object]
    sources: list[Citation]
    path: str
    line: int
    lines: Lines | dict[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.fields.get("name") or ""

    @property
    def aliases(self) -> list[str]:
        return self.fields.get("aliases") or []

    @property
    def country(self) -> Ref | None:
        return self.fields.get("country")

    @property
    def track(self) -> str | None:
        return self.fields.get("track")

    @property
    def description(self) -> str:
        return self.fields.get("description") or ""

    @property
    def note(self) -> str:
        return self.fields.get("note") or ""


@_pickled_by_fields
@dataclass(slots=True)
class Relation:
    kind: str
    roles: dict[str, list[Ref]]
    concepts: dict[str, str]  # field -> concept IRI
    literals: dict[str, str]
    issues: list[Ref]
    start: PartialDate | None
    end: PartialDate | None
    track: str | None  # concept IRI
    confidence: str | None  # concept IRI
    note: str
    description: str
    sources: list[Citation]
    key: str
    path: str
    line: int
    lines: Lines | dict[str, int] = field(default_factory=dict)


@_pickled_by_fields
@dataclass(slots=True)
class Source:
    id: str
    title: str
    authors: list[str]
    publisher: str
    date: PartialDate | None
    url: str
    file: str
    note: str
    path: str
    line: int
    lines: Lines | dict[str, int] = field(default_factory=dict)


@_pickled_by_fields
@dataclass(slots=True)
class Issue:
    id: str
    label: str
    aliases: list[str]
    description: str
    path: str
    line: int


def scalar(value, line: int) -> tuple[str | None, int, str]:
    """``value`` read as one value: its text as written (None where null), its line, and
    ``""``, or the kind of what it is instead (``list``, ``mapping``). ``value`` is a located
    node (YAML) or a value decoded from JSON (:class:`graphkit.jsonl_source.Decoded`: on
    ``line``, its record's), read as text as YAML's scalars are.

    >>> scalar("1993", 4), scalar(1993, 4), scalar(True, 4), scalar(None, 4), scalar([], 4)
    (('1993', 4, ''), ('1993', 4, ''), ('true', 4, ''), (None, 4, ''), (None, 4, 'list'))
    """
    kind = value.__class__
    if kind is Scalar:
        return (None if value.null else value.text), value.line, ""
    if kind is str:
        return value, line, ""
    if value is None:
        return None, line, ""
    if kind is bool:
        return ("true" if value else "false"), line, ""
    if kind is int or kind is float:
        return json.dumps(value), line, ""
    if kind is Sequence or kind is list:
        return None, getattr(value, "line", line), "list"
    return None, getattr(value, "line", line), "mapping"


def _items(value) -> list | None:
    """The items of a list (a YAML sequence or a decoded JSON array), None if not a list."""
    kind = value.__class__
    return value.items if kind is Sequence else value if kind is list else None


def _lines(m: Mapping) -> Lines:
    """The lines of record ``m``'s keys."""
    return Lines.flat(m.line, m.items) if m.__class__ is Decoded else Lines.of(m.line, m.key_lines)


class _Fields:
    """Reads the keys of one record (a YAML mapping, or one decoded from JSON), reporting each
    problem at its line."""

    def __init__(self, node: Mapping, path: str, allowed: tuple[str, ...], what: str,
                 problems: list[Problem], texts: dict[str, TextSpec] | None = None):
        self.node, self.path, self.problems = node, path, problems
        self.bounds = texts or {}
        for key in node.items:
            if key not in allowed:
                self.problem(key, f"unknown key '{key}' in {what}",
                             did_you_mean(key, allowed) or "known keys: " + ", ".join(allowed))

    def line(self, key: str) -> int:
        return self.node.key_lines.get(key, self.node.line)

    def problem(self, key: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, self.line(key), key, message, hint))

    def has(self, key: str) -> bool:
        value = self.node.items.get(key)
        return value is not None and not (value.__class__ is Scalar and value.null)

    def text(self, key: str, required: bool = False, example: str = "") -> str:
        value = self.node.items.get(key)
        if value is not None:  # (most keys asked for are absent: that way is the shortest)
            text, line, other = scalar(value, self.node.line)
            if other:
                self.problem(key, f"expected a single value, found a {other}")
                return ""
            if text is not None:
                text = text.strip()
                if text:
                    self.bounded(key, text, line)
                elif required:
                    self.problem(key, "is empty")
                return text
        if required:
            self.problems.append(Problem(
                self.path, self.node.line, key, f"missing required key '{key}'",
                f"add e.g. '{key}: {example}'" if example else ""))
        return ""

    def bounded(self, key: str, text: str, line: int, spec: TextSpec | None = None) -> None:
        """Report ``text`` if it breaks the model's bounds for ``key`` (``texts:``)."""
        spec = spec or self.bounds.get(key)
        why = spec.problem(text) if spec else None
        if why:
            self.problems.append(Problem(self.path, line, key, f"{key.rstrip('s')} {why}",
                                         spec.hint))

    def texts(self, key: str) -> list[Ref]:
        """One value or a list of values, each with its line (the texts interned: the same
        actor named by thousands of relations is one string, in memory and in the parsed-data
        cache, which pickles a repeated object once per file)."""
        value = self.node.items.get(key)
        if value is None:
            return []
        items = _items(value)
        if items is None:
            text, line, other = scalar(value, self.node.line)
            if other:
                self.problem(key, "expected a value or a list of values, found a mapping")
                return []
            text = text.strip() if text is not None else ""
            if text:
                self.bounded(key, text, line)
                return [Ref(intern(text), line)]
            return []
        out = []
        for item in items:
            if item.__class__ is Scalar:  # as written: YAML's '~' in a list is the text '~'
                text, line = item.text.strip(), item.line
            else:
                text, line, other = scalar(item, self.node.line)
                text = text.strip() if text is not None and not other else ""
            if text:
                self.bounded(key, text, line)
                out.append(Ref(intern(text), line))
            else:
                self.problems.append(Problem(self.path, line, key,
                                             "expected a list of single values"))
        return out

    def flag(self, key: str) -> bool:
        """A yes/no key: ``true`` or ``false`` (absent: false)."""
        text = self.text(key)
        if text and text not in ("true", "false"):
            self.problem(key, f"expected true or false, found '{text}'")
        return text == "true"

    def slug(self, key: str, required: bool = True) -> str:
        text = self.text(key, required, "my-id")
        if text and (not SLUG.match(text) or len(text) > MAX_SLUG):
            self.problem(key, f"'{_printable(text[:100])}' is not a valid id", SLUG_HINT)
        return text

    def date(self, key: str) -> PartialDate | None:
        text = self.text(key)
        if not text:
            return None
        try:
            date = parse_date(text)
        except DateError as exc:
            self.problem(key, str(exc), FORMAT_HINT)
            return None
        if too_far_ahead(date):
            self.problem(key, f"'{text}' lies more than {FUTURE_YEARS} years ahead",
                         "a curated fact has happened, or is scheduled within a few years")
            return None
        return date

    def concept(self, key: str, model: Model, scheme: str, default: str | None = None,
                required: bool = False) -> str | None:
        text = self.text(key)
        if not text:
            if required and default is None and not self.has(key):
                self.problems.append(Problem(self.path, self.node.line, key,
                                             f"missing required key '{key}'",
                                             "one of: " + ", ".join(model.notations(scheme))))
            return model.schemes[scheme].get(default) if default else None
        iri = model.schemes[scheme].get(text)
        if iri is None:
            choices = model.notations(scheme)
            self.problem(key, f"unknown {key.replace('_', ' ')} '{text}'",
                         did_you_mean(text, choices) or "one of: " + ", ".join(choices))
        return iri

    def citations(self, texts: dict[str, TextSpec]) -> list[Citation]:
        if not self.has("sources"):
            return []
        items = _items(self.node.items["sources"])
        if items is None:
            self.problem("sources", "expected a list of sources, each with 'source:' and 'quote:'")
            return []
        out = []
        for item in items:
            if item.__class__ is dict:  # decoded from JSON: on its record's line
                item = Decoded(item, self.node.line)
            elif not isinstance(item, Mapping):
                self.problems.append(Problem(
                    self.path, scalar(item, self.node.line)[1], "sources",
                    "each source is a mapping with 'source:' and 'quote:'",
                    "e.g. '- {source: rsis-co25048, quote: \"...\"}'"))
                continue
            f = _Fields(item, self.path, CITATION_FIELDS, "a source citation", self.problems,
                        texts)
            source = intern(f.text("source", True, "rsis-co25048"))
            quote = f.text("quote", True, '"a short verbatim quote"')
            lang = f.text("lang") or "en"
            if not LANG.match(lang):
                f.problem("lang", f"'{lang}' is not a language tag", "e.g. en, ja, ru, id")
            implicit = f.flag("implicit")
            note = f.text("note")
            if implicit and not note:
                f.problem("implicit", "'implicit: true' needs a note saying why the quote names "
                                      "none of the participants",
                          "e.g. 'note: the page is about ASEAN; \"the grouping\" is ASEAN'")
            out.append(Citation(source, quote, note, item.line, _lines(item), lang, implicit))
        return out


def _mapping(node: Node, path: str, what: str, problems: list[Problem]) -> Mapping | None:
    if isinstance(node, Mapping):
        return node
    problems.append(Problem(path, node.line, "", f"expected {what} as a mapping of keys",
                            "start the record with '- ' and indent its keys"))
    return None


def read_actor(node: Node, path: str, model: Model, problems: list[Problem]) -> Actor | None:
    """Read one actor record (``data/actors/*.yaml``)."""
    m = _mapping(node, path, "an actor", problems)
    if m is None:
        return None
    declared = model.actor_fields
    f = _Fields(m, path, ("id", "type") + tuple(declared) + ("sources",), "an actor", problems,
                {n: d.text for n, d in declared.items() if d.text is not None})
    actor_id = f.slug("id")
    kind = f.text("type", True, "forum")
    if kind and kind not in model.actor_types:
        f.problem("type", f"unknown actor type '{kind}'",
                  did_you_mean(kind, model.actor_types, "actor types"))
    fields: dict[str, object] = {}
    for name, d in declared.items():
        if d.scheme is not None:
            value = f.concept(name, model, d.scheme, required=d.required)
        elif d.many:
            value = [r.text for r in f.texts(name)]
        elif d.actor_types is not None:
            refs = f.texts(name)
            if len(refs) > 1:
                f.problem(name, f"expected one {name}")
            value = refs[0] if refs else None
        else:
            value = f.text(name, d.required, "Council for Security Cooperation in the Asia Pacific"
                           if name == "name" else "")
        if value:
            fields[name] = value
    return Actor(actor_id, kind, fields, f.citations(model.texts["citation"]), path, m.line,
                 _lines(m))


def read_relation(node: Node, path: str, model: Model,
                  problems: list[Problem]) -> Relation | None:
    """Read one relation record (``data/relations/*.yaml``) of the kind its ``type`` names."""
    m = _mapping(node, path, "a relation", problems)
    if m is None:
        return None
    kind_name = _Fields(m, path, tuple(m.items), "", problems).text("type", True, "membership")
    kind: RelationKind | None = model.relations.get(kind_name)
    if kind is None:
        if kind_name:
            problems.append(Problem(path, m.key_lines.get("type", m.line), "type",
                                    f"unknown relation type '{kind_name}'",
                                    did_you_mean(kind_name, model.relations, "relation types")))
        return None
    texts = model.texts["relation"]
    f = _Fields(m, path, kind.fields, f"a {kind.label} relation", problems,
                texts | {name: texts["literal"] for name in kind.literals})
    roles = {role: f.texts(role) for role in kind.roles}
    for role, spec in kind.roles.items():
        refs = roles[role]
        if spec.single and len(refs) > 1:
            f.problem(role, f"a {kind.label} has one {role}, found {len(refs)}",
                      "record each in a relation of its own")
        elif len(refs) < spec.min:
            if not refs and spec.min == 1:
                problems.append(Problem(path, m.line, role, f"missing required key '{role}'",
                                        f"a {kind.label} needs its {role}"))
            else:
                f.problem(role, f"a {kind.label} needs at least {spec.min} {role}, "
                                f"found {len(refs)}")
    concepts = {}
    for name, cf in kind.concepts.items():
        iri = f.concept(name, model, cf.scheme, cf.default, cf.required)
        if iri:
            concepts[name] = iri
    literals = {name: text for name in kind.literals if (text := f.text(name))}
    issues = f.texts("issues") if kind.issues_property else []
    if kind.issues_property and len(issues) < kind.issues_min:
        f.problem("issues", f"a {kind.label} needs at least {kind.issues_min} issue",
                  "name what it is about, e.g. 'issues: [inter-korean-peace-process]'")
    track = f.concept("track", model, expand("gk:Tracks"), required=kind.track_required)
    key = f.text("key")
    if key and (not SLUG.match(key) or len(key) > MAX_SLUG):
        f.problem("key", f"'{key}' is not a valid key", SLUG_HINT)
    sources = f.citations(model.texts["citation"])
    if not sources and not _items(m.items.get("sources")):
        problems.append(Problem(path, m.line, "sources", f"{kind.label} has no source",
                                "every relation cites at least one source with a short quote"))
    start, end = f.date("start"), f.date("end")
    return Relation(kind.name, roles, concepts, literals, issues, start, end, track,
                    f.concept("confidence", model, expand("gk:Confidence")), f.text("note"),
                    f.text("description"), sources, key, path, m.line,
                    _lines(m))


def read_source(node: Node, path: str, model: Model, problems: list[Problem]) -> Source | None:
    """Read one entry of the source registry (``data/sources.yaml``)."""
    m = _mapping(node, path, "a source", problems)
    if m is None:
        return None
    f = _Fields(m, path, SOURCE_FIELDS, "a source", problems, model.texts["source"])
    src = Source(f.slug("id"), f.text("title", True, "Revitalising ASEAN Diplomacy"),
                 [r.text for r in f.texts("authors")], f.text("publisher", True, "RSIS"),
                 f.date("date"), f.text("url"), f.text("file"), f.text("note"), path, m.line,
                 _lines(m))
    if src.url and not any(p.field == "url" and p.line == f.line("url") for p in problems):
        why = iri_problem(src.url)
        if why:
            f.problem("url", f"'{_printable(src.url)}' {why}",
                      "" if why.startswith("is not an http") else
                      "percent-encode spaces (%20), quotes (%22), < and > (%3C, %3E) and "
                      "backslashes (%5C)")
    if not src.url and not src.file:
        problems.append(Problem(path, m.line, "url",
                                f"source '{src.id}' has neither 'url' nor 'file'",
                                "a public document needs its URL; a shared document its file name"))
    return src


def iri_problem(url: str) -> str | None:
    """What keeps ``url`` from being an http(s) IRI in the graph, or None.

    >>> iri_problem("https://asean.org/a?b=1"), iri_problem("https://a.org/x y")
    (None, "is not a valid IRI: Invalid IRI code point ' '")
    """
    import pyoxigraph as ox

    if not re.match(r"^https?://", url):
        return "is not an http(s) URL"
    try:
        ox.NamedNode(url)  # the same check the exports' writer makes
    except ValueError as exc:
        return f"is not a valid IRI: {_printable(str(exc))}"
    return None


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def read_issue(node: Node, path: str, model: Model, problems: list[Problem]) -> Issue | None:
    """Read one issue (``data/issues.yaml``): a topic relations are about."""
    m = _mapping(node, path, "an issue", problems)
    if m is None:
        return None
    f = _Fields(m, path, ISSUE_FIELDS, "an issue", problems, model.texts["issue"])
    return Issue(f.slug("id"), f.text("label", True, "South China Sea disputes"),
                 [r.text for r in f.texts("aliases")], f.text("description"), path, m.line)


__all__ = ["Actor", "Relation", "Source", "Issue", "Citation", "Ref", "read_actor",
           "read_relation", "read_source", "read_issue", "COMMON_FIELDS"]
