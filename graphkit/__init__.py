"""graphkit: a curated knowledge graph of Asia-Pacific security diplomacy, and its toolkit.

The flow, one module each: ``yaml_source`` (YAML with lines) -> ``records`` (typed records) ->
``checks`` (cross-record checks) -> ``to_rdf`` (RDF triples, via ``projection``) -> ``shapes``
(SHACL) -> ``exports`` (Turtle, N-Triples, JSON-LD); ``build`` runs it, ``cli`` is the command.
"""

__version__ = "0.1.0"
