"""Checks across records: references, participant types, cardinality, dates, duplicates, quotes.

Each check returns problems rather than raising; :func:`check_dataset` runs them all and fills the
dataset's facts (:class:`graphkit.facts.Fact`: each relation with its participants resolved).
"""

from __future__ import annotations

from typing import Callable, Iterable

from .citation_checks import NameMatcher, address_like
from .dataset import Dataset
from .facts import make_fact
from .files import installed_copy
from .ids import relation_key
from .names import Names
from .problems import Problem, did_you_mean
from .records import Citation, Ref
from .quotes import normalise


def check_dataset(ds: Dataset, facts_made: Callable[[list[Problem]], object] | None = None
                  ) -> list[Problem]:
    """Every check across records; fills ``ds.facts``. ``facts_made(problems)`` is called once
    the facts are made, with the problems found so far, before the checks that can only add
    problems (quotes, names in quotes, part-of cycles, unused records): a build starts its
    measures there, beside them, and says so by returning True. The names in quotes are then
    checked in this process alone: shared with a third process they would only share the
    same cores, and cost more (at 100,000 actors, 193 against 195 s of CPU in all)."""
    problems: list[Problem] = []
    actors = _actor_names(ds, problems)
    issues = Names()
    for issue in ds.issues.values():
        issues.add(issue.id, [issue.label] + issue.aliases)
    _check_actor_references(ds, actors, problems)
    _check_registry(ds, problems)
    seen_keys: dict[str, tuple[str, int]] = {}
    involved: set[str] = set()
    naming: list[tuple[list[Citation], dict[str, list[str]], str]] = []
    for rel in ds.relations:
        unresolved = False
        kind = ds.model.relations[rel.kind]
        ids: dict[str, list[str]] = {}
        for role, refs in rel.roles.items():
            spec = kind.roles[role]
            ids[role] = []
            for ref in refs:
                found = _resolve(actors, ref, role, rel.path, problems)
                if found is None:
                    unresolved = True
                    continue
                actor = ds.actors[found]
                if spec.types and actor.type in ds.model.actor_types and \
                        actor.type not in spec.types:
                    problems.append(Problem(
                        rel.path, ref.line, role,
                        f"'{found}' is a {ds.model.actor_types[actor.type].label} "
                        f"({actor.type}), which cannot be a {kind.label}'s {role}",
                        "expected an actor of type " + _or(sorted(spec.types))))
                if found in ids[role]:
                    problems.append(Problem(rel.path, ref.line, role,
                                            f"'{found}' is listed twice in {role}"))
                    continue
                ids[role].append(found)
                involved.add(found)
        for a, b in kind.disjoint:
            for same in sorted(set(ids.get(a, [])) & set(ids.get(b, []))):
                line = next((r.line for r in rel.roles[b] if actors.find(r.text) == same), rel.line)
                problems.append(Problem(rel.path, line, b, f"'{same}' is named as {a} and as {b}",
                                        f"a {kind.label} cannot have one actor in both roles"))
        issue_ids = []
        for ref in rel.issues:
            found = issues.find(ref.text)
            if found is None:
                problems.append(Problem(rel.path, ref.line, "issues", f"unknown issue '{ref.text}'",
                                        issues.hint(ref.text) or "add it to issues.yaml"))
            else:
                issue_ids.append(found)
        if rel.start and rel.end and rel.end.latest < rel.start.earliest:
            problems.append(Problem(rel.path, rel.lines.get("end", rel.line), "end",
                                    f"end {rel.end} is before start {rel.start}",
                                    "swap them or correct one"))
        naming.append((rel.sources, ids, rel.path))
        qualifiers = [ds.model.notation(iri) for name, iri in sorted(rel.concepts.items())
                      if iri != _default(ds, rel.kind, name)]
        key = relation_key(rel.kind, [ids[r] for r in kind.roles], qualifiers,
                           rel.start.text if rel.start else "", rel.key)
        if unresolved:
            pass  # its key is incomplete: comparing it with others would mislead
        elif key in seen_keys:
            path, line = seen_keys[key]
            problems.append(Problem(rel.path, rel.line, "type",
                                    f"same {kind.label} as {path}:{line} (same participants, "
                                    "roles and start)",
                                    "merge their sources into one record, or add 'key:' to "
                                    "keep both"))
        else:
            seen_keys[key] = (rel.path, rel.line)
        ds.facts.append(make_fact(ds.model, rel, ids, issue_ids, key))
    beside = facts_made(problems) if facts_made is not None else False
    cited = _check_citations(ds, (*ds.actors.values(), *ds.relations), problems)
    problems += _naming_warnings(ds, naming, shared=not beside)
    _check_part_of_cycles(ds, problems)
    for sid, src in ds.sources.items():
        if sid not in cited:
            problems.append(Problem(src.path, src.line, "id", f"source '{sid}' is cited by no record",
                                    "cite it or remove it", severity="warning"))
    for aid, actor in ds.actors.items():
        if aid not in involved and not actor.sources:
            problems.append(Problem(actor.path, actor.line, "id",
                                    f"actor '{aid}' takes part in no relation",
                                    "add a sourced relation or remove it", severity="warning"))
    if (not ds.documents.available and any(s.file for s in ds.sources.values())
            and not installed_copy(ds.root)):
        problems.append(Problem(
            str(ds.documents.folder or "documents_dir"), 0, "",
            "documents folder not found: quotes from shared documents were not checked",
            "set documents_dir in sources.yaml or GRAPHKIT_DOCUMENTS", severity="warning"))
    return problems


