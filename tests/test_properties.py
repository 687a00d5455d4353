"""Properties that must hold for any input, checked with Hypothesis.

(a) Any graph — literals of arbitrary Unicode (control characters, quotes, backslashes,
    newlines, astral characters), BCP 47 language tags, typed literals with any lexical form,
    IRIs of many schemes, blank nodes and lists — survives every export format: the library
    path ``isthmus.export.load_data`` + ``serialize``, parsed back, gives an isomorphic graph.
(b) No parameter value changes a stored query's structure: bound with ``queries.bind`` and
    written with ``with_values``, the query parses (rdflib's SPARQL parser) to the same
    algebra as with a placeholder value, and its VALUES row holds exactly the bound term
    (or the value is refused with ``QueryError``: exit 2); local evaluation (``run_local``)
    never raises anything but ``QueryError``, whatever the values or the query text.
(c) Hostile files never escape the error family: any bytes as a data file (``LoadError``),
    any text as a stored query (``QueryError``), any review table (``IsthmusError``), any
    JSON as the JSON-LD context (refused with ``ValueError``, or its JSON-LD round-trips);
    every message is one line.

Settings: 150 examples per property, no deadline, no example database (nothing written to
the working copy); the whole file runs in about 15 s.
"""

from __future__ import annotations

import shutil
import string
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from isthmus import export, queries
from isthmus.errors import QueryError
from isthmus.formats import EXPORT_FORMATS, oxigraph_format
from isthmus.graph import load_store, to_rdflib
from isthmus.project import Project
from support import MINI

pytestmark = pytest.mark.filterwarnings("ignore:Serializing weird numerical")  # rdflib, on ill-typed numbers

SETTINGS = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
EX = "https://example.org/ns#"


# --- strategies -----------------------------------------------------------------------------

#: any Unicode scalar value: control characters, quotes, backslashes, line ends, astral
#: planes; surrogates are not characters (they cannot be encoded in UTF-8)
unicode_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
tricky_text = st.one_of(
    unicode_text,
    st.lists(st.sampled_from(['"', "'", "\\", "\n", "\r", "\t", "\x00", "\x7f", '"""', "'''", "}", "{", "@", "^^",
                              "\u2028", "\ufeff", "\U0001f600", "\U00010000", "é", "<", ">", "#", " "]),
             max_size=12).map("".join),
)

_alpha = st.sampled_from(string.ascii_letters)
_alnum = st.sampled_from(string.ascii_letters + string.digits)


@st.composite
def language_tags(draw) -> str:
    """BCP 47-ish tags: language[-script][-region]*(-variant), in mixed case."""
    parts = [draw(st.text(_alpha, min_size=2, max_size=3))]
    if draw(st.booleans()):
        parts.append(draw(st.text(_alpha, min_size=4, max_size=4)))
    if draw(st.booleans()):
        parts.append(draw(st.one_of(st.text(_alpha, min_size=2, max_size=2),
                                    st.text(st.sampled_from(string.digits), min_size=3, max_size=3))))
    parts += draw(st.lists(st.text(_alnum, min_size=5, max_size=8), max_size=2))
    return "-".join(parts)


