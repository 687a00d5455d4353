"""VoID description of the release: what the dataset is, how big, what it links to.

``build`` returns the triples; ``write`` serializes them to ``void.ttl`` and
``.well-known/void`` (the same Turtle, at the place RFC 8615 / VoID §7 says to look).

Every number is counted from ``release.data``; the title, description, licence, creator
and example resources are copied from the dataset's own description in the data. Partitions
and linksets are named with IRIs below the dataset's IRI (``<dataset>#class-isth-State``),
so the same data always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from isthmus.publish.model import Release, save
from isthmus.wikidata import WD

VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = RDF + "type"

#: the prefixes the metadata files are written with (the project's own are added)
PREFIXES = {
    "void": VOID, "dcterms": DCTERMS, "dcat": DCAT, "foaf": FOAF, "rdf": RDF, "rdfs": RDFS,
    "owl": OWL, "skos": SKOS, "xsd": XSD, "wd": WD,
    "spdx": "http://spdx.org/rdf/terms#", "vcard": "http://www.w3.org/2006/vcard/ns#",
    "formats": "http://www.w3.org/ns/formats/",
}

#: W3C format IRIs (https://www.w3.org/ns/formats/) for the media types of RDF dumps
FORMAT_FEATURES = {
    "text/turtle": "http://www.w3.org/ns/formats/Turtle",
    "application/n-triples": "http://www.w3.org/ns/formats/N-Triples",
    "application/n-quads": "http://www.w3.org/ns/formats/N-Quads",
    "application/trig": "http://www.w3.org/ns/formats/TriG",
    "application/ld+json": "http://www.w3.org/ns/formats/JSON-LD",
    "application/rdf+xml": "http://www.w3.org/ns/formats/RDF_XML",
}

#: predicates that state an identity or a match with an external item
LINK_PREDICATES = (OWL + "sameAs", SKOS + "exactMatch", SKOS + "closeMatch",
                   SKOS + "broadMatch", SKOS + "narrowMatch", SKOS + "relatedMatch")

#: Wikidata as a dataset: its item (Q2013) in the entity namespace
WIKIDATA = WD + "Q2013"
WIKIDATA_HOME = "https://www.wikidata.org/"
WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"


# --- reading the dataset's description -------------------------------------------------------


def described(release: Release, predicate: str, subject: str | None = None) -> list:
    """The objects of ``(subject or the dataset, predicate)`` in the data, sorted."""
    return sorted((t.object for t in about(release, ox.NamedNode(subject or release.dataset))
                   if t.predicate.value == predicate), key=str)


def about(release: Release, subject) -> list[ox.Triple]:
    """The triples of the data with ``subject`` (a term) as subject: a binary search, as
    ``release.data`` is sorted by subject (in N-Triples form) first."""
    from bisect import bisect_left, bisect_right

    key, by_subject = str(subject), lambda t: str(t.subject)  # noqa: E731
    return release.data[bisect_left(release.data, key, key=by_subject):bisect_right(release.data, key, key=by_subject)]


def with_predicates(release: Release, predicates) -> list[ox.Triple]:
    """The triples of the data whose predicate is one of ``predicates`` (IRIs), by
    predicate, then in data order. The data is indexed by predicate once, on first use
    (several builders each look at a few predicates of a large graph)."""
    index = vars(release).get("_by_predicate")  # kept with the release it indexes
    if index is None:
        index = {}
        for t in release.data:
            index.setdefault(t.predicate.value, []).append(t)
        vars(release)["_by_predicate"] = index
    return [t for p in sorted(set(predicates)) for t in index.get(p, ())]


def describe_in_store(release: Release, subject: str, predicates: tuple[str, ...]) -> list[ox.Triple]:
    """The triples ``(subject, p, o)`` for ``p`` in ``predicates`` from the ontology and data
    (an agent such as the publisher may be described in the ontology's header)."""
    found = []
    for predicate in predicates:
        for quad in release.store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None, None):
            found.append(ox.Triple(quad.subject, quad.predicate, quad.object))
    return sorted(set(found), key=_sort_key)


