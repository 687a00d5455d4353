"""The site's view of a release: the triples indexed once (by subject and by object), labels,
class and property hierarchies, and relative links between the pages.

Everything the site shows is read from the release (its data, ontology, prefixes and
vocabulary); nothing here knows the entities of a particular project.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from functools import cached_property, lru_cache
from urllib.parse import quote

import pyoxigraph as ox

from isthmus.publish.model import Release

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "http://schema.org/"
CITO = "http://purl.org/spar/cito/"
BIBO = "http://purl.org/ontology/bibo/"
RDF_TYPE = RDF + "type"
RDFS_LABEL = RDFS + "label"
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"

#: predicates that name a thing, best first (the first with an English value wins)
LABEL_PREDICATES = (RDFS_LABEL, SKOS + "prefLabel", DCTERMS + "title", SCHEMA + "name")
#: predicates whose IRI values identify the same (or a close) thing elsewhere
MATCH_PREDICATES = (OWL + "sameAs", SKOS + "exactMatch", SKOS + "closeMatch")
PRECISION = {XSD + "gYear": "year", XSD + "gYearMonth": "month", XSD + "date": "day", XSD + "dateTime": "day"}

_LOCAL = re.compile(r"[\w.-]*")
_DATE = re.compile(r"^(-?\d{4,})(?:-(\d\d)(?:-(\d\d))?)?")


def sort_key(t: ox.Triple) -> tuple[str, str, str]:
    return (str(t.subject), str(t.predicate), str(t.object))


@lru_cache(maxsize=1 << 16)
def natural(text: str) -> tuple:
    """A sort key that orders numbers by value: '[2, …]' before '[10, …]'."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text.lower()) if part)


def parse_date(literal: ox.Literal) -> tuple[int, int | None, int | None, str] | None:
    """(year, month, day, precision) of a date literal at the precision its datatype gives."""
    precision = PRECISION.get(literal.datatype.value)
    m = _DATE.match(literal.value)
    if precision is None or m is None:
        return None
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) and precision != "year" else None
    day = int(m.group(3)) if m.group(3) and precision == "day" else None
    if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
        return None
    return year, month, day, precision


