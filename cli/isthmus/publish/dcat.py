"""DCAT 3 catalog of the release: the dataset, one distribution per file, the SPARQL service.

``build`` returns the triples; ``write`` serializes them to ``catalog.ttl`` and
``catalog.jsonld`` (compacted with the small context ``CONTEXT``).

What the catalog says about the data is computed from the data and the ontology, never
written into the code:

- themes (``dcat:theme``): the concepts the data uses as values of the ontology's ``topic``
  property (``release.vocab.topic``);
- temporal coverage (``dcterms:temporal``): from the earliest to the latest value of the
  *temporal properties*: ``dcterms:date``, ``schema:startDate``, ``schema:endDate`` and every
  property the ontology declares a sub-property of one of them (``isth:date``…), typed as in
  the data. Publication and access dates of sources are not temporal properties in this sense
  (they date documents, not what the data is about), nor are the dataset's own dates;
- spatial coverage (``dcterms:spatial``): see ``spatial_coverage``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from isthmus import jsonld
from isthmus.graph import canonical_blank_nodes
from isthmus.publish.model import Release, save
from isthmus.publish.void import (
    DCAT, DCTERMS, FOAF, OWL, RDF_TYPE, RDFS, SKOS, XSD, about, described, describe_in_store,
    is_wikidata_item, metadata_prefixes, turtle, with_predicates,
)

SCHEMA = "http://schema.org/"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
SPDX = "http://spdx.org/rdf/terms#"
VCARD = "http://www.w3.org/2006/vcard/ns#"
IANA = "https://www.iana.org/assignments/media-types/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
SUBPROPERTY = RDFS + "subPropertyOf"

#: the EU file-type authority (used by DCAT-AP for dcterms:format), by format name
FILE_TYPES = {
    "turtle": "RDF_TURTLE", "ntriples": "RDF_N_TRIPLES", "nquads": "RDF_N_QUADS", "trig": "RDF_TRIG",
    "jsonld": "JSON_LD", "rdfxml": "RDF_XML", "zip": "ZIP", "sparql": "SPARQLQ",
}

TEMPORAL_ROOTS = (DCTERMS + "date", SCHEMA + "startDate", SCHEMA + "endDate")
SPATIAL_ROOTS = (DCTERMS + "spatial", SEM + "hasPlace")
CONTAINMENT_ROOTS = (SCHEMA + "containedInPlace",)
#: a place is in the spatial coverage when at least this share of the resources that
#: carry a spatial statement point to it
SPATIAL_SHARE = 0.05

#: the JSON-LD context of catalog.jsonld
CONTEXT = {
    "@context": {
        "id": "@id",
        "type": "@type",
        "dcat": DCAT, "dcterms": DCTERMS, "spdx": SPDX, "foaf": FOAF, "vcard": VCARD,
        "rdfs": RDFS, "skos": SKOS, "owl": OWL, "xsd": XSD,
        "title": "dcterms:title", "description": "dcterms:description",
        "identifier": "dcterms:identifier", "version": "dcat:version", "keyword": "dcat:keyword",
        "issued": {"@id": "dcterms:issued", "@type": "xsd:date"},
        "modified": {"@id": "dcterms:modified", "@type": "xsd:date"},
        "byteSize": {"@id": "dcat:byteSize", "@type": "xsd:nonNegativeInteger"},
        "checksum": "spdx:checksum",
        "checksumValue": {"@id": "spdx:checksumValue", "@type": "xsd:hexBinary"},
        "startDate": "dcat:startDate", "endDate": "dcat:endDate", "temporal": "dcterms:temporal",
        "label": "rdfs:label", "prefLabel": "skos:prefLabel", "name": "foaf:name", "fn": "vcard:fn",
        **{key: {"@id": iri, "@type": "@id"} for key, iri in {
            "dataset": "dcat:dataset", "distribution": "dcat:distribution", "service": "dcat:service",
            "themeTaxonomy": "dcat:themeTaxonomy", "theme": "dcat:theme", "spatial": "dcterms:spatial",
            "downloadURL": "dcat:downloadURL", "accessURL": "dcat:accessURL", "mediaType": "dcat:mediaType",
            "format": "dcterms:format", "license": "dcterms:license", "landingPage": "dcat:landingPage",
            "homepage": "foaf:homepage", "language": "dcterms:language", "source": "dcterms:source",
            "creator": "dcterms:creator", "publisher": "dcterms:publisher", "contactPoint": "dcat:contactPoint",
            "conformsTo": "dcterms:conformsTo", "endpointURL": "dcat:endpointURL",
            "servesDataset": "dcat:servesDataset", "algorithm": "spdx:algorithm", "hasURL": "vcard:hasURL",
            "inScheme": "skos:inScheme", "sameAs": "owl:sameAs",
        }.items()},
    }
}


# --- facts about the data -------------------------------------------------------------------


def sub_properties(release: Release, roots: tuple[str, ...]) -> set[str]:
    """``roots`` and every property the ontology declares a (transitive) sub-property of one."""
    parents: dict[str, set[str]] = defaultdict(set)
    for t in release.ontology:
        if t.predicate.value == SUBPROPERTY and isinstance(t.object, ox.NamedNode):
            parents[t.subject.value].add(t.object.value)
    found, changed = set(roots), True
    while changed:
        changed = False
        for prop, ups in parents.items():
            if prop not in found and ups & found:
                found.add(prop)
                changed = True
    return found


def themes(release: Release) -> list[str]:
    """The concepts the data uses as topics (objects of the ontology's topic property)."""
    topic = release.vocab.topic
    return sorted({t.object.value for t in with_predicates(release, (topic,)) if isinstance(t.object, ox.NamedNode)})


_PARTS = {
    XSD + "gYear": re.compile(r"^(-?\d{4,})"),
    XSD + "gYearMonth": re.compile(r"^(-?\d{4,})-(\d{2})"),
    XSD + "date": re.compile(r"^(-?\d{4,})-(\d{2})-(\d{2})"),
    XSD + "dateTime": re.compile(r"^(-?\d{4,})-(\d{2})-(\d{2})T"),
}


def _span(literal: ox.Literal) -> tuple[tuple[int, int, int], tuple[int, int, int]] | None:
    """The first and last day a temporal literal covers, as (year, month, day); None when
    it is not a date, a month or a year."""
    pattern = _PARTS.get(literal.datatype.value)
    match = pattern.match(literal.value) if pattern else None
    if not match:
        return None
    parts = [int(p) for p in match.groups()]
    year, month, day = (parts + [None, None])[:3]
    return (year, month or 1, day or 1), (year, month or 12, day or 31)


def temporal_values(release: Release) -> list[ox.Literal]:
    """Every date, month or year the data gives as a value of a temporal property."""
    props = sub_properties(release, TEMPORAL_ROOTS)
    return sorted(
        {t.object for t in with_predicates(release, props)
         if t.subject.value != release.dataset
         and isinstance(t.object, ox.Literal) and _span(t.object) is not None},
        key=str,
    )


def temporal_extent(release: Release) -> tuple[ox.Literal, ox.Literal] | None:
    """The earliest-starting and the latest-ending temporal value, typed as in the data."""
    values = temporal_values(release)
    if not values:
        return None
    start = min(values, key=lambda v: (_span(v)[0], _span(v)[1], v.datatype.value, v.value))
    end = max(values, key=lambda v: (_span(v)[1], _span(v)[0], v.datatype.value, v.value))
    return start, end


def spatial_coverage(release: Release) -> list[str]:
    """The places the data applies to, most used first.

    The rule: count, for every place, the resources that point to it with a *spatial
    property* (``dcterms:spatial``, ``sem:hasPlace`` and the ontology's sub-properties of
    them, e.g. ``isth:appliesTo`` and ``isth:place``). A place is kept when at least 5 % of
    the resources with any spatial statement point to it (the single most used place when
    none reaches that share), unless it lies within (``schema:containedInPlace`` or a
    sub-property of it, e.g. ``isth:locatedIn``, transitively) another kept place that is
    used more: the larger place already covers it.
    """
    props = sub_properties(release, SPATIAL_ROOTS)
    users: dict[str, set] = defaultdict(set)
    for t in with_predicates(release, props):
        if isinstance(t.object, ox.NamedNode) and t.subject.value != release.dataset:
            users[t.object.value].add(t.subject)
    if not users:
        return []
    total = len(set().union(*users.values()))
    ranked = sorted(users, key=lambda p: (-len(users[p]), p))
    kept = [p for p in ranked if len(users[p]) >= SPATIAL_SHARE * total] or ranked[:1]
    within = sub_properties(release, CONTAINMENT_ROOTS)
    parents: dict[str, set[str]] = defaultdict(set)
    for t in with_predicates(release, within):
        if isinstance(t.object, ox.NamedNode):
            parents[t.subject.value].add(t.object.value)

    def ancestors(place: str) -> set[str]:
        seen, todo = set(), [place]
        while todo:
            for up in parents.get(todo.pop(), ()):
                if up not in seen:
                    seen.add(up)
                    todo.append(up)
        seen.discard(place)
        return seen

    count = {p: len(users[p]) for p in kept}
    return [p for p in kept
            if not any(a in count and (count[a] > count[p] or (count[a] == count[p] and p not in ancestors(a)))
                       for a in ancestors(p))]


# --- the graph ------------------------------------------------------------------------------


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


def catalog_iri(release: Release) -> str:
    return release.landing + "catalog"


def distribution_iri(release: Release, path: str) -> str:
    return release.url(path) + "#distribution"


def build(release: Release) -> list[ox.Triple]:
    """The DCAT catalog of ``release`` (sorted triples, blank nodes labelled canonically)."""
    out: list[ox.Triple] = []

    def add(s, p: str, o) -> None:
        out.append(ox.Triple(s, _iri(p), o))

    def copy(subject: str, predicates: tuple[str, ...]) -> None:
        for t in describe_in_store(release, subject, predicates):
            out.append(t)

    ds, catalog = _iri(release.dataset), _iri(catalog_iri(release))
    licences = described(release, DCTERMS + "license")
    ontology_licences = [t.object for t in release.ontology
                         if t.subject.value == release.ontology_iri and t.predicate.value == DCTERMS + "license"]
    modified = _typed(release.modified, "date")

    add(catalog, RDF_TYPE, _iri(DCAT + "Catalog"))
    for label in described(release, RDFS + "label"):
        add(catalog, DCTERMS + "title", label)
    add(catalog, DCTERMS + "description",
        ox.Literal(f"The dataset, its files and services as published at {release.landing}", language="en"))
    add(catalog, FOAF + "homepage", _iri(release.landing))
    add(catalog, DCTERMS + "modified", modified)
    add(catalog, DCAT + "dataset", ds)
    for predicate in ("publisher", "license", "language"):
        for value in described(release, DCTERMS + predicate):
            add(catalog, DCTERMS + predicate, value)

    add(ds, RDF_TYPE, _iri(DCAT + "Dataset"))
    for predicate in ("title", "description", "issued", "creator", "publisher", "language", "license", "source"):
        for value in described(release, DCTERMS + predicate):
            add(ds, DCTERMS + predicate, value)
    add(ds, DCTERMS + "identifier", ox.Literal(release.dataset))
    add(ds, DCTERMS + "modified", modified)
    if release.version:
        add(ds, DCAT + "version", ox.Literal(release.version))
    if release.ontology_iri:
        add(ds, DCTERMS + "conformsTo", _iri(release.ontology_iri))
    for predicate in ("keyword", "contactPoint"):
        for value in described(release, DCAT + predicate):
            add(ds, DCAT + predicate, value)
    add(ds, DCAT + "landingPage", next(iter(described(release, DCAT + "landingPage")), _iri(release.landing)))

    for agent in sorted({v.value for p in ("creator", "publisher") for v in described(release, DCTERMS + p)
                         if isinstance(v, ox.NamedNode)}):
        copy(agent, (RDF_TYPE, RDFS + "label", FOAF + "name", FOAF + "homepage"))
        if not describe_in_store(release, agent, (FOAF + "name",)):
            for t in describe_in_store(release, agent, (RDFS + "label",)):
                add(t.subject, FOAF + "name", t.object)
    for contact in described(release, DCAT + "contactPoint"):
        if isinstance(contact, ox.NamedNode):
            copy(contact.value, tuple(sorted({t.predicate.value for t in about(release, contact)})))

    schemes = set()
    for concept in themes(release):
        add(ds, DCAT + "theme", _iri(concept))
        copy(concept, (SKOS + "prefLabel", SKOS + "inScheme"))
        schemes |= {t.object for t in describe_in_store(release, concept, (SKOS + "inScheme",))}
    for scheme in sorted(schemes, key=str):
        add(catalog, DCAT + "themeTaxonomy", scheme)
        copy(scheme.value, (RDF_TYPE, SKOS + "prefLabel", RDFS + "label"))

    for place in spatial_coverage(release):
        add(ds, DCTERMS + "spatial", _iri(place))
        add(_iri(place), RDF_TYPE, _iri(DCTERMS + "Location"))
        copy(place, (RDFS + "label",))
        for t in describe_in_store(release, place, (OWL + "sameAs",)):
            if is_wikidata_item(t.object):
                out.append(t)

    extent = temporal_extent(release)
    if extent:
        period = ox.BlankNode("period")
        add(ds, DCTERMS + "temporal", period)
        add(period, RDF_TYPE, _iri(DCTERMS + "PeriodOfTime"))
        add(period, DCAT + "startDate", extent[0])
        add(period, DCAT + "endDate", extent[1])

    for n, dist in enumerate(sorted(release.distributions, key=lambda d: d.path)):
        node, url = _iri(distribution_iri(release, dist.path)), _iri(release.url(dist.path))
        add(ds, DCAT + "distribution", node)
        add(node, RDF_TYPE, _iri(DCAT + "Distribution"))
        add(node, DCTERMS + "title", ox.Literal(dist.title))
        add(node, DCAT + "mediaType", _iri(IANA + dist.media_type))
        file_type = FILE_TYPES.get(dist.format)
        add(node, DCTERMS + "format", _iri(FILE_TYPE + file_type if file_type else IANA + dist.media_type))
        add(node, DCAT + "downloadURL", url)
        add(node, DCAT + "accessURL", url)
        add(node, DCAT + "byteSize", _typed(str(dist.size), "nonNegativeInteger"))
        checksum = ox.BlankNode(f"checksum{n}")
        add(node, SPDX + "checksum", checksum)
        add(checksum, RDF_TYPE, _iri(SPDX + "Checksum"))
        add(checksum, SPDX + "algorithm", _iri(SPDX + "checksumAlgorithm_sha256"))
        add(checksum, SPDX + "checksumValue", _typed(dist.sha256, "hexBinary"))
        for licence in (ontology_licences if dist.role == "ontology" and ontology_licences else licences):
            add(node, DCTERMS + "license", licence)

    if release.sparql_endpoint:
        service = _iri(catalog_iri(release) + "#sparql")
        add(catalog, DCAT + "service", service)
        add(service, RDF_TYPE, _iri(DCAT + "DataService"))
        add(service, DCTERMS + "title", ox.Literal("SPARQL endpoint", language="en"))
        add(service, DCAT + "endpointURL", _iri(release.sparql_endpoint))
        add(service, DCTERMS + "conformsTo", _iri(SPARQL_PROTOCOL))
        add(service, DCAT + "servesDataset", ds)
        for licence in licences:
            add(service, DCTERMS + "license", licence)
    return sorted(set(canonical_blank_nodes(set(out))), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def jsonld_document(items: list[ox.Triple]) -> dict:
    """``items`` as one compacted JSON-LD document with ``CONTEXT``."""
    return jsonld.compact_document(items, jsonld.Context(CONTEXT))


def write(release: Release, root: Path) -> None:
    """Write ``catalog.ttl`` and ``catalog.jsonld`` into ``root``."""
    items = build(release)
    save(root, "catalog.ttl", turtle(items, metadata_prefixes(release) | {"filetype": FILE_TYPE}))
    save(root, "catalog.jsonld", jsonld.dumps(jsonld_document(items)))
