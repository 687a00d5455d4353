"""Checks on the Isthmus ontology and the files that go with it.

- ``ontology/isthmus.ttl``: header metadata, annotations of every term, and the
  OOPS! pitfalls that can be detected automatically (Poveda-Villalón et al.,
  http://oops.linkeddata.es/catalogue.jsp), one test per pitfall, named after
  its code;
- ``ontology/external.ttl``: the MIREOT-style declarations of external terms;
- ``ontology/context.jsonld``: the JSON-LD context, and the JSON-LD round trip
  of the ontology, of a hand-made sample and of the data files with it.

rdflib only. A term of the ontology ("isth term") is any IRI in the isth
namespace that isthmus.ttl types as a class, property, datatype or individual.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
import rdflib.namespace as vocabularies

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_FILE = ROOT / "ontology" / "isthmus.ttl"
EXTERNAL_FILE = ROOT / "ontology" / "external.ttl"
CONTEXT_FILE = ROOT / "ontology" / "context.jsonld"
DATA_DIR = ROOT / "data"

# Plain namespaces (rdflib's DefinedNamespace classes are used only where
# their term lists are the point, through ``vocabularies``).
RDF = Namespace(str(vocabularies.RDF))
RDFS = Namespace(str(vocabularies.RDFS))
OWL = Namespace(str(vocabularies.OWL))
XSD = Namespace(str(vocabularies.XSD))
DCTERMS = Namespace(str(vocabularies.DCTERMS))
SKOS = Namespace(str(vocabularies.SKOS))
VANN = Namespace(str(vocabularies.VANN))
ORG = Namespace(str(vocabularies.ORG))
FOAF = Namespace(str(vocabularies.FOAF))

ISTH = Namespace("https://w3id.org/isthmus/ontology#")
ONTOLOGY_IRI = URIRef("https://w3id.org/isthmus/ontology")
CC_BY_4 = URIRef("https://creativecommons.org/licenses/by/4.0/")
SCHEMA = Namespace("http://schema.org/")  # the project's schema.org namespace (http)

BUILTIN_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))

CLASS_TYPES = {OWL.Class, RDFS.Datatype}
PROPERTY_TYPES = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
DECLARATION_TYPES = CLASS_TYPES | PROPERTY_TYPES | {OWL.NamedIndividual}
EXTERNAL_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}

# Vocabularies whose term lists rdflib ships; the project's schema.org is http://.
RDFLIB_VOCABULARIES = {
    str(vocabularies.DCTERMS): vocabularies.DCTERMS,
    str(vocabularies.SKOS): vocabularies.SKOS,
    str(vocabularies.ORG): vocabularies.ORG,
    str(vocabularies.PROV): vocabularies.PROV,
    str(vocabularies.FOAF): vocabularies.FOAF,
    str(vocabularies.VOID): vocabularies.VOID,
    str(vocabularies.DCAT): vocabularies.DCAT,
    str(vocabularies.VANN): vocabularies.VANN,
    str(SCHEMA): vocabularies.SDO,
}

# Domains and ranges of external properties that isth properties are declared
# inverse of, as their vocabulary declares them (ORG: org:headOf has domain
# foaf:Agent and range org:Organization). external.ttl imports no axioms, so
# the P13 check needs them here.
EXTERNAL_SIGNATURES = {
    ORG.headOf: (FOAF.Agent, ORG.Organization),
}

# P11: properties that deliberately have no rdfs:domain, and why.
GENERIC_DOMAIN = {
    ISTH.linkStatus: "qualifies the identity link of any linked resource "
    "(actor, place, agreement, event, source …), so no class is its domain",
}

# Gaps in isthmus.ttl reported to the ontology's owner. Each is an xfail with
# strict=True: the test starts to fail ("XPASS") as soon as the gap is fixed,
# so that the entry is removed here.
KNOWN_GAPS_RANGE: dict = {}
KNOWN_GAPS_SAME_LABEL: dict = {}


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


@cache
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@cache
def external() -> Graph:
    return Graph().parse(EXTERNAL_FILE, format="turtle")


@cache
def merged() -> Graph:
    g = Graph()
    for t in ontology():
        g.add(t)
    for t in external():
        g.add(t)
    return g


def _no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ValueError(f"duplicate JSON keys: {duplicates}")
    return dict(pairs)


@cache
def context_document() -> dict:
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"), object_pairs_hook=_no_duplicate_keys)


def context() -> dict:
    return context_document()["@context"]


def in_isth(term) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(str(ISTH))


def is_builtin(term) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(BUILTIN_NAMESPACES)


@cache
def isth_terms() -> tuple[URIRef, ...]:
    """Every isth IRI that isthmus.ttl declares: class, property, datatype or individual."""
    g = ontology()
    isth_classes = {s for s in g.subjects(RDF.type, OWL.Class) if in_isth(s)}
    terms = set()
    for s, o in g.subject_objects(RDF.type):
        if in_isth(s) and (o in DECLARATION_TYPES or o in isth_classes):
            terms.add(s)
    return tuple(sorted(terms, key=str))


def terms_of_type(rdf_type) -> list[URIRef]:
    g = ontology()
    return [t for t in isth_terms() if (t, RDF.type, rdf_type) in g]


def isth_properties() -> list[URIRef]:
    return sorted(set(terms_of_type(OWL.ObjectProperty)) | set(terms_of_type(OWL.DatatypeProperty)), key=str)


def curie(term) -> str:
    return ontology().namespace_manager.normalizeUri(term) if isinstance(term, URIRef) else str(term)


def members(g: Graph, node) -> list:
    """The classes a domain or range stands for: itself, or the members of its owl:unionOf."""
    union = g.value(node, OWL.unionOf)
    return list(Collection(g, union)) if union is not None else [node]


def superclasses(g: Graph, cls) -> set:
    """cls and all its named superclasses (rdfs:subClassOf, transitively)."""
    seen, todo = {cls}, [cls]
    while todo:
        for sup in g.objects(todo.pop(), RDFS.subClassOf):
            if isinstance(sup, URIRef) and sup not in seen:
                seen.add(sup)
                todo.append(sup)
    return seen


def labels(g: Graph, term, lang: str) -> list[Literal]:
    return [o for o in g.objects(term, RDFS.label) if isinstance(o, Literal) and o.language == lang]


def test_files_parse():
    assert len(ontology()) > 0
    assert len(external()) > 0
    assert isinstance(context(), dict) and context()


# ---------------------------------------------------------------------------
# Ontology header
# ---------------------------------------------------------------------------


def test_one_ontology_header():
    assert list(ontology().subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]


def test_header_title_and_description():
    g = ontology()
    titles = {o.language: str(o) for o in g.objects(ONTOLOGY_IRI, DCTERMS.title)}
    descriptions = {o.language: str(o) for o in g.objects(ONTOLOGY_IRI, DCTERMS.description)}
    assert titles.get("en"), "dcterms:title@en missing"
    assert descriptions.get("en") and len(descriptions["en"].split()) >= 10, "dcterms:description@en missing or too short"


def test_header_creator():
    creators = list(ontology().objects(ONTOLOGY_IRI, DCTERMS.creator))
    assert creators, "dcterms:creator missing"
    for creator in creators:
        assert isinstance(creator, (URIRef, Literal)) and str(creator).strip()


def test_header_license_is_cc_by_4():
    assert list(ontology().objects(ONTOLOGY_IRI, DCTERMS.license)) == [CC_BY_4]


def test_header_version():
    g = ontology()
    version_iri = g.value(ONTOLOGY_IRI, OWL.versionIRI)
    version_info = g.value(ONTOLOGY_IRI, OWL.versionInfo)
    assert isinstance(version_iri, URIRef), "owl:versionIRI missing"
    assert isinstance(version_info, Literal) and re.fullmatch(r"\d+\.\d+\.\d+", str(version_info)), "owl:versionInfo is not x.y.z"
    assert str(version_iri) == f"{ONTOLOGY_IRI}/{version_info}", "owl:versionIRI does not end with owl:versionInfo"


def test_header_namespace_annotations():
    g = ontology()
    assert g.value(ONTOLOGY_IRI, VANN.preferredNamespacePrefix) == Literal("isth")
    assert g.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri) == Literal(str(ISTH))
    assert g.namespace_manager.store.namespace("isth") == URIRef(str(ISTH))


def test_header_dates():
    g = ontology()
    issued = g.value(ONTOLOGY_IRI, DCTERMS.issued)
    modified = g.value(ONTOLOGY_IRI, DCTERMS.modified)
    for name, value in (("dcterms:issued", issued), ("dcterms:modified", modified)):
        assert isinstance(value, Literal) and value.datatype == XSD.date, f"{name} is not an xsd:date"
    assert modified.toPython() >= issued.toPython(), "dcterms:modified is before dcterms:issued"


# ---------------------------------------------------------------------------
# Annotations of every term
# ---------------------------------------------------------------------------


def test_the_ontology_has_terms():
    # guards the parametrized tests below against an empty parametrization
    assert len(isth_terms()) >= 100
    assert len(terms_of_type(OWL.Class)) >= 40 and len(isth_properties()) >= 40


@pytest.mark.parametrize("term", isth_terms(), ids=curie)
def test_term_has_one_english_and_one_spanish_label(term):
    g = ontology()
    for lang in ("en", "es"):
        found = labels(g, term, lang)
        assert len(found) == 1, f"{curie(term)} has {len(found)} rdfs:label@{lang}"
        assert str(found[0]).strip() == str(found[0]) and str(found[0])


@pytest.mark.parametrize("term", isth_terms(), ids=curie)
def test_term_has_an_english_definition(term):
    definitions = [o for o in ontology().objects(term, SKOS.definition) if isinstance(o, Literal) and o.language == "en"]
    assert len(definitions) == 1, f"{curie(term)} has {len(definitions)} skos:definition@en"
    assert len(str(definitions[0]).split()) >= 3


@pytest.mark.parametrize("term", isth_terms(), ids=curie)
def test_term_is_defined_by_the_ontology(term):
    assert list(ontology().objects(term, RDFS.isDefinedBy)) == [ONTOLOGY_IRI]


# ---------------------------------------------------------------------------
# OOPS! pitfalls
# ---------------------------------------------------------------------------


def test_p04_unconnected_ontology_elements():
    """P04: every isth class and property is linked to the rest of the ontology."""
    g = ontology()
    connected = set()
    for s, o in g.subject_objects(RDFS.subClassOf):
        connected |= {s, o}
    for p in (RDFS.domain, RDFS.range):
        for _, o in g.subject_objects(p):
            connected.update(members(g, o))
    unconnected = [curie(c) for c in terms_of_type(OWL.Class) if c not in connected]
    assert not unconnected, f"classes linked to nothing by subClassOf/domain/range: {unconnected}"
    isolated = [
        curie(p)
        for p in isth_properties()
        if not any(g.value(p, q) is not None for q in (RDFS.domain, RDFS.range, RDFS.subPropertyOf, OWL.inverseOf))
    ]
    assert not isolated, f"properties with no domain, range, superproperty or inverse: {isolated}"


def test_p08_missing_annotations():
    """P08: no term lacks a label or a definition, and no definition merely repeats the label."""
    g = ontology()
    problems = []
    for term in isth_terms():
        label_texts = {str(o).strip().lower() for o in g.objects(term, RDFS.label)}
        definitions = [str(o).strip() for o in g.objects(term, SKOS.definition)]
        if not label_texts:
            problems.append(f"{curie(term)}: no rdfs:label")
        if not definitions:
            problems.append(f"{curie(term)}: no skos:definition")
        for d in definitions:
            if d.lower().rstrip(".") in label_texts:
                problems.append(f"{curie(term)}: definition repeats the label")
    assert not problems, problems


@pytest.mark.parametrize(
    "prop",
    [
        pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=KNOWN_GAPS_RANGE[p])) if p in KNOWN_GAPS_RANGE else p
        for p in isth_properties()
    ],
    ids=curie,
)
def test_p11_property_has_range(prop):
    """P11: every isth object and datatype property has a range."""
    assert ontology().value(prop, RDFS.range) is not None, f"{curie(prop)} has no rdfs:range"


@pytest.mark.parametrize("prop", isth_properties(), ids=curie)
def test_p11_property_has_domain(prop):
    """P11: every isth property has a domain, unless listed in GENERIC_DOMAIN (which must stay accurate)."""
    domain = ontology().value(prop, RDFS.domain)
    if prop in GENERIC_DOMAIN:
        assert domain is None, f"{curie(prop)} now has a domain: remove it from GENERIC_DOMAIN"
    else:
        assert domain is not None, f"{curie(prop)} has no rdfs:domain"


def _compatible(g: Graph, a, b) -> bool:
    """Whether class expressions a and b can describe the same individuals: every
    member of a is a subclass or superclass of some member of b (owl:Thing fits all)."""
    if a is None or b is None:
        return True
    for x in members(g, a):
        if x == OWL.Thing:
            continue
        if not any(y == OWL.Thing or y in superclasses(g, x) or x in superclasses(g, y) for y in members(g, b)):
            return False
    return True


def test_p13_inverse_relationships():
    """P13 (and P05): every owl:inverseOf is between two object properties, each
    property has at most one declared inverse, and each side's domain matches
    the other's range."""
    g = merged()
    pairs = [(p, q) for p, q in g.subject_objects(OWL.inverseOf) if in_isth(p) or in_isth(q)]
    assert pairs, "no owl:inverseOf to check"
    problems = []

    def signature(p):
        if p in EXTERNAL_SIGNATURES:
            return EXTERNAL_SIGNATURES[p]
        return g.value(p, RDFS.domain), g.value(p, RDFS.range)

    for p, q in pairs:
        if p == q and (p, RDF.type, OWL.SymmetricProperty) not in g:
            problems.append(f"{curie(p)} is its own inverse but not symmetric")
        for x in (p, q):
            if (x, RDF.type, OWL.ObjectProperty) not in g:
                problems.append(f"{curie(x)} takes part in owl:inverseOf but is not an owl:ObjectProperty")
        (p_domain, p_range), (q_domain, q_range) = signature(p), signature(q)
        if not _compatible(g, p_domain, q_range) or not _compatible(g, q_range, p_domain):
            problems.append(f"domain of {curie(p)} does not match range of {curie(q)}")
        if not _compatible(g, p_range, q_domain) or not _compatible(g, q_domain, p_range):
            problems.append(f"range of {curie(p)} does not match domain of {curie(q)}")
    for p in {p for p, _ in pairs}:
        if len(set(g.objects(p, OWL.inverseOf))) > 1:
            problems.append(f"{curie(p)} has several inverses")
    assert not problems, problems


