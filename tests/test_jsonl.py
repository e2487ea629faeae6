"""Records in JSON Lines (``actors/*.jsonl``, ``relations/*.jsonl``): the same graph as the same
records in YAML, and the same located errors, each naming FILE:LINE."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from conftest import compose_case, run


def _as_jsonl(path: Path) -> Path:
    """The YAML records of ``path`` written as JSON Lines beside it (the YAML removed)."""
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    target = path.with_suffix(".jsonl")
    target.write_text("".join(json.dumps(r, default=str, ensure_ascii=False) + "\n"
                              for r in records), encoding="utf-8")
    path.unlink()
    return target


def test_the_same_records_in_json_lines_give_the_same_graph(tmp_path) -> None:
    yaml_data = compose_case(tmp_path / "yaml", None)
    json_data = compose_case(tmp_path / "json", None)
    _as_jsonl(json_data / "actors" / "base.yaml")
    _as_jsonl(json_data / "relations" / "base.yaml")
    for data in (yaml_data, json_data):
        result = run("build", "--data", str(data), "--out", str(data.parent / "out"),
                     "--no-metrics")
        assert result.returncode == 0, result.stderr
    for name in ("graph.nt", "graph.ttl", "graph.jsonld"):
        assert (json_data.parent / "out" / name).read_bytes() == \
            (yaml_data.parent / "out" / name).read_bytes()


def test_errors_in_json_lines_name_the_file_and_line_and_every_line_is_read(tmp_path) -> None:
    data = compose_case(tmp_path, None)
    good = {"type": "membership", "member": "malaysia", "organisation": "arf", "start": 1994,
            "sources": [{"source": "public-page", "quote": "Malaysia is a founding member of "
                                                           "ASEAN."}]}
    lines = [json.dumps(good),
             "",
             json.dumps({**good, "member": "malaysa"}),
             '{"type": "membership", "member": ',
             "[1, 2]",
             json.dumps({**good, "start": "1994-13"})]
    (data / "relations" / "bulk.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("validate", "--data", str(data))
    assert result.returncode == 1
    shown = f"{data}/relations/bulk.jsonl"
    errors = [line for line in result.stderr.splitlines()
              if line.startswith(shown) and not line.endswith("[warning]")]
    assert errors == [
        f"{shown}:3: member: unknown actor 'malaysa' (did you mean 'malaysia'?)",
        f"{shown}:4: json: not JSON: Expecting value (column 34)",
        f"{shown}:5: record: expected a JSON object on each line, found a list",
        f"{shown}:6: start: '1994-13' is not a calendar date (there is no month 13) (write a "
        "date as YYYY, YYYY-MM or YYYY-MM-DD, e.g. 1993, 1993-06 or 1993-06-01)",
    ]
    assert result.stderr.splitlines()[-1] == "4 errors; nothing written."


CSV = ("type,member,organisation,start,source,quote\n"
       "membership,dprk,arf,2000-07-27,public-page,The DPRK joined the ARF in 2000.\n"
       "membership,malaysa,arf,1994,public-page,\"Malaysia, a founder, joined the ARF.\"\n")


def _tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file()}


def test_import_checks_a_csv_with_the_folder_and_writes_nothing_on_error(tmp_path) -> None:
    data = compose_case(tmp_path, None)
    table = tmp_path / "memberships.csv"
    table.write_text(CSV, encoding="utf-8")
    before = _tree(data)
    result = run("import", str(table), "--data", str(data))
    assert result.returncode == 1
    assert f"{table}:3: member: unknown actor 'malaysa' (did you mean 'malaysia'?)" \
        in result.stderr.splitlines()
    assert result.stderr.splitlines()[-1] == "1 error; nothing written."
    assert _tree(data) == before


def test_import_adds_the_records_as_json_lines_that_every_command_then_reads(tmp_path) -> None:
    data = compose_case(tmp_path, None)
    table = tmp_path / "memberships.csv"
    table.write_text(CSV.replace("malaysa", "malaysia"), encoding="utf-8")
    assert run("import", str(table), "--data", str(data), "--check").stdout.strip() == \
        f"checked 2 relations from {table}"
    assert not (data / "relations" / "memberships.jsonl").exists()
    result = run("import", str(table), "--data", str(data))
    assert result.returncode == 0, result.stderr
    target = data / "relations" / "memberships.jsonl"
    assert result.stdout.strip() == f"imported 2 relations from {table} into {target}"
    first = json.loads(target.read_text(encoding="utf-8").splitlines()[0])
    assert first == {"type": "membership", "member": ["dprk"], "organisation": ["arf"],
                     "start": "2000-07-27", "sources": [{"source": "public-page", "quote":
                                                         "The DPRK joined the ARF in 2000."}]}
    card = run("show", "dprk", "--data", str(data))
    assert "memberships.jsonl:1" in card.stdout and "2000-07-27" in card.stdout
    again = run("import", str(table), "--data", str(data))
    assert again.returncode == 1 and f"{target} exists already" in again.stderr
    replaced = run("import", str(table), "--data", str(data), "--replace")
    assert replaced.returncode == 0, replaced.stderr  # its own records are not duplicates


def test_import_says_when_it_cannot_tell_the_kind_or_the_format(tmp_path) -> None:
    data = compose_case(tmp_path, None)
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text('{"id": "x", "type": "state", "name": "X"}\n'
                     '{"type": "membership", "member": "x", "organisation": "arf"}\n',
                     encoding="utf-8")
    result = run("import", str(mixed), "--data", str(data))
    assert result.returncode == 1
    assert ("cannot tell whether the records are actors or relations (1 look like actors, 1 "
            "like relations) (pass --kind actors or --kind relations)") in result.stderr
    odd = tmp_path / "records.txt"
    odd.write_text("{}\n", encoding="utf-8")
    result = run("import", str(odd), "--data", str(data))
    assert "cannot tell the format of 'records.txt' (pass --format jsonl or --format csv)" \
        in result.stderr


def test_the_readme_import_example_gives_what_it_shows(tmp_path) -> None:
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ cat memberships.csv\n", 1)[1].split("```", 1)[0]
    table, shown = block.split("$ graphkit import memberships.csv --data my-data\n")
    data = compose_case(tmp_path, None).rename(tmp_path / "my-data")
    (tmp_path / "memberships.csv").write_text(table, encoding="utf-8")
    result = run("import", "memberships.csv", "--data", "my-data", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == shown
    assert (data / "relations" / "memberships.jsonl").is_file()


GOOD = {"type": "membership", "member": "malaysia", "organisation": "arf", "start": "1994",
        "sources": [{"source": "public-page", "quote": "Malaysia is a founding member."}]}
GOOD_ACTOR = {"id": "new-body", "type": "forum", "name": "A New Body", "aliases": ["NB"],
              "sources": [{"source": "public-page", "quote": "A New Body was set up."}]}
ODD_VALUES = [  # (kind, fields over the good record's): every shape a value can take, anywhere
    ("relations", {}),
    ("relations", {"start": 1994, "end": 2001.5, "track": 2, "note": True}),
    ("relations", {"start": None, "member": None, "organisation": [], "track": None}),
    ("relations", {"member": ["malaysia", 7, True, "", [1], {"a": "b"}]}),
    ("relations", {"member": {"id": "malaysia"}, "organisation": 12}),
    ("relations", {"note": ["a", "b"], "description": {"text": "x"}, "key": 5}),
    ("relations", {"sources": None}), ("relations", {"sources": []}),
    ("relations", {"sources": "public-page"}), ("relations", {"sources": {"source": "x"}}),
    ("relations", {"sources": ["public-page", 3, None, [], {}]}),
    ("relations", {"sources": [{"source": 7, "quote": ["a"], "implicit": "yes",
                                "lang": 12, "note": None, "extra": 1}]}),
    ("relations", {"sources": [{"source": "public-page", "quote": "Quoted.", "implicit": True,
                                "note": {"why": "x"}}]}),
    ("relations", {"type": None}), ("relations", {"type": ["membership"]}),
    ("relations", {"type": "memebership"}), ("relations", {"memberr": "malaysia"}),
    ("actors", {}),
    ("actors", {"id": 7, "type": None, "name": ["A", "B"], "aliases": "NB"}),
    ("actors", {"aliases": ["NB", 3, False, {"x": 1}], "country": ["malaysia", "arf"]}),
    ("actors", {"id": "Not A Slug", "sources": [{"source": "public-page"}]}),
]


def test_json_values_read_as_the_same_values_in_yaml_give_the_same_records_and_problems(
        ) -> None:
    """A record in JSON Lines is read where json decodes it, not through YAML's located nodes:
    every value of every shape, in every place, must still give what the same record written
    in YAML gives (on one line, so that every line is the same)."""
    from graphkit.dataset import _read_file
    from graphkit.model import load_model

    model = load_model()
    for kind, odd in ODD_VALUES:
        record = {**(GOOD if kind == "relations" else GOOD_ACTOR), **odd}
        as_json = json.dumps(record) + "\n"
        as_yaml = yaml.safe_dump([record], default_flow_style=True, width=10**6)
        assert as_yaml.count("\n") == 1, as_yaml
        from_json = _read_file(kind, as_json, "x", model, ".jsonl")
        from_yaml = _read_file(kind, as_yaml, "x", model, ".yaml")
        assert [str(p) for p in from_json[1]] == [str(p) for p in from_yaml[1]], record
        assert from_json[0] == from_yaml[0], record
        assert from_json[2] == from_yaml[2] is False
    assert any(p.severity == "error" for p in from_json[1])  # the odd ones are found out
