"""Paths shared by the tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"
#: the article is the source, not part of the product; CI has it beside the repository
ARTICLE = ROOT.parent / "shared" / "seeds" / "000_ce4d932617036a99.txt"