def test_p19_multiple_domains_or_ranges():
    """P19: no property has two rdfs:domain or two rdfs:range triples (use owl:unionOf)."""
    g = ontology()
    problems = [
        f"{curie(p)} has {n} {curie(q)}"
        for p in isth_properties() + terms_of_type(OWL.AnnotationProperty)
        for q in (RDFS.domain, RDFS.range)
        if (n := len(list(g.objects(p, q)))) > 1
    ]
    assert not problems, problems


def test_p22_inconsistent_naming():
    """P22: classes, datatypes and individuals UpperCamelCase; properties lowerCamelCase."""
    g = ontology()
    upper, lower = re.compile(r"[A-Z][A-Za-z0-9]*"), re.compile(r"[a-z][A-Za-z0-9]*")
    problems = []
    for term in isth_terms():
        name = str(term)[len(str(ISTH)) :]
        is_property = any((term, RDF.type, t) in g for t in PROPERTY_TYPES)
        pattern = lower if is_property else upper
        if not pattern.fullmatch(name):
            problems.append(f"{curie(term)} should be {'lowerCamelCase' if is_property else 'UpperCamelCase'}")
    assert not problems, problems


@pytest.mark.parametrize(
    "lang",
    [
        pytest.param(lang, marks=pytest.mark.xfail(strict=True, reason=KNOWN_GAPS_SAME_LABEL[lang]))
        if lang in KNOWN_GAPS_SAME_LABEL
        else lang
        for lang in ("en", "es")
    ],
)
def test_p30_equivalent_classes_not_explicitly_declared(lang):
    """P30 (heuristic): two classes, or two properties, with the same label in one
    language are either the same concept (declare owl:equivalentClass) or need
    telling apart."""
    g = ontology()
    problems = []
    for kind in ([OWL.Class, RDFS.Datatype], [OWL.ObjectProperty, OWL.DatatypeProperty], [OWL.NamedIndividual]):
        seen: dict[str, URIRef] = {}
        for term in isth_terms():
            if not any((term, RDF.type, t) in g for t in kind):
                continue
            for label in labels(g, term, lang):
                key = str(label).strip().lower()
                other = seen.setdefault(key, term)
                if other != term and (term, OWL.equivalentClass, other) not in g and (other, OWL.equivalentClass, term) not in g:
                    problems.append(f"{curie(other)} and {curie(term)} are both '{label}'@{lang}")
    assert not problems, problems


