"""RDF collections (``rdf:first`` / ``rdf:rest`` chains) as the serializers write them."""

from __future__ import annotations

import pyoxigraph as ox

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NIL = ox.NamedNode(RDF + "nil")


def list_items(head, by_subject: dict, referenced: dict) -> list | None:
    """The members of the well-formed list starting at ``head``, or None.

    Well-formed: every cell a blank node with exactly one ``rdf:first``, one ``rdf:rest``
    and nothing else, no cycle, and no cell but the head referenced from elsewhere (so the
    list can be written inline as ``( … )`` or ``{"@list": …}`` without losing a triple).
    ``by_subject`` maps a node to its triples, ``referenced`` counts the triples naming a
    node as object.
    """
    items, node, seen = [], head, set()
    while node != NIL:
        if not isinstance(node, ox.BlankNode) or node in seen:
            return None
        seen.add(node)
        props = by_subject.get(node, [])
        if node != head and referenced.get(node) != 1:
            return None
        firsts = [t.object for t in props if t.predicate.value == RDF + "first"]
        rests = [t.object for t in props if t.predicate.value == RDF + "rest"]
        if len(props) != 2 or len(firsts) != 1 or len(rests) != 1:
            return None
        items.append(firsts[0])
        node = rests[0]
    return items
