"""The static site: one page and two documents per resource, the landing page, the ontology
documentation, the pictures, .htaccess; links, escaping and determinism (no browser)."""

from __future__ import annotations

import io
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from isthmus.graph import to_rdflib
from isthmus.project import Project
from isthmus.publish import pages, site
from isthmus.publish.release import prepare, write_checksums, write_distributions
from isthmus.publish.sitegraph import SiteGraph
from support import ROOT

NASTY = "<script>window.__pwned = 1</script> \"quoted\" & 'single' </p>"
DATASET_JSONLD = {
    "@context": "https://schema.org/",
    "@type": "Dataset",
    "name": "A test dataset </script><script>window.__pwned = 1</script> & <!-- \u2028",
    "description": "Hand-made for the site tests",
}


def build(project_root: Path, out: Path):
    """Build the parts of a release the site needs, as ``release.build`` does."""
    release = prepare(Project(project_root), today="2026-01-01")
    out.mkdir(parents=True, exist_ok=True)
    write_distributions(release, out, "isthmus")
    site.render(release, out, dataset_jsonld=DATASET_JSONLD)
    write_checksums(release, out)
    return release


def nasty_project(target: Path) -> tuple[Path, str]:
    """A copy of the project with one more event whose label and description are hostile.
    Returns the folder and the new resource's IRI."""
    for part in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(ROOT / part, target / part)
    release = prepare(Project(ROOT), today="2026-01-01")
    vocab = release.vocab
    actor = next(t.object.value for t in release.data if t.predicate.value == vocab.participant)
    iri = release.landing + "id/event/escaping-test"
    literal = json.dumps(NASTY)  # a valid Turtle string too: JSON escapes are Turtle escapes
    (target / "data" / "zz-escaping.ttl").write_text(
        f"<{iri}> a <{vocab.Event}> ;\n"
        f"    <http://www.w3.org/2000/01/rdf-schema#label> {literal}@en , \"Prueba & <b>es</b>\"@es ;\n"
        f"    <http://purl.org/dc/terms/description> {literal}@en ;\n"
        f"    <{vocab.date}> \"2015-03-02\"^^<http://www.w3.org/2001/XMLSchema#date> ;\n"
        f"    <{vocab.participant}> <{actor}> .\n",
        encoding="utf-8",
    )
    return target, iri


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "release"
    release = build(ROOT, out)
    return release, out


@pytest.fixture(scope="module")
def nasty(tmp_path_factory):
    folder, iri = nasty_project(tmp_path_factory.mktemp("nasty"))
    out = folder / "release"
    release = build(folder, out)
    return release, out, iri


