"""Load project files into a graph, reporting every unreadable file as ``file:line:col``.

Parsing and querying use pyoxigraph (fast, light to import); ``to_rdflib`` converts for
the parts that need rdflib (SHACL, JSON-LD round trips).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from isthmus.errors import LoadError, one_line
from isthmus.formats import SOURCE_FORMATS, for_path, oxigraph_format

_PARSER_PREFIX = re.compile(
    r"^Parser error (?:at line \d+ (?:between columns \d+ and \d+|column \d+)"
    r"|between line \d+ column \d+ and line \d+ column \d+): "
)
#: the longest single token (a literal, an IRI) the RDF parser reads: its buffer's limit
TOKEN_LIMIT = 16 * 1024 * 1024
_OPENERS = re.compile(rb'"""|\'\'\'|["\'<#]')
_PREFIX_DECL = re.compile(
    r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>", re.IGNORECASE | re.MULTILINE
)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_BOMS = {
    b"\xff\xfe": "UTF-16 (little-endian)",
    b"\xfe\xff": "UTF-16 (big-endian)",
}


@dataclass(frozen=True)
class ParsedFile:
    path: Path
    quads: list[ox.Quad]
    prefixes: dict[str, str]


def _decode_position(data: bytes, index: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, index) + 1
    start = data.rfind(b"\n", 0, index) + 1
    return line, len(data[start:index].decode("utf-8", errors="replace")) + 1


def read_text(path: Path, shown: str, *, stream_ok: bool = False) -> bytes:
    """The bytes of a UTF-8 text file (a UTF-8 byte-order mark is dropped).

    Only regular files are read, unless ``stream_ok`` (a pipe given on the command line):
    a pipe or a device among the project's files would block or never end.
    Raises ``LoadError`` naming the file (and the line and column of a bad byte).
    """
    path = Path(path)
    if path.is_symlink() and not path.exists():
        raise LoadError([f"{shown}: a symbolic link to {os.readlink(path)}, which does not exist"])
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = None  # reported by the read below
    if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode) and not stream_ok:
        raise LoadError([f"{shown}: not a regular file (a pipe, socket or device); save the content in a file"])
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise LoadError([f"{shown}: is a folder, not a file"]) from None
    except FileNotFoundError:
        raise LoadError([f"{shown}: no such file"]) from None
    except PermissionError:
        raise LoadError([f"{shown}: permission denied"]) from None
    except OSError as err:
        raise LoadError([f"{shown}: cannot read: {err.strerror or err}"]) from None
    for bom, name in _BOMS.items():
        if data.startswith(bom):
            raise LoadError([f"{shown}:1:1: the file is encoded in {name}; save it as UTF-8"])
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, col = _decode_position(data, err.start)
        raise LoadError(
            [f"{shown}:{line}:{col}: byte 0x{data[err.start]:02x} is not UTF-8; save the file as UTF-8"]
        ) from None
    return data


def streams(paths: Iterable[Path]) -> list[Path]:
    """The paths that are pipes, sockets or devices: reading them could block forever."""
    found = []
    for path in paths:
        try:
            mode = Path(path).stat().st_mode
        except OSError:
            continue
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            found.append(Path(path))
    return found


def _oversized_token(data: bytes, limit: int = TOKEN_LIMIT) -> int | None:
    """The offset of the first literal or IRI longer than ``limit`` bytes, if any (comments
    skipped); jumps from quote to quote, so it stays fast on large files."""
    i, n = 0, len(data)
    while True:
        m = _OPENERS.search(data, i)
        if m is None:
            return None
        start, token = m.start(), m.group()
        if token == b"#":
            end = data.find(b"\n", start)
        elif token == b"<":
            end = data.find(b">", start)
        else:
            end, j = -1, m.end()
            while True:
                k = data.find(token, j)
                if k < 0:
                    break
                b = k
                while b > j and data[b - 1] == 0x5C:  # count the backslashes before the quote
                    b -= 1
                if (k - b) % 2 == 0:
                    end = k + len(token) - 1
                    break
                j = k + 1
        end = n if end < 0 else end + 1
        if token != b"#" and end - start > limit:
            return start
        i = max(end, start + 1)


def _too_large(data: bytes, shown: str) -> str:
    """The message for a file with a token larger than the parser's buffer."""
    offset = _oversized_token(data)
    where = "{}:{}:{}".format(shown, *_decode_position(data, offset)) if offset is not None else shown
    return (f"{where}: a literal or IRI longer than {TOKEN_LIMIT // (1024 * 1024)} MiB, more than the RDF parser reads; "
            "keep long texts in files of their own and link to them")


def _syntax_problem(err: SyntaxError, shown: str) -> str:
    message = _PARSER_PREFIX.sub("", err.msg or str(err))
    return f"{shown}:{err.lineno or 1}:{err.offset or 1}: {one_line(message)}"


def declared_prefixes(text: str) -> dict[str, str]:
    """The ``@prefix``/``PREFIX`` declarations of a Turtle-family or SPARQL text."""
    return {m.group(1) or "": m.group(2) for m in _PREFIX_DECL.finditer(text)}


def parse_file(path: Path, shown: str) -> ParsedFile:
    """Parse one RDF file; raises ``LoadError`` with ``file:line:col: message``."""
    fmt = for_path(path, SOURCE_FORMATS)
    if fmt is None:
        raise LoadError([f"{shown}: unknown RDF file type (expected .ttl, .nt, .nq or .trig)"])
    data = read_text(path, shown)
    try:
        quads = list(ox.parse(data, format=oxigraph_format(fmt)))
    except SyntaxError as err:
        raise LoadError([_syntax_problem(err, shown)]) from None
    except ValueError as err:  # pyoxigraph reports some invalid terms this way
        raise LoadError([f"{shown}: {one_line(err)}"]) from None
    except MemoryError:  # a token larger than the parser's buffer
        raise LoadError([_too_large(data, shown)]) from None
    prefixes = declared_prefixes(data.decode("utf-8")) if fmt.name in ("turtle", "trig") else {}
    return ParsedFile(path, quads, prefixes)


