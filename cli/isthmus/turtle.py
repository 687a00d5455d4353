"""A Turtle writer for people and for large graphs: subjects in order, predicates grouped
with ``;`` and objects with ``,``, ``a`` for rdf:type, prefixed names where Turtle allows
them, lists written ``( … )``, blank nodes used once written inline ``[ … ]``. Linear in
the size of the graph and deterministic; terms are escaped by the RDF library."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from isthmus.rdflists import list_items

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = RDF + "type"
XSD = "http://www.w3.org/2001/XMLSchema#"
# the local part of a prefixed name that needs no escaping (a safe subset of PN_LOCAL)
_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
_PREFIX = re.compile(r"^[A-Za-z](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
_NUMBER = {XSD + "integer": re.compile(r"^[+-]?\d+$"), XSD + "decimal": re.compile(r"^[+-]?\d*\.\d+$")}


class _Writer:
    def __init__(self, items: list[ox.Triple], prefixes: dict[str, str]):
        self.prefixes = {p: ns for p, ns in prefixes.items() if p == "" or _PREFIX.match(p)}
        self.by_ns = sorted(self.prefixes.items(), key=lambda kv: -len(kv[1]))
        self.by_subject: dict = defaultdict(list)
        referenced: dict = defaultdict(int)
        for t in items:
            self.by_subject[t.subject].append(t)
            if isinstance(t.object, ox.BlankNode):
                referenced[t.object] += 1
        self.referenced = referenced
        self.lists: dict = {}
        for node in list(self.by_subject):
            if isinstance(node, ox.BlankNode) and referenced.get(node) == 1:
                members = list_items(node, self.by_subject, self.referenced)
                if members is not None:
                    self.lists[node] = members
        self.inline = {b for b in self.by_subject if isinstance(b, ox.BlankNode) and referenced.get(b) == 1}
        self.inside_lists: set = set()
        for head in self.lists:
            node = head
            while isinstance(node, ox.BlankNode):
                self.inside_lists.add(node)
                node = next(t.object for t in self.by_subject[node] if t.predicate.value == RDF + "rest")
        self.used: set[str] = set()
        self.emitted: set = set()  # blank nodes already written inline

    def iri(self, value: str) -> str:
        for prefix, ns in self.by_ns:
            if value.startswith(ns) and _LOCAL.match(value[len(ns):] or "_"):
                local = value[len(ns):]
                if local or ns == value:
                    self.used.add(prefix)
                    return f"{prefix}:{local}"
        return f"<{value}>"

    def term(self, term, depth: int) -> str:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.BlankNode):
            if term in self.lists:
                return "( " + " ".join(self.term(item, depth) for item in self.lists[term]) + " )"
            if term in self.inline and term not in self.emitted and depth < 8:
                self.emitted.add(term)
                body = self.body(term, depth + 1, inline=True)
                return "[ " + body + " ]" if body else "[]"
            return f"_:{term.value}"
        if isinstance(term, ox.Literal):
            text = str(ox.Literal(term.value))
            if term.language:
                return f"{text}@{term.language}"
            datatype = term.datatype.value
            if datatype == XSD + "string":
                return text
            pattern = _NUMBER.get(datatype)
            if pattern is not None and pattern.match(term.value):
                return term.value
            if datatype == XSD + "boolean" and term.value in ("true", "false"):
                return term.value
            return f"{text}^^{self.iri(datatype)}"
        return str(term)

    def body(self, subject, depth: int, *, inline: bool = False) -> str:
        groups: dict[str, list] = defaultdict(list)
        for t in self.by_subject.get(subject, []):
            groups[t.predicate.value].append(t.object)
        order = sorted(groups, key=lambda p: (p != RDF_TYPE, p))
        indent = "    " * (depth + 1)
        parts = []
        for predicate in order:
            name = "a" if predicate == RDF_TYPE else self.iri(predicate)
            values = sorted(self.term(o, depth) for o in groups[predicate])
            parts.append(f"{name} " + (" , ".join(values) if len(values) < 4 else (" ,\n" + indent + "    ").join(values)))
        separator = " ; " if inline else " ;\n" + indent
        return separator.join(parts)

    def document(self) -> str:
        named = sorted((s for s in self.by_subject if isinstance(s, ox.NamedNode)), key=lambda s: s.value)
        blocks = [f"{self.iri(s.value)} {self.body(s, 0)} ." for s in named]
        blank = sorted((s for s in self.by_subject if isinstance(s, ox.BlankNode) and s not in self.inside_lists),
                       key=lambda s: s.value)
        for node in blank:
            if node not in self.emitted:  # not reached from a named subject (or nested too deep)
                self.emitted.add(node)
                blocks.append(f"_:{node.value} {self.body(node, 0)} .")
        head = [f"@prefix {p}: <{ns}> ." for p, ns in sorted(self.prefixes.items()) if p in self.used]
        return "\n".join(head) + ("\n\n" if head else "") + "\n\n".join(blocks) + "\n"


def serialize(items: Iterable[ox.Triple], prefixes: dict[str, str]) -> bytes:
    """``items`` as readable, deterministic Turtle using ``prefixes``."""
    return _Writer(list(items), prefixes).document().encode("utf-8")
