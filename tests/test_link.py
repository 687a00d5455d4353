"""isthmus link wikidata: check, suggest, accept, give back; politeness and faults.

Endpoints are real: an Oxigraph server loaded with a Wikidata-shaped fixture, or a small
local HTTP server that misbehaves on purpose. Nothing here reaches Wikidata.
"""

from __future__ import annotations

import hashlib
import json
import time

import pytest

from support import ROOT
from wikidata_support import FaultyServer, Reply, add_links_to_mini, fixture_from_links, item_json

FIXTURE = ROOT / "tests" / "fixtures" / "wikidata" / "mini.ttl"


@pytest.fixture
def linked_mini(mini):
    add_links_to_mini(mini)
    return mini


@pytest.fixture
def wikidata(oxigraph):
    server = oxigraph()
    server.load(FIXTURE)
    return server


def check(run, project, endpoint, cache, *extra):
    return run("--project", str(project), "link", "wikidata", "--check", "--endpoint", endpoint,
               "--cache", str(cache), "--format", "json", *extra)


def findings(result) -> dict[str, dict]:
    doc = json.loads(result.stdout)
    return {row["entity"]["value"].rsplit("/", 1)[-1]: {k: v["value"] for k, v in row.items()} for row in doc["results"]["bindings"]}


def test_check_reports_each_kind_of_problem(run, linked_mini, wikidata, tmp_path):
    result = check(run, linked_mini, wikidata.query_url, tmp_path / "cache")
    assert result.exit_code == 1, result.output
    found = findings(result)
    assert found["ada"]["status"] == "ok", "the alias 'Ada' matches"
    assert found["lima"]["status"] == "ok", "a capital city is a city one wdt:P279 step up"
    assert found["bob"]["status"] == "missing"
    assert found["cusco"]["status"] == "redirected" and "Q900000004" in found["cusco"]["detail"]
    assert found["quito"]["status"] == "label mismatch" and "Guayaquil" in found["quito"]["detail"]
    assert found["carla"]["status"] == "type mismatch" and "Q5" in found["carla"]["detail"]
    order = [row["entity"]["value"].rsplit("/", 1)[-1] for row in json.loads(result.stdout)["results"]["bindings"]]
    assert order[0] == "bob", "unconfirmed links come first"


def test_check_is_cached_and_works_offline(run, linked_mini, wikidata, tmp_path):
    cache = tmp_path / "cache"
    first = check(run, linked_mini, wikidata.query_url, cache)
    files = sorted(p.name for p in cache.rglob("*.json"))
    assert "Q900000001.json" in files and "Q900000009.json" in files
    wikidata.stop()
    offline = check(run, linked_mini, wikidata.query_url, cache, "--offline")
    assert offline.exit_code == first.exit_code == 1
    assert findings(offline) == findings(first)


def test_check_batches_at_most_fifty_items_per_query(run, linked_mini, tmp_path):
    server = FaultyServer([Reply(200, json.dumps({"head": {"vars": ["item", "key", "value"]}, "results": {"bindings": []}}).encode())])
    try:
        check(run, linked_mini, server.url, tmp_path / "cache", "--batch", "2")
        assert len(server.requests) == 3, "6 links in batches of 2"
        query = server.requests[0]["path"]
        assert "VALUES" in __import__("urllib.parse", fromlist=["unquote_plus"]).unquote_plus(query)
    finally:
        server.stop()


def test_agent_names_the_tool_and_a_contact(run, root, tmp_path):
    server = FaultyServer([Reply(200, json.dumps({"head": {"vars": ["item", "key", "value"]}, "results": {"bindings": []}}).encode())])
    try:
        check(run, root, server.url, tmp_path / "cache", "--batch", "50", "--scholarly-endpoint", server.url)
        agent = server.requests[0]["agent"]
        assert agent.startswith("isthmus/") and "SPARQLWrapper/" in agent
        assert "(" in agent and ")" in agent, agent
    finally:
        server.stop()


