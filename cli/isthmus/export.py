"""Serialize the project's data: JSON-LD (compacted with the shipped context), Turtle,
N-Triples, N-Quads. Output is deterministic so releases diff cleanly."""

from __future__ import annotations

import json
import re
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
    text = read_text(path, shown).decode("utf-8")
    try:
        return jsonld.Context(json.loads(text))
    except json.JSONDecodeError as err:
        raise LoadError([f"{shown}:{err.lineno}:{err.colno}: {err.msg}"]) from None
    except ValueError as err:
        term = re.match(r"the term '(.+?)'", str(err))
        found = re.search(r'"' + re.escape(term.group(1)) + r'"\s*:', text) if term else None
        where = f"{shown}:{text.count(chr(10), 0, found.start()) + 1}" if found else shown
        raise LoadError([f"{where}: {err}"]) from None


def load_data(project: Project) -> Graph:
    """The project's data files as one graph; raises ``LoadError`` listing every bad file."""
    files: list[ParsedFile] = parse_files(project.data_files, project.display)
    items = canonical_blank_nodes(triples(files))
    return Graph(items, merged_prefixes(files), dataset_iri(items), load_context(project))


def serialize(graph: Graph, fmt: Format) -> bytes:
    """``graph`` in format ``fmt`` (jsonld, turtle, ntriples or nquads)."""
    if fmt.name == "jsonld":
        if graph.context is None:
            raise IsthmusError("JSON-LD export needs ontology/context.jsonld, the context to compact with")
        return jsonld.dumps(jsonld.compact_document(graph.triples, graph.context))
    if fmt.name == "ntriples":
        return _sorted_lines(ox.serialize(graph.triples, format=ox.RdfFormat.N_TRIPLES))
    if fmt.name == "nquads":
        name = graph.name or ox.DefaultGraph()
        quads = [ox.Quad(t.subject, t.predicate, t.object, name) for t in graph.triples]
        return _sorted_lines(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    if fmt.name == "turtle":
        return _turtle(graph)
    raise IsthmusError(f"--format: cannot export as {fmt.name}")


def _sorted_lines(data: bytes) -> bytes:
    """One statement a line, sorted: the canonical order of a line-based dump."""
    lines = sorted(line for line in data.split(b"\n") if line)
    return b"\n".join(lines) + b"\n" if lines else b""


def _turtle(graph: Graph) -> bytes:
    """Readable Turtle: grouped by subject, lists and single-use blank nodes inline."""
    from isthmus import turtle

    return turtle.serialize(graph.triples, graph.prefixes)
