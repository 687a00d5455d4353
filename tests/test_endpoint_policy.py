"""What the served endpoint lets through: queries yes; updates, SERVICE to other hosts and
oversized queries no. (The served endpoint itself is tested in test_publish.py.)"""

from __future__ import annotations

import pytest

from isthmus.serve import Policy
from isthmus.sparqltext import service_targets


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o } LIMIT 3",
        "ASK { ?s ?p ?o }",
        "CONSTRUCT WHERE { ?s ?p ?o }",
        'SELECT * WHERE { ?s ?p "SERVICE <http://evil.example/>" }',
        "# SERVICE <http://evil.example/>\nSELECT * WHERE { ?s ?p ?o }",
    ],
)
def test_queries_pass(query):
    assert Policy().refusal(query) is None


@pytest.mark.parametrize(
    "query, fragment",
    [
        ("INSERT DATA { <a:b> <a:c> <a:d> }", "updates are refused"),
        ("DELETE WHERE { ?s ?p ?o }", "updates are refused"),
        ("LOAD <http://evil.example/data.ttl>", "updates are refused"),
        ("CLEAR ALL", "updates are refused"),
        ("SELECT * WHERE { SERVICE <http://169.254.169.254/latest/> { ?s ?p ?o } }", "SERVICE http://169.254.169.254/latest/"),
        ("PREFIX e: <http://evil.example/> SELECT * WHERE { service silent e:sparql { ?s ?p ?o } }", "SERVICE http://evil.example/sparql"),
        ("SELECT * WHERE { SERVICE ?where { ?s ?p ?o } }", "SERVICE ?where"),
        ("SELECT * WHERE { ?s ?p ?o } #" + "x" * 200_000, "longer than"),
    ],
)
def test_refused(query, fragment):
    refusal = Policy().refusal(query)
    assert refusal is not None and fragment in refusal


def test_allow_list():
    policy = Policy(allowed_services=("https://query.wikidata.org/",))
    assert policy.refusal("SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }") is None
    assert policy.refusal("SELECT * { SERVICE <https://query.wikidata.org.evil.example/> { ?s ?p ?o } }") is not None


def test_service_targets_read_the_query_not_its_strings():
    text = 'PREFIX w: <https://w.example/> SELECT * { SERVICE <https://a.example/> {} SERVICE w:b {} ?s ?p "SERVICE <https://c.example/>" }'
    assert service_targets(text) == ["https://a.example/", "https://w.example/b"]
