"""Shared fixtures: the repository, the mini project, the CLI runner, a real Oxigraph server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from isthmus.serve import oxigraph_binary  # the same look-up as isthmus serve
from support import MINI, ROOT


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Caches (validation reports, Wikidata answers) go to a folder of the test session."""
    import os

    folder = tmp_path_factory.mktemp("cache")
    previous = os.environ.get("ISTHMUS_CACHE")
    os.environ["ISTHMUS_CACHE"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("ISTHMUS_CACHE", None)
    else:
        os.environ["ISTHMUS_CACHE"] = previous


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A private copy of the mini project, free to break."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def run():
    """Run the CLI in-process (optionally in folder ``cwd``); returns click's Result with
    stdout and stderr apart."""
    from isthmus.main import cli

    def invoke(*args: str, cwd: Path | None = None):
        import os

        runner = CliRunner()
        before = os.getcwd()
        if cwd is not None:
            os.chdir(cwd)
        try:
            return runner.invoke(cli, list(args), catch_exceptions=False)
        finally:
            os.chdir(before)

    return invoke


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OxigraphServer:
    """A real Oxigraph server on 127.0.0.1, in memory, stopped at teardown."""

    def __init__(self, *, read_only_dir: Path | None = None):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(self.url + "/query?query=ASK%7B%7D", timeout=1).read()
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    err = self.process.stderr.read().decode() if self.process.stderr else ""
                    raise RuntimeError(f"Oxigraph server did not start: {err}")
                time.sleep(0.05)

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    def load(self, path: Path, media_type: str = "text/turtle") -> None:
        request = urllib.request.Request(
            self.url + "/store?default", data=path.read_bytes(), method="POST",
            headers={"Content-Type": media_type},
        )
        urllib.request.urlopen(request, timeout=30).read()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def oxigraph():
    """Start Oxigraph servers on demand: ``server = oxigraph()``."""
    started: list[OxigraphServer] = []

    def start() -> OxigraphServer:
        server = OxigraphServer()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