_iri_chars = st.one_of(
    st.sampled_from(string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@/"),
    st.sampled_from(["%20", "%3C", "%7B", "%25", "%C3%A9"]),
    st.characters(min_codepoint=0xA0, max_codepoint=0xD7FF),  # ucschar
    st.characters(min_codepoint=0x10000, max_codepoint=0x1FFFD),
)
#: schemes include the context's own prefix names (ex, rdfs, xsd, void): an IRI such as
#: ``ex:thing`` must not be mistaken for a compact IRI
_schemes = st.sampled_from(["http", "https", "urn", "tag", "mailto", "x-y.z+w", "ex", "rdfs", "xsd", "void", "knows"])


@st.composite
def iris(draw) -> str:
    scheme = draw(_schemes)
    if scheme.startswith("http"):
        head = f"{scheme}://{draw(st.sampled_from(['example.org', 'w3id.org', 'xn--bcher-kva.example', '127.0.0.1:8080']))}/"
    else:
        head = scheme + ":"
    piece = lambda size: st.lists(_iri_chars, max_size=size).map("".join)  # noqa: E731
    path = draw(piece(15))
    if head.endswith(":"):
        path = path.lstrip("/") or "x"
    query = draw(st.one_of(st.just(""), piece(6).map(lambda q: "?" + q)))
    fragment = draw(st.one_of(st.just(""), piece(6).map(lambda f: "#" + f)))
    iri = head + path + query + fragment
    try:
        ox.NamedNode(iri)
    except ValueError:
        assume(False)
    return iri


named = st.one_of(
    iris().map(ox.NamedNode),
    st.sampled_from(["https://example.org/id/person/ada", "https://example.org/id/place/lima", EX + "thing"]).map(ox.NamedNode),
)
blank = st.sampled_from(["b1", "b2", "b3"]).map(ox.BlankNode)
predicates = st.one_of(
    st.sampled_from([EX + "knows", EX + "livesIn", EX + "born", EX + "tags", RDF + "type",
                     "http://www.w3.org/2000/01/rdf-schema#label"]).map(ox.NamedNode),
    iris().map(ox.NamedNode),
)
datatypes = st.one_of(
    st.sampled_from(["integer", "decimal", "double", "boolean", "date", "gYear", "string", "anyURI"]).map(lambda d: XSD + d),
    iris(),
)
literals = st.one_of(
    tricky_text.map(ox.Literal),
    st.tuples(tricky_text, language_tags()).map(lambda v: ox.Literal(v[0], language=v[1])),
    st.tuples(st.one_of(tricky_text, st.sampled_from(["01", "+1", "-0", ".5", "1e3", "true", "0", "1815", "2010-13-45"])),
              datatypes).map(lambda v: ox.Literal(v[0], datatype=ox.NamedNode(v[1]))),
)
objects = st.one_of(named, blank, literals)


@st.composite
def graphs(draw) -> list[ox.Triple]:
    items = draw(st.lists(st.builds(ox.Triple, st.one_of(named, blank), predicates, objects), min_size=1, max_size=12))
    if draw(st.booleans()):  # an RDF list of arbitrary members
        members = draw(st.lists(objects, min_size=1, max_size=4))
        nodes = [ox.BlankNode(f"list{i}") for i in range(len(members))]
        items.append(ox.Triple(draw(named), ox.NamedNode(EX + "tags"), nodes[0]))
        for i, (node, member) in enumerate(zip(nodes, members)):
            rest = nodes[i + 1] if i + 1 < len(nodes) else ox.NamedNode(RDF + "nil")
            items += [ox.Triple(node, ox.NamedNode(RDF + "first"), member), ox.Triple(node, ox.NamedNode(RDF + "rest"), rest)]
    if draw(st.booleans()):  # a dataset, so N-Quads names the graph
        items.append(ox.Triple(ox.NamedNode("https://example.org/id/dataset"), ox.NamedNode(RDF + "type"),
                               ox.NamedNode("http://rdfs.org/ns/void#Dataset")))
    return items


# --- (a) round trips ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def empty_project(tmp_path_factory) -> Path:
    """The mini project (ontology and JSON-LD context) with no data: each example writes its own."""
    root = tmp_path_factory.mktemp("props") / "mini"
    shutil.copytree(MINI, root)
    for path in (root / "data").iterdir():
        path.unlink()
    return root


def _comparable(items) -> rdflib.Graph:
    """An rdflib graph with language tags in lower case (RDF compares them so)."""
    out = rdflib.Graph()
    for s, p, o in to_rdflib(items):
        if isinstance(o, rdflib.Literal) and o.language:
            o = rdflib.Literal(str(o), lang=o.language.lower(), normalize=False)
        out.add((s, p, o))
    return out


def _write_data(project: Path, items: list[ox.Triple]) -> None:
    (project / "data" / "generated.nt").write_bytes(ox.serialize(items, format=ox.RdfFormat.N_TRIPLES))


@SETTINGS
@given(items=graphs())
def test_every_export_format_round_trips(empty_project, items):
    _write_data(empty_project, items)
    graph = export.load_data(Project(empty_project))
    expected = _comparable(items)
    assert len(expected) == len(set(items))
    for fmt in EXPORT_FORMATS:
        data = export.serialize(graph, fmt)
        back = list(ox.parse(data, format=oxigraph_format(fmt)))
        if fmt.quads:
            names = {q.graph_name for q in back}
            assert names == ({graph.name} if graph.name else {ox.DefaultGraph()}), fmt.name
        got = _comparable(q.triple for q in back)
        assert isomorphic(got, expected), (fmt.name, data.decode("utf-8")[:3000])
        assert export.serialize(graph, fmt) == data, f"{fmt.name} output is not deterministic"


@SETTINGS
@given(value=tricky_text, tag=language_tags())
def test_a_literal_alone_round_trips_exactly(empty_project, value, tag):
    """No blank nodes: the parsed-back triples equal the written ones, term for term."""
    subject = ox.NamedNode("https://example.org/id/person/ada")
    items = [ox.Triple(subject, ox.NamedNode(EX + "born"), ox.Literal(value)),
             ox.Triple(subject, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(value, language=tag)),
             ox.Triple(subject, ox.NamedNode(EX + "tags"), ox.Literal(value, datatype=ox.NamedNode(XSD + "gYear")))]
    _write_data(empty_project, items)
    graph = export.load_data(Project(empty_project))
    for fmt in EXPORT_FORMATS:
        back = {q.triple for q in ox.parse(export.serialize(graph, fmt), format=oxigraph_format(fmt))}
        assert back == set(items), fmt.name


# --- (b) parameters never change a query's structure ----------------------------------------


@pytest.fixture(scope="module")
def stored():
    project = Project(MINI)
    return queries.catalogue(project.query_files, project.display)


@pytest.fixture(scope="module")
def store():
    project = Project(MINI)
    return load_store(project.ontology_files + project.data_files, project.display)


def _masked(node, rows: list):
    """The algebra as plain data, with the rows of VALUES blocks taken out (into ``rows``)
    and replaced by a placeholder: what is left is the query's structure."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name == "values":
            rows.extend(node["res"])
            return ("values", "<ROWS>")
        return (node.name, tuple((k, _masked(v, rows)) for k, v in node.items() if k != "_vars"))
    if isinstance(node, dict):
        return tuple(sorted(((str(k), _masked(v, rows)) for k, v in node.items()), key=lambda kv: kv[0]))
    if isinstance(node, (list, tuple)):
        return tuple(_masked(v, rows) for v in node)
    if isinstance(node, set):
        return tuple(sorted((_masked(v, rows) for v in node), key=repr))
    return node


def _algebra(text: str):
    """The query's structure and the rows of its VALUES blocks, as rdflib's parser reads them."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    rows: list = []
    structure = _masked(translateQuery(parseQuery(text)).algebra, rows)
    return structure, rows


def _same_term(parsed, term) -> bool:
    """An rdflib term read from the query text is ``term``, lexical form and all."""
    from isthmus.graph import to_rdflib_term

    expected = to_rdflib_term(term)
    if isinstance(expected, rdflib.Literal):
        return (isinstance(parsed, rdflib.Literal) and str(parsed) == str(expected)
                and (parsed.language or "").lower() == (expected.language or "").lower()
                and (parsed.datatype or None) == (expected.datatype or None))
    return parsed == expected


BREAKOUT = "> } UNION { ?who ?p ?o } #"
PLACEHOLDERS = {"person": "https://example.org/id/person/bob", "name": "placeholder", "year": "1900"}


def _check_structure(query: queries.StoredQuery, values: dict[str, str]) -> bool:
    """False when the value is refused (exit 2, nothing run); else checks and returns True."""
    try:
        bindings = queries.bind(query, values)
    except QueryError as err:
        assert "\n" not in str(err), "one problem, one line"
        return False
    for name, value in values.items():
        term = bindings[query.param(name).variable]
        if isinstance(term, ox.Literal):
            assert term.value == value, "a literal parameter is bound as exactly the value given"
    placeholder = queries.bind(query, {name: PLACEHOLDERS[name] for name in values})
    assert set(bindings) == set(placeholder)
    text, reference = queries.with_values(query.text, bindings), queries.with_values(query.text, placeholder)
    structure, rows = _algebra(text)
    assert structure == _algebra(reference)[0], "the value changed the query's structure"
    (row,) = rows
    assert {str(var) for var in row} == set(bindings)
    for var, parsed in row.items():
        assert _same_term(parsed, bindings[str(var)]), (parsed, bindings[str(var)])
    return True


@SETTINGS
@given(value=tricky_text)
def test_text_parameter_never_changes_the_query(stored, value):
    """Any text is one literal (exit 0); only a NUL character is refused (exit 2)."""
    assert _check_structure(stored["named"], {"name": value}) == ("\x00" not in value)


@SETTINGS
@given(value=st.one_of(tricky_text, st.sampled_from(["1815", "-0044", "2010Z", "1815 } UNION {", "1815\n"])))
def test_typed_parameter_never_changes_the_query(stored, value):
    import re

    bound = _check_structure(stored["named"], {"name": "Ada", "year": value})
    assert bound == bool(re.fullmatch(r"-?\d{4,}(Z|[+-]\d\d:\d\d)?", value)), "bound exactly when a valid xsd:gYear"


@SETTINGS
@given(iri=iris())
def test_valid_iri_parameter_is_bound_and_never_changes_the_query(stored, iri):
    """Written <…>, any IRI is bound as it is; written bare too, unless its scheme is one
    of the query's prefixes (p:, ex:): then it may be read as a prefixed name, or refused
    when the expansion is not an IRI."""
    query = stored["known-by"]
    assert _check_structure(query, {"person": f"<{iri}>"})
    assert queries.bind(query, {"person": f"<{iri}>"})["_person_iri"] == ox.NamedNode(iri)
    scheme, _, rest = iri.partition(":")
    if scheme not in query.prefixes:
        assert _check_structure(query, {"person": iri})
        assert queries.bind(query, {"person": iri})["_person_iri"] == ox.NamedNode(iri)
    elif _check_structure(query, {"person": iri}):  # read as a prefixed name where it is one
        bound = queries.bind(query, {"person": iri})["_person_iri"]
        assert bound.value in (iri, query.prefixes[scheme] + rest)


@SETTINGS
@given(value=st.one_of(tricky_text, iris().map(lambda i: i + BREAKOUT), st.sampled_from(
    ["https://example.org/id/person/bob> } UNION { ?who ?p ?o } #", "zz:a b", "https://example.org/a\nb"])))
def test_any_iri_parameter_value_never_changes_the_query(stored, value):
    _check_structure(stored["known-by"], {"person": value})


@SETTINGS
@given(name=tricky_text, year=tricky_text, person=st.one_of(iris(), tricky_text))
def test_local_evaluation_raises_only_query_errors(stored, store, name, year, person):
    for query, values in ((stored["named"], {"name": name, "year": year}), (stored["known-by"], {"person": person})):
        try:
            bindings = queries.bind(query, values)
            result = queries.run_local(store, query.text, bindings, shown=query.name)
        except QueryError as err:
            assert str(err) and "\n" not in str(err), "one problem, one line"
            continue
        assert result.kind == "select"


@st.composite
def mangled_queries(draw) -> str:
    """A stored query's text with a piece cut out or something pasted in."""
    text = draw(st.sampled_from([q.text for q in queries.catalogue(Project(MINI).query_files, str).values()]))
    at = draw(st.integers(0, len(text)))
    cut = draw(st.integers(0, 20))
    paste = draw(st.one_of(tricky_text, st.sampled_from(["}", "{", "SELECT", "?_x", "VALUES", "#", "<", "\\u0000",
                                                         "SERVICE <http://127.0.0.1:9/> {", "FILTER(", "\"\"\""])))
    return text[:at] + paste + text[at + cut:]


@SETTINGS
@given(text=st.one_of(mangled_queries(), unicode_text))
def test_any_query_text_fails_only_with_query_errors(store, text):
    try:
        query = queries.adhoc_text(text, "-e")
        bindings = queries.bind(query, {})
        result = queries.run_local(store, query.text, bindings, shown="-e")
    except QueryError as err:
        assert str(err) and "\n" not in str(err), "one problem, one line"
        return
    assert result.kind in ("select", "ask", "graph")


# --- (c) hostile files never escape the error family ----------------------------------------

MINI_TURTLE = (MINI / "data" / "people.ttl").read_text(encoding="utf-8")


@st.composite
def mangled_turtle(draw) -> bytes:
    """The mini project's Turtle with a piece cut out or something pasted in, in one of
    several encodings."""
    at = draw(st.integers(0, len(MINI_TURTLE)))
    cut = draw(st.integers(0, 30))
    paste = draw(st.one_of(tricky_text, st.sampled_from(['"""', "<", "@prefix", "_:", "(", "[", "^^", "@", ";", ",", ".",
                                                         "\\u00", "\\U0010FFFF", "<http://x y>", "@base <rel> ."])))
    text = MINI_TURTLE[:at] + paste + MINI_TURTLE[at + cut:]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "crlf"]))
    if encoding == "crlf":
        return text.replace("\n", "\r\n").encode("utf-8")
    return text.encode(encoding, errors="replace")


