"""Links to Wikidata: check the ones the graph has, suggest new ones, accept chosen ones.

The graph says which classes match which Wikidata types (``wikidataClass`` annotations on
the ontology's classes) and how firmly each link is known (``linkStatus``); this module
compares that with what the endpoint says about each item.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from isthmus.errors import IsthmusError
from isthmus.vocab import Vocabulary
from isthmus.wikidata import WD, Item, qid

OWL_SAMEAS = "http://www.w3.org/2002/07/owl#sameAs"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
MATCHES = {OWL_SAMEAS: "sameAs", SKOS + "closeMatch": "closeMatch", SKOS + "exactMatch": "exactMatch"}

PROBLEMS = ("label mismatch", "type mismatch", "redirected", "missing")


@dataclass
class Entity:
    """A resource of the graph, with what the checks need to know about it."""

    iri: str
    label: str = ""
    names: set[str] = field(default_factory=set)
    texts: set[tuple[str, str]] = field(default_factory=set)  # (text, language) for suggestions
    expected: set[str] = field(default_factory=set)  # Wikidata types its classes match
    scholarly: bool = False
    links: dict[str, str] = field(default_factory=dict)  # QID -> match kind
    status: str = ""  # declared linkStatus


def normalize(text: str) -> str:
    """Case, accents, punctuation and spacing folded, for comparing names."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def entities(store: ox.Store, vocab: Vocabulary) -> dict[str, Entity]:
    """Every typed resource whose class (or a superclass) names Wikidata types, or that
    already links to Wikidata."""
    found: dict[str, Entity] = {}

    def get(iri: str) -> Entity:
        return found.setdefault(iri, Entity(iri))

    for s in store.query(
        f"""SELECT DISTINCT ?entity ?type WHERE {{
              ?entity a ?class . ?class <http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?super .
              ?super <{vocab.wikidataClass}> ?type . FILTER(isIRI(?entity)) }}"""
    ):
        if q := qid(s["type"].value):
            get(s["entity"].value).expected.add(q)
    for s in store.query(
        f"""SELECT ?entity ?match ?target WHERE {{
              VALUES ?match {{ {' '.join(f'<{m}>' for m in MATCHES)} }}
              ?entity ?match ?target . FILTER(isIRI(?entity) && STRSTARTS(STR(?target), "{WD}")) }}"""
    ):
        if q := qid(s["target"].value):
            get(s["entity"].value).links[q] = MATCHES[s["match"].value]
    for s in store.query(
        f"""SELECT ?entity WHERE {{ ?entity a ?class .
              ?class <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{vocab.Source}> }}"""
    ):
        if s["entity"].value in found:
            found[s["entity"].value].scholarly = True
    for s in store.query(f"SELECT ?entity ?status WHERE {{ ?entity <{vocab.linkStatus}> ?status }}"):
        if s["entity"].value in found:
            found[s["entity"].value].status = s["status"].value
    for s in store.query(
        f"""SELECT ?entity ?p ?text WHERE {{
              VALUES ?p {{ <{RDFS_LABEL}> <{SKOS}prefLabel> <{SKOS}altLabel> }}
              ?entity ?p ?text . FILTER(isLiteral(?text)) }}"""
    ):
        entity = found.get(s["entity"].value)
        if entity is None:
            continue
        text, lang = s["text"].value, (s["text"].language or "")
        entity.names.add(normalize(text))
        entity.texts.add((text, lang.split("-")[0] or "en"))
        if lang.startswith("en") and s["p"].value != SKOS + "altLabel" and not entity.label:
            entity.label = text
    for entity in found.values():
        entity.label = entity.label or entity.iri
    return found


@dataclass(frozen=True)
class Finding:
    entity: str
    label: str
    qid: str
    match: str
    declared: str
    status: str
    detail: str = ""

    @property
    def problem(self) -> bool:
        return self.status in PROBLEMS


