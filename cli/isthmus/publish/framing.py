"""Per-resource JSON-LD: a resource's description framed on it, with the release's context
pruned to the terms the description can use.

Two framers give the same bytes. ``Framer`` is pyLD itself (from RDF, frame, compact), the
reference. ``LinearFramer`` writes the same document directly from the triples, asking
pyLD only the decisions that depend on the context (which term, which container, how a
value of that term is written), once per kind of value, so its cost per resource is a few
dictionary look-ups per triple. It covers descriptions whose blank nodes form a tree
(each referenced once) and are not RDF lists, with contexts of plain terms, prefixes, type
coercion and ``@set`` / ``@language`` containers; anything else goes to pyLD.
``tests/test_site.py`` checks that both give the same bytes for every resource of the
project.
"""

from __future__ import annotations

import json

import pyoxigraph as ox

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = RDF + "type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LIST = {RDF + "first", RDF + "rest"}
_GEN_DELIMS = tuple(":/?#[]@")
#: what a term definition may hold for the linear framer to write it (pyLD's keys)
_PLAIN_TERM = {"@id", "@type", "@container", "@language", "reverse", "_prefix", "_term_has_colon", "protected"}
_SENTINEL = "\x00value\x00"


def _used_iris(items: list[ox.Triple]) -> set[str]:
    iris = {term.value for t in items for term in (t.subject, t.predicate, t.object) if isinstance(term, ox.NamedNode)}
    iris |= {t.object.datatype.value for t in items if isinstance(t.object, ox.Literal)}
    return iris


def dumps(document: dict) -> bytes:
    """``json.dumps(document, ensure_ascii=False, indent=2)`` and a newline, the same bytes
    in a third of the time (the standard encoder is pure Python when it indents)."""
    out: list[str] = []
    _write(document, out, "\n")
    out.append("\n")
    return "".join(out).encode("utf-8")


def write_json(document: dict, handle) -> None:
    """``dumps(document)`` into a binary file, a few thousand members of each top-level
    array at a time (a dump's ``@graph``), so the text is never all in memory."""
    out: list[str] = ["{"]
    separator = "\n  "
    for key, value in document.items():
        out.append(separator + _string(key) + ": ")
        separator = ",\n  "
        if type(value) is list and value:
            inner = "\n    "
            for n, item in enumerate(value):
                out.append(("[" if n == 0 else ",") + inner)
                _write(item, out, inner)
                if len(out) > 50_000:
                    handle.write("".join(out).encode("utf-8"))
                    out.clear()
            out.append("\n  ]")
        else:
            _write(value, out, "\n  ")
    out.append("\n}\n" if len(document) else "}\n")
    handle.write("".join(out).encode("utf-8"))


_string = json.encoder.encode_basestring  # the C function where there is one


def _write(value, out: list[str], newline: str) -> None:
    kind = type(value)
    if kind is str:
        out.append(_string(value))
    elif kind is dict:
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            out.append(separator + _string(key) + ": ")
            separator = "," + inner
            _write(item, out, inner)
        out.append(newline + "}")
    elif kind is list:
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            out.append(separator)
            separator = "," + inner
            _write(item, out, inner)
        out.append(newline + "]")
    else:
        out.append(json.dumps(value))


