"""The static site of a release: a landing page, one page (with Turtle and JSON-LD) per
resource, the ontology's documentation, a timeline and a network picture, a browse page,
``.htaccess`` content negotiation and a style sheet.

Every link is relative, so the site works from any base path and from ``file://``; the
output is deterministic; every template is rendered with autoescaping on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import jinja2

from isthmus.errors import DataError
from isthmus.publish import landing, network, ontodoc, pages, timeline
from isthmus.publish.model import Release, save
from isthmus.publish.sitegraph import SiteGraph, natural, relative

ASSETS = ("style.css",)
#: files of the site itself, beside which no resource page may land
SITE_FILES = ("index.html", "browse.html", "timeline.html", "network.html", ".htaccess", "SHA256SUMS",
              "void.ttl", "catalog.ttl", "catalog.jsonld")


def environment() -> jinja2.Environment:
    """The templates that ship in the package, autoescaped."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("isthmus", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["rel"] = relative
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env


def render(release: Release, root: Path, *, dataset_jsonld: dict, progress: Callable[[str], None] | None = None) -> None:
    """Write the site into ``root`` (the release folder, where the dumps already are).

    Raises ``DataError`` when a resource's page would overwrite a file of the release, and
    ``OutputError`` when a file cannot be written.
    """
    say = progress or (lambda _text: None)
    root = Path(root)
    sg = SiteGraph(release)
    _check_paths(sg)
    env = environment()
    common = _common(sg)

    def write(path: str, template: str, **context) -> None:
        html = env.get_template(template).render(here=path, site=common, **context)
        save(root, path, html.encode("utf-8"))

    say(f"site: {len(sg.pages)} resource pages")
    framer = pages.Framer(release.context.document)
    for iri in sorted(sg.pages):
        path = sg.pages[iri]
        items = pages.description(sg, iri)
        save(root, f"{path}.ttl", pages.turtle(items, release.prefixes))
        save(root, f"{path}.jsonld", framer.document(items, iri))
        write(f"{path}.html", "resource.html", page=pages.page_view(sg, iri))
    say("site: ontology, pictures, landing page")
    ontology_page = sg.ontology_path + ".html"
    onto = ontodoc.ontology_view(sg)
    write(ontology_page, "ontology.html", onto=onto, main_id=onto["ids"]["main"])
    write("timeline.html", "timeline.html", tl=timeline.layout(sg, "timeline.html"))
    write("network.html", "network.html", net=network.layout(sg, "network.html"))
    write("browse.html", "browse.html", groups=browse(sg))
    write("index.html", "index.html", ds=landing.landing_view(sg, root, dataset_jsonld))
    for name in ASSETS:
        save(root, f"assets/{name}", resources.files("isthmus").joinpath("templates", "assets", name).read_bytes())
    save(root, ".htaccess", htaccess(sg, root).encode("utf-8"))




def _common(sg: SiteGraph) -> dict:
    release = sg.release
    return {
        "name": sg.label(release.dataset),
        "ontology": sg.ontology_path + ".html",
        "version": release.version,
        "modified": release.modified,
        "landing": release.landing,
    }


def _check_paths(sg: SiteGraph) -> None:
    taken = {d.path for d in sg.release.distributions} | set(SITE_FILES)
    taken |= {sg.ontology_path + ext for ext in (".html", ".ttl", ".jsonld", ".rdf")}
    for iri, path in sorted(sg.pages.items()):
        clash = sorted({f"{path}{ext}" for ext in (".html", ".ttl", ".jsonld")} & taken)
        if clash or path.split("/", 1)[0] in ("assets", ".well-known"):
            shown = clash[0] if clash else path
            raise DataError(f"{iri}: its page would overwrite {shown} of the release; give it another IRI")


def browse(sg: SiteGraph) -> list[dict]:
    """Every resource with a page, grouped by kind (as the landing page counts them)."""
    stats = landing.statistics(sg)
    here = "browse.html"
    groups = []
    for entry in stats["kinds"] + stats["others"]:
        cls = entry["view"]["iri"]
        members = sorted((iri for iri in entry["members"] if iri in sg.pages), key=lambda i: (natural(sg.label(i)), i))
        if members:
            groups.append({"anchor": entry["anchor"], "title": sg.label(cls), "class": pages.iri_view(sg, cls, here),
                           "members": [pages.iri_view(sg, i, here) for i in members]})
    return groups


def htaccess(sg: SiteGraph, root: Path) -> str:
    """Apache rules: content negotiation (w3id style) for the resources and the ontology."""
    heads = sorted({path.split("/", 1)[0] for path in sg.pages.values() if "/" in path})
    singles = sorted({path for path in sg.pages.values() if "/" not in path} | {sg.ontology_path})
    alternatives = [re.escape(h) + "/[^.]+" for h in heads] + [re.escape(s) for s in singles]
    pattern = "^(" + "|".join(alternatives) + ")$"
    lines = [
        "# Content negotiation for the resources and the ontology (Apache, mod_rewrite).",
        "# A resource path serves Turtle, JSON-LD or (the ontology) RDF/XML when the client",
        "# asks for it, and HTML otherwise. The rules are relative: the site works below any path.",
        "",
        "Options -MultiViews",
        "DirectoryIndex index.html",
        "",
        "AddType text/html .html",
        "AddType text/css .css",
        "AddType text/turtle .ttl",
        "AddType application/ld+json .jsonld",
        "AddType application/rdf+xml .rdf",
        "AddType application/n-triples .nt",
        "AddType application/sparql-query .rq",
        "AddType application/zip .zip",
        "AddCharset utf-8 .html .css .ttl .jsonld .nt .rq",
        "",
    ]
    if (root / ".well-known" / "void").is_file():
        lines += ['<If "%{REQUEST_URI} =~ m#/\\.well-known/void$#">', "    ForceType text/turtle", "</If>", ""]
    lines += [
        "<IfModule mod_headers.c>",
        '    <FilesMatch "\\.(html|ttl|jsonld|rdf)$">',
        "        Header merge Vary Accept",
        "    </FilesMatch>",
        "</IfModule>",
        "",
        "<IfModule mod_rewrite.c>",
        "RewriteEngine On",
        "",
    ]
    for media, ext in (("text/turtle", "ttl"), ("application/ld\\+json", "jsonld"), ("application/rdf\\+xml", "rdf")):
        lines += [
            f"RewriteCond %{{HTTP_ACCEPT}} {media}",
            f"RewriteCond %{{REQUEST_FILENAME}}.{ext} -f",
            f"RewriteRule {pattern} $1.{ext} [L]",
            "",
        ]
    lines += [
        "RewriteCond %{REQUEST_FILENAME}.html -f",
        f"RewriteRule {pattern} $1.html [L]",
        "</IfModule>",
        "",
    ]
    return "\n".join(lines)
