"""The compiled SHACL engine (isthmus.shaclsparql) gives exactly pyshacl's results.

Every comparison runs both engines on the same parsed triples: the compiled one on a
pyoxigraph store, pyshacl through validate.py's ``_shacl`` (the path ``isthmus validate``
falls back to), and compares the results as multisets of
(severity, focus, path, shape, value, message).
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from isthmus import shaclsparql
from isthmus.graph import to_rdflib
from isthmus.project import Project
from isthmus.validate import _shacl
from isthmus.validate import validate as validate_project
from support import MINI, ROOT

CASES = ROOT / "tests" / "shapes" / "cases"
SHAPE_FILES = sorted((ROOT / "shapes").glob("*.ttl"))
ONTOLOGY_FILES = [ROOT / "ontology" / "isthmus.ttl"]

PREFIXES = """
@prefix sh:   <http://www.w3.org/ns/shacl#> .
@prefix rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix ex:   <https://example.org/ns#> .
@prefix s:    <https://example.org/shapes#> .
"""
EX = "https://example.org/ns#"
S = "https://example.org/shapes#"


def _triples_of_files(paths) -> set[ox.Triple]:
    return {q.triple for path in paths for q in ox.parse(path=str(path))}


def _triples_of_text(text: str) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(PREFIXES + text, format=ox.RdfFormat.TURTLE)}


def _key(result: dict) -> tuple:
    return tuple(result[k] for k in ("severity", "focus", "path", "shape", "value", "message"))


def _store(items) -> ox.Store:
    return shaclsparql.new_store(list(items))


def _both(data: set, shapes: set) -> tuple[Counter, Counter]:
    """(compiled, pyshacl) results of validating ``data`` against ``shapes``."""
    compiled = shaclsparql.validate(_store(data), list(shapes))
    reference = _shacl(to_rdflib(data), to_rdflib(shapes))
    return Counter(map(_key, compiled)), Counter(map(_key, reference))


def _same(data: set, shapes: set) -> Counter:
    compiled, reference = _both(data, shapes)
    assert compiled == reference, (
        "the engines disagree:\n  only compiled: "
        + "\n  only compiled: ".join(map(str, compiled - reference))
        + "\n  only pyshacl: "
        + "\n  only pyshacl: ".join(map(str, reference - compiled))
    )
    return compiled


def _edge(shapes: str, data: str) -> Counter:
    return _same(_triples_of_text(data), _triples_of_text(shapes))


def _by(results: Counter, **fields) -> list[tuple]:
    names = ("severity", "focus", "path", "shape", "value", "message")
    return [
        key
        for key, count in results.items()
        for _ in range(count)
        if all(key[names.index(k)] == v for k, v in fields.items())
    ]


# ---------------------------------------------------------------------------
# Equivalence on the project's own shapes and data
# ---------------------------------------------------------------------------

SHAPES = _triples_of_files(SHAPE_FILES)
ONTOLOGY = _triples_of_files(ONTOLOGY_FILES)


@pytest.mark.parametrize(
    "case", sorted(CASES.glob("*/*.ttl")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_each_shape_case_gives_pyshacls_results(case: Path):
    results = _same(_triples_of_files([case]) | ONTOLOGY, SHAPES)
    if case.name.startswith("violates"):
        assert any(key[3] == "https://w3id.org/isthmus/shapes#" + case.parent.name for key in results)


def test_the_bundled_data_gives_pyshacls_results():
    data = _triples_of_files(sorted((ROOT / "data").glob("*.ttl")))
    results = _same(data | ONTOLOGY, SHAPES)
    assert sum(results.values()) > 50  # the article's graph has warnings: the test is not vacuous


def test_the_mini_fixture_gives_pyshacls_results():
    data = _triples_of_files(sorted((MINI / "data").glob("*.ttl")) + sorted((MINI / "ontology").glob("*.ttl")))
    shapes = _triples_of_files(sorted((MINI / "shapes").glob("*.ttl")))
    _same(data, shapes)
    # and with violations of every kind the mini shapes have
    broken = data | _triples_of_text(
        """
        <https://example.org/id/person/eve> a ex:Person ; rdfs:label "Eve"@fr ; ex:livesIn <https://example.org/id/person/ada> .
        <https://example.org/id/person/zed> a ex:Thing .
        """
    )
    broken |= {
        ox.Triple(ox.NamedNode(f"https://example.org/id/person/k{i}"), ox.NamedNode(EX + "knows"),
                  ox.NamedNode("https://example.org/id/person/bob"))
        for i in range(7)
    }
    results = _same(broken, shapes)
    assert len(results) >= 4


def test_the_store_is_left_as_it_was():
    data = _triples_of_files(sorted((ROOT / "data").glob("*.ttl"))) | ONTOLOGY
    store = _store(data)
    before = set(store)
    shaclsparql.validate(store, list(SHAPES))
    assert set(store) == before  # the scratch graph is gone


# ---------------------------------------------------------------------------
# Edge cases, each compared with pyshacl and checked for the result it must give
# ---------------------------------------------------------------------------


def test_ill_typed_literals_violate_sh_datatype():
    results = _edge(
        """
        s:D a sh:NodeShape ; sh:targetClass ex:T ;
            sh:property [ sh:path ex:date ; sh:datatype xsd:date ; sh:message "date"@en ] ,
                        [ sh:path ex:n ; sh:datatype xsd:integer ; sh:message "integer"@en ] ,
                        [ sh:path ex:p ; sh:datatype xsd:positiveInteger ; sh:message "positive"@en ] ,
                        [ sh:path ex:y ; sh:datatype xsd:gYear ; sh:message "year"@en ] ,
                        [ sh:path ex:s ; sh:datatype xsd:string ; sh:message "string"@en ] ,
                        [ sh:path ex:l ; sh:datatype rdf:langString ; sh:message "lang"@en ] .
        """,
        """
        ex:a a ex:T ; ex:date "2010-13-45"^^xsd:date , "2010-01-05"^^xsd:date , "2010-01-05" ;
            ex:n "x"^^xsd:integer , 7 , 7.0 ; ex:p "0"^^xsd:positiveInteger , "3"^^xsd:positiveInteger ;
            ex:y "2010"^^xsd:gYear , "abc"^^xsd:gYear , 2010 ;
            ex:s "plain" , "typed"^^xsd:string , "tagged"@en , ex:iri ;
            ex:l "tagged"@en , "plain" .
        """,
    )
    bad = {key[4] for key in results}
    assert {"2010-13-45", "2010-01-05", "x", "7.0", "0", "2010", "tagged", EX + "iri", "plain"} <= bad
    assert "3" not in bad and "7" not in bad
    assert len(_by(results, message="date")) == 2  # the ill-typed date and the plain string


def test_blank_node_focus_nodes():
    results = _edge(
        """
        s:B a sh:NodeShape ; sh:targetClass ex:T ;
            sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "name"@en ] ,
                        [ sh:path ex:ref ; sh:nodeKind sh:IRI ; sh:pattern "^https://" ; sh:message "ref"@en ] .
        """,
        """
        [] a ex:T . [] a ex:T ; ex:name "n" ; ex:ref [ ex:x 1 ] , <http://example.org/a> .
        """,
    )
    assert len(_by(results, message="name")) == 1
    assert _by(results, message="name")[0][1].startswith("_:")
    assert len(_by(results, message="ref")) == 3  # the blank node fails nodeKind and pattern; http fails pattern


def test_sh_or_of_datatypes():
    results = _edge(
        """
        s:O a sh:NodeShape ; sh:targetSubjectsOf ex:when ;
            sh:property [ sh:path ex:when ; sh:maxCount 1 ;
                sh:or ( [ sh:datatype xsd:gYear ; sh:pattern "^[0-9]{4}$" ]
                        [ sh:datatype xsd:date ; sh:pattern "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" ] ) ;
                sh:message "when"@en ] .
        """,
        """
        ex:a ex:when "2010"^^xsd:gYear . ex:b ex:when "2010-02-30"^^xsd:date .
        ex:c ex:when "2010-02-03"^^xsd:date , "20101"^^xsd:gYear . ex:d ex:when "2010" .
        """,
    )
    assert {key[1] for key in results} == {EX + "b", EX + "c", EX + "d"}
    assert _by(results, focus=EX + "c", value=None)  # maxCount, which has no value


def test_an_inverse_path_and_an_alternative_path():
    results = _edge(
        """
        s:G a sh:NodeShape ; sh:targetClass ex:Group ;
            sh:property [ sh:path [ sh:alternativePath ( ex:hasMember [ sh:inversePath ex:memberOf ] ) ] ;
                          sh:class ex:State ; sh:minCount 2 ; sh:severity sh:Warning ; sh:message "members"@en ] ,
                        [ sh:path [ sh:inversePath ex:memberOf ] ; sh:maxCount 1 ; sh:message "inverse"@en ] .
        ex:State rdfs:subClassOf ex:Actor .
        """,
        """
        ex:Country rdfs:subClassOf ex:State .
        ex:g1 a ex:Group ; ex:hasMember ex:x .
        ex:x a ex:Country ; ex:memberOf ex:g1 .
        ex:g2 a ex:Group ; ex:hasMember ex:p .
        ex:y a ex:State ; ex:memberOf ex:g2 . ex:z ex:memberOf ex:g2 . ex:p a ex:Person .
        """,
    )
    assert {k[1] for k in _by(results, message="members")} == {EX + "g1", EX + "g2"}
    assert {k[4] for k in _by(results, message="members", focus=EX + "g2")} == {EX + "p", EX + "z"}
    assert _by(results, message="members", focus=EX + "g1", value=None)  # one member: minCount
    assert _by(results, message="inverse", focus=EX + "g2")
    assert all(k[0] == "Warning" for k in _by(results, message="members"))
    paths = {k[2] for k in results}
    assert f"(<{EX}hasMember>|^<{EX}memberOf>)" in paths and f"^<{EX}memberOf>" in paths


def test_qualified_value_shapes():
    results = _edge(
        """
        s:Q a sh:NodeShape ; sh:targetClass ex:Pact ;
            sh:property [ sh:path ex:party ; sh:qualifiedValueShape [ sh:class ex:State ] ;
                          sh:qualifiedMinCount 2 ; sh:qualifiedMaxCount 3 ; sh:message "states"@en ] ,
                        [ sh:path rdfs:label ; sh:qualifiedValueShape [ sh:languageIn ( "en" ) ] ;
                          sh:qualifiedMinCount 1 ; sh:message "english"@en ] ,
                        [ sh:path ex:party ; sh:qualifiedValueShape [ sh:path ex:name ; sh:minCount 1 ] ;
                          sh:qualifiedMinCount 1 ; sh:message "named"@en ] .
        """,
        """
        ex:s1 a ex:State . ex:s2 a ex:State . ex:s3 a ex:State . ex:s4 a ex:State ; ex:name "four" .
        ex:a a ex:Pact ; ex:party ex:s1 , ex:s2 ; rdfs:label "A"@en-GB .
        ex:b a ex:Pact ; ex:party ex:s1 , ex:o ; rdfs:label "B"@es .
        ex:c a ex:Pact ; ex:party ex:s1 , ex:s2 , ex:s3 , ex:s4 ; rdfs:label "C" .
        """,
    )
    assert {k[1] for k in _by(results, message="states")} == {EX + "b", EX + "c"}
    assert {k[1] for k in _by(results, message="english")} == {EX + "b", EX + "c"}
    assert {k[1] for k in _by(results, message="named")} == {EX + "a", EX + "b"}


def test_sparql_constraints_with_path_value_and_message_templates():
    results = _edge(
        """
        <https://example.org/shapes> a owl:Ontology ;
            sh:declare [ sh:prefix "ex" ; sh:namespace "https://example.org/ns#"^^xsd:anyURI ] .
        s:R a sh:NodeShape ; sh:targetClass ex:T ;
            sh:sparql [ sh:prefixes <https://example.org/shapes> ;
                sh:message "end {?value} before start {?start} on {$this}"@en ;
                sh:select "SELECT $this ?value ?start (ex:end AS ?path) WHERE { $this ex:end ?value ; ex:start ?start . FILTER (?value < ?start) }" ] ,
                      [ sh:prefixes <https://example.org/shapes> ;
                sh:message "no quote contains {?value}"@en ;
                sh:select "SELECT $this ?value WHERE { $this ex:printed ?value . FILTER NOT EXISTS { ?c ex:supports $this ; ex:quote ?q . FILTER (CONTAINS(?q, ?value)) } }" ] ,
                      [ sh:prefixes <https://example.org/shapes> ; sh:message "no unit"@en ;
                sh:select "SELECT $this WHERE { FILTER NOT EXISTS { $this ex:unit ?u } }" ] .
        s:W a sh:NodeShape ; sh:severity sh:Warning ;
            sh:target [ a sh:SPARQLTarget ; sh:prefixes <https://example.org/shapes> ;
                        sh:select "SELECT ?this WHERE { ?this ex:start ?s . FILTER NOT EXISTS { ?this ex:end ?e } }" ] ;
            sh:sparql [ sh:prefixes <https://example.org/shapes> ; sh:message "open {?s}"@en ;
                        sh:select "SELECT $this ?s WHERE { $this ex:start ?s }" ] ,
                      [ sh:prefixes <https://example.org/shapes> ;
                        sh:message "never: projects neither $this, ?path nor ?value"@en ;
                        sh:select "SELECT ?s WHERE { $this ex:start ?s }" ] .
        """,
        """
        ex:a a ex:T ; ex:start 5 ; ex:end 3 , 4 , 7 ; ex:unit ex:m ; ex:printed "12" .
        ex:q ex:supports ex:a ; ex:quote "about 12 people" .
        ex:b a ex:T ; ex:printed "13" . ex:q2 ex:supports ex:b ; ex:quote "about 12 people" .
        ex:c ex:start 1 .
        """,
    )
    ends = _by(results, path=EX + "end")
    assert sorted(k[4] for k in ends) == ["3", "4"]
    assert f"end 3 before start 5 on {EX}a" in {k[5] for k in ends}
    assert _by(results, focus=EX + "b", value="13", message="no quote contains 13")
    assert _by(results, focus=EX + "b", value=EX + "b", message="no unit", path=None)
    assert _by(results, focus=EX + "c", severity="Warning", message="open 1")
    assert not any(k[5].startswith("never") for k in results)


def test_sh_deactivated():
    results = _edge(
        """
        s:Off a sh:NodeShape ; sh:targetClass ex:T ; sh:deactivated true ;
            sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message "off"@en ] .
        s:On a sh:NodeShape ; sh:targetClass ex:T ;
            sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:deactivated true ; sh:message "p off"@en ] ,
                        [ sh:path ex:q ; sh:minCount 1 ; sh:deactivated false ; sh:message "q on"@en ] ,
                        [ sh:path ex:r ; sh:or ( [ sh:deactivated true ; sh:datatype xsd:integer ] [ sh:datatype xsd:date ] ) ;
                          sh:message "or"@en ] ,
                        [ sh:path ex:r ; sh:not [ sh:datatype xsd:integer ; sh:deactivated true ] ; sh:message "not"@en ] ;
            sh:sparql [ sh:deactivated true ; sh:message "sparql off"@en ; sh:select "SELECT $this WHERE { }" ] .
        """,
        """
        ex:a a ex:T ; ex:r "x" .
        """,
    )
    messages = Counter(k[5] for k in results.elements())
    assert messages == {"q on": 1, "not": 1}


def test_more_constraints():
    results = _edge(
        """
        s:M a sh:NodeShape ; sh:targetNode ex:a ; sh:targetObjectsOf ex:link ;
            sh:property [ sh:path ex:status ; sh:in ( "yes" "no" ) ; sh:hasValue "yes" ; sh:message "status"@en ] ,
                        [ sh:path ex:note ; sh:languageIn ( "en" "es" ) ; sh:uniqueLang true ; sh:message "note"@en ] ,
                        [ sh:path ex:code ; sh:pattern "^ab" ; sh:flags "i" ; sh:minLength 3 ; sh:message "code"@en ] ,
                        [ sh:path ex:alt ; sh:disjoint ex:pref ; sh:message "disjoint"@en ] ,
                        [ sh:path ex:num ; sh:minInclusive 1 ; sh:maxExclusive 10 ; sh:message "range"@en ] ,
                        [ sh:path rdf:type ; sh:not [ sh:hasValue ex:Bad ] ; sh:message "type"@en ] ,
                        [ sh:path ex:kind ; sh:xone ( [ sh:class ex:A ] [ sh:class ex:B ] ) ; sh:message "xone"@en ] ,
                        [ sh:path ex:kind ; sh:and ( [ sh:nodeKind sh:IRI ] [ sh:node s:Named ] ) ; sh:message "and"@en ] ,
                        [ sh:path ex:two ; sh:class ex:A , ex:B ; sh:message "two classes"@en ] .
        s:Named a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
        s:Cited a sh:NodeShape ; sh:targetClass ex:Citation ; sh:message "pages"@en , "páginas"@es ;
            sh:or ( [ sh:path ex:text ; sh:pattern "^\\\\[[0-9]+\\\\]$" ] [ sh:path ex:pages ; sh:minCount 1 ] ) .
        ex:Klass a rdfs:Class , sh:NodeShape ; sh:property [ sh:path ex:p ; sh:maxCount 0 ; sh:severity sh:Info ; sh:message "implicit"@en ] .
        """,
        """
        ex:a ex:status "no" , "maybe" ; ex:note "x"@en , "y"@EN , "v"@en-GB , "z"@fr , "w" ;
            ex:code "ABc" , "xab" , "ab" , _:b ; ex:alt "same" , "other" ; ex:pref "same" ;
            ex:num 0 , 1 , 9.5 , 10 , "5" ; a ex:Bad , ex:Good ;
            ex:kind ex:k1 , ex:k2 , ex:k3 , "lit" ; ex:two ex:k1 , ex:k3 .
        ex:k1 a ex:A ; ex:name "one" . ex:k2 a ex:A , ex:B . ex:k3 a ex:C ; ex:name "three" .
        ex:x ex:link ex:o . ex:o ex:status "yes" .
        ex:c1 a ex:Citation ; ex:text "[1]" . ex:c2 a ex:Citation ; ex:text "[1, p. 3]" .
        ex:c3 a ex:Citation ; ex:text "[1, p. 3]" ; ex:pages "p. 3" . ex:c4 a ex:Citation .
        ex:i a ex:Klass ; ex:p 1 , 2 .
        """,
    )
    assert {k[4] for k in _by(results, message="status")} == {"maybe", None}
    assert _by(results, message="note", value="z") and _by(results, message="note", value="w")
    assert len(_by(results, message="note", value=None)) == 1  # "en" twice
    assert {k[4] for k in _by(results, message="code")} >= {"xab", "ab"}
    assert {k[4] for k in _by(results, message="disjoint")} == {"same"}
    assert {k[4] for k in _by(results, message="range")} == {"0", "10", "5"}
    assert {k[4] for k in _by(results, message="type")} == {EX + "Bad"}
    assert {k[4] for k in _by(results, message="xone")} == {EX + "k2", EX + "k3", "lit"}
    assert {k[4] for k in _by(results, message="and")} == {EX + "k2", "lit"}
    assert Counter(k[4] for k in _by(results, message="two classes")) == {EX + "k1": 1, EX + "k3": 2}
    assert {k[1] for k in _by(results, message="pages")} == {EX + "c2"}
    assert _by(results, focus=EX + "i", severity="Info", shape=EX + "Klass")
    assert not _by(results, focus=EX + "o")


def test_a_node_shape_constraint_on_the_focus_node():
    results = _edge(
        """
        s:N a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:nodeKind sh:IRI ; sh:class ex:A ;
            sh:not [ sh:class ex:B ] ; sh:message "node"@en .
        """,
        """
        ex:a ex:p 1 ; a ex:A . ex:b ex:p 1 ; a ex:A , ex:B . _:c ex:p 1 ; a ex:A . ex:d ex:p 1 .
        """,
    )
    assert Counter(k[1] for k in results.elements()) == {EX + "b": 1, EX + "d": 1, next(k[1] for k in results if k[1].startswith("_:")): 1}
    assert all(k[4] == (k[1] if not k[1].startswith("_:") else k[1][2:]) for k in results)


def test_a_sequence_path_and_a_literal_focus_node():
    results = _edge(
        """
        s:P a sh:NodeShape ; sh:targetClass ex:Event ; sh:targetNode "loose" ;
            sh:property [ sh:path ( ex:place ex:in ) ; sh:class ex:State ; sh:minCount 1 ; sh:message "seq"@en ] .
        """,
        """
        ex:e1 a ex:Event ; ex:place ex:city . ex:city ex:in ex:state . ex:state a ex:State .
        ex:e2 a ex:Event ; ex:place ex:town . ex:town ex:in ex:region .
        ex:e3 a ex:Event .
        """,
    )
    assert {(k[1], k[4]) for k in results} == {
        (EX + "e2", EX + "region"), (EX + "e3", None), ("_:loose", None)
    }
    assert {k[2] for k in results} == {f"<{EX}place>/<{EX}in>"}


def test_literals_that_oxigraph_would_rewrite_are_seen_as_written():
    results = _edge(
        """
        s:L a sh:NodeShape ; sh:targetSubjectsOf ex:n ;
            sh:property [ sh:path ex:n ; sh:maxCount 2 ; sh:message "count"@en ] ,
                        [ sh:path ex:n ; sh:in ( 7.0 "007"^^xsd:integer ) ; sh:message "in"@en ] ,
                        [ sh:path ex:n ; sh:hasValue 7.0 ; sh:message "has"@en ] ,
                        [ sh:path ex:n ; sh:pattern "^[07]" ; sh:message "lexical"@en ] ,
                        [ sh:path ex:n ; sh:or ( [ sh:datatype xsd:decimal ] [ sh:datatype xsd:positiveInteger ] ) ;
                          sh:message "types"@en ] .
        """,
        """
        ex:a ex:n 7.0 , 7.00 , "007"^^xsd:integer , "3"^^xsd:positiveInteger .
        ex:b ex:n 7 , 7.000 .
        """,
    )
    assert _by(results, focus=EX + "a", message="count") and not _by(results, focus=EX + "b", message="count")
    assert {k[4] for k in _by(results, focus=EX + "a", message="in")} == {"7.00", "3"}
    assert _by(results, focus=EX + "b", message="has") and not _by(results, focus=EX + "a", message="has")
    assert {k[4] for k in _by(results, message="lexical")} == {"3"}
    assert {(k[1], k[4]) for k in _by(results, message="types")} == {(EX + "a", "007"), (EX + "b", "7")}


# ---------------------------------------------------------------------------
# What the engine does not compile: Unsupported, and validate() falls back to pyshacl
# ---------------------------------------------------------------------------

UNSUPPORTED = {
    "closed": """
        s:C a sh:NodeShape ; sh:targetClass ex:Person ; sh:closed true ;
            sh:ignoredProperties ( rdf:type ex:tags ex:born ex:knows ) ; sh:property [ sh:path rdfs:label ] .
    """,
    "recursive": """
        s:R a sh:NodeShape ; sh:targetClass ex:Person ;
            sh:property [ sh:path ex:knows ; sh:node s:R ] ; sh:property [ sh:path rdfs:label ; sh:maxCount 1 ] .
    """,
    "zero-or-more path": """
        s:Z a sh:NodeShape ; sh:targetClass ex:Person ;
            sh:property [ sh:path [ sh:zeroOrMorePath ex:knows ] ; sh:class ex:Person ] .
    """,
    "sub-select": """
        s:Q a sh:NodeShape ; sh:targetClass ex:Person ;
            sh:sparql [ sh:select "SELECT $this WHERE { { SELECT $this WHERE { $this ?p ?o } } }" ] .
    """,
}


def test_sparql_reading_literals_oxigraph_would_rewrite_is_unsupported():
    shapes = _triples_of_text(
        """
        s:V a sh:NodeShape ; sh:targetSubjectsOf ex:n ;
            sh:sparql [ sh:message "small"@en ; sh:select "SELECT $this ?value WHERE { $this <https://example.org/ns#n> ?value FILTER(?value < 8) }" ] .
        """
    )
    canonical = _triples_of_text("ex:a ex:n 7 . ex:b ex:n 9 .")
    assert len(_same(canonical, shapes)) == 1  # canonical literals: compiled, same results
    written = _triples_of_text("ex:a ex:n 7.0 . ex:b ex:n 9 .")
    with pytest.raises(shaclsparql.Unsupported, match="non-canonical"):
        shaclsparql.validate(_store(written), list(shapes))


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_an_unsupported_feature_raises_unsupported(name: str):
    with pytest.raises(shaclsparql.Unsupported) as raised:
        shaclsparql.validate(ox.Store(), list(_triples_of_text(UNSUPPORTED[name])))
    assert raised.value.shape.startswith("<https://example.org/shapes#")
    assert str(raised.value).startswith(raised.value.shape + ": ")


@pytest.mark.parametrize("name", ["closed", "recursive"])
def test_validate_falls_back_to_pyshacl_with_the_same_report(tmp_path: Path, name: str):
    project_root = tmp_path / "mini"
    shutil.copytree(MINI, project_root)
    (project_root / "shapes" / "extra.ttl").write_text(PREFIXES + UNSUPPORTED[name], encoding="utf-8")
    project = Project(project_root)
    auto = validate_project(project)
    reference = validate_project(project, engine="pyshacl")
    assert auto.results == reference.results
    assert any(r.shape.startswith(S) and r.shape.endswith(("C", "R")) for r in auto.results)
    with pytest.raises(shaclsparql.Unsupported):
        validate_project(project, engine="compiled")


def test_validate_uses_the_compiled_engine_by_default(tmp_path: Path):
    project_root = tmp_path / "mini"
    shutil.copytree(MINI, project_root)
    people = project_root / "data" / "people.ttl"
    people.write_text(people.read_text(encoding="utf-8") + '\np:cy a ex:Person ; rdfs:label "Cy"@de .\n', encoding="utf-8")
    project = Project(project_root)
    compiled = validate_project(project, engine="compiled")
    assert compiled.results == validate_project(project).results == validate_project(project, engine="pyshacl").results
    assert {r.message for r in compiled.results} >= {"A person lives in a place.", "Labels are in English or Spanish."}
    with pytest.raises(ValueError):
        validate_project(project, engine="fast")


def test_new_store_keeps_literals_as_written():
    written = _triples_of_text(
        """ex:a ex:n 7.0 , 7.00 , "3"^^xsd:positiveInteger , 3 , "1"^^xsd:boolean , "x"@en , "2010"^^xsd:gYear ."""
    )
    store = shaclsparql.new_store(list(written))
    back = {ox.Triple(q.subject, q.predicate, shaclsparql._decode(q.object)) for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert back == written and len(written) == 7
    plain = ox.Store()
    plain.extend(ox.Quad(t.subject, t.predicate, t.object) for t in written)
    assert len(plain) < 7  # what new_store protects against: Oxigraph merges 7.0 and 7.00
    # quads of named graphs (TriG, N-Quads files) are validated in the default graph
    named = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(EX + "g")) for t in written]
    store = shaclsparql.new_store(named)
    assert len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))) == 7
    assert ox.NamedNode(EX + "g") not in set(store.named_graphs())
