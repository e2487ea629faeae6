"""`graphkit serve` as a real SPARQL client sees it: SPARQLWrapper over 127.0.0.1."""

from __future__ import annotations

import csv
import io
import urllib.error
import urllib.request

import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, JSONLD, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from conftest import REPO, Served

COUNT_ARF = ("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { "
             "?r a org:Membership ; org:organization actor:arf ; org:member ?m }")
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def endpoint():
    """The server on a free port, with a 2 s query limit; stopped after the module."""
    served = Served("--timeout", "2", "--quiet")
    try:
        yield served.url
    finally:
        served.stop()


def client(url: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    s = SPARQLWrapper(url)
    s.setQuery(query)
    s.setReturnFormat(fmt)
    s.setMethod(method)
    return s


def expected_arf_members(graph) -> int:
    from graphkit.namespaces import SPARQL_PREFIXES

    return int(next(iter(graph.query(SPARQL_PREFIXES + COUNT_ARF)))[0])


@pytest.mark.parametrize("method", ["GET", POST])
def test_select_as_json(endpoint, graph, method) -> None:
    result = client(endpoint, COUNT_ARF, JSON, method).query()
    assert result.response.headers["Content-Type"].startswith("application/sparql-results+json")
    data = result.convert()
    assert int(data["results"]["bindings"][0]["n"]["value"]) == expected_arf_members(graph)


def test_select_as_xml_csv_tsv(endpoint, graph) -> None:
    n = expected_arf_members(graph)
    doc = client(endpoint, COUNT_ARF, XML).query().convert()  # a DOM document
    assert doc.getElementsByTagName("literal")[0].firstChild.data == str(n)
    text = client(endpoint, COUNT_ARF, CSV).query().convert().decode("utf-8")
    assert list(csv.reader(io.StringIO(text))) == [["n"], [str(n)]]
    text = client(endpoint, COUNT_ARF, TSV).query().convert().decode("utf-8")
    assert text.splitlines() == ["?n", str(n)]  # TSV writes an integer as Turtle does


def test_ask(endpoint) -> None:
    yes = client(endpoint, "ASK { actor:dprk org:memberOf actor:arf }", JSON).query().convert()
    no = client(endpoint, "ASK { actor:dprk org:memberOf actor:eas }", JSON).query().convert()
    assert (yes["boolean"], no["boolean"]) == (True, False)


@pytest.mark.parametrize("fmt,parser", [(TURTLE, "turtle"), (JSONLD, "json-ld")])
def test_construct_and_describe_as_turtle_and_jsonld(endpoint, fmt, parser) -> None:
    q = "CONSTRUCT { actor:cscap skos:altLabel ?n } WHERE { actor:cscap skos:altLabel ?n }"
    result = client(endpoint, q, fmt).query()
    body = result.response.read()
    g = rdflib.Graph().parse(data=body, format=parser)
    labels = {str(o) for o in g.objects()}
    assert "CSCAP" in labels
    described = client(endpoint, "DESCRIBE actor:cscap", fmt).query().response.read()
    d = rdflib.Graph().parse(data=described, format=parser)
    assert (rdflib.URIRef("https://w3id.org/graphkit/id/actor/cscap"), None, None) in d


def test_an_update_is_refused(endpoint) -> None:
    s = SPARQLWrapper(endpoint)
    s.setMethod(POST)
    s.setQuery("INSERT DATA { actor:x skos:prefLabel 'x' }")  # SPARQLWrapper sends update=
    with pytest.raises(urllib.error.HTTPError) as info:
        s.query()
    assert info.value.code == 403
    assert "read-only" in info.value.read().decode()


def test_an_update_posted_as_sparql_update_is_refused(endpoint) -> None:
    req = urllib.request.Request(endpoint, data=b"CLEAR ALL", method="POST",
                                 headers={"Content-Type": "application/sparql-update"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req)
    assert info.value.code == 403


def test_a_malformed_query_gets_400_with_the_parsers_message(endpoint) -> None:
    with pytest.raises(QueryBadFormed) as info:
        client(endpoint, "SELECT ?x WHERE { ?x }", JSON).query()
    assert "not valid SPARQL: error at 1:23" in str(info.value)


def test_a_slow_query_is_stopped_and_the_server_goes_on(endpoint, graph) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:
        client(endpoint, SLOW, JSON).query()
    assert info.value.code == 503
    assert "longer than the server's limit of 2 s" in info.value.read().decode()
    data = client(endpoint, COUNT_ARF, JSON).query().convert()  # a fresh worker answers
    assert int(data["results"]["bindings"][0]["n"]["value"]) == expected_arf_members(graph)


def test_the_query_page_and_the_map_are_served(endpoint) -> None:
    base = endpoint.rsplit("/sparql", 1)[0]
    page = urllib.request.urlopen(base + "/").read().decode()
    assert "members-as-of" in page and "<script src" not in page
    html = urllib.request.urlopen(base + "/map").read()
    assert html == (REPO / "exports" / "network.html").read_bytes()
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(base + "/nothing")
    assert info.value.code == 404


def test_unacceptable_format_gets_406(endpoint) -> None:
    req = urllib.request.Request(endpoint + "?query=ASK%7B%7D", headers={"Accept": "image/png"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req)
    assert info.value.code == 406


def test_result_size_is_bounded(tmp_path) -> None:
    """Past --max-result-mb the answer is refused with 422 and a hint, not cut short."""
    served = Served("--workers", "1", "--max-result-mb", "0.01", "--quiet")
    try:
        url = served.url
        with pytest.raises(urllib.error.HTTPError) as info:
            client(url, "SELECT * WHERE { ?s ?p ?o }", JSON).query()
        assert info.value.code == 422
        assert "LIMIT" in info.value.read().decode()
        small = client(url, "SELECT * WHERE { ?s ?p ?o } LIMIT 3", JSON).query().convert()
        assert len(small["results"]["bindings"]) == 3
    finally:
        served.stop()


def test_the_query_page_runs_a_named_query_in_a_browser(endpoint, browser) -> None:
    """The page at / in a real headless Chromium: pick a named query, run it, read the table."""
    base = endpoint.rsplit("/sparql", 1)[0]
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(base + "/")
        page.select_option("#named", "members-not-in")
        assert "East Asia Summit" in page.inner_text("#about")
        page.click("#run")
        page.wait_for_selector("#results table", timeout=10_000)
        cells = page.locator("#results td").all_inner_texts()
        assert {"actor:canada", "Canada", "Democratic People's Republic of Korea"} <= set(cells)
        assert page.inner_text("#status").startswith("8 rows")
        page.fill("#query", "SELECT ?x WHERE { ?x }")
        page.click("#run")
        page.wait_for_selector("#status.error", timeout=10_000)
        assert page.inner_text("#status").startswith("400: the query is not valid SPARQL")
        assert errors == []
    finally:
        page.close()


def test_the_site_is_served_and_nothing_outside_it(endpoint) -> None:
    base = endpoint.rsplit("/sparql", 1)[0]
    index = urllib.request.urlopen(base + "/site/").read().decode()
    assert 'href="actors/cscap.html"' in index
    page = urllib.request.urlopen(base + "/site/actors/cscap.html")
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Council for Security Cooperation" in page.read().decode()
    css = urllib.request.urlopen(base + "/site/assets/site.css")
    assert css.headers["Content-Type"].startswith("text/css")
    for hostile in ("/site/../graph.nt", "/site/%2e%2e/graph.nt", "/site/actors/../../../README.md",
                    "/site/..%2f..%2fREADME.md", "/site/nothing.html"):
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(base + hostile)
        assert info.value.code in (400, 404), hostile
