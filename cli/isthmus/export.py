"""Serialize the project's data: JSON-LD (compacted with the shipped context), Turtle,
N-Triples, N-Quads. Output is deterministic so releases diff cleanly."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyoxigraph as ox

from isthmus import jsonld
from isthmus.errors import IsthmusError, LoadError
from isthmus.formats import Format
from isthmus.graph import ParsedFile, canonical_blank_nodes, merged_prefixes, parse_files, read_text, triples
from isthmus.project import Project

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True)
class Graph:
    """The data of a project, ready to serialize."""

    triples: list[ox.Triple]
    prefixes: dict[str, str]
    name: ox.NamedNode | None  # the dataset's IRI, used as graph name in N-Quads
    context: jsonld.Context | None


def _sort_key(t: ox.Triple) -> tuple[str, str, str]:
    return (str(t.subject), str(t.predicate), str(t.object))


def dataset_iri(items: list[ox.Triple]) -> ox.NamedNode | None:
    """The IRI of the dataset the data describes (a void:Dataset, else a dcat:Dataset)."""
    for cls in (VOID + "Dataset", DCAT + "Dataset"):
        found = sorted(
            t.subject.value
            for t in items
            if t.predicate.value == RDF_TYPE and t.object.value == cls and isinstance(t.subject, ox.NamedNode)
        )
        if found:
            return ox.NamedNode(found[0])
    return None


def load_context(project: Project) -> jsonld.Context | None:
    path = project.context_file
    if path is None:
        return None
    shown = project.display(path)
    try:
        document = json.loads(read_text(path, shown).decode("utf-8"))
        return jsonld.Context(document)
    except json.JSONDecodeError as err:
        raise LoadError([f"{shown}:{err.lineno}:{err.colno}: {err.msg}"]) from None
    except ValueError as err:
        raise LoadError([f"{shown}: {err}"]) from None


def load_data(project: Project) -> Graph:
    """The project's data files as one graph; raises ``LoadError`` listing every bad file."""
    files: list[ParsedFile] = parse_files(project.data_files, project.display)
    items = sorted(canonical_blank_nodes(triples(files)), key=_sort_key)
    return Graph(items, merged_prefixes(files), dataset_iri(items), load_context(project))


def serialize(graph: Graph, fmt: Format) -> bytes:
    """``graph`` in format ``fmt`` (jsonld, turtle, ntriples or nquads)."""
    if fmt.name == "jsonld":
        if graph.context is None:
            raise IsthmusError("JSON-LD export needs ontology/context.jsonld, the context to compact with")
        return jsonld.dumps(jsonld.compact_document(graph.triples, graph.context))
    if fmt.name == "ntriples":
        return _terminated(ox.serialize(graph.triples, format=ox.RdfFormat.N_TRIPLES))
    if fmt.name == "nquads":
        name = graph.name or ox.DefaultGraph()
        quads = [ox.Quad(t.subject, t.predicate, t.object, name) for t in graph.triples]
        return _terminated(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    if fmt.name == "turtle":
        return _turtle(graph)
    raise IsthmusError(f"--format: cannot export as {fmt.name}")


def _terminated(data: bytes) -> bytes:
    return data if not data or data.endswith(b"\n") else data + b"\n"


def _turtle(graph: Graph) -> bytes:
    """Readable Turtle (grouped by subject, lists inline), through rdflib's serializer."""
    from isthmus.graph import to_rdflib

    g = to_rdflib(graph.triples)
    used = {term.value for t in graph.triples for term in (t.subject, t.predicate, t.object) if isinstance(term, ox.NamedNode)}
    used |= {t.object.datatype.value for t in graph.triples if isinstance(t.object, ox.Literal)}
    for name, ns in sorted(graph.prefixes.items()):
        if name and any(iri.startswith(ns) for iri in used):
            g.bind(name, ns, override=True, replace=True)
    return g.serialize(format="turtle").encode("utf-8")