class Links(HTMLParser):
    """The links, ids and script elements of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[dict] = []
        self.langs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "html":
            self.langs.append(a.get("lang", ""))
        for name in ("href", "src"):
            if a.get(name) is not None:
                self.links.append(a[name])
        if tag == "script":
            self.scripts.append(a)


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def resources(release) -> list[str]:
    return sorted(SiteGraph(release).pages)


# --- files -----------------------------------------------------------------------------


def test_every_resource_below_the_landing_page_has_its_three_files(built):
    release, out = built
    named = {t.subject.value for t in release.data if isinstance(t.subject, ox.NamedNode)}
    expected = {iri for iri in named if release.page_path(iri) and iri != release.ontology_iri}
    assert expected <= set(resources(release))
    for iri in expected:
        path = release.page_path(iri)
        for ext in (".html", ".ttl", ".jsonld"):
            assert (out / f"{path}{ext}").is_file(), f"{path}{ext} is missing"


def test_the_site_pages_exist(built):
    release, out = built
    for name in ("index.html", "browse.html", "timeline.html", "network.html", ".htaccess", "assets/style.css",
                 f"{release.page_path(release.ontology_iri)}.html"):
        assert (out / name).is_file(), name


def test_turtle_and_jsonld_equal_the_description(built):
    release, out = built
    sg = SiteGraph(release)
    for iri in resources(release):
        path = release.page_path(iri)
        expected = to_rdflib(pages.description(sg, iri))
        assert len(expected) > 0
        turtle = Graph().parse(out / f"{path}.ttl", format="turtle")
        assert isomorphic(turtle, expected), f"{path}.ttl differs from the description of {iri}"
        document = json.loads((out / f"{path}.jsonld").read_text(encoding="utf-8"))
        assert "@graph" not in document, f"{path}.jsonld is not framed on its resource"
        assert isinstance(document["@context"], dict)
        parsed = Graph().parse(data=json.dumps(document), format="json-ld")
        assert isomorphic(parsed, expected), f"{path}.jsonld differs from the description of {iri}"


def test_a_description_carries_the_blank_nodes_it_reaches(built):
    release, _out = built
    sg = SiteGraph(release)
    with_blank = [t.subject.value for t in release.data
                  if isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.BlankNode)]
    assert with_blank, "the bundled data has blank nodes (in claims and sources): this test needs one"
    items = pages.description(sg, with_blank[0])
    blanks = {t.object for t in items if isinstance(t.object, ox.BlankNode)}
    assert blanks <= {t.subject for t in items}


# --- links -----------------------------------------------------------------------------


def broken_links(out: Path) -> list[str]:
    """Relative links of the site's pages whose file or anchor does not exist."""
    parsed: dict[Path, Links] = {p.resolve(): parse(p) for p in out.rglob("*.html")}
    broken = []
    for page, links in parsed.items():
        for link in links.links:
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", link):
                continue  # absolute: another site, or a data: URL
            assert not link.startswith("/"), f"{page}: {link} is not relative"
            target, _, anchor = link.partition("#")
            target = target.partition("?")[0]  # a query string (query.html?query=NAME) names no file
            file = (page.parent / unquote(target)).resolve() if target else page
            if not file.is_file():
                broken.append(f"{page}: {link}")
                continue
            if anchor and file.suffix == ".html" and anchor not in parsed[file].ids:
                broken.append(f"{page}: {link} (no such anchor)")
    return broken


def test_every_relative_link_points_to_a_file_or_anchor_that_exists(built):
    _release, out = built
    broken = broken_links(out)
    assert not broken, "\n".join(broken[:20])


def test_any_project_renders_with_working_links(tmp_path):
    """A small project with its own ontology, no events, agreements or stored-query defaults."""
    mini = ROOT / "tests" / "fixtures" / "mini"
    release = prepare(Project(mini), base_url="https://example.org/", today="2026-01-01")
    write_distributions(release, tmp_path, "mini")
    site.render(release, tmp_path, dataset_jsonld={})
    write_checksums(release, tmp_path)
    for iri in SiteGraph(release).pages:
        assert (tmp_path / f"{release.page_path(iri)}.html").is_file()
    assert (tmp_path / f"{release.page_path(release.ontology_iri)}.html").is_file()
    assert "no dated events or agreements" in (tmp_path / "timeline.html").read_text(encoding="utf-8")
    broken = broken_links(tmp_path)
    assert not broken, "\n".join(broken[:20])


def test_pages_need_nothing_from_another_site(built):
    _release, out = built
    for page in [out / "index.html", out / "timeline.html", out / "network.html"]:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'<(link|script|img)[^>]+(href|src)="(https?:)?//', text), page
        assert "@import" not in (out / "assets" / "style.css").read_text(encoding="utf-8")


def test_every_page_is_html5_in_english(built):
    _release, out = built
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>\n<html lang=\"en\">"), page
        assert '<meta charset="utf-8">' in text


# --- the landing page --------------------------------------------------------------------


def test_landing_page_lists_every_download_with_its_checksum(built):
    release, out = built
    text = (out / "index.html").read_text(encoding="utf-8")
    assert release.distributions
    for dist in release.distributions:
        assert f'href="{dist.path}"' in text, dist.path
        assert dist.sha256 in text
        assert dist.media_type in text


def test_landing_page_shows_example_queries_with_results(built):
    release, out = built
    text = (out / "index.html").read_text(encoding="utf-8")
    assert 3 <= text.count('<table class="results') <= 4
    shown = re.findall(r'<article class="query" aria-labelledby="q-([^"]+)"', text)
    assert shown and all(name in release.queries for name in shown)
    for name in shown:
        assert f"{name}.rq" in text


