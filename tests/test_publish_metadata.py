"""The release metadata: VoID (void.ttl, .well-known/void), DCAT (catalog.ttl,
catalog.jsonld) and the schema.org Dataset of the landing page.

Every number and coverage the builders state is recounted here from the data files,
independently, with rdflib; nothing depends on the size of the current data. The site
renderer is not involved: the release gets its dumps from ``write_distributions`` and
then only the metadata writers run.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib.namespace as vocabularies
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.util import guess_format

from isthmus.graph import to_rdflib
from isthmus.project import Project
from isthmus.publish import dcat, schemaorg, void
from isthmus.publish.release import prepare, write_distributions
from support import ROOT

# Plain namespaces; rdflib's DefinedNamespace classes (``vocabularies``) are used where their
# term lists are the point (test_metadata_uses_only_declared_terms).
RDF, RDFS, OWL, XSD = (Namespace(str(ns)) for ns in (vocabularies.RDF, vocabularies.RDFS, vocabularies.OWL, vocabularies.XSD))
VOID, DCAT, DCTERMS, FOAF, SKOS = (Namespace(str(ns)) for ns in (vocabularies.VOID, vocabularies.DCAT, vocabularies.DCTERMS,
                                                                  vocabularies.FOAF, vocabularies.SKOS))
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SCHEMA = Namespace("http://schema.org/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
WD = "http://www.wikidata.org/entity/"
IANA = "https://www.iana.org/assignments/media-types/"
LINK_PREDICATES = {OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch}
TODAY = "2026-01-01"


# --- fixtures -------------------------------------------------------------------------------


def _release(root: Path, **options):
    release = prepare(Project(ROOT), today=TODAY, **options)
    write_distributions(release, root, "isthmus")
    return release


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A release folder with dumps, void.ttl, .well-known/void and the catalog."""
    root = tmp_path_factory.mktemp("release")
    release = _release(root)
    void.write(release, root)
    dcat.write(release, root)
    return release, root


@pytest.fixture(scope="module")
def release(built):
    return built[0]


@pytest.fixture(scope="module")
def folder(built):
    return built[1]


@pytest.fixture(scope="module")
def data() -> Graph:
    """The data files, parsed by rdflib (independently of the toolkit's loader)."""
    g = Graph()
    for path in Project(ROOT).data_files:
        g.parse(path, format=guess_format(str(path)) or "turtle")
    return g


@pytest.fixture(scope="module")
def ontology() -> Graph:
    g = Graph()
    for path in Project(ROOT).ontology_files:
        g.parse(path, format=guess_format(str(path)) or "turtle")
    return g


@pytest.fixture(scope="module")
def void_graph(folder) -> Graph:
    return Graph().parse(folder / "void.ttl", format="turtle")


@pytest.fixture(scope="module")
def catalog(folder) -> Graph:
    return Graph().parse(folder / "catalog.ttl", format="turtle")


@pytest.fixture(scope="module")
def schema_doc(release) -> dict:
    return schemaorg.dataset(release)


def integer(g: Graph, subject, predicate) -> int:
    values = list(g.objects(subject, predicate))
    assert len(values) == 1, f"{subject} has {len(values)} values of {predicate}"
    assert isinstance(values[0], Literal) and values[0].datatype == XSD.integer
    return int(values[0])


def sub_properties(ontology: Graph, *roots) -> set:
    found = set(roots)
    for root in roots:
        found |= set(ontology.transitive_subjects(RDFS.subPropertyOf, root))
    return found


# --- VoID -----------------------------------------------------------------------------------


def test_void_dataset_counts(release, data, void_graph):
    ds = URIRef(release.dataset)
    assert (ds, RDF.type, VOID.Dataset) in void_graph
    assert integer(void_graph, ds, VOID.triples) == len(data)
    assert integer(void_graph, ds, VOID.entities) == len({s for s in data.subjects() if isinstance(s, URIRef)})
    assert integer(void_graph, ds, VOID.classes) == len(set(data.objects(None, RDF.type)))
    assert integer(void_graph, ds, VOID.properties) == len(set(data.predicates()))
    assert integer(void_graph, ds, VOID.distinctSubjects) == len(set(data.subjects()))
    assert integer(void_graph, ds, VOID.distinctObjects) == len(set(data.objects()))