@SETTINGS
@given(data=st.one_of(mangled_turtle(), st.binary(max_size=200)))
def test_any_bytes_as_a_data_file_fail_only_with_load_errors(tmp_path_factory, data):
    from isthmus.errors import LoadError
    from isthmus.graph import parse_file

    path = tmp_path_factory.mktemp("bytes") / "x.ttl"
    path.write_bytes(data)
    for load in (lambda: parse_file(path, "data/x.ttl"), lambda: load_store([path], lambda _p: "data/x.ttl")):
        try:
            load()
        except LoadError as err:
            assert err.problems and all(p.startswith("data/x.ttl") and "\n" not in p for p in err.problems)


@SETTINGS
@given(text=st.one_of(mangled_queries(), unicode_text),
       header=st.sampled_from(["", "#+ summary: s\n", "#+ summary: s\n#+ defaults:\n"]))
def test_any_rq_file_fails_only_with_query_errors(tmp_path_factory, text, header):
    path = tmp_path_factory.mktemp("rq") / "q.rq"
    path.write_text(header + text, encoding="utf-8")
    try:
        query = queries.parse_stored_query(path, "queries/q.rq")
    except QueryError as err:
        assert str(err).startswith("queries/q.rq") and "\n" not in str(err)
        return
    assert query.summary


