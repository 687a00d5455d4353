"""The ontology's documentation page: its header and every term of its namespace, with
labels, definitions, hierarchy, domains and ranges, alignments and usage in the data."""

from __future__ import annotations

from collections import Counter, defaultdict

import pyoxigraph as ox

from isthmus.publish import pages
from isthmus.publish.sitegraph import DCTERMS, OWL, RDF, RDF_TYPE, RDFS, RDFS_LABEL, SKOS, SiteGraph, relative

CLASS_TYPES = (OWL + "Class", RDFS + "Class")
PROPERTY_GROUPS = (
    ("object-properties", "Object properties", OWL + "ObjectProperty"),
    ("datatype-properties", "Datatype properties", OWL + "DatatypeProperty"),
    ("annotation-properties", "Annotation properties", OWL + "AnnotationProperty"),
)
CHARACTERISTICS = ("TransitiveProperty", "SymmetricProperty", "FunctionalProperty", "InverseFunctionalProperty",
                   "AsymmetricProperty", "ReflexiveProperty", "IrreflexiveProperty")
#: what each term section shows in its own rows (everything else goes to "other annotations")
HANDLED = {RDF_TYPE, RDFS_LABEL, SKOS + "definition", RDFS + "comment", RDFS + "subClassOf", RDFS + "subPropertyOf",
           RDFS + "domain", RDFS + "range", OWL + "inverseOf", RDFS + "isDefinedBy"}
#: predicates that align a term with other vocabularies (and how the page names them)
ALIGNMENTS = ((OWL + "equivalentClass", "equivalent class"), (OWL + "equivalentProperty", "equivalent property"),
              (SKOS + "exactMatch", "exact match"), (SKOS + "closeMatch", "close match"),
              (SKOS + "broadMatch", "broader match"), (SKOS + "narrowMatch", "narrower match"),
              (SKOS + "relatedMatch", "related match"))


class Usage:
    """How often the data uses each class and property (counted once, over all triples)."""

    def __init__(self, sg: SiteGraph):
        self.direct: Counter = Counter()
        self.inclusive: Counter = Counter()
        self.predicates: Counter = Counter()
        types: dict = defaultdict(set)
        for t in sg.release.data:
            self.predicates[t.predicate.value] += 1
            if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
                types[t.subject].add(t.object.value)
        for subject, classes in types.items():
            above: set[str] = set()
            for cls in classes:
                self.direct[cls] += 1
                above |= sg.superclasses.get(cls, {cls})
            for cls in above:
                self.inclusive[cls] += 1
        self.predicates_inclusive: Counter = Counter()
        for predicate, count in self.predicates.items():
            for up in sg.superproperties.get(predicate, {predicate}):
                self.predicates_inclusive[up] += count


def usage_of(sg: SiteGraph) -> Usage:
    """The data's usage counts (counted once per site graph)."""
    return sg.memo("ontodoc.usage", lambda: Usage(sg))


def expression(sg: SiteGraph, term, here: str, depth: int = 0) -> dict:
    """A class or datatype expression: a named term, or a union / intersection / complement."""
    if isinstance(term, ox.BlankNode) and depth < 6:
        for predicate, op in ((OWL + "unionOf", "or"), (OWL + "intersectionOf", "and"), (OWL + "oneOf", "one of")):
            values = sg.objects(term, predicate)
            if values:
                items = pages._list_items(sg, values[0]) or []
                return {"kind": "expr", "op": op, "items": [expression(sg, i, here, depth + 1) for i in items]}
        complement = sg.objects(term, OWL + "complementOf")
        if complement:
            return {"kind": "expr", "op": "not", "items": [expression(sg, complement[0], here, depth + 1)]}
    return pages.value_view(sg, term, here, depth)


def _names(sg: SiteGraph, subject, predicate: str, here: str) -> list[dict]:
    views = [expression(sg, v, here) for v in sg.objects(subject, predicate)]
    return sorted(views, key=lambda v: (v.get("text", "~"), v.get("iri", "")))


def _alignments(sg: SiteGraph, node, supers: list[dict], is_class: bool, here: str) -> tuple[list[dict], set[str]]:
    """External super-terms and mapping properties, as (relation, value); and the
    predicates shown that way."""
    found = [{"relation": "subclass of" if is_class else "subproperty of", "value": v}
             for v in supers if v.get("iri") and not sg.is_term(v["iri"])]
    extra = [(sg.vocab.wikidataClass, "Wikidata class"), (sg.vocab.wikidataProperty, "Wikidata property")]
    used = set()
    for predicate, relation in ALIGNMENTS + tuple(extra):
        for value in _names(sg, node, predicate, here):
            found.append({"relation": relation, "value": value})
            used.add(predicate)
    for entry in found:  # other vocabularies' terms read best by their prefixed names
        if entry["value"].get("curie"):
            entry["value"] = dict(entry["value"], text=entry["value"]["curie"])
    return found, used


