"""The landing page: what the dataset is, its statistics, downloads, how to cite it, its
licence, example queries with their results, and its schema.org description."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
from markupsafe import Markup

from isthmus.errors import QueryError
from isthmus.publish import pages
from isthmus.publish.sitegraph import (
    BIBO,
    DCTERMS,
    MATCH_PREDICATES,
    OWL,
    RDF_TYPE,
    RDFS,
    SCHEMA,
    WIKIDATA_ENTITY,
    SiteGraph,
    relative,
)

HERE = "index.html"
DCAT = "http://www.w3.org/ns/dcat#"
#: names of common licences, by IRI (standard identifiers, not project data)
LICENCES = {
    "https://creativecommons.org/licenses/by/4.0/": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "https://creativecommons.org/licenses/by-sa/4.0/": "Creative Commons Attribution-ShareAlike 4.0 International (CC BY-SA 4.0)",
    "https://creativecommons.org/publicdomain/zero/1.0/": "Creative Commons Zero 1.0 (CC0 1.0, public domain dedication)",
    "https://opendatacommons.org/licenses/odbl/1-0/": "Open Data Commons Open Database License 1.0 (ODbL)",
}
DOWNLOAD_GROUPS = (
    ("The data", ("data", "context", "bundle"), False),
    ("The ontology and the shapes", ("ontology", "shapes"), False),
    ("Metadata", ("metadata",), False),
    ("The stored queries", ("queries",), True),
)
EXAMPLE_COUNT = 4
EXAMPLE_ROWS = 20


def script_json(document: dict) -> Markup:
    """JSON for a <script> element: '<', '>' and '&' escaped as JSON unicode escapes, so no
    literal can close the element or open a comment."""
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def human_size(size: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


def statistics(sg: SiteGraph) -> dict:
    """Counts per kind: each root class of the project's ontology (with its subclasses), and
    the classes of other vocabularies for resources no project class covers."""
    return sg.memo("landing.statistics", lambda: _statistics(sg))


def _statistics(sg: SiteGraph) -> dict:
    data = sg.release.data
    subjects = {t.subject for t in data if isinstance(t.subject, ox.NamedNode)}
    ns = sg.namespace
    class_types = {OWL + "Class", RDFS + "Class"}
    project_classes = {c for c in sg.terms if class_types & set(sg.types(ox.NamedNode(c)))}
    by_class: dict[str, set] = defaultdict(set)
    uncovered: dict[str, set] = defaultdict(set)
    direct: dict[str, set] = defaultdict(set)
    for s in subjects:
        types = sg.types(s)
        above = set().union(*(sg.superclasses.get(t, {t}) for t in types)) if types else set()
        mine = {c for c in above if c.startswith(ns) and c in project_classes}
        for c in mine:
            by_class[c].add(s)
        for t in types:
            direct[t].add(s)
        if not mine:
            for t in types:
                uncovered[t].add(s)
    roots = [c for c in by_class if not ({p for p in sg.superclasses.get(c, {c}) if p.startswith(ns)} - {c})]
    kinds = []
    for root in sorted(roots, key=lambda c: (-len(by_class[c]), sg.label(c).lower())):
        parts = [c for c in direct if c != root and c.startswith(ns) and root in sg.superclasses.get(c, {c})]
        parts.sort(key=lambda c: (-len(direct[c]), sg.label(c).lower()))
        kinds.append({
            "view": pages.iri_view(sg, root, HERE), "count": len(by_class[root]), "anchor": anchor(sg, root),
            "members": sorted(s.value for s in by_class[root]),
            "parts": [{"view": pages.iri_view(sg, c, HERE), "count": len(direct[c])} for c in parts],
        })
    others = [{"view": pages.iri_view(sg, c, HERE), "count": len(members), "anchor": anchor(sg, c), "parts": [],
               "members": sorted(s.value for s in members)}
              for c, members in sorted(uncovered.items(), key=lambda kv: (-len(kv[1]), sg.curie(kv[0])))]
    links = sum(1 for t in data if t.predicate.value in MATCH_PREDICATES and t.object.value.startswith(WIKIDATA_ENTITY))
    linked = len({t.subject for t in data if t.predicate.value in MATCH_PREDICATES and t.object.value.startswith(WIKIDATA_ENTITY)})
    supports = [t for t in data if t.predicate.value == sg.vocab.supports]
    return {
        "triples": len(data),
        "resources": len(subjects),
        "pages": len(sg.pages),
        "kinds": kinds,
        "others": others,
        "wikidata_links": links,
        "wikidata_linked": linked,
        "claims": len({t.subject for t in supports}),
        "supported": len({t.object for t in supports}),
    }


def anchor(sg: SiteGraph, cls: str) -> str:
    """An HTML id for a class on the browse page."""
    import re

    return "k-" + re.sub(r"[^A-Za-z0-9_-]+", "-", sg.curie(cls)).strip("-")


def downloads(sg: SiteGraph) -> list[dict]:
    """The release's files in groups (data, ontology and shapes, metadata, queries)."""
    groups = []
    for title, roles, collapsed in DOWNLOAD_GROUPS:
        files = sorted((d for d in sg.release.distributions if d.role in roles),
                       key=lambda d: (roles.index(d.role), d.path))
        if files:
            groups.append({"title": title, "collapsed": collapsed, "items": [_download(d) for d in files]})
    known = {role for _title, roles, _c in DOWNLOAD_GROUPS for role in roles}
    rest = sorted((d for d in sg.release.distributions if d.role not in known), key=lambda d: d.path)
    if rest:
        groups.append({"title": "Other files", "collapsed": False, "items": [_download(d) for d in rest]})
    return groups


