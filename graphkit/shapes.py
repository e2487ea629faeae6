"""SHACL: the shapes every built graph must conform to, and running them.

``ontology/shapes.ttl`` is generated from the model (``ontology/model.yaml``) by
:func:`generate_shapes`, so the shapes, the loader and the projection read the same declaration; a
test fails when the committed file is stale (``graphkit shapes`` rewrites it). The shapes are the
contract of the export for anyone who loads it; curators see the loader's located messages first,
and a SHACL violation is mapped back to the file and line of the record behind its focus node.
"""

from __future__ import annotations

from .model import Model
from .files import shipped
from .namespaces import ACTOR, CITE, PREFIXES, REL, shorten
from .problems import Problem

SHAPES_FILE = shipped("ontology") / "shapes.ttl"
#: how each record of ``texts:`` in the model is targeted in the graph
TEXT_TARGETS = {"actor": "sh:targetClass gk:Actor", "relation": "sh:targetClass gk:Relation",
                "citation": "sh:targetClass gk:Citation",
                "source": "sh:targetClass dcterms:BibliographicResource",
                "issue": "sh:targetObjectsOf gk:issue"}

_HEADER = """\
# SHACL shapes for graphkit exports. GENERATED from ontology/model.yaml by `graphkit shapes`;
# edit the model (or graphkit/shapes.py for the shared shapes), not this file.
"""

_STATIC = """
# --- what every relation node carries ---------------------------------------------------------
gksh:RelationShape a sh:NodeShape ;
    sh:targetClass gk:Relation ;
    sh:property [ sh:path prov:wasDerivedFrom ; sh:minCount 1 ; sh:class gk:Citation ;
                  sh:message "every relation cites at least one source" ] ;
    sh:property [ sh:path schema:startDate ; sh:maxCount 1 ;
                  sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:gYearMonth ] [ sh:datatype xsd:gYear ] ) ] ;
    sh:property [ sh:path schema:endDate ; sh:maxCount 1 ;
                  sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:gYearMonth ] [ sh:datatype xsd:gYear ] ) ] ;
    sh:property [ sh:path gk:track ; sh:maxCount 1 ; sh:in ( gk:track-1 gk:track-1-5 gk:track-2 ) ] ;
    sh:property [ sh:path gk:confidence ; sh:maxCount 1 ;
                  sh:in ( gk:confidence-high gk:confidence-medium gk:confidence-low ) ] ;
    sh:property [ sh:path gk:sign ; sh:minCount 1 ; sh:maxCount 1 ;
                  sh:in ( gk:sign-cooperative gk:sign-neutral gk:sign-adversarial ) ] ;
    sh:property [ sh:path skos:note ; sh:maxCount 1 ] .

gksh:CitationShape a sh:NodeShape ;
    sh:targetClass gk:Citation ;
    sh:property [ sh:path oa:hasSource ; sh:minCount 1 ; sh:maxCount 1 ;
                  sh:class dcterms:BibliographicResource ] ;
    sh:property [ sh:path ( oa:hasSelector oa:exact ) ; sh:minCount 1 ; sh:maxCount 1 ;
                  sh:message "a citation carries one short verbatim quote" ] .

gksh:SourceShape a sh:NodeShape ;
    sh:targetClass dcterms:BibliographicResource ;
    sh:property [ sh:path dcterms:title ; sh:minCount 1 ; sh:maxCount 1 ] ;
    sh:property [ sh:path dcterms:publisher ; sh:minCount 1 ] ;
    sh:property [ sh:path dcterms:issued ; sh:maxCount 1 ;
                  sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:gYearMonth ] [ sh:datatype xsd:gYear ] ) ] ;
    sh:or ( [ sh:path schema:url ; sh:minCount 1 ] [ sh:path gk:sourceFile ; sh:minCount 1 ] ) .

gksh:ActorShape a sh:NodeShape ;
    sh:targetClass gk:Actor ;
    sh:property [ sh:path skos:prefLabel ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype rdf:langString ] ;
    sh:property [ sh:path gk:country ; sh:maxCount 1 ; sh:class gk:State ] ;
    sh:property [ sh:path org:classification ; sh:maxCount 1 ;
                  sh:in ( gk:track-1 gk:track-1-5 gk:track-2 ) ] .

gksh:IssueShape a sh:NodeShape ;
    sh:targetObjectsOf gk:issue ;
    sh:class skos:Concept ;
    sh:property [ sh:path skos:prefLabel ; sh:minCount 1 ] .
"""