class SiteGraph:
    """Indexes over the release's data and ontology, built once."""

    def __init__(self, release: Release):
        self.release = release
        self.vocab = release.vocab
        self.namespace = release.vocab.namespace
        self.out: dict = defaultdict(list)  # subject -> triples (data and ontology)
        self.into: dict = defaultdict(list)  # object -> triples (data and ontology)
        self.data_out: dict = defaultdict(list)  # subject -> triples of the data
        # subject -> (predicate, literal) of the label predicates: a label needs no more
        self._label_values: dict = defaultdict(list)
        labelling = set(LABEL_PREDICATES)
        for items, in_data in ((release.data, True), (release.ontology, False)):
            for t in items:
                subject, value = t.subject, t.object
                if in_data:
                    self.data_out[subject].append(t)
                self.out[subject].append(t)
                if not isinstance(value, ox.Literal):
                    self.into[value].append(t)
                elif (predicate := t.predicate.value) in labelling:
                    self._label_values[subject].append((predicate, value))
        self.ontology_path = release.page_path(release.ontology_iri) or "ontology"
        # every named resource described below the landing page gets a page
        self.pages: dict[str, str] = {}
        for subject in self.out:
            if not isinstance(subject, ox.NamedNode):
                continue
            iri = subject.value
            path = release.page_path(iri)
            if path is None or iri == release.ontology_iri or iri.startswith(self.namespace):
                continue
            self.pages[iri] = path
        self._labels: dict[str, str] = {}
        self._curies: dict[str, str] = {}
        self._memo: dict[str, object] = {}
        self._po: dict = {}  # subject -> predicate IRI -> objects, made on first use
        self._prefixes = sorted((name, ns) for name, ns in release.prefixes.items() if name)

    def memo(self, key: str, compute):
        """``compute()``, computed once per site graph (for views that several pages share)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    # --- reading -----------------------------------------------------------------------

    def objects(self, subject, predicate: str) -> list:
        node = subject if not isinstance(subject, str) else ox.NamedNode(subject)
        by_predicate = self._po.get(node)
        if by_predicate is None:
            by_predicate = {}
            for t in self.out.get(node, ()):
                by_predicate.setdefault(t.predicate.value, []).append(t.object)
            self._po[node] = by_predicate
        return list(by_predicate.get(predicate, ()))

    def first(self, subject, predicate: str, *, language: str | None = "en"):
        """The value of ``predicate`` (an English one first, then one without language)."""
        values = self.objects(subject, predicate)
        if not values:
            return None
        ranked = sorted(values, key=lambda v: (_language_rank(v, language), str(v)))
        return ranked[0]

    def text(self, subject, predicate: str) -> str | None:
        value = self.first(subject, predicate)
        return value.value if value is not None else None

    def types(self, subject) -> list[str]:
        return sorted(o.value for o in self.objects(subject, RDF_TYPE) if isinstance(o, ox.NamedNode))

    def label(self, iri: str) -> str:
        """A human name for ``iri``: its English label, else any label, else a short form."""
        if iri in self._labels:
            return self._labels[iri]
        values = self._label_values.get(ox.NamedNode(iri), ())
        found = None
        for predicate in LABEL_PREDICATES:  # as ``first``: English, then no language, then any
            ranked = sorted((_language_rank(v, "en"), str(v), v.value) for p, v in values if p == predicate)
            if ranked:
                found = ranked[0][2]
                break
        if found is None:
            found = self.curie(iri)
        self._labels[iri] = found
        return found

    def labels(self, subject, predicate: str = RDFS_LABEL) -> list[ox.Literal]:
        values = [v for v in self.objects(subject, predicate) if isinstance(v, ox.Literal)]
        return sorted(values, key=lambda v: (_language_rank(v, "en"), v.language or "", v.value))

    def curie(self, iri: str) -> str:
        """``prefix:local`` with the longest declared namespace, else the IRI."""
        found = self._curies.get(iri)
        if found is None:
            best, chosen = "", ""
            for name, ns in self._prefixes:
                if iri.startswith(ns) and len(ns) > len(best):
                    best, chosen = ns, name
            found = iri
            if best and _LOCAL.fullmatch(iri[len(best):]):
                found = f"{chosen}:{iri[len(best):]}"
            self._curies[iri] = found
        return found

    # --- hierarchies --------------------------------------------------------------------

    def _closure(self, predicate: str) -> dict[str, set[str]]:
        direct: dict[str, set[str]] = defaultdict(set)
        for t in self.release.ontology:
            if t.predicate.value == predicate and isinstance(t.object, ox.NamedNode) and isinstance(t.subject, ox.NamedNode):
                direct[t.subject.value].add(t.object.value)
        closed: dict[str, set[str]] = {}

        def up(term: str, seen: frozenset) -> set[str]:
            if term in closed:
                return closed[term]
            result = {term}
            for parent in direct.get(term, ()):
                if parent not in seen:
                    result |= up(parent, seen | {parent})
            closed[term] = result
            return result

        for term in list(direct):
            up(term, frozenset({term}))
        return closed

    @cached_property
    def superclasses(self) -> dict[str, set[str]]:
        """Class -> itself and every class above it (rdfs:subClassOf, transitively)."""
        return self._closure(RDFS + "subClassOf")

    @cached_property
    def superproperties(self) -> dict[str, set[str]]:
        return self._closure(RDFS + "subPropertyOf")

    def subproperties_of(self, prop: str) -> set[str]:
        found = {p for p, ups in self.superproperties.items() if prop in ups}
        return found | {prop}

    def is_a(self, subject, cls: str) -> bool:
        return any(cls in self.superclasses.get(t, {t}) for t in self.types(subject))

    # --- links ---------------------------------------------------------------------------

    def page_file(self, iri: str) -> str | None:
        """The site file that documents ``iri``, with an anchor for ontology terms."""
        if iri in self.pages:
            return self.pages[iri] + ".html"
        if iri == self.release.ontology_iri:
            return self.ontology_path + ".html"
        if iri.startswith(self.namespace) and len(iri) > len(self.namespace) and self.is_term(iri):
            return f"{self.ontology_path}.html#{iri[len(self.namespace):]}"
        if iri == self.release.landing:
            return "index.html"
        return None

    @cached_property
    def terms(self) -> set[str]:
        return {
            t.subject.value for t in self.release.ontology
            if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(self.namespace)
            and len(t.subject.value) > len(self.namespace)
        }

    def is_term(self, iri: str) -> bool:
        return iri in self.terms

    def href(self, iri: str, here: str) -> str:
        """A link from the page ``here`` to ``iri``: relative when the site has its page."""
        target = self.page_file(iri)
        return relative(target, here) if target is not None else iri


_SAFE = "/!$&'()*+,;=:@-._~"


def relative(target: str, here: str) -> str:
    """``target`` (a site path, maybe with '#anchor') relative to the page ``here``."""
    path, hash_, anchor = target.partition("#")
    rel = _relpath(path, posixpath.dirname(here))
    return rel + (hash_ + anchor if hash_ else "")


@lru_cache(maxsize=1 << 17)
def _relpath(path: str, base: str) -> str:
    """``quote(posixpath.relpath(path, base or "."))`` without touching the file system:
    site paths are clean (no empty, '.' or '..' segments), so a common prefix of segments
    is all there is to it; anything else goes the long way."""
    parts, start = path.split("/"), base.split("/") if base else []
    if "" in parts or "." in parts or ".." in parts or "" in start or "." in start or ".." in start:
        return quote(posixpath.relpath(path, base or "."), safe=_SAFE)
    common = 0
    for a, b in zip(parts, start):
        if a != b:
            break
        common += 1
    if common == len(parts):  # the path is the base folder or above it
        return quote(posixpath.relpath(path, base or "."), safe=_SAFE)
    return "../" * (len(start) - common) + _quote("/".join(parts[common:]))


@lru_cache(maxsize=1 << 16)
def _quote(path: str) -> str:
    return quote(path, safe=_SAFE)


def _language_rank(value, language: str | None) -> int:
    if not isinstance(value, ox.Literal):
        return 3
    if language and value.language == language:
        return 0
    if not value.language:
        return 1
    return 2
