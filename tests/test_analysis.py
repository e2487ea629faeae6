"""Who bridges whom, answered right: signed ties, the filters analysts ask for, groups that can be
seen and changed, what changed and why, across dates and across versions of the data. Measures
are checked on small graphs worked by hand; the commands as users run them."""

from __future__ import annotations

import csv
import io
import json
import shutil

import networkx as nx
import pytest

from conftest import REPO, compose_case, run
from graphkit.changes import changes
from graphkit.dataset import load_dataset
from graphkit.facts import graph_of
from graphkit.filters import Filter
from graphkit.groups import assign
from graphkit.metrics.balance import balance
from graphkit.views import make_view


@pytest.fixture(scope="module")
def g(shipped):
    return graph_of(shipped.dataset)


def rows(result) -> list[dict]:
    assert result.returncode == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


# --- signed relations ---------------------------------------------------------------------------

def test_hostile_ties_are_not_connections(g) -> None:
    """A severed DPRK-Malaysia tie and a US-China rivalry make no edge of the actors' view;
    the conflict view holds them, the signed view marks them -1."""
    actors = make_view(g, "actors", "all").graph
    severed = [f for f in g.facts if f.kind == "tie" and set(f.actors()) == {"dprk", "malaysia"}]
    assert severed and all(f.sign == "adversarial" for f in severed)
    assert not any(f.sign == "adversarial" for f in make_view(g, "actors", "all").facts)
    conflict = make_view(g, "conflict", "all").graph
    assert conflict.has_edge("dprk", "malaysia") and conflict.has_edge("china", "united-states")
    signed = make_view(g, "signed", "all").graph
    assert signed["dprk"]["malaysia"]["sign"] == -1
    assert signed["asean"]["malaysia"]["sign"] == 1
    if actors.has_edge("dprk", "malaysia"):  # only through non-adversarial relations
        kinds = actors["dprk"]["malaysia"]["kinds"].split(",")
        assert "tie" not in kinds or any(
            f.sign != "adversarial" for f in g.facts if f.kind == "tie"
            and set(f.actors()) == {"dprk", "malaysia"})


def test_signs_are_declared_in_the_model_and_written_in_the_graph(g, graph) -> None:
    from graphkit.model import load_model

    m = load_model()
    assert m.relations["membership"].sign == "cooperative"
    assert {m.sign("tie", {"nature": m.concept("gk:TieNatures", n)})
            for n in ("rivalry", "competition", "armed-conflict", "severed")} == {"adversarial"}
    answer = graph.query("""
        PREFIX gk: <https://w3id.org/graphkit/ontology#>
        SELECT (COUNT(?r) AS ?n) WHERE { ?r gk:sign gk:sign-adversarial }""")
    assert int(next(iter(answer))[0]) == sum(1 for f in g.facts if f.sign == "adversarial") > 5


def test_structural_balance_worked_by_hand() -> None:
    """A square of two allies facing two allies (+ inside, - across): every triad balanced;
    one defector (a befriends c) leaves two unbalanced triads, both through a and c."""
    G = nx.Graph()
    G.add_edges_from([("a", "b"), ("c", "d")], sign=1)
    G.add_edges_from([("a", "c"), ("a", "d"), ("b", "c"), ("b", "d")], sign=-1)
    b = balance(G)
    assert (b.triads, b.balanced, b.share) == (4, 4, 1.0)
    G["a"]["c"]["sign"] = 1
    b = balance(G)
    assert (b.triads, b.balanced) == (4, 2)
    assert dict(b.unbalanced_by_actor) == {"a": 2, "c": 2, "b": 1, "d": 1}


def test_balance_command_on_the_shipped_data() -> None:
    result = run("balance", "--top", "3", "--format", "csv")
    found = rows(result)
    assert len(found) == 3 and int(found[0]["unbalanced"]) >= int(found[-1]["unbalanced"]) > 0
    assert "triads" in result.stderr and "balance 0." in result.stderr


# --- filters, one place ----------------------------------------------------------------------------

def test_track2_brokers_between_china_and_the_united_states() -> None:
    """The analyst's question: only CSCAP and PECC join China and the United States in
    Track 2."""
    found = rows(run("brokers", "China", "United States", "--tracks", "2", "--format", "csv"))
    assert {r["id"] for r in found} == {"cscap", "pecc"}