def _class_positions(g: Graph):
    for p in (RDFS.subClassOf, RDFS.domain, RDFS.range, OWL.equivalentClass, OWL.disjointWith):
        for s, o in g.subject_objects(p):
            if p == RDFS.subClassOf or p == OWL.equivalentClass or p == OWL.disjointWith:
                yield from members(g, s)
            yield from members(g, o)
    for s, o in g.subject_objects(RDF.type):
        if o not in DECLARATION_TYPES and not is_builtin(o):
            yield o


def _property_positions(g: Graph):
    for _, p, _ in g:
        yield p
    for q in (RDFS.subPropertyOf, OWL.inverseOf, OWL.equivalentProperty):
        for s, o in g.subject_objects(q):
            yield s
            yield o
    yield from g.objects(None, OWL.onProperty)


def test_p34_untyped_classes():
    """P34: every IRI that isthmus.ttl uses as a class is declared a class (isthmus.ttl or external.ttl)."""
    g, m = ontology(), merged()
    untyped = sorted(
        {
            curie(c)
            for c in _class_positions(g)
            if isinstance(c, URIRef) and not is_builtin(c) and not any((c, RDF.type, t) in m for t in CLASS_TYPES)
        }
    )
    assert not untyped, f"used as classes but not declared: {untyped}"


