"""SHACL compiled to SPARQL: the project's shapes validated set-at-a-time on a pyoxigraph Store.

pyshacl checks every constraint once per focus node, in Python, over rdflib: minutes at 10^6
triples. This module compiles each constraint of the shapes into SPARQL that returns the
violating (focus node, value) pairs of *all* focus nodes at once, and runs it on Oxigraph.
It gives the results pyshacl gives (the dictionaries of ``validate.py``'s ``_shacl``) for
the subset of SHACL it understands; for anything else it raises ``Unsupported`` naming the
shape and the feature, before running any query (a dry pass compiles every shape first),
and the caller falls back to pyshacl for the whole run. Nothing is silently skipped.

How it works
------------
- **The store** (``new_store``): Oxigraph keeps typed literals in canonical form ("7.0" of
  xsd:decimal comes back as "7", xsd:positiveInteger as xsd:integer), which would merge
  value nodes that pyshacl keeps apart and change the values it reports; ``new_store`` keeps
  such literals as written (see ``SURROGATE``).
- **Focus nodes** of a shape (sh:targetClass as ``rdf:type/rdfs:subClassOf*``, sh:targetNode,
  sh:targetSubjectsOf, sh:targetObjectsOf, implicit class targets, and SPARQL-based targets
  ``sh:target [ a sh:SPARQLTarget ; sh:select ... ]``) are computed once, inside the store,
  by ``INSERT ... WHERE`` into a scratch named graph, and every constraint query joins with
  that set. The scratch graph is dropped before ``validate`` returns; the default graph, which
  holds the data, is never written.
- **Term tests**, constraints on a value node alone (sh:datatype with pyshacl's own
  ill-typed-literal test, sh:pattern and sh:flags with Python's ``re``, sh:nodeKind,
  sh:languageIn, sh:in, sh:hasValue on a node, sh:min/maxInclusive/Exclusive,
  sh:min/maxLength, and sh:or/sh:and/sh:xone/sh:not/sh:node of shapes made only of these),
  run in Python with pyshacl's semantics, once per *distinct* value of the path (one query per
  path); the failing (or the passing) terms go to the scratch graph and the constraint's query
  joins with them. When no term fails, the query is not run at all.
- **Graph tests** are SPARQL: sh:class (membership in the class's instances, computed once),
  sh:minCount/sh:maxCount and sh:qualifiedValueShape with sh:qualifiedMin/MaxCount (``MINUS``
  anti-joins, ``GROUP BY ... HAVING (COUNT(DISTINCT ?v) ...)``), sh:uniqueLang, sh:hasValue,
  sh:disjoint, and shapes nested in sh:or/sh:and/sh:xone/sh:not/sh:node (``EXISTS``
  expressions over the nested paths).
- **SHACL-SPARQL constraints** (``sh:sparql [ sh:select ... ]``, ``sh:prefixes``) run once for
  all focus nodes: the focus set is joined at the start of the query's WHERE group, which is
  what pre-binding ``$this`` means for the queries SHACL allows (no MINUS, VALUES, SERVICE or
  sub-SELECT: those are Unsupported, as is SPARQL that reads literals ``new_store`` had to
  keep as written). ``?path``, ``?value``, the de-duplication of rows and ``{?var}`` message
  templates follow pyshacl. A top-level ``FILTER NOT EXISTS`` is rewritten as an equivalent
  OPTIONAL/!BOUND anti-join, which Oxigraph plans far better (``_anti_join``).

Unsupported (the whole run then goes to pyshacl): sh:closed, sh:equals, sh:lessThan(OrEquals),
property paths with ``*``/``+``/``?``, recursive shapes, shapes nested with a severity other
than sh:Violation, sh:sparql or sh:qualifiedValueShape in nested shapes,
sh:qualifiedValueShapesDisjoint, property shapes with their own targets, SHACL rules,
custom constraint components and target types, node expressions, and anything else in the
SHACL namespace this module does not know.
"""

from __future__ import annotations

import datetime
import itertools
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable

import pyoxigraph as ox

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"

RDF_TYPE = RDF + "type"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = RDF + "langString"
VIOLATION = SH + "Violation"

TRUE, FALSE = "true", "false"

__all__ = ["Unsupported", "new_store", "validate"]


class Unsupported(Exception):
    """A shape uses a SHACL feature this engine does not compile.

    ``shape`` names the shape validated from its targets (an IRI when it has one), ``node``
    the node of the shapes graph where the feature is (the same, or a nested shape),
    ``feature`` what is not supported."""

    def __init__(self, shape, feature: str):
        self.node = self.shape = _show(shape) if shape is not None else "(shapes graph)"
        self.feature = feature
        super().__init__(feature)

    def within(self, shape) -> Unsupported:
        self.shape = _show(shape)
        return self

    def __str__(self) -> str:
        where = f" (in {self.node})" if self.node != self.shape else ""
        return f"{self.shape}: {self.feature}{where}"