def generate_shapes(model: Model) -> str:
    """The Turtle text of ``ontology/shapes.ttl`` for ``model`` (deterministic)."""
    prefixes = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    prefixes += "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
    prefixes += "@prefix gksh: <https://w3id.org/graphkit/shapes#> .\n"
    blocks = []
    for kind in model.relations.values():
        props = []
        for role, spec in kind.roles.items():
            parts = [f"sh:path {shorten(spec.property)}"]
            if spec.min:
                parts.append(f"sh:minCount {spec.min}")
            if spec.max is not None:
                parts.append(f"sh:maxCount {spec.max}")
            classes = sorted({shorten(model.actor_types[t].class_iri) for t in spec.types})
            parts.append("sh:or ( " + " ".join(f"[ sh:class {c} ]" for c in classes) + " )")
            for a, b in kind.disjoint:
                if a == role:
                    parts.append(f"sh:disjoint {shorten(kind.roles[b].property)}")
            parts.append(f'sh:name "{role}"')
            props.append(parts)
        for name, cf in kind.concepts.items():
            values = " ".join(shorten(iri) for _, iri in sorted(model.schemes[cf.scheme].items()))
            parts = [f"sh:path {shorten(cf.property)}", "sh:maxCount 1", f"sh:in ( {values} )"]
            if cf.required or cf.default:
                parts.insert(1, "sh:minCount 1")
            props.append(parts + [f'sh:name "{name}"'])
        literal = model.texts["relation"]["literal"]
        for name, prop in kind.literals.items():
            props.append([f"sh:path {shorten(prop)}", "sh:maxCount 1", "sh:nodeKind sh:Literal",
                          _length(literal, name), f'sh:name "{name}"'])
        if kind.issues_property:
            parts = [f"sh:path {shorten(kind.issues_property)}", "sh:class skos:Concept"]
            if kind.issues_min:
                parts.append(f"sh:minCount {kind.issues_min}")
            props.append(parts + ['sh:name "issues"'])
        if kind.track_required:
            props.append(["sh:path gk:track", "sh:minCount 1", 'sh:name "track"'])
        name = "".join(w.capitalize() for w in kind.name.split("-"))
        body = " ;\n".join(f"    sh:property [ {' ; '.join(p)} ]" for p in props)
        blocks.append(f"# {kind.label}: {kind.doc}\ngksh:{name}Shape a sh:NodeShape ;\n"
                      f"    sh:targetClass {shorten(kind.class_iri)} ;\n{body} .\n")
    return _HEADER + "\n" + prefixes + _STATIC + _measure_shape() + _text_shapes(model) + \
        "\n# --- one shape per relation kind (from ontology/model.yaml) ---\n\n" + \
        "\n".join(blocks)


def _measure_shape() -> str:
    """Each published measure: at most one value per actor, of its datatype (from the
    registry of measures, graphkit/metrics/registry.py)."""
    from .metrics.registry import published

    props = [f"    sh:property [ sh:path gk:{m.rdf} ; sh:maxCount 1 ; sh:datatype "
             f"xsd:{'integer' if m.integer else 'decimal'} ]" for m in published()]
    return ("\n# --- network measures (from graphkit's registry of measures) ---\n"
            "gksh:ActorMeasuresShape a sh:NodeShape ;\n    sh:targetClass gk:Actor ;\n"
            + " ;\n".join(props) + " .\n")