@SETTINGS
@given(rows=st.lists(st.lists(tricky_text, max_size=9).map("\t".join), max_size=5),
       header=st.booleans(), encoding=st.sampled_from(["utf-8", "latin-1", "utf-16"]))
def test_any_review_table_fails_only_with_isthmus_errors(tmp_path_factory, rows, header, encoding):
    from isthmus.errors import IsthmusError
    from isthmus.link import REVIEW_HEADER, read_review

    path = tmp_path_factory.mktemp("review") / "review.tsv"
    text = "\n".join((["\t".join(REVIEW_HEADER)] if header else []) + ["y\t" + row for row in rows]) + "\n"
    path.write_bytes(text.encode(encoding, errors="replace"))
    try:
        chosen = read_review(path, "review.tsv")
    except IsthmusError as err:
        assert str(err).startswith("--accept review.tsv") and "\n" not in str(err)
        return
    for entity, qid in chosen:
        ox.NamedNode(entity)
        assert qid.startswith("Q")


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), tricky_text,
              st.sampled_from(["@id", "@type", "@vocab", "@language", "@list", "@set", "@none", "@json", "ex:knows",
                               EX, "xsd:gYear", "en", "https://example.org/id/person/",
                               "http://www.w3.org/2000/01/rdf-schema#label"])),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["@id", "@type", "@container", "@language", "@prefix", "@reverse", "x"]),
                        inner, max_size=3)),
    max_leaves=8,
)