def test_suggest_ranks_by_type_and_accept_writes_only_the_links_file(run, linked_mini, wikidata, tmp_path):
    result = run("--project", str(linked_mini), "link", "wikidata", "--suggest", "--endpoint", wikidata.query_url,
                 "--cache", str(tmp_path / "cache"))
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    header, body = rows[0], rows[1:]
    assert header[:4] == ["accept", "entity", "label", "candidate"]
    arequipa = [r for r in body if r[1].endswith("/arequipa")]
    assert [r[3] for r in arequipa] == ["Q900000007", "Q900000008"], "the city before the region"
    assert "city in Peru" in arequipa[0][5]
    review = tmp_path / "review.tsv"
    arequipa[0][0] = "y"
    review.write_text("\t".join(header) + "\n" + "\n".join("\t".join(r) for r in [arequipa[0], arequipa[1]]) + "\n")
    others = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (linked_mini / "data").glob("*.ttl") if p.name != "links.ttl"}
    accepted = run("--project", str(linked_mini), "link", "wikidata", "--accept", str(review))
    assert accepted.exit_code == 0, accepted.output
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in others} == others
    import rdflib

    links = rdflib.Graph().parse(linked_mini / "data" / "links.ttl")
    target = rdflib.URIRef("https://example.org/id/place/arequipa")
    assert (target, rdflib.OWL.sameAs, rdflib.URIRef("http://www.wikidata.org/entity/Q900000007")) in links
    assert str(links.value(target, rdflib.URIRef("https://example.org/ns#linkStatus"))) == "unconfirmed"
    assert (rdflib.URIRef("https://example.org/id/person/ada"), rdflib.OWL.sameAs, None) in links, "earlier links kept"


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("accept\tentity\n", "not a review table"),
        ("accept\tentity\tlabel\tcandidate\ny\thttps://example.org/id/place/lima\tLima\tX12\n", "review.tsv:2: 'X12' is not a Wikidata item id"),
        ("accept\tentity\tlabel\tcandidate\ny\thttps://example.org/id/place/lima\tLima\tQ1\n", "already linked to Q900000002"),
    ],
)
def test_bad_review_tables_are_refused(run, linked_mini, tmp_path, content, fragment):
    review = tmp_path / "review.tsv"
    review.write_text(content)
    before = (linked_mini / "data" / "links.ttl").read_bytes()
    result = run("--project", str(linked_mini), "link", "wikidata", "--accept", str(review))
    assert result.exit_code == 2 and fragment in result.stderr
    assert (linked_mini / "data" / "links.ttl").read_bytes() == before


# --- faults ------------------------------------------------------------------------------


def _one_item(qid="Q900000001", label="Ada", type_qid="Q5"):
    return Reply(200, item_json(qid, label, type_qid))


def test_retry_after_is_honoured(run, linked_mini, tmp_path):
    server = FaultyServer([Reply(429, b"slow down", {"Retry-After": "1", "Content-Type": "text/plain"}), _one_item()])
    try:
        start = time.monotonic()
        result = check(run, linked_mini, server.url, tmp_path / "cache", "--batch", "50")
        assert len(server.requests) >= 2
        assert server.requests[1]["at"] - server.requests[0]["at"] >= 0.95
        assert time.monotonic() - start < 20
        assert findings(result)["ada"]["status"] == "ok"
    finally:
        server.stop()


@pytest.mark.parametrize(
    "replies, fragment",
    [
        ([Reply(429, b"no", {"Retry-After": "0", "Content-Type": "text/plain"})], "HTTP 429"),
        ([Reply(503, b"down", {"Content-Type": "text/plain"})], "HTTP 503"),
        ([Reply(500, b"java.lang.NullPointerException", {"Content-Type": "text/plain"})], "the endpoint failed (HTTP 500)"),
        ([Reply(200, b"<html><body>Please set a User-Agent</body></html>", {"Content-Type": "text/html"})], "not SPARQL JSON results (got text/html"),
        ([Reply(200, item_json("Q900000001", "Ada", "Q5"), truncate_to=40)], "cut off"),
        ([Reply(200, item_json("Q900000001", "Ada", "Q5")[:-20])], "not SPARQL JSON results"),
        ([Reply(200, b"{}", delay=4)], "no answer within 1 s"),
    ],
    ids=["429", "503", "500", "html", "truncated-body", "truncated-json", "slow"],
)
def test_faults_end_in_one_message_a_partial_report_and_an_intact_cache(run, linked_mini, tmp_path, replies, fragment):
    cache = tmp_path / "cache"
    server = FaultyServer([_one_item(), *replies])
    try:
        result = check(run, linked_mini, server.url, cache, "--batch", "1", "--timeout", "1", "--retries", "1")
    finally:
        server.stop()
    assert result.exit_code == 2, result.output
    messages = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(messages) == 1 and fragment in messages[0], result.stderr
    assert "Traceback" not in result.stderr
    found = findings(result)
    assert found["ada"]["status"] == "ok", "the first batch arrived before the fault"
    assert found["bob"]["status"] == "not checked"
    cached = json.loads(next(cache.rglob("Q900000001.json")).read_text())
    assert cached["labels"] == {"en": ["Ada"]}
    assert not list(cache.rglob("*.tmp"))