def _check_part_of_cycles(ds: Dataset, problems: list[Problem]) -> None:
    """A body cannot be, through a chain of part-of relations, part of itself."""
    edges: dict[str, list] = {}
    for fact in ds.facts:
        ids = fact.participants
        if fact.kind == "part-of" and ids.get("part") and ids.get("whole"):
            edges.setdefault(ids["part"][0], []).append((ids["whole"][0], fact.record))
    state: dict[str, int] = {}  # 1: on the current path, 2: explored
    for start in sorted(edges):
        if start in state:
            continue
        path, stack = [start], [iter(edges[start])]
        state[start] = 1
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                state[path.pop()] = 2
                continue
            whole, rel = step
            if state.get(whole) == 1:
                cycle = path[path.index(whole):] + [whole]
                problems.append(Problem(rel.path, rel.line, "whole",
                                        "part-of cycle: " + " is part of ".join(cycle),
                                        "a body cannot be part of itself; check which way "
                                        "each relation runs"))
            elif whole not in state:
                state[whole] = 1
                path.append(whole)
                stack.append(iter(edges.get(whole, ())))


def _actor_names(ds: Dataset, problems: list[Problem]) -> Names:
    names = Names()
    for actor in ds.actors.values():
        for name, other in names.add(actor.id, [actor.name] + actor.aliases):
            first = ds.actors[other]
            problems.append(Problem(actor.path, actor.lines.get("aliases", actor.line), "aliases",
                                    f"'{name}' also names '{other}' ({first.path}:{first.line})",
                                    "a name or alias must find one actor; drop it from one"))
    return names


def _resolve(names: Names, ref: Ref, role: str, path: str,
             problems: list[Problem]) -> str | None:
    found = names.find(ref.text)
    if found is None:
        problems.append(Problem(path, ref.line, role, f"unknown actor '{ref.text}'",
                                names.hint(ref.text) or "add it to an actors/*.yaml file"))
    return found


def _check_actor_references(ds: Dataset, names: Names, problems: list[Problem]) -> None:
    """Each actor field that names another actor (``country``...) names one of the declared
    types; the resolved ids replace the references (``country`` also fills ``ds.countries``)."""
    refs = {n: f for n, f in ds.model.actor_fields.items() if f.actor_types is not None}
    for actor in ds.actors.values():
        for name, spec in refs.items():
            ref = actor.fields.get(name)
            if not isinstance(ref, Ref):
                continue
            found = _resolve(names, ref, name, actor.path, problems)
            if found is None:
                continue
            if ds.actors[found].type not in spec.actor_types:
                wanted = " or ".join(sorted(spec.actor_types))
                problems.append(Problem(actor.path, ref.line, name,
                                        f"'{found}' is not a {wanted}"))
                continue
            actor.fields[name] = found
            if name == "country":
                ds.countries[actor.id] = found


#: relations below which one process checks the names in the quotes
NAMING_PER_PROCESS = 20_000


def _naming_warnings(ds: Dataset, jobs: list[tuple[list[Citation], dict[str, list[str]], str]],
                     shared: bool = True) -> list[Problem]:
    """:func:`_check_naming` of each relation's citations, its participants and its file, in
    forked processes for large data where ``shared`` (warnings only, whose order the report
    sets).

    A file's warnings are kept in the parsed-data cache under the key of its text, its name and
    a hash of every actor's id, name and aliases (all they depend on besides graphkit's code,
    which the text's key holds): a build looks again only at the files that changed, or at all
    of them once an actor's names did (at 10,000 actors 1.2 s of CPU)."""
    from .forks import fork_map, workers
    from .parse_cache import ParseCache

    def check(part: list) -> list[Problem]:
        found: list[Problem] = []
        matchers: dict[str, NameMatcher] = {}
        for citations, ids, path in part:
            _check_naming(ds, citations, ids, path, matchers, found)
        return found

    cache = ParseCache.default()
    names = _names_fingerprint(ds) if cache.folder is not None else ""
    files: dict[str, list] = {}
    for job in jobs:
        files.setdefault(job[2], []).append(job)
    problems: list[Problem] = []
    keys: dict[str, str] = {}  # the files looked at now -> their entries' keys
    left = []
    for path, part in files.items():
        text = ds.file_keys.get(path)
        key = ParseCache.key(path, f"names in quotes of {text}", names) if text and names else ""
        kept = cache.get(key) if key else None
        if kept is None:
            keys[path] = key
            left += part
        else:
            problems += kept
    n = workers(len(left), least=NAMING_PER_PROCESS) if shared else 1
    found = [p for part in fork_map(check, [left[k::n] for k in range(n)], processes=n)
             for p in part]
    by_file: dict[str, list[Problem]] = {path: [] for path in keys}
    for p in found:
        by_file[p.path].append(p)
    for path, key in keys.items():
        if key:
            cache.put(key, by_file[path])
    return problems + found


