"""Checks that need no shapes: every term declared, every instance labelled in English,
every literal well-typed, every local reference described.

Works on pyoxigraph triples; returns findings in the same form as SHACL results.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
VOID = "http://rdfs.org/ns/void#"

RDF_TYPE = ox.NamedNode(RDF + "type")
LABELS = (ox.NamedNode(RDFS + "label"), ox.NamedNode(SKOS + "prefLabel"))

_DECLARING_TYPES = {
    OWL + "Class", RDFS + "Class", RDF + "Property", RDFS + "Datatype",
    OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty",
    OWL + "TransitiveProperty", OWL + "SymmetricProperty", OWL + "FunctionalProperty",
    OWL + "InverseFunctionalProperty", OWL + "AsymmetricProperty", OWL + "ReflexiveProperty",
    OWL + "IrreflexiveProperty", OWL + "OntologyProperty",
}

RULE_UNDECLARED_CLASS = "urn:isthmus:lint:undeclared-class"
RULE_UNDECLARED_PROPERTY = "urn:isthmus:lint:undeclared-property"
RULE_NO_ENGLISH_LABEL = "urn:isthmus:lint:no-english-label"
RULE_ILL_TYPED = "urn:isthmus:lint:ill-typed-literal"
RULE_DANGLING = "urn:isthmus:lint:dangling-reference"


def _builtin_terms() -> set[str]:
    """The terms RDF, RDFS, OWL and XSD define (rdflib lists them)."""
    from rdflib.namespace import OWL as _OWL, RDF as _RDF, RDFS as _RDFS, XSD as _XSD

    terms: set[str] = set()
    for ns in (_RDF, _RDFS, _OWL, _XSD):
        terms.update(str(ns) + name for name in ns.__annotations__)
    # container membership properties rdf:_1, rdf:_2, … are built in too
    return terms


def declared_terms(ontology: Iterable[ox.Triple]) -> set[str]:
    """IRIs the ontology files declare as classes, properties or datatypes."""
    return {
        t.subject.value
        for t in ontology
        if t.predicate == RDF_TYPE and isinstance(t.subject, ox.NamedNode)
        and t.object.value in _DECLARING_TYPES
    }


def uri_space(triples: Iterable[ox.Triple]) -> str | None:
    """The dataset's ``void:uriSpace``, where the data declares one."""
    for t in triples:
        if t.predicate.value == VOID + "uriSpace" and isinstance(t.object, ox.Literal):
            return t.object.value
    return None


def _ill_typed(literal: ox.Literal) -> bool:
    from rdflib import Literal, URIRef

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lit = Literal(literal.value, datatype=URIRef(literal.datatype.value), normalize=False)
    return bool(getattr(lit, "ill_typed", False))


def lint(data: list[ox.Triple], ontology: list[ox.Triple]) -> list[dict]:
    """Findings as dicts with ``rule``, ``focus``, ``path``, ``message`` and ``value``."""
    declared = declared_terms(ontology) | _builtin_terms()
    findings: list[dict] = []
    seen_classes: set[str] = set()
    seen_props: set[str] = set()
    typed: set[str] = set()
    labelled: set[str] = set()
    subjects: set[str] = {t.subject.value for t in data if isinstance(t.subject, ox.NamedNode)}
    subjects |= {t.subject.value for t in ontology if isinstance(t.subject, ox.NamedNode)}
    space = uri_space(data)
    dangling: dict[tuple[str, str, str], object] = {}
    checked_literals: dict[tuple[str, str], bool] = {}
    for t in data:
        s, p, o = t.subject, t.predicate, t.object
        if p.value not in declared and p.value not in seen_props and not p.value.startswith(RDF + "_"):
            seen_props.add(p.value)
            findings.append(
                dict(rule=RULE_UNDECLARED_PROPERTY, focus=s, path=p.value, value=None,
                     message=f"the property {p.value} is not declared in ontology/ nor a built-in RDF, RDFS or OWL term")
            )
        if p == RDF_TYPE:
            if isinstance(s, ox.NamedNode):
                typed.add(s.value)
            if isinstance(o, ox.NamedNode) and o.value not in declared and o.value not in seen_classes:
                seen_classes.add(o.value)
                findings.append(
                    dict(rule=RULE_UNDECLARED_CLASS, focus=s, path=RDF + "type", value=o.value,
                         message=f"the class {o.value} is not declared in ontology/ nor a built-in RDF, RDFS or OWL term")
                )
        elif p in LABELS and isinstance(o, ox.Literal) and o.language and (
            o.language == "en" or o.language.startswith("en-")
        ):
            labelled.add(s.value)
        if isinstance(o, ox.Literal) and not o.language and o.datatype.value.startswith(XSD):
            key = (o.value, o.datatype.value)
            if key not in checked_literals:
                checked_literals[key] = _ill_typed(o)
            if checked_literals[key]:
                findings.append(
                    dict(rule=RULE_ILL_TYPED, focus=s, path=p.value, value=o.value,
                         message=f"{o.value!r} is not a valid xsd:{o.datatype.value.removeprefix(XSD)}")
                )
        if space and isinstance(o, ox.NamedNode) and o.value.startswith(space) and o.value not in subjects:
            dangling.setdefault((str(s), p.value, o.value), s)
    for iri in sorted(typed - labelled):
        findings.append(
            dict(rule=RULE_NO_ENGLISH_LABEL, focus=ox.NamedNode(iri), path=RDFS + "label", value=None,
                 message="every resource needs an English label (rdfs:label or skos:prefLabel with @en)")
        )
    for (_, prop, target), subject in sorted(dangling.items(), key=lambda item: item[0]):
        findings.append(
            dict(rule=RULE_DANGLING, focus=subject, path=prop, value=target,
                 message=f"{target} is referred to but never described: a typo, or a resource still to add")
        )
    return findings