def test_p35_untyped_properties():
    """P35: every IRI that isthmus.ttl uses as a property is declared a property (isthmus.ttl or external.ttl)."""
    g, m = ontology(), merged()
    untyped = sorted(
        {
            curie(p)
            for p in _property_positions(g)
            if isinstance(p, URIRef) and not is_builtin(p) and not any((p, RDF.type, t) in m for t in PROPERTY_TYPES)
        }
    )
    assert not untyped, f"used as properties but not declared: {untyped}"


def test_every_vocabulary_term_used_is_declared():
    """P34/P35 in general: every IRI isthmus.ttl mentions (as subject, predicate or
    object) in the namespace of a vocabulary it binds a prefix for — other than
    rdf, rdfs, owl and xsd, and other than a namespace IRI itself, as in
    dcterms:references — is declared in isthmus.ttl or external.ttl."""
    g, m = ontology(), merged()
    namespaces = {str(ns) for _, ns in g.namespaces() if not str(ns).startswith(BUILTIN_NAMESPACES)}
    assert str(ISTH) in namespaces and str(SKOS) in namespaces
    used = {t for triple in g for t in triple if isinstance(t, URIRef)}
    undeclared = sorted(
        curie(t)
        for t in used
        if any(str(t).startswith(ns) and str(t) != ns for ns in namespaces)
        and not any((t, RDF.type, d) in m for d in DECLARATION_TYPES)
        and not any((t, RDF.type, c) in m for c in m.subjects(RDF.type, OWL.Class) if in_isth(c))
    )
    assert not undeclared, f"used but not declared: {undeclared}"


