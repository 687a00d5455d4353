"""Docs that cannot rot: README's Quick start, its excerpts and query list, the CLI reference.

Run with ISTHMUS_UPDATE_DOCS=1 to rewrite docs/cli.md and README's query list from the code.
"""

from __future__ import annotations

import os
import re

import click
import pytest
from click.testing import CliRunner

from isthmus.main import cli
from support import ROOT

README = ROOT / "README.md"
UPDATE = os.environ.get("ISTHMUS_UPDATE_DOCS") == "1"


def _section(text: str, heading: str) -> str:
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def quick_start() -> list[str]:
    (block,) = _blocks(_section(README.read_text(), "Quick start"), "sh")
    return [line for line in block.splitlines() if line.strip()]


def test_quick_start_is_exactly_two_commands():
    commands = quick_start()
    assert len(commands) == 2
    assert "pip install ." in commands[0] and "isthmus" in commands[0]
    assert "pip install '.[test]'" in commands[1] and "pytest" in commands[1] and "chromium" in commands[1]


def test_ci_runs_the_readme_test_command():
    assert quick_start()[1] in (ROOT / ".ci" / "run").read_text().splitlines()


def _invoke(*args: str, messages: bool = False) -> str:
    result = CliRunner().invoke(cli, ["--project", str(ROOT), *args], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result.stderr + result.stdout if messages else result.stdout


def test_quick_start_excerpt_is_real_output(tmp_path, monkeypatch):
    """Every line of the main job's excerpt (but the elisions) begins a line it prints."""
    monkeypatch.chdir(tmp_path)  # publish writes dist/ in the working folder
    command = quick_start()[0]
    jobs = [part.split("/isthmus ", 1)[1].split() for part in command.split("&&") if "/isthmus " in part]
    printed = [line.rstrip() for job in jobs for line in _invoke(*job, messages=True).splitlines()]
    assert (tmp_path / "dist" / "index.html").is_file(), "the main job builds the release"
    (excerpt, *_rest) = _blocks(_section(README.read_text(), "Quick start"), "text")
    for line in excerpt.splitlines():
        if line.strip() in ("", "…"):
            continue
        assert any(out.startswith(line.rstrip()) for out in printed), line


def test_readme_query_list_is_current():
    text = README.read_text()
    listing = _invoke("query", "--list")
    pattern = re.compile(r"(<!-- queries:start[^\n]*-->\n```text\n)(.*?)(```\n<!-- queries:end -->)", re.S)
    if UPDATE:
        README.write_text(pattern.sub(lambda m: m.group(1) + listing + m.group(3), text))
        text = README.read_text()
    assert pattern.search(text).group(2) == listing


def test_readme_class_counts_are_current():
    text = README.read_text()
    table = _invoke("query", "class-counts")
    pattern = re.compile(r"(<!-- classes:start[^\n]*-->\n```text\n)(.*?)(```\n<!-- classes:end -->)", re.S)
    if UPDATE:
        README.write_text(pattern.sub(lambda m: m.group(1) + table + m.group(3), text))
        text = README.read_text()
    assert pattern.search(text).group(2) == table


def _reference() -> str:
    out = ["# Command reference", "", "Generated from `isthmus --help`; `tests/test_docs.py` checks it.", ""]

    def walk(command: click.Command, path: list[str]):
        settings = dict(terminal_width=88, max_content_width=88, help_option_names=["-h", "--help"])
        with click.Context(command, info_name=" ".join(path), **settings) as ctx:
            out.extend([f"## `{' '.join(path)}`", "", "```text", command.get_help(ctx).rstrip(), "```", ""])
        if isinstance(command, click.Group):
            for name in sorted(command.commands):
                walk(command.commands[name], path + [name])

    walk(cli, ["isthmus"])
    return "\n".join(out)


def test_cli_reference_is_current():
    path = ROOT / "docs" / "cli.md"
    expected = _reference()
    if UPDATE:
        path.write_text(expected)
    assert path.read_text() == expected, "run ISTHMUS_UPDATE_DOCS=1 pytest tests/test_docs.py"


@pytest.mark.parametrize("link", re.findall(r"\]\(([^)#]+)\)", README.read_text()))
def test_readme_links_to_files_that_exist(link):
    if link.startswith("http"):
        return
    assert (ROOT / link).exists(), link
