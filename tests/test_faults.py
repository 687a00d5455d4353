"""Faults: a publish killed at random points, a Graph Store that dies during a push, a disk
that fills up mid-build. Each must leave the previous state whole."""

from __future__ import annotations

import hashlib
import json
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import _free_port, oxigraph_binary
from support import ROOT

PUBLISH = [sys.executable, "-m", "isthmus", "--project", str(ROOT), "publish"]


def release_is_whole(out: Path) -> bool:
    """Every file SHA256SUMS lists is there with its checksum, and the site's front page."""
    sums = out / "SHA256SUMS"
    if not sums.is_file() or not (out / "index.html").is_file():
        return False
    for line in sums.read_text().splitlines():
        digest, path = line.split("  ", 1)
        target = out / path
        if not target.is_file() or hashlib.sha256(target.read_bytes()).hexdigest() != digest:
            return False
    return True


def snapshot(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest() for p in out.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("previous") / "dist"
    subprocess.run(PUBLISH + ["--out", str(out)], check=True, capture_output=True)
    assert release_is_whole(out)
    return out


def test_publish_killed_at_random_points_leaves_the_previous_release(previous, tmp_path):
    out = tmp_path / "dist"
    shutil.copytree(previous, out)
    before = snapshot(out)
    start = time.monotonic()
    subprocess.run(PUBLISH + ["--out", str(tmp_path / "timing")], check=True, capture_output=True)
    duration = time.monotonic() - start
    rng = random.Random(20261127)
    outcomes = {"killed": 0, "finished": 0}
    for _ in range(20):
        process = subprocess.Popen(PUBLISH + ["--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, duration * 1.1))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            outcomes["killed"] += 1
        else:
            outcomes["finished"] += 1
        process.wait()
        assert release_is_whole(out), "the release folder must always be a whole release"
        now = snapshot(out)
        changed = {path for path in set(now) | set(before) if now.get(path) != before.get(path)}
        # a finished run may have replaced the release by a new one (same graph, maybe a new
        # build date); a killed one leaves the old or the new release, never a mix
        assert not changed or release_is_whole(out)
        before = now
    assert outcomes["killed"] >= 10, outcomes


def _count(url: str, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    request = urllib.request.Request(url + "/query?" + urllib.parse.urlencode({"query": query}),
                                     headers={"Accept": "application/sparql-results+json"})
    return int(json.loads(urllib.request.urlopen(request, timeout=10).read())["results"]["bindings"][0]["n"]["value"])


def _persistent_server(location: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=1).read()
            return process
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("Oxigraph did not start")


def test_a_store_that_dies_during_a_push_holds_the_old_graph_or_the_new(tmp_path):
    import pyoxigraph as ox

    from isthmus.errors import EndpointError
    from isthmus.publish.push import push

    location, port = tmp_path / "store", _free_port()
    graph = "https://example.org/graph"
    old = [ox.Triple(ox.NamedNode(f"https://example.org/old/{i}"), ox.NamedNode("https://example.org/p"), ox.Literal(str(i)))
           for i in range(1000)]
    new = [ox.Triple(ox.NamedNode(f"https://example.org/new/{i}"), ox.NamedNode("https://example.org/p"), ox.Literal("x" * 200 + str(i)))
           for i in range(150_000)]
    server = _persistent_server(location, port)
    url = f"http://127.0.0.1:{port}"
    push(old, url + "/store", graph)
    assert _count(url, graph) == len(old)
    rng = random.Random(7)
    seen = set()
    for trial in range(5):
        import threading

        failure = []
        worker = threading.Thread(target=lambda: failure.append(_try(push, new, url + "/store", graph)))
        worker.start()
        time.sleep(rng.uniform(0.05, 1.5))
        server.send_signal(signal.SIGKILL)
        server.wait()
        worker.join()
        server = _persistent_server(location, port)
        count = _count(url, graph)
        assert count in (len(old), len(new)), f"trial {trial}: {count} triples — a mix"
        seen.add(count)
        if count == len(new):
            push(old, url + "/store", graph)  # back to the old graph for the next trial
        assert all(isinstance(f, (type(None), EndpointError)) for f in failure)
    server.terminate()
    server.wait()
    assert len(old) in seen


def _try(function, *args):
    from isthmus.errors import EndpointError

    try:
        function(*args)
    except EndpointError as err:
        return err
    return None


def _small_disk(path: Path, megabytes: int) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(path)], capture_output=True)
    return done.returncode == 0


def test_a_full_disk_gives_a_clear_error_and_no_partial_release(previous, tmp_path):
    used = sum(-(-p.stat().st_size // 4096) * 4096 for p in previous.rglob("*"))  # whole blocks, folders too
    size_mb = used // 2**20 + 3  # room for the previous release and a little of the next
    disk = tmp_path / "disk"
    mounted = _small_disk(disk, size_mb)
    try:
        out = disk / "dist"
        shutil.copytree(previous, out)
        before = snapshot(out)
        if mounted:
            done = subprocess.run(PUBLISH + ["--out", str(out)], capture_output=True, text=True)
        else:  # no permission to mount: a size-limited process stands in for the small disk
            limit = size_mb * 2**20 // 4

            def cap():
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

            done = subprocess.run(PUBLISH + ["--out", str(out)], capture_output=True, text=True, preexec_fn=cap)
        assert done.returncode == 2, done.stderr
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert lines and ("No space left on device" in lines[-1] or "too large" in lines[-1].lower())
        assert "intact" in lines[-1] and "Traceback" not in done.stderr
        assert snapshot(out) == before
        assert sorted(p.name for p in out.parent.iterdir()) == ["dist"], "no partial release left behind"
    finally:
        if mounted:
            subprocess.run(["umount", str(disk)], capture_output=True)
