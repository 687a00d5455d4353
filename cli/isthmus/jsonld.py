"""A JSON-LD 1.1 writer that compacts with a given context, directly from triples.

Deterministic (nodes sorted by id, keys and values sorted) and linear in the size of the
graph, so it stays fast on large graphs where generic compaction is slow. Lossless: every
literal keeps its lexical form, datatype and language; lists become ``@list``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from isthmus.rdflists import list_items

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_GEN_DELIMS = tuple(":/?#[]@")


@dataclass(frozen=True)
class TermDef:
    key: str
    iri: str
    coerce: str | None  # "@id", "@vocab", a datatype IRI, or None
    language: str | None  # a @language coercion; "" means explicitly none
    container: str | None


class Context:
    """What a JSON-LD context says about keys, prefixes and coercions (JSON-LD 1.1)."""

    def __init__(self, document: dict):
        """Raises ``ValueError`` saying which part of the context is malformed."""
        if not isinstance(document, dict):
            raise ValueError("the JSON-LD context document must be a JSON object")
        ctx = document.get("@context", document)
        if isinstance(ctx, list):
            merged: dict = {}
            for part in ctx:
                if isinstance(part, dict):
                    merged.update(part)
            ctx = merged
        if not isinstance(ctx, dict):
            raise ValueError("the JSON-LD context must be an object")
        _check_definitions(ctx)
        _check_with_a_processor(ctx)
        self.document = {"@context": ctx}
        self.default_language = ctx.get("@language")
        self.aliases: dict[str, str] = {}
        self.prefixes: dict[str, str] = {}
        raw: dict[str, dict] = {}
        for key, value in ctx.items():
            if key.startswith("@"):
                continue
            if isinstance(value, str):
                if value.startswith("@"):
                    self.aliases[value] = key
                    continue
                raw[key] = {"@id": value}
                if value.endswith(_GEN_DELIMS):
                    self.prefixes[key] = value
            elif isinstance(value, dict):
                if isinstance(value.get("@id"), str) and value["@id"].startswith("@"):
                    self.aliases[value["@id"]] = key
                    continue
                if ("@id" in value and value["@id"] is None) or "@reverse" in value:
                    continue  # a term mapped to nothing, or a reverse property: never written
                raw[key] = value
                if value.get("@prefix") is True and "@id" in value:
                    self.prefixes[key] = value["@id"]
        for key, value in list(self.prefixes.items()):
            self.prefixes[key] = self.expand(value)
        self.by_iri: dict[str, list[TermDef]] = defaultdict(list)
        for key, value in raw.items():
            iri = self.expand(value.get("@id", key))
            coerce = value.get("@type")
            if coerce is not None and coerce not in ("@id", "@vocab"):
                coerce = self.expand(coerce)
            language = value.get("@language", None)
            if "@language" in value and language is None:
                language = ""
            term = TermDef(key, iri, coerce, language, value.get("@container"))
            if term.container in (None, "@set", "@list", "@language"):
                self.by_iri[iri].append(term)

    def expand(self, value: str) -> str:
        if ":" in value:
            prefix, _, local = value.partition(":")
            if not local.startswith("//") and prefix in self.prefixes:
                return self.prefixes[prefix] + local
        return value

    def confusable(self, iri: str) -> str | None:
        """The prefix that would expand ``iri`` if it were written as it is: an absolute IRI
        whose scheme is also a prefix name of the context (``ex:thing`` with ``ex`` defined)."""
        prefix, colon, suffix = iri.partition(":")
        if colon and prefix in self.prefixes and not suffix.startswith("//"):
            return prefix
        return None

    def compact_iri(self, iri: str, avoid: frozenset[str] = frozenset()) -> str:
        """``iri`` as a compact IRI where a prefix (not one of ``avoid``) fits, else as it is."""
        best = None
        for name, ns in self.prefixes.items():
            if name in avoid:
                continue
            if ns and iri.startswith(ns) and len(iri) > len(ns) and (best is None or len(ns) > len(self.prefixes[best])):
                best = name
        if best is None:
            return iri
        local = iri[len(self.prefixes[best]):]
        if local.startswith("//"):
            return iri
        return f"{best}:{local}"

    def keyword(self, keyword: str) -> str:
        return self.aliases.get(keyword, keyword)


def _check_definitions(ctx: dict) -> None:
    """Every term definition has the shape JSON-LD 1.1 gives it, so that compaction never
    meets a number where it expects an IRI."""
    if not _language_or_null(ctx.get("@language")):
        raise ValueError("@language must be a language tag or null")
    for key, value in ctx.items():
        if ":" in key and not key.startswith("@"):
            # the writer's own keys are compact or absolute IRIs; a term spelled like one
            # would take their place (with its coercion, or mapped elsewhere, or to nothing)
            raise ValueError(f"the term {key!r} looks like an IRI or a compact IRI; name terms with plain words")
        if key.startswith("@") or value is None or isinstance(value, str):
            continue
        if not isinstance(value, dict):
            raise ValueError(f"the term {key!r}: a definition is an IRI or an object, not {json.dumps(value)}")
        for member in ("@id", "@type", "@language", "@reverse"):
            if not isinstance(value.get(member), (str, type(None))):
                raise ValueError(f"the term {key!r}: {member} must be a string, not {json.dumps(value[member])}")
        if not _language_or_null(value.get("@language")):
            raise ValueError(f"the term {key!r}: @language must be a language tag or null")
        container = value.get("@container")
        if container is not None and not (
            isinstance(container, str) or (isinstance(container, list) and all(isinstance(c, str) for c in container))
        ):
            raise ValueError(f"the term {key!r}: @container must be a keyword or a list of keywords")


def _language_or_null(value) -> bool:
    return value is None or (isinstance(value, str) and re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", value) is not None)


def _check_with_a_processor(ctx: dict) -> None:
    """A JSON-LD processor (pyoxigraph's) accepts the context: what is written with it
    can be read back."""
    try:
        for _ in ox.parse(json.dumps({"@context": ctx, "@graph": []}).encode("utf-8"), format=ox.RdfFormat.JSON_LD):
            pass
    except SyntaxError as err:
        raise ValueError(f"not a valid JSON-LD context: {' '.join(str(err.msg or err).split())}") from None


def _is_iri(term) -> bool:
    return isinstance(term, (ox.NamedNode, ox.BlankNode))


class _Writer:
    def __init__(self, triples: list[ox.Triple], context: Context):
        self.ctx = context
        self.by_subject: dict = defaultdict(list)
        referenced: dict = defaultdict(int)
        for t in triples:
            self.by_subject[t.subject].append(t)
            if isinstance(t.object, ox.BlankNode):
                referenced[t.object] += 1
        self.lists: dict = {}
        for node in list(self.by_subject):
            if isinstance(node, ox.BlankNode) and referenced.get(node) == 1:
                items = list_items(node, self.by_subject, referenced)
                if items is not None:
                    self.lists[node] = items
        self.inside_lists = set()
        for head in self.lists:
            node = head
            while isinstance(node, ox.BlankNode):
                self.inside_lists.add(node)
                node = next(t.object for t in self.by_subject[node] if t.predicate.value == RDF + "rest")
        self.labels: dict = {}
        self.avoid: frozenset[str] = frozenset()  # prefixes the node being written undefines

    def node_id(self, term) -> str:
        if isinstance(term, ox.BlankNode):
            if term not in self.labels:
                self.labels[term] = f"_:b{len(self.labels)}"
            return self.labels[term]
        return self.ctx.compact_iri(term.value, self.avoid)

    def _iris(self, subject) -> set[str]:
        """Every IRI the node of ``subject`` writes: its own, types, properties, objects,
        datatypes, list members."""
        found = {subject.value} if isinstance(subject, ox.NamedNode) else set()
        pending = [t.object for t in self.by_subject[subject]]
        found |= {t.predicate.value for t in self.by_subject[subject]}
        while pending:
            value = pending.pop()
            if isinstance(value, ox.NamedNode):
                found.add(value.value)
            elif isinstance(value, ox.Literal) and not value.language:
                found.add(value.datatype.value)
            elif isinstance(value, ox.BlankNode) and value in self.lists:
                pending.extend(self.lists[value])
        return found

    def _fits(self, term: TermDef, value) -> bool:
        if term.container == "@list":
            return False  # a list container would change what a plain array means
        if term.container == "@language":
            return isinstance(value, ox.Literal) and bool(value.language)
        if isinstance(value, ox.BlankNode) and value in self.lists:
            return all(self._fits(term, item) for item in self.lists[value])
        if _is_iri(value):
            return term.coerce in ("@id", "@vocab")
        if term.coerce in ("@id", "@vocab"):
            return False
        if term.coerce is not None:
            return not value.language and value.datatype.value == term.coerce
        if term.language is not None:
            return (value.language or "") == term.language and (
                value.language or value.datatype.value == XSD_STRING
            )
        return True

    def _choose(self, predicate: str, value) -> TermDef | None:
        candidates = self.ctx.by_iri.get(predicate, [])
        exact = [
            t for t in candidates
            if self._fits(t, value) and (t.coerce or t.language is not None or t.container == "@language")
        ]
        if exact:
            return sorted(exact, key=lambda t: t.key)[0]
        plain = [
            t for t in candidates
            if self._fits(t, value) and not t.coerce and t.language is None and t.container != "@language"
        ]
        return sorted(plain, key=lambda t: t.key)[0] if plain else None

    def value(self, value, term: TermDef | None):
        if isinstance(value, ox.BlankNode) and value in self.lists:
            return {"@list": [self.value(item, term) for item in self.lists[value]]}
        if _is_iri(value):
            ident = self.node_id(value)
            if term is not None and term.coerce in ("@id", "@vocab"):
                return ident
            return {self.ctx.keyword("@id"): ident}
        if term is not None and term.coerce not in (None, "@id", "@vocab"):
            return value.value
        if value.language:
            if term is not None and term.language == value.language:
                return value.value
            if term is None or term.language is None:
                if self.ctx.default_language == value.language:
                    return value.value
            return {"@value": value.value, "@language": value.language}
        if value.datatype.value == XSD_STRING:
            if (term is not None and term.language == "") or (
                (term is None or term.language is None) and not self.ctx.default_language
            ):
                return value.value
            return {"@value": value.value}
        return {"@value": value.value, "@type": self.ctx.compact_iri(value.datatype.value, self.avoid)}

    def node(self, subject) -> dict:
        # An IRI such as ``ex:thing`` (scheme ``ex``) cannot be written as it is where ``ex``
        # is a prefix: it would be read back as a compact IRI. The node then undefines those
        # prefixes in an embedded context, and compacts without them.
        self.avoid = frozenset(p for iri in self._iris(subject) if (p := self.ctx.confusable(iri)))
        out: dict = {"@context": {p: None for p in sorted(self.avoid)}} if self.avoid else {}
        out[self.ctx.keyword("@id")] = self.node_id(subject)
        grouped: dict[str, list] = defaultdict(list)
        maps: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        types = []
        for t in self.by_subject[subject]:
            if t.predicate.value == RDF + "type" and isinstance(t.object, ox.NamedNode):
                types.append(self.ctx.compact_iri(t.object.value, self.avoid))
                continue
            term = self._choose(t.predicate.value, t.object)
            key = term.key if term is not None else self.ctx.compact_iri(t.predicate.value, self.avoid)
            if term is not None and term.container == "@language":
                maps[key][t.object.language].append(t.object.value)
                continue
            grouped[key].append(self.value(t.object, term))
        if types:
            types.sort()
            out[self.ctx.keyword("@type")] = types[0] if len(types) == 1 else types
        for key, by_language in maps.items():
            grouped[key] = [
                {lang: sorted(texts)[0] if len(texts) == 1 else sorted(texts) for lang, texts in sorted(by_language.items())}
            ]
        for key in sorted(grouped):
            values = sorted(grouped[key], key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
            out[key] = values[0] if len(values) == 1 else values
        self.avoid = frozenset()
        return out

    def document(self) -> dict:
        subjects = [s for s in self.by_subject if s not in self.inside_lists]
        named = sorted((s for s in subjects if isinstance(s, ox.NamedNode)), key=lambda s: self.node_id(s))
        blank = sorted((s for s in subjects if isinstance(s, ox.BlankNode)), key=lambda s: s.value)
        for b in blank:
            self.node_id(b)
        nodes = [self.node(s) for s in named] + [self.node(s) for s in blank]
        return {"@context": self.ctx.document["@context"], "@graph": nodes}


def compact_document(triples, context: Context) -> dict:
    """The compacted JSON-LD document (one ``@graph``) for ``triples``."""
    return _Writer(list(triples), context).document()


def dumps(document: dict) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
