"""The installed package: bundled project data, console script, light query path, help."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from support import MINI, ROOT

HEAVY = ("rdflib", "pyshacl", "SPARQLWrapper", "owlrl", "jinja2")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The project built as a wheel (not editable) and installed into a private folder."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(work), str(ROOT)],
        check=True,
    )
    (wheel,) = work.glob("isthmus-*.whl")
    target = work / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)], check=True
    )
    return target


def _run_installed(installed: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(installed))
    env.pop("ISTHMUS_PROJECT", None)
    return subprocess.run(
        [sys.executable, "-m", "isthmus", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_wheel_carries_the_project(installed):
    bundle = installed / "isthmus" / "_bundle"
    for part in ("ontology", "data", "shapes", "queries"):
        shipped = sorted(p.relative_to(bundle / part) for p in (bundle / part).rglob("*") if p.is_file())
        source = sorted(p.relative_to(ROOT / part) for p in (ROOT / part).rglob("*") if p.is_file())
        assert shipped == source, part


def test_installed_cli_works_from_an_unrelated_folder(installed, tmp_path):
    listing = _run_installed(installed, "query", "--list", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    shipped = sorted(p.stem for p in (installed / "isthmus" / "_bundle" / "queries").glob("*.rq"))
    assert [line.split()[0] for line in listing.stdout.splitlines() if line and not line.startswith(" ")] == shipped
    probe = subprocess.run(
        [sys.executable, "-c", "import isthmus, sys; print(isthmus.__file__)"],
        env=dict(os.environ, PYTHONPATH=str(installed)), capture_output=True, text=True, cwd=tmp_path,
    )
    assert probe.stdout.strip().startswith(str(installed))


def test_installed_cli_prefers_a_project_folder(installed, tmp_path):
    import shutil

    shutil.copytree(MINI, tmp_path / "mini")
    here = _run_installed(installed, "query", "--list", cwd=tmp_path / "mini")
    assert here.returncode == 0, here.stderr
    assert {line.split()[0] for line in here.stdout.splitlines() if line and not line.startswith(" ")} == {
        "known-by", "named", "people"
    }
    there = _run_installed(installed, "--project", str(tmp_path / "mini"), "query", "people", cwd=tmp_path)
    assert there.returncode == 0 and "Ada" in there.stdout


def test_query_path_imports_nothing_heavy(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "isthmus", "--project", str(MINI), "query", "people"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if "import time:" in line}
    assert "pyoxigraph" in imported
    assert not imported & set(HEAVY), imported & set(HEAVY)


def _commands(group: click.Group):
    yield group
    for command in group.commands.values():
        if isinstance(command, click.Group):
            yield from _commands(command)
        else:
            yield command


def test_every_command_and_option_has_help():
    from isthmus.main import cli

    for command in _commands(cli):
        assert (command.help or "").strip(), f"{command.name} has no help text"
        for param in command.params:
            if isinstance(param, click.Option):
                assert (param.help or "").strip(), f"{command.name} {param.opts} has no help text"
