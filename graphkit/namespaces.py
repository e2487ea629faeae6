"""The IRIs graphkit mints and the vocabularies it reuses, in one place.

``BASE`` is a placeholder the project can register with w3id.org; changing it rewrites every export.

>>> actor_iri("cscap")
'https://w3id.org/graphkit/id/actor/cscap'
>>> expand("org:memberOf")
'http://www.w3.org/ns/org#memberOf'
"""

from __future__ import annotations

BASE = "https://w3id.org/graphkit/"

GK = BASE + "ontology#"
ACTOR = BASE + "id/actor/"
REL = BASE + "id/relation/"
CITE = BASE + "id/citation/"
SRC = BASE + "id/source/"
ISSUE = BASE + "id/issue/"

#: Prefixes used in the exports, the ontology and the model (in this order in every export).
PREFIXES: dict[str, str] = {
    "gk": GK,
    "actor": ACTOR,
    "rel": REL,
    "cite": CITE,
    "src": SRC,
    "issue": ISSUE,
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "http://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

RDF_TYPE = PREFIXES["rdf"] + "type"

#: PREFIX lines declaring the project's prefixes, for engines that cannot be given them apart
#: from the query (rdflib, other stores)
SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def expand(curie: str) -> str:
    """Expand a prefixed name such as ``gk:Mediation`` to its full IRI (ValueError if unknown)."""
    prefix, sep, local = curie.partition(":")
    if not sep or prefix not in PREFIXES:
        raise ValueError(f"unknown prefix in {curie!r}; known: {', '.join(PREFIXES)}")
    return PREFIXES[prefix] + local


def shorten(iri: str) -> str:
    """The prefixed form of ``iri`` where a known namespace covers it, else the IRI itself."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri


def actor_iri(actor_id: str) -> str:
    return ACTOR + actor_id


def issue_iri(issue_id: str) -> str:
    return ISSUE + issue_id


def source_iri(source_id: str) -> str:
    return SRC + source_id
