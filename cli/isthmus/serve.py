"""Serve a release: its site, and its graph behind a read-only SPARQL 1.1 endpoint.

The endpoint is the Oxigraph server in read-only mode (its store loaded from the
release's dumps); in front of it, one small HTTP front on one port serves the static
site and passes queries through after the checks that keep a public endpoint safe:

- only queries: updates (``INSERT``, ``LOAD``, ``CLEAR``…) are refused before they reach
  the store, which refuses them too;
- no ``SERVICE`` to hosts outside an allow-list (the store would otherwise fetch any URL
  a stranger names: server-side request forgery);
- a time limit per query (the store's own) and a cap on the size of an answer;
- static files only from inside the release folder (no path traversal).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from isthmus import sparqltext
from isthmus.errors import IsthmusError

MEDIA = {
    ".html": "text/html; charset=utf-8",
    ".ttl": "text/turtle; charset=utf-8",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".json": "application/json",
    ".rdf": "application/rdf+xml",
    ".rq": "application/sparql-query",
    ".zip": "application/zip",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".wasm": "application/wasm",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}
NEGOTIATED = (("text/turtle", ".ttl"), ("application/ld+json", ".jsonld"), ("application/rdf+xml", ".rdf"),
              ("application/n-triples", ".nt"), ("text/html", ".html"))


def oxigraph_binary() -> str:
    here = Path(sys.executable).parent / "oxigraph"
    found = str(here) if here.exists() else shutil.which("oxigraph")
    if not found:
        raise IsthmusError("the Oxigraph server is not installed (pip install oxigraph)")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class Policy:
    """What the public endpoint allows."""

    allowed_services: tuple[str, ...] = ()  # IRI prefixes SERVICE may name
    max_answer_bytes: int = 50_000_000
    max_query_bytes: int = 100_000
    timeout_s: int = 30

    def refusal(self, text: str) -> str | None:
        """Why ``text`` may not run here, or None when it may."""
        if len(text.encode("utf-8")) > self.max_query_bytes:
            return f"the query is longer than {self.max_query_bytes} bytes"
        form = sparqltext.query_form(text)
        if form is None:
            return "only SPARQL queries (SELECT, ASK, CONSTRUCT, DESCRIBE) are served; updates are refused"
        for target in sparqltext.service_targets(text):
            if not any(target.startswith(prefix) for prefix in self.allowed_services if prefix):
                return f"SERVICE {target} is not allowed on this endpoint (no requests to other hosts)"
        return None


@dataclass
class Served:
    """A running server: the public URL, the endpoint URL, and how to stop it."""

    url: str
    sparql: str
    store_process: subprocess.Popen
    httpd: ThreadingHTTPServer
    workdir: Path
    thread: threading.Thread
    stopped: bool = field(default=False)

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.httpd.shutdown()
        self.httpd.server_close()
        self.store_process.terminate()
        try:
            self.store_process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.store_process.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _graph_files(release: Path) -> list[Path]:
    dumps = sorted((release / "dumps").glob("*.nt"))
    ontology = sorted(p for p in release.glob("*.ttl") if p.name not in ("void.ttl", "catalog.ttl"))
    if not dumps:
        raise IsthmusError(f"--release {release}: no dumps/*.nt in it; is it a release made by 'isthmus publish'?")
    return dumps + ontology


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            if process.poll() is not None or time.monotonic() > deadline:
                err = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
                raise IsthmusError(f"the Oxigraph server did not start: {err.strip()[:300]}") from None
            time.sleep(0.05)


def start(release: Path, *, host: str = "127.0.0.1", port: int = 8000, policy: Policy | None = None) -> Served:
    """Load the release into a private Oxigraph store and serve it; returns at once."""
    release = Path(release).resolve()
    if not (release / "index.html").is_file():
        raise IsthmusError(f"--release {release}: not a release (no index.html); run 'isthmus publish' first")
    policy = policy or Policy()
    binary = oxigraph_binary()
    workdir = Path(tempfile.mkdtemp(prefix="isthmus-serve-"))
    store = workdir / "store"
    loaded = subprocess.run([binary, "load", "--location", str(store), "--file", *map(str, _graph_files(release))],
                            capture_output=True, text=True)
    if loaded.returncode != 0:
        shutil.rmtree(workdir, ignore_errors=True)
        raise IsthmusError(f"loading the release into Oxigraph failed: {loaded.stderr.strip()[:300]}")
    inner = free_port()
    process = subprocess.Popen(
        [binary, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{inner}", "--timeout-s", str(policy.timeout_s)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    backend = f"http://127.0.0.1:{inner}/query"
    try:
        _wait_for(backend + "?query=ASK%7B%7D", process)
        handler = _handler(release, backend, policy)
        try:
            httpd = _Server((host, port), handler)
        except OSError as err:
            raise IsthmusError(f"--port {port}: cannot listen on {host}:{port}: {err.strerror or err}") from None
    except BaseException:
        process.terminate()
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    public = f"http://{host}:{httpd.server_address[1]}/"
    return Served(public, public + "sparql", process, httpd, workdir, thread)


class _Server(ThreadingHTTPServer):
    """Threads per request, and a listen queue deep enough for bursts of clients (the
    standard library's default of 5 resets connections under load)."""

    daemon_threads = True
    request_queue_size = 256


def _handler(root: Path, backend: str, policy: Policy):
    class Handler(BaseHTTPRequestHandler):
        server_version = "isthmus"
        sys_version = ""

        def log_message(self, *args):  # quiet; the CLI prints its own line
            pass

        def _send(self, status: int, body: bytes, media: str = "text/plain; charset=utf-8", extra: dict | None = None):
            self.send_response(status)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        # --- SPARQL ----------------------------------------------------------------------
        def _sparql(self, text: str | None):
            if text is None:
                return self._send(400, b"give the query as ?query=... or in the request body\n")
            refusal = policy.refusal(text)
            if refusal:
                return self._send(403, (refusal + "\n").encode("utf-8"))
            accept = self.headers.get("Accept") or "application/sparql-results+json"
            data = urllib.parse.urlencode({"query": text}).encode("utf-8")
            request = urllib.request.Request(backend, data=data, method="POST", headers={
                "Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
            try:
                with urllib.request.urlopen(request, timeout=policy.timeout_s + 5) as response:
                    body = response.read(policy.max_answer_bytes + 1)
                    media = response.headers.get("Content-Type", "application/octet-stream")
            except urllib.error.HTTPError as err:
                return self._send(err.code, err.read()[:2000] or b"query failed\n")
            except (urllib.error.URLError, OSError, TimeoutError):
                return self._send(504, b"the query did not finish in time\n")
            if len(body) > policy.max_answer_bytes:
                return self._send(507, f"the answer is larger than {policy.max_answer_bytes} bytes; add a LIMIT\n".encode())
            return self._send(200, body, media, {"Access-Control-Allow-Origin": "*"})

        def do_GET(self):  # noqa: N802 - http.server's naming
            parts = urllib.parse.urlsplit(self.path)
            if parts.path in ("/sparql", "/query"):
                query = urllib.parse.parse_qs(parts.query).get("query", [None])[0]
                return self._sparql(query)
            if parts.path == "/update":
                return self._send(403, b"this endpoint is read-only\n")
            return self._static(urllib.parse.unquote(parts.path))

        do_HEAD = do_GET

        def do_POST(self):  # noqa: N802
            parts = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if length > policy.max_query_bytes * 3:
                return self._send(413, b"request too large\n")
            body = self.rfile.read(length).decode("utf-8", errors="replace") if length else ""
            if parts.path == "/update":
                return self._send(403, b"this endpoint is read-only\n")
            if parts.path not in ("/sparql", "/query"):
                return self._send(405, b"only the SPARQL endpoint takes POST\n")
            media = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if media == "application/sparql-update":
                return self._send(403, b"this endpoint is read-only\n")
            if media == "application/sparql-query":
                return self._sparql(body)
            form = urllib.parse.parse_qs(body)
            if "update" in form:
                return self._send(403, b"this endpoint is read-only\n")
            return self._sparql(form.get("query", [None])[0])

        def do_PUT(self):  # noqa: N802
            return self._send(405, b"read-only\n")

        do_DELETE = do_PATCH = do_PUT

        # --- the site ------------------------------------------------------------------------
        def _static(self, path: str):
            if "\x00" in path:
                return self._send(400, b"bad path\n")
            target = (root / path.lstrip("/")).resolve()
            if target != root and root not in target.parents:
                return self._send(404, b"not found\n")
            if target.is_dir():
                target = target / "index.html"
            if not target.exists() and not target.suffix:
                accept = self.headers.get("Accept") or ""
                for media, suffix in NEGOTIATED:
                    if media in accept and target.with_suffix(suffix).is_file():
                        target = target.with_suffix(suffix)
                        break
                else:
                    target = target.with_suffix(".html")
            if not target.is_file() or (target != root and root not in target.resolve().parents):
                return self._send(404, b"not found\n")
            return self._send(200, target.read_bytes(), MEDIA.get(target.suffix, "application/octet-stream"),
                              {"Vary": "Accept"})

    return Handler