def test_p41_no_license():
    """P41: the ontology names its licence by IRI."""
    licences = [o for o in ontology().objects(ONTOLOGY_IRI, DCTERMS.license)]
    assert licences and all(isinstance(o, URIRef) and str(o).startswith(("http://", "https://")) for o in licences)


# ---------------------------------------------------------------------------
# External terms (ontology/external.ttl)
# ---------------------------------------------------------------------------


def external_terms() -> list[URIRef]:
    g = external()
    return sorted({s for s in g.subjects() if isinstance(s, URIRef)}, key=str)


def test_external_declares_terms():
    assert len(external_terms()) >= 50


@pytest.mark.parametrize("term", external_terms(), ids=lambda t: external().namespace_manager.normalizeUri(t))
def test_external_declaration(term):
    g = external()
    types = set(g.objects(term, RDF.type))
    assert len(types) == 1 and types <= EXTERNAL_TYPES, f"rdf:type {types}"
    english = labels(g, term, "en")
    assert len(english) == 1 and str(english[0]).strip(), "needs exactly one rdfs:label@en"
    defined_by = list(g.objects(term, RDFS.isDefinedBy))
    assert len(defined_by) == 1 and isinstance(defined_by[0], URIRef), "needs exactly one rdfs:isDefinedBy IRI"
    assert str(term).startswith(str(defined_by[0])) and str(term) != str(defined_by[0]), "not in the namespace it is defined by"
    assert not in_isth(term) and not is_builtin(term), "isth and built-in terms are not declared in external.ttl"


