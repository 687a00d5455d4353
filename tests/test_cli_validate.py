"""isthmus validate: syntax errors, ontology lint and SHACL, with exit codes 0/1/2."""

from __future__ import annotations

import json

import rdflib


def test_clean_project_exits_0(run, mini):
    result = run("--project", str(mini), "validate")
    assert result.exit_code == 0, result.output
    assert "conforms (0 violations, 0 warnings" in result.stdout


def test_every_unparsable_file_is_reported_in_one_run(run, mini):
    (mini / "data" / "people.ttl").write_text(
        (mini / "data" / "people.ttl").read_text().replace('ex:born "1815"^^xsd:gYear ;', 'ex:born "1815"^^xsd:gYear ;;; ex:x')
    )
    (mini / "data" / "zz.ttl").write_text("@prefix ex: <https://example.org/ns#> .\nex:a ex:b .\n")
    (mini / "shapes" / "bad.ttl").write_text("nope:a nope:b nope:c .\n")
    result = run("--project", str(mini), "validate")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 3, result.stderr
    assert lines[0].startswith("isthmus: data/people.ttl:") or "people.ttl:" in lines[0]
    for line, name in zip(lines, ("people.ttl", "zz.ttl", "bad.ttl")):
        location = line.split(": ", 1)[1]
        path, row, col, message = location.split(":", 3)
        assert path.endswith(name) and row.isdigit() and col.isdigit() and message.strip()
    assert "Traceback" not in result.stderr


