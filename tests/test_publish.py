"""isthmus publish: refuse a graph with violations, build the release in one swap, push it
to a Graph Store, serve it. Real parts only: an Oxigraph server, the HTTP front."""

from __future__ import annotations

import hashlib
import json
import shutil
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

from support import ROOT, canonical_rows


def _copy_project(target: Path) -> Path:
    for part in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(ROOT / part, target / part)
    return target


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    """The bundled graph published once for the tests of this module."""
    from click.testing import CliRunner

    from isthmus.main import cli

    out = tmp_path_factory.mktemp("release") / "dist"
    result = CliRunner().invoke(cli, ["--project", str(ROOT), "publish", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_publish_refuses_a_graph_with_violations(run, mini, tmp_path):
    path = mini / "data" / "places.ttl"
    path.write_text(path.read_text() + '\npl:nowhere a ex:Place ; rdfs:label "Nowhere"@fr .\n')
    out = tmp_path / "dist"
    result = run("--project", str(mini), "publish", "--out", str(out))
    assert result.exit_code == 1
    assert "Violation" in result.stdout and "nothing was published" in result.stderr
    assert not out.exists()


def test_release_has_every_distribution_with_its_checksum(release):
    sums = dict(reversed(line.split("  ", 1)) for line in (release / "SHA256SUMS").read_text().splitlines())
    for kind in ("dumps/isthmus.ttl", "dumps/isthmus.nt", "dumps/isthmus.jsonld", "dumps/context.jsonld",
                 "dumps/isthmus.zip", "ontology.ttl", "ontology.jsonld", "ontology.rdf", "shapes/shapes.ttl"):
        assert kind in sums, kind
    assert any(path.startswith("queries/") for path in sums)
    for path, digest in sums.items():
        assert hashlib.sha256((release / path).read_bytes()).hexdigest() == digest, path
    for name in ("index.html", "void.ttl", ".well-known/void", "catalog.ttl", ".htaccess"):
        assert (release / name).is_file(), name


def test_dumps_hold_the_data(release):
    data = rdflib.Graph()
    for path in sorted((ROOT / "data").rglob("*.ttl")):
        data.parse(path, format="turtle")
    lower = lambda g: {(s, p, rdflib.Literal(str(o), lang=o.language.lower()) if isinstance(o, rdflib.Literal) and o.language else o) for s, p, o in g}  # noqa: E731
    canonical = rdflib.Graph()
    for t in lower(data):
        canonical.add(t)
    for name, fmt in (("isthmus.ttl", "turtle"), ("isthmus.nt", "nt"), ("isthmus.jsonld", "json-ld")):
        dump = rdflib.Graph().parse(release / "dumps" / name, format=fmt)
        again = rdflib.Graph()
        for t in lower(dump):
            again.add(t)
        assert isomorphic(again, canonical), name
    with zipfile.ZipFile(release / "dumps" / "isthmus.zip") as archive:
        names = set(archive.namelist())
    assert "isthmus/dumps/isthmus.nt" in names and "isthmus/ontology.ttl" in names


def test_a_failed_publish_leaves_the_previous_release(run, release, tmp_path, monkeypatch):
    out = tmp_path / "dist"
    shutil.copytree(release, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("isthmus.publish.site.render", broken)
    result = run("--project", str(ROOT), "publish", "--out", str(out))
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr and "previous one is intact" in result.stderr
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir()] == ["dist"], "no temporary folder left behind"


def _count(server_query_url: str, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    request = urllib.request.Request(server_query_url + "?" + urllib.parse.urlencode({"query": query}),
                                     headers={"Accept": "application/sparql-results+json"})
    doc = json.loads(urllib.request.urlopen(request, timeout=10).read())
    return int(doc["results"]["bindings"][0]["n"]["value"])


def test_push_replaces_the_named_graph(run, oxigraph, mini, tmp_path):
    server = oxigraph()
    graph = "https://w3id.org/isthmus/id/dataset/isthmus"
    first = run("--project", str(ROOT), "publish", "--out", str(tmp_path / "a"), "--push", server.url + "/store")
    assert first.exit_code == 0, first.output
    full = _count(server.query_url, graph)
    assert full > 4000 and f"the store holds {full}" in first.stderr
    second = run("--project", str(mini), "publish", "--out", str(tmp_path / "b"), "--base-url", "https://example.org/",
                 "--push", server.url + "/store", "--graph", graph)
    assert second.exit_code == 0, second.output
    small = _count(server.query_url, graph)
    assert 0 < small < 100, "the graph was replaced, not added to"


def test_push_checks_the_count_and_sends_credentials(run, release, tmp_path, monkeypatch):
    from wikidata_support import FaultyServer, Reply

    server = FaultyServer([Reply(204, b""), Reply(200, b"", {"Content-Type": "application/n-triples"})])
    monkeypatch.setenv("ISTHMUS_PUSH_TOKEN", "s3cret")
    try:
        result = run("--project", str(ROOT), "publish", "--out", str(tmp_path / "dist"), "--push", server.url)
    finally:
        server.stop()
    assert result.exit_code == 2
    assert "the store holds 0 triples" in result.stderr
    put, get = server.requests[:2]
    assert put["body"] and b"<https://w3id.org/isthmus/id/actor/mexico>" in put["body"]
    assert "graph=" in put["path"]


def test_unreachable_store_is_exit_2(run, tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run("--project", str(ROOT), "publish", "--out", str(tmp_path / "dist"), "--push", f"http://127.0.0.1:{port}/store", "--timeout", "2")
    assert result.exit_code == 2 and "cannot reach the store" in result.stderr


@pytest.fixture(scope="module")
def served(release):
    from isthmus.serve import start

    running = start(release, port=0)
    yield running
    running.stop()


def test_served_endpoint_answers_like_the_local_graph(run, served):
    local = run("--project", str(ROOT), "query", "timeline", "--format", "json")
    remote = run("--project", str(ROOT), "query", "timeline", "--format", "json", "--endpoint", served.sparql)
    assert remote.exit_code == 0, remote.output
    rows = lambda result: canonical_rows(json.loads(result.stdout)["results"]["bindings"])  # noqa: E731
    assert rows(remote) == rows(local)


def test_served_endpoint_refuses_updates_and_service(served):
    from SPARQLWrapper import POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    wrapper = SPARQLWrapper(served.sparql, updateEndpoint=served.url + "update")
    wrapper.setMethod(POST)
    wrapper.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises((urllib.error.HTTPError, SPARQLWrapperException)):
        wrapper.query()
    for query in ("DELETE WHERE { ?s ?p ?o }", "SELECT * WHERE { SERVICE <http://169.254.169.254/> { ?s ?p ?o } }"):
        request = urllib.request.Request(served.sparql, data=urllib.parse.urlencode({"query": query}).encode(), method="POST")
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(request, timeout=10)
        assert err.value.code == 403


def test_served_site_negotiates_and_stays_inside(served):
    def get(path, accept="text/html"):
        return urllib.request.urlopen(urllib.request.Request(served.url + path, headers={"Accept": accept}), timeout=10)

    assert get("").headers["Content-Type"].startswith("text/html")
    turtle = get("id/actor/mexico", "text/turtle")
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    assert rdflib.Graph().parse(data=turtle.read().decode(), format="turtle")
    html = get("id/actor/mexico").read().decode()
    assert "Mexico" in html
    for path in ("../../../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd", "id/../../pyproject.toml"):
        with pytest.raises(urllib.error.HTTPError) as err:
            get(path)
        assert err.value.code == 404