def test_external_imports_no_axioms():
    """MIREOT: declarations only — type, label and isDefinedBy — so that nothing is inferred from them."""
    extra = sorted({curie(p) for p in external().predicates()} - {curie(RDF.type), curie(RDFS.label), curie(RDFS.isDefinedBy)})
    assert not extra, f"external.ttl states more than declarations: {extra}"


def test_external_not_redeclared_in_ontology():
    g = ontology()
    clashes = [curie(t) for t in external_terms() if (t, RDF.type, None) in g]
    assert not clashes, f"declared in both files: {clashes}"


def test_external_terms_exist_in_their_vocabulary():
    """Spelling: every term of a vocabulary that rdflib ships a term list for is in that list."""
    checked, unknown = 0, []
    for term in external_terms():
        for ns, vocabulary in RDFLIB_VOCABULARIES.items():
            if str(term).startswith(ns):
                checked += 1
                name = str(term)[len(ns) :]
                if URIRef(str(vocabulary) + name) not in vocabulary:
                    unknown.append(curie(term))
    assert checked >= 40
    assert not unknown, f"not in their vocabulary: {unknown}"


def test_external_types_fit_how_isthmus_uses_them():
    """OWL 2 DL: a superproperty has the kind of its subproperties, a superclass is a
    class, and what annotates the ontology header is an annotation property."""
    g, m = ontology(), merged()
    problems = []
    for sub, sup in g.subject_objects(RDFS.subPropertyOf):
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
            if (sub, RDF.type, kind) in g and (sup, RDF.type, kind) not in m:
                problems.append(f"{curie(sup)} must be an {curie(kind)} ({curie(sub)} specializes it)")
    for p in set(g.predicates(ONTOLOGY_IRI)):
        if not is_builtin(p) and (p, RDF.type, OWL.AnnotationProperty) not in m:
            problems.append(f"{curie(p)} annotates the ontology header but is not an owl:AnnotationProperty")
    for p, q in g.subject_objects(OWL.inverseOf):
        for x in (p, q):
            if (x, RDF.type, OWL.ObjectProperty) not in m:
                problems.append(f"{curie(x)} must be an owl:ObjectProperty (owl:inverseOf)")
    assert not problems, problems


# ---------------------------------------------------------------------------
# JSON-LD context (ontology/context.jsonld)
# ---------------------------------------------------------------------------


def context_prefixes() -> dict[str, str]:
    return {k: v for k, v in context().items() if isinstance(v, str) and not k.startswith("@") and v.endswith(("/", "#"))}


def context_terms() -> dict[str, dict]:
    """Every key that defines a term (not a keyword alias or a prefix), as an expanded definition."""
    terms = {}
    for key, value in context().items():
        if key.startswith("@") or key in context_prefixes() or (isinstance(value, str) and value.startswith("@")):
            continue
        terms[key] = value if isinstance(value, dict) else {"@id": value}
    return terms


def expand(compact: str) -> URIRef:
    prefix, sep, rest = compact.partition(":")
    if sep and prefix in context_prefixes() and not rest.startswith("//"):
        return URIRef(context_prefixes()[prefix] + rest)
    return URIRef(compact)


def test_context_keywords_and_version():
    ctx = context()
    assert ctx.get("@version") == 1.1
    assert ctx.get("id") == "@id" and ctx.get("type") == "@type"


def test_context_prefixes_agree_with_ontology():
    # read from the file: rdflib's own default bindings (schema: is https) would blur them
    ontology_prefixes = dict(re.findall(r"@prefix\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>", ONTOLOGY_FILE.read_text(encoding="utf-8")))
    prefixes = context_prefixes()
    wrong = {p: iri for p, iri in prefixes.items() if p in ontology_prefixes and ontology_prefixes[p] != iri}
    assert not wrong, f"prefixes bound differently from isthmus.ttl: {wrong}"
    assert len(set(prefixes.values())) == len(prefixes), "two prefixes for one namespace"
    assert prefixes.get("isth") == str(ISTH) and prefixes.get("schema") == str(SCHEMA)