def _show(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


# --- the shapes graph ---------------------------------------------------------------------


class _Shapes:
    """The shapes triples, indexed by subject and predicate (predicate IRIs as strings)."""

    def __init__(self, triples: Iterable[ox.Triple]):
        self.out: dict = defaultdict(lambda: defaultdict(list))
        self.by_pred: dict = defaultdict(list)
        for t in set(triples):
            self.out[t.subject][t.predicate.value].append(t.object)
            self.by_pred[t.predicate.value].append((t.subject, t.object))
        # a stable order, whatever order the triples came in
        for preds in self.out.values():
            for objects in preds.values():
                objects.sort(key=str)
        for pairs in self.by_pred.values():
            pairs.sort(key=lambda so: (str(so[0]), str(so[1])))

    def objs(self, s, p: str) -> list:
        node = self.out.get(s)
        return list(node.get(p, ())) if node else []

    def one(self, s, p: str, owner=None):
        values = self.objs(s, p)
        if len(values) > 1:
            raise Unsupported(owner if owner is not None else s, f"more than one value of {_local(p)}")
        return values[0] if values else None

    def preds(self, s) -> list[str]:
        node = self.out.get(s)
        return sorted(node) if node else []

    def subjects(self, p: str, o=None) -> list:
        return [s for s, obj in self.by_pred.get(p, ()) if o is None or obj == o]

    def items(self, head, owner) -> list:
        found, seen = [], set()
        node = head
        while not (isinstance(node, ox.NamedNode) and node.value == RDF + "nil"):
            if node in seen:
                raise Unsupported(owner, "a cyclic RDF list")
            seen.add(node)
            first, rest = self.objs(node, RDF + "first"), self.objs(node, RDF + "rest")
            if len(first) != 1 or len(rest) != 1:
                raise Unsupported(owner, "an ill-formed RDF list")
            found.append(first[0])
            node = rest[0]
        return found


def _local(iri: str) -> str:
    return "sh:" + iri[len(SH):] if iri.startswith(SH) else f"<{iri}>"


# Predicates of a shape that carry no constraint (or are read with the constraint they belong to).
_NOT_CONSTRAINTS = {
    SH + p
    for p in (
        "message", "severity", "deactivated", "name", "description", "order", "group",
        "defaultValue", "path", "targetClass", "targetNode", "targetObjectsOf",
        "targetSubjectsOf", "target", "flags", "qualifiedMinCount", "qualifiedMaxCount",
        "qualifiedValueShapesDisjoint", "prefixes", "declare",
    )
}
# Constraints on each value node (on the focus node itself, for a node shape).
_TERM_KINDS = {
    SH + p
    for p in (
        "datatype", "pattern", "nodeKind", "languageIn", "in", "minLength", "maxLength",
        "minInclusive", "maxInclusive", "minExclusive", "maxExclusive",
    )
}
_LOGICAL_KINDS = {SH + p for p in ("or", "and", "xone", "not", "node")}
_VALUE_KINDS = _TERM_KINDS | _LOGICAL_KINDS | {SH + "class"}
_SET_KINDS = {
    SH + p
    for p in ("minCount", "maxCount", "uniqueLang", "hasValue", "disjoint", "qualifiedValueShape")
}
_SUPPORTED = _VALUE_KINDS | _SET_KINDS | {SH + "property", SH + "sparql"}
# Parameters pyshacl reads one value of (more than one: Unsupported); the others are
# evaluated once per value, each giving its own results.
_SINGLE = {
    SH + p
    for p in (
        "datatype", "nodeKind", "languageIn", "in", "minCount", "maxCount", "uniqueLang",
        "minLength", "maxLength", "flags",
    )
}
_GLOBAL_UNSUPPORTED = {
    SH + "rule": "SHACL rules (sh:rule)",
    SH + "parameter": "custom constraint components (sh:parameter)",
    SH + "expression": "node expressions (sh:expression)",
    SH + "entailment": "sh:entailment",
    SH + "shapesGraph": "sh:shapesGraph",
}
_GLOBAL_UNSUPPORTED_TYPES = {
    SH + t
    for t in (
        "ConstraintComponent", "SPARQLFunction", "Function", "TargetType", "SPARQLTargetType",
        "JSTarget", "JSTargetType", "JSConstraint", "JSFunction", "SPARQLRule", "TripleRule",
    )
}


# --- term tests with pyshacl's semantics ----------------------------------------------------

_rdflib_cache: dict = {}


def _rdflib(term):
    """The rdflib literal pyshacl sees for ``term`` (converted as validate.py converts)."""
    found = _rdflib_cache.get(term)
    if found is None:
        from isthmus.graph import to_rdflib_term

        logger = logging.getLogger("rdflib.term")
        level = logger.level
        logger.setLevel(logging.CRITICAL)  # rdflib logs every ill-typed literal it converts
        try:
            found = to_rdflib_term(term)
        finally:
            logger.setLevel(level)
        if len(_rdflib_cache) > 200_000:
            _rdflib_cache.clear()
        _rdflib_cache[term] = found
    return found


def _python_value_matches(value, datatype: str) -> bool:
    from decimal import Decimal

    if datatype in (XSD_STRING, RDF_LANGSTRING):
        return isinstance(value, (str, bytes))
    checks = {
        XSD + "integer": int,
        XSD + "float": float,
        XSD + "decimal": Decimal,
        XSD + "boolean": bool,
        XSD + "date": datetime.date,
        XSD + "time": datetime.time,
        XSD + "dateTime": datetime.datetime,
    }
    kind = checks.get(datatype)
    return True if kind is None else isinstance(value, kind)


def _datatype_test(datatype: str) -> Callable:
    def test(term) -> bool:
        if not isinstance(term, ox.Literal):
            return False
        lang = term.language
        seen = None if (lang or term.datatype.value == XSD_STRING) else term.datatype.value
        if seen == datatype:
            literal = _rdflib(term)
            if getattr(literal, "ill_typed", None) is True:
                return False
            return _python_value_matches(literal.value, datatype)
        if datatype == RDFS + "Literal":
            return True
        if datatype == RDFS + "Datatype" and seen:
            return True
        if seen is None and not lang and datatype == XSD_STRING:
            return True
        return bool(datatype == RDF_LANGSTRING and lang)

    return test


def _text(term) -> str:
    return term.value


def _pattern_test(pattern: str, flags: str | None) -> Callable:
    re_flags = 0
    if flags:
        flags = flags.lower()
        if "i" in flags:
            re_flags |= re.I
        if "m" in flags:
            re_flags |= re.M
    matcher = re.compile(pattern, re_flags)

    def test(term) -> bool:
        if isinstance(term, ox.BlankNode):
            return False
        return matcher.search(_text(term)) is not None

    return test


_NODE_KINDS = {
    SH + "IRI": (ox.NamedNode,),
    SH + "BlankNode": (ox.BlankNode,),
    SH + "Literal": (ox.Literal,),
    SH + "BlankNodeOrIRI": (ox.BlankNode, ox.NamedNode),
    SH + "BlankNodeOrLiteral": (ox.BlankNode, ox.Literal),
    SH + "IRIOrLiteral": (ox.NamedNode, ox.Literal),
}


def _language_test(languages: list[str]) -> Callable:
    wanted = {lang.lower() for lang in languages}
    wildcard = "*" in wanted

    def test(term) -> bool:
        if not isinstance(term, ox.Literal) or not term.language:
            return False
        lang = term.language.lower()
        return wildcard or lang in wanted or lang.split("-")[0] in wanted

    return test


def _compare_literal(l1, l2) -> int:
    """pyshacl's ``compare_literal``."""
    if l1.eq(l2):
        return 0
    if l1.value.__class__ in (datetime.datetime, datetime.time):
        if l1.value == l2.value:
            return 0
        if l1.value > l2.value:
            return 1
    elif l1 > l2:
        return 1
    return -1


def _range_test(bound, accept: Callable[[int], bool]) -> Callable:
    limit = _rdflib(bound)
    limit_is_string = isinstance(limit.value, str)

    def test(term) -> bool:
        if not isinstance(term, ox.Literal):
            return False
        value = _rdflib(term)
        if isinstance(value.value, str) != limit_is_string:
            return False
        try:
            return accept(_compare_literal(value, limit))
        except (TypeError, NotImplementedError):
            return False

    return test


def _length_test(limit: int, longest: bool) -> Callable:
    def test(term) -> bool:
        if isinstance(term, ox.BlankNode):
            return False
        if not longest and limit == 0:
            return True
        size = len(_text(term))
        return size <= limit if longest else size >= limit

    return test


def _int_value(term, owner, name: str) -> int:
    if not isinstance(term, ox.Literal) or not re.fullmatch(r"[+-]?\d+", term.value):
        raise Unsupported(owner, f"{name} is not an integer")
    return int(term.value)


def _boolean(term, owner, name: str) -> bool:
    if isinstance(term, ox.Literal) and term.datatype.value == XSD + "boolean":
        return term.value.strip().lower() in ("true", "1")
    raise Unsupported(owner, f"{name} is not an xsd:boolean")


def _sparql_term(term, owner) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return str(_encode(term))
    raise Unsupported(owner, "a blank node where a SPARQL query needs a constant")


# --- a store that keeps literals as written --------------------------------------------------

#: Oxigraph's store keeps typed literals in canonical form ("7.0"^^xsd:decimal comes back as
#: "7", "3"^^xsd:positiveInteger as "3"^^xsd:integer, "1"^^xsd:boolean as "true"), which
#: merges terms that pyshacl (rdflib) keeps apart and changes the values it reports. Such a
#: literal is stored instead as the same lexical form with a datatype of its own,
#: ``<SURROGATE + original datatype>``, which no engine rewrites.
SURROGATE = "urn:isthmus:shaclsparql:literal:"


def _non_canonical(literals: Iterable[ox.Literal]) -> set:
    """The literals Oxigraph's store would not give back as they are."""
    literals = list(literals)
    if not literals:
        return set()
    probe = ox.Store()
    predicate = ox.NamedNode(SURROGATE + "probe")
    probe.extend(ox.Quad(ox.NamedNode(f"{SURROGATE}{i}"), predicate, lit) for i, lit in enumerate(literals))
    changed = set()
    for row in probe.query("SELECT ?s ?o WHERE { ?s ?p ?o }"):
        original = literals[int(row[0].value[len(SURROGATE):])]
        if row[1] != original:
            changed.add(original)
    return changed


def _surrogate(literal: ox.Literal) -> ox.Literal:
    return ox.Literal(literal.value, datatype=ox.NamedNode(SURROGATE + literal.datatype.value))


def _encode(literal: ox.Literal) -> ox.Literal:
    if literal.language or literal.datatype.value in (XSD_STRING, RDF_LANGSTRING):
        return literal
    return _surrogate(literal) if _non_canonical([literal]) else literal


def _decode(term):
    """The term as written, for a term read from a store made by ``new_store``."""
    if isinstance(term, ox.Literal) and not term.language:
        datatype = term.datatype.value
        if datatype.startswith(SURROGATE):
            return ox.Literal(term.value, datatype=ox.NamedNode(datatype[len(SURROGATE):]))
    return term


def new_store(items: Iterable) -> ox.Store:
    """A store holding ``items`` (triples or quads, all put in the default graph) for
    ``validate``, with every literal kept as written (see ``SURROGATE``)."""
    items = items if isinstance(items, list) else list(items)
    default = ox.DefaultGraph()
    if items and type(items[0]) is not ox.Quad:
        items = [ox.Quad(t.subject, t.predicate, t.object, default) for t in items]
    objects = [i.object for i in items]
    literal = ox.Literal
    at = [k for k, o in enumerate(objects) if type(o) is literal]
    typed = {objects[k] for k in at if not objects[k].language}
    changed = _non_canonical(t for t in typed if t.datatype.value != XSD_STRING)
    affected = {k for k in at if objects[k] in changed} if changed else set()
    store = ox.Store()
    if affected:
        store.extend(q for k, q in enumerate(items) if k not in affected)
    else:
        store.extend(items)
    if any(True for _ in store.named_graphs()):  # quads of a named graph: build it anew
        store = ox.Store()
        store.extend(
            ox.Quad(i.subject, i.predicate, i.object, default) for k, i in enumerate(items) if k not in affected
        )
    if affected:
        store.extend(
            ox.Quad(items[k].subject, items[k].predicate, _surrogate(objects[k]), default) for k in sorted(affected)
        )
        # which predicates carry such literals: SPARQL written by users must not read them
        carriers = {items[k].predicate for k in affected}
        store.extend(ox.Quad(p, _CARRIES, _CARRIES, _CARRIERS) for p in carriers)
    return store


_CARRIERS = ox.NamedNode(SURROGATE + "carriers")
_CARRIES = ox.NamedNode(SURROGATE + "carries")

_SPARQL_TOKEN = re.compile(
    r"(?P<ws>\s+)|(?P<comment>#[^\n]*)|(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)"
    r'|(?P<string>(?:"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*')(?:@[A-Za-z0-9-]+)?)"
    r"|(?P<var>[?$]\w+)"
    r"|(?P<pname>(?:[A-Za-z][\w.-]*)?:(?:[\w%-]|\\.|\.(?=[\w%-]))*)"
    r"|(?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))"
    r"|(?P<word>[A-Za-z_]\w*)"
    r"|(?P<punct>\^\^|&&|\|\||<=|>=|!=|.)",
    re.S,
)


