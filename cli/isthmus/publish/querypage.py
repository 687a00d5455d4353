"""The site's query page: the stored queries, run in the browser over the release's dumps by
Oxigraph's WebAssembly build, so that the static site answers SPARQL with no server.

The page loads the data's N-Triples dump and the ontology's Turtle (the store ``isthmus
query`` runs on holds both: the queries follow ``rdfs:subClassOf``) into an in-memory store
the first time a query runs. Each stored query is offered with its default parameters
bound in a ``VALUES`` block, the form ``isthmus query --endpoint`` sends, and stays
editable. Oxigraph's ``web.js`` and ``web_bg.wasm`` ship in the package
(``isthmus/vendor/oxigraph``) and are copied into ``assets/oxigraph/``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from isthmus.errors import QueryError
from isthmus.publish.landing import human_size, script_json
from isthmus.publish.model import save
from isthmus.publish.sitegraph import SiteGraph

HERE = "query.html"
ASSET_FOLDER = "assets/oxigraph"
VENDORED = ("web.js", "web_bg.wasm", "LICENSE-MIT")
#: the version of the vendored build (``vendor/oxigraph/SOURCE.md`` says where it came from)
ENGINE_VERSION = "0.5.11"
#: the dumps the page loads, by (role, format), in this order
LOADED = (("data", "ntriples"), ("ontology", "turtle"))


def copy_engine(root: Path) -> None:
    """Oxigraph's browser build into the release's ``assets/oxigraph/``."""
    folder = resources.files("isthmus").joinpath("vendor", "oxigraph")
    for name in VENDORED:
        save(root, f"{ASSET_FOLDER}/{name}", folder.joinpath(name).read_bytes())


def bound_text(query) -> str:
    """The query's text with its default parameters in a ``VALUES`` block; the text as
    written when a required parameter has no default (the reader fills it in)."""
    from isthmus.queries import bind, with_values

    try:
        return with_values(query.text, bind(query, {}))
    except QueryError:
        return query.text


def view(sg: SiteGraph) -> dict:
    """What the page's template and script need (the script reads ``config``)."""
    release = sg.release
    files = []
    for role, fmt in LOADED:
        found = next((d for d in release.distributions if d.role == role and d.format == fmt), None)
        if found is not None:
            files.append({"path": found.path, "media_type": found.media_type,
                          "size": found.size, "size_text": human_size(found.size)})
    queries = []
    for query in sorted(release.queries.values(), key=lambda q: q.name):
        queries.append({"name": query.name, "summary": query.summary, "text": bound_text(query),
                        "href": release.query_file(query.name), "params": [p.name for p in query.params]})
    prefixes = {name: ns for name, ns in sorted(release.prefixes.items()) if name}
    config = {
        "engine": f"{ASSET_FOLDER}/web.js",
        "wasm": f"{ASSET_FOLDER}/web_bg.wasm",
        "files": files,
        "queries": queries,
        "landing": release.landing,
        "prefixes": prefixes,
    }
    return {"json": script_json(config), "files": files, "queries": queries, "engine_version": ENGINE_VERSION}