def test_context_keys_expand_to_declared_terms():
    m = merged()
    declared = {s for s, o in m.subject_objects(RDF.type) if o in DECLARATION_TYPES}
    builtin = {str(RDF): vocabularies.RDF, str(RDFS): vocabularies.RDFS, str(OWL): vocabularies.OWL}
    problems = []
    for key, definition in context_terms().items():
        iri = expand(definition["@id"])
        ns = next((ns for ns in builtin if str(iri).startswith(ns)), None)
        if ns is not None:
            if iri not in builtin[ns]:
                problems.append(f"{key} -> {iri}: not an {ns} term")
        elif iri not in declared:
            problems.append(f"{key} -> {iri}: not declared in isthmus.ttl or external.ttl")
    assert not problems, problems


def test_context_one_key_per_term():
    seen: dict[URIRef, str] = {}
    clashes = []
    for key, definition in context_terms().items():
        iri = expand(definition["@id"])
        if iri in seen:
            clashes.append(f"{seen[iri]} and {key} both expand to {iri}")
        seen[iri] = key
    assert not clashes, clashes


def test_context_has_a_key_for_every_isth_class_and_property():
    terms = context_terms()
    missing = [
        curie(t)
        for t in terms_of_type(OWL.Class) + isth_properties()
        if expand(terms.get(str(t)[len(str(ISTH)) :], {}).get("@id", "")) != t
    ]
    assert not missing, f"no key named after: {missing}"


def test_context_coercion_follows_property_types():
    """@type @id only on keys whose values are resources; no key forces a datatype
    (dates mix xsd:date, xsd:gYearMonth and xsd:gYear); @list only on bibo:authorList;
    language maps (@container @language) only on text properties."""
    m = merged()
    problems = []
    for key, definition in context_terms().items():
        iri = expand(definition["@id"])
        coercion = definition.get("@type")
        if coercion not in (None, "@id"):
            problems.append(f"{key} forces @type {coercion}")
        if coercion == "@id" and (iri, RDF.type, OWL.DatatypeProperty) in m:
            problems.append(f"{key} coerces to @id but {curie(iri)} is a datatype property")
        if coercion is None and (iri, RDF.type, OWL.ObjectProperty) in m and in_isth(iri):
            problems.append(f"{key} ({curie(iri)}, an object property) is not coerced to @id")
        container = definition.get("@container")
        is_list = iri == URIRef("http://purl.org/ontology/bibo/authorList")
        if is_list and container != "@list":
            problems.append(f"{key} must be an @list container")
        elif not is_list and container not in (None, "@language"):
            problems.append(f"{key} has an unexpected @container {container}")
        if container == "@language" and ((iri, RDF.type, OWL.ObjectProperty) in m or coercion is not None):
            problems.append(f"{key}: a language map only suits text values")
        if definition.get("@language") is not None:
            problems.append(f"{key} sets a default language")
    assert not problems, problems