def test_shacl_violation_exits_1_with_focus_and_path(run, mini):
    path = mini / "data" / "places.ttl"
    path.write_text(path.read_text() + "\npl:nowhere a ex:Place ; rdfs:label \"Nowhere\"@fr .\n")
    result = run("--project", str(mini), "validate", "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["conforms"] is False
    (found,) = [
        r for r in doc["results"]
        if r["focus"] == "https://example.org/id/place/nowhere" and r["shape"].startswith("https://example.org/shapes#")
    ]
    assert found["path"] == "http://www.w3.org/2000/01/rdf-schema#label"
    assert found["shape"] == "https://example.org/shapes#ThingShape"
    assert found["message"] == "Labels are in English or Spanish."
    assert found["file"].endswith("data/places.ttl") and found["line"] == 8
    assert any(r["shape"] == "urn:isthmus:lint:no-english-label" for r in doc["results"])


def test_text_report_groups_by_shape_and_names_file_and_line(run, mini):
    path = mini / "data" / "people.ttl"
    path.write_text(path.read_text().replace("    ex:livesIn pl:lima .\n", "    .\n"))
    result = run("--project", str(mini), "validate")
    assert result.exit_code == 1
    assert "Violation: s:PersonShape (1)" in result.stdout
    assert "A person lives in a place." in result.stdout
    assert "data/people.ttl:19: p:bob ex:livesIn" in result.stdout


def test_lint_undeclared_terms_labels_types_and_dangling_links(run, mini):
    path = mini / "data" / "places.ttl"
    path.write_text(
        path.read_text()
        + "\npl:quito a ex:Plaec ; ex:nmae \"Quito\" ; rdfs:label \"Quito\"@es ;\n"
        + "    ex:born \"2010-13-45\"^^<http://www.w3.org/2001/XMLSchema#date> ; ex:livesIn pl:atlantis .\n"
    )
    result = run("--project", str(mini), "validate", "--format", "json")
    assert result.exit_code == 1
    found = {(r["shape"].rsplit(":", 1)[-1], r["focus"].rsplit("/", 1)[-1]) for r in json.loads(result.stdout)["results"]}
    assert ("undeclared-class", "quito") in found
    assert ("undeclared-property", "quito") in found
    assert ("no-english-label", "quito") in found
    assert ("ill-typed-literal", "quito") in found
    assert ("dangling-reference", "quito") in found


def test_turtle_report_is_a_shacl_report_graph(run, mini):
    path = mini / "data" / "places.ttl"
    path.write_text(path.read_text() + "\npl:nowhere a ex:Place ; rdfs:label \"Nowhere\"@fr .\n")
    result = run("--project", str(mini), "validate", "--format", "turtle")
    assert result.exit_code == 1
    graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    (report,) = graph.subjects(rdflib.RDF.type, sh.ValidationReport)
    assert graph.value(report, sh.conforms).toPython() is False
    focus = set(graph.objects(None, sh.focusNode))
    assert rdflib.URIRef("https://example.org/id/place/nowhere") in focus


def test_warnings_do_not_fail(run, mini):
    shapes = mini / "shapes" / "shapes.ttl"
    shapes.write_text(
        shapes.read_text()
        + "\ns:Spanish a sh:NodeShape ; sh:targetClass ex:Person ; sh:severity sh:Warning ;\n"
        + "  sh:sparql [ sh:message \"A person should have a Spanish label.\" ;\n"
        + "    sh:select \"\"\"SELECT $this WHERE { FILTER NOT EXISTS { $this <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(LANG(?l) = 'es') } }\"\"\" ] .\n"
    )
    result = run("--project", str(mini), "validate")
    assert result.exit_code == 0, result.output
    assert "1 warnings" in result.stdout and "Warning: s:Spanish (1)" in result.stdout


def test_missing_project_folder_is_exit_2(run, tmp_path):
    result = run("--project", str(tmp_path / "nope"), "validate")
    assert result.exit_code == 2
    assert "--project" in result.stderr and "no such folder" in result.stderr
    result = run("--project", str(tmp_path), "validate")
    assert result.exit_code == 2
    assert "not an Isthmus project (missing ontology/, data/, shapes/, queries/)" in result.stderr


def test_encoding_problems_name_file_and_position(run, mini):
    (mini / "data" / "latin1.ttl").write_bytes('@prefix ex: <https://example.org/ns#> .\nex:a ex:b "Méx" .\n'.encode("latin-1"))
    (mini / "data" / "utf16.ttl").write_bytes('@prefix ex: <https://example.org/ns#> .\n'.encode("utf-16"))
    result = run("--project", str(mini), "validate")
    assert result.exit_code == 2
    assert "latin1.ttl:2:13: byte 0xe9 is not UTF-8" in result.stderr
    assert "utf16.ttl:1:1: the file is encoded in UTF-16" in result.stderr


def test_quiet_lists_violations_only(run, mini):
    shapes = mini / "shapes" / "shapes.ttl"
    shapes.write_text(
        shapes.read_text()
        + "\ns:Spanish a sh:NodeShape ; sh:targetClass ex:Person ; sh:severity sh:Warning ;\n"
        + "  sh:property [ sh:path ex:knows ; sh:minCount 1 ; sh:severity sh:Warning ; sh:message \"Knows somebody.\" ] .\n"
    )
    loud = run("--project", str(mini), "validate")
    quiet = run("--project", str(mini), "validate", "--quiet")
    assert loud.exit_code == quiet.exit_code == 0
    assert "Knows somebody." in loud.stdout and "Knows somebody." not in quiet.stdout
    assert "1 warnings" in quiet.stdout


def test_an_unchanged_project_is_not_validated_twice(run, mini, tmp_path, monkeypatch):
    import json as _json

    monkeypatch.setenv("ISTHMUS_CACHE", str(tmp_path / "cache"))
    first = run("--project", str(mini), "validate", "--format", "json")
    (cached,) = list((tmp_path / "cache" / "validate").glob("*.json"))
    doc = _json.loads(cached.read_text())
    doc["results"].append({"severity": "Warning", "focus": "urn:from-the-cache", "path": None, "message": "cached",
                           "shape": "urn:test", "value": None, "file": None, "line": None})
    cached.write_text(_json.dumps(doc))
    second = run("--project", str(mini), "validate", "--format", "json")
    assert "urn:from-the-cache" in second.stdout, "the second run read the cache"
    assert "urn:from-the-cache" not in run("--project", str(mini), "validate", "--no-cache", "--format", "json").stdout
    (mini / "data" / "places.ttl").write_text((mini / "data" / "places.ttl").read_text() + "\n")
    third = run("--project", str(mini), "validate", "--format", "json")
    assert "urn:from-the-cache" not in third.stdout, "a changed file is validated again"
    assert _json.loads(third.stdout)["results"] == _json.loads(first.stdout)["results"]
