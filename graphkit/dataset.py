"""Load a data folder: the source registry, issues, actors and relations, all checked.

>>> from pathlib import Path
>>> ds, report = load_dataset(Path("tests/cases/base"))
>>> report.ok, sorted(ds.actors)[:3], ds.facts[0].key
(True, ['arf', 'asean', 'cscap'], 'founding.cscap.1993-06')
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import records
from .model import Model, load_model
from .problems import Problem, Report
from .parse_cache import ParseCache
from .quotes import Documents
from .safe_read import read_text, record_files
from .forks import fork_map
from .yaml_source import Mapping, Node, Scalar, Sequence, parse_file, parse_text

DEFAULT_DOCUMENTS = "../../shared/sources"
#: characters of files to parse from which the files are shared among forked processes
PARALLEL_PARSE_FROM = 1_000_000


@dataclass
class Dataset:
    """Everything curated in a data folder, with references resolved by :mod:`graphkit.checks`."""

    root: Path
    model: Model
    actors: dict[str, records.Actor] = field(default_factory=dict)
    relations: list[records.Relation] = field(default_factory=list)
    sources: dict[str, records.Source] = field(default_factory=dict)
    issues: dict[str, records.Issue] = field(default_factory=dict)
    documents: Documents = field(default_factory=lambda: Documents(None))
    # filled by graphkit.checks.check_dataset:
    facts: list = field(default_factory=list)  # graphkit.facts.Fact, one per valid relation
    countries: dict[str, str] = field(default_factory=dict)  # actor id -> state id
    # the files of actors/ and relations/ parsed this time (the others came from the cache,
    # graphkit.parse_cache, unchanged since they were last read)
    parsed: list[str] = field(default_factory=list)
    # each file's shown path -> the key of its text in that cache (what a check of one file's
    # records alone may be kept under: graphkit.checks._naming_warnings)
    file_keys: dict[str, str] = field(default_factory=dict)

    def locate(self, key: str) -> tuple[str, int] | None:
        """Where the relation with IRI local part ``key`` is curated."""
        for fact in self.facts:
            if fact.key == key:
                return fact.record.path, fact.record.line
        return None


def load_dataset(root: Path, shown_as: str | None = None,
                 progress: Callable[[Iterable], Iterable] | None = None,
                 extra: Iterable[tuple[str, Path, str]] = (),
                 skip: Iterable[Path] = (),
                 facts_made: Callable[[Dataset], object] | None = None) -> tuple[Dataset, Report]:
    """Read and check every file of the data folder ``root``; problems carry ``shown_as`` paths.
    ``extra``: more files read as if they were in the folder, each (``actors`` or
    ``relations``, its path, how to name it); ``skip``: files of the folder left out (what
    ``graphkit import`` checks: the folder as it will be). ``facts_made(ds)`` is called once
    ``ds.facts`` is complete if no error was found until then, while the rest of the checks
    goes on (:func:`graphkit.checks.check_dataset`); it returns True where it started work
    in another process beside them."""
    shown = shown_as if shown_as is not None else str(root)
    model = load_model()
    ds = Dataset(root, model)
    report = Report()
    if not root.is_dir():
        report.add(Problem(shown, 0, "", "data folder not found",
                           "pass --data with the folder holding sources.yaml, actors/ and relations/"))
        return ds, report
    try:
        os.listdir(root)
    except OSError as exc:
        report.add(Problem(shown, 0, "", f"cannot read the data folder: "
                                         f"{exc.strerror or exc}", "check its permissions"))
        return ds, report

    def show(path: Path) -> str:
        return os.path.join(shown, path.relative_to(root).as_posix()) if shown else str(path)

    problems: list[Problem] = []
    lost: list[str] = []  # files or folders whose records could not be read
    registry = root / "sources.yaml"
    if registry.exists() or registry.is_symlink():
        node, found = parse_file(registry, show(registry))
        problems += found
        if node is None and found:
            lost.append(show(registry))
        folder, shown_folder = _read_registry(node, show(registry), root, ds, problems)
        ds.documents = Documents(folder, shown_folder)
    else:
        problems.append(Problem(show(registry), 0, "", "source registry not found",
                                "create sources.yaml listing each document once"))
    issues_file = root / "issues.yaml"
    if issues_file.exists() or issues_file.is_symlink():
        for node in _records(issues_file, show(issues_file), problems, lost):
            issue = records.read_issue(node, show(issues_file), model, problems)
            if issue and issue.id:
                _keep_first(ds.issues, issue.id, issue, "issue", problems)
    files = []
    skipped = set(skip)
    for kind in ("actors", "relations"):
        found, faults = record_files(root / kind, show(root / kind))
        files += [(kind, p, show(p)) for p in found if p not in skipped]
        problems += faults
        lost += [p.path for p in faults if p.severity == "error"]
    files += list(extra)
    if not files and not problems:
        problems.append(Problem(shown, 0, "", "no record files (*.yaml, *.jsonl) in actors/ "
                                              "or relations/"))
    cache = ParseCache.default()
    texts = []  # (kind, shown path, key, text or None), in the folder's order
    for kind, path, shown_path in (progress(files) if progress else files):
        text, found = read_text(path, shown_path)
        if text is None:
            problems += found
            lost.append(shown_path)
            continue
        texts.append((kind, path.suffix, shown_path,
                      cache.key(text, kind + path.suffix, model.fingerprint), text))
    ds.file_keys = {shown_path: key for _, _, shown_path, key, _ in texts}
    reads = [cache.get(key) for _, _, _, key, _ in texts]
    missed = [i for i, cached in enumerate(reads) if cached is None]

    here = os.getpid()
    parsed_here: list[int] = []  # the files this process parsed, stored in the cache below
    done_here: set[int] = set()  # the same, to look up

    def read(i: int) -> tuple:
        kind, suffix, shown_path, _, text = texts[i]
        return (shown_path, *_read_file(kind, text, shown_path, model, suffix))

    def parse(i: int) -> tuple | None:  # in a forked process where there are several files
        found = read(i)
        if os.getpid() == here:
            parsed_here.append(i)
            done_here.add(i)
        elif cache.put(texts[i][3], found):
            return None  # sent back through the entry just written, not pickled again
        return found

    early: dict[int, tuple] = {}  # the files other processes parsed, loaded meanwhile
    ahead = 0  # where in ``missed`` the next file neither loaded nor parsed here is

    def collect() -> None:
        """Load the files the other processes have parsed so far (from the cache, where each
        writes its files at once), between two files of this one's: it then parses fewer
        itself, instead of loading them all once both are done (at 100,000 actors the other
        half took 2.4 s to load, with the other core idle). The files are taken in order, so
        past the first one not found yet (being parsed, or taken here and waiting its turn)
        none is done but this process's own: each call looks for one file it does not find,
        however many files there are."""
        nonlocal ahead
        while ahead < len(missed):
            i = missed[ahead]
            if i not in done_here:
                found = cache.get(texts[i][3])
                if found is None:
                    return
                early[i] = found
            ahead += 1

    large = sum(len(texts[i][4]) for i in missed) >= PARALLEL_PARSE_FROM
    results = fork_map(parse, missed, None if large else 1,
                       between=collect if cache.folder is not None else None)
    for i, found in zip(missed, results):
        if found is None:  # written to the cache by another process: loaded meanwhile, or now
            # (or, where another build pruned it meanwhile, read again)
            found = early.get(i) or cache.get(texts[i][3]) or read(i)
        reads[i] = found
        ds.parsed.append(texts[i][2])
    stored = _store([(texts[i][3], reads[i]) for i in parsed_here], cache, beside=large)
    try:
        return _checked(ds, report, texts, reads, problems, lost, shown, facts_made)
    finally:
        stored()
        cache.prune()


def _store(entries: list[tuple[str, object]], cache: ParseCache, beside: bool
           ) -> Callable[[], object]:
    """Store each ``(key, records read)`` in the parse ``cache`` (a failure only loses the
    entry); a function to call before the cache is pruned. ``beside``: in a forked process
    while this one checks the records (at 100,000 actors storing this process's half took
    about 4 s of CPU, now on the other core while this one resolves the relations, before the
    measures can start); the child sees the records as they were read, whatever this process does to
    them after (a copied file's records renamed)."""
    def store() -> int:
        return sum(cache.put(key, value) for key, value in entries)

    if not entries or cache.folder is None:
        return lambda: 0
    if not beside:
        store()
        return lambda: 0
    from .forks import in_child

    try:
        waiter = in_child(store)
    except OSError:  # no scratch file for the child's answer (graphkit.scratch): stored here
        store()
        return lambda: 0

    def stored() -> object:
        try:
            return waiter()
        except RuntimeError:  # the child failed: only cache entries are lost
            return 0

    return stored


def _checked(ds: Dataset, report: Report, texts: list, reads: list, problems: list[Problem],
             lost: list[str], shown: str, facts_made: Callable[[Dataset], object] | None
             ) -> tuple[Dataset, Report]:
    """The records read from every file added to ``ds``, then checked across files."""
    from .checks import check_dataset

    for (kind, _, shown_path, _, _), (was, items, found, unreadable) in zip(texts, reads):
        if was != shown_path:  # the same text read before under another name (a copy, a
            items, found = _renamed(items, found, was, shown_path)  # git revision)
        problems += found
        if unreadable:
            lost.append(shown_path)
        for item in items:
            if kind == "actors":
                _keep_first(ds.actors, item.id, item, "actor", problems)
            else:
                ds.relations.append(item)
    report.extend(problems)
    if lost:  # the records are incomplete: references into them would all look broken
        report.add(Problem(shown, 0, "", f"{len(lost)} file(s) or folder(s) could not be read "
                                         "as records: references between records were not "
                                         "checked", "fix the problems above and validate again",
                           severity="warning"))
        return ds, report
    report.extend(check_dataset(ds, facts_made and (
        lambda found: facts_made(ds) if report.ok and all(p.severity != "error" for p in found)
        else None)))
    return ds, report


def _read_file(kind: str, text: str, shown: str, model: Model, suffix: str = ".yaml"
               ) -> tuple[list, list, bool]:
    """The records of one file of ``actors/`` or ``relations/`` (YAML, or JSON Lines: see
    :mod:`graphkit.jsonl_source`) read on their own, the problems found, and whether its
    records could not be read at all (what the cache keeps)."""
    problems: list[Problem] = []
    if suffix == ".jsonl":
        from .jsonl_source import parse_jsonl

        root, found = parse_jsonl(text, shown)
    elif suffix == ".csv":
        from .csv_source import parse_csv

        root, found = parse_csv(text, shown, model)
    else:
        root, found = parse_text(text, shown)
    problems += found
    nodes, unreadable = _nodes(root, found, shown, problems)
    items = []
    for node in nodes:
        if kind == "actors":
            actor = records.read_actor(node, shown, model, problems)
            if actor and actor.id:
                items.append(actor)
        else:
            relation = records.read_relation(node, shown, model, problems)
            if relation:
                items.append(relation)
    return items, problems, unreadable


def _renamed(items: list, problems: list[Problem], was: str, now: str) -> tuple[list, list]:
    """Records and problems read from a file named ``was``, as from the same text at ``now``."""
    from dataclasses import replace

    for item in items:
        item.path = now
    return items, [replace(p, path=now) if p.path == was else p for p in problems]


def _records(path: Path, shown: str, problems: list[Problem], lost: list[str]) -> list[Node]:
    root, found = parse_file(path, shown)
    problems.extend(found)
    nodes, unreadable = _nodes(root, found, shown, problems)
    if unreadable:
        lost.append(shown)
    return nodes


def _nodes(root: Node | None, found: list[Problem], shown: str, problems: list[Problem]
           ) -> tuple[list[Node], bool]:
    """The record nodes of a parsed file (``found``: its parser's problems), and whether its
    records could not be read at all (unreadable, not YAML, or not a list)."""
    if root is None:
        return [], any(p.severity == "error" for p in found)
    if not isinstance(root, Sequence):
        problems.append(Problem(shown, root.line, "", "expected a list of records",
                                "start each record with '- '"))
        return [], True
    return root.items, False


def _read_registry(node: Node | None, shown: str, root: Path, ds: Dataset,
                   problems: list[Problem]) -> tuple[Path | None, str]:
    """Read the source registry; returns the documents folder and how to name it to users."""
    if not isinstance(node, Mapping) or not isinstance(node.items.get("sources"), Sequence):
        problems.append(Problem(shown, node.line if node else 0, "sources",
                                "expected 'sources:' with a list of documents"))
        return None, ""
    for key in node.items:
        if key not in ("sources", "documents_dir"):
            problems.append(Problem(shown, node.key_lines[key], key, f"unknown key '{key}'",
                                    "known keys: documents_dir, sources"))
    for item in node.items["sources"].items:
        src = records.read_source(item, shown, ds.model, problems)
        if src and src.id:
            _keep_first(ds.sources, src.id, src, "source", problems)
    env = os.environ.get("GRAPHKIT_DOCUMENTS")
    if env:
        return Path(env), env
    folder = node.items.get("documents_dir")
    text = folder.text if isinstance(folder, Scalar) and folder.text else DEFAULT_DOCUMENTS
    return (root / text).resolve(), text


def _keep_first(table: dict, key: str, record, what: str, problems: list[Problem]) -> None:
    if key in table:
        first = table[key]
        problems.append(Problem(record.path, record.line, "id", f"duplicate {what} id '{key}'",
                                f"first defined at {first.path}:{first.line}"))
    else:
        table[key] = record
