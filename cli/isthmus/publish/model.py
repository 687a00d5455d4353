"""The release model every builder reads: the graph, its metadata, and the files written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from isthmus import jsonld
from isthmus.project import Project
from isthmus.queries import StoredQuery
from isthmus.vocab import Vocabulary


@dataclass
class Distribution:
    """One downloadable file of the release."""

    path: str  # relative to the release root, with '/' separators
    title: str
    media_type: str
    role: str  # "data", "context", "ontology", "shapes", "queries", "bundle" or "metadata"
    format: str = ""  # a format name (turtle, ntriples, jsonld, rdfxml, zip, sparql)
    size: int = 0
    sha256: str = ""


@dataclass
class Release:
    """Everything a builder needs; built once by ``release.prepare``."""

    project: Project
    data: list[ox.Triple]  # the data, sorted, blank nodes labelled canonically
    ontology: list[ox.Triple]
    shapes: list[ox.Triple]
    store: ox.Store  # ontology and data together, for queries
    prefixes: dict[str, str]
    vocab: Vocabulary
    context: jsonld.Context
    dataset: str  # the dataset's IRI (a void:Dataset / dcat:Dataset in the data)
    landing: str  # its landing page: the site's root URL (resource pages mirror IRIs below it)
    ontology_iri: str
    version: str
    modified: str  # the build date, xsd:date
    queries: dict[str, StoredQuery] = field(default_factory=dict)
    sparql_endpoint: str | None = None
    distributions: list[Distribution] = field(default_factory=list)

    def url(self, path: str) -> str:
        """The public URL of a file of the release."""
        return self.landing + path

    def query_file(self, name: str) -> str | None:
        """The release's file of the stored query ``name`` (``queries/NAME.rq``), if any."""
        return next((d.path for d in self.distributions if d.role == "queries" and Path(d.path).stem == name), None)

    def page_path(self, iri: str) -> str | None:
        """The site path (without extension) of a resource's page, or None when the IRI is
        not below the landing page: ``https://w3id.org/isthmus/id/actor/mexico`` ->
        ``id/actor/mexico``."""
        if not iri.startswith(self.landing) or iri == self.landing:
            return None
        rest = iri[len(self.landing):]
        if "#" in rest or "?" in rest or rest.endswith("/") or ".." in rest.split("/"):
            return None
        return rest


def save(root: Path, relative: str, payload: bytes) -> None:
    """Write one file of the release (inside the temporary build folder); raises
    ``OutputError`` naming it."""
    from isthmus.errors import OutputError

    path = root / relative
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
    except OSError as err:
        raise OutputError(f"{path}: cannot write: {err.strerror or err}") from None