def test_each_filter_changes_what_a_view_holds(g) -> None:
    base = make_view(g, "actors", Filter(as_of="all")).facts
    by_track = make_view(g, "actors", Filter(as_of="all", tracks=frozenset({"2"}))).facts
    assert by_track and all(Filter().track_of(f, g) == "2" for f in by_track)
    only = make_view(g, "actors", Filter(as_of="all", relations=frozenset({"mediation"}))).facts
    assert only and {f.kind for f in only} == {"mediation"}
    without = make_view(g, "actors", Filter(as_of="all", exclude=frozenset({"membership"}))).facts
    assert "membership" not in {f.kind for f in without} and len(without) < len(base)
    dated = make_view(g, "actors", Filter(as_of="all", drop_undated=True)).facts
    assert all(f.dated for f in dated) and len(dated) < len(base)
    doubt = make_view(g, "actors", Filter(as_of="all", min_confidence="low")).facts
    assert any(f.low for f in doubt) and not any(f.low for f in base)
    high = make_view(g, "actors", Filter(as_of="all", min_confidence="high")).facts
    assert all(f.confidence in (None, "high") for f in high)


def test_filters_reach_every_command_and_unknown_values_are_named(tmp_path) -> None:
    for args in (["metrics", "--top", "1"], ["bridges", "cscap", "--top", "1"],
                 ["export", "--format", "csv", "-o", str(tmp_path / "t.csv")],
                 ["view", "-o", str(tmp_path / "t.html")]):
        result = run(*args, "--tracks", "2", "--exclude-relations", "tie", "--drop-undated")
        assert result.returncode == 0, (args, result.stderr)
    bad = run("metrics", "--relations", "membershp")
    assert bad.returncode == 2
    assert "unknown relation kind 'membershp'; one of: membership" in bad.stderr
    assert "unknown track '3'" in run("metrics", "--tracks", "3").stderr


# --- groups ---------------------------------------------------------------------------------------

def test_aseans_side_holds_its_own_bodies_and_networks(g) -> None:
    side = assign(g, "asean", "present")
    for body in ("asean", "admm", "nadi", "asean-isis", "asean-secretariat", "malaysia"):
        assert side[body].group == "ASEAN", (body, side[body])
    assert side["arf"].group == "outside" and side["china"].group == "outside"
    assert side["asean-isis"].rule.startswith("all ") and "full members" in side["asean-isis"].rule
    before = assign(g, "asean", "1990")
    assert before["viet-nam"].group == "outside"  # joined in 1995
    assert side["viet-nam"].rule.startswith("full member of ASEAN since 1995")


def test_groups_command_shows_rules_and_a_file_overrides_them(tmp_path) -> None:
    found = {r["id"]: r for r in rows(run("groups", "--format", "csv"))}
    assert found["nadi"]["group"] == "ASEAN" and found["nadi"]["rule"]
    override = tmp_path / "groups.csv"
    override.write_text("id,group\nARF,ASEAN-led\nChina,China\n", encoding="utf-8")
    found = {r["id"]: r for r in rows(run("groups", "--groups-file", str(override),
                                          "--format", "csv"))}
    assert found["arf"]["group"] == "ASEAN-led" and found["arf"]["rule"].endswith("groups.csv:2")
    override.write_text("cscp,x\n", encoding="utf-8")
    bad = run("groups", "--groups-file", str(override))
    assert bad.returncode == 1
    assert "groups.csv:1: id: unknown actor 'cscp' (did you mean 'cscap'?)" in bad.stderr


def test_sort_and_impossible_ratios_are_explained() -> None:
    bad = run("metrics", "--sort", "betweeness")
    assert bad.returncode == 2 and "'betweeness' is not a column" in bad.stderr
    assert "betweenness, closeness" in bad.stderr
    result = run("metrics", "--view", "directed", "--sort", "liaison_ratio", "--top", "3")
    assert result.returncode == 0, result.stderr
    assert "liaison_ratio is blank: liaison brokerage needs three groups" in result.stderr


# --- what changed, and why ----------------------------------------------------------------------

def _small(tmp_path, extra: str):
    data = compose_case(tmp_path, None)
    (data / "relations" / "more.yaml").write_text(extra, encoding="utf-8")
    ds, report = load_dataset(data)
    assert report.ok, report.errors
    return graph_of(ds)


def test_changes_worked_by_hand(tmp_path) -> None:
    """Malaysia (1967) and the ARF: in 2000 the Koreas join the ARF (DPRK via ASEAN before);
    ASEAN's degree and who moved it: the new memberships, each its own contribution."""
    g = _small(tmp_path, """\
- type: membership
  member: rok
  organisation: arf
  start: "1994"
  sources: [{source: public-page, quote: "ROK joined the ARF in 1994."}]
- type: membership
  member: dprk
  organisation: arf
  start: "2000"
  sources: [{source: public-page, quote: "DPRK joined the ARF in 2000."}]
""")
    report = changes(g, "1990", "2010", "degree", top=3)
    began = sorted(c.fact.key for c in report.changes)
    assert began == ["founding.cscap.1993-06", "membership.dprk.arf.2000",
                     "membership.rok.arf.1994"]
    arf = next(m for m in report.moves if m.actor == "arf")
    # 1990: the ARF is tied to CSCAP only (an undated influence): 1 of 5 others; 2010: 3 of 5
    assert (arf.before, arf.after) == pytest.approx((0.2, 0.6))
    assert sorted((c.fact.key, round(s, 3)) for c, s in arf.contributions) == [
        ("membership.dprk.arf.2000", 0.2), ("membership.rok.arf.1994", 0.2)]
    assert abs(arf.interaction) < 1e-9


