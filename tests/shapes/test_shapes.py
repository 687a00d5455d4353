"""The SHACL shapes of Isthmus (shapes/*.ttl), one conforming and one violating case per shape.

Each shape ``ish:NameShape`` has a folder ``cases/NameShape/`` with two small, self-contained
Turtle documents:

- ``conforms.ttl`` validates with no result at all (no violation, no warning, from any shape);
- ``violates.ttl`` announces, in leading comments, the results it must produce from that shape
  (``sh:sourceShape`` is the shape, or one of its property shapes)::

      # expect: focus=event:x path=isth:date severity=Warning

  ``focus`` is a CURIE (with the file's prefixes) or an ``<IRI>``; ``path`` is a CURIE or
  ``<IRI>``, ``^p`` for an inverse path, ``(p|q)`` for alternatives, or ``none`` for a
  node-level result; ``severity`` (Violation, Warning) is checked when given.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, SH, SKOS

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent / "cases"
ISH = rdflib.Namespace("https://w3id.org/isthmus/shapes#")
SHAPES_GRAPH_IRI = rdflib.URIRef("https://w3id.org/isthmus/shapes")


def _load(paths) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


SHAPES = _load(sorted((ROOT / "shapes").glob("*.ttl")))
ONTOLOGY = _load([ROOT / "ontology" / "isthmus.ttl"])


def validate(data: rdflib.Graph) -> rdflib.Graph:
    """Validate ``data`` against shapes/*.ttl and ontology/isthmus.ttl; return the report graph.

    The ontology is merged into (a copy of) the data graph rather than passed as
    ``ont_graph``: both put the rdfs:subClassOf axioms in the graph that sh:targetClass
    reads, but pyshacl's ont_graph mix-in deep-copies every owl:NamedIndividual of the
    ontology recursively (the SKOS schemes of source categories and qualifiers link back
    and forth), which costs about 5 s per call; merging costs milliseconds.
    ``test_merging_the_ontology_equals_ont_graph`` checks that both give the same report.
    """
    from isthmus.validate import shacl_report

    graph = rdflib.Graph()
    graph += data
    graph += ONTOLOGY
    report = shacl_report(graph, SHAPES)
    return report


# ---------------------------------------------------------------------------
# Reading reports and expectations
# ---------------------------------------------------------------------------


def _owning_shape(node):
    """The IRI-named shape a (possibly nested, blank-node) shape belongs to."""
    while isinstance(node, rdflib.BNode):
        parent = next(SHAPES.subjects(None, node), None)
        if parent is None:
            return None
        node = parent
    return node


def _path_text(graph: rdflib.Graph, path) -> str:
    """A SHACL path as text: <iri>, ^<iri>, (<a>|<b>), (<a>/<b>), none."""
    if path is None:
        return "none"
    if isinstance(path, rdflib.URIRef):
        return f"<{path}>"
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(graph, inverse)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path_text(graph, p) for p in Collection(graph, alternatives)) + ")"
    for predicate, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, predicate)
        if inner is not None:
            return _path_text(graph, inner) + suffix
    if (path, RDF.first, None) in graph:
        return "(" + "/".join(_path_text(graph, p) for p in Collection(graph, path)) + ")"
    raise ValueError(f"not a SHACL path: {path!r}")


_TOKEN = re.compile(r"<[^>]*>|[\^()|/*+?]|[^\s\^()|/*+?<>]+")
_PREFIX = re.compile(r"@prefix\s+([\w-]*):\s*<([^>]*)>\s*\.", re.IGNORECASE)


def _prefixes(path: Path) -> dict:
    """The case file's own prefixes (rdflib's graph bindings may rename clashing ones)."""
    return dict(_PREFIX.findall(path.read_text(encoding="utf-8")))


def _expand(prefixes: dict, text: str) -> str:
    """Expand the CURIEs of an expected focus or path to <IRI>s, with the case's prefixes."""
    out = []
    for token in _TOKEN.findall(text):
        if token == "none" or token.startswith("<") or len(token) == 1 and token in "^()|/*+?":
            out.append(token)
        else:
            prefix, _, local = token.partition(":")
            out.append(f"<{prefixes[prefix]}{local}>")
    return "".join(out)


def _results(report: rdflib.Graph):
    """(shape, focus, path, severity, messages) of every result of a report."""
    rows = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        rows.append(
            (
                _owning_shape(report.value(result, SH.sourceShape)),
                report.value(result, SH.focusNode),
                _path_text(report, report.value(result, SH.resultPath)),
                report.value(result, SH.resultSeverity),
                sorted(str(m) for m in report.objects(result, SH.resultMessage)),
            )
        )
    return rows


def _describe(rows) -> str:
    return "\n".join(
        f"  {shape.n3() if shape else '?'} {focus.n3()} path={path} {severity.split('#')[-1]}: {messages[:1]}"
        for shape, focus, path, severity, messages in rows
    )


def _expectations(path: Path):
    expectations = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"#\s*expect:\s*(.*)$", line)
        if match:
            fields = dict(item.split("=", 1) for item in match.group(1).split())
            expectations.append(fields)
    return expectations


# ---------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------


def _named_shapes():
    return sorted(
        s for s in SHAPES.subjects(RDF.type, SH.NodeShape) if isinstance(s, rdflib.URIRef)
    )


def _case_files(kind: str):
    files = []
    for folder in sorted(p for p in CASES.iterdir() if p.is_dir()):
        pattern = "conforms.ttl" if kind == "conforms" else "violates*.ttl"
        files.extend(sorted(folder.glob(pattern)))
    return files


@pytest.mark.parametrize(
    "case", _case_files("conforms"), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_conforming_case_conforms(case: Path):
    data = rdflib.Graph().parse(case, format="turtle")
    rows = _results(validate(data))
    assert not rows, f"{case.parent.name}/{case.name} should produce no result, got:\n{_describe(rows)}"


@pytest.mark.parametrize(
    "case", _case_files("violates"), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_violating_case_is_reported_by_its_shape(case: Path):
    shape = ISH[case.parent.name]
    assert (shape, RDF.type, SH.NodeShape) in SHAPES, f"no shape {shape.n3()} for {case}"
    expectations = _expectations(case)
    assert expectations, f"{case} has no '# expect:' line"
    prefixes = _prefixes(case)
    data = rdflib.Graph().parse(case, format="turtle")
    rows = _results(validate(data))
    own = [row for row in rows if row[0] == shape]
    for expected in expectations:
        focus = rdflib.URIRef(_expand(prefixes, expected["focus"])[1:-1])
        path = _expand(prefixes, expected.get("path", "none"))
        severity = expected.get("severity")
        matches = [
            row
            for row in own
            if row[1] == focus
            and row[2] == path
            and (severity is None or row[3] == SH[severity])
        ]
        assert matches, (
            f"{case.parent.name}/{case.name}: expected a result of {shape.n3()} with focus {focus.n3()} "
            f"and path {path}{' (' + severity + ')' if severity else ''}; the results were:\n{_describe(rows)}"
        )
        assert all(row[4] for row in matches), "every result carries a message"


# ---------------------------------------------------------------------------
# Coverage and conventions of the shapes
# ---------------------------------------------------------------------------


def test_every_ontology_class_has_a_shape_named_after_it():
    classes = {c for c in ONTOLOGY.subjects(RDF.type, OWL.Class) if isinstance(c, rdflib.URIRef)}
    assert classes, "no owl:Class in ontology/isthmus.ttl"
    missing = []
    for cls in sorted(classes | {SKOS.Concept, SKOS.ConceptScheme}):
        local = re.split(r"[#/]", str(cls))[-1]
        shape = ISH[f"{local}Shape"]
        if (shape, SH.targetClass, cls) not in SHAPES:
            missing.append(f"{cls.n3()} (expected {shape.n3()} with sh:targetClass)")
    assert not missing, "classes without their shape:\n  " + "\n  ".join(missing)


def test_every_shape_has_a_conforming_and_a_violating_case():
    shapes = {s.split("#")[-1] for s in _named_shapes()}
    folders = {p.name for p in CASES.iterdir() if p.is_dir()}
    assert shapes - folders == set(), f"shapes without cases: {sorted(shapes - folders)}"
    assert folders - shapes == set(), f"cases of no shape: {sorted(folders - shapes)}"
    for name in shapes:
        assert (CASES / name / "conforms.ttl").is_file(), f"{name}: no conforms.ttl"
        assert list((CASES / name).glob("violates*.ttl")), f"{name}: no violates.ttl"


def test_shapes_are_named_in_the_shapes_namespace():
    for shape in _named_shapes():
        assert shape.startswith(str(ISH)) and shape.endswith("Shape"), shape


def _english_message(node) -> bool:
    return any(
        isinstance(m, rdflib.Literal) and m.language == "en" and str(m).strip()
        for m in SHAPES.objects(node, SH.message)
    )


def test_every_property_shape_and_sparql_constraint_has_a_message():
    property_shapes = set(SHAPES.subjects(SH.path, None))
    sparql_constraints = set(SHAPES.objects(None, SH.sparql))
    assert property_shapes and sparql_constraints
    silent = [n for n in property_shapes | sparql_constraints if not _english_message(n)]
    assert not silent, f"{len(silent)} property shapes or SPARQL constraints lack an English sh:message"


def test_node_level_constraints_have_a_message():
    node_level = (SH["or"], SH["and"], SH["not"], SH.xone, SH["class"], SH.datatype, SH.nodeKind,
                  SH.node, SH.closed, SH["in"], SH.hasValue, SH.pattern)
    silent = [
        shape
        for shape in _named_shapes()
        if any((shape, p, None) in SHAPES for p in node_level) and not _english_message(shape)
    ]
    assert not silent, f"node shapes with node-level constraints but no sh:message: {silent}"


def test_sparql_prefixes_are_declared_once():
    declaring = set(SHAPES.subjects(SH.declare, None))
    assert declaring == {SHAPES_GRAPH_IRI}
    users = set(SHAPES.subjects(SH.select, None))
    assert users, "no SPARQL in the shapes"
    for node in users:
        assert SHAPES.value(node, SH.prefixes) == SHAPES_GRAPH_IRI, node


def test_merging_the_ontology_equals_ont_graph():
    """The helper's merge gives the report pyshacl gives with ont_graph (slow: about 6 s)."""
    import pyshacl

    data = _load(_case_files("violates") + _case_files("conforms"))
    _c, report, _t = pyshacl.validate(
        data,
        shacl_graph=SHAPES,
        ont_graph=ONTOLOGY,
        inference="none",
        allow_warnings=True,
        advanced=True,
    )

    def key(rows):
        return sorted((str(s), str(f), p, str(sev)) for s, f, p, sev, _m in rows)

    assert key(_results(report)) == key(_results(validate(data)))