def _reads(text: str, prefixes: dict[str, str]) -> tuple[set[str], bool]:
    """The IRIs a SPARQL query names, and whether it has a variable as a predicate."""
    tokens = [(m.lastgroup, m.group()) for m in _SPARQL_TOKEN.finditer(text)]
    tokens = [t for t in tokens if t[0] not in ("ws", "comment")]
    named: set[str] = set()
    terms = ("iri", "string", "var", "pname", "number")

    def is_term(k: int) -> bool:
        return 0 <= k < len(tokens) and (tokens[k][0] in terms or tokens[k] == ("word", "a"))

    variable_predicate = False
    for k, (kind, value) in enumerate(tokens):
        if kind == "iri":
            named.add(value[1:-1])
        elif kind == "pname":
            prefix, _, local = value.partition(":")
            if prefix in prefixes:
                named.add(prefixes[prefix] + re.sub(r"\\(.)", r"\1", local))
        elif (kind, value) == ("word", "a"):
            named.add(RDF_TYPE)
        elif kind == "var" and (
            (is_term(k - 1) and is_term(k + 1)) or (k > 0 and tokens[k - 1] == ("punct", ";"))
        ):
            variable_predicate = True
    return named, variable_predicate


# --- expressions ----------------------------------------------------------------------------


def _and(parts: list[str]) -> str:
    parts = [p for p in parts if p != TRUE]
    if FALSE in parts:
        return FALSE
    if not parts:
        return TRUE
    return parts[0] if len(parts) == 1 else "(" + " && ".join(parts) + ")"


def _or(parts: list[str]) -> str:
    parts = [p for p in parts if p != FALSE]
    if TRUE in parts:
        return TRUE
    if not parts:
        return FALSE
    return parts[0] if len(parts) == 1 else "(" + " || ".join(parts) + ")"


def _not(expr: str) -> str:
    return FALSE if expr == TRUE else TRUE if expr == FALSE else f"!({expr})"


# --- SPARQL text (for SHACL-SPARQL constraints and targets) ----------------------------------

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')


def _mask(text: str) -> str:
    """``text`` with comments, string literals and IRIs blanked (same length, same offsets)."""
    out = list(text)
    i, n = 0, len(text)

    def blank(a: int, b: int) -> None:
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif c in "\"'":
            long = text.startswith(c * 3, i)
            j = i + (3 if long else 1)
            while j < n:
                if text[j] == "\\":
                    j += 2
                    continue
                if long and text.startswith(c * 3, j):
                    j += 3
                    break
                if not long and text[j] == c:
                    j += 1
                    break
                j += 1
            blank(i, min(j, n))
            i = j
        elif c == "<":
            m = _IRIREF.match(text, i)
            if m:
                blank(i, m.end())
                i = m.end()
            else:
                i += 1
        else:
            i += 1
    return "".join(out)


def _matching_brace(masked: str, start: int) -> int:
    depth = 0
    for k in range(start, len(masked)):
        if masked[k] == "{":
            depth += 1
        elif masked[k] == "}":
            depth -= 1
            if depth == 0:
                return k
    return -1


_FORBIDDEN_SPARQL = re.compile(
    r"(?<![\w:?$])(MINUS|VALUES|SERVICE|GRAPH|FROM|LIMIT|OFFSET|GROUP|HAVING|COUNT|SUM|MIN|MAX|AVG|SAMPLE|"
    r"GROUP_CONCAT|PREFIX|BASE|INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ASK|CONSTRUCT|DESCRIBE)(?![\w:])",
    re.I,
)
_FORBIDDEN_IN_TARGET = re.compile(
    r"(?<![\w:?$])(GRAPH|FROM|PREFIX|BASE|INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ASK|CONSTRUCT|DESCRIBE)(?![\w:])", re.I
)
_VAR = re.compile(r"[?$]([A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)")


class _Select:
    """A SHACL-SPARQL SELECT, split where the focus nodes join it."""

    def __init__(self, text: str, owner, what: str, *, prebound: bool = True):
        masked = _mask(text)
        selects = [m.start() for m in re.finditer(r"(?<![\w:?$])SELECT(?![\w:])", masked, re.I)]
        if not selects or (prebound and len(selects) > 1):
            raise Unsupported(owner, f"{what}: a query that is not one SELECT (sub-SELECT?)")
        # A target runs as it is (embedded as a sub-SELECT): only what cannot be embedded,
        # or would see the scratch graph, is refused. A constraint is joined with its focus
        # nodes, which is pre-binding only without the constructs SHACL forbids there.
        bad = (_FORBIDDEN_SPARQL if prebound else _FORBIDDEN_IN_TARGET).search(masked)
        if bad:
            raise Unsupported(owner, f"{what}: {bad.group(1).upper()} in the query")
        for name in ("shapesGraph", "currentShape", "PATH"):
            if re.search(r"[?$]" + name + r"\b", masked):
                raise Unsupported(owner, f"{what}: ${name}")
        for m in re.finditer(r"[?$]this\b", masked) if prebound else ():
            if m.start() == 0 or masked[m.start() - 1] not in " \t\r\n{}()":
                raise Unsupported(owner, f"{what}: $this where pyshacl would not pre-bind it")
        if prebound and re.search(r"\bAS\s+[?$]this\b", masked, re.I):
            raise Unsupported(owner, f"{what}: AS ?this")
        self.select_at = selects[0]
        self.open = masked.find("{", self.select_at)
        self.close = _matching_brace(masked, self.open) if self.open >= 0 else -1
        if self.open < 0 or self.close < 0:
            raise Unsupported(owner, f"{what}: a query whose WHERE group cannot be found")
        if masked[: self.select_at].strip() or (prebound and masked[self.close + 1 :].strip()):
            raise Unsupported(owner, f"{what}: text before SELECT or after the WHERE group")
        head = masked[self.select_at + len("SELECT") : self.open]
        head = re.sub(r"\bWHERE\s*$", "", head.rstrip(), flags=re.I)
        modifiers = re.match(r"\s*(?:(DISTINCT|REDUCED)\b)?", head, re.I)
        self.projection_at = self.select_at + len("SELECT") + modifiers.end()
        projection = head[modifiers.end() :]
        if "*" in projection:
            raise Unsupported(owner, f"{what}: SELECT *")
        names: list[str] = []
        depth = 0
        k = 0
        while k < len(projection):
            c = projection[k]
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif c in "?$" and depth == 0:
                m = _VAR.match(projection, k)
                names.append(m.group(1))
                k = m.end()
                continue
            k += 1
        for m in re.finditer(r"\bAS\s+" + _VAR.pattern, projection, re.I):
            names.append(m.group(1))
        self.projected = list(dict.fromkeys(names))
        if not self.projected:
            raise Unsupported(owner, f"{what}: a SELECT that projects no variable")
        self.text = text

    def joined(self, pattern: str = "", *, add_this: bool = False) -> str:
        """The query with ``pattern`` first in its WHERE group (and ``?this`` projected), its
        top-level ``FILTER NOT EXISTS`` rewritten for speed (``_anti_join``)."""
        text = self.text
        group = text[self.open + 1 : self.close]
        body = text[: self.open + 1] + " " + pattern + " " + _anti_join(group) + text[self.close :]
        if add_this:
            body = body[: self.projection_at] + " ?this " + body[self.projection_at :]
        return body


