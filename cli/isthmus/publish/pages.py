"""One page per resource: its description as Turtle and framed JSON-LD, and the view the
HTML template renders (labels, types, properties, incoming links, provenance, Wikidata)."""

from __future__ import annotations

import json
from collections import defaultdict

import pyoxigraph as ox

from isthmus.turtle import serialize as serialize_turtle
from isthmus.publish.sitegraph import (
    CITO,
    MATCH_PREDICATES,
    PRECISION,
    RDF,
    RDF_TYPE,
    RDFS_LABEL,
    WIKIDATA_ENTITY,
    XSD,
    SiteGraph,
    natural,
    sort_key,
)

_PLAIN = {XSD + "string", RDF + "langString"}


# --- documents -------------------------------------------------------------------------


def description(sg: SiteGraph, iri: str) -> list[ox.Triple]:
    """Every triple with ``iri`` as subject, and those of the blank nodes reachable from it."""
    found: list[ox.Triple] = []
    seen: set = set()
    todo = [ox.NamedNode(iri)]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for t in sg.out.get(node, ()):
            found.append(t)
            if isinstance(t.object, ox.BlankNode):
                todo.append(t.object)
    return sorted(set(found), key=sort_key)


def turtle(items: list[ox.Triple], prefixes: dict[str, str]) -> bytes:
    """Readable Turtle (``isthmus.turtle``) with only the prefixes it uses, sorted."""
    return serialize_turtle(items, prefixes)


# --- views -----------------------------------------------------------------------------


def iri_view(sg: SiteGraph, iri: str, here: str) -> dict:
    href = sg.href(iri, here)
    return {"kind": "iri", "iri": iri, "href": href, "text": sg.label(iri), "curie": sg.curie(iri),
            "internal": href != iri}


def value_view(sg: SiteGraph, term, here: str, depth: int = 0) -> dict:
    if isinstance(term, ox.NamedNode):
        return iri_view(sg, term.value, here)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        return {
            "kind": "literal",
            "text": term.value,
            "lang": term.language or "",
            "datatype": "" if datatype in _PLAIN else sg.curie(datatype),
            "precision": PRECISION.get(datatype, ""),
        }
    items = _list_items(sg, term)
    if items is not None:
        return {"kind": "list", "items": [value_view(sg, i, here, depth + 1) for i in items]}
    if depth > 8:
        return {"kind": "literal", "text": "…", "lang": "", "datatype": "", "precision": ""}
    return {"kind": "node", "properties": properties(sg, term, here, skip=(), depth=depth + 1)}


def _list_items(sg: SiteGraph, node) -> list | None:
    items, seen = [], set()
    nil = ox.NamedNode(RDF + "nil")
    while node != nil:
        if not isinstance(node, ox.BlankNode) or node in seen:
            return None
        seen.add(node)
        firsts = sg.objects(node, RDF + "first")
        rests = sg.objects(node, RDF + "rest")
        if len(firsts) != 1 or len(rests) != 1:
            return None
        items.append(firsts[0])
        node = rests[0]
    return items


def predicate_view(sg: SiteGraph, iri: str, here: str) -> dict:
    view = iri_view(sg, iri, here)
    view["kind"] = "predicate"
    return view


def properties(sg: SiteGraph, subject, here: str, *, skip=(RDF_TYPE, RDFS_LABEL), depth: int = 0) -> list[dict]:
    grouped: dict[str, list] = defaultdict(list)
    for t in sg.out.get(subject, ()):
        if t.predicate.value not in skip:
            grouped[t.predicate.value].append(t.object)
    rows = []
    for predicate, values in grouped.items():
        views = _sorted_values([value_view(sg, v, here, depth) for v in values])
        rows.append({"predicate": predicate_view(sg, predicate, here), "values": views})
    rows.sort(key=lambda r: (r["predicate"]["text"].lower(), r["predicate"]["iri"]))
    return rows


def _sorted_values(views: list[dict]) -> list[dict]:
    """Values by text (numbers by value), IRI and language; ties broken by the whole view."""
    keyed = [((natural(v.get("text", "")), v.get("iri", ""), v.get("lang", "")), v) for v in views]
    keyed.sort(key=lambda kv: kv[0])
    if any(keyed[n][0] == keyed[n + 1][0] for n in range(len(keyed) - 1)):
        keyed.sort(key=lambda kv: (kv[0], json.dumps(kv[1], sort_keys=True)))
    return [v for _key, v in keyed]