def test_landing_page_runs_only_the_example_queries_and_cuts_long_answers(built, monkeypatch):
    from isthmus import queries
    from isthmus.publish import landing

    release, out = built
    text = (out / "index.html").read_text(encoding="utf-8")
    shown = re.findall(r'<article class="query" aria-labelledby="q-([^"]+)"', text)
    assert shown == sorted(q.name for q in release.queries.values() if "example" in q.tags)
    assert re.search(r"<caption>\d[\d,]* rows; the first 20 shown</caption>", text)
    for table in re.findall(r'<table class="results.*?</table>', text, re.S):
        assert table.count("<tr>") <= 1 + 20  # the header and at most 20 rows
    ran = []
    real = queries.run_local
    monkeypatch.setattr(queries, "run_local", lambda *a, **k: ran.append(k.get("shown")) or real(*a, **k))
    landing.examples(SiteGraph(release))
    assert sorted(ran) == shown, "a query not tagged example ran"


def test_landing_page_cites_the_dataset_and_the_article_by_doi(built):
    release, out = built
    text = (out / "index.html").read_text(encoding="utf-8")
    sources = [t.object.value for t in release.data
               if t.subject.value == release.dataset and t.predicate.value == "http://purl.org/dc/terms/source"]
    assert sources
    for source in sources:
        assert f'href="{source}"' in text
    assert release.landing in text
    assert 'rel="license"' in text


def test_landing_page_counts_the_kinds(built):
    from isthmus.publish import landing

    release, out = built
    text = (out / "index.html").read_text(encoding="utf-8")
    assert f"<strong>{len(release.data):,}</strong> triples" in text
    sg = SiteGraph(release)
    stats = landing.statistics(sg)
    for cls in (release.vocab.Event, release.vocab.Agreement):
        kind = next(k for k in stats["kinds"] if k["view"]["iri"] == cls)
        expected = {t.subject for t in release.data if isinstance(t.subject, ox.NamedNode) and sg.is_a(t.subject, cls)}
        assert kind["count"] == len(expected) > 0
        assert f'<td class="num">{kind["count"]:,}</td>' in text


# --- the ontology ------------------------------------------------------------------------


def test_ontology_page_has_an_anchor_per_term(built):
    release, out = built
    page = out / f"{release.page_path(release.ontology_iri)}.html"
    ids = parse(page).ids
    namespace = release.vocab.namespace
    terms = {t.subject.value[len(namespace):] for t in release.ontology
             if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(namespace)
             and t.subject.value != namespace}
    assert terms and terms <= ids
    text = page.read_text(encoding="utf-8")
    assert "with its subproperties" in text  # usage counts through the hierarchy


# --- pictures ----------------------------------------------------------------------------


def test_timeline_links_every_dated_event_and_agreement(built):
    release, out = built
    vocab = release.vocab
    sg = SiteGraph(release)
    dated = {t.subject.value for t in release.data if t.predicate.value in (vocab.date, vocab.startDate)
             and (sg.is_a(t.subject, vocab.Event) or sg.is_a(t.subject, vocab.Agreement))}
    text = (out / "timeline.html").read_text(encoding="utf-8")
    svg = text[text.index("<svg"):text.index("</svg>")]
    for iri in dated:
        assert f'href="{release.page_path(iri)}.html"' in svg, iri


def test_network_links_every_actor_that_takes_part(built):
    release, out = built
    sg = SiteGraph(release)
    roles = sg.subproperties_of(release.vocab.involves)
    actors = {t.object.value for t in release.data if t.predicate.value in roles}
    text = (out / "network.html").read_text(encoding="utf-8")
    svg = text[text.index("<svg"):text.index("</svg>")]
    assert actors
    for iri in actors:
        if release.page_path(iri):
            assert f'href="{release.page_path(iri)}.html"' in svg, iri


# --- .htaccess ---------------------------------------------------------------------------


