"""The bad-input catalogue: every command, fed hostile or broken input, keeps the contract.

Each folder of ``tests/bad_inputs/`` is one case: a ``case.toml`` (the command line, the
exit code, the fragment the stderr message must hold…) and the files it needs, laid over a
fresh copy of the mini project (``project/``) or beside it (``workspace/``). The case runs
in a workspace folder::

    <workspace>/project/   the mini project with the case's files; the working folder
    <workspace>/...        the case's other files (review tables, earlier outputs)

and the CLI is run in-process with ``--project .`` in front of the case's arguments. Every
case asserts: the exit code; the stderr lines (one for a single problem, one per file for a
multi-file parse error, none for accepted input), the first naming the file and line or the
option; no traceback; stdout empty, or the partial report the command defines; and that
nothing in the workspace changed: no new file (no partial output, no temporary file left
behind), every earlier file byte-identical.

``case.toml`` keys (all but ``command`` and ``exit`` optional)::

    summary         what the case is about
    command         the arguments after ``--project .``
    project_option  false: do not add ``--project .`` (the case gives its own)
    exit            the exit code: 0 accepted, 1 the data has problems, 2 bad usage or input
    message         a fragment of the first stderr line
    stderr_lines    how many stderr lines (default 1; 0 when the input is accepted)
    stdout          the exact stdout (default: empty unless stdout_contains is given)
    stdout_contains fragments of the report the command prints on stdout
    untouched       files (relative to project/) that exist before and must be byte-identical after
                    (every file of the workspace is compared anyway; these are the outputs that matter)
    [[make]]        things that cannot live in git: kind = dir | symlink | fifo | unreadable |
                    removed | long-literal | reencode | release (see ``_make``)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import stat
import tempfile
import tomllib
from pathlib import Path

import pytest

from support import MINI, ROOT

CASES = ROOT / "tests" / "bad_inputs"
ALL = sorted(p.name for p in CASES.iterdir() if (p / "case.toml").is_file())
KEYS = {"summary", "command", "project_option", "exit", "message", "stderr_lines", "stdout", "stdout_contains",
        "untouched", "make"}
#: the commands the catalogue must cover, and how many cases each needs at least
COVERAGE = {"validate": 12, "query": 10, "export": 6, "link": 6, "publish": 4, "serve": 3}
NOBODY = 65534


def load(name: str) -> dict:
    case = tomllib.loads((CASES / name / "case.toml").read_text(encoding="utf-8"))
    unknown = set(case) - KEYS
    assert not unknown, f"{name}: unknown keys {unknown}"
    assert isinstance(case["command"], list) and case["exit"] in (0, 1, 2), name
    assert case.get("summary"), f"{name}: say what the case is about"
    assert case["exit"] == 0 or case.get("message"), f"{name}: a refused input needs the message it gets"
    return case


def command_of(case: dict) -> str:
    """The command a case exercises ("cli" for the group's own options)."""
    return next((word for word in case["command"] if word in COVERAGE), "cli")


def test_catalogue_is_large_and_covers_every_command():
    counts: dict[str, int] = {}
    for name in ALL:
        command = command_of(load(name))
        counts[command] = counts.get(command, 0) + 1
    assert len(ALL) >= 40, counts
    for command, least in COVERAGE.items():
        assert counts.get(command, 0) >= least, (command, counts)


# --- building a case ------------------------------------------------------------------------


def _long_literal(path: Path, chars: int, subject: str) -> None:
    head = ("@prefix ex:   <https://example.org/ns#> .\n@prefix p:    <https://example.org/id/person/> .\n"
            "@prefix pl:   <https://example.org/id/place/> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n")
    body = f'{subject} a ex:Person ; rdfs:label "Zed"@en ; ex:livesIn pl:lima ;\n    rdfs:comment "'
    with path.open("w", encoding="utf-8") as handle:
        handle.write(head + body)
        block = "lorem ipsum " * 10_000
        left = chars
        while left > 0:
            handle.write(block[: min(left, len(block))])
            left -= len(block)
        handle.write('"@en .\n')


def _make(item: dict, ws: Path, project: Path, run) -> None:
    kind = item["kind"]
    path = project / item["path"] if "path" in item else None
    if kind == "dir":
        path.mkdir(parents=True)
    elif kind == "symlink":
        path.symlink_to(item["target"])
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "unreadable":
        path.chmod(0)
    elif kind == "removed":
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    elif kind == "long-literal":
        _long_literal(path, int(item["chars"]), item.get("subject", "p:zed"))
    elif kind == "reencode":
        text = path.read_text(encoding="utf-8")
        if item.get("newline") == "crlf":
            text = text.replace("\n", "\r\n")
        path.write_bytes(text.encode(item.get("encoding", "utf-8")))
    elif kind == "release":  # a previous release, published from the clean mini project
        result = run("--project", str(project), "publish", "--base-url", "https://example.org/", "--out", str(path),
                     cwd=project)
        assert result.exit_code == 0, result.output
    else:
        raise AssertionError(f"unknown make kind {kind!r}")


def _snapshot(ws: Path) -> dict[str, tuple]:
    """Every entry below ``ws``: kind, mode and content digest (links and pipes not followed)."""
    found: dict[str, tuple] = {}
    for folder, dirs, files in os.walk(ws):
        for name in dirs + files:
            path = Path(folder) / name
            info = path.lstat()
            rel = str(path.relative_to(ws))
            if stat.S_ISLNK(info.st_mode):
                found[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                found[rel] = ("dir", stat.S_IMODE(info.st_mode))
            elif stat.S_ISREG(info.st_mode):
                digest = hashlib.sha256()
                with path.open("rb") as handle:  # root reads even a mode-000 file
                    for chunk in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(chunk)
                found[rel] = ("file", stat.S_IMODE(info.st_mode), digest.hexdigest())
            else:
                found[rel] = ("special", stat.S_IFMT(info.st_mode))
    return found


class _Timeout(Exception):
    pass


def _alarm(_signum, _frame):
    raise _Timeout("the command did not finish within 120 s (a hang on bad input)")


def _import_everything() -> None:
    """Every module of the package, imported while the tests still run as root: the
    commands import what they use lazily, and an installation inside a private folder (a
    checkout below `mktemp -d`) is closed to the user nobody."""
    import importlib
    import pkgutil

    import isthmus

    for module in pkgutil.walk_packages(isthmus.__path__, "isthmus."):
        if not module.name.endswith(".__main__"):  # that one runs the command line
            importlib.import_module(module.name)


def _invoke(run, args: list[str], cwd: Path, *, unprivileged: bool):
    """Run the CLI; with ``unprivileged`` and when the tests run as root, as the user
    nobody (effective uid only, restored after), so that file permissions are enforced."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(120)
    drop = unprivileged and os.geteuid() == 0
    before = os.getcwd()
    # change folder as root, both ways: nobody may not enter the folder the tests started
    # in (a checkout below a private `mktemp -d` folder)
    os.chdir(cwd)
    try:
        if drop:
            _import_everything()  # nobody may not read the installation either
            os.seteuid(NOBODY)
        return run(*args)
    finally:
        if drop:
            os.seteuid(0)
        os.chdir(before)
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def workspace(tmp_path):
    """Where a case runs. Cases with an unreadable file run as nobody when the tests run as
    root, so they need a folder everyone may enter (pytest's own is private to root)."""
    made: list[Path] = []

    def make(unprivileged: bool) -> Path:
        if not unprivileged:
            return tmp_path / "ws"
        base = Path(tempfile.mkdtemp(prefix="isthmus-bad-input-"))
        base.chmod(0o755)
        made.append(base)
        return base / "ws"

    yield make
    for base in made:
        for folder, _dirs, files in os.walk(base):
            for name in files:
                (Path(folder) / name).chmod(0o600)
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize("name", ALL)
def test_bad_input(name, run, workspace):
    case = load(name)
    here = CASES / name
    makes = case.get("make", [])
    unprivileged = any(m["kind"] == "unreadable" for m in makes)
    ws = workspace(unprivileged)
    project = ws / "project"
    shutil.copytree(MINI, project)
    for item in makes:
        if item["kind"] == "release":
            _make(item, ws, project, run)
    if (here / "project").is_dir():
        shutil.copytree(here / "project", project, dirs_exist_ok=True)
    if (here / "workspace").is_dir():
        shutil.copytree(here / "workspace", ws, dirs_exist_ok=True)
    for item in makes:
        if item["kind"] != "release":
            _make(item, ws, project, run)
    if unprivileged:
        for folder, dirs, files in os.walk(ws):
            for entry in dirs:
                (Path(folder) / entry).chmod(0o755)
            for entry in files:
                path = Path(folder) / entry
                if not path.is_symlink() and stat.S_IMODE(path.stat().st_mode) != 0:
                    path.chmod(0o644)
        ws.chmod(0o755)
    for rel in case.get("untouched", []):
        assert (project / rel).exists(), f"{name}: {rel} should exist before the run"

    before = _snapshot(ws)
    args = (["--project", "."] if case.get("project_option", True) else []) + case["command"]
    result = _invoke(run, args, project, unprivileged=unprivileged)
    after = _snapshot(ws)

    shown = f"{name}: exit {result.exit_code}\nstderr: {result.stderr}\nstdout: {result.stdout[:2000]}"
    assert result.exit_code == case["exit"], shown
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, shown
    lines = result.stderr.splitlines()
    assert len(lines) == case.get("stderr_lines", 1), shown
    if "message" in case:
        assert lines and case["message"] in lines[0], shown
        assert all(line.startswith("isthmus: ") for line in lines), shown
    if "stdout" in case:
        assert result.stdout == case["stdout"], shown
    elif "stdout_contains" in case:
        for fragment in case["stdout_contains"]:
            assert fragment in result.stdout, f"{fragment!r} not in the report\n{shown}"
    else:
        assert result.stdout == "", shown

    created = sorted(set(after) - set(before))
    assert not created, f"{name}: the run left {created}"
    assert not set(before) - set(after), f"{name}: the run removed {sorted(set(before) - set(after))}"
    changed = sorted(k for k in before if k in after and before[k] != after[k])
    assert not changed, f"{name}: the run changed {changed}"
