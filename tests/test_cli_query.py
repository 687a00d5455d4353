"""isthmus query: the catalogue, parameters, formats, ad hoc queries, remote endpoints."""

from __future__ import annotations

import csv
import io
import json

import pytest


def test_list_shows_names_summaries_and_parameters(run, mini):
    result = run("--project", str(mini), "query", "--list")
    assert result.exit_code == 0, result.output
    assert "people" in result.stdout and "People with the place they live in" in result.stdout
    assert "person:IRI=https://example.org/id/person/bob" in result.stdout
    assert "year:xsd:gYear?" in result.stdout


def test_list_as_json(run, mini):
    result = run("--project", str(mini), "query", "--list", "--format", "json")
    doc = json.loads(result.stdout)
    by_name = {q["name"]: q for q in doc}
    assert set(by_name) == {"people", "known-by", "named"}
    assert by_name["named"]["params"] == [
        {"name": "name", "type": "text@en", "required": True, "default": None},
        {"name": "year", "type": "xsd:gYear", "required": False, "default": None},
    ]


def test_stored_query_table(run, mini):
    result = run("--project", str(mini), "query", "people")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["person", "name", "place"]
    assert 'Bob "the builder"' in result.stdout
    assert len(lines) == 4


def test_default_parameter_is_used(run, mini):
    result = run("--project", str(mini), "query", "known-by", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows == [{"who": "https://example.org/id/person/ada", "_person_iri": "https://example.org/id/person/bob"}]


def test_parameter_as_prefixed_name(run, mini):
    result = run("--project", str(mini), "query", "known-by", "-p", "person=p:ada", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert list(csv.DictReader(io.StringIO(result.stdout))) == []


def test_language_and_typed_parameters(run, mini):
    result = run("--project", str(mini), "query", "named", "-p", "name=Ada", "-p", "year=1815", "--format", "json")
    doc = json.loads(result.stdout)
    assert doc["head"]["vars"] == ["person", "_name_en", "__year_gYear"]
    (row,) = doc["results"]["bindings"]
    assert row["person"] == {"type": "uri", "value": "https://example.org/id/person/ada"}
    assert row["_name_en"] == {"type": "literal", "value": "Ada", "xml:lang": "en"}
    assert row["__year_gYear"]["datatype"] == "http://www.w3.org/2001/XMLSchema#gYear"


def test_value_with_quotes_is_a_term_not_text(run, mini):
    result = run("--project", str(mini), "query", "named", "-p", 'name=Bob "the builder"', "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["person"] for r in rows} == {"https://example.org/id/person/bob"}
    injection = run("--project", str(mini), "query", "named", "-p", 'name=x"@en } UNION { ?person ?p ?o', "--format", "csv")
    assert injection.exit_code == 0, injection.output
    assert list(csv.DictReader(io.StringIO(injection.stdout))) == []


def test_tsv_uses_ntriples_terms(run, mini):
    result = run("--project", str(mini), "query", "named", "-p", "name=Ada", "--format", "tsv")
    header, row = result.stdout.splitlines()
    assert header == "?person\t?_name_en\t?__year_gYear"
    assert row.split("\t")[:2] == ["<https://example.org/id/person/ada>", '"Ada"@en']


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("query", "peple"), "no stored query named 'peple'; did you mean people"),
        (("query", "named"), "--param name: query 'named' needs a value"),
        (("query", "named", "-p", "name=Ada", "-p", "year=18x"), "--param year: '18x' is not a valid xsd:gYear"),
        (("query", "named", "-p", "nme=Ada"), "--param nme: query 'named' has no such parameter (it takes: name, year)"),
        (("query", "named", "-p", "nameAda"), "--param 'nameAda': write it as NAME=VALUE"),
        (("query", "known-by", "-p", "person=not an iri"), "--param person: 'not an iri' is not an absolute IRI"),
        (("query", "known-by", "-p", "person=http://x/a b"), "--param person: 'http://x/a b' is not a valid IRI"),
        (("query", "people", "--format", "xml"), "--format: unknown format 'xml'"),
        (("query",), "give exactly one of"),
        (("query", "-e", "SELECT * WHERE { ?s ?p }"), "-e:1:"),
        (("query", "-e", "DELETE WHERE { ?s ?p ?o }"), "not a SPARQL query"),
    ],
)
def test_bad_usage_is_one_clear_line_and_exit_2(run, mini, args, fragment):
    result = run("--project", str(mini), *args)
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_adhoc_text_and_file(run, mini, tmp_path):
    text = "PREFIX ex: <https://example.org/ns#> SELECT (COUNT(*) AS ?n) WHERE { ?s a ex:Person }"
    result = run("--project", str(mini), "query", "-e", text, "--format", "csv")
    assert result.stdout.splitlines() == ["n", "2"]
    path = tmp_path / "q.rq"
    path.write_text(text.replace("ex:Person", "ex:Place"))
    result = run("--project", str(mini), "query", "--file", str(path), "--format", "csv")
    assert result.stdout.splitlines() == ["n", "1"]


def test_output_file_is_written(run, mini, tmp_path):
    out = tmp_path / "people.csv"
    result = run("--project", str(mini), "query", "people", "--format", "csv", "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text().splitlines()[0] == "person,name,place"


def test_unwritable_output_is_exit_2(run, mini, tmp_path):
    out = tmp_path / "missing-folder" / "people.csv"
    result = run("--project", str(mini), "query", "people", "-o", str(out))
    assert result.exit_code == 2
    assert f"-o {out}: the folder" in result.stderr


def test_broken_query_file_names_file_and_line(run, mini):
    (mini / "queries" / "broken.rq").write_text("#+ summary: [unclosed\nSELECT * WHERE { ?s ?p ?o }\n")
    result = run("--project", str(mini), "query", "broken")
    assert result.exit_code == 2
    assert "queries/broken.rq:1:" in result.stderr and "bad decorator YAML" in result.stderr


def test_remote_endpoint_gives_the_local_answer(run, mini, oxigraph):
    server = oxigraph()
    for path in sorted((mini / "data").glob("*.ttl")) + sorted((mini / "ontology").glob("*.ttl")):
        server.load(path)
    for args in (("people",), ("known-by",), ("named", "-p", "name=Ada", "-p", "year=1815")):
        local = run("--project", str(mini), "query", *args, "--format", "json")
        remote = run("--project", str(mini), "query", *args, "--format", "json", "--endpoint", server.query_url)
        assert remote.exit_code == 0, remote.output
        assert json.loads(remote.stdout) == json.loads(local.stdout)


def test_remote_values_cannot_break_out(run, mini, oxigraph):
    server = oxigraph()
    for path in sorted((mini / "data").glob("*.ttl")):
        server.load(path)
    hostile = 'x"@en . } UNION { ?person ?p ?o } #'
    result = run("--project", str(mini), "query", "named", "-p", f"name={hostile}", "--format", "json", "--endpoint", server.query_url)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"]["bindings"] == []


def test_unreachable_endpoint_is_exit_2(run, mini):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run("--project", str(mini), "query", "people", "--endpoint", f"http://127.0.0.1:{port}/query", "--timeout", "2")
    assert result.exit_code == 2
    assert f"--endpoint http://127.0.0.1:{port}/query: cannot reach the endpoint" in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_data_file_is_named_on_the_query_path(run, mini):
    (mini / "data" / "broken.ttl").write_text("@prefix ex: <https://example.org/ns#> .\nex:a ex:b .\n")
    result = run("--project", str(mini), "query", "people")
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("broken.ttl:2:11: . is not a valid RDF object")
