"""The static site of a release: a landing page, one page (with Turtle and JSON-LD) per
resource, the ontology's documentation, a timeline and a network picture, a browse page,
``.htaccess`` content negotiation and a style sheet.

Every link is relative, so the site works from any base path and from ``file://``; the
output is deterministic; every template is rendered with autoescaping on.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from isthmus.errors import DataError, OutputError
from isthmus.publish import framing, landing, network, ontodoc, pages, querypage, timeline, workers
from isthmus.publish.model import Release, save
from isthmus.publish.sitegraph import SiteGraph, natural, relative

ASSETS = ("style.css", "query.js", "logo.svg")
#: files of the site itself, beside which no resource page may land
SITE_FILES = ("index.html", "browse.html", "timeline.html", "network.html", "query.html", ".htaccess", "SHA256SUMS",
              "void.ttl", "catalog.ttl", "catalog.jsonld")


#: from this many resource pages on, their JSON-LD is written by the linear framer (the
#: same bytes as pyLD's frame, which takes milliseconds a page), and the pages are
#: rendered by worker processes, one per core
LARGE = 2000
#: at most this many processes render the resource pages
WORKERS = 4
#: resources a worker process takes at a time
CHUNK = 64
#: at most this many resources on a browse page
BROWSE_PAGE = 2000


class _Environment(jinja2.Environment):
    """The views are dicts: look a name up as a key first. (Jinja tries an attribute
    first, and the failed attribute look-up of every ``v.text`` costs more than the key.)"""

    def getattr(self, obj, attribute):
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def environment() -> jinja2.Environment:
    """The templates that ship in the package, autoescaped."""
    env = _Environment(
        loader=jinja2.PackageLoader("isthmus", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["rel"] = relative
    env.filters["link"] = link
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env


def link(view: dict) -> Markup:
    """A link to a resource (an ``iri_view``): its label, its IRI as the title; ``ext``
    when it leaves the site. A filter rather than a macro: pages hold dozens of links, and
    a Jinja macro call costs more than the rest of the link."""
    start = '<a href="' if view["internal"] else '<a class="ext" href="'
    return Markup(f'{start}{escape(view["href"])}" title="{escape(view["iri"])}">{escape(view["text"])}</a>')


def render(release: Release, root: Path, *, dataset_jsonld: dict | Callable[[], dict],
           progress: Callable[[str], None] | None = None, reserved: Iterable[str] = ()) -> None:
    """Write the site into ``root`` (the release folder, where the dumps already are).

    ``dataset_jsonld`` may be a function giving it: it is called once the resource pages
    and the pictures are written, before the pages that list the release's files (so the
    dumps and the metadata can be written meanwhile by another process, which lists them
    in ``release.distributions``; ``reserved`` names the files they will be).

    Raises ``DataError`` when a resource's page would overwrite a file of the release, and
    ``OutputError`` when a file cannot be written.
    """
    say = progress or (lambda _text: None)
    root = Path(root)
    sg = SiteGraph(release)
    env = environment()
    common = _common(sg)

    def write(path: str, template: str, **context) -> None:
        html = env.get_template(template).render(here=path, site=common, **context)
        save(root, path, html.encode("utf-8"))

    def meanwhile() -> None:  # what needs no resource page, while workers write them
        _check_paths(sg, reserved)
        for path, view in timeline.views(sg):
            write(path, "timeline.html", tl=view)
        for path, view in network.views(sg):
            write(path, "network.html", net=view)
        for path, template, context in browse_views(sg):
            write(path, template, **context)
        landing.example_runs(sg)
        ontodoc.usage_of(sg)

    say(f"site: {len(sg.pages)} resource pages, the pictures and browse pages")
    resource_pages(sg, root, env, common, meanwhile=meanwhile)
    if callable(dataset_jsonld):
        say("site: waiting for the dumps and metadata")
        dataset_jsonld = dataset_jsonld()
    say("site: ontology, landing page")
    ontology_page = sg.ontology_path + ".html"
    onto = ontodoc.ontology_view(sg)
    write(ontology_page, "ontology.html", onto=onto, main_id=onto["ids"]["main"])
    write("index.html", "index.html", ds=landing.landing_view(sg, root, dataset_jsonld))
    write(querypage.HERE, "query.html", qp=querypage.view(sg))
    querypage.copy_engine(root)
    for name in ASSETS:
        save(root, f"assets/{name}", resources.files("isthmus").joinpath("templates", "assets", name).read_bytes())
    save(root, ".htaccess", htaccess(sg, root).encode("utf-8"))




class _ResourcePages:
    """Writes the three files of each resource: its page, its Turtle, its JSON-LD."""

    def __init__(self, sg: SiteGraph, root: Path, env: jinja2.Environment, common: dict):
        self.sg, self.root, self.common = sg, str(root), common
        document = sg.release.context.document
        self.framer = framing.LinearFramer(document) if len(sg.pages) >= LARGE else framing.Framer(document)
        self.template = env.get_template("resource.html")
        self.iris = sorted(sg.pages)
        self.folders: set[str] = set()

    def write(self, iris: list[str]) -> int:
        sg, prefixes = self.sg, self.sg.release.prefixes
        for iri in iris:
            path = sg.pages[iri]
            items = pages.description(sg, iri)
            self.save(f"{path}.ttl", pages.turtle(items, prefixes))
            self.save(f"{path}.jsonld", self.framer.document(items, iri))
            html = self.template.render(here=f"{path}.html", site=self.common, page=pages.page_view(sg, iri))
            self.save(f"{path}.html", html.encode("utf-8"))
        return len(iris)

    def save(self, relative: str, payload: bytes) -> None:
        """``model.save``, with each folder made once."""
        path = os.path.join(self.root, relative)
        folder = os.path.dirname(path)
        try:
            if folder not in self.folders:
                os.makedirs(folder, exist_ok=True)
                self.folders.add(folder)
            with open(path, "wb") as handle:
                handle.write(payload)
        except OSError as err:
            raise OutputError(f"{path}: cannot write: {err.strerror or err}") from None


def resource_pages(sg: SiteGraph, root: Path, env: jinja2.Environment, common: dict, *,
                   meanwhile: Callable[[], None] = lambda: None) -> None:
    """Every resource's three files, after or while ``meanwhile()`` runs in this process.

    On a large site forked worker processes share the work, one per core, taking chunks
    of resources in turn (each file depends on its resource only, so the bytes are those
    one process writes); they start before ``meanwhile()``, which may find an error
    after some files are written. Raises what a worker raised."""
    job = _ResourcePages(sg, root, env, common)
    count = min(WORKERS, workers.available()) if len(job.iris) >= LARGE else 1
    if count == 1:
        meanwhile()
        job.write(job.iris)
        return
    chunks = [job.iris[n:n + CHUNK] for n in range(0, len(job.iris), CHUNK)]
    queue = workers.Queue(len(chunks))

    def take_chunks() -> int:
        done = 0
        while (number := queue.take()) is not None:
            done += job.write(chunks[number])
        return done

    children: list[workers.Forked] = []
    try:
        children = [workers.Forked(take_chunks) for _ in range(count - 1)]
        meanwhile()
        take_chunks()  # this process takes chunks too
        for child in children:
            child.result()
    except BaseException:
        queue.stop()
        raise
    finally:
        for child in children:
            child.close()


def _common(sg: SiteGraph) -> dict:
    release = sg.release
    return {
        "name": sg.label(release.dataset),
        "ontology": sg.ontology_path + ".html",
        "version": release.version,
        "modified": release.modified,
        "landing": release.landing,
    }


def _check_paths(sg: SiteGraph, reserved: Iterable[str] = ()) -> None:
    taken = {d.path for d in sg.release.distributions} | set(reserved) | site_files(sg)
    taken |= {sg.ontology_path + ext for ext in (".html", ".ttl", ".jsonld", ".rdf")}
    for iri, path in sorted(sg.pages.items()):
        clash = sorted({f"{path}{ext}" for ext in (".html", ".ttl", ".jsonld")} & taken)
        if clash or path.split("/", 1)[0] in ("assets", ".well-known"):
            shown = clash[0] if clash else path
            raise DataError(f"{iri}: its page would overwrite {shown} of the release; give it another IRI")


def browse(sg: SiteGraph) -> list[dict]:
    """Every resource with a page, grouped by kind (as the landing page counts them)."""
    return [dict(group, members=[pages.iri_view(sg, i, "browse.html") for i in group["members"]])
            for group in _browse_groups(sg)]


def _browse_groups(sg: SiteGraph) -> list[dict]:
    """The kinds with the IRIs of their members (those with a page), by label."""
    def compute():
        stats = landing.statistics(sg)
        groups = []
        for entry in stats["kinds"] + stats["others"]:
            cls = entry["view"]["iri"]
            members = sorted((iri for iri in entry["members"] if iri in sg.pages), key=lambda i: (natural(sg.label(i)), i))
            if members:
                groups.append({"anchor": entry["anchor"], "title": sg.label(cls),
                               "class": pages.iri_view(sg, cls, "browse.html"), "members": members})
        return groups
    return sg.memo("site.browse", compute)


def browse_views(sg: SiteGraph) -> list[tuple[str, str, dict]]:
    """(file, template, context) of the browse pages: one page listing every resource by
    kind; or, when there are more than ``BROWSE_PAGE``, a page of the kinds and, for each
    kind, pages of ``BROWSE_PAGE`` members."""
    groups = _browse_groups(sg)
    if sum(len(g["members"]) for g in groups) <= BROWSE_PAGE:
        return [("browse.html", "browse.html", {"groups": browse(sg), "part": None})]
    out = []
    summary = []
    for group in groups:
        chunks = [group["members"][n:n + BROWSE_PAGE] for n in range(0, len(group["members"]), BROWSE_PAGE)]
        files = [_browse_file(group["anchor"], n) for n in range(1, len(chunks) + 1)]
        texts = [_span(sg, chunk) for chunk in chunks]
        for number, chunk in enumerate(chunks, 1):
            here = files[number - 1]
            pager = [{"number": n, "href": relative(f, here), "current": n == number, "text": t}
                     for n, (f, t) in enumerate(zip(files, texts), 1)] if len(chunks) > 1 else []
            part = {"title": group["title"], "class": pages.iri_view(sg, group["class"]["iri"], here),
                    "count": len(group["members"]), "page": number, "pager": pager,
                    "members": [pages.iri_view(sg, i, here) for i in chunk],
                    "back": relative(f"browse.html#{group['anchor']}", here)}
            out.append((here, "browse.html", {"groups": [], "part": part}))
        summary.append(dict(group, members=[], count=len(group["members"]),
                            pager=[{"number": n, "href": relative(f, "browse.html"), "current": False, "text": t}
                                   for n, (f, t) in enumerate(zip(files, texts), 1)]))
    return [("browse.html", "browse.html", {"groups": summary, "part": None})] + out


def _browse_file(anchor: str, number: int) -> str:
    return f"browse-{anchor}.html" if number == 1 else f"browse-{anchor}-{number}.html"


def _span(sg: SiteGraph, chunk: list[str]) -> str:
    first, last = sg.label(chunk[0]), sg.label(chunk[-1])
    return first if first == last else f"{first} … {last}"


def site_files(sg: SiteGraph) -> set[str]:
    """The files of the site besides the resources' (their names depend on the data's size)."""
    files = set(SITE_FILES)
    files |= {timeline.page_name(n) for n in range(1, timeline.page_count(sg) + 1)}
    files |= {network.page_name(n) for n in range(1, network.page_count(sg) + 1)}
    groups = _browse_groups(sg)
    if sum(len(g["members"]) for g in groups) > BROWSE_PAGE:
        for group in groups:
            files |= {_browse_file(group["anchor"], n) for n in range(1, -(-len(group["members"]) // BROWSE_PAGE) + 1)}
    return files


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
        "AddType text/javascript .js",
        "AddType application/wasm .wasm",
        "AddType text/turtle .ttl",
        "AddType application/ld+json .jsonld",
        "AddType application/rdf+xml .rdf",
        "AddType application/n-triples .nt",
        "AddType application/sparql-query .rq",
        "AddType application/zip .zip",
        "AddCharset utf-8 .html .css .js .ttl .jsonld .nt .rq",
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