def test_void_class_partitions(release, data, void_graph):
    partitions = list(void_graph.objects(URIRef(release.dataset), VOID.classPartition))
    seen = {}
    for part in partitions:
        assert isinstance(part, URIRef) and str(part).startswith(release.dataset.split("#")[0] + "#")
        (cls,) = void_graph.objects(part, VOID["class"])
        seen[cls] = integer(void_graph, part, VOID.entities)
    assert set(seen) == set(data.objects(None, RDF.type))
    for cls, count in seen.items():
        assert count == len({s for s in data.subjects(RDF.type, cls) if isinstance(s, URIRef)}), cls


def test_void_property_partitions(release, data, void_graph):
    partitions = list(void_graph.objects(URIRef(release.dataset), VOID.propertyPartition))
    seen = set()
    for part in partitions:
        (prop,) = void_graph.objects(part, VOID.property)
        seen.add(prop)
        used = list(data.triples((None, prop, None)))
        assert integer(void_graph, part, VOID.triples) == len(used), prop
        assert integer(void_graph, part, VOID.distinctSubjects) == len({s for s, _, _ in used}), prop
        assert integer(void_graph, part, VOID.distinctObjects) == len({o for _, _, o in used}), prop
    assert seen == set(data.predicates())


def test_void_linksets_count_the_wikidata_links(release, data, void_graph):
    ds = URIRef(release.dataset)
    links = defaultdict(int)
    for s, p, o in data:
        if p in LINK_PREDICATES and isinstance(o, URIRef) and str(o).startswith(WD) and len(str(o)) > len(WD):
            links[p] += 1
    linksets = set(void_graph.subjects(RDF.type, VOID.Linkset))
    assert len(linksets) == len(links)
    counted = {}
    for linkset in linksets:
        (predicate,) = void_graph.objects(linkset, VOID.linkPredicate)
        counted[predicate] = integer(void_graph, linkset, VOID.triples)
        (subjects,) = void_graph.objects(linkset, VOID.subjectsTarget)
        (objects,) = void_graph.objects(linkset, VOID.objectsTarget)
        assert subjects == ds and objects != ds
        assert set(void_graph.objects(linkset, VOID.target)) == {ds, objects}
        assert (objects, RDF.type, VOID.Dataset) in void_graph
        assert str(void_graph.value(objects, VOID.uriSpace)) == WD
        assert (ds, VOID.subset, linkset) in void_graph
    assert counted == dict(links)


def test_void_copies_the_dataset_description(release, data, void_graph):
    ds = URIRef(release.dataset)
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.license, VOID.uriSpace, VOID.exampleResource):
        assert set(void_graph.objects(ds, predicate)) == set(data.objects(ds, predicate)), predicate
    assert void_graph.value(ds, DCTERMS.modified) == Literal(TODAY, datatype=XSD.date)


def test_void_dumps_features_and_vocabularies(release, data, void_graph):
    ds = URIRef(release.dataset)
    dumps = {URIRef(release.url(d.path)) for d in release.distributions if d.role == "data"}
    assert dumps and set(void_graph.objects(ds, VOID.dataDump)) == dumps
    features = {str(f) for f in void_graph.objects(ds, VOID.feature)}
    assert features == {void.FORMAT_FEATURES[d.media_type] for d in release.distributions
                        if d.role == "data" and d.media_type in void.FORMAT_FEATURES}
    assert all(f.startswith("http://www.w3.org/ns/formats/") for f in features)
    vocabularies_used = [str(v) for v in void_graph.objects(ds, VOID.vocabulary)]
    for term in set(data.predicates()) | set(data.objects(None, RDF.type)):
        assert any(str(term).startswith(v) for v in vocabularies_used), f"no void:vocabulary covers {term}"
    assert (ds, VOID.sparqlEndpoint, None) not in void_graph  # none configured


def test_void_sparql_endpoint_when_configured(tmp_path):
    endpoint = "http://127.0.0.1:7878/query"
    release = _release(tmp_path, sparql_endpoint=endpoint)
    g = to_rdflib(void.build(release))
    assert (URIRef(release.dataset), VOID.sparqlEndpoint, URIRef(endpoint)) in g


def test_well_known_void_is_void_ttl(folder):
    assert (folder / ".well-known" / "void").read_bytes() == (folder / "void.ttl").read_bytes()


# --- DCAT -----------------------------------------------------------------------------------


