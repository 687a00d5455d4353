"""schema.org ``Dataset`` description of the release, for the landing page (Google Dataset
Search reads it there as JSON-LD).

``dataset`` returns the document as a dict whose keys come in a fixed order. Everything in it
comes from the dataset's description in the data, the data itself (coverage, via
``isthmus.publish.dcat``) and the release (version, dates, files):

- ``name``/``description``: the dataset's ``dcterms:title``/``dcterms:description`` in
  English (else untagged, else the first language); other titles and labels become
  ``alternateName``. A description longer than Google's 5000 characters is cut at a word;
- ``identifier``/``sameAs``: the dataset's IRI (the source article's DOI is the
  ``citation`` and ``isBasedOn``, not the dataset's identifier);
- ``temporalCoverage``/``spatialCoverage``: the DCAT temporal extent and spatial coverage;
- ``distribution``: one ``DataDownload`` per data dump;
- ``measurementTechnique``/``variableMeasured``: only when the description states them
  (``schema:measurementTechnique``, ``schema:variableMeasured``); ``funder`` likewise.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from isthmus.publish import dcat
from isthmus.publish.model import Release
from isthmus.publish.void import (
    DCAT, DCTERMS, FOAF, OWL, RDF_TYPE, RDFS, described, describe_in_store, is_wikidata_item, with_predicates,
)

SCHEMA = "http://schema.org/"
BIBO = "http://purl.org/ontology/bibo/"
MAX_DESCRIPTION = 5000
PREFERRED_LANGUAGE = "en"
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")


def _language_rank(literal) -> tuple:
    language = getattr(literal, "language", None) or ""
    return (language != PREFERRED_LANGUAGE, language != "", language, literal.value)


def _pick(values: list) -> str | None:
    """The preferred text among literals: English, else untagged, else the first language."""
    literals = [v for v in values if isinstance(v, ox.Literal)]
    return min(literals, key=_language_rank).value if literals else None


def _texts(values: list) -> list[str]:
    seen: list[str] = []
    for v in sorted((v for v in values if isinstance(v, ox.Literal)), key=_language_rank):
        if v.value not in seen:
            seen.append(v.value)
    return seen


def _objects(release: Release, subject: str, *predicates: str) -> list:
    return [t.object for t in describe_in_store(release, subject, predicates)]


def _one_or_many(items: list):
    return items[0] if len(items) == 1 else items


def _cut(text: str, limit: int = MAX_DESCRIPTION) -> str:
    if len(text) <= limit:
        return text
    head = text[: limit - 1].rsplit(" ", 1)[0]
    return head.rstrip(" ,;:") + "…"


def agent(release: Release, iri: str) -> dict:
    """A creator or publisher as a schema.org Person or Organization."""
    types = {t.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for t in _objects(release, iri, RDF_TYPE)}
    out: dict = {"@type": "Person" if "Person" in types else "Organization", "@id": iri}
    name = _pick(_objects(release, iri, FOAF + "name", SCHEMA + "name")) or _pick(_objects(release, iri, RDFS + "label"))
    if name:
        out["name"] = name
    homepage = sorted(o.value for o in _objects(release, iri, FOAF + "homepage", SCHEMA + "url") if isinstance(o, ox.NamedNode))
    if homepage:
        out["url"] = homepage[0]
    return out


def place(release: Release, iri: str) -> dict:
    out: dict = {"@type": "Place", "@id": iri}
    name = _pick(_objects(release, iri, RDFS + "label", SCHEMA + "name"))
    if name:
        out["name"] = name
    same = sorted(o.value for o in _objects(release, iri, OWL + "sameAs") if is_wikidata_item(o))
    if same:
        out["sameAs"] = _one_or_many(same)
    return out


def work(release: Release, iri: str) -> dict:
    """A source of the dataset (the article) as a CreativeWork, described by the resource of
    the data whose ``schema:url`` or ``owl:sameAs`` is the source's IRI, if any."""
    described_by = sorted(
        {t.subject.value for t in with_predicates(release, (SCHEMA + "url", OWL + "sameAs"))
         if t.object == ox.NamedNode(iri) and isinstance(t.subject, ox.NamedNode)}
    )
    subjects = [iri, *described_by]
    types = {t.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for s in subjects for t in _objects(release, s, RDF_TYPE)}
    out: dict = {"@type": "ScholarlyArticle" if any(t.endswith("Article") for t in types) else "CreativeWork",
                 "@id": iri, "url": iri}
    name = _pick([o for s in subjects for o in _objects(release, s, DCTERMS + "title", SCHEMA + "name")])
    if name:
        out["name"] = name
    doi = _pick([o for s in subjects for o in _objects(release, s, BIBO + "doi")])
    if doi:
        out["identifier"] = doi
    return out