def _names_fingerprint(ds: Dataset) -> str:
    """A hash of every actor's id, name and aliases."""
    import hashlib

    h = hashlib.sha256()
    for aid in sorted(ds.actors):
        actor = ds.actors[aid]
        h.update("\0".join([aid, actor.name or "", *actor.aliases]).encode(
            "utf-8", "surrogatepass") + b"\1")
    return h.hexdigest()


def _check_naming(ds: Dataset, citations: list[Citation], ids: dict[str, list[str]], path: str,
                  matchers: dict[str, NameMatcher], problems: list[Problem]) -> None:
    """Warn where a quote names none of the relation's participants (unless marked implicit)."""
    who = [a for role in ids.values() for a in role]
    if not who:
        return
    for c in citations:
        if not c.quote:
            continue
        named = False
        text = normalise(c.quote)
        folded = text.casefold()
        for a in who:
            if a not in matchers:
                actor = ds.actors[a]
                matchers[a] = NameMatcher([actor.name] + actor.aliases)
            if matchers[a].in_normalised(text, folded):
                named = True
                break
        line = c.lines.get("quote", c.line)
        if not named and not c.implicit:
            problems.append(Problem(
                path, line, "quote", "the quote names none of the participants ("
                + ", ".join(who) + ") by any name or alias",
                "quote the sentence that states the claim, add the name the source uses as an "
                "alias, or mark the citation 'implicit: true' with a note saying why",
                severity="warning"))
        elif named and c.implicit:
            problems.append(Problem(path, c.lines.get("implicit", line), "implicit",
                                    "the quote names a participant; 'implicit: true' is not needed",
                                    "remove it", severity="warning"))


def _check_registry(ds: Dataset, problems: list[Problem]) -> None:
    for src in ds.sources.values():
        if src.title and address_like(src.title):
            problems.append(Problem(src.path, src.lines.get("title", src.line), "title",
                                    f"title '{src.title}' looks copied from the address",
                                    "write the title as the document shows it",
                                    severity="warning"))
    if not ds.documents.available:
        return
    for src in ds.sources.values():
        if not src.file:
            continue
        line = src.lines.get("file", src.line)
        if not ds.documents.inside(src.file):
            problems.append(Problem(src.path, line, "file", f"'{src.file}' is not inside the "
                                    f"documents folder '{ds.documents.shown}'",
                                    "name a file of that folder, without '..' or a leading '/'"))
        elif ds.documents.text(src.file) is None:
            path = ds.documents.folder / src.file
            fault = ds.documents.faults.get(src.file, "")
            if fault and (path.is_symlink() or path.exists()):
                problems.append(Problem(src.path, line, "file", f"{ds.documents.shown}/"
                                        f"{src.file}: {fault}"))
                continue
            try:
                names = [p.name for p in ds.documents.folder.iterdir()]
            except OSError:
                names = []
            problems.append(Problem(src.path, line, "file", f"'{src.file}' not found in "
                                    f"documents_dir '{ds.documents.shown}'",
                                    did_you_mean(src.file, names)))


def _check_citations(ds: Dataset, records: Iterable, problems: list[Problem]) -> set[str]:
    """Each citation of ``records`` names a source of the registry, and its quote is found in
    the source's document where the source has one; the sources cited."""
    sources = ds.sources
    documents = ds.documents if ds.documents.available else None
    cited: set[str] = set()
    for record in records:
        for c in record.sources:
            if not c.source:
                continue
            src = sources.get(c.source)
            if src is None:
                problems.append(Problem(record.path, c.lines.get("source", c.line), "source",
                                        f"unknown source '{c.source}'",
                                        did_you_mean(c.source, sources) or
                                        "add it to sources.yaml"))
                continue
            cited.add(c.source)
            if documents is None or not (c.quote and src.file) \
                    or documents.text(src.file) is None:
                continue
            line = c.lines.get("quote", c.line)
            if not documents.contains(src.file, c.quote):
                problems.append(Problem(record.path, line, "quote",
                                        f"quote not found in {src.file}",
                                        "copy it verbatim from the document; white space and "
                                        "curly quotes may differ"))
                continue
            original = documents.original(src.file, c.quote)
            if original is not None and original != " ".join(c.quote.split()):
                problems.append(Problem(record.path, line, "quote",
                                        "quote matches only with its quote marks folded",
                                        f"the document reads: {original}", severity="warning"))
    return cited


def _default(ds: Dataset, kind: str, field: str) -> str | None:
    cf = ds.model.relations[kind].concepts[field]
    return ds.model.schemes[cf.scheme].get(cf.default) if cf.default else None


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
