"""Paths shared by the tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"
#: the article is the source, not part of the product; CI has it beside the repository
ARTICLE = ROOT.parent / "shared" / "seeds" / "000_ce4d932617036a99.txt"


def canonical_rows(rows):
    """SPARQL JSON result rows in a comparable form: terms normalized, and the values joined
    by GROUP_CONCAT sorted (the engine chooses their order)."""
    import re

    from isthmus.results import normalize_term

    def value(term):
        term = normalize_term(term)
        parts = re.split(r"(?:, |; )", str(term["value"]))
        return tuple(sorted((k, v) for k, v in term.items() if k != "value")) + (tuple(sorted(parts)),)

    return sorted(sorted((k, value(v)) for k, v in row.items()) for row in rows)