def _download(d) -> dict:
    return {"href": relative(d.path, HERE), "path": d.path, "title": d.title, "media_type": d.media_type,
            "size": human_size(d.size), "bytes": d.size, "sha256": d.sha256, "role": d.role}


def citation(sg: SiteGraph) -> dict:
    """How to cite the dataset, and the works it encodes (its dcterms:source), by DOI."""
    release = sg.release
    dataset = ox.NamedNode(release.dataset)
    title = sg.text(dataset, DCTERMS + "title") or sg.label(release.dataset)
    creators = [sg.label(c.value) for c in sg.objects(dataset, DCTERMS + "creator") if isinstance(c, ox.NamedNode)]
    issued = sg.text(dataset, DCTERMS + "issued") or release.modified
    version = f" Version {release.version}." if release.version else ""
    text = f"{', '.join(sorted(creators)) or sg.label(release.dataset)} ({issued[:4]}). {title}.{version} [Data set]. {release.landing}"
    by_doi: dict[str, ox.NamedNode] = {}
    for t in release.data:
        if t.predicate.value == BIBO + "doi" and isinstance(t.object, ox.Literal):
            by_doi["https://doi.org/" + t.object.value.lower()] = t.subject
        elif t.predicate.value == SCHEMA + "url" and isinstance(t.object, ox.NamedNode):
            by_doi.setdefault(t.object.value.lower(), t.subject)
    works = []
    for source in sorted(v.value for v in sg.objects(dataset, DCTERMS + "source") if isinstance(v, ox.NamedNode)):
        node = by_doi.get(source.lower()) or (ox.NamedNode(source) if source in sg.pages else None)
        work = {"href": source, "doi": source.split("doi.org/", 1)[1] if "doi.org/" in source else "", "text": "", "page": None}
        if node is not None:
            cited = sg.first(node, DCTERMS + "bibliographicCitation")
            work["text"] = cited.value if cited is not None else sg.label(node.value)
            work["page"] = pages.iri_view(sg, node.value, HERE)
        works.append(work)
    return {"dataset": text, "works": works}


def licence(sg: SiteGraph) -> dict | None:
    dataset = ox.NamedNode(sg.release.dataset)
    found = [v.value for v in sg.objects(dataset, DCTERMS + "license") if isinstance(v, ox.NamedNode)]
    if not found:
        return None
    iri = sorted(found)[0]
    name = LICENCES.get(iri) or LICENCES.get(iri.replace("http://", "https://")) or sg.label(iri)
    return {"href": iri, "text": name, "rights": sg.text(dataset, DCTERMS + "rights") or ""}


