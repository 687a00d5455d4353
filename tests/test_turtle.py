"""The Turtle writer: readable, deterministic, and lossless on awkward graphs."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib
from rdflib.compare import isomorphic

from isthmus.turtle import serialize

AWKWARD = r"""
@prefix ex: <https://example.org/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a a ex:Thing , ex:Other ;
    ex:text "quote \" backslash \\ newline \n tab \t" , "Méx"@es-MX , "plain" ;
    ex:n 1 , -2.50 , "1e3"^^xsd:double , true , "notanumber"^^xsd:integer , "007"^^xsd:integer ;
    ex:list ( ex:b "two" ( 3 4 ) [ ex:p ex:q ] ) , () ;
    ex:nested [ ex:deeper [ ex:deepest "x" ] ] ;
    <https://example.org/ns#with.dot.> ex:v ;
    ex:shared _:s , _:s2 .
ex:b ex:shared _:s .
_:s ex:p "shared twice" .
_:c1 ex:next _:c2 .
_:c2 ex:next _:c1 .
<https://example.org/x y> ex:p "iri with a space is not valid, so not here" .
"""


def _graph(text: str) -> rdflib.Graph:
    """The graph, language tags lower-cased (RDF compares them case-insensitively)."""
    import warnings

    out = rdflib.Graph()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for s, p, o in rdflib.Graph().parse(data=text, format="turtle"):
            if isinstance(o, rdflib.Literal) and o.language:
                o = rdflib.Literal(str(o), lang=o.language.lower())
            out.add((s, p, o))
    return out


def test_round_trip_of_an_awkward_graph():
    source = AWKWARD.replace('<https://example.org/x y> ex:p "iri with a space is not valid, so not here" .\n', "")
    items = [q.triple for q in ox.parse(source.encode(), format=ox.RdfFormat.TURTLE)]
    text = serialize(items, {"ex": "https://example.org/ns#", "xsd": "http://www.w3.org/2001/XMLSchema#"}).decode()
    assert isomorphic(_graph(text), _graph(source))
    assert "( ex:b \"two\" ( 3 4 ) [ ex:p ex:q ] )" in text, "lists are written as lists"
    assert "ex:nested [ ex:deeper [ ex:deepest \"x\" ] ]" in text
    assert "a ex:Other , ex:Thing" in text
    assert "<https://example.org/ns#with.dot.>" in text, "a local name may not end with a dot"
    assert '"notanumber"^^xsd:integer' in text, "an ill-typed number keeps its datatype"


def test_output_is_the_same_whatever_the_input_order():
    items = [q.triple for q in ox.parse(b'@prefix ex: <https://e/> . ex:a ex:p ex:b , ex:c ; ex:q "1" . ex:b ex:p ex:a .',
                                        format=ox.RdfFormat.TURTLE)]
    assert serialize(items, {"ex": "https://e/"}) == serialize(list(reversed(items)), {"ex": "https://e/"})