def test_catalog_lists_the_dataset(release, catalog):
    cat = URIRef(release.landing + "catalog")
    assert (cat, RDF.type, DCAT.Catalog) in catalog
    assert (cat, DCAT.dataset, URIRef(release.dataset)) in catalog
    assert list(catalog.objects(cat, DCTERMS.title))


def test_catalog_dataset_has_the_required_properties(release, data, catalog):
    ds = URIRef(release.dataset)
    assert (ds, RDF.type, DCAT.Dataset) in catalog
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.identifier, DCAT.version, DCTERMS.issued,
                      DCTERMS.modified, DCTERMS.creator, DCTERMS.publisher, DCAT.contactPoint, DCAT.keyword,
                      DCAT.theme, DCTERMS.spatial, DCTERMS.temporal, DCTERMS.language, DCTERMS.license,
                      DCAT.landingPage, DCTERMS.source, DCAT.distribution):
        assert list(catalog.objects(ds, predicate)), f"the dataset has no {predicate}"
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.source, DCAT.keyword,
                      DCTERMS.language, DCTERMS.creator, DCTERMS.publisher, DCAT.contactPoint):
        assert set(catalog.objects(ds, predicate)) == set(data.objects(ds, predicate)), predicate
    assert catalog.value(ds, DCAT.version) == Literal(release.version)
    assert catalog.value(ds, DCTERMS.modified) == Literal(TODAY, datatype=XSD.date)
    for agent in set(catalog.objects(ds, DCTERMS.creator)) | set(catalog.objects(ds, DCTERMS.publisher)):
        assert catalog.value(agent, FOAF.name) is not None, f"agent {agent} has no foaf:name"
    for contact in catalog.objects(ds, DCAT.contactPoint):
        assert catalog.value(contact, VCARD.fn) is not None


def test_catalog_themes_are_the_topics_used(release, data, catalog):
    topic = URIRef(release.vocab.topic)
    used = {o for o in data.objects(None, topic) if isinstance(o, URIRef)}
    assert set(catalog.objects(URIRef(release.dataset), DCAT.theme)) == used
    schemes = {s for concept in used for s in data.objects(concept, SKOS.inScheme)}
    assert set(catalog.objects(URIRef(release.landing + "catalog"), DCAT.themeTaxonomy)) == schemes


def _span(value: Literal):
    """(first day, last day) as (y, m, d) of a date, month or year literal, or None."""
    text, kind = str(value), value.datatype
    patterns = {XSD.gYear: r"(-?\d{4,})", XSD.gYearMonth: r"(-?\d{4,})-(\d\d)", XSD.date: r"(-?\d{4,})-(\d\d)-(\d\d)",
                XSD.dateTime: r"(-?\d{4,})-(\d\d)-(\d\d)T"}
    match = re.match(patterns[kind], text) if kind in patterns else None
    if not match:
        return None
    y, m, d = ([int(x) for x in match.groups()] + [0, 0])[:3]
    return (y, m or 1, d or 1), (y, m or 12, d or 31)


def test_catalog_temporal_coverage_is_the_min_and_max_date(release, data, ontology, catalog):
    props = sub_properties(ontology, DCTERMS.date, SCHEMA.startDate, SCHEMA.endDate)
    ds = URIRef(release.dataset)
    values = {o for p in props for s, o in data.subject_objects(p)
              if s != ds and isinstance(o, Literal) and _span(o) is not None}
    assert values, "the data has no dates"
    (period,) = catalog.objects(ds, DCTERMS.temporal)
    assert (period, RDF.type, DCTERMS.PeriodOfTime) in catalog
    start, end = catalog.value(period, DCAT.startDate), catalog.value(period, DCAT.endDate)
    assert start in values and end in values, "start and end are dates of the data, typed as there"
    assert all(_span(start)[0] <= _span(v)[0] for v in values)
    assert all(_span(end)[1] >= _span(v)[1] for v in values)