def _sort_key(t: ox.Triple) -> tuple[str, str, str]:
    return (str(t.subject), str(t.predicate), str(t.object))


# --- counting -------------------------------------------------------------------------------


@dataclass
class PropertyStats:
    triples: int = 0
    subjects: set = field(default_factory=set)
    objects: set = field(default_factory=set)


@dataclass
class Statistics:
    """What VoID says about the size and shape of the data."""

    triples: int
    entities: int  # distinct IRI subjects
    distinct_subjects: int
    distinct_objects: int
    classes: dict[str, int]  # class IRI -> distinct IRI instances
    properties: dict[str, PropertyStats]  # predicate IRI -> counts
    links: dict[str, int]  # link predicate IRI -> links to Wikidata items


def statistics(items: list[ox.Triple]) -> Statistics:
    """Count ``items`` (distinct triples)."""
    items = set(items)
    subjects, objects, instances = set(), set(), defaultdict(set)
    properties: dict[str, PropertyStats] = defaultdict(PropertyStats)
    links: dict[str, int] = defaultdict(int)
    for t in items:
        s, p, o = t.subject, t.predicate.value, t.object
        subjects.add(s)
        objects.add(o)
        stats = properties[p]
        stats.triples += 1
        stats.subjects.add(s)
        stats.objects.add(o)
        if p == RDF_TYPE and isinstance(o, ox.NamedNode):
            members = instances[o.value]  # a class with only blank-node instances still counts
            if isinstance(s, ox.NamedNode):
                members.add(s)
        if p in LINK_PREDICATES and is_wikidata_item(o):
            links[p] += 1
    return Statistics(
        triples=len(items),
        entities=sum(1 for s in subjects if isinstance(s, ox.NamedNode)),
        distinct_subjects=len(subjects),
        distinct_objects=len(objects),
        classes={c: len(members) for c, members in sorted(instances.items())},
        properties=dict(sorted(properties.items())),
        links=dict(sorted(links.items())),
    )


def is_wikidata_item(term) -> bool:
    return isinstance(term, ox.NamedNode) and term.value.startswith(WD) and len(term.value) > len(WD)


# --- naming ---------------------------------------------------------------------------------


def namespace_of(iri: str, prefixes: dict[str, str]) -> str:
    """The namespace ``iri`` belongs to: the longest declared namespace it starts with,
    else everything up to its last ``#`` or ``/``."""
    best = max((ns for ns in prefixes.values() if ns and iri.startswith(ns) and iri != ns), key=len, default=None)
    if best:
        return best
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut > 0 else iri


_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def fragments(kind: str, iris: list[str], prefixes: dict[str, str]) -> dict[str, str]:
    """Readable, stable fragment names: ``class-isth-State`` for ``isth:State``; a hash
    where the compact name would not be a clean fragment or would clash."""
    by_namespace = {ns: name for name, ns in sorted(prefixes.items()) if name}
    names: dict[str, str] = {}
    used: set[str] = set()
    for iri in sorted(iris):
        ns = namespace_of(iri, prefixes)
        prefix, local = by_namespace.get(ns), iri[len(ns):]
        name = f"{kind}-{prefix}-{local}" if prefix and _SAFE.match(prefix) and _SAFE.match(local) else ""
        if not name or name in used:
            name = f"{kind}-{hashlib.sha256(iri.encode('utf-8')).hexdigest()[:12]}"
        used.add(name)
        names[iri] = name
    return names


def metadata_prefixes(release: Release) -> dict[str, str]:
    prefixes = dict(PREFIXES)
    for name, ns in release.prefixes.items():
        if ns not in prefixes.values():
            prefixes.setdefault(name, ns)
    return prefixes


# --- the graph ------------------------------------------------------------------------------


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))