def check_one(entity: Entity, q: str, item: Item | None) -> Finding:
    make = lambda status, detail="": Finding(entity.iri, entity.label, q, entity.links[q], entity.status, status, detail)  # noqa: E731
    if item is None:
        return make("not checked", "no answer for this item (offline and not cached, or the endpoint failed)")
    if not item.exists:
        return make("missing", "the item has no labels, types or statements: deleted or never created")
    if item.redirect:
        return make("redirected", f"now a redirect to {item.redirect}: link to {item.redirect} instead")
    notes = []
    if entity.links[q] in ("sameAs", "exactMatch"):
        theirs = {normalize(n) for n in item.names()}
        if theirs and not (entity.names & theirs):
            return make("label mismatch", f"here {entity.label!r}; Wikidata {item.label()!r}")
    if entity.expected:
        types = set(item.types) | set(item.supertypes)
        if not types & entity.expected:
            shown = ", ".join(item.types) or "none"
            wanted = ", ".join(sorted(entity.expected, key=lambda x: int(x[1:])))
            return make("type mismatch", f"instance of {shown}; expected one of {wanted}")
    else:
        notes.append("no expected type for its class")
    return make("ok", "; ".join(notes))


def check(found: dict[str, Entity], items: dict[str, Item]) -> list[Finding]:
    """One finding per link, unconfirmed links first."""
    findings = [
        check_one(entity, q, items.get(q))
        for entity in found.values()
        for q in entity.links
    ]
    order = {"unconfirmed": 0, "": 1, "confirmed": 2}
    findings.sort(key=lambda f: (order.get(f.declared, 1), not f.problem, f.label.casefold(), f.qid))
    return findings


# --- suggestions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    entity: str
    label: str
    qid: str
    matched: str
    description: str
    types: tuple[str, ...]
    score: float


def suggest(found: dict[str, Entity], rows: list[dict]) -> list[Candidate]:
    """Rank the label matches of unlinked entities: type compatibility first, then how many
    of the entity's names (English and Spanish) the item carries."""
    by_text: dict[tuple[str, str], list[Entity]] = {}
    for entity in found.values():
        if entity.links:
            continue
        for text, lang in entity.texts:
            by_text.setdefault((text, lang), []).append(entity)
    hits: dict[tuple[str, str], dict] = {}
    for row in rows:
        q = qid(row.get("item", {}).get("value", ""))
        term = row.get("text", {})
        if not q or "value" not in term:
            continue
        for entity in by_text.get((term["value"], term.get("xml:lang", "")), []):
            hit = hits.setdefault((entity.iri, q), {"matched": set(), "types": set(), "description": ""})
            hit["matched"].add(f"{term['value']}@{term.get('xml:lang', '')}")
            if qid(row.get("type", {}).get("value", "")):
                hit["types"].add(qid(row["type"]["value"]))
            hit["description"] = hit["description"] or row.get("description", {}).get("value", "")
    out = []
    for (iri, q), hit in hits.items():
        entity = found[iri]
        compatible = bool(entity.expected & hit["types"]) if entity.expected else False
        score = (2.0 if compatible else 0.0) + len(hit["matched"])
        out.append(
            Candidate(iri, entity.label, q, ", ".join(sorted(hit["matched"])), hit["description"],
                      tuple(sorted(hit["types"], key=lambda x: int(x[1:]))), score)
        )
    out.sort(key=lambda c: (c.label.casefold(), -c.score, int(c.qid[1:])))
    return out


REVIEW_HEADER = ("accept", "entity", "label", "candidate", "matched", "description", "types", "score")


def review_table(candidates: list[Candidate]) -> str:
    """A tab-separated review table: put 'y' in the accept column of the right rows."""
    clean = lambda v: " ".join(str(v).split())  # noqa: E731
    lines = ["\t".join(REVIEW_HEADER)]
    for c in candidates:
        lines.append("\t".join(clean(v) for v in ("", c.entity, c.label, c.qid, c.matched, c.description, " ".join(c.types), f"{c.score:g}")))
    return "\n".join(lines) + "\n"


