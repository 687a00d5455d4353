"""Checks that need no shapes: every term declared, every instance labelled in English,
every literal well-typed and of a sane length, every local reference described, at most one
label per language, no cycle of subclasses.

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
RULE_MULTIPLE_LABELS = "urn:isthmus:lint:multiple-labels"
RULE_SUBCLASS_CYCLE = "urn:isthmus:lint:subclass-cycle"
RULE_LONG_LITERAL = "urn:isthmus:lint:long-literal"

RDFS_SUBCLASS = RDFS + "subClassOf"
#: the longest literal a graph of facts and short quotes should hold (characters); longer
#: texts belong in files of their own, linked from the graph
LITERAL_LIMIT = 1_000_000


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

    from isthmus.graph import quiet_literal_warnings

    with quiet_literal_warnings():
        lit = Literal(literal.value, datatype=URIRef(literal.datatype.value), normalize=False)
    return bool(getattr(lit, "ill_typed", False))


def _multiple_labels(items: Iterable[ox.Triple]) -> list[dict]:
    """More than one label of one kind (rdfs:label, skos:prefLabel) in one language."""
    found: dict[tuple, set[str]] = {}
    for t in items:
        if t.predicate in LABELS and isinstance(t.object, ox.Literal) and isinstance(t.subject, ox.NamedNode):
            language = (t.object.language or "").lower()
            found.setdefault((t.subject.value, t.predicate.value, language), set()).add(t.object.value)
    findings = []
    for (subject, prop, language), values in sorted(found.items()):
        if len(values) > 1:
            listed = ", ".join(repr(v if len(v) <= 60 else v[:57] + "...") for v in sorted(values))
            where = f"@{language}" if language else "without a language"
            findings.append(
                dict(rule=RULE_MULTIPLE_LABELS, focus=ox.NamedNode(subject), path=prop, value=None,
                     message=f"{len(values)} labels {where} ({listed}): keep one per language, "
                             "and make the others skos:altLabel")
            )
    return findings


def _shortest_cycle(start: str, edges: dict[str, set[str]], members: set[str]) -> list[str]:
    """The shortest way from ``start`` round to itself along ``edges`` within ``members``
    (breadth first; one exists, as they are a strongly connected component)."""
    from collections import deque

    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in sorted(edges.get(node, ())):
            if nxt not in members:
                continue
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [start, *reversed(path[:-1]), start] if node != start else [start, start]
            if nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    return sorted(members)


def _subclass_cycles(items: Iterable[ox.Triple]) -> list[dict]:
    """Classes that are their own superclass through others (strongly connected
    components of rdfs:subClassOf with more than one class), each named once."""
    edges: dict[str, set[str]] = {}
    for t in items:
        if t.predicate.value == RDFS_SUBCLASS and isinstance(t.subject, ox.NamedNode) \
                and isinstance(t.object, ox.NamedNode) and t.subject != t.object:
            edges.setdefault(t.subject.value, set()).add(t.object.value)
    # Tarjan's algorithm, iterative (deep hierarchies must not hit the recursion limit)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    findings = []
    for component in sorted(components):
        way = _shortest_cycle(component[0], edges, set(component))
        shown = way if len(way) <= 12 else [*way[:5], f"… ({len(way) - 7} more)", *way[-2:]]
        round_trip = " -> ".join(shown)
        if len(set(way)) < len(component):
            round_trip += f"; the cycle takes in {len(component)} classes: " + ", ".join(component[:10])
            round_trip += ", …" if len(component) > 10 else ""
        findings.append(
            dict(rule=RULE_SUBCLASS_CYCLE, focus=ox.NamedNode(component[0]), path=RDFS_SUBCLASS, value=None,
                 message=f"rdfs:subClassOf goes round in a cycle ({round_trip}): "
                         "a class cannot be its own superclass; remove one of these links")
        )
    return findings


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
        if isinstance(o, ox.Literal) and len(o.value) > LITERAL_LIMIT:
            findings.append(
                dict(rule=RULE_LONG_LITERAL, focus=s, path=p.value, value=None,
                     message=f"a literal of {len(o.value):,} characters, more than the {LITERAL_LIMIT:,} a value may "
                             "have: keep long texts in files of their own and link to them")
            )
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
    findings += _multiple_labels([*data, *ontology])
    findings += _subclass_cycles([*data, *ontology])
    return findings