def build(release: Release) -> list[ox.Triple]:
    """The VoID description of ``release`` (sorted triples)."""
    out: list[ox.Triple] = []
    ds = _iri(release.dataset)

    def add(s, p: str, o) -> None:
        out.append(ox.Triple(s, _iri(p), o))

    stats = statistics(release.data)
    prefixes = metadata_prefixes(release)

    add(ds, RDF_TYPE, _iri(VOID + "Dataset"))
    for predicate in ("title", "description", "license", "creator", "publisher", "source", "issued"):
        for value in described(release, DCTERMS + predicate):
            add(ds, DCTERMS + predicate, value)
    add(ds, DCTERMS + "modified", ox.Literal(release.modified, datatype=_iri(XSD + "date")))
    add(ds, FOAF + "homepage", _iri(release.landing))
    for value in described(release, VOID + "uriSpace"):
        add(ds, VOID + "uriSpace", value)
    for value in described(release, VOID + "exampleResource"):
        add(ds, VOID + "exampleResource", value)
    if release.sparql_endpoint:
        add(ds, VOID + "sparqlEndpoint", _iri(release.sparql_endpoint))
    dumps = sorted((d for d in release.distributions if d.role == "data"), key=lambda d: d.path)
    for dist in dumps:
        add(ds, VOID + "dataDump", _iri(release.url(dist.path)))
        if dist.media_type in FORMAT_FEATURES:
            add(ds, VOID + "feature", _iri(FORMAT_FEATURES[dist.media_type]))

    add(ds, VOID + "triples", _int(stats.triples))
    add(ds, VOID + "entities", _int(stats.entities))
    add(ds, VOID + "classes", _int(len(stats.classes)))
    add(ds, VOID + "properties", _int(len(stats.properties)))
    add(ds, VOID + "distinctSubjects", _int(stats.distinct_subjects))
    add(ds, VOID + "distinctObjects", _int(stats.distinct_objects))
    for ns in sorted({namespace_of(i, prefixes) for i in [*stats.classes, *stats.properties]}):
        add(ds, VOID + "vocabulary", _iri(ns))

    base = release.dataset.split("#", 1)[0] + "#"
    names = fragments("class", list(stats.classes), prefixes)
    for cls, count in stats.classes.items():
        part = _iri(base + names[cls])
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", _iri(cls))
        add(part, VOID + "entities", _int(count))
    names = fragments("property", list(stats.properties), prefixes)
    for prop, counts in stats.properties.items():
        part = _iri(base + names[prop])
        add(ds, VOID + "propertyPartition", part)
        add(part, VOID + "property", _iri(prop))
        add(part, VOID + "triples", _int(counts.triples))
        add(part, VOID + "distinctSubjects", _int(len(counts.subjects)))
        add(part, VOID + "distinctObjects", _int(len(counts.objects)))

    if stats.links:
        wikidata = _iri(WIKIDATA)
        add(wikidata, RDF_TYPE, _iri(VOID + "Dataset"))
        add(wikidata, DCTERMS + "title", ox.Literal("Wikidata", language="en"))
        add(wikidata, FOAF + "homepage", _iri(WIKIDATA_HOME))
        add(wikidata, VOID + "uriSpace", ox.Literal(WD))
        add(wikidata, VOID + "sparqlEndpoint", _iri(WIKIDATA_SPARQL))
        names = fragments("links-wikidata", list(stats.links), prefixes)
        for predicate, count in stats.links.items():
            linkset = _iri(base + names[predicate])
            add(linkset, RDF_TYPE, _iri(VOID + "Linkset"))
            add(ds, VOID + "subset", linkset)
            add(linkset, VOID + "linkPredicate", _iri(predicate))
            add(linkset, VOID + "target", ds)
            add(linkset, VOID + "target", wikidata)
            add(linkset, VOID + "subjectsTarget", ds)
            add(linkset, VOID + "objectsTarget", wikidata)
            add(linkset, VOID + "triples", _int(count))
    return sorted(set(out), key=_sort_key)


def turtle(items: list[ox.Triple], prefixes: dict[str, str]) -> bytes:
    """Readable, deterministic Turtle."""
    from isthmus.export import Graph, _turtle

    return _turtle(Graph(items, prefixes, None, None))




def write(release: Release, root: Path) -> None:
    """Write ``void.ttl`` and ``.well-known/void`` (the same Turtle) into ``root``."""
    payload = turtle(build(release), metadata_prefixes(release))
    save(root, "void.ttl", payload)
    save(root, ".well-known/void", payload)
