"""Just enough of SPARQL's lexical grammar to read a query's text safely.

Finds the query form, its variables, its prefixes and the brace that opens the WHERE
clause, skipping comments, strings and IRIs, so that parameters can be bound as a
``VALUES`` block for remote endpoints without ever editing the query by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_VAR = re.compile(r"[?$]([A-Za-z0-9_\u00b7\u00c0-\ufffd][A-Za-z0-9_\u00b7\u00c0-\ufffd-]*)")
_WORD = re.compile(r"[A-Za-z]+")
_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")


def code_segments(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, chunk)`` for every run of text that is not a comment, string or IRI."""
    i, n, start = 0, len(text), 0
    while i < n:
        c = text[i]
        if c == "#":
            yield start, text[start:i]
            end = text.find("\n", i)
            i = n if end < 0 else end
            start = i
        elif c in "\"'":
            yield start, text[start:i]
            i = _skip_string(text, i)
            start = i
        elif c == "<" and (m := _IRIREF.match(text, i)):
            yield start, text[start:i]
            i = m.end()
            start = i
        else:
            i += 1
    yield start, text[start:n]


def _skip_string(text: str, i: int) -> int:
    quote = text[i]
    long = text.startswith(quote * 3, i)
    i += 3 if long else 1
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
        elif long and text.startswith(quote * 3, i):
            return i + 3
        elif not long and (c == quote or c == "\n"):
            return i + 1
        else:
            i += 1
    return i


def variables(text: str) -> list[str]:
    """The variable names the query uses, in order of first appearance."""
    seen: dict[str, None] = {}
    for _, chunk in code_segments(text):
        for m in _VAR.finditer(chunk):
            seen.setdefault(m.group(1), None)
    return list(seen)


def query_form(text: str) -> str | None:
    """``SELECT``, ``CONSTRUCT``, ``DESCRIBE`` or ``ASK``; ``None`` for an update or junk."""
    for _, chunk in code_segments(text):
        for m in _WORD.finditer(chunk):
            word = m.group(0).upper()
            if word in _FORMS:
                return word
            if word in ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY"):
                return None
    return None


def _tokens(text: str) -> Iterator[tuple[int, str]]:
    """Braces, parentheses and keywords of the code, with their offsets."""
    for offset, chunk in code_segments(text):
        for m in re.finditer(r"[{}()]|[A-Za-z_][A-Za-z0-9_]*|[?$][^\s{}()]*", chunk):
            yield offset + m.start(), m.group(0)


def where_brace(text: str) -> int | None:
    """The offset of the ``{`` that opens the query's WHERE clause, if it has one.

    Select expressions sit inside parentheses and a CONSTRUCT template directly follows
    the CONSTRUCT keyword, so the WHERE group is the first top-level brace that is neither.
    """
    form = query_form(text)
    depth = parens = 0
    previous = None  # the last top-level token
    for pos, tok in _tokens(text):
        if tok == "(":
            parens += 1
        elif tok == ")":
            parens -= 1
        elif tok == "}":
            depth -= 1
        elif tok == "{":
            if depth == 0 and parens == 0:
                if form == "CONSTRUCT" and previous == "CONSTRUCT":
                    previous = None  # the template
                else:
                    return pos
            depth += 1
        elif depth == 0 and parens == 0:
            previous = tok.upper()
    return None


def service_targets(text: str) -> list[str]:
    """What every ``SERVICE`` clause of the query names: an IRI (prefixed names expanded
    with the query's own prefixes), or the variable or token written there."""
    from isthmus.graph import declared_prefixes

    prefixes = declared_prefixes(text)
    spans = []  # (start, end) of comments and strings, where keywords do not count
    for offset, chunk in code_segments(text):
        spans.append((offset, offset + len(chunk)))
    code = lambda i: any(a <= i < b for a, b in spans)  # noqa: E731
    targets = []
    for m in re.finditer(r"(?i)\bSERVICE\b", text):
        if not code(m.start()):
            continue
        rest = text[m.end():]
        silent = re.match(r"(?is)\s*SILENT\b", rest)
        if silent:
            rest = rest[silent.end():]
        rest = rest.lstrip()
        if iri := _IRIREF.match(rest):
            targets.append(iri.group(0)[1:-1])
        elif pname := re.match(r"([A-Za-z][\w.-]*)?:([^\s{}]*)", rest):
            ns = prefixes.get(pname.group(1) or "")
            targets.append(ns + pname.group(2) if ns is not None else pname.group(0))
        else:
            targets.append(rest.split(None, 1)[0] if rest.split() else "")
    return targets
