"""Validation: syntax (by loading), ontology lint, then SHACL.

SHACL runs on the compiled engine (``shaclsparql``: the shapes as SPARQL queries on a
pyoxigraph store) by default, and through pyshacl when the shapes use a feature that engine
does not compile (or when asked, ``engine="pyshacl"``). The only module that imports pyshacl.
Returns a ``ValidationReport`` of typed results; rendering to text, JSON or Turtle is pure.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from dataclasses import asdict, dataclass, field

from pathlib import Path

import pyoxigraph as ox

from isthmus import lint as lint_mod
from isthmus import shaclsparql
from isthmus.graph import ParsedFile, merged_prefixes, parse_files, to_rdflib, triples
from isthmus.project import Project
from isthmus.results import compact

SH = "http://www.w3.org/ns/shacl#"
SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class ValidationResult:
    severity: str  # "Violation", "Warning" or "Info"
    focus: str  # IRI, or "_:id" for a blank node
    path: str | None
    message: str
    shape: str  # the named shape (or lint rule) that reports it
    value: str | None = None
    file: str | None = None
    line: int | None = None


@dataclass
class ValidationReport:
    results: list[ValidationResult]
    files: int = 0
    triples: int = 0
    shapes: int = 0
    prefixes: dict[str, str] = field(default_factory=dict)

    @property
    def conforms(self) -> bool:
        return not any(r.severity == "Violation" for r in self.results)

    def counts(self) -> dict[str, int]:
        found = Counter(r.severity for r in self.results)
        return {s: found.get(s, 0) for s in SEVERITIES}


# --- locating resources in the source files -----------------------------------------------

_TOKEN = re.compile(r"<([^<>\"{}|^`\\\s]*)>|(?<![\w.:/#-])([A-Za-z][\w.-]*)?:((?:[\w]|%[0-9A-Fa-f]{2}|\\.)(?:[\w.:-]|%[0-9A-Fa-f]{2}|\\.)*)")


class Locator:
    """Finds the file and line where a resource is described (first as a subject)."""

    def __init__(self, files: list[ParsedFile], display):
        self._files = files
        self._display = display
        self._index: dict[str, tuple[str, int, bool]] | None = None

    def _build(self) -> dict[str, tuple[str, int, bool]]:
        index: dict[str, tuple[str, int, bool]] = {}
        for parsed in self._files:
            shown = self._display(parsed.path)
            if parsed.path.suffix.lower() in (".nt", ".nq"):
                self._index_lines(parsed.path, shown, index)
                continue
            text = parsed.path.read_text(encoding="utf-8", errors="replace")
            prefixes = parsed.prefixes
            for number, line in enumerate(text.splitlines(), start=1):
                if line.lstrip().startswith(("#", "@prefix", "PREFIX", "@base")):
                    continue
                for m in _TOKEN.finditer(line):
                    if m.group(1) is not None:
                        iri = m.group(1)
                    else:
                        ns = prefixes.get(m.group(2) or "")
                        if ns is None:
                            continue
                        iri = ns + re.sub(r"\\(.)", r"\1", m.group(3)).rstrip(".")
                    at_start = m.start() == 0
                    known = index.get(iri)
                    if known is None or (at_start and not known[2]):
                        index[iri] = (shown, number, at_start)
        return index

    @staticmethod
    def _index_lines(path: Path, shown: str, index: dict) -> None:
        """N-Triples and N-Quads: one statement a line, the subject first; no prefixes."""
        with open(path, "rb") as handle:
            for number, line in enumerate(handle, start=1):
                if line.startswith(b"<"):
                    end = line.find(b">")
                    if end > 0:
                        iri = line[1:end].decode("utf-8", errors="replace")
                        if iri not in index:
                            index[iri] = (shown, number, True)

    def find(self, iri: str) -> tuple[str | None, int | None]:
        if self._index is None:
            self._index = self._build()
        found = self._index.get(iri)
        return (found[0], found[1]) if found else (None, None)


# --- SHACL ----------------------------------------------------------------------------------


def _path_text(graph, node, prefixes) -> str:
    """A SHACL property path as SPARQL path text."""
    from rdflib import BNode, URIRef
    from rdflib.collection import Collection
    from rdflib.namespace import SH as _SH

    if isinstance(node, URIRef):
        return compact(str(node), prefixes)
    if isinstance(node, BNode):
        if (node, _SH.inversePath, None) in graph:
            return "^" + _path_text(graph, graph.value(node, _SH.inversePath), prefixes)
        for prop, op in ((_SH.zeroOrMorePath, "*"), (_SH.oneOrMorePath, "+"), (_SH.zeroOrOnePath, "?")):
            inner = graph.value(node, prop)
            if inner is not None:
                return _path_text(graph, inner, prefixes) + op
        alt = graph.value(node, _SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(_path_text(graph, n, prefixes) for n in Collection(graph, alt)) + ")"
        if (node, None, None) in graph and graph.value(node, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#first")) is not None:
            return "/".join(_path_text(graph, n, prefixes) for n in Collection(graph, node))
    return str(node)


def _simple(path: str) -> str:
    """A path that is one IRI as the bare IRI; complex paths stay SPARQL path text."""
    m = re.fullmatch(r"<([^<>]*)>", path)
    return m.group(1) if m else path


def shacl_report(data_graph, shapes_graph):
    """pyshacl's report graph for ``data_graph`` (which must already hold the ontology, so
    that sh:targetClass reaches instances of subclasses; it is validated in place).

    Passing the ontology as ``ont_graph`` instead gives the same report, but pyshacl then
    deep-copies every owl:NamedIndividual, which costs seconds. ``advanced`` enables the
    SPARQL-based targets the rule shapes use.
    """
    import pyshacl

    _, report, _ = pyshacl.validate(
        data_graph,
        shacl_graph=shapes_graph,
        inference="none",
        advanced=True,
        allow_warnings=True,
        inplace=True,
    )
    return report


def _shacl(data_graph, shapes_graph) -> list[dict]:
    from rdflib import BNode, URIRef
    from rdflib.namespace import SH as _SH

    report = shacl_report(data_graph, shapes_graph)
    parent: dict = {}
    for node_shape, _, prop_shape in shapes_graph.triples((None, _SH.property, None)):
        parent.setdefault(prop_shape, node_shape)
    found = []
    for result in report.objects(None, _SH.result):
        focus = report.value(result, _SH.focusNode)
        path = report.value(result, _SH.resultPath)
        severity = str(report.value(result, _SH.resultSeverity)).removeprefix(SH)
        shape = report.value(result, _SH.sourceShape)
        named = shape
        while isinstance(named, BNode) and named in parent:
            named = parent[named]
        messages = list(report.objects(result, _SH.resultMessage))
        english = [m for m in messages if getattr(m, "language", None) in (None, "en")]
        message = str((english or messages or ["(no message)"])[0])
        value = report.value(result, _SH.value)
        found.append(
            dict(
                severity=severity,
                focus=str(focus) if isinstance(focus, URIRef) else f"_:{focus}",
                path=_simple(_path_text(report if (path, None, None) in report else shapes_graph, path, {}))
                if path is not None
                else None,
                message=message,
                shape=str(named) if isinstance(named, URIRef) else "(anonymous shape)",
                value=None if value is None else str(value),
            )
        )
    return found


def count_shapes(shapes_graph) -> int:
    from rdflib.namespace import RDF, SH as _SH

    return len(set(shapes_graph.subjects(RDF.type, _SH.NodeShape)))


ENGINES = ("auto", "compiled", "pyshacl")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _shape_count(shape_triples) -> int:
    """``count_shapes`` without rdflib: the distinct subjects typed sh:NodeShape."""
    rdf_type, node_shape = RDF_TYPE, SH + "NodeShape"
    return len({
        t.subject
        for t in shape_triples
        if t.predicate.value == rdf_type and isinstance(t.object, ox.NamedNode) and t.object.value == node_shape
    })


def cache_key(paths: list, engine: str) -> str:
    """A key for a validation: the toolkit's version, the engine, and the content of every
    ontology, data and shapes file (an unchanged project validates to the same report)."""
    import hashlib

    from isthmus import __version__

    digest = hashlib.sha256(f"isthmus {__version__} engine {engine}\n".encode())
    for path in paths:
        if not Path(path).is_file():  # a pipe or a folder would block or fail: no shortcut
            raise OSError(f"{path} is not a regular file")
        digest.update(str(path).encode("utf-8") + b"\0")
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def _cached(folder: Path | None, key: str) -> ValidationReport | None:
    if folder is None:
        return None
    try:
        doc = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        return ValidationReport(
            results=[ValidationResult(**r) for r in doc["results"]],
            files=doc["files"], triples=doc["triples"], shapes=doc["shapes"], prefixes=doc["prefixes"],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent or unreadable: validate again


def _remember(folder: Path | None, key: str, report: ValidationReport) -> None:
    if folder is None:
        return
    from isthmus.atomic import write_bytes
    from isthmus.errors import OutputError

    doc = {"results": [asdict(r) for r in report.results], "files": report.files, "triples": report.triples,
           "shapes": report.shapes, "prefixes": report.prefixes}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_bytes(folder / f"{key}.json", json.dumps(doc, ensure_ascii=False).encode("utf-8"), option="--cache")
    except (OSError, OutputError):
        pass  # a cache that cannot be written only costs the next run its shortcut


def validate(project: Project, *, engine: str = "auto", cache: Path | None = None) -> ValidationReport:
    """Validate the project's data against its ontology and shapes.

    ``engine``: "auto" (the compiled engine, or pyshacl for the whole run when the shapes use
    a feature it does not compile), "compiled" (raise ``shaclsparql.Unsupported`` instead of
    falling back) or "pyshacl". ``cache``: a folder where reports are kept by the content of
    the files, so an unchanged project is not validated twice. Raises ``LoadError`` (listing
    every unreadable file) before any check runs.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}: one of {', '.join(ENGINES)}")
    all_files = project.ontology_files + project.data_files + project.shape_files
    key = None
    if cache is not None:
        try:
            key = cache_key(all_files, engine)
        except OSError:
            key = None  # an unreadable file: the full run below reports it
        hit = _cached(cache, key) if key else None
        if hit is not None:
            return hit
    report = _validate(project, all_files, engine)
    if key:
        _remember(cache, key, report)
    return report