def test_htaccess_negotiates_the_three_media_types(built):
    release, out = built
    text = (out / ".htaccess").read_text(encoding="utf-8")
    for media, ext in (("text/turtle", "ttl"), ("application/ld\\+json", "jsonld"), ("application/rdf\\+xml", "rdf")):
        assert f"RewriteCond %{{HTTP_ACCEPT}} {media}" in text
        assert f"$1.{ext} [L]" in text
    for line in ("AddType text/turtle .ttl", "AddType application/ld+json .jsonld",
                 "AddType application/rdf+xml .rdf", "Header merge Vary Accept", "RewriteEngine On"):
        assert line in text
    pattern = re.search(r"^RewriteRule (\S+) \$1\.html", text, re.M).group(1)
    some = release.page_path(resources(release)[0])
    assert re.match(pattern, some)
    assert re.match(pattern, release.page_path(release.ontology_iri))
    for other in (some + ".html", "index.html", "dumps/isthmus.ttl"):
        assert not re.match(pattern, other), other


# --- escaping ----------------------------------------------------------------------------


def test_hostile_literals_are_escaped(nasty):
    release, out, iri = nasty
    page = (out / f"{release.page_path(iri)}.html").read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert "&#34;quoted&#34; &amp; &#39;single&#39; &lt;/p&gt;" in page
    assert '<span lang="es">Prueba &amp; &lt;b&gt;es&lt;/b&gt;</span>' in page
    assert "<script" not in page
    for name in ("timeline.html", "network.html", "browse.html"):
        text = (out / name).read_text(encoding="utf-8")
        assert "<script" not in text, name
        assert "&lt;script&gt;window.__pwned" in text, name


def test_landing_page_json_ld_cannot_close_its_script(nasty):
    _release, out, _iri = nasty
    text = (out / "index.html").read_text(encoding="utf-8")
    assert text.count("<script") == 1
    block = text[text.index('<script type="application/ld+json">') + len('<script type="application/ld+json">'):]
    block = block[: block.index("</script>")]
    assert "</" not in block and "<!--" not in block and "<script" not in block
    assert json.loads(block) == DATASET_JSONLD


# --- determinism -------------------------------------------------------------------------


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_rendering_twice_gives_identical_bytes(built, tmp_path):
    """A second build in another process (other hash seeds, so other set orders)."""
    import os
    import subprocess
    import sys

    _release, out = built
    again = tmp_path / "again"
    script = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
              f"from pathlib import Path; import test_site; test_site.build(test_site.ROOT, Path({str(again)!r}))")
    env = dict(os.environ, PYTHONHASHSEED="12345")
    subprocess.run([sys.executable, "-c", script], check=True, env=env, timeout=300)
    first, second = _files(out), _files(again)
    assert first.keys() == second.keys()
    different = [name for name in first if first[name] != second[name]]
    assert not different, different[:10]


@pytest.mark.parametrize("large", [False, True], ids=["one process", "worker processes"])
def test_a_page_that_would_overwrite_a_release_file_is_refused(tmp_path, monkeypatch, large):
    from isthmus.errors import DataError

    if large:  # the check runs while the workers write pages; they stop
        monkeypatch.setattr(site, "LARGE", 10)
        monkeypatch.setattr(site.workers, "available", lambda: 2)
    folder = tmp_path / "project"
    for part in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(ROOT / part, folder / part)
    release = prepare(Project(folder), today="2026-01-01")
    (folder / "data" / "zz-clash.ttl").write_text(
        f"<{release.landing}timeline> <http://www.w3.org/2000/01/rdf-schema#label> \"clash\"@en .\n", encoding="utf-8")
    release = prepare(Project(folder), today="2026-01-01")
    with pytest.raises(DataError, match="timeline.html"):
        site.render(release, tmp_path / "out", dataset_jsonld={})


# --- large graphs ------------------------------------------------------------------------
# The article is small; lowered thresholds make it take the paths a large graph takes.