def examples(sg: SiteGraph) -> list[dict]:
    """A few stored queries run on the release's store with their default parameters: those
    tagged ``example``; when none is, the first SELECT queries (those with parameters
    first, then by name) whose parameters all have defaults and that give rows. Only the
    chosen queries run: a stored query may be slow on a large graph."""
    return [_example(sg, query, result) for query, result in example_runs(sg)]


def example_runs(sg: SiteGraph) -> list[tuple]:
    """The chosen queries and their results, by name (run once per site graph)."""
    return sg.memo("landing.examples", lambda: _example_runs(sg))


def _example_runs(sg: SiteGraph) -> list[tuple]:
    from isthmus.queries import bind, run_local

    release = sg.release
    queries = sorted(release.queries.values(), key=lambda q: q.name)
    tagged = [q for q in queries if "example" in q.tags]
    candidates = tagged or sorted(
        (q for q in queries if q.form.upper() == "SELECT" and all(p.default is not None or not p.required for p in q.params)),
        key=lambda q: (0 if q.params else 1, q.name))
    runs = []
    for query in candidates:
        if len(runs) == EXAMPLE_COUNT:
            break
        try:
            result = run_local(release.store, query.text, bind(query, {}), shown=query.name)
        except QueryError:
            continue
        if result.kind == "select" and result.rows:
            runs.append((query, result))
    return sorted(runs, key=lambda qr: qr[0].name)


def _example(sg: SiteGraph, query, result) -> dict:
    params = {p.variable for p in query.params}
    columns = [v for v in result.variables if v not in params]
    rows = []
    for row in result.rows[:EXAMPLE_ROWS]:
        rows.append([_cell(sg, row.get(c)) for c in columns])
    shown = [{"name": p.name, "value": _cell(sg, {"type": "uri" if p.kind == "iri" else "literal", "value": p.default})}
             for p in query.params if p.default is not None]
    file = sg.release.query_file(query.name)
    return {
        "name": query.name, "summary": query.summary, "description": query.description, "text": query.text,
        "columns": columns, "rows": rows, "total": len(result.rows), "params": shown,
        "href": relative(file, HERE) if file else None,
    }


def _cell(sg: SiteGraph, term) -> dict | None:
    if term is None:
        return None
    if term.get("type") == "uri":
        return pages.iri_view(sg, str(term["value"]), HERE)
    datatype = str(term.get("datatype", ""))
    return {"kind": "literal", "text": str(term.get("value", "")), "lang": str(term.get("xml:lang", "")),
            "datatype": sg.curie(datatype) if datatype else "", "precision": ""}


def landing_view(sg: SiteGraph, root: Path, dataset_jsonld: dict) -> dict:
    release = sg.release
    dataset = ox.NamedNode(release.dataset)
    descriptions = sorted((v for v in sg.objects(dataset, DCTERMS + "description") if isinstance(v, ox.Literal)),
                          key=lambda v: (v.language != "en", v.language or "", v.value))
    metadata = sorted({d.path for d in release.distributions if d.role == "metadata"}
                      | {name for name in ("void.ttl", "catalog.ttl", "catalog.jsonld") if (root / name).is_file()})
    return {
        "title": sg.text(dataset, DCTERMS + "title") or sg.label(release.dataset),
        "titles": [{"text": v.value, "lang": v.language or ""} for v in sg.labels(dataset, DCTERMS + "title")],
        "descriptions": [{"text": v.value, "lang": v.language or ""} for v in descriptions],
        "keywords": [{"text": v.value, "lang": v.language or ""} for v in sg.labels(dataset, DCAT + "keyword")],
        "dataset": pages.iri_view(sg, release.dataset, HERE),
        "dataset_turtle": relative(sg.pages[release.dataset] + ".ttl", HERE) if release.dataset in sg.pages else None,
        "version": release.version,
        "modified": release.modified,
        "endpoint": release.sparql_endpoint,
        "stats": statistics(sg),
        "downloads": downloads(sg),
        "metadata": [{"href": relative(p, HERE), "path": p} for p in metadata],
        "cite": citation(sg),
        "licence": licence(sg),
        "examples": examples(sg),
        "jsonld": script_json(dataset_jsonld),
        "types": [pages.iri_view(sg, t, HERE) for t in sg.types(dataset) if t != RDF_TYPE],
    }