# --- the bundled graph -------------------------------------------------------------------


def test_bundled_links_check_clean_against_a_fixture_built_from_them(run, root, oxigraph, tmp_path):
    main, scholarly = fixture_from_links(root)
    main_server, scholarly_server = oxigraph(), oxigraph()
    (tmp_path / "main.ttl").write_text(main)
    main_server.load(tmp_path / "main.ttl")
    if scholarly.strip():
        (tmp_path / "scholarly.ttl").write_text(scholarly)
        scholarly_server.load(tmp_path / "scholarly.ttl")
    result = run("--project", str(root), "link", "wikidata", "--check", "--endpoint", main_server.query_url,
                 "--scholarly-endpoint", scholarly_server.query_url, "--cache", str(tmp_path / "cache"), "--format", "json")
    assert result.exit_code == 0, result.output
    statuses = {row["status"] for row in findings(result).values()}
    assert statuses == {"ok"}
    assert len(findings(result)) >= 17


# --- give back ---------------------------------------------------------------------------

GIVE_BACK_LINKS = """
@prefix owl:    <http://www.w3.org/2002/07/owl#> .
@prefix wd:     <http://www.wikidata.org/entity/> .
@prefix actor:  <https://w3id.org/isthmus/id/actor/> .
@prefix event:  <https://w3id.org/isthmus/id/event/> .
@prefix place:  <https://w3id.org/isthmus/id/place/> .
@prefix office: <https://w3id.org/isthmus/id/office/> .
event:san-fernando-massacre-2010 owl:sameAs wd:Q900000201 .
actor:los-zetas owl:sameAs wd:Q900000202 .
place:san-fernando owl:sameAs wd:Q900000203 .
actor:felipe-calderon owl:sameAs wd:Q900000204 .
office:president-of-mexico owl:sameAs wd:Q900000205 .
"""


def test_quickstatements_give_back_sourced_facts(run, root, tmp_path):
    import shutil

    project = tmp_path / "project"
    for part in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(root / part, project / part)
    (project / "data" / "give-back.ttl").write_text(GIVE_BACK_LINKS)
    result = run("--project", str(project), "link", "wikidata", "--quickstatements")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    reference = ["S854", '"https://doi.org/10.21638/11701/spbu06.2019.204"', "S304", '"169–180"']
    assert ["Q900000201", "P8031", "Q900000202", *reference] in [line.split("\t") for line in lines]
    assert ["Q900000201", "P585", "+2010-00-00T00:00:00Z/9", *reference] in [line.split("\t") for line in lines]
    assert ["Q900000201", "P276", "Q900000203", *reference] in [line.split("\t") for line in lines]
    assert ["Q900000204", "P39", "Q900000205", "P580", "+2006-00-00T00:00:00Z/9", "P582", "+2012-00-00T00:00:00Z/9", *reference] in [
        line.split("\t") for line in lines
    ]
    for line in lines:
        item, prop, *_ = line.split("\t")
        assert item.startswith("Q") and prop.startswith("P")
    assert lines == sorted(lines)


def test_time_values_keep_the_precision_given():
    import pyoxigraph as ox

    from isthmus.quickstatements import time_value

    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert time_value(ox.Literal("2010", datatype=ox.NamedNode(xsd + "gYear"))) == "+2010-00-00T00:00:00Z/9"
    assert time_value(ox.Literal("2017-09", datatype=ox.NamedNode(xsd + "gYearMonth"))) == "+2017-09-00T00:00:00Z/10"
    assert time_value(ox.Literal("2017-06-07", datatype=ox.NamedNode(xsd + "date"))) == "+2017-06-07T00:00:00Z/11"
    assert time_value(ox.Literal("soon")) is None


def test_a_date_is_given_back_only_when_its_year_is_printed_in_a_supporting_quote():
    import pyoxigraph as ox

    from isthmus.quickstatements import printed

    year = ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")
    quotes = "During the Calderón presidency (2006–2012) Mexico continued\nabout 20008 migrants"
    assert printed(ox.Literal("2006", datatype=year), quotes)
    assert printed(ox.Literal("2012", datatype=year), quotes)
    assert not printed(ox.Literal("2000", datatype=year), quotes)  # only inside 20008
    assert not printed(ox.Literal("2008", datatype=year), quotes)
    assert printed(ox.Literal("2017-09", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth")),
                   "in September 2017 the closing of DACA")
    assert not printed(ox.Literal("2018", datatype=year), "")