def test_the_linear_framer_writes_pyld_s_bytes_for_every_resource(built):
    """Above ``site.LARGE`` pages the per-resource JSON-LD is written by the linear framer:
    the switch must change nothing but the time."""
    from isthmus.publish import framing

    release, _out = built
    sg = SiteGraph(release)
    pyld = framing.Framer(release.context.document)
    linear = framing.LinearFramer(release.context.document)
    assert linear.supported
    direct = 0
    for iri in resources(release):
        items = pages.description(sg, iri)
        try:
            framing.dumps(linear.frame(items, iri))
            direct += 1
        except framing._Unsupported:
            pass
        assert linear.document(items, iri) == pyld.document(items, iri), iri
    assert direct >= 0.9 * len(resources(release)), "the linear framer should cover nearly every resource"


def test_json_bytes_are_json_dumps_bytes():
    from isthmus.publish import framing

    document = {"@context": {"@version": 1.1, "a": {"@id": "x:a"}}, "e": [], "o": {}, "n": [1, 2.5, True, None],
                "s": "é \u2028 \" \\ \u0001 </script>", "l": [{"k": ["v", {"w": "x"}]}]}
    expected = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    assert framing.dumps(document) == expected
    for doc in (document, {}, {"@graph": []}, {"@graph": [{"a": n} for n in range(60_000)]}):
        written = io.BytesIO()
        framing.write_json(doc, written)
        assert written.getvalue() == (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


SMALL = {"site.LARGE": 50, "site.BROWSE_PAGE": 60, "timeline.DETAIL": 10, "timeline.LIST_PAGE": 25,
         "network.DETAIL_ITEMS": 20, "network.LIST_PAGE": 15, "network.TOP": 12}


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """The release built as a large graph is: forked page workers, the linear framer,
    aggregated pictures, lists over several pages."""
    from isthmus.publish import network, timeline

    modules = {"site": site, "timeline": timeline, "network": network}
    out = tmp_path_factory.mktemp("large") / "release"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SMALL.items():
            module, attribute = name.split(".")
            patch.setattr(modules[module], attribute, value)
        patch.setattr(site.workers, "available", lambda: 2)
        release = build(ROOT, out)
    return release, out


def test_a_large_site_writes_the_same_resource_files(built, large):
    release, out = built
    _release, big = large
    for iri in resources(release):
        path = release.page_path(iri)
        for ext in (".html", ".ttl", ".jsonld"):
            assert (big / f"{path}{ext}").read_bytes() == (out / f"{path}{ext}").read_bytes(), f"{path}{ext}"


def test_a_large_site_has_working_links(large):
    _release, out = large
    broken = broken_links(out)
    assert not broken, "\n".join(broken[:20])


def test_a_large_timeline_counts_per_year_and_lists_every_item_once(large):
    release, out = large
    vocab = release.vocab
    sg = SiteGraph(release)
    items = {t.subject.value for t in release.data if isinstance(t.subject, ox.NamedNode)
             and (sg.is_a(t.subject, vocab.Event) or sg.is_a(t.subject, vocab.Agreement))}
    first = (out / "timeline.html").read_text(encoding="utf-8")
    svg = first[first.index("<svg"):first.index("</svg>")]
    assert '<g class="bars">' in svg and "#y" in svg
    listed = []
    for page in sorted(out.glob("timeline*.html")):
        text = page.read_text(encoding="utf-8")
        section = text[text.index('<section aria-labelledby="h-list">'):]
        listed += re.findall(r'<li class="k-\w+"[^>]*>.*?<a href="([^"]+)">', section)
    assert len(list(out.glob("timeline*.html"))) > 1
    assert sorted(listed) == sorted(f"{release.page_path(iri)}.html" for iri in items)


def test_a_large_network_shows_the_top_actors_and_lists_every_actor(large):
    release, out = large
    sg = SiteGraph(release)
    roles = sg.subproperties_of(release.vocab.involves)
    actors = {t.object.value for t in release.data if t.predicate.value in roles and isinstance(t.object, ox.NamedNode)
              and t.object != t.subject}
    first = (out / "network.html").read_text(encoding="utf-8")
    svg = first[first.index("<svg"):first.index("</svg>")]
    assert len(re.findall(r'<circle class="k-actor"', svg)) == SMALL["network.TOP"]
    listed = []
    for page in sorted(out.glob("network*.html")):
        text = page.read_text(encoding="utf-8")
        listed += re.findall(r'<tr><th scope="row"><a href="([^"]+)">', text)
    assert len(list(out.glob("network*.html"))) > 1
    assert sorted(listed) == sorted(f"{release.page_path(a)}.html" for a in actors if release.page_path(a))


def test_large_browse_pages_link_every_resource_the_single_page_does(built, large):
    _release, small = built
    _release, out = large
    linked = set()
    for page in out.glob("browse*.html"):
        linked |= {unquote(href) for href in parse(page).links}
    assert len(list(out.glob("browse*.html"))) > 2
    listed = {unquote(href) for href in parse(small / "browse.html").links if href.startswith("id/")}
    assert listed and listed <= linked


def test_a_release_built_with_a_background_process_is_the_same(tmp_path, monkeypatch):
    """``release.build`` writes the dumps and metadata in a forked process on a large
    graph: the files are those of a build in one process."""
    from isthmus.publish import release as releases

    def tree(background: int, name: str) -> dict[str, bytes]:
        monkeypatch.setattr(releases, "BACKGROUND", background)
        monkeypatch.setattr(site.workers, "available", lambda: 2)
        release = prepare(Project(ROOT), today="2026-01-01")
        return _files(releases.build(release, tmp_path / name))

    one, two = tree(10**12, "one"), tree(1, "two")
    assert one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == []


def test_a_failure_in_the_background_process_fails_the_build(tmp_path, monkeypatch):
    from isthmus.errors import OutputError
    from isthmus.publish import release as releases

    def fail(*_args, **_kwargs):
        raise OutputError("dumps/isthmus.ttl: cannot write: disk full")

    monkeypatch.setattr(releases, "BACKGROUND", 1)
    monkeypatch.setattr(site.workers, "available", lambda: 2)
    monkeypatch.setattr(releases, "write_distributions", fail)
    release = prepare(Project(ROOT), today="2026-01-01")
    with pytest.raises(OutputError, match="disk full"):
        releases.build(release, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "the temporary folder is removed"


def test_the_vendored_query_engine_is_the_published_npm_build(built):
    """The files copied into every release are those SOURCE.md records (npm oxigraph's
    web build, by SHA-256), and the release carries its licence."""
    import hashlib
    from importlib import resources

    from isthmus.publish import querypage

    folder = resources.files("isthmus").joinpath("vendor", "oxigraph")
    source = folder.joinpath("SOURCE.md").read_text()
    assert f"version {querypage.ENGINE_VERSION}" in source
    recorded = dict(re.findall(r"^\| (\S+) \| ([0-9a-f]{64}) \|$", source, re.M))
    assert set(recorded) == {"web.js", "web_bg.wasm"}
    _release, out = built
    for name, digest in recorded.items():
        assert hashlib.sha256(folder.joinpath(name).read_bytes()).hexdigest() == digest, name
        assert hashlib.sha256((out / querypage.ASSET_FOLDER / name).read_bytes()).hexdigest() == digest, name
    assert "Permission is hereby granted" in (out / querypage.ASSET_FOLDER / "LICENSE-MIT").read_text()


def test_the_query_page_offers_every_stored_query_with_its_defaults_bound(built):
    from isthmus.publish.querypage import bound_text

    release, out = built
    html = (out / "query.html").read_text()
    config = json.loads(re.search(r'<script type="application/json" id="query-config">(.*?)</script>', html, re.S).group(1))
    assert [q["name"] for q in config["queries"]] == sorted(release.queries)
    for entry in config["queries"]:
        query = release.queries[entry["name"]]
        assert entry["text"] == bound_text(query)
        for param in query.params:
            if param.default is not None:
                assert "VALUES" in entry["text"] and param.default in entry["text"], entry["name"]
    loaded = {f["path"] for f in config["files"]}
    assert loaded == {d.path for d in release.distributions if (d.role, d.format) in (("data", "ntriples"), ("ontology", "turtle"))}
    assert all((out / path).is_file() for path in loaded)
    assert all((out / path).is_file() for path in (config["engine"], config["wasm"]))