def read_review(path: Path, shown: str) -> list[tuple[str, str]]:
    """(entity IRI, QID) for every row marked accepted; raises naming the file and line."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise IsthmusError(f"--accept {shown}: cannot read: {err.strerror or err}") from None
    try:
        lines = data.decode("utf-8").removeprefix("\ufeff").splitlines()
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise IsthmusError(f"--accept {shown}:{line}:{col}: byte 0x{data[err.start]:02x} is not UTF-8; "
                           "save the table as UTF-8") from None
    if not lines or lines[0].split("\t")[:4] != list(REVIEW_HEADER[:4]):
        raise IsthmusError(f"--accept {shown}:1: not a review table (expected the header '{chr(9).join(REVIEW_HEADER[:4])}…')")
    chosen: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if not line.strip() or cells[0].strip().lower() not in ("y", "yes", "x", "1", "true"):
            continue
        if len(cells) < 4:
            raise IsthmusError(f"--accept {shown}:{number}: the row has too few columns")
        entity, q = cells[1].strip(), cells[3].strip()
        if not qid(WD + q):
            raise IsthmusError(f"--accept {shown}:{number}: {q!r} is not a Wikidata item id (Q…)")
        try:
            ox.NamedNode(entity)
        except ValueError:
            raise IsthmusError(f"--accept {shown}:{number}: {entity!r} is not an IRI") from None
        if entity in chosen and chosen[entity] != q:
            raise IsthmusError(f"--accept {shown}:{number}: {entity} is accepted twice ({chosen[entity]} and {q})")
        chosen[entity] = q
    return sorted(chosen.items())


def links_turtle(existing: list[ox.Triple], accepted: list[tuple[str, str]], vocab: Vocabulary,
                 prefixes: dict[str, str]) -> bytes:
    """The links file's triples plus the accepted links, as sorted Turtle."""
    triples = set(existing)
    for entity, q in accepted:
        triples.add(ox.Triple(ox.NamedNode(entity), ox.NamedNode(OWL_SAMEAS), ox.NamedNode(WD + q)))
        triples.add(ox.Triple(ox.NamedNode(entity), vocab.node("linkStatus"), ox.Literal("unconfirmed")))
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    used = {name: ns for name, ns in prefixes.items() if any(str(t).find(ns) >= 0 for t in ordered)}
    used.setdefault("owl", "http://www.w3.org/2002/07/owl#")
    used.setdefault("wd", WD)
    return ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=used)


def progress_printer(echo: Callable[[str], None] | None):
    if echo is None:
        return None
    return lambda done, total: echo(f"fetched {done}/{total} items")


# --- running against endpoints --------------------------------------------------------------

VCARD = "http://www.w3.org/2006/vcard/ns#"
DCAT_CONTACT = "http://www.w3.org/ns/dcat#contactPoint"


def contact(store: ox.Store) -> str | None:
    """How the dataset says to reach its publisher (for the User-Agent): a URL or e-mail."""
    query = f"""SELECT ?value WHERE {{ ?dataset <{DCAT_CONTACT}> ?c .
                  {{ ?c <{VCARD}hasEmail> ?value }} UNION {{ ?c <{VCARD}hasURL> ?value }} }}
                ORDER BY ?value LIMIT 1"""
    for s in store.query(query):
        return s["value"].value.removeprefix("mailto:")
    return None


@dataclass
class Run:
    """The outcome of asking the endpoints: the items got, and a failure if one stopped it."""

    items: dict[str, Item]
    error: str | None = None
    unchecked: int = 0


def gather(
    found: dict[str, Entity],
    *,
    clients: dict[bool, Callable[[str], list[dict]] | None],
    caches: dict[bool, object],
    refresh: bool,
    batch: int,
    progress=None,
) -> Run:
    """Fetch the linked items, the scholarly ones from the scholarly endpoint."""
    from isthmus.wikidata import fetch

    run = Run({})
    for scholarly in (False, True):
        wanted = {q for e in found.values() if e.scholarly == scholarly for q in e.links}
        if not wanted:
            continue
        got = fetch(wanted, run_select=clients[scholarly], cache=caches[scholarly], refresh=refresh,
                    batch=batch, progress=progress)
        run.items.update(got.items)
        if got.error and run.error is None:
            run.error = got.error
    run.unchecked = sum(1 for e in found.values() for q in e.links if q not in run.items)
    return run