_NOT_EXISTS = re.compile(r"(?<![\w:?$])FILTER\s+NOT\s+EXISTS\s*\{", re.I)
_NOT_IN_ANTI_JOIN = re.compile(
    r"(?<![\w:?$])(BIND|VALUES|OPTIONAL|UNION|MINUS|GRAPH|SERVICE|SELECT|EXISTS)(?![\w:])", re.I
)


def _anti_join(group: str) -> str:
    """A group's top-level ``FILTER NOT EXISTS { P }`` as ``OPTIONAL { P BIND(true AS ?m) }
    FILTER(!BOUND(?m))`` at the group's end.

    Oxigraph plans the pattern of an EXISTS without knowing which of its variables the outer
    solution binds, and may then scan, per outer solution, a whole predicate (seconds per
    thousand focus nodes); it plans the right side of an OPTIONAL with the left side's
    bindings. The two forms are equivalent when P is a block of triple patterns and FILTERs
    (no nested group, BIND or sub-query): P's triples join the outer solution as its
    substitution would, and a FILTER at the top of an OPTIONAL is evaluated on the merged
    solution, so it may use outer variables as NOT EXISTS allows. Other forms stay as they are.
    """
    masked = _mask(group)
    cuts: list[tuple[int, int, str]] = []
    depth, k = 0, 0
    while k < len(masked):
        c = masked[k]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0:
            m = _NOT_EXISTS.match(masked, k)
            if m:
                end = _matching_brace(masked, m.end() - 1)
                inner = masked[m.end() : end]
                if end > 0 and "{" not in inner and not _NOT_IN_ANTI_JOIN.search(inner):
                    cuts.append((k, end + 1, group[m.end() : end]))
                    k = end + 1
                    continue
        k += 1
    if not cuts:
        return group
    out, last, tail = [], 0, []
    for n, (start, end, inner) in enumerate(cuts):
        out.append(group[last:start] + " {} ")  # an empty group (a no-op join) keeps the syntax valid
        last = end
        marker = f"?isthmus_absent_{n}_{uuid.uuid4().hex[:8]}"
        tail.append(f" OPTIONAL {{ {inner} BIND(true AS {marker}) }} FILTER(!BOUND({marker}))")
    out.append(group[last:])
    return "".join(out) + " " + "".join(tail) + " "


# --- the engine -----------------------------------------------------------------------------