SAMPLE = """
@prefix isth:    <https://w3id.org/isthmus/ontology#> .
@prefix actor:   <https://w3id.org/isthmus/id/actor/> .
@prefix source:  <https://w3id.org/isthmus/id/source/> .
@prefix author:  <https://w3id.org/isthmus/id/author/> .
@prefix figure:  <https://w3id.org/isthmus/id/figure/> .
@prefix event:   <https://w3id.org/isthmus/id/event/> .
@prefix topic:   <https://w3id.org/isthmus/id/topic/> .
@prefix unit:    <https://w3id.org/isthmus/id/unit/> .
@prefix citation: <https://w3id.org/isthmus/id/citation/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema:  <http://schema.org/> .
@prefix fabio:   <http://purl.org/spar/fabio/> .
@prefix cito:    <http://purl.org/spar/cito/> .
@prefix bibo:    <http://purl.org/ontology/bibo/> .
@prefix wd:      <http://www.wikidata.org/entity/> .

actor:mexico a isth:State ;
    rdfs:label "Mexico"@en , "México"@es ;
    skos:altLabel "MX"@en ;
    owl:sameAs wd:Q96 ;
    isth:linkStatus "confirmed" ;
    isth:topic topic:migration , topic:organized-crime .

event:san-fernando-massacre-2010 a isth:Massacre ;
    rdfs:label "San Fernando massacre"@en ;
    isth:date "2010"^^xsd:gYear ;
    isth:startDate "2010-08"^^xsd:gYearMonth , "2010-08-22"^^xsd:date ;
    skos:editorialNote "Two precisions of one start, for the test."@en .

source:manukhin-robles-herrera-2019 a isth:Source , fabio:JournalArticle ;
    dcterms:title "Mexico's Evolving Security Cooperation Policy in Central America"@en ;
    bibo:doi "10.21638/11701/spbu06.2019.204" ;
    bibo:authorList ( author:manukhin-a author:robles-herrera-a ) ;
    dcterms:creator author:manukhin-a , author:robles-herrera-a ;
    dcterms:issued "2019"^^xsd:gYear ;
    dcterms:dateSubmitted "2018-11-20"^^xsd:date ;
    schema:keywords "Mexico"@en , "Central America"@en ;
    isth:referenceNumber "1"^^xsd:positiveInteger ;
    cito:cites source:ref-16 .

figure:san-fernando-victims a isth:Figure ;
    schema:value 72.0 ;
    isth:valueAsPrinted "72" ;
    isth:unit unit:person ;
    isth:about event:san-fernando-massacre-2010 ;
    isth:date "2010"^^xsd:gYear .

citation:ref-16-p178-180 a isth:Citation ;
    isth:statedIn source:manukhin-robles-herrera-2019 ;
    cito:hasCitedEntity source:ref-16 ;
    isth:citedPages "p. 178–180" ;
    isth:quote "The international community was shaken by the killing of 72 migrants"@en ;
    isth:supports event:san-fernando-massacre-2010 , figure:san-fernando-victims , "a literal where a resource is expected" ;
    dcterms:description [ rdfs:label "a blank node"@en ] .
"""


def round_trip(g: Graph) -> tuple[Graph, str]:
    text = g.serialize(format="json-ld", context=context(), auto_compact=True)
    return Graph().parse(data=text, format="json-ld"), text


def assert_isomorphic(g: Graph, back: Graph, what: str):
    if not isomorphic(g, back):
        _, only_in, only_out = graph_diff(to_isomorphic(g), to_isomorphic(back))
        pytest.fail(
            f"JSON-LD round trip of {what} is not isomorphic: "
            f"lost {sorted(map(str, only_in))[:5]}, gained {sorted(map(str, only_out))[:5]}"
        )


@pytest.mark.parametrize("path", [ONTOLOGY_FILE, EXTERNAL_FILE], ids=lambda p: p.name)
def test_jsonld_round_trip_of_the_ontology(path):
    g = Graph().parse(path, format="turtle")
    back, _ = round_trip(g)
    assert len(back) == len(g)
    assert_isomorphic(g, back, path.name)


def test_jsonld_round_trip_of_a_sample():
    g = Graph().parse(data=SAMPLE, format="turtle")
    back, text = round_trip(g)
    assert_isomorphic(g, back, "the sample")
    # the context is actually used: readable keys, the author list kept as a list
    doc = json.loads(text)
    nodes = {str(expand(n["id"])): n for n in doc["@graph"]}
    article = nodes["https://w3id.org/isthmus/id/source/manukhin-robles-herrera-2019"]
    authors = [str(expand(a)) for a in article["authorList"]]
    assert authors == ["https://w3id.org/isthmus/id/author/manukhin-a", "https://w3id.org/isthmus/id/author/robles-herrera-a"]
    mexico = nodes["https://w3id.org/isthmus/id/actor/mexico"]
    assert mexico["type"] == "State" and mexico["sameAs"] == "wd:Q96"
    assert {"label", "topic", "linkStatus"} <= set(mexico)
    assert "https://w3id.org/isthmus/ontology#" not in text.split('"@graph"')[1]


DATA_FILES = sorted(DATA_DIR.glob("*.ttl")) if DATA_DIR.is_dir() else []


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_jsonld_round_trip_of_data(path):
    g = Graph().parse(path, format="turtle")
    back, _ = round_trip(g)
    assert_isomorphic(g, back, path.name)
