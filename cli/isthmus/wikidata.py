"""What Wikidata says about items, fetched politely and cached on disk.

Items are asked for in batches (one ``VALUES`` query for at most 50 items) through the
project's one SPARQL client. Each item's answer is written to the cache as soon as its
batch arrives, so an interrupted run keeps what it fetched, a rerun does not ask again,
and ``offline`` works from the cache alone.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from isthmus.atomic import write_bytes
from isthmus.errors import EndpointError

WD = "http://www.wikidata.org/entity/"
QID = re.compile(r"^Q[1-9][0-9]*$")
LANGUAGES = ("en", "es")
BATCH = 50

PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""


def qid(iri: str) -> str | None:
    """``Q96`` for ``http://www.wikidata.org/entity/Q96``; ``None`` for anything else."""
    if iri.startswith(WD) and QID.match(iri[len(WD):]):
        return iri[len(WD):]
    return None


@dataclass
class Item:
    """One item as the endpoint describes it (``exists`` false: no triples at all)."""

    qid: str
    exists: bool = False
    labels: dict[str, list[str]] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    types: list[str] = field(default_factory=list)
    supertypes: list[str] = field(default_factory=list)
    redirect: str | None = None
    fetched: float = 0.0

    @classmethod
    def from_json(cls, doc: dict) -> Item:
        return cls(**{k: v for k, v in doc.items() if k in cls.__dataclass_fields__})

    def names(self) -> set[str]:
        return {n for values in (*self.labels.values(), *self.aliases.values()) for n in values}

    def label(self) -> str:
        for lang in LANGUAGES:
            if self.labels.get(lang):
                return self.labels[lang][0]
        return ""


def items_query(qids: Iterable[str]) -> str:
    values = " ".join(f"wd:{q}" for q in qids)
    langs = ", ".join(f'"{lang}"' for lang in LANGUAGES)
    return PREFIXES + f"""SELECT ?item ?key ?value WHERE {{
  VALUES ?item {{ {values} }}
  {{ ?item rdfs:label ?value . FILTER(LANG(?value) IN ({langs})) BIND("label" AS ?key) }}
  UNION {{ ?item skos:altLabel ?value . FILTER(LANG(?value) IN ({langs})) BIND("alias" AS ?key) }}
  UNION {{ ?item schema:description ?value . FILTER(LANG(?value) IN ({langs})) BIND("description" AS ?key) }}
  UNION {{ ?item wdt:P31 ?value . BIND("type" AS ?key) }}
  UNION {{ ?item wdt:P31/wdt:P279 ?value . BIND("supertype" AS ?key) }}
  UNION {{ ?item owl:sameAs ?value . BIND("redirect" AS ?key) }}
}}"""


def items_from_rows(qids: Iterable[str], rows: list[dict]) -> dict[str, Item]:
    items = {q: Item(q, fetched=time.time()) for q in qids}
    for row in rows:
        item = items.get(qid(row.get("item", {}).get("value", "")) or "")
        if item is None or "key" not in row or "value" not in row:
            continue
        item.exists = True
        key, term = row["key"]["value"], row["value"]
        value, lang = term["value"], term.get("xml:lang", "")
        if key == "label":
            item.labels.setdefault(lang, []).append(value)
        elif key == "alias":
            item.aliases.setdefault(lang, []).append(value)
        elif key == "description":
            item.descriptions[lang] = value
        elif key in ("type", "supertype") and qid(value):
            target = item.types if key == "type" else item.supertypes
            if qid(value) not in target:
                target.append(qid(value))
        elif key == "redirect" and qid(value):
            item.redirect = qid(value)
    for item in items.values():
        for values in (*item.labels.values(), *item.aliases.values()):
            values.sort()
        item.types.sort()
        item.supertypes.sort()
    return items


class Cache:
    """One JSON file per item and endpoint, written atomically."""

    def __init__(self, folder: Path, endpoint_url: str):
        digest = hashlib.sha256(endpoint_url.encode("utf-8")).hexdigest()[:16]
        self.folder = Path(folder) / digest
        self.endpoint_url = endpoint_url

    def _path(self, q: str) -> Path:
        return self.folder / f"{q}.json"

    def get(self, q: str) -> Item | None:
        try:
            return Item.from_json(json.loads(self._path(q).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None  # absent or unreadable: ask again

    def put(self, item: Item) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        doc = {"endpoint": self.endpoint_url, **asdict(item)}
        write_bytes(self._path(item.qid), (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8"), option="--cache")


@dataclass
class Fetched:
    """The items found (from the cache or the endpoint), and why the rest are missing."""

    items: dict[str, Item]
    error: str | None = None  # the endpoint failure that stopped the run, if any
    asked: int = 0  # queries sent


def fetch(
    qids: Iterable[str],
    *,
    run_select: Callable[[str], list[dict]] | None,
    cache: Cache | None,
    refresh: bool = False,
    batch: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> Fetched:
    """The items for ``qids``: cached ones first, the rest asked for in batches.

    ``run_select`` runs a SELECT query and returns its rows as SPARQL JSON bindings; ``None``
    means offline. An endpoint failure stops the run: what was fetched so far is kept (in
    the result and the cache) and the failure is returned in ``error``.
    """
    wanted = sorted(set(qids), key=lambda q: int(q[1:]))
    found: dict[str, Item] = {}
    missing: list[str] = []
    for q in wanted:
        item = None if (refresh or cache is None) else cache.get(q)
        if item is None:
            missing.append(q)
        else:
            found[q] = item
    result = Fetched(found)
    if run_select is None:
        return result
    size = max(1, min(batch, BATCH))
    for start in range(0, len(missing), size):
        chunk = missing[start : start + size]
        try:
            rows = run_select(items_query(chunk))
        except EndpointError as err:
            result.error = str(err)
            return result
        result.asked += 1
        for q, item in items_from_rows(chunk, rows).items():
            found[q] = item
            if cache is not None:
                cache.put(item)
        if progress is not None:
            progress(min(start + size, len(missing)), len(missing))
    return result


def labels_query(texts: Iterable[tuple[str, str]]) -> str:
    """Items whose label or alias is exactly one of ``texts`` ((text, language) pairs)."""
    from isthmus.results import ntriples

    values = " ".join(ntriples({"type": "literal", "value": t, "xml:lang": lang}) for t, lang in texts)
    return PREFIXES + f"""SELECT ?text ?item ?type ?description WHERE {{
  VALUES ?text {{ {values} }}
  {{ ?item rdfs:label ?text }} UNION {{ ?item skos:altLabel ?text }}
  FILTER(STRSTARTS(STR(?item), "{WD}Q"))
  OPTIONAL {{ ?item wdt:P31 ?type }}
  OPTIONAL {{ ?item schema:description ?description . FILTER(LANG(?description) = "en") }}
}}"""
