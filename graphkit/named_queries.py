"""The library of named queries in ``queries/``: one ``.rq`` file each, plain SPARQL that any
store runs, with a header of comments saying what it answers and which variables are parameters.

    # title: Members of a forum as of a year
    # answers: who was a member of FORUM in YEAR, with the role and since when
    # param: forum actor   the forum: an actor's id, name or alias
    # param: year year     a year, e.g. 1994
    SELECT ... WHERE {
      VALUES ?forum { actor:arf }
      VALUES ?year { "2000" }
      ...

A parameter is a variable of the query bound by a one-line ``VALUES`` clause that holds its
default, so the file is plain SPARQL that runs unchanged in any store.
``graphkit query members-as-of --param forum=EAS`` replaces that line's value with the actor's
IRI before evaluation.

>>> q = load_named()["members-as-of"]
>>> q.title, [(p.name, p.default) for p in q.params]
('Members of a forum as of a year', [('forum', 'actor:arf'), ('year', '"2000"')])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .namespaces import PREFIXES, REL, expand
from .files import shipped
from .names import Names
from .problems import did_you_mean
from .sparql import QueryError

QUERIES_DIR = shipped("queries")
PARAM_TYPES = {
    "actor": "an actor's id, name or alias",
    "year": "a year, e.g. 1994",
    "relation": "a relation's id (the part after rel:)",
    "measure": "a network measure property, e.g. betweennessCentrality",
    "iri": "a prefixed name (gk:track-2) or a full IRI",
    "text": "any text",
}
_PARAM = re.compile(r"#\s*param:\s*(\w+)\s+(\w+)\s*(.*)")


@dataclass
class Param:
    name: str
    type: str
    help: str
    default: str = ""  # the value in the query's VALUES line, as written there


def values_line(name: str) -> re.Pattern:
    """The one-line ``VALUES ?name { term }`` clause that binds parameter ``name``."""
    return re.compile(rf"VALUES\s+[?$]{name}\s*\{{\s*([^}}]*?)\s*\}}")


@dataclass
class NamedQuery:
    name: str
    path: Path
    text: str
    title: str = ""
    answers: str = ""
    params: list[Param] = field(default_factory=list)


def parse(path: Path) -> NamedQuery:
    """Read one ``.rq`` file and its header; :class:`QueryError` for a malformed header."""
    text = path.read_text(encoding="utf-8")
    q = NamedQuery(path.stem, path, text)
    for n, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#"):
            break
        key, _, value = line.lstrip("# ").partition(":")
        if key == "title":
            q.title = value.strip()
        elif key == "answers":
            q.answers = (q.answers + " " + value.strip()).strip()
        elif key == "param":
            m = _PARAM.match(line)
            if not m or m.group(2) not in PARAM_TYPES:
                raise QueryError(f"{path}:{n}: param: expected '# param: NAME TYPE help', "
                                 f"TYPE one of {', '.join(PARAM_TYPES)}")
            found = values_line(m.group(1)).findall(text)
            if len(found) != 1:
                raise QueryError(f"{path}:{n}: param: the query needs one line 'VALUES "
                                 f"?{m.group(1)} {{ default }}', found {len(found)}")
            q.params.append(Param(*m.groups(), default=found[0]))
    if not q.title:
        raise QueryError(f"{path}:1: title: a named query starts with '# title: ...'")
    return q


def load_named(folder: Path = QUERIES_DIR) -> dict[str, NamedQuery]:
    """Every named query in ``folder``, by name."""
    return {p.stem: parse(p) for p in sorted(folder.glob("*.rq"))}


def actor_index(store: ox.Store) -> Names:
    """The actors of a store by id, name and alias (graphkit's one name index)."""
    entries: dict[str, list[str]] = {}
    for s in store.query("SELECT ?a ?l WHERE { ?a a gk:Actor . "
                         "OPTIONAL { ?a skos:prefLabel|skos:altLabel ?l } }", prefixes=PREFIXES):
        names = entries.setdefault(s["a"].value.removeprefix(PREFIXES["actor"]), [])
        if s["l"] is not None:
            names.append(s["l"].value)
    return Names.of((k, sorted(v)) for k, v in sorted(entries.items()))


def bind(q: NamedQuery, store: ox.Store, given: dict[str, str]) -> str:
    """The text of ``q`` with each given parameter's VALUES line holding that value.

    Every problem is reported at once, in one :class:`QueryError`.
    """
    problems = [f"unknown parameter '{k}' of {q.name} "
                f"({did_you_mean(k, [p.name for p in q.params], 'parameters')})"
                for k in given if k not in {p.name for p in q.params}]
    actors = None
    text = q.text
    for p in q.params:
        if p.name not in given:
            continue
        value = given[p.name]
        try:
            if p.type == "actor":
                actors = actors or actor_index(store)
                found, hint = actors.lookup(value)
                if found is None:
                    raise QueryError(f"unknown actor '{value}'" + (f" ({hint})" if hint else ""))
                term = ox.NamedNode(PREFIXES["actor"] + found)
            elif p.type == "year":
                if not re.fullmatch(r"\d{4}", value):
                    raise QueryError(f"'{value}' is not a year (write it as YYYY, e.g. 1994)")
                term = ox.Literal(value)
            elif p.type == "relation":
                key = value.strip().strip("<>").removeprefix(REL).removeprefix("rel:")
                term = ox.NamedNode(REL + key)
                if not any(store.quads_for_pattern(term, None, None)):
                    raise QueryError(f"no relation '{key}' in the graph ('graphkit show ACTOR' "
                                     "prints the id of each of an actor's relations)")
            elif p.type == "measure":
                term = ox.NamedNode(PREFIXES["gk"] + value.removeprefix("gk:"))
                if not any(store.quads_for_pattern(term, None, None)):
                    raise QueryError(f"no measure gk:{value.removeprefix('gk:')} in the graph")
            elif p.type == "iri":
                term = ox.NamedNode(value if "://" in value else expand(value))
            else:
                term = ox.Literal(value)
        except (QueryError, ValueError) as exc:
            problems.append(f"{p.name}: {exc}")
            continue
        clause = f"VALUES ?{p.name} {{ {term} }}"
        text = values_line(p.name).sub(lambda _, clause=clause: clause, text)
    if problems:
        raise QueryError("; ".join(problems))
    return text
