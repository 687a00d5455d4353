"""Give back to Wikidata: QuickStatements (v1) for the sourced facts the graph holds about
linked items.

Which local property becomes which Wikidata property is said in the ontology
(``wikidataProperty`` annotations); a statement is written only when its subject and its
value are both linked (or the value is a date), and only for facts a claim supports; a date
only when its year is printed in a quote of a claim supporting the subject (a date the data
infers, such as the end of a term the article does not give, is kept out: the article does
not state it). Each statement is referenced to the article: "stated in" its item where it
has one, else its DOI as reference URL, with the article's pages.
"""

from __future__ import annotations

import pyoxigraph as ox

from isthmus.vocab import Vocabulary
from isthmus.wikidata import qid

XSD = "http://www.w3.org/2001/XMLSchema#"
# Wikidata's own model, not this project's data: the properties every reference uses
STATED_IN, REFERENCE_URL, PAGES = "S248", "S854", "S304"
_PRECISION = {XSD + "gYear": 9, XSD + "gYearMonth": 10, XSD + "date": 11}


def time_value(literal: ox.Literal) -> str | None:
    """A date at its precision in QuickStatements form (+2010-00-00T00:00:00Z/9)."""
    precision = _PRECISION.get(literal.datatype.value)
    if precision is None:
        return None
    parts = (literal.value.lstrip("+").split("-") + ["00", "00"])[:3]
    year, month, day = parts[0], parts[1] or "00", parts[2] or "00"
    if not year.isdigit():
        return None
    return f"+{int(year):04d}-{month:0>2}-{day[:2]:0>2}T00:00:00Z/{precision}"


def _quote(text: str) -> str:
    return '"' + text.replace('"', "'") + '"'


def _quotes(store: ox.Store, vocab: Vocabulary) -> dict[str, str]:
    """Entity -> the quotes of the claims supporting it, joined."""
    found: dict[str, list[str]] = {}
    for s in store.query(f"SELECT ?x ?q WHERE {{ ?c <{vocab.supports}> ?x ; <{vocab.quote}> ?q }}"):
        found.setdefault(s["x"].value, []).append(s["q"].value)
    return {entity: "\n".join(quotes) for entity, quotes in found.items()}


def printed(literal: ox.Literal, quotes: str) -> bool:
    """Whether a date's year appears in the quotes (as a number of its own)."""
    year = literal.value.lstrip("+").split("-")[0]
    text = f" {quotes} "
    return any(not text[i - 1].isdigit() and not text[i + len(year)].isdigit()
               for i in _positions(text, year))


def _positions(text: str, part: str):
    start = text.find(part)
    while start != -1:
        yield start
        start = text.find(part, start + 1)


def _links(store: ox.Store) -> dict[str, str]:
    found = {}
    for s in store.query(
        "SELECT ?e ?t WHERE { ?e <http://www.w3.org/2002/07/owl#sameAs> ?t FILTER(isIRI(?e)) }"
    ):
        if q := qid(s["t"].value):
            found[s["e"].value] = q
    return found


def reference(store: ox.Store, vocab: Vocabulary, links: dict[str, str]) -> list[str]:
    """The reference columns: the article (an item, else its DOI) and its pages."""
    article = None
    for s in store.query(
        f"SELECT DISTINCT ?a WHERE {{ ?claim <{vocab.statedIn}> ?a }} ORDER BY ?a LIMIT 1"
    ):
        article = s["a"].value
    if article is None:
        return []
    columns: list[str] = []
    if article in links:
        columns += [STATED_IN, links[article]]
    else:
        for s in store.query(f"SELECT ?doi WHERE {{ <{article}> <http://purl.org/ontology/bibo/doi> ?doi }}"):
            columns += [REFERENCE_URL, _quote("https://doi.org/" + s["doi"].value)]
            break
    for s in store.query(f"SELECT ?p WHERE {{ <{article}> <http://purl.org/ontology/bibo/pages> ?p }}"):
        columns += [PAGES, _quote(s["p"].value)]
        break
    return columns


def _mapped_properties(store: ox.Store, vocab: Vocabulary) -> dict[str, str]:
    """Local property -> Wikidata property id; a sub-property without its own mapping takes
    its nearest super-property's (an organizer is a participant)."""
    direct = {
        s["p"].value: s["w"].value.rsplit("/", 1)[-1]
        for s in store.query(f"SELECT ?p ?w WHERE {{ ?p <{vocab.wikidataProperty}> ?w }}")
    }
    parents: dict[str, list[str]] = {}
    for s in store.query("SELECT ?p ?q WHERE { ?p <http://www.w3.org/2000/01/rdf-schema#subPropertyOf> ?q }"):
        parents.setdefault(s["p"].value, []).append(s["q"].value)
    mapped = dict(direct)
    for prop in parents:
        frontier, seen = [prop], set()
        while frontier and prop not in mapped:
            nxt = []
            for p in sorted(frontier):
                if p in direct:
                    mapped[prop] = direct[p]
                    break
                seen.add(p)
                nxt += [q for q in parents.get(p, []) if q not in seen]
            frontier = nxt
    return mapped


def statements(store: ox.Store, vocab: Vocabulary) -> list[str]:
    """QuickStatements v1 lines, sorted, for every sourced fact about a linked item."""
    links = _links(store)
    source = reference(store, vocab, links)
    mapped = _mapped_properties(store, vocab)
    supported = {
        s["x"].value for s in store.query(f"SELECT DISTINCT ?x WHERE {{ ?c <{vocab.supports}> ?x }}")
    }
    quotes = _quotes(store, vocab)
    lines: set[str] = set()
    for subject, item in links.items():
        if subject not in supported:
            continue
        for triple in store.quads_for_pattern(ox.NamedNode(subject), None, None):
            prop = mapped.get(triple.predicate.value)
            if prop is None:
                continue
            value = None
            if isinstance(triple.object, ox.NamedNode):
                value = links.get(triple.object.value)
            elif isinstance(triple.object, ox.Literal) and printed(triple.object, quotes.get(subject, "")):
                value = time_value(triple.object)
            if value:
                lines.add("\t".join([item, prop, value, *source]))
    lines |= _offices(store, vocab, links, mapped, supported, source, quotes)
    return sorted(lines)


def _offices(store, vocab, links, mapped, supported, source, quotes) -> set[str]:
    """Positions held: holder -> office, with the term's start and end as qualifiers (those
    printed in a quote supporting the term or its holder)."""
    held = mapped.get(vocab.office)
    if not held:
        return set()
    out = set()
    query = f"""SELECT ?term ?holder ?office ?start ?end WHERE {{
        ?term <{vocab.holder}> ?holder ; <{vocab.office}> ?office .
        OPTIONAL {{ ?term <{vocab.startDate}> ?start }} OPTIONAL {{ ?term <{vocab.endDate}> ?end }} }}"""
    for s in store.query(query):
        holder, office = links.get(s["holder"].value), links.get(s["office"].value)
        if not (holder and office) or not ({s["term"].value, s["holder"].value} & supported):
            continue
        columns = [holder, held, office]
        said = quotes.get(s["term"].value, "") + "\n" + quotes.get(s["holder"].value, "")
        for key, name in (("start", vocab.startDate), ("end", vocab.endDate)):
            if s[key] is not None and mapped.get(name) and printed(s[key], said) and (t := time_value(s[key])):
                columns += [mapped[name], t]
        out.add("\t".join(columns + source))
    return out
