"""The site in a real browser: Debian's Chromium, headless, driven by Playwright.

The pages load without console errors or failed requests, from a local HTTP server and
from file://; the pictures' links lead to pages; a hostile literal shows as text and runs
nothing. Screenshots go to the test's tmp_path.

Needs the Debian package ``chromium`` (at /usr/bin/chromium) and the PyPI package
``playwright`` (its own browser download is never used). Missing either is a failure.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from isthmus.publish.sitegraph import SiteGraph
from test_site import DATASET_JSONLD, NASTY, build, nasty_project

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass


@pytest.fixture(scope="module")
def release_site(tmp_path_factory):
    """A release of the project plus one hostile resource, served on 127.0.0.1."""
    folder, iri = nasty_project(tmp_path_factory.mktemp("browser"))
    out = folder / "release"
    release = build(folder, out)
    handler = functools.partial(_Quiet, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield release, out, iri, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the Python package 'playwright' is missing: pip install playwright")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Watched:
    """A page that records console errors, page errors, failed requests and every URL."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("response", lambda r: self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

    def open(self, url: str):
        response = self.page.goto(url, wait_until="load")
        assert response is None or response.ok, f"{url}: HTTP {response.status}"
        return self.page


@pytest.fixture
def watched(browser):
    w = Watched(browser)
    yield w
    w.page.close()


def _entity(release) -> str:
    """The resource with the most supporting claims: a page with every section."""
    counts: dict[str, int] = {}
    for t in release.data:
        if t.predicate.value == release.vocab.supports and isinstance(t.object, ox.NamedNode):
            counts[t.object.value] = counts.get(t.object.value, 0) + 1
    return max(sorted(counts), key=lambda iri: counts[iri])


def test_pages_load_cleanly_and_only_from_the_site(release_site, watched, tmp_path):
    release, _out, _iri, base = release_site
    paths = ["index.html", f"{release.page_path(_entity(release))}.html",
             f"{release.page_path(release.ontology_iri)}.html", "timeline.html", "network.html", "browse.html"]
    for path in paths:
        page = watched.open(base + path)
        assert page.title(), path
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.evaluate("getComputedStyle(document.body).margin") == "0px", f"{path}: style sheet not applied"
        page.screenshot(path=str(tmp_path / (path.replace("/", "_") + ".png")), full_page=True)
    assert not watched.problems, "\n".join(watched.problems)
    outside = [u for u in watched.requests if not u.startswith(base) and not u.startswith("data:")]
    assert not outside, outside
    for path in paths:
        assert (tmp_path / (path.replace("/", "_") + ".png")).stat().st_size > 5000


def test_pages_work_from_file_urls(release_site, watched):
    release, out, _iri, _base = release_site
    page = watched.open((out / "index.html").as_uri())
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"
    page.get_by_role("link", name="Timeline", exact=True).first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/timeline.html")
    assert page.locator("svg.timeline").is_visible()
    assert not watched.problems, "\n".join(watched.problems)