def _owner(sg: SiteGraph, node, limit: int = 50):
    """The named resource a blank node hangs from, and the property it hangs by."""
    predicate = None
    for _ in range(limit):
        parents = sorted(sg.into.get(node, ()), key=sort_key)
        if not parents:
            return None, None
        predicate = parents[0].predicate.value
        node = parents[0].subject
        if isinstance(node, ox.NamedNode):
            return node, predicate
    return None, None


def incoming(sg: SiteGraph, iri: str, here: str) -> list[dict]:
    supports = sg.vocab.supports
    grouped: dict[str, dict[str, dict]] = defaultdict(dict)
    for t in sg.into.get(ox.NamedNode(iri), ()):
        subject, predicate = t.subject, t.predicate.value
        if predicate == supports:
            continue
        if isinstance(subject, ox.BlankNode):
            subject, predicate = _owner(sg, subject)
            if subject is None:
                continue
        if subject.value == iri:
            continue
        grouped[predicate][subject.value] = iri_view(sg, subject.value, here)
    rows = []
    for predicate, subjects in grouped.items():
        views = sorted(subjects.values(), key=lambda v: (natural(v["text"]), v["iri"]))
        rows.append({"predicate": predicate_view(sg, predicate, here), "subjects": views})
    rows.sort(key=lambda r: (r["predicate"]["text"].lower(), r["predicate"]["iri"]))
    return rows


def provenance(sg: SiteGraph, iri: str, here: str) -> list[dict]:
    """The claims that support ``iri``: their quote, and the reference and pages they cite."""
    vocab = sg.vocab
    claims = sorted({t.subject for t in sg.into.get(ox.NamedNode(iri), ()) if t.predicate.value == vocab.supports
                     and isinstance(t.subject, ox.NamedNode)}, key=lambda n: (natural(sg.label(n.value)), n.value))
    out = []
    for claim in claims:
        quote = sg.first(claim, vocab.quote)
        cited = [o for o in sg.objects(claim, CITO + "hasCitedEntity") if isinstance(o, ox.NamedNode)]
        stated = [o for o in sg.objects(claim, vocab.statedIn) if isinstance(o, ox.NamedNode)]
        out.append({
            "claim": iri_view(sg, claim.value, here),
            "quote": value_view(sg, quote, here) if quote is not None else None,
            "cited": [iri_view(sg, c.value, here) for c in sorted(cited, key=lambda n: n.value)],
            "pages": sg.text(claim, vocab.citedPages) or "",
            "stated_in": [iri_view(sg, s.value, here) for s in sorted(stated, key=lambda n: n.value)],
        })
    return out


def wikidata(sg: SiteGraph, iri: str) -> list[dict]:
    node = ox.NamedNode(iri)
    links = []
    for predicate in MATCH_PREDICATES:
        for value in sg.objects(node, predicate):
            if isinstance(value, ox.NamedNode) and value.value.startswith(WIKIDATA_ENTITY):
                qid = value.value[len(WIKIDATA_ENTITY):]
                links.append({"qid": qid, "href": "https://www.wikidata.org/wiki/" + qid, "iri": value.value,
                              "relation": sg.curie(predicate)})
    return sorted(links, key=lambda x: (x["relation"], x["qid"]))


def page_view(sg: SiteGraph, iri: str) -> dict:
    path = sg.pages[iri]
    here = path + ".html"
    node = ox.NamedNode(iri)
    name = path.rsplit("/", 1)[-1]
    return {
        "iri": iri,
        "title": sg.label(iri),
        "labels": [{"text": v.value, "lang": v.language or ""} for v in sg.labels(node)],
        "types": [iri_view(sg, t, here) for t in sg.types(node)],
        "properties": properties(sg, node, here),
        "incoming": incoming(sg, iri, here),
        "provenance": provenance(sg, iri, here),
        "wikidata": wikidata(sg, iri),
        "link_status": sg.text(node, sg.vocab.linkStatus) or "",
        "turtle": name + ".ttl",
        "jsonld": name + ".jsonld",
    }