def term_view(sg: SiteGraph, iri: str, here: str, usage: Usage, children: dict[str, list[str]]) -> dict:
    node = ox.NamedNode(iri)
    types = sg.types(node)
    is_class = any(t in CLASS_TYPES for t in types)
    is_property = any(t.endswith("Property") and t.startswith((OWL, RDF)) for t in types)
    definition = sg.first(node, SKOS + "definition") or sg.first(node, RDFS + "comment")
    supers = _names(sg, node, RDFS + "subClassOf" if is_class else RDFS + "subPropertyOf", here)
    alignments, aligned = _alignments(sg, node, supers, is_class, here)
    view = {
        "id": iri[len(sg.namespace):],
        "iri": iri,
        "curie": sg.curie(iri),
        "title": sg.label(iri),
        "labels": [{"text": v.value, "lang": v.language or ""} for v in sg.labels(node)],
        "types": [pages.iri_view(sg, t, here) for t in types],
        "definition": pages.value_view(sg, definition, here) if definition is not None else None,
        "comments": [pages.value_view(sg, c, here) for c in sg.objects(node, RDFS + "comment")
                     if definition is not None and c != definition],
        "supers": [v for v in supers if not v.get("iri") or sg.is_term(v["iri"])],
        "alignments": alignments,
        "subs": [pages.iri_view(sg, c, here) for c in children.get(iri, [])],
        "domain": _names(sg, node, RDFS + "domain", here),
        "range": _names(sg, node, RDFS + "range", here),
        "inverse": _names(sg, node, OWL + "inverseOf", here),
        "characteristics": [c.removesuffix("Property").lower() for c in CHARACTERISTICS if OWL + c in types],
        "other": pages.properties(sg, node, here, skip=HANDLED | aligned),
        "is_class": is_class,
        "is_property": is_property,
    }
    if is_class:
        view["usage"] = {"direct": usage.direct.get(iri, 0), "inclusive": usage.inclusive.get(iri, 0)}
    elif is_property:
        view["usage"] = {"direct": usage.predicates.get(iri, 0), "inclusive": usage.predicates_inclusive.get(iri, 0)}
    else:
        view["usage"] = None
    return view


def _group(sg: SiteGraph, iri: str) -> str:
    types = set(sg.types(ox.NamedNode(iri)))
    if types & set(CLASS_TYPES):
        return "classes"
    for key, _title, cls in PROPERTY_GROUPS:
        if cls in types:
            return key
    if RDF + "Property" in types:
        return "object-properties"
    if RDFS + "Datatype" in types:
        return "datatypes"
    return "individuals"


def ontology_view(sg: SiteGraph) -> dict:
    release = sg.release
    here = sg.ontology_path + ".html"
    usage = usage_of(sg)
    terms = sorted(sg.terms, key=lambda i: i[len(sg.namespace):].lower())
    children: dict[str, list[str]] = defaultdict(list)
    for t in release.ontology:
        if t.predicate.value in (RDFS + "subClassOf", RDFS + "subPropertyOf") and isinstance(t.object, ox.NamedNode) \
                and t.subject.value in sg.terms and t.object.value in sg.terms:
            children[t.object.value].append(t.subject.value)
    for key in children:
        children[key].sort(key=lambda i: sg.label(i).lower())
    groups: dict[str, list[dict]] = defaultdict(list)
    for iri in terms:
        groups[_group(sg, iri)].append(term_view(sg, iri, here, usage, children))
    titles = [("classes", "Classes")] + [(k, t) for k, t, _ in PROPERTY_GROUPS] + [
        ("datatypes", "Datatypes"), ("individuals", "Named individuals")]
    taken = {t[len(sg.namespace):] for t in terms}

    def free(name: str) -> str:  # a page id no term's anchor uses
        while name in taken:
            name = "_" + name
        return name

    sections = [{"key": free(key), "group": key, "title": title, "terms": groups[key]} for key, title in titles if groups.get(key)]
    classes = {v["iri"] for v in groups.get("classes", [])}
    roots = sorted((i for i in classes if not (sg.superclasses.get(i, {i}) - {i}) & classes),
                   key=lambda i: sg.label(i).lower())

    def tree(iri: str, seen: frozenset) -> dict:
        kids = [tree(c, seen | {c}) for c in children.get(iri, []) if c in classes and c not in seen]
        return {"id": iri[len(sg.namespace):], "text": sg.label(iri), "children": kids}

    onto = ox.NamedNode(release.ontology_iri)
    title = sg.first(onto, DCTERMS + "title") or sg.first(onto, RDFS_LABEL)
    descriptions = sorted((v for v in sg.objects(onto, DCTERMS + "description") if isinstance(v, ox.Literal)),
                          key=lambda v: (v.language != "en", v.language or "", v.value))
    external = sorted(
        (s.value for s in sg.out if isinstance(s, ox.NamedNode) and s.value not in sg.terms
         and s.value != release.ontology_iri and sg.types(s) and s.value not in sg.pages),
        key=lambda i: sg.curie(i).lower(),
    )
    return {
        "ids": {name: free(name) for name in ("about", "contents", "external", "main")},
        "iri": release.ontology_iri,
        "title": title.value if title is not None else sg.label(release.ontology_iri),
        "titles": [{"text": v.value, "lang": v.language or ""} for v in sg.labels(onto, DCTERMS + "title")],
        "descriptions": [{"text": v.value, "lang": v.language or ""} for v in descriptions],
        "header": pages.properties(sg, onto, here, skip=(RDF_TYPE, DCTERMS + "title", DCTERMS + "description")),
        "namespace": sg.namespace,
        "downloads": [
            {"href": relative(d.path, here), "title": d.title, "media_type": d.media_type, "path": d.path}
            for d in sorted(release.distributions, key=lambda d: d.path) if d.role == "ontology"
        ],
        "sections": sections,
        "tree": [tree(r, frozenset({r})) for r in roots],
        "external": [
            {"view": pages.iri_view(sg, i, here), "types": [sg.curie(t) for t in sg.types(ox.NamedNode(i))],
             "usage": usage.inclusive.get(i, 0) or usage.predicates.get(i, 0)}
            for i in external
        ],
    }
