"""Facts from the documents and the public record, found by SPARQL in the built graph."""

from __future__ import annotations

import pytest

from graphkit.namespaces import PREFIXES, SPARQL_PREFIXES

NS = SPARQL_PREFIXES


def select(graph, query: str) -> list[tuple[str, ...]]:
    return sorted(tuple(str(v) if v is not None else "" for v in row)
                  for row in graph.query(NS + "\n" + query))


def local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def members_as_of(graph, org: str, day: str) -> set[str]:
    """Full members of ``org`` on ``day`` (ISO): not partners, observers or associates; undated
    bounds count as open; claims marked low-confidence are left out. Dates of mixed precision
    compare as strings."""
    rows = select(graph, f"""
        SELECT ?m WHERE {{
          ?r a org:Membership ; org:member ?m ; org:organization actor:{org} ; org:role ?role .
          FILTER (?role NOT IN (gk:role-observer, gk:role-dialogue-partner,
                  gk:role-sectoral-dialogue-partner, gk:role-development-partner,
                  gk:role-partner-country, gk:role-associate-member))
          FILTER NOT EXISTS {{ ?r gk:confidence gk:confidence-low }}
          OPTIONAL {{ ?r schema:startDate ?s }} OPTIONAL {{ ?r schema:endDate ?e }}
          FILTER (!BOUND(?s) || STR(?s) <= "{day}")
          FILTER (!BOUND(?e) || STR(?e) >= SUBSTR("{day}", 1, STRLEN(STR(?e))))
        }}""")
    return {local(m) for (m,) in rows}


def test_cscap_was_launched_in_kuala_lumpur_in_june_1993(graph) -> None:
    rows = select(graph, """
        SELECT ?date ?place ?quote WHERE {
          ?f a gk:Founding ; gk:founded actor:cscap ; schema:startDate ?date ;
             schema:location ?place ; prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote .
          FILTER NOT EXISTS { ?f gk:confidence gk:confidence-low } }""")
    dates = {r[0] for r in rows}
    assert {r[1] for r in rows} == {"Kuala Lumpur"}
    assert dates and all(d.startswith("1993-06") for d in dates)
    assert any("formally launched in Kuala Lumpur in June 1993" in r[2] for r in rows)


def test_five_asean_states_had_missions_in_pyongyang_and_malaysias_closed(graph) -> None:
    rows = select(graph, """
        SELECT ?state ?end WHERE {
          ?m a gk:DiplomaticMission ; gk:sendingState ?state ; gk:receivingState actor:dprk ;
             schema:location "Pyongyang" ;
             prov:wasDerivedFrom/oa:hasSource src:reluctant-middle-man .
          OPTIONAL { ?m schema:endDate ?end } }""")
    assert [local(s) for s, _ in rows] == ["cambodia", "indonesia", "laos", "malaysia", "viet-nam"]
    assert dict((local(s), e) for s, e in rows)["malaysia"] == "2021-03"
    still_open = select(graph, """
        SELECT ?state WHERE { ?state gk:hasMissionIn actor:dprk ; org:memberOf actor:asean .
          FILTER NOT EXISTS { ?m gk:sendingState ?state ; gk:receivingState actor:dprk ;
                                 schema:endDate ?e } }""")
    assert [local(s) for (s,) in still_open] == ["cambodia", "indonesia", "laos", "viet-nam"]


def test_cscap_feeds_the_arf_as_its_track_2_counterpart(graph) -> None:
    rows = select(graph, """
        SELECT ?channel ?quote WHERE {
          ?i a gk:Influence ; gk:influencer actor:cscap ; gk:influenced actor:arf ;
             gk:track gk:track-2 ; gk:channel ?channel ;
             prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote . }""")
    assert any(c.endswith("channel-intellectual-input") and "Track-II counterpart" in q
               for c, q in rows)
    assert graph.query(NS + "ASK { actor:cscap gk:influences actor:arf }").askAnswer


ASEAN_10 = {"brunei", "cambodia", "indonesia", "laos", "malaysia", "myanmar", "philippines",
            "singapore", "thailand", "viet-nam"}


@pytest.mark.parametrize("org,day,expected", [
    ("asean", "2026-11-23", ASEAN_10 | {"timor-leste"}),
    ("asean", "2025-10-25", ASEAN_10),
    ("asean", "1990-01-01", {"brunei", "indonesia", "malaysia", "philippines", "singapore",
                             "thailand"}),
    ("unsc", "1980-06-01", {"china", "france", "philippines", "soviet-union", "united-kingdom",
                            "united-states"}),
    ("unsc", "2020-06-01", {"china", "france", "indonesia", "russia", "united-kingdom",
                            "united-states", "viet-nam"}),
    ("quad", "2026-11-23", {"australia", "india", "japan", "united-states"}),
    ("quad", "2012-01-01", set()),
    ("aukus", "2026-11-23", {"australia", "united-kingdom", "united-states"}),
])
def test_memberships_as_of_a_day(graph, org, day, expected) -> None:
    """For the Security Council: the permanent members and the ASEAN states then sitting."""
    assert members_as_of(graph, org, day) == expected


def test_security_council_permanent_members_today(graph) -> None:
    rows = select(graph, """
        SELECT ?m WHERE { ?r org:member ?m ; org:organization actor:unsc ;
          org:role gk:role-permanent-member .
          FILTER NOT EXISTS { ?r schema:endDate ?e } }""")
    assert {local(m) for (m,) in rows} == {"china", "france", "russia", "united-kingdom",
                                           "united-states"}


def test_the_arf_has_27_participants(graph) -> None:
    assert len(members_as_of(graph, "arf", "2026-11-23")) == 27


def test_the_dprk_belongs_to_more_than_the_arf(graph) -> None:
    orgs = select(graph, "SELECT ?o WHERE { actor:dprk org:memberOf ?o }")
    assert {local(o) for (o,) in orgs} >= {"arf", "cscap", "un", "nam"}


def test_a_contradicted_claim_is_kept_beside_the_fact(graph) -> None:
    rows = select(graph, """
        SELECT ?start ?conf WHERE {
          ?r a org:Membership ; org:member actor:india ; org:organization actor:cscap .
          OPTIONAL { ?r schema:startDate ?start } OPTIONAL { ?r gk:confidence ?conf } }""")
    assert ("1993", PREFIXES["gk"] + "confidence-low") in rows
    assert any(s == "2000-06" and c == "" for s, c in rows)


def test_viet_nam_sat_on_the_security_council_in_2020_2021(graph) -> None:
    rows = select(graph, """
        SELECT ?s ?e WHERE { ?r org:member actor:viet-nam ; org:organization actor:unsc ;
          org:role gk:role-non-permanent-member ; schema:startDate ?s ; schema:endDate ?e }""")
    assert ("2020", "2021") in rows and ("2008", "2009") in rows