def test_catalog_spatial_coverage_follows_the_rule(release, data, ontology, catalog):
    ds = URIRef(release.dataset)
    props = sub_properties(ontology, DCTERMS.spatial, SEM.hasPlace)
    users = defaultdict(set)
    for p in props:
        for s, o in data.subject_objects(p):
            if isinstance(o, URIRef) and s != ds:
                users[o].add(s)
    total = len(set().union(*users.values()))
    places = set(catalog.objects(ds, DCTERMS.spatial))
    assert places, "no spatial coverage"
    assert max(users, key=lambda p: (len(users[p]), str(p))) in places, "the most used place is covered"
    within = sub_properties(ontology, SCHEMA.containedInPlace)
    for place in places:
        assert len(users[place]) >= dcat.SPATIAL_SHARE * total
        assert catalog.value(place, RDFS.label) is not None
        ancestors = set()
        for p in within:
            ancestors |= set(data.transitive_objects(place, p)) - {place}
        assert not [a for a in ancestors if a in places and len(users[a]) > len(users[place])], place


def test_one_distribution_per_file(release, folder, catalog):
    ds = URIRef(release.dataset)
    nodes = set(catalog.subjects(RDF.type, DCAT.Distribution))
    assert set(catalog.objects(ds, DCAT.distribution)) == nodes
    assert len(nodes) == len(release.distributions) > 0
    by_url = {catalog.value(n, DCAT.downloadURL): n for n in nodes}
    for dist in release.distributions:
        url = URIRef(release.url(dist.path))
        node = by_url[url]
        payload = (folder / dist.path).read_bytes()
        assert catalog.value(node, DCAT.accessURL) == url
        assert catalog.value(node, DCAT.mediaType) == URIRef(IANA + dist.media_type)
        assert catalog.value(node, DCTERMS["format"]) is not None
        assert catalog.value(node, DCTERMS.title) is not None
        assert catalog.value(node, DCTERMS.license) is not None
        size = catalog.value(node, DCAT.byteSize)
        assert size.datatype == XSD.nonNegativeInteger and int(size) == len(payload), dist.path
        (checksum,) = catalog.objects(node, SPDX.checksum)
        assert (checksum, RDF.type, SPDX.Checksum) in catalog
        assert catalog.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        value = catalog.value(checksum, SPDX.checksumValue)
        assert value.datatype == XSD.hexBinary and str(value) == hashlib.sha256(payload).hexdigest(), dist.path


def test_catalog_data_service_when_an_endpoint_is_configured(tmp_path):
    endpoint = "http://127.0.0.1:7878/query"
    release = _release(tmp_path, sparql_endpoint=endpoint)
    dcat.write(release, tmp_path)
    g = Graph().parse(tmp_path / "catalog.ttl", format="turtle")
    (service,) = g.subjects(RDF.type, DCAT.DataService)
    assert g.value(service, DCAT.endpointURL) == URIRef(endpoint)
    assert g.value(service, DCAT.servesDataset) == URIRef(release.dataset)
    assert (URIRef(release.landing + "catalog"), DCAT.service, service) in g


def test_no_data_service_without_an_endpoint(catalog):
    assert not list(catalog.subjects(RDF.type, DCAT.DataService))


def test_catalog_jsonld_is_the_same_graph(folder, catalog):
    document = json.loads((folder / "catalog.jsonld").read_text(encoding="utf-8"))
    assert isinstance(document["@context"], dict) and document["@graph"]
    assert isomorphic(Graph().parse(data=json.dumps(document), format="json-ld"), catalog)


# --- schema.org -----------------------------------------------------------------------------


def test_schemaorg_required_fields(release, schema_doc):
    assert schema_doc["@context"] == "https://schema.org/"
    assert schema_doc["@type"] == "Dataset"
    assert schema_doc["name"].strip()
    assert 50 <= len(schema_doc["description"]) <= 5000


def _url(value) -> bool:
    return isinstance(value, str) and re.match(r"^https?://[^\s]+$", value) is not None


def _many(value) -> list:
    return value if isinstance(value, list) else [value]


def test_schemaorg_recommended_fields(release, data, schema_doc):
    ds = URIRef(release.dataset)
    assert _url(schema_doc["url"])
    assert schema_doc["identifier"] == release.dataset
    licences = {str(o) for o in data.objects(ds, DCTERMS.license)}
    assert set(_many(schema_doc["license"])) == licences and all(_url(v) for v in licences)
    assert schema_doc["isAccessibleForFree"] is True
    assert schema_doc["keywords"] and all(isinstance(k, str) and k for k in schema_doc["keywords"])
    assert schema_doc["version"] == release.version
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", schema_doc["datePublished"])
    assert schema_doc["dateModified"] == TODAY
    for key in ("creator", "publisher"):
        for agent in _many(schema_doc[key]):
            assert agent["@type"] in ("Person", "Organization") and agent["name"] and _url(agent["url"])
    assert "funder" not in schema_doc  # not known
    for place in _many(schema_doc["spatialCoverage"]):
        assert place["@type"] == "Place" and place["name"]
    catalogue = schema_doc["includedInDataCatalog"]
    assert catalogue["@type"] == "DataCatalog" and catalogue["@id"] == release.landing + "catalog"