class _Engine:
    def __init__(self, store: ox.Store, shapes: Iterable[ox.Triple], *, dry: bool = False):
        #: a dry run compiles every shape, and so raises Unsupported, without running a query
        #: or writing to the store (queries are only parsed, on an empty store)
        self.dry = dry
        self.store = store
        self.g = _Shapes(shapes)
        self.scratch = ox.NamedNode(f"urn:isthmus:shaclsparql:{uuid.uuid4().hex}")
        self.member = ox.NamedNode(self.scratch.value + "#member")
        self.counter = itertools.count()
        self.candidates: dict = {}
        self.sets: dict = {}
        self.focus_sets: dict = {}
        self.instance_sets: dict = {}
        self.var_counter = itertools.count()
        self.results: list[dict] = []
        self.parent: dict = {}
        for node_shape, prop_shape in self.g.by_pred.get(SH + "property", ()):
            self.parent.setdefault(prop_shape, node_shape)
        self.onts = set(self.g.subjects(RDF_TYPE, ox.NamedNode(OWL + "Ontology")))
        self.carriers = {
            row[0].value for row in store.query(f"SELECT ?p WHERE {{ GRAPH <{_CARRIERS.value}> {{ ?p ?x ?y }} }}")
        }

    def _guard(self, select: _Select, prefixes: dict[str, str], owner, what: str) -> None:
        """Refuse user SPARQL that may read literals the store keeps as surrogates: there, a
        comparison or a function would not see the literal's value as rdflib does."""
        if not self.carriers:
            return
        named, variable_predicate = _reads(select.text[select.open : select.close + 1], prefixes)
        if variable_predicate:
            raise Unsupported(owner, f"{what}: a variable predicate, on data with non-canonical literals")
        touched = named & self.carriers
        if touched:
            raise Unsupported(
                owner, f"{what}: reads <{min(touched)}>, whose values include non-canonical literals"
            )

    # -- plumbing ---------------------------------------------------------------------------

    def _query(self, text: str):
        if self.dry:
            return []
        return self.store.query(text)

    def _user_query(self, text: str, owner, what: str, update: bool = False):
        """Run (or, dry, parse) a query built from SPARQL of the shapes graph: one Oxigraph
        cannot parse is Unsupported, whatever rdflib would make of it."""
        try:
            if self.dry:
                probe = ox.Store()
                probe.update(text) if update else probe.query(text)
                return []
            return self.store.update(text) if update else self.store.query(text)
        except SyntaxError as err:
            raise Unsupported(owner, f"{what} that Oxigraph cannot parse: {err}") from None

    def _write(self, quads) -> None:
        if not self.dry:
            self.store.extend(quads)

    def _update(self, text: str) -> None:
        if not self.dry:
            self.store.update(text)

    def _nonempty(self, node: ox.NamedNode) -> bool:
        return self.dry or bool(self.store.query(f"ASK {{ {self._in_set(node, '?x')} }}"))

    def _new_set(self) -> ox.NamedNode:
        return ox.NamedNode(f"{self.scratch.value}/{next(self.counter)}")

    def _in_set(self, node: ox.NamedNode, var: str) -> str:
        return f"GRAPH <{self.scratch.value}> {{ <{node.value}> <{self.member.value}> {var} }}"

    def _fresh(self) -> str:
        return f"?w{next(self.var_counter)}"

    def _candidates(self, source: tuple) -> list:
        found = self.candidates.get(source)
        if found is None:
            if source[0] == "path":
                text = f"SELECT DISTINCT ?v WHERE {{ ?s {source[1]} ?v }}"
            else:
                text = f"SELECT ?v WHERE {{ {self._in_set(source[1], '?v')} }}"
            found = [row[0] for row in self._query(text)]
            self.candidates[source] = found
        return found

    def _termset(self, source: tuple, key, test: Callable, var: str) -> str:
        """A filter expression: ``var`` (a term of ``source``) passes ``test``."""
        entry = self.sets.get((source, key))
        if entry is None:
            candidates = self._candidates(source)
            failing = [t for t in candidates if not test(_decode(t))]
            if not failing:
                entry = (TRUE, None)
            elif len(failing) == len(candidates):
                entry = (FALSE, None)
            else:
                keep_failing = 2 * len(failing) <= len(candidates)
                members = failing if keep_failing else list(set(candidates) - set(failing))
                node = self._new_set()
                self._write(ox.Quad(node, self.member, t, self.scratch) for t in members)
                entry = ("fail" if keep_failing else "pass", node)
            self.sets[(source, key)] = entry
        kind, node = entry
        if kind in (TRUE, FALSE):
            return kind
        inside = f"EXISTS {{ {self._in_set(node, var)} }}"
        return f"NOT {inside}" if kind == "fail" else inside

    def _passing(self, source: tuple, key, test: Callable, var: str) -> str:
        """A graph pattern matching when ``var`` (a term of ``source``) passes ``test``, for a
        join (TRUE or FALSE when all or no candidates pass)."""
        entry = self.sets.get((source, key, "pass"))
        if entry is None:
            candidates = self._candidates(source)
            passing = [t for t in candidates if test(_decode(t))]
            if not passing:
                entry = (FALSE, None)
            elif len(passing) == len(candidates):
                entry = (TRUE, None)
            else:
                node = self._new_set()
                self._write(ox.Quad(node, self.member, t, self.scratch) for t in passing)
                entry = ("pass", node)
            self.sets[(source, key, "pass")] = entry
        kind, node = entry
        return kind if node is None else self._in_set(node, var)

    def _conforms_pattern(self, shape, var: str, source: tuple, stack: tuple):
        """``_conforms`` as a graph pattern to join with (for a shape that tests the term alone
        or is one sh:class), else None."""
        test = self._pure_test(shape, stack)
        if test is not None:
            return self._passing(source, ("shape", shape), test, var)
        preds = [p for p in self.g.preds(shape) if p.startswith(SH) and p not in _NOT_CONSTRAINTS]
        classes = self.g.objs(shape, SH + "class")
        if preds == [SH + "class"] and len(classes) == 1 and isinstance(classes[0], ox.NamedNode):
            return self._in_set(self._instances(classes[0]), var)
        return None

    def _instances(self, cls: ox.NamedNode) -> ox.NamedNode:
        """The scratch set of the SHACL instances of ``cls`` (``rdf:type/rdfs:subClassOf*``),
        computed once in the store: a membership test is cheaper than the path per value."""
        node = self.instance_sets.get(cls)
        if node is None:
            node = self.instance_sets[cls] = self._new_set()
            self._update(
                f"INSERT {{ GRAPH <{self.scratch.value}> {{ <{node.value}> <{self.member.value}> ?x }} }} "
                f"WHERE {{ ?x <{RDF_TYPE}>/<{RDFS}subClassOf>* <{cls.value}> }}"
            )
        return node

    @staticmethod
    def _absent(pattern: str) -> str:
        """``FILTER NOT EXISTS { pattern }`` for a ``pattern`` that binds ``?this`` and refers to
        no other outer variable: the same as ``MINUS { pattern }`` (every solution binds
        ?this), which Oxigraph evaluates as a hash anti-join, several times faster."""
        return f"MINUS {{ {pattern} }}"

    def _failing_set(self, source: tuple, key):
        """The scratch set of failing terms behind a term test, if that is how it was kept."""
        entry = self.sets.get((source, key))
        return entry[1] if entry and entry[0] == "fail" else None

    # -- shapes ----------------------------------------------------------------------------

    def _check_graph(self) -> None:
        for pred, feature in _GLOBAL_UNSUPPORTED.items():
            if self.g.by_pred.get(pred):
                raise Unsupported(self.g.by_pred[pred][0][0], feature)
        for subject, kind in self.g.by_pred.get(RDF_TYPE, ()):
            if isinstance(kind, ox.NamedNode) and kind.value in _GLOBAL_UNSUPPORTED_TYPES:
                raise Unsupported(subject, f"{_local(kind.value)} declarations")

    def _all_shapes(self) -> list:
        """The shapes pyshacl loads (its ShapesGraph cache), in a stable order."""
        g = self.g
        found = set(g.subjects(RDF_TYPE, ox.NamedNode(SH + "NodeShape")))
        found |= set(g.subjects(RDF_TYPE, ox.NamedNode(SH + "PropertyShape")))
        for p in ("targetClass", "targetNode", "targetObjectsOf", "targetSubjectsOf", "property", "node"):
            found |= {s for s, _ in g.by_pred.get(SH + p, ())}
        for p in ("property", "node", "not", "qualifiedValueShape"):
            found |= {o for _, o in g.by_pred.get(SH + p, ())}
        for p in ("and", "or", "xone"):
            for s, head in g.by_pred.get(SH + p, ()):
                found |= set(g.items(head, s))
        return sorted(found, key=str)

    def _deactivated(self, shape) -> bool:
        value = self.g.one(shape, SH + "deactivated")
        return value is not None and _boolean(value, shape, "sh:deactivated")

    def _severity(self, shape) -> str:
        value = self.g.one(shape, SH + "severity")
        return VIOLATION if value is None else value.value

    def _check_shape(self, shape) -> None:
        for pred in self.g.preds(shape):
            if pred.startswith(SH) and pred not in _NOT_CONSTRAINTS and pred not in _SUPPORTED:
                raise Unsupported(shape, _local(pred))
            if pred in _SINGLE and len(self.g.objs(shape, pred)) > 1:
                raise Unsupported(shape, f"more than one {_local(pred)}")
        if self.g.objs(shape, SH + "path"):
            self.g.one(shape, SH + "path")
            for pred in ("sparql",):
                if self.g.objs(shape, SH + pred):
                    raise Unsupported(shape, f"sh:{pred} on a property shape")
        else:
            for pred in ("minCount", "maxCount", "uniqueLang", "qualifiedValueShape"):
                if self.g.objs(shape, SH + pred):
                    raise Unsupported(shape, f"sh:{pred} on a node shape")
        if self.g.objs(shape, SH + "qualifiedValueShapesDisjoint"):
            for value in self.g.objs(shape, SH + "qualifiedValueShapesDisjoint"):
                if _boolean(value, shape, "sh:qualifiedValueShapesDisjoint"):
                    raise Unsupported(shape, "sh:qualifiedValueShapesDisjoint true")
        if self.g.objs(shape, SH + "flags") and not self.g.objs(shape, SH + "pattern"):
            raise Unsupported(shape, "sh:flags without sh:pattern")

    def _messages(self, shape) -> list:
        return self.g.objs(shape, SH + "message")

    @staticmethod
    def _pick_message(messages: list) -> str:
        """The message validate.py picks from a pyshacl result: an English (or untagged) one.
        (A shape without sh:message gets no pyshacl-style default wording here.)"""
        english = [m for m in messages if getattr(m, "language", None) in (None, "en")]
        chosen = english or messages
        return str(chosen[0].value) if chosen else "(no message)"

    def _named(self, shape) -> str:
        named = shape
        while isinstance(named, ox.BlankNode) and named in self.parent:
            named = self.parent[named]
        return named.value if isinstance(named, ox.NamedNode) else "(anonymous shape)"

    # -- paths ----------------------------------------------------------------------------

    def _path(self, node, owner, depth: int = 0) -> str:
        """A SHACL path as a SPARQL property path."""
        if depth > 20:
            raise Unsupported(owner, "a path nested too deeply")
        g = self.g
        if isinstance(node, ox.NamedNode):
            return f"<{node.value}>"
        if not isinstance(node, ox.BlankNode):
            raise Unsupported(owner, "a literal as sh:path")
        inverse = g.one(node, SH + "inversePath", owner)
        if inverse is not None:
            return "^(" + self._path(inverse, owner, depth + 1) + ")"
        for op in ("zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath"):
            if g.objs(node, SH + op):
                raise Unsupported(owner, f"sh:{op}")
        alternatives = g.one(node, SH + "alternativePath", owner)
        if alternatives is not None:
            members = g.items(alternatives, owner)
            if not members:
                raise Unsupported(owner, "an empty sh:alternativePath")
            return "(" + "|".join("(" + self._path(m, owner, depth + 1) + ")" for m in members) + ")"
        if g.objs(node, RDF + "first"):
            members = g.items(node, owner)
            if len(members) < 2:
                raise Unsupported(owner, "a sequence path of fewer than two steps")
            return "(" + "/".join("(" + self._path(m, owner, depth + 1) + ")" for m in members) + ")"
        raise Unsupported(owner, "an unknown kind of path")

    def _path_text(self, node) -> str:
        """validate.py's ``_path_text`` (with no prefixes): how a report shows a path."""
        g = self.g
        if isinstance(node, ox.NamedNode):
            return f"<{node.value}>"
        if isinstance(node, ox.BlankNode):
            inverse = g.one(node, SH + "inversePath")
            if inverse is not None:
                return "^" + self._path_text(inverse)
            alternatives = g.one(node, SH + "alternativePath")
            if alternatives is not None:
                return "(" + "|".join(self._path_text(n) for n in g.items(alternatives, node)) + ")"
            if g.objs(node, RDF + "first"):
                return "/".join(self._path_text(n) for n in g.items(node, node))
        return node.value

    # -- term tests ------------------------------------------------------------------------

    def _term_test(self, shape, pred: str, value) -> Callable:
        """The Python test of one term constraint ``shape pred value``."""
        g = self.g
        kind = pred[len(SH):]
        if kind == "datatype":
            if not isinstance(value, ox.NamedNode):
                raise Unsupported(shape, "sh:datatype that is not an IRI")
            return _datatype_test(value.value)
        if kind == "pattern":
            flags = g.one(shape, SH + "flags")
            if not isinstance(value, ox.Literal):
                raise Unsupported(shape, "sh:pattern that is not a literal")
            return _pattern_test(value.value, flags.value if flags is not None else None)
        if kind == "nodeKind":
            kinds = _NODE_KINDS.get(value.value) if isinstance(value, ox.NamedNode) else None
            if kinds is None:
                raise Unsupported(shape, "an unknown sh:nodeKind")
            return lambda t, kinds=kinds: isinstance(t, kinds)
        if kind == "languageIn":
            tags = g.items(value, shape)
            if not all(isinstance(t, ox.Literal) and not t.language for t in tags):
                raise Unsupported(shape, "sh:languageIn with a member that is not a string")
            return _language_test([t.value for t in tags])
        if kind == "in":
            allowed = set(g.items(value, shape))
            return lambda t, allowed=allowed: t in allowed
        if kind == "hasValue":
            return lambda t, value=value: t == value
        if kind in ("minLength", "maxLength"):
            limit = _int_value(value, shape, "sh:" + kind)
            if limit < 0:
                raise Unsupported(shape, f"a negative sh:{kind}")
            return _length_test(limit, longest=kind == "maxLength")
        accept = {
            "minInclusive": lambda c: c >= 0,
            "minExclusive": lambda c: c > 0,
            "maxInclusive": lambda c: c <= 0,
            "maxExclusive": lambda c: c < 0,
        }.get(kind)
        if accept is not None:
            if not isinstance(value, ox.Literal):
                raise Unsupported(shape, f"sh:{kind} that is not a literal")
            return _range_test(value, accept)
        raise Unsupported(shape, _local(pred))  # pragma: no cover

    def _nested_shape(self, node, owner):
        """A shape used inside another (sh:or, sh:not, sh:node, ...), checked for support."""
        if not isinstance(node, (ox.NamedNode, ox.BlankNode)):
            raise Unsupported(owner, "a literal where a shape is expected")
        if self._deactivated(node):
            return node
        if self._severity(node) != VIOLATION:
            raise Unsupported(node, "a nested shape whose severity is not sh:Violation")
        self._check_shape(node)
        if self.g.objs(node, SH + "sparql"):
            raise Unsupported(node, "sh:sparql in a nested shape")
        if self.g.objs(node, SH + "qualifiedValueShape"):
            raise Unsupported(node, "sh:qualifiedValueShape in a nested shape")
        return node

    def _pure_test(self, shape, stack: tuple):
        """A Python test for conformance of a term to ``shape`` when that depends on the term
        alone (no sh:class, no path); else None."""
        shape = self._nested_shape(shape, stack[-1] if stack else shape)
        if shape in stack:
            raise Unsupported(shape, "a recursive shape")
        if self._deactivated(shape):
            return lambda t: True
        if self.g.objs(shape, SH + "path") or self.g.objs(shape, SH + "property"):
            return None
        tests = []
        for pred in self.g.preds(shape):
            if not pred.startswith(SH) or pred in _NOT_CONSTRAINTS:
                continue
            for value in self.g.objs(shape, pred):
                test = self._component_test(shape, pred, value, stack + (shape,))
                if test is None:
                    return None
                tests.append(test)
        return lambda t, tests=tuple(tests): all(test(t) for test in tests)

    def _component_test(self, shape, pred: str, value, stack: tuple):
        """A Python test for one value-level component, or None if it needs the graph."""
        if pred in _TERM_KINDS or (pred == SH + "hasValue" and not self.g.objs(shape, SH + "path")):
            return self._term_test(shape, pred, value)
        if pred == SH + "class" or pred == SH + "disjoint":
            return None
        if pred in _LOGICAL_KINDS:
            members = self.g.items(value, shape) if pred in (SH + "or", SH + "and", SH + "xone") else [value]
            tests = []
            for member in members:
                test = self._pure_test(member, stack)
                if test is None:
                    return None
                tests.append(test)
            tests = tuple(tests)
            if pred == SH + "or":
                return lambda t: any(test(t) for test in tests)
            if pred == SH + "and" or pred == SH + "node":
                return lambda t: all(test(t) for test in tests)
            if pred == SH + "xone":
                return lambda t: sum(1 for test in tests if test(t)) == 1
            return lambda t: not tests[0](t)
        raise Unsupported(shape, _local(pred))

    # -- expressions -------------------------------------------------------------------------

    def _component_expr(self, shape, pred: str, value, var: str, source: tuple, stack: tuple) -> str:
        """A filter expression: ``var`` (a value node of ``shape``) satisfies one component."""
        test = self._component_test(shape, pred, value, stack)
        if test is not None:
            return self._termset(source, (shape, pred, value), test, var)
        if pred == SH + "class":
            if not isinstance(value, ox.NamedNode):
                raise Unsupported(shape, "sh:class that is not an IRI")
            return f"EXISTS {{ {self._in_set(self._instances(value), var)} }}"
        if pred == SH + "disjoint":  # on a node shape: the focus is its only value node
            if not isinstance(value, ox.NamedNode):
                raise Unsupported(shape, "sh:disjoint that is not an IRI")
            return f"NOT EXISTS {{ {var} <{value.value}> {var} }}"
        members = self.g.items(value, shape) if pred in (SH + "or", SH + "and", SH + "xone") else [value]
        parts = [self._conforms(m, var, source, stack) for m in members]
        if pred == SH + "or":
            return _or(parts)
        if pred == SH + "and" or pred == SH + "node":
            return _and(parts)
        if pred == SH + "not":
            return _not(parts[0])
        # xone: exactly one
        fixed = sum(1 for p in parts if p == TRUE)
        open_parts = [p for p in parts if p not in (TRUE, FALSE)]
        if not open_parts:
            return TRUE if fixed == 1 else FALSE
        total = " + ".join(f"IF({p}, 1, 0)" for p in open_parts)
        return f"(({total}) + {fixed} = 1)"

    def _conforms(self, shape, var: str, source: tuple, stack: tuple) -> str:
        """A filter expression: the node in ``var`` conforms to ``shape``."""
        shape = self._nested_shape(shape, stack[-1] if stack else shape)
        if shape in stack:
            raise Unsupported(shape, "a recursive shape")
        if self._deactivated(shape):
            return TRUE
        test = self._pure_test(shape, stack)
        if test is not None:
            return self._termset(source, ("shape", shape), test, var)
        stack = stack + (shape,)
        path = self.g.one(shape, SH + "path")
        parts = []
        if path is None:
            for pred in self.g.preds(shape):
                if pred == SH + "property":
                    parts += [self._conforms(p, var, source, stack) for p in self.g.objs(shape, pred)]
                elif pred in _VALUE_KINDS or pred in (SH + "hasValue", SH + "disjoint"):
                    parts += [
                        self._component_expr(shape, pred, v, var, source, stack)
                        for v in self.g.objs(shape, pred)
                    ]
            return _and(parts)
        sparql_path = self._path(path, shape)
        inner_source = ("path", sparql_path)
        w = self._fresh()
        values = []
        for pred in self.g.preds(shape):
            objs = self.g.objs(shape, pred)
            if pred in _VALUE_KINDS:
                values += [self._component_expr(shape, pred, v, w, inner_source, stack) for v in objs]
            elif pred == SH + "property":
                values += [self._conforms(p, w, inner_source, stack) for p in objs]
            elif pred == SH + "minCount":
                parts.append(self._at_least(var, sparql_path, _int_value(objs[0], shape, "sh:minCount"), shape))
            elif pred == SH + "maxCount":
                limit = _int_value(objs[0], shape, "sh:maxCount")
                parts.append(_not(self._at_least(var, sparql_path, limit + 1, shape)))
            elif pred == SH + "hasValue":
                parts += [f"EXISTS {{ {var} {sparql_path} {_sparql_term(v, shape)} }}" for v in objs]
            elif pred == SH + "disjoint":
                for v in objs:
                    if not isinstance(v, ox.NamedNode):
                        raise Unsupported(shape, "sh:disjoint that is not an IRI")
                    u = self._fresh()
                    parts.append(f"NOT EXISTS {{ {var} {sparql_path} {u} . {var} <{v.value}> {u} }}")
            elif pred == SH + "uniqueLang":
                if _boolean(objs[0], shape, "sh:uniqueLang"):
                    a, b = self._fresh(), self._fresh()
                    parts.append(
                        f"NOT EXISTS {{ {var} {sparql_path} {a} . {var} {sparql_path} {b} . "
                        f"FILTER(LANG({a}) != \"\" && !sameTerm({a}, {b}) && LCASE(LANG({a})) = LCASE(LANG({b}))) }}"
                    )
        every = _and(values)
        if every != TRUE:
            filt = "" if every == FALSE else f" FILTER({_not(every)})"
            parts.append(f"NOT EXISTS {{ {var} {sparql_path} {w} .{filt} }}")
        return _and(parts)

    def _at_least(self, var: str, sparql_path: str, n: int, shape) -> str:
        if n <= 0:
            return TRUE
        if n > 4:
            raise Unsupported(shape, "a count above 4 in a nested shape")
        ws = [self._fresh() for _ in range(n)]
        triples = " . ".join(f"{var} {sparql_path} {w}" for w in ws)
        distinct = " && ".join(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(ws, 2))
        return f"EXISTS {{ {triples} {f'FILTER({distinct})' if distinct else ''} }}"

    # -- focus nodes ---------------------------------------------------------------------------

    def _prefixes(self, node) -> dict[str, str]:
        """The prefixes pyshacl declares for a SPARQL constraint or target (its rules)."""
        g = self.g
        prefixes = {"rdf": RDF, "rdfs": RDFS, "owl": OWL}
        ont_declares = {d for o in self.onts for d in g.objs(o, SH + "declare")}
        for holder in g.objs(node, SH + "prefixes"):
            own = set(g.objs(holder, SH + "declare"))
            declares = own if (own and holder in self.onts) else ont_declares | own
            for dec in sorted(declares, key=str):
                prefix, namespace = g.one(dec, SH + "prefix", node), g.one(dec, SH + "namespace", node)
                if not isinstance(prefix, ox.Literal) or not isinstance(namespace, ox.Literal):
                    raise Unsupported(node, "an ill-formed sh:declare")
                prefixes[prefix.value] = namespace.value
        return prefixes

    @staticmethod
    def _prologue(prefixes: dict[str, str]) -> str:
        return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())

    def _focus_set(self, shape):
        """The scratch set holding the focus nodes of ``shape``, or None if it targets none."""
        g = self.g
        patterns: list[tuple[str, str]] = []  # (prologue, pattern binding ?this)
        for node in g.objs(shape, SH + "targetNode"):
            patterns.append(("", f"VALUES ?this {{ {_sparql_term(node, shape)} }}"))
        classes = list(g.objs(shape, SH + "targetClass"))
        if self._is_class(shape):
            classes.append(shape)
        for cls in classes:
            if not isinstance(cls, ox.NamedNode):
                raise Unsupported(shape, "sh:targetClass that is not an IRI")
            patterns.append(("", f"?this <{RDF_TYPE}>/<{RDFS}subClassOf>* <{cls.value}>"))
        for prop in g.objs(shape, SH + "targetSubjectsOf"):
            if not isinstance(prop, ox.NamedNode):
                raise Unsupported(shape, "sh:targetSubjectsOf that is not an IRI")
            patterns.append(("", f"?this <{prop.value}> ?object"))
        for prop in g.objs(shape, SH + "targetObjectsOf"):
            if not isinstance(prop, ox.NamedNode):
                raise Unsupported(shape, "sh:targetObjectsOf that is not an IRI")
            patterns.append(("", f"?subject <{prop.value}> ?this"))
        for target in g.objs(shape, SH + "target"):
            selects = g.objs(target, SH + "select")
            types = {t.value for t in g.objs(target, RDF_TYPE) if isinstance(t, ox.NamedNode)}
            if not selects or (types and types != {SH + "SPARQLTarget"}):
                raise Unsupported(shape, "an sh:target that is not a SPARQL-based target")
            if len(selects) > 1 or not isinstance(selects[0], ox.Literal):
                raise Unsupported(shape, "an sh:target whose sh:select is not one string")
            select = _Select(selects[0].value, shape, "SPARQL target", prebound=False)
            if "this" not in select.projected:
                raise Unsupported(shape, "a SPARQL target that does not select ?this")
            prefixes = self._prefixes(target)
            self._guard(select, prefixes, shape, "SPARQL target")
            patterns.append((self._prologue(prefixes), "{ " + select.joined() + " }"))
        if not patterns:
            return None
        key = tuple(patterns)
        if key not in self.focus_sets and len(classes) == 1 and len(patterns) == 1:
            # the focus nodes are the instances of the class: share that set with sh:class
            node = self._instances(classes[0])
            self.focus_sets[key] = node if self._nonempty(node) else None
        if key in self.focus_sets:
            return self.focus_sets[key]
        node = self._new_set()
        for prologue, pattern in patterns:
            self._user_query(
                f"{prologue}INSERT {{ GRAPH <{self.scratch.value}> {{ <{node.value}> <{self.member.value}> ?this }} }}"
                f" WHERE {{ {pattern} }}",
                shape,
                "a target",
                update=True,
            )
        found = node if self._nonempty(node) else None
        self.focus_sets[key] = found
        return found

    # -- results ---------------------------------------------------------------------------------

    def _add(self, shape, severity: str, focus, message: str, path: str | None, value) -> None:
        self.results.append(
            dict(
                severity=severity.removeprefix(SH),
                focus=focus.value if isinstance(focus, ox.NamedNode) else f"_:{focus.value}",
                path=path,
                message=message,
                shape=self._named(shape),
                value=None if value is None else value.value,
            )
        )

    def _rows(self, text: str, *names: str) -> list:
        return [tuple(row[n] for n in names) for row in self._query(text)]

    # -- one shape ------------------------------------------------------------------------------

    def run(self) -> list[dict]:
        self._check_graph()
        try:
            for shape in self._all_shapes():
                try:
                    self._top_level(shape)
                except Unsupported as err:
                    raise err.within(shape) from None
        finally:
            if not self.dry:
                self.store.remove_graph(self.scratch)
        return self.results

    def _top_level(self, shape) -> None:
        g = self.g
        has_targets = any(
            g.objs(shape, SH + p)
            for p in ("targetClass", "targetNode", "targetObjectsOf", "targetSubjectsOf", "target")
        ) or self._is_class(shape)
        if not has_targets or self._deactivated(shape):
            return
        self._check_shape(shape)
        if g.objs(shape, SH + "path"):
            raise Unsupported(shape, "a property shape with its own targets")
        focus = self._focus_set(shape)
        if focus is None:
            return
        focus_pattern = self._in_set(focus, "?this")
        source = ("focus", focus)
        severity = self._severity(shape)
        message = self._pick_message(self._messages(shape))
        stack = (shape,)
        for pred in g.preds(shape):
            for value in g.objs(shape, pred):
                if pred == SH + "property":
                    self._property(shape, value, focus_pattern)
                elif pred == SH + "sparql":
                    self._sparql(shape, value, focus, severity)
                elif pred in _VALUE_KINDS or pred in (SH + "hasValue", SH + "disjoint"):
                    expr = self._component_expr(shape, pred, value, "?this", source, stack)
                    if expr == TRUE:
                        continue
                    failing = self._failing_set(source, (shape, pred, value))
                    if failing is not None:
                        text = f"SELECT ?this WHERE {{ {self._in_set(failing, '?this')} }}"
                    else:
                        text = f"SELECT ?this WHERE {{ {focus_pattern} FILTER({_not(expr)}) }}"
                    for (this,) in self._rows(text, "this"):
                        self._add(shape, severity, this, message, None, this)

    def _is_class(self, shape) -> bool:
        subclasses = self.g.subjects(RDFS + "subClassOf", ox.NamedNode(RDFS + "Class"))
        class_types = {RDFS + "Class"} | {s.value for s in subclasses if isinstance(s, ox.NamedNode)}
        return any(isinstance(k, ox.NamedNode) and k.value in class_types for k in self.g.objs(shape, RDF_TYPE))

    def _property(self, owner, shape, focus_pattern: str) -> None:
        g = self.g
        if not isinstance(shape, (ox.NamedNode, ox.BlankNode)):
            raise Unsupported(owner, "a literal as sh:property")
        if self._deactivated(shape):
            return
        self._check_shape(shape)
        path = g.one(shape, SH + "path")
        if path is None:
            raise Unsupported(shape, "sh:property pointing to a shape without sh:path")
        if g.objs(shape, SH + "property"):
            raise Unsupported(shape, "sh:property inside a property shape")
        pp = self._path(path, shape)
        source = ("path", pp)
        severity = self._severity(shape)
        message = self._pick_message(self._messages(shape))
        text = self._path_text(path)
        m = re.fullmatch(r"<([^<>]*)>", text)
        path_text = m.group(1) if m else text
        stack = (owner, shape)

        def report(rows, with_value: bool) -> None:
            for row in rows:
                self._add(shape, severity, row[0], message, path_text, row[1] if with_value else None)

        for pred in g.preds(shape):
            objs = g.objs(shape, pred)
            for value in objs:
                if pred in _VALUE_KINDS:
                    expr = self._component_expr(shape, pred, value, "?value", source, stack)
                    if expr == TRUE:
                        continue
                    failing = self._failing_set(source, (shape, pred, value))
                    if failing is not None:
                        q = (
                            f"SELECT DISTINCT ?this ?value WHERE {{ {self._in_set(failing, '?value')} "
                            f"?this {pp} ?value . {focus_pattern} }}"
                        )
                    else:
                        filt = "" if expr == FALSE else f" FILTER({_not(expr)})"
                        q = f"SELECT DISTINCT ?this ?value WHERE {{ {focus_pattern} ?this {pp} ?value .{filt} }}"
                    report(self._rows(q, "this", "value"), True)
                elif pred == SH + "minCount":
                    n = _int_value(value, shape, "sh:minCount")
                    if n <= 0:
                        continue
                    if n == 1:
                        q = f"SELECT ?this WHERE {{ {focus_pattern} {self._absent(f'?this {pp} ?v')} }}"
                    else:
                        q = (
                            f"SELECT ?this WHERE {{ {focus_pattern} OPTIONAL {{ ?this {pp} ?v }} }} "
                            f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})"
                        )
                    report(self._rows(q, "this"), False)
                elif pred == SH + "maxCount":
                    n = _int_value(value, shape, "sh:maxCount")
                    if n < 0:
                        raise Unsupported(shape, "a negative sh:maxCount")
                    if n == 0:
                        q = f"SELECT DISTINCT ?this WHERE {{ {focus_pattern} ?this {pp} ?v }}"
                    else:
                        q = (
                            f"SELECT ?this WHERE {{ {focus_pattern} ?this {pp} ?v }} "
                            f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})"
                        )
                    report(self._rows(q, "this"), False)
                elif pred == SH + "uniqueLang":
                    if not _boolean(value, shape, "sh:uniqueLang"):
                        continue
                    q = (
                        f"SELECT ?this ?lang WHERE {{ {focus_pattern} ?this {pp} ?a . "
                        f"BIND(LCASE(LANG(?a)) AS ?lang) FILTER(?lang != \"\") }} "
                        f"GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?a) > 1)"
                    )
                    report(self._rows(q, "this"), False)
                elif pred == SH + "hasValue":
                    q = (
                        f"SELECT ?this WHERE {{ {focus_pattern} "
                        f"{self._absent(f'?this {pp} {_sparql_term(value, shape)}')} }}"
                    )
                    report(self._rows(q, "this"), False)
                elif pred == SH + "disjoint":
                    if not isinstance(value, ox.NamedNode):
                        raise Unsupported(shape, "sh:disjoint that is not an IRI")
                    q = (
                        f"SELECT DISTINCT ?this ?value WHERE {{ {focus_pattern} "
                        f"?this {pp} ?value . ?this <{value.value}> ?value }}"
                    )
                    report(self._rows(q, "this", "value"), True)
                elif pred == SH + "qualifiedValueShape":
                    self._qualified(shape, value, pp, source, focus_pattern, stack, report)

    def _qualified(self, shape, value_shape, pp: str, source, focus_pattern: str, stack, report) -> None:
        g = self.g
        low = g.one(shape, SH + "qualifiedMinCount")
        high = g.one(shape, SH + "qualifiedMaxCount")
        if low is None and high is None:
            raise Unsupported(shape, "sh:qualifiedValueShape without sh:qualifiedMinCount or sh:qualifiedMaxCount")
        pattern = self._conforms_pattern(value_shape, "?v", source, stack)
        if pattern is None:
            expr = self._conforms(value_shape, "?v", source, stack)
            filt = "" if expr == TRUE else f" FILTER({expr})"
        else:
            expr = pattern if pattern in (TRUE, FALSE) else "pattern"
            filt = "" if pattern == TRUE else f" {pattern}"
        if high is not None:
            n = _int_value(high, shape, "sh:qualifiedMaxCount")
            if expr != FALSE:
                q = (
                    f"SELECT ?this WHERE {{ {focus_pattern} ?this {pp} ?v .{filt} }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})"
                )
                report(self._rows(q, "this"), False)
        if low is not None:
            n = _int_value(low, shape, "sh:qualifiedMinCount")
            if n <= 0:
                return
            if expr == FALSE:
                q = f"SELECT ?this WHERE {{ {focus_pattern} }}"
            elif n == 1:
                q = f"SELECT ?this WHERE {{ {focus_pattern} {self._absent(f'?this {pp} ?v .{filt}')} }}"
            else:
                q = (
                    f"SELECT ?this WHERE {{ {focus_pattern} OPTIONAL {{ ?this {pp} ?v .{filt} }} }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})"
                )
            report(self._rows(q, "this"), False)

    # -- SHACL-SPARQL constraints ----------------------------------------------------------------

    def _sparql(self, shape, constraint, focus, severity: str) -> None:
        g = self.g
        if self._deactivated(constraint):
            return
        for pred in g.preds(constraint):
            known = ("select", "message", "prefixes", "deactivated", "severity")
            if pred.startswith(SH) and pred[len(SH):] not in known:
                raise Unsupported(shape, f"{_local(pred)} on an sh:sparql constraint")
        select_text = g.one(constraint, SH + "select", shape)
        if not isinstance(select_text, ox.Literal):
            raise Unsupported(shape, "sh:sparql without one sh:select string")
        select = _Select(select_text.value, shape, "SPARQL constraint")
        if "failure" in select.projected:
            raise Unsupported(shape, "?failure in a SPARQL constraint")
        projected = select.projected
        this_projected = "this" in projected
        prefixes = self._prefixes(constraint)
        self._guard(select, prefixes, shape, "SPARQL constraint")
        query = self._prologue(prefixes) + select.joined(
            self._in_set(focus, "?this"), add_this=not this_projected
        )
        names = ["this"] + [n for n in projected if n != "this"]
        # pyshacl fills the templates of the constraint's messages, then of the shape's, and
        # drops their language tags: any can come first; the English one of the constraint
        # is taken here
        extra = [m for m in self._messages(constraint) if isinstance(m, ox.Literal)]
        own = [m for m in self._messages(shape) if isinstance(m, ox.Literal)]
        others = [m for m in self._messages(constraint) + self._messages(shape) if not isinstance(m, ox.Literal)]
        seen = set()
        rows = [tuple(r[n] for n in names) for r in self._user_query(query, shape, "a SPARQL constraint")]
        for row in rows:
            focus_node = row[0]
            bound = {n: v for n, v in zip(names[1:], row[1:]) if v is not None}
            t = focus_node if this_projected else None
            p = bound.pop("path", None)
            v = bound.pop("value", None)
            if t is None and p is None and v is None:
                continue
            key = (focus_node, t, p, v, tuple(sorted((k, str(x)) for k, x in bound.items())))
            if key in seen:
                continue
            seen.add(key)
            value = v if v is not None else focus_node
            fdict = dict(bound)
            if t is not None:
                fdict["this"] = t
            if p is not None:
                fdict["path"] = p
            fdict["value"] = value

            def fill(msg: str) -> str:
                for var, val in fdict.items():
                    msg = re.sub("{{[?$]{}}}".format(var), val.value, msg)
                return msg

            chosen = [m for m in extra if m.language in (None, "en")] or extra
            chosen = chosen or [m for m in own if m.language in (None, "en")] or own
            if chosen:
                message = fill(chosen[0].value)
            else:
                message = others[0].value if others else "(no message)"
            # a ?path that is an IRI is reported as the IRI; validate.py shows another term as is
            path = None if p is None else p.value
            self._add(shape, severity, focus_node, message, path, value)


def validate(store: ox.Store, shapes: list[ox.Triple]) -> list[dict]:
    """Validate the data in ``store``'s default graph (ontology and data together, so that
    sh:targetClass and sh:class see rdfs:subClassOf) against ``shapes``.

    Returns one dict per validation result, with the keys validate.py's pyshacl path gives:
    severity, focus, path, message, shape, value. Raises ``Unsupported`` before reporting
    anything if the shapes use a feature this engine does not compile. A scratch named graph
    is written to ``store`` while it runs and removed before it returns.
    """
    shapes = list(shapes)
    _Engine(store, shapes, dry=True).run()
    return _Engine(store, shapes).run()