_predicates = [EX + "knows", EX + "livesIn", EX + "born", EX + "tags", "http://www.w3.org/2000/01/rdf-schema#label",
               "http://rdfs.org/ns/void#uriSpace", "ex:knows", "rdfs:label", "ex:born"]


@st.composite
def term_definitions(draw):
    """Mostly valid JSON-LD 1.1 term definitions for the mini data's properties."""
    iri = draw(st.sampled_from(_predicates))
    if draw(st.booleans()):
        return iri
    definition = {"@id": iri}
    choice = draw(st.sampled_from(["type", "language", "none"]))
    if choice == "type":
        definition["@type"] = draw(st.sampled_from(["@id", "@vocab", "xsd:gYear", "xsd:gYearMonth", XSD + "integer",
                                                    "xsd:string"]))
    elif choice == "language":
        definition["@language"] = draw(st.sampled_from(["en", "es", "ru-Latn", None]))
    container = draw(st.sampled_from([None, "@set", "@list", "@language", "@index"]))
    if container:
        definition["@container"] = container
    return definition


@st.composite
def contexts(draw) -> dict:
    """Contexts for the mini data: prefixes (some renamed or undefined), terms with
    coercions, languages and containers, a default language, @vocab, @base; and now and
    then an arbitrary JSON value in some place."""
    ctx: dict = {}
    for name, ns in (("ex", EX), ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"), ("xsd", XSD),
                     ("p", "https://example.org/id/person/"), ("void", "http://rdfs.org/ns/void#")):
        kept = draw(st.sampled_from(["keep", "keep", "drop", "null", "rename"]))
        if kept == "keep":
            ctx[name] = ns
        elif kept == "null":
            ctx[name] = None
        elif kept == "rename":
            ctx[name + "2"] = ns
    terms = st.sampled_from(["label", "knows", "livesIn", "born", "tags", "name", "space"])
    for key in draw(st.lists(terms, unique=True, max_size=5)):
        ctx[key] = draw(term_definitions())
    if draw(st.booleans()):
        ctx["id"], ctx["type"] = "@id", "@type"
    if draw(st.booleans()):
        ctx["@language"] = draw(st.sampled_from(["en", "es", None]))
    if draw(st.booleans()):
        ctx["@vocab"] = draw(st.sampled_from([EX, "https://example.org/id/", "http://schema.org/"]))
    if draw(st.booleans()):
        ctx["@base"] = "https://example.org/id/"
    for _ in range(draw(st.integers(0, 1))):
        ctx[draw(st.sampled_from(["ex", "label", "born", "@language", "ex:knows", EX + "born", "x"]))] = draw(json_values)
    return {"@context": ctx}


@SETTINGS
@given(document=st.one_of(contexts(), json_values))
def test_any_json_ld_context_is_refused_cleanly_or_round_trips(empty_project, document):
    """A context of any shape is refused with ``ValueError`` (exit 2 naming the file), or the
    JSON-LD it compacts to reads back as the same graph."""
    from isthmus import jsonld

    items = [q.triple for q in ox.parse(MINI_TURTLE.encode("utf-8"), format=ox.RdfFormat.TURTLE)]
    try:
        context = jsonld.Context(document)
    except ValueError as err:
        assert str(err) and "\n" not in str(err)
        event("context refused")
        return
    event("context accepted")
    data = jsonld.dumps(jsonld.compact_document(items, context))
    back = [q.triple for q in ox.parse(data, format=ox.RdfFormat.JSON_LD)]
    assert isomorphic(_comparable(back), _comparable(items)), data.decode("utf-8")[:3000]