def dataset(release: Release) -> dict:
    """The schema.org Dataset JSON-LD document of ``release`` (keys in a fixed order)."""
    titles = described(release, DCTERMS + "title")
    labels = described(release, RDFS + "label")
    name = _pick(titles) or _pick(labels) or release.dataset
    doc: dict = {"@context": "https://schema.org/", "@type": "Dataset", "@id": release.dataset, "name": name}
    alternate = [t for t in _texts(titles + labels) if t != name]
    if alternate:
        doc["alternateName"] = _one_or_many(alternate)
    description = _pick(described(release, DCTERMS + "description"))
    if description:
        doc["description"] = _cut(description)
    landing = described(release, DCAT + "landingPage")
    doc["url"] = landing[0].value if landing else release.landing
    doc["identifier"] = release.dataset
    if release.dataset != doc["url"]:
        doc["sameAs"] = release.dataset
    if release.version:
        doc["version"] = release.version
    keywords = _texts(described(release, DCAT + "keyword"))
    if keywords:
        doc["keywords"] = keywords
    licences = [v.value for v in described(release, DCTERMS + "license") if isinstance(v, ox.NamedNode)]
    if licences:
        doc["license"] = _one_or_many(licences)
    doc["isAccessibleForFree"] = True
    languages = [v.value.rstrip("/").rsplit("/", 1)[-1] for v in described(release, DCTERMS + "language")]
    languages = [code for code in languages if _LANGUAGE_CODE.match(code)]
    if languages:
        doc["inLanguage"] = _one_or_many(languages)
    for key, predicate in (("creator", "creator"), ("publisher", "publisher")):
        agents = [agent(release, v.value) for v in described(release, DCTERMS + predicate) if isinstance(v, ox.NamedNode)]
        if agents:
            doc[key] = _one_or_many(agents)
    funders = [agent(release, v.value) for v in described(release, SCHEMA + "funder") if isinstance(v, ox.NamedNode)]
    if funders:
        doc["funder"] = _one_or_many(funders)
    issued = described(release, DCTERMS + "issued")
    if issued:
        doc["datePublished"] = issued[0].value
    doc["dateModified"] = release.modified
    extent = dcat.temporal_extent(release)
    if extent:
        start, end = extent[0].value, extent[1].value
        doc["temporalCoverage"] = start if start == end else f"{start}/{end}"
    places = [place(release, iri) for iri in dcat.spatial_coverage(release)]
    if places:
        doc["spatialCoverage"] = _one_or_many(places)
    sources = [v.value for v in described(release, DCTERMS + "source") if isinstance(v, ox.NamedNode)]
    if sources:
        doc["citation"] = _one_or_many([work(release, iri) for iri in sources])
        doc["isBasedOn"] = _one_or_many(sources)
    for key in ("measurementTechnique", "variableMeasured"):
        values = _texts(described(release, SCHEMA + key))
        if values:
            doc[key] = _one_or_many(values)
    catalogue: dict = {"@type": "DataCatalog", "@id": dcat.catalog_iri(release)}
    catalogue_name = _pick(labels)
    if catalogue_name:
        catalogue["name"] = catalogue_name
    catalogue["url"] = release.landing
    doc["includedInDataCatalog"] = catalogue
    downloads = [
        {"@type": "DataDownload", "name": d.title, "encodingFormat": d.media_type, "contentUrl": release.url(d.path)}
        for d in sorted(release.distributions, key=lambda d: d.path) if d.role == "data"
    ]
    if downloads:
        doc["distribution"] = downloads
    return doc