def _length(spec, name: str) -> str:
    return (f"sh:minLength {spec.min} ; sh:maxLength {spec.max} ; "
            f'sh:message "{name}: {spec.min} to {spec.max} characters"')


def _text_shapes(model: Model) -> str:
    """The length of every text, as the model's ``texts:`` declares it."""
    out = ["\n# --- text lengths (from ontology/model.yaml, actor and texts) ---\n"]
    actor_texts = {n: f.text for n, f in model.actor_fields.items() if f.text is not None}
    for record, target in TEXT_TARGETS.items():
        props = []
        specs = actor_texts if record == "actor" else model.texts[record]
        for name, spec in specs.items():
            if spec.property is None:
                continue
            path = " ".join(shorten(p) for p in spec.property)
            path = f"( {path} )" if len(spec.property) > 1 else path
            props.append(f"    sh:property [ sh:path {path} ; {_length(spec, name)} ]")
        shape = "".join(w.capitalize() for w in record.split("-"))
        out.append(f"gksh:{shape}TextsShape a sh:NodeShape ;\n    {target} ;\n"
                   + " ;\n".join(props) + " .\n")
    return "\n".join(out)


ENGINES = ("turbo", "pyshacl")


def validate_lines(lines: list[str], locate, engine: str = "turbo") -> list[Problem]:
    """Validate the graph given as sorted N-Triples lines against ``ontology/shapes.ttl``.

    ``engine`` "turbo" runs pyshacl-turbo (a Rust engine with pySHACL's API) on a pyoxigraph
    store; "pyshacl" runs pySHACL on an rdflib graph. Both return pySHACL's report graph; the
    test suite checks that they agree.
    """
    from .to_rdf import to_rdflib, to_store

    data = to_store(lines) if engine == "turbo" else to_rdflib(lines)
    return validate_graph(data, locate, engine)


def validate_graph(data, locate, engine: str = "turbo") -> list[Problem]:
    """Run SHACL on ``data`` (an rdflib Graph, or a pyoxigraph Store for "turbo"); each
    violation becomes a Problem at the file and line of the record behind its focus node.

    ``locate(iri)`` returns ``(path, line)`` of that record, or None.
    """
    import rdflib

    shapes = SHAPES_FILE.read_text(encoding="utf-8")
    if engine == "turbo":
        import pyshacl_turbo as shacl
    elif engine == "pyshacl":
        import pyshacl as shacl
    else:
        raise ValueError(f"unknown SHACL engine {engine!r}; one of {ENGINES}")
    conforms, results, _ = shacl.validate(data, shacl_graph=shapes, shacl_graph_format="turtle",
                                          inference="none", advanced=False,
                                          allow_warnings=False)
    if conforms:
        return []
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    problems = []
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        focus = str(results.value(result, sh.focusNode))
        path = results.value(result, sh.resultPath)
        message = str(results.value(result, sh.resultMessage) or "violates a shape")
        where = locate(focus) or ("graph", 0)
        field = shorten(str(path)) if isinstance(path, rdflib.URIRef) else "shape"
        problems.append(Problem(where[0], where[1], field,
                                f"SHACL: {shorten(focus)}: {message}",
                                "the export would break the contract in ontology/shapes.ttl"))
    return sorted(set(problems))


def locator(ds) -> callable:
    """Map a focus node IRI (actor, relation or citation) to its record's file and line."""
    relations = {REL + f.key: (f.record.path, f.record.line) for f in ds.facts}
    actors = {ACTOR + a.id: (a.path, a.line) for a in ds.actors.values()}

    def locate(iri: str):
        if iri in relations:
            return relations[iri]
        if iri in actors:
            return actors[iri]
        if iri.startswith(CITE):
            key = iri[len(CITE):].removesuffix(".quote").rsplit(".", 1)[0]
            if key.startswith("actor."):
                return actors.get(ACTOR + key[len("actor."):])
            return relations.get(REL + key)
        return None

    return locate