def _validate(project: Project, all_files: list, engine: str) -> ValidationReport:
    display = project.display
    parsed = parse_files(all_files, display)
    by_part = {"ontology": [], "data": [], "shapes": []}
    for item in parsed:
        part = item.path.relative_to(project.root).parts[0]
        by_part[part].append(item)
    ontology = list(triples(by_part["ontology"]))
    data = list(triples(by_part["data"]))
    prefixes = merged_prefixes(by_part["data"] + by_part["ontology"] + by_part["shapes"])
    locator = Locator(by_part["data"] + by_part["ontology"], display)

    results: list[ValidationResult] = []
    for finding in lint_mod.lint(data, ontology):
        focus = finding["focus"]
        focus_text = focus.value if isinstance(focus, ox.NamedNode) else str(focus)
        file, line = locator.find(focus_text)
        results.append(
            ValidationResult(
                severity="Violation",
                focus=focus_text,
                path=finding["path"],
                message=finding["message"],
                shape=finding["rule"],
                value=finding["value"],
                file=file,
                line=line,
            )
        )
    shape_triples = triples(by_part["shapes"])
    shape_count = _shape_count(shape_triples)
    if shape_count:
        shacl_results = None
        if engine != "pyshacl":
            store = shaclsparql.new_store([q for f in by_part["ontology"] + by_part["data"] for q in f.quads])
            try:
                shacl_results = shaclsparql.validate(store, list(shape_triples))
            except shaclsparql.Unsupported as err:
                if engine == "compiled":
                    raise
                logging.getLogger(__name__).debug("SHACL through pyshacl: %s", err)
            del store
        if shacl_results is None:
            shapes_graph = to_rdflib(shape_triples)
            data_graph = to_rdflib(set(data) | set(ontology))
            shacl_results = _shacl(data_graph, shapes_graph)
        for found in shacl_results:
            file, line = locator.find(found["focus"])
            results.append(ValidationResult(**found, file=file, line=line))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    results.sort(key=lambda r: (order.get(r.severity, 9), r.shape, r.file or "", r.line or 0, r.focus, r.path or ""))
    return ValidationReport(
        results=results,
        files=len(all_files),
        triples=len(data),
        shapes=shape_count,
        prefixes=prefixes,
    )


