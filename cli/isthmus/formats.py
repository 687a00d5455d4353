"""The format table: one row per serialization, looked up by name, extension or media type."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from isthmus.errors import IsthmusError


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    media_type: str
    aliases: tuple[str, ...] = ()
    quads: bool = False

    def matches(self, key: str) -> bool:
        key = key.strip().lower().lstrip(".")
        return key in (self.name, self.extension, self.media_type, *self.aliases)


TURTLE = Format("turtle", "ttl", "text/turtle", ("ttl",))
NTRIPLES = Format("ntriples", "nt", "application/n-triples", ("n-triples",))
NQUADS = Format("nquads", "nq", "application/n-quads", ("n-quads",), quads=True)
TRIG = Format("trig", "trig", "application/trig", quads=True)
JSONLD = Format("jsonld", "jsonld", "application/ld+json", ("json-ld",))
RDFXML = Format("rdfxml", "rdf", "application/rdf+xml", ("rdf/xml", "xml", "owl"))

RDF_FORMATS = (TURTLE, NTRIPLES, NQUADS, TRIG, JSONLD, RDFXML)
#: formats that project source files may be written in
SOURCE_FORMATS = (TURTLE, NTRIPLES, NQUADS, TRIG)
#: formats ``isthmus export`` writes
EXPORT_FORMATS = (JSONLD, TURTLE, NTRIPLES, NQUADS)

TABLE = Format("table", "txt", "text/plain", ("text",))
CSV = Format("csv", "csv", "text/csv")
TSV = Format("tsv", "tsv", "text/tab-separated-values")
JSON = Format("json", "srj", "application/sparql-results+json", ("srj",))
RESULT_FORMATS = (TABLE, CSV, TSV, JSON)


def lookup(key: str, table: tuple[Format, ...], *, option: str) -> Format:
    """The format of ``table`` that ``key`` names (name, extension or media type)."""
    for fmt in table:
        if fmt.matches(key):
            return fmt
    names = ", ".join(f.name for f in table)
    raise IsthmusError(f"{option}: unknown format {key!r}; choose one of {names}")


def for_path(path: Path, table: tuple[Format, ...]) -> Format | None:
    """The format of ``table`` whose extension ``path`` has, if any."""
    suffix = path.suffix.lower().lstrip(".")
    for fmt in table:
        if suffix and (suffix == fmt.extension or suffix in fmt.aliases):
            return fmt
    return None


def oxigraph_format(fmt: Format):
    """The pyoxigraph ``RdfFormat`` constant for ``fmt``."""
    import pyoxigraph as ox

    return {
        "turtle": ox.RdfFormat.TURTLE,
        "ntriples": ox.RdfFormat.N_TRIPLES,
        "nquads": ox.RdfFormat.N_QUADS,
        "trig": ox.RdfFormat.TRIG,
        "jsonld": ox.RdfFormat.JSON_LD,
        "rdfxml": ox.RdfFormat.RDF_XML,
    }[fmt.name]