class Framer:
    """Frames resource descriptions as JSON-LD with the release's context, with pyLD."""

    def __init__(self, context: dict):
        from isthmus.jsonld import Context

        full = Context(context)
        self.ctx = context["@context"]
        # (key, expanded IRI or None for keywords and aliases, whether it is a prefix)
        self.entries: list[tuple[str, str | None, bool]] = []
        for key, value in self.ctx.items():
            target = value if isinstance(value, str) else value.get("@id", key) if isinstance(value, dict) else None
            if key.startswith("@") or (isinstance(target, str) and target.startswith("@")):
                self.entries.append((key, None, False))
            elif isinstance(target, str):
                expanded = full.expand(target)
                is_prefix = (isinstance(value, str) and expanded.endswith(_GEN_DELIMS)) or (
                    isinstance(value, dict) and value.get("@prefix") is True)
                self.entries.append((key, expanded, is_prefix))
        self._always = {key for key, expanded, _is_prefix in self.entries if expanded is None}
        self._term_keys: dict[str, list[str]] = {}
        for key, expanded, _is_prefix in self.entries:
            if expanded is not None:
                self._term_keys.setdefault(expanded, []).append(key)
        self._prefixes = [(key, expanded) for key, expanded, is_prefix in self.entries if is_prefix]
        # the prefixes each term is written with (its @id and @type)
        self._needs: dict[str, set[str]] = {}
        for key, value in self.ctx.items():
            needs = set()
            for part in (value.get("@id"), value.get("@type")) if isinstance(value, dict) else (value,):
                if isinstance(part, str) and ":" in part and not part.startswith("@"):
                    prefix = part.split(":", 1)[0]
                    if prefix in self.ctx:
                        needs.add(prefix)
            self._needs[key] = needs
        self._keys: dict[str, tuple[str, ...]] = {}

    def _keys_for(self, iri: str) -> tuple[str, ...]:
        """The keys of the context an IRI can be written with: its terms, its prefixes."""
        found = self._keys.get(iri)
        if found is None:
            found = tuple(self._term_keys.get(iri, ())) + tuple(
                key for key, ns in self._prefixes if iri.startswith(ns) and iri != ns)
            self._keys[iri] = found
        return found

    def pruned(self, items: list[ox.Triple]) -> dict:
        """The context with only the terms and prefixes ``items`` can use; compacting with
        it gives the same document as with the whole context."""
        keep = set(self._always)
        for iri in _used_iris(items):
            keep.update(self._keys_for(iri))
        for key in list(keep):
            keep |= self._needs[key]
        return {"@context": {key: value for key, value in self.ctx.items() if key in keep}}

    def document(self, items: list[ox.Triple], iri: str) -> bytes:
        """The description as JSON-LD, framed on ``iri`` with pyLD."""
        from pyld import jsonld as pyld

        nquads = ox.serialize(items, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
        expanded = pyld.from_rdf(nquads, {"format": "application/n-quads"})
        ctx = self.pruned(items)
        framed = pyld.frame(expanded, {"@context": ctx["@context"], "@id": iri}, {"embed": "@once"})
        return dumps(framed)


class _Unsupported(Exception):
    """A description the linear framer does not cover; pyLD frames it."""


class LinearFramer(Framer):
    """The same documents as ``Framer``, in time linear in the description's size."""

    def __init__(self, context: dict):
        from pyld.jsonld import JsonLdProcessor

        super().__init__(context)
        self.proc = JsonLdProcessor()
        self.options = {"base": "", "compactArrays": True, "processingMode": "json-ld-1.1", "link": False,
                        "documentLoader": None}
        from pyld.jsonld import ContextResolver, _resolved_context_cache

        self.options["contextResolver"] = ContextResolver(_resolved_context_cache, None)
        initial = self.proc._get_initial_context(self.options)
        self.active = self.proc.process_context(initial, self.ctx, dict(self.options))
        mappings = self.active["mappings"]
        self.supported = not any(d and not set(d) <= _PLAIN_TERM for d in mappings.values())
        self.term_iris = {d["@id"] for d in mappings.values() if d and isinstance(d.get("@id"), str)}
        self.alias = {kw: self.proc._compact_iri(self.active, kw) for kw in ("@id", "@type", "@value", "@language", "@none")}
        type_container = self._container(self.alias["@type"])
        self.type_as_set = "@set" in type_container
        self._iris: dict[tuple[str, bool], str] = {}
        # the terms that can start a compact IRI, by the IRI they stand for
        self._curie_terms: dict[str, list[str]] = {}
        for term, definition in mappings.items():
            if ":" not in term and definition and definition.get("@id"):
                self._curie_terms.setdefault(definition["@id"], []).append(term)
        self._prefix_terms = [term for term, definition in mappings.items() if definition and definition.get("_prefix")]
        self._local_ids = "@base" not in self.active
        self._terms: dict[tuple, tuple[str, list]] = {}
        self._shapes: dict[tuple, object] = {}

    # --- what pyLD decides, once per kind of value ---------------------------------------

    def _container(self, term: str) -> list:
        from pyld.jsonld import JsonLdProcessor

        found = JsonLdProcessor.get_context_value(self.active, term, "@container")
        return [c for c in JsonLdProcessor.arrayify(found) if c is not None]

    def iri(self, iri: str, vocab: bool) -> str:
        """pyLD's compacted form of an IRI (a term, a compact IRI or the IRI itself)."""
        key = (iri, vocab)
        found = self._iris.get(key)
        if found is None:
            if vocab or not self._local_ids:
                found = self.proc._compact_iri(self.active, iri, vocab=vocab, base="")
            else:
                found = self._compact_id(iri)
            self._iris[key] = found
        return found

    def _compact_id(self, iri: str) -> str:
        """pyLD's ``_compact_iri(iri, vocab=False)`` without a base: the shortest (then
        least) usable compact IRI, else the IRI. pyLD tries every term of the context for
        every IRI; here only the IRI's own beginnings are looked up."""
        mappings = self.active["mappings"]
        candidate = None
        for cut in range(1, len(iri)):
            terms = self._curie_terms.get(iri[:cut])
            if not terms:
                continue
            for term in terms:
                curie = term + ":" + iri[cut:]
                usable = (mappings[term]["_prefix"] and curie not in mappings) or (
                    (mappings.get(curie) or {}).get("@id") == iri)
                if usable and (candidate is None or (len(curie), curie) < (len(candidate), candidate)):
                    candidate = curie
        if candidate is not None:
            return candidate
        if any(iri.startswith(term + ":") for term in self._prefix_terms):
            raise _Unsupported("an IRI that reads as a compact IRI")  # pyLD raises its error
        return iri

    def _term(self, predicate: str, signature: tuple, value: dict) -> tuple[str, list]:
        """The term ``predicate`` compacts to for a value of this kind, and its container."""
        key = (predicate, signature)
        found = self._terms.get(key)
        if found is None:
            term = self.proc._compact_iri(self.active, predicate, value, vocab=True)
            definition = self.active["mappings"].get(term)
            container = self._container(term) if definition else []
            if definition and definition.get("reverse"):
                raise _Unsupported(term)
            if any(c not in ("@set", "@language") for c in container):
                raise _Unsupported(term)
            found = self._terms[key] = (term, container)
        return found

    def _literal_shape(self, term: str, signature: tuple, value: dict):
        """How pyLD writes a literal of this kind under ``term``: None for the bare string,
        else (the object's keys and constant values, the key that takes the string)."""
        key = (term, signature)
        if key not in self._shapes:
            sample = dict(value, **{"@value": _SENTINEL})
            written = self.proc._compact_value(self.active, term, sample, self.options)
            if written == _SENTINEL:
                self._shapes[key] = None
            elif isinstance(written, dict) and list(written.values()).count(_SENTINEL) == 1:
                slot = next(k for k, v in written.items() if v == _SENTINEL)
                self._shapes[key] = ([(k, v) for k, v in written.items()], slot)
            else:
                raise _Unsupported(term)
        return self._shapes[key]

    # --- writing -------------------------------------------------------------------------

    def document(self, items: list[ox.Triple], iri: str) -> bytes:
        if self.supported:
            try:
                return dumps(self.frame(items, iri))
            except _Unsupported:
                pass
        return super().document(items, iri)

    def frame(self, items: list[ox.Triple], iri: str) -> dict:
        """The framed document (a dict); raises ``_Unsupported`` where pyLD must do it."""
        by_subject: dict = {}
        referenced: dict = {}
        for t in items:
            by_subject.setdefault(t.subject, []).append(t)
            if isinstance(t.object, ox.BlankNode):
                referenced[t.object] = referenced.get(t.object, 0) + 1
            if t.predicate.value in _LIST:
                raise _Unsupported("an RDF list")
        root = ox.NamedNode(iri)
        if root not in by_subject:
            raise _Unsupported("no description")
        for node, count in referenced.items():
            if count != 1 or node not in by_subject:
                raise _Unsupported("a shared or empty blank node")
        if any(isinstance(s, ox.BlankNode) and s not in referenced for s in by_subject):
            raise _Unsupported("a blank node out of reach")
        document = {"@context": self.pruned(items)["@context"]}
        document.update(self._node(by_subject, root))
        return document

    def _node(self, by_subject: dict, subject) -> dict:
        out: dict = {}
        if isinstance(subject, ox.NamedNode):
            out[self.alias["@id"]] = self.iri(subject.value, False)
        types = []
        properties: dict[str, list] = {}
        for t in by_subject[subject]:
            predicate, value = t.predicate.value, t.object
            if predicate == RDF_TYPE and not isinstance(value, ox.Literal):
                if isinstance(value, ox.BlankNode):
                    raise _Unsupported("a blank node as a type")
                types.append(self.iri(value.value, True))
            else:
                properties.setdefault(predicate, []).append(value)
        if types:
            out[self.alias["@type"]] = types if len(types) > 1 or self.type_as_set else types[0]
        for predicate in sorted(properties):
            for value in properties[predicate]:
                self._add(out, by_subject, predicate, value)
        return out

    def _add(self, out: dict, by_subject: dict, predicate: str, value) -> None:
        if isinstance(value, ox.Literal):
            datatype = value.datatype.value
            if value.language:
                expanded = {"@value": value.value, "@language": value.language}
                signature = ("@language", value.language)
            elif datatype == XSD_STRING:
                expanded = {"@value": value.value}
                signature = ("@value",)
            else:
                expanded = {"@value": value.value, "@type": datatype}
                signature = ("@type", datatype)
            term, container = self._term(predicate, signature, expanded)
            shape = self._literal_shape(term, signature, expanded)
            if shape is None:
                item = value.value
            else:
                pairs, slot = shape
                item = {k: (value.value if k == slot else v) for k, v in pairs}
        elif isinstance(value, ox.NamedNode):
            id_is_term = value.value in self.term_iris and self._names_term(value.value)
            term, container = self._term(predicate, ("@id", id_is_term), {"@id": value.value})
            item = self._reference(term, value.value)
        else:
            term, container = self._term(predicate, ("@node",), {})
            item = self._node(by_subject, value)
        if "@language" in container:
            if isinstance(item, dict) and "@value" in item:
                item = item["@value"]
            key = (value.language if isinstance(value, ox.Literal) and value.language else None) or self.alias["@none"]
            _add_value(out.setdefault(term, {}), key, item, "@set" in container)
        else:
            _add_value(out, term, item, "@set" in container)

    def _names_term(self, iri: str) -> bool:
        term = self.iri(iri, True)
        mapping = self.active["mappings"].get(term)
        return bool(mapping) and mapping["@id"] == iri

    def _reference(self, term: str, iri: str):
        key = (term, "@id")
        coerce = self._shapes.get(key)
        if coerce is None:
            from pyld.jsonld import JsonLdProcessor

            coerce = self._shapes[key] = JsonLdProcessor.get_context_value(self.active, term, "@type") or ""
        if coerce in ("@id", "@vocab"):
            return self.iri(iri, coerce == "@vocab")
        return {self.alias["@id"]: self.iri(iri, False)}


def _add_value(subject: dict, key: str, value, always_array: bool) -> None:
    """pyLD's ``add_value`` (duplicates allowed): a single value, or an array from the second."""
    if key in subject:
        if not isinstance(subject[key], list):
            subject[key] = [subject[key]]
        subject[key].append(value)
    else:
        subject[key] = [value] if always_array else value
