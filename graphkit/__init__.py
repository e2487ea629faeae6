"""graphkit: a curated knowledge graph of Asia-Pacific security diplomacy, and its toolkit.

The flow, one module each: ``yaml_source`` (YAML with lines) -> ``records`` (typed records) ->
``checks`` (cross-record checks, filling one ``facts.Fact`` per relation) -> ``to_rdf`` (RDF
triples, via ``projection``) -> ``shapes`` (SHACL) -> ``exports`` (Turtle, N-Triples, JSON-LD);
``filters`` -> ``views`` -> ``metrics`` / ``map_data`` / ``network_exports``; ``build`` runs it,
``cli`` is the command and :mod:`graphkit.api` the Python interface:

>>> import graphkit
>>> kg = graphkit.load("tests/cases/base")
>>> kg.actor("CSCAP").label
'Council for Security Cooperation in the Asia Pacific'
"""

__version__ = "0.1.0"

from .api import DataError, KnowledgeGraph, NotFound, load  # noqa: E402

__all__ = ["load", "KnowledgeGraph", "DataError", "NotFound", "__version__"]