# --- rendering ------------------------------------------------------------------------------


def _where(result: ValidationResult) -> str:
    if result.file:
        return f"{result.file}:{result.line}" if result.line else result.file
    return "(no file)"


def _compact_path(path: str, prefixes: dict[str, str]) -> str:
    """A path (an IRI, or SPARQL path text with <IRI>s) with prefixed names where possible."""
    if path.startswith(("http", "urn")):
        return compact(path, prefixes)
    return re.sub(r"<([^<>]*)>", lambda m: compact(m.group(1), prefixes), path)


def render_text(report: ValidationReport, *, warnings: bool = True) -> str:
    """The report for people: grouped by severity and shape (warnings and notes counted
    but not listed when ``warnings`` is false)."""
    p = report.prefixes
    counts = report.counts()
    lines = [
        f"{report.files} files, {report.triples} data triples, {report.shapes} shapes: "
        + ("conforms" if report.conforms else "does not conform")
        + f" ({counts['Violation']} violations, {counts['Warning']} warnings, {counts['Info']} notes)"
    ]
    groups: dict[tuple[str, str, str], list[ValidationResult]] = {}
    for r in report.results:
        if warnings or r.severity == "Violation":
            groups.setdefault((r.severity, r.shape, r.message), []).append(r)
    for (severity, shape, message), members in groups.items():
        lines.append("")
        lines.append(f"{severity}: {compact(shape, p) if shape.startswith(('http', 'urn')) else shape} ({len(members)})")
        lines.append(f"  {message}")
        for r in members:
            detail = f"  {_where(r)}: {compact(r.focus, p) if not r.focus.startswith('_:') else r.focus}"
            if r.path:
                detail += " " + _compact_path(r.path, p)
            if r.value is not None:
                value = r.value if len(r.value) <= 60 else r.value[:57] + "..."
                detail += f" = {value!r}" if not r.value.startswith("http") else f" -> {compact(r.value, p)}"
            lines.append(detail)
    return "\n".join(lines) + "\n"


