"""Every stored query answers its competency question on the bundled graph.

Expected rows are read off the article (the page of the source is in each claim); the
tests run through the library, the same path as ``isthmus query``.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pytest

from isthmus import queries as q
from isthmus.graph import new_store, parse_files
from isthmus.project import Project
from support import ROOT, canonical_rows

PROJECT = Project(ROOT)
ID = "https://w3id.org/isthmus/id/"


@lru_cache(maxsize=1)
def store():
    return new_store(parse_files(PROJECT.ontology_files + PROJECT.data_files, PROJECT.display))


def run(name: str, **params: str) -> list[dict[str, str]]:
    stored = q.load_one(PROJECT.query_files, name, PROJECT.display)
    result = q.run_local(store(), stored.text, q.bind(stored, params), shown=name)
    return [{k: v["value"] for k, v in row.items()} for row in result.rows]


def column(rows, name):
    return [row.get(name) for row in rows]


def find(rows, **match):
    return [row for row in rows if all(row.get(k) == v for k, v in match.items())]


def test_every_competency_question_has_a_query():
    text = (ROOT.parent / "shared" / "COMPETENCY.md").read_text() if (ROOT.parent / "shared" / "COMPETENCY.md").exists() else ""
    asked = {int(n) for n in re.findall(r"^(\d+)\. ", text, re.M)} or set(range(1, 16))
    answered = set()
    for path in PROJECT.query_files:
        answered |= {int(n) for n in re.findall(r"competency question (\d+)", path.read_text())}
    assert asked <= answered, sorted(asked - answered)


def test_every_query_has_a_test_here():
    source = open(__file__, encoding="utf-8").read()
    untested = [p.stem for p in PROJECT.query_files if f'"{p.stem}"' not in source]
    assert not untested


def test_actors_by_kind():
    rows = run("actors-by-kind")
    states = {row["label"] for row in find(rows, kind="state")}
    article_states = {
        "Mexico", "Guatemala", "El Salvador", "Honduras", "Nicaragua", "Costa Rica", "Panama", "Belize",
        "United States", "Colombia", "Venezuela", "Cuba", "Chile", "Brazil", "Argentina", "Canada", "France",
    }
    assert article_states <= states
    assert find(rows, kind="cartel", label="Los Zetas")
    assert find(rows, kind="gang", label="MS-13")
    assert find(rows, kind="political party", actor=ID + "actor/pri")
    pairs = [(r["actor"], r["kind"]) for r in rows]
    assert len(pairs) == len(set(pairs)), "each actor once per most specific kind"
    assert {r["kind"] for r in find(rows, actor=ID + "actor/fmln")} == {"armed group", "political party"}
    assert column(rows, "kind") == sorted(column(rows, "kind"))


def test_timeline_runs_1907_to_2018_in_order():
    rows = run("timeline")
    dates = column(rows, "date")
    assert dates == sorted(dates), "calendar order (lexical order of ISO dates)"
    assert dates[0] == "1907" and dates[-1].startswith("2018")
    first = rows[0]
    assert first["item"] == ID + "event/central-american-tribunal-founding-1907" and first["precision"] == "gYear"
    merida = find(rows, item=ID + "agreement/merida-initiative")[0]
    assert merida["date"] == "2007" and merida["precision"] == "gYear" and "[21, p. 8–10]" in merida["sources"]
    letter = [r for r in rows if r["date"] == "2017-06-07"]
    assert letter and letter[0]["precision"] == "date"
    daca = find(rows, item=ID + "event/daca-closing-2017-09")[0]
    assert daca["date"] == "2017-09" and daca["precision"] == "gYearMonth"
    assert all(r["sources"] for r in rows), "every dated item has provenance"


def test_agreements_with_central_america():
    rows = run("agreements-with-central-america")
    ppp = find(rows, agreement=ID + "agreement/plan-puebla-panama", role="promoter")
    assert ppp and ppp[0]["start"] == "2000"
    assert {"Guatemala", "Belize", "Panama"} <= set(ppp[0]["partners"].split(", "))
    gansef = find(rows, agreement=ID + "agreement/gansef-mexico-guatemala")
    assert gansef and gansef[0]["start"] == "2002" and gansef[0]["partners"] == "Guatemala"
    assert "border security" in gansef[0]["topics"]
    assert all(r["_actor_iri"] == ID + "actor/mexico" for r in rows)
    other = run("agreements-with-central-america", actor=ID + "actor/colombia")
    assert all(r["_actor_iri"] == ID + "actor/colombia" for r in other)


def test_us_security_initiatives():
    rows = run("us-security-initiatives")
    merida = find(rows, agreement=ID + "agreement/merida-initiative")[0]
    assert merida["start"] == "2007"
    assert float(merida["amount"]) == 1_400_000_000 and merida["amountAsPrinted"] == "1,4 billion"
    assert {"Mexico", "Central America"} <= set(merida["scope"].split(", "))
    assert find(rows, agreement=ID + "agreement/carsi", start="2009")
    assert find(rows, agreement=ID + "agreement/cbsi", start="2010")
    assert not find(rows, agreement=ID + "agreement/daca"), "DACA is not a security initiative"


def test_government_at_event():
    rows = run("government-at-event")
    san_fernando = find(rows, event=ID + "event/san-fernando-massacre-2010")
    assert {r["head"] for r in san_fernando} == {"Felipe Calderón"}
    tour = find(rows, event=ID + "event/tillerson-kelly-tour-2017-02")
    assert {(r["state"], r["head"]) for r in tour} == {("Mexico", "Enrique Peña Nieto")}
    us = run("government-at-event", state=ID + "actor/united-states")
    tour = find(us, event=ID + "event/tillerson-kelly-tour-2017-02")
    assert {(r["state"], r["head"]) for r in tour} == {("United States", "Donald Trump")}


def test_migration_events():
    rows = run("migration-events")
    massacre = find(rows, event=ID + "event/san-fernando-massacre-2010")[0]
    assert massacre["date"] == "2010"
    assert "San Fernando" in massacre["places"]
    assert "72 migrants killed" in massacre["figures"]
    assert massacre["responsible"] == "Los Zetas"
    crisis = find(rows, event=ID + "event/immigration-crisis-2014")[0]
    assert "more than 57 thousand" in crisis["figures"]


def test_criminal_organizations():
    rows = run("criminal-organizations")
    zetas = find(rows, group=ID + "actor/los-zetas")[0]
    assert zetas["kind"] == "cartel" and zetas["homeState"] == "Mexico"
    ms13 = find(rows, group=ID + "actor/ms-13")[0]
    assert ms13["kind"] == "gang" and ms13["homeState"] == "El Salvador" and "Mexico" in ms13["operatesIn"]
    maras = find(rows, group=ID + "actor/maras")[0]
    assert "Mexican drug cartels" in maras["linkedWith"]


def test_statements_by_reference():
    rows = run("statements-by-reference")
    assert {r["pages"] for r in rows} == {"p. 173, 175", "p. 178–180"}
    assert any("72 migrants" in r["quote"] for r in rows)
    merida = run("statements-by-reference", number="21")
    assert [r["pages"] for r in merida] == ["p. 8–10"]
    assert "Mérida Initiative" in merida[0]["supports"]
    assert run("statements-by-reference", number="99") == []


def test_sources_by_kind():
    rows = run("sources-by-kind")
    categories = {r["category"] for r in rows}
    assert categories <= {"scholarly", "news", "official", "legal"} and {"scholarly", "news", "official", "legal"} <= categories
    total = sum(int(r["sources"]) for r in rows)
    assert total >= 44, "the article and its 43 references"
    russian = [r for r in rows if r.get("language") == "ru"]
    assert russian and sum(int(r["sources"]) for r in russian) >= 5


def test_trade_figures():
    rows = run("trade-figures")
    totals = [r for r in rows if r["figure"].endswith(("trade-2000", "trade-2010"))]
    assert [(r["date"], float(r["value"])) for r in totals] == [("2000", 1_836_000_000), ("2010", 6_554_000_000)]
    assert all(r["unit"] == "US dollar" for r in totals)
    shares = {r["figure"].rsplit("/", 1)[-1]: r for r in rows if r["unit"] == "percent"}
    assert float(shares["guatemala-share-of-exports"]["value"]) == 40
    assert shares["costa-rica-share-of-imports"]["qualifier"] == "more than"


def test_forums_with_sica():
    rows = run("forums-with-sica")
    dialog = find(rows, mechanism=ID + "agreement/sica-north-america-dialogue")
    assert dialog and dialog[0]["start"] == "2010" and dialog[0]["kind"] == "dialogue"


def test_wikidata_links():
    rows = run("wikidata-links")
    mexico = find(rows, entity=ID + "actor/mexico")[0]
    assert mexico["wikidata"] == "http://www.wikidata.org/entity/Q96" and mexico["status"] == "confirmed"
    assert find(rows, status="not linked"), "the graph says which entities are not linked yet"
    for row in rows:
        if row.get("wikidata"):
            assert re.fullmatch(r"http://www\.wikidata\.org/entity/Q[1-9]\d*", row["wikidata"])


def test_administration_topics():
    rows = run("administration-topics")
    calderon = find(rows, administration=ID + "actor/calderon-administration")
    assert calderon and calderon[0]["from"] == "2006" and calderon[0]["to"] == "2012"
    assert "organized crime" in {r["topic"] for r in calderon}
    us = run("administration-topics", state=ID + "actor/united-states")
    assert {r["_state_iri"] for r in us} == {ID + "actor/united-states"}


def test_most_active_actors():
    rows = run("most-active-actors")
    assert rows[0]["actor"] == ID + "actor/mexico"
    totals = [int(r["total"]) for r in rows]
    assert totals == sorted(totals, reverse=True)
    assert all(int(r["events"]) + int(r["agreements"]) >= int(r["total"]) for r in rows)


def test_southern_border():
    rows = run("southern-border")
    items = set(column(rows, "item"))
    assert ID + "agreement/gansef-mexico-guatemala" in items
    assert ID + "event/mexican-navy-surveillance-of-southern-rivers" in items
    navy = find(rows, item=ID + "event/mexican-navy-surveillance-of-southern-rivers")[0]
    assert "Usumacinta River" in navy["places"]


def test_class_counts():
    rows = {r["class"]: int(r["resources"]) for r in run("class-counts")}
    assert rows["https://w3id.org/isthmus/ontology#State"] >= 17
    assert rows["https://w3id.org/isthmus/ontology#Source"] == 44


def test_provenance():
    rows = run("provenance")
    assert rows[0]["citation"] == "[16, p. 178–180]"
    assert "killing of 72 migrants in San Fernando" in rows[0]["quote"]
    assert rows[0]["reference"] == ID + "source/ref-16"


def test_actor_involvement():
    rows = run("actor-involvement")
    assert find(rows, item=ID + "agreement/plan-puebla-panama", role="promoter")
    assert find(rows, item=ID + "event/central-american-security-conference", role="organizer")
    dates = [r["date"] for r in rows if r.get("date")]
    assert dates == sorted(dates)


@pytest.fixture(scope="module")
def endpoint():
    from conftest import OxigraphServer

    server = OxigraphServer()
    for path in PROJECT.ontology_files + PROJECT.data_files:
        server.load(path)
    yield server
    server.stop()


@pytest.mark.parametrize("name", sorted(p.stem for p in PROJECT.query_files))
def test_remote_endpoint_gives_the_same_answer(endpoint, name):
    from isthmus.sparql import Endpoint

    stored = q.load_one(PROJECT.query_files, name, PROJECT.display)
    bindings = q.bind(stored, {})
    local = q.run_local(store(), stored.text, bindings, shown=name)
    remote = Endpoint(endpoint.query_url, timeout=30).run(q.with_values(stored.text, bindings), stored.form)

    assert remote.variables == local.variables
    assert canonical_rows(remote.rows) == canonical_rows(local.rows)
