"""`graphkit query` and the named queries in queries/: each one's answer on the shipped data,
facts checked by hand, the same answers from rdflib's engine, and errors a user can act on."""

from __future__ import annotations

import csv
import io
import json

import pytest
import rdflib

from conftest import REPO, run
from graphkit.named_queries import load_named
from graphkit.namespaces import SPARQL_PREFIXES

NAMED = load_named()
EXPECTED = REPO / "tests" / "queries"
NS = SPARQL_PREFIXES


def rows(*args: str) -> list[dict]:
    result = run("query", *args, "--format", "csv")
    assert result.returncode == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_the_library_has_the_queries_users_asked_for() -> None:
    assert {"members-as-of", "forums-of", "members-not-in", "track2-influence",
            "mediators-between", "network-people", "sources-of", "ranked-by"} <= set(NAMED)
    for q in NAMED.values():
        assert q.title and q.answers, q.name


@pytest.mark.parametrize("name", sorted(NAMED))
def test_named_query_answer_on_the_shipped_data(name: str) -> None:
    """Each answer as reviewed when the query was written (tests/queries/NAME.csv)."""
    result = run("query", name, "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (EXPECTED / f"{name}.csv").read_text(encoding="utf-8")


def _cell(v) -> str:
    """A value compared across engines: numbers by value (rdflib writes the decimal
    0.014330 as 0.01433), group-concatenated lists sorted (GROUP_CONCAT's order is
    unspecified)."""
    if v is None:
        return ""
    try:
        return repr(float(v))
    except ValueError:
        return "; ".join(sorted(str(v).split("; ")))


def _cells(row) -> tuple:
    return tuple(_cell(v) for v in row)


#: a slice of the shipped data small enough for rdflib's engine (which takes seconds per query
#: on the whole graph) and rich enough that every named query answers something
SLICE = ["arf.yaml", "eas.yaml", "korean-peninsula.yaml", "track2.yaml",
         "asean-isis-people.yaml", "asean-isis.yaml"]


@pytest.fixture(scope="module")
def engines(shipped, tmp_path_factory):
    """The slice (its relations, the actors they name and the sources they cite) with the
    shipped measures of those actors, as an rdflib Graph and a pyoxigraph store."""
    import dataclasses

    from graphkit.exports import turtle
    from graphkit.metrics.publish import metric_triples
    from graphkit.sparql import load_store
    from graphkit.to_rdf import canonical, to_triples

    ds = shipped.dataset
    facts = [f for f in ds.facts if f.record.path.rsplit("/", 1)[-1] in SLICE]
    actors = {a for f in facts for a in f.actors()}
    actors |= {ds.countries[a] for a in actors if a in ds.countries}
    cited = {c.source for f in facts for c in f.record.sources}
    part = dataclasses.replace(
        ds, actors={k: v for k, v in ds.actors.items() if k in actors},
        sources={k: v for k, v in ds.sources.items() if k in cited}, facts=facts,
        relations=[f.record for f in facts],
        countries={k: v for k, v in ds.countries.items() if k in actors})
    rows = [r for r in shipped.metric_rows if r["id"] in actors]
    lines, _ = canonical(to_triples(part) + metric_triples(rows))
    ttl = tmp_path_factory.mktemp("slice") / "slice.ttl"
    ttl.write_bytes(turtle(lines))  # written as `graphkit build` writes graph.ttl
    return rdflib.Graph().parse(ttl), load_store(ttl)


@pytest.mark.parametrize("name", sorted(NAMED))
def test_rdflib_gives_the_same_answers(engines, name: str) -> None:
    """The .rq files run unchanged in plain rdflib (their own PREFIX lines, nothing given) on
    a graph.ttl, and agree with pyoxigraph (on a slice of the data; bench/query.py times both
    on the whole graph)."""
    from graphkit.sparql import run as ox_run

    graph, store = engines
    answer = ox_run(store, NAMED[name].text)
    ours = [_cells([None if s[v] is None else s[v].value for v in answer.variables])
            for s in answer.result]
    theirs = [_cells([None if v is None else str(v) for v in r])
              for r in graph.query(NAMED[name].text)]
    assert sorted(ours) == sorted(theirs)
    assert ours  # every named query answers something on the shipped data


def test_members_as_of_places_each_member_in_time() -> None:
    """The DPRK joined the ARF on 27 July 2000: not a participant in 1999, one in 2000."""
    names = lambda year: {r["name"] for r in rows("members-as-of", "-p", f"year={year}")}  # noqa: E731
    assert "Democratic People's Republic of Korea" not in names(1999)
    assert "Democratic People's Republic of Korea" in names(2000)
    eas = {r["name"] for r in rows("members-as-of", "-p", "forum=East Asia Summit",
                                   "-p", "year=2011")}
    assert {"United States", "Russian Federation", "India"} <= eas


def test_parameters_take_names_and_aliases() -> None:
    by_alias = rows("mediators-between", "-p", "a=North Korea", "-p", "b=South Korea")
    assert by_alias == rows("mediators-between", "-p", "a=dprk", "-p", "b=rok")
    assert {"ASEAN Regional Forum", "Association of Southeast Asian Nations", "China",
            "Sweden"} <= {r["name"] for r in by_alias}
    people = rows("network-people")
    assert {"Simon Tay", "Thitinan Pongsudhirak", "Rizal Sukma"} <= {r["name"] for r in people}


def test_ranked_by_agrees_with_metrics_csv() -> None:
    table = list(csv.DictReader((REPO / "exports" / "metrics.csv").open(encoding="utf-8")))
    top = max(table, key=lambda r: float(r["betweenness"]))
    ranked = rows("ranked-by", "-p", "measure=betweennessCentrality")
    assert ranked[0]["actor"].endswith("/" + top["id"])


def test_query_text_and_files_and_formats(tmp_path) -> None:
    text = "SELECT ?name WHERE { actor:cscap skos:altLabel ?name } ORDER BY ?name"
    table = run("query", text)
    assert table.returncode == 0 and "CSCAP" in table.stdout
    data = json.loads(run("query", text, "--format", "json").stdout)
    assert {"CSCAP"} <= {b["name"]["value"] for b in data["results"]["bindings"]}
    f = tmp_path / "mine.rq"
    f.write_text(text, encoding="utf-8")
    assert run("query", str(f)).stdout == table.stdout
    turtle = run("query", "CONSTRUCT WHERE { actor:cscap skos:altLabel ?n }", "--format",
                 "turtle")
    g = rdflib.Graph().parse(data=turtle.stdout, format="turtle")
    assert len(g) == len(data["results"]["bindings"])
    listing = run("query", "--list")
    assert "members-as-of [forum=actor:arf] [year=\"2000\"]" in listing.stdout


@pytest.mark.parametrize("args,message", [
    (("members-as-f",), "no named query or file 'members-as-f' (did you mean 'members-as-of'?)"),
    (("members-as-of", "-p", "yeer=2000"), "unknown parameter 'yeer' of members-as-of "
                                          "(did you mean 'year'?)"),
    (("members-as-of", "-p", "forum=ARFF", "-p", "year=20x"),
     "forum: unknown actor 'ARFF' (did you mean 'arf'?); year: '20x' is not a year"),
    (("SELECT ?x WHERE { ?x }",),
     "the query is not valid SPARQL: error at 1:23: expected one of BIND"),
    (("ASK { ?s ?p ?o }", "--format", "turtle"),
     "--format turtle does not fit a SELECT/ASK"),
])
def test_errors_say_what_to_do(args, message) -> None:
    result = run("query", *args)
    assert result.returncode in (1, 2)
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_readme_lists_every_named_query() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in NAMED:
        assert f"| `{name}` |" in readme, name
