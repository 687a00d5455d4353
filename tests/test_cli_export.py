"""isthmus export: every format parses back to a graph isomorphic to the data."""

from __future__ import annotations

import json

import pytest
import rdflib
from rdflib.compare import isomorphic

FORMATS = {"jsonld": "json-ld", "ttl": "turtle", "nt": "nt", "nq": "nquads"}


def _canonical(graph: rdflib.Graph) -> rdflib.Graph:
    """Language tags in lower case: RDF 1.1 compares them case-insensitively, and
    pyoxigraph writes them lower-cased (ru-Latn becomes ru-latn)."""
    out = rdflib.Graph()
    for s, p, o in graph:
        if isinstance(o, rdflib.Literal) and o.language:
            o = rdflib.Literal(str(o), lang=o.language.lower())
        out.add((s, p, o))
    return out


def _data_graph(project) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted((project / "data").rglob("*.ttl")):
        graph.parse(path, format="turtle")
    return _canonical(graph)


def _parse_back(text: str, fmt: str) -> rdflib.Graph:
    if fmt == "nq":
        dataset = rdflib.Dataset()
        dataset.parse(data=text, format="nquads")
        graph = rdflib.Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            graph.add((s, p, o))
        return _canonical(graph)
    return _canonical(rdflib.Graph().parse(data=text, format=FORMATS[fmt]))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_round_trip_is_isomorphic(run, mini, fmt):
    result = run("--project", str(mini), "export", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert isomorphic(_parse_back(result.stdout, fmt), _data_graph(mini))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_bundled_data_round_trips(run, root, fmt):
    result = run("--project", str(root), "export", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert isomorphic(_parse_back(result.stdout, fmt), _data_graph(root))


def test_jsonld_uses_the_context_keys_and_one_graph(run, mini):
    doc = json.loads(run("--project", str(mini), "export", "--format", "jsonld").stdout)
    assert set(doc) == {"@context", "@graph"}
    assert doc["@context"] == json.loads((mini / "ontology" / "context.jsonld").read_text())["@context"]
    ada = next(node for node in doc["@graph"] if node["id"] == "https://example.org/id/person/ada")
    assert ada["type"] == "ex:Person"
    assert ada["knows"] == "https://example.org/id/person/bob"
    assert ada["born"] == "1815"
    assert ada["tags"] == {"@list": ["first", "second"]}
    assert ada["label"] == {"en": "Ada", "es": "Ada"}, "a language map"
    dataset = next(node for node in doc["@graph"] if node["id"] == "https://example.org/id/dataset")
    assert dataset["label"] == {"en": "Mini dataset"}


def test_jsonld_is_also_read_by_pyld(run, mini):
    from pyld import jsonld

    doc = json.loads(run("--project", str(mini), "export", "--format", "jsonld").stdout)
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    graph = rdflib.Graph().parse(data=nquads, format="nt")
    assert isomorphic(_canonical(graph), _data_graph(mini))


def test_nquads_graph_is_the_dataset(run, mini):
    text = run("--project", str(mini), "export", "--format", "nq").stdout
    assert all(line.endswith("<https://example.org/id/dataset> .") for line in text.splitlines())


def test_output_is_deterministic(run, mini):
    for fmt in FORMATS:
        first = run("--project", str(mini), "export", "--format", fmt).stdout
        second = run("--project", str(mini), "export", "--format", fmt).stdout
        assert first == second


def test_format_from_output_name_and_atomic_write(run, mini, tmp_path):
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "dump.nt"
    out.write_text("previous release\n")
    result = run("--project", str(mini), "export", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert isomorphic(_canonical(rdflib.Graph().parse(out, format="nt")), _data_graph(mini))
    assert [p.name for p in out.parent.iterdir()] == ["dump.nt"]


def test_failed_export_leaves_previous_output(run, mini, tmp_path):
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "dump.ttl"
    out.write_text("previous release\n")
    (mini / "data" / "broken.ttl").write_text("this is not turtle\n")
    result = run("--project", str(mini), "export", "-o", str(out))
    assert result.exit_code == 2
    assert "broken.ttl:1:" in result.stderr
    assert out.read_text() == "previous release\n"
    assert [p.name for p in out.parent.iterdir()] == ["dump.ttl"]


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("export", "--format", "rdfxml"), "--format: unknown format 'rdfxml'"),
        (("export", "-o", "dump.unknown"), "-o dump.unknown: cannot tell the format"),
        (("export", "-o", "/nonexistent-folder/dump.ttl"), "the folder /nonexistent-folder does not exist"),
    ],
)
def test_bad_export_usage_is_exit_2(run, mini, args, fragment):
    result = run("--project", str(mini), *args)
    assert result.exit_code == 2
    assert fragment in result.stderr and "Traceback" not in result.stderr