@pytest.mark.parametrize("name,selector", [("timeline.html", "svg.timeline a"), ("network.html", "svg.network .nodes a")])
def test_picture_marks_link_to_pages(release_site, watched, name, selector):
    release, _out, _iri, base = release_site
    page = watched.open(base + name)
    links = page.locator(selector)
    assert links.count() > 10
    hrefs = links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    for href in hrefs:
        response = page.request.get(base + href)
        assert response.ok, href
    target = hrefs[len(hrefs) // 2]
    links.nth(len(hrefs) // 2).click()
    page.wait_for_load_state("load")
    assert page.url == base + target
    assert page.locator("h1").is_visible()
    assert page.locator("h2", has_text="Properties").is_visible()
    assert not watched.problems, "\n".join(watched.problems)


def test_hostile_literal_is_text_and_runs_nothing(release_site, watched, tmp_path):
    release, _out, iri, base = release_site
    page = watched.open(base + f"{release.page_path(iri)}.html")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("h1").inner_text() == NASTY.strip()
    assert page.get_by_text("<script>window.__pwned = 1</script>").first.is_visible()
    assert page.locator('span[lang="es"]', has_text="Prueba & <b>es</b>").first.is_visible()
    page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
    for name in ("timeline.html", "network.html", "browse.html", "index.html"):
        page = watched.open(base + name)
        assert page.evaluate("window.__pwned") is None, name
    found = page.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
    assert found == DATASET_JSONLD
    assert not watched.problems, "\n".join(watched.problems)


def test_ontology_anchors_land_on_their_terms(release_site, watched):
    release, _out, _iri, base = release_site
    sg = SiteGraph(release)
    term = sorted(sg.terms)[0]
    local = term[len(sg.namespace):]
    page = watched.open(base + f"{release.page_path(release.ontology_iri)}.html#{local}")
    article = page.locator(f'article[id="{local}"]')
    assert article.is_visible()
    assert article.evaluate("e => e.matches(':target')")


# --- the query page: Oxigraph's WebAssembly build over the dumps -------------------------


def _finished(page, timeout: float = 60_000) -> str:
    page.wait_for_function("['done', 'error'].includes(document.body.dataset.state)", timeout=timeout)
    return page.evaluate("document.body.dataset.state")


def _browser_rows(page) -> list[tuple]:
    """The result table's rows: an IRI cell by its full IRI (the link's title), a literal by
    its text, a blank node as '_:'."""
    return [tuple(row) for row in page.evaluate("""() =>
        [...document.querySelectorAll('#query-results tbody tr')].map(tr => [...tr.cells].map(td => {
            const a = td.querySelector('a');
            if (a) return a.title;
            const lit = td.querySelector('.lit');
            if (lit) return lit.textContent;
            return td.textContent.startsWith('_:') ? '_:' : td.textContent;
        }))""")]


def _python_rows(release, text: str) -> tuple[list[str], list[tuple]]:
    result = release.store.query(text)
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        cells = []
        for name in names:
            term = solution[name]
            cells.append("" if term is None else "_:" if isinstance(term, ox.BlankNode) else term.value)
        rows.append(tuple(cells))
    return names, rows


def _unordered(rows: list[tuple]) -> list[tuple]:
    """Rows in a stable order, each GROUP_CONCAT cell's parts sorted: SPARQL leaves the
    order of a group's values to the engine, which follows the order the data was loaded."""
    def cell(text: str) -> str:
        for separator in ("; ", ", "):
            if separator in text:
                return separator.join(sorted(text.split(separator)))
        return text
    return sorted(tuple(cell(c) for c in row) for row in rows)


def test_query_page_answers_every_stored_query_as_the_cli_does(release_site, watched, tmp_path):
    """Each stored query, opened as query.html?query=NAME, runs in the browser over the
    dumps and gives the rows pyoxigraph gives on the release's store."""
    from isthmus.publish.querypage import bound_text

    release, _out, _iri, base = release_site
    assert len(release.queries) >= 15
    for name, query in sorted(release.queries.items()):
        page = watched.open(base + f"query.html?query={name}")
        assert _finished(page) == "done", f"{name}: {page.inner_text('#query-results')}"
        assert page.input_value("#query-text") == bound_text(query)
        columns, expected = _python_rows(release, bound_text(query))
        shown = page.evaluate("[...document.querySelectorAll('#query-results thead th')].map(th => th.textContent)")
        assert shown == columns, name
        got = _browser_rows(page)
        assert int(page.get_attribute("#query-results table", "data-rows")) == len(expected), name
        assert _unordered(got) == _unordered(expected), name
        assert expected, f"{name}: the stored query gives no rows on the release"
    page.screenshot(path=str(tmp_path / "query.png"), full_page=True)
    assert (tmp_path / "query.png").stat().st_size > 5000
    assert not watched.problems, "\n".join(watched.problems)
    assert all(u.startswith(base) for u in watched.requests), "the query page fetched from another site"


def test_query_page_runs_an_edited_query_and_reports_errors_without_console_errors(release_site, watched):
    release, _out, iri, base = release_site
    page = watched.open(base + "query.html")
    assert page.evaluate("document.body.dataset.state") == "idle"
    page.fill("#query-text", "SELECT ?s WHERE { ?s ?p")
    page.click("#query-run")
    assert _finished(page) == "error"
    assert "error at" in page.locator("#query-results .error").inner_text()
    # a hostile literal comes back as text and runs nothing
    page.fill("#query-text", f"SELECT ?label WHERE {{ <{iri}> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}")
    page.click("#query-run")
    assert _finished(page) == "done"
    assert page.evaluate("window.__pwned") is None
    assert NASTY in [row[0] for row in _browser_rows(page)]
    assert page.get_by_text("<script>window.__pwned = 1</script>").first.is_visible()
    # ASK and CONSTRUCT answers
    page.fill("#query-text", f"ASK {{ <{iri}> ?p ?o }}")
    page.click("#query-run")
    assert _finished(page) == "done"
    assert page.locator("#query-results .answer").inner_text() == "Yes (true)"
    page.fill("#query-text", f"CONSTRUCT WHERE {{ <{iri}> ?p ?o }}")
    page.click("#query-run")
    assert _finished(page) == "done"
    got = ox.parse(page.locator("#query-results pre").inner_text().encode(), format=ox.RdfFormat.N_TRIPLES)
    assert {q.triple for q in got} == {q.triple
                                for q in release.store.quads_for_pattern(ox.NamedNode(iri), None, None)}
    # a result IRI of the release links to its page on the site
    page.fill("#query-text", f"SELECT ?s WHERE {{ VALUES ?s {{ <{iri}> }} }}")
    page.click("#query-run")
    assert _finished(page) == "done"
    page.locator("#query-results tbody a").first.click()
    page.wait_for_load_state("load")
    assert page.url == base + f"{release.page_path(iri)}.html"
    assert not watched.problems, "\n".join(watched.problems)


def test_query_page_from_a_file_says_it_needs_a_web_server(release_site, watched):
    _release, out, _iri, _base = release_site
    page = watched.open((out / "query.html").as_uri())
    assert page.evaluate("document.body.dataset.state") == "error"
    assert "web server" in page.inner_text("#query-status")
    assert page.locator("#query-run").is_disabled()
    assert not watched.problems, "\n".join(watched.problems)