def test_changes_command_explains_the_largest_moves() -> None:
    result = run("changes", "--from", "2000", "--to", "2020", "--top", "2", "--format", "csv")
    found = rows(result)
    assert "relations began" in result.stderr
    movers = [r for r in found if r["id"]]
    assert len(movers) == 2
    first = found.index(movers[0])
    assert found[first + 1]["change"].startswith(("began", "ended"))
    assert float(found[first + 1]["contribution"]) != 0


def test_diff_between_folders_and_revisions(tmp_path) -> None:
    old = compose_case(tmp_path / "old", None)
    new = compose_case(tmp_path / "new", None)
    (new / "relations" / "more.yaml").write_text("""\
- type: membership
  member: dprk
  organisation: arf
  start: "2000-07-27"
  sources: [{source: public-page, quote: "DPRK joined the ARF in July 2000."}]
""", encoding="utf-8")
    text = (new / "relations" / "base.yaml").read_text(encoding="utf-8")
    (new / "relations" / "base.yaml").write_text(text.replace(
        'quote: "CSCAP has effectively functioned as its Track-II counterpart"',
        'quote: "CSCAP has effectively functioned as its Track-II counterpart"\n'
        '      note: "Checked again."'), encoding="utf-8")
    found = rows(run("diff", str(old), str(new), "--format", "csv"))
    assert {"what": "added", "relation": "membership.dprk.arf.2000-07-27"}.items() <= \
        next(r for r in found if r["what"] == "added").items()
    changed = next(r for r in found if r["what"] == "changed")
    assert changed["relation"] == "influence.cscap.arf.intellectual-input"
    assert "moved" in " ".join(r["what"] for r in found)
    # a git revision: the repository's own last commit against itself changes nothing
    if shutil.which("git") and (REPO / ".git").exists():
        same = run("diff", "HEAD", "HEAD")
        assert same.returncode == 0, same.stderr
        assert "0 relations added, 0 removed, 0 changed" in same.stderr
    bad = run("diff", "no-such-revision-or-folder")
    assert bad.returncode == 1 and "neither a folder nor a git revision" in bad.stderr


# --- provenance and SPARQL that runs anywhere ---------------------------------------------------

def test_show_prints_ids_and_places_and_json(g) -> None:
    text = run("show", "cscap").stdout
    assert "id: founding.cscap.1993-06" in text and "(data/relations/" in text
    card = json.loads(run("show", "cscap", "--format", "json").stdout)
    rel = next(r for r in card["relations"] if r["id"].startswith("founding.cscap"))
    assert rel["where"].startswith("data/relations/") and rel["sources"][0]["quote"]
    answer = rows(run("query", "sources-of", "-p", f"relation={rel['id']}", "--format", "csv"))
    assert answer and answer[0]["quote"] == rel["sources"][0]["quote"]


def test_query_prefixes_and_every_named_query_declares_its_own() -> None:
    import rdflib

    from graphkit.named_queries import load_named

    block = run("query", "--prefixes").stdout
    assert "PREFIX schema: <http://schema.org/>" in block  # http: rdflib binds https otherwise
    for q in load_named().values():
        rdflib.plugins.sparql.prepareQuery(q.text)  # fails on an undeclared prefix


def test_evolution_ticks_whole_years_and_marks_moves(tmp_path) -> None:
    stem = tmp_path / "evo"
    result = run("evolution", "--metric", "degree", "--from", "2001", "--to", "2004",
                 "--actors", "asean,arf", "--drop-undated", "-o", str(stem))
    assert result.returncode == 0, result.stderr
    svg = (tmp_path / "evo.svg").read_text(encoding="utf-8")
    ticks = [t for t in ("2001", "2002", "2003", "2004") if f">{t}<" in svg or t in svg]
    assert ticks and "2002.5" not in svg
    assert "mark " in result.stderr
    rows_ = list(csv.DictReader(open(f"{stem}.csv", encoding="utf-8")))
    assert [r["year"] for r in rows_] == ["2001", "2002", "2003", "2004"]


def test_relation_ids_match_across_versions_because_they_are_content_derived(tmp_path) -> None:
    a = compose_case(tmp_path / "a", None)
    b = compose_case(tmp_path / "b", None)
    (b / "relations" / "base.yaml").write_text(
        "\n" * 3 + (b / "relations" / "base.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    keys = [sorted(f.key for f in graph_of(load_dataset(x)[0]).facts) for x in (a, b)]
    assert keys[0] == keys[1]