def parse_files(paths: Iterable[Path], display: Callable[[Path], str]) -> list[ParsedFile]:
    """Parse every file; if any fails, raise one ``LoadError`` listing all failures."""
    parsed: list[ParsedFile] = []
    problems: list[str] = []
    for path in paths:
        try:
            parsed.append(parse_file(path, display(path)))
        except LoadError as err:
            problems.extend(err.problems)
    if problems:
        raise LoadError(problems)
    return parsed


def load_store(paths: Iterable[Path], display: Callable[[Path], str]) -> ox.Store:
    """An in-memory store loaded straight from the files (the fast path: no Python objects
    per triple); raises one ``LoadError`` listing every file that cannot be read."""
    store = ox.Store()
    problems: list[str] = []
    for path in paths:
        shown = display(path)
        fmt = for_path(path, SOURCE_FORMATS)
        if fmt is None:
            problems.append(f"{shown}: unknown RDF file type (expected .ttl, .nt, .nq or .trig)")
            continue
        try:
            data = read_text(path, shown)
            store.load(data, format=oxigraph_format(fmt), to_graph=ox.DefaultGraph())
        except LoadError as err:
            problems.extend(err.problems)
        except SyntaxError as err:
            problems.append(_syntax_problem(err, shown))
        except ValueError as err:
            problems.append(f"{shown}: {one_line(err)}")
        except MemoryError:  # a token larger than the parser's buffer
            problems.append(_too_large(data, shown))
    if problems:
        raise LoadError(problems)
    return store


def merged_prefixes(files: Iterable[ParsedFile]) -> dict[str, str]:
    """The prefixes of several files; the first declaration of a name wins."""
    merged: dict[str, str] = {}
    for parsed in files:
        for name, iri in parsed.prefixes.items():
            merged.setdefault(name, iri)
    return merged


def new_store(files: Iterable[ParsedFile]) -> ox.Store:
    """An in-memory store holding every triple of ``files`` in its default graph."""
    store = ox.Store()
    for parsed in files:
        store.extend(
            ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in parsed.quads
        )
    return store


def triples(files: Iterable[ParsedFile]) -> set[ox.Triple]:
    """The distinct triples of ``files`` (graph names dropped)."""
    return {q.triple for parsed in files for q in parsed.quads}


@contextlib.contextmanager
def quiet_literal_warnings() -> Iterator[None]:
    """Within the block, rdflib does not log a traceback for each ill-typed literal it
    builds (validation reports them itself, as findings): a filter on rdflib's term
    logger, removed on leaving."""
    import warnings

    logger = logging.getLogger("rdflib.term")
    drop = lambda record: not record.getMessage().startswith("Failed to convert Literal")  # noqa: E731
    logger.addFilter(drop)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.removeFilter(drop)


def to_rdflib_term(term):
    """The rdflib term for a pyoxigraph term."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language, normalize=False)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value, normalize=False)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise TypeError(f"unsupported term {term!r}")


def to_rdflib(items: Iterable[ox.Triple]):
    """An rdflib ``Graph`` holding ``items``."""
    from rdflib import Graph

    graph = Graph()
    convert = to_rdflib_term
    with quiet_literal_warnings():  # rdflib complains of ill-typed literals; validation reports them itself
        for t in items:
            graph.add((convert(t.subject), convert(t.predicate), convert(t.object)))
    return graph


def canonical_blank_nodes(items: Iterable[ox.Triple]) -> list[ox.Triple]:
    """``items`` with blank nodes relabelled from the graph's structure, so the same graph
    always serializes to the same text (colour refinement: a label depends on the
    blank node's neighbourhood, refined until stable). Only the triples that touch a blank
    node are looked at, so the cost grows with the blank nodes, not the graph."""
    import hashlib

    items = list(items)
    touching = [t for t in items if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)]
    if not touching:
        return items
    blanks = {term for t in touching for term in (t.subject, t.object) if isinstance(term, ox.BlankNode)}
    colour = {b: "" for b in blanks}

    def name(term) -> str:
        return "_:" + colour[term] if isinstance(term, ox.BlankNode) else str(term)

    for _ in range(len(blanks) + 1):
        signature: dict = {b: [] for b in blanks}
        for t in touching:
            if t.subject in signature:
                signature[t.subject].append(f"> {t.predicate} {name(t.object)}")
            if t.object in signature:
                signature[t.object].append(f"< {name(t.subject)} {t.predicate}")
        new = {
            b: hashlib.sha256("\n".join(sorted(sig)).encode("utf-8")).hexdigest()[:20]
            for b, sig in signature.items()
        }
        stable = len(set(new.values())) == len(set(colour.values()))
        colour = new
        if stable:
            break
    labels: dict = {}
    used: set[str] = set()
    for b in sorted(blanks, key=lambda b: colour[b]):
        base = "b" + colour[b]
        label, n = base, 1
        while label in used:
            n += 1
            label = f"{base}{n}"
        labels[b] = label
        used.add(label)
    relabel = lambda term: ox.BlankNode(labels[term]) if isinstance(term, ox.BlankNode) else term  # noqa: E731
    return [
        ox.Triple(relabel(t.subject), t.predicate, relabel(t.object))
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) else t
        for t in items
    ]