def render_json(report: ValidationReport) -> str:
    doc = {
        "conforms": report.conforms,
        "counts": report.counts(),
        "files": report.files,
        "triples": report.triples,
        "shapes": report.shapes,
        "results": [asdict(r) for r in report.results],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def render_turtle(report: ValidationReport) -> str:
    """The report as a W3C SHACL validation report graph (lint findings included)."""
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import RDF, XSD

    sh = Namespace(SH)
    g = Graph()
    g.bind("sh", sh)
    for name, ns in report.prefixes.items():
        if name:
            g.bind(name, ns)
    root = BNode("report")
    g.add((root, RDF.type, sh.ValidationReport))
    g.add((root, sh.conforms, Literal(report.conforms, datatype=XSD.boolean)))
    for i, r in enumerate(report.results):
        node = BNode(f"r{i}")
        g.add((root, sh.result, node))
        g.add((node, RDF.type, sh.ValidationResult))
        g.add((node, sh.resultSeverity, sh[r.severity]))
        g.add((node, sh.focusNode, BNode(r.focus[2:]) if r.focus.startswith("_:") else URIRef(r.focus)))
        g.add((node, sh.resultMessage, Literal(r.message, lang="en")))
        if r.shape.startswith(("http", "urn")):
            g.add((node, sh.sourceShape, URIRef(r.shape)))
        if r.path:
            g.add((node, sh.resultPath, URIRef(r.path) if r.path.startswith(("http", "urn")) else Literal(r.path)))
        if r.value is not None:
            g.add((node, sh.value, URIRef(r.value) if r.value.startswith("http") else Literal(r.value)))
    return g.serialize(format="turtle")