def test_schemaorg_citation_is_the_source_not_the_identifier(release, data, schema_doc):
    sources = {str(o) for o in data.objects(URIRef(release.dataset), DCTERMS.source)}
    cited = {c["@id"] for c in _many(schema_doc["citation"])}
    assert cited == sources and set(_many(schema_doc["isBasedOn"])) == sources
    assert schema_doc["identifier"] not in sources and schema_doc.get("sameAs") not in sources


def test_schemaorg_temporal_coverage_matches_dcat(release, catalog, schema_doc):
    (period,) = catalog.objects(URIRef(release.dataset), DCTERMS.temporal)
    start, end = str(catalog.value(period, DCAT.startDate)), str(catalog.value(period, DCAT.endDate))
    assert schema_doc["temporalCoverage"] == (start if start == end else f"{start}/{end}")


def test_schemaorg_downloads_are_the_dcat_data_dumps(release, catalog, schema_doc):
    downloads = schema_doc["distribution"]
    media = {str(catalog.value(n, DCAT.downloadURL)): str(catalog.value(n, DCAT.mediaType))
             for n in catalog.subjects(RDF.type, DCAT.Distribution)}
    assert {d["contentUrl"] for d in downloads} == {release.url(d.path) for d in release.distributions if d.role == "data"}
    for download in downloads:
        assert download["@type"] == "DataDownload"
        assert media[download["contentUrl"]] == IANA + download["encodingFormat"]


# --- determinism and vocabulary -------------------------------------------------------------


def test_metadata_is_deterministic(folder, tmp_path):
    again = _release(tmp_path)
    void.write(again, tmp_path)
    dcat.write(again, tmp_path)
    for name in ("void.ttl", ".well-known/void", "catalog.ttl", "catalog.jsonld"):
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes(), name
    first = json.dumps(schemaorg.dataset(again), ensure_ascii=False)
    assert first == json.dumps(schemaorg.dataset(again), ensure_ascii=False)


# Terms rdflib's namespace classes do not (yet) list: DCAT 3 additions, and the SPDX and
# vCard terms a catalog uses (SPDX 2.3 and the W3C vCard ontology).
DCAT3 = {DCAT.version, DCAT.hasVersion}
KNOWN = {
    str(SPDX): {SPDX.Checksum, SPDX.checksum, SPDX.algorithm, SPDX.checksumValue, SPDX.checksumAlgorithm_sha256},
    str(VCARD): {VCARD[t] for t in ("Kind", "Individual", "Organization", "Group", "fn", "hasEmail", "hasURL",
                                    "hasTelephone", "hasAddress", "organization-name")},
}
DEFINED = (vocabularies.VOID, vocabularies.DCAT, vocabularies.DCTERMS, vocabularies.FOAF, vocabularies.SKOS,
           vocabularies.RDF, vocabularies.RDFS, vocabularies.OWL, vocabularies.XSD)


@pytest.mark.parametrize("name", ["void.ttl", "catalog.ttl"])
def test_metadata_uses_only_declared_terms(folder, name):
    g = Graph().parse(folder / name, format="turtle")
    terms = set(g.predicates()) | {o for o in g.objects(None, RDF.type) if isinstance(o, URIRef)}
    undeclared = []
    for term in sorted(terms):
        defined = [ns for ns in DEFINED if str(term).startswith(str(ns))]
        if defined:
            if term not in defined[0] and term not in DCAT3:
                undeclared.append(term)
        elif not any(str(term).startswith(ns) and term in known for ns, known in KNOWN.items()):
            undeclared.append(term)
    assert undeclared == []


def test_builders_return_sorted_triples(release):
    for build in (void.build, dcat.build):
        items = build(release)
        assert items and all(isinstance(t, ox.Triple) for t in items)
        assert items == sorted(items, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        assert items == build(release)
