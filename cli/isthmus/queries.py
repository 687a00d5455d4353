"""The catalogue of canned queries: ``.rq`` files with grlc-style ``#+`` YAML decorators.

Parameters follow grlc's convention: ``?_name`` is a required parameter, ``?__name`` an
optional one; a suffix types it: ``_iri`` (an IRI), an XSD datatype name (``_integer``,
``_date``, ``_gYear``…) or a two-letter language tag (``_en``). Values are bound as RDF
terms: locally through pyoxigraph substitutions, remotely as a ``VALUES`` block that the
RDF library serializes; never by pasting text into the query.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from isthmus import sparqltext
from isthmus.errors import LoadError, QueryError, one_line
from isthmus.graph import declared_prefixes, read_text
from isthmus.results import QueryResult, from_oxigraph

XSD = "http://www.w3.org/2001/XMLSchema#"

#: lexical forms accepted for typed parameters (a subset of XSD's, enough to reject junk)
_LEXICAL = {
    "string": r"(?s).*",
    "integer": r"[+-]?\d+",
    "nonNegativeInteger": r"\+?\d+",
    "positiveInteger": r"\+?0*[1-9]\d*",
    "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)",
    "double": r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF|NaN)",
    "boolean": r"true|false|1|0",
    "date": r"-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(Z|[+-]\d\d:\d\d)?",
    "gYear": r"-?\d{4,}(Z|[+-]\d\d:\d\d)?",
    "gYearMonth": r"-?\d{4,}-(0[1-9]|1[0-2])(Z|[+-]\d\d:\d\d)?",
    "dateTime": r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?",
}
_LANG = re.compile(r"^[a-z]{2}$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_PNAME = re.compile(r"^([A-Za-z][\w.-]*)?:([^\s]*)$")
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Parameter:
    """One parameter of a stored query."""

    name: str
    variable: str
    kind: str  # "iri", "literal", "typed" or "lang"
    required: bool
    datatype: str | None = None
    language: str | None = None
    default: str | None = None

    @property
    def type_label(self) -> str:
        if self.kind == "typed":
            return "xsd:" + self.datatype.removeprefix(XSD)
        if self.kind == "lang":
            return f"text@{self.language}"
        return "IRI" if self.kind == "iri" else "text"


@dataclass(frozen=True)
class StoredQuery:
    """A canned query: its file, decorators and text."""

    name: str
    path: Path
    summary: str
    text: str
    form: str
    description: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[Parameter, ...] = ()
    metadata: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def prefixes(self) -> dict[str, str]:
        return declared_prefixes(self.text)

    def param(self, name: str) -> Parameter:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise QueryError(f"--param {name}: query {self.name!r} has no such parameter (it takes: {known})")


def parameter_for(variable: str) -> Parameter | None:
    """The parameter a grlc-style variable name declares, or ``None`` for a plain variable."""
    if not variable.startswith("_"):
        return None
    required = not variable.startswith("__")
    stem = variable[1:] if required else variable[2:]
    if not stem:
        return None
    name, _, suffix = stem.rpartition("_")
    if not name:
        return Parameter(stem, variable, "literal", required)
    if suffix == "iri":
        return Parameter(name, variable, "iri", required)
    if suffix in _LEXICAL:
        return Parameter(name, variable, "typed", required, datatype=XSD + suffix)
    if _LANG.match(suffix):
        return Parameter(name, variable, "lang", required, language=suffix)
    return Parameter(stem, variable, "literal", required)


def _front_matter(text: str, shown: str) -> tuple[dict, int]:
    """The YAML of the leading ``#+`` lines, and the number of lines it spans."""
    import yaml

    lines = text.splitlines()
    decorator_lines: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("#+"):
            decorator_lines.append((number, stripped[2:].removeprefix(" ")))
        elif stripped and not stripped.startswith("#"):
            break
    if not decorator_lines:
        raise QueryError(f"{shown}:1:1: no '#+ summary:' decorator; every stored query needs one")
    source = "\n".join(body for _, body in decorator_lines)
    try:
        meta = yaml.safe_load(source)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        index = mark.line if mark is not None else 0
        line = decorator_lines[min(index, len(decorator_lines) - 1)][0]
        col = (mark.column + 3) if mark is not None else 1
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise QueryError(f"{shown}:{line}:{col}: bad decorator YAML: {problem}") from None
    if not isinstance(meta, dict):
        raise QueryError(f"{shown}:{decorator_lines[0][0]}:1: decorators must be 'key: value' lines")
    return meta, decorator_lines[-1][0]


def _defaults(meta: dict, shown: str, text: str) -> dict[str, str]:
    line = next((n for n, body in enumerate(text.splitlines(), start=1) if re.match(r"\s*#\+\s*defaults\s*:", body)), None)
    shown = f"{shown}:{line}" if line else shown
    raw = meta.get("defaults") or {}
    items: Iterable = raw.items() if isinstance(raw, dict) else raw
    out: dict[str, str] = {}
    try:
        for item in items:
            pairs = item.items() if isinstance(item, dict) else [item]
            for key, value in pairs:
                if value is None or isinstance(value, (dict, list)):
                    raise QueryError(f"{shown}: 'defaults': {key!r} needs one value (text, a number or an IRI)")
                out[str(key)] = str(value)
    except (TypeError, ValueError):
        raise QueryError(f"{shown}: 'defaults' must map parameter names to values") from None
    return out


def _decorator_line(text: str, key: str) -> int | None:
    """The line of the ``#+`` decorator that names ``key``."""
    pattern = re.compile(r"^\s*#\+.*?[\s{,-]" + re.escape(key) + r"\s*:")
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            break
        inside = inside or bool(re.match(r"\s*#\+\s*defaults\s*:", line))
        if inside and pattern.search(line):
            return number
    return None


def parse_stored_query(path: Path, shown: str, *, text: str | None = None) -> StoredQuery:
    """Read one ``.rq`` file (or its ``text``, already read); raises ``QueryError`` naming
    the file and line."""
    if text is None:
        try:
            text = read_text(path, shown).decode("utf-8")
        except LoadError as err:
            raise QueryError(err.problems[0]) from None
    meta, _ = _front_matter(text, shown)
    summary = meta.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        raise QueryError(f"{shown}:1:1: the 'summary' decorator must be a non-empty line of text")
    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list) or not all(isinstance(t, (str, int)) for t in tags):
        raise QueryError(f"{shown}: the 'tags' decorator must be a list of words")
    form = sparqltext.query_form(text)
    if form is None:
        raise QueryError(f"{shown}: not a SPARQL query (SELECT, CONSTRUCT, ASK or DESCRIBE)")
    defaults = _defaults(meta, shown, text)
    params: dict[str, Parameter] = {}
    for variable in sparqltext.variables(text):
        param = parameter_for(variable)
        if param is None:
            continue
        if param.name in params and params[param.name].variable != variable:
            raise QueryError(f"{shown}: parameter {param.name!r} is declared twice with different types")
        params[param.name] = param
    for key, value in defaults.items():
        line = _decorator_line(text, key)
        where = f"{shown}:{line}" if line else shown
        if key not in params:
            known = ", ".join(params) or "none"
            raise QueryError(f"{where}: 'defaults' names {key!r}, which is not a parameter of the query (it takes: {known})")
        p = params[key]
        try:
            term_for(p, value, declared_prefixes(text))
        except ValueError as err:
            raise QueryError(f"{where}: the default of {key!r}: {err}") from None
        params[key] = Parameter(p.name, p.variable, p.kind, p.required, p.datatype, p.language, value)
    if params and sparqltext.where_brace(text) is None:
        raise QueryError(f"{shown}: a query with parameters needs a WHERE clause")
    return StoredQuery(
        name=path.stem,
        path=path,
        summary=" ".join(summary.split()),
        text=text,
        form=form,
        description=str(meta.get("description") or "").strip(),
        tags=tuple(str(t) for t in tags),
        params=tuple(params.values()),
        metadata=meta,
    )


def catalogue(paths: Iterable[Path], display: Callable[[Path], str]) -> dict[str, StoredQuery]:
    """Every stored query by name; one ``QueryError`` lists every broken file."""
    found: dict[str, StoredQuery] = {}
    problems: list[str] = []
    for path in paths:
        if not _NAME.match(path.stem):
            problems.append(f"{display(path)}: query names may use only letters, digits, '-' and '_'; rename the file")
            continue
        if path.stem in found:
            problems.append(f"{display(path)}: a query named {path.stem!r} exists already")
            continue
        try:
            found[path.stem] = parse_stored_query(path, display(path))
        except QueryError as err:
            problems.append(str(err))
    if problems:
        raise QueryError("\n".join(problems))
    return found


def term_for(param: Parameter, value: str, prefixes: dict[str, str]):
    """The RDF term for a parameter value, checked against the parameter's type; raises
    ``ValueError`` saying what is wrong with the value."""
    if "\x00" in value:
        raise ValueError("the value contains a NUL character")
    if param.kind == "iri":
        iri = value.strip(" \t\r\n")  # not str.strip(): U+00A0 and the like are IRI characters
        bracketed = iri.startswith("<") and iri.endswith(">")
        if bracketed:  # <…> is an IRI as it is, never a prefixed name
            iri = iri[1:-1]
        m = None if bracketed else _PNAME.match(iri)
        if m and (m.group(1) or "") in prefixes:
            iri = prefixes[m.group(1) or ""] + m.group(2)
        if not _SCHEME.match(iri):
            raise ValueError(f"{value!r} is not an absolute IRI (like https://example.org/x) nor a known prefixed name")
        try:
            return ox.NamedNode(iri)
        except ValueError as err:
            raise ValueError(f"{value!r} is not a valid IRI: {one_line(repr(str(err))[1:-1])}") from None
    if param.kind == "typed":
        local = param.datatype.removeprefix(XSD)
        if not re.fullmatch(_LEXICAL[local], value):
            raise ValueError(f"{value!r} is not a valid xsd:{local}")
        return ox.Literal(value, datatype=ox.NamedNode(param.datatype))
    if param.kind == "lang":
        return ox.Literal(value, language=param.language)
    return ox.Literal(value)


def make_term(param: Parameter, value: str, prefixes: dict[str, str]):
    """The RDF term for a parameter value; raises ``QueryError`` naming the option."""
    try:
        return term_for(param, value, prefixes)
    except ValueError as err:
        raise QueryError(f"--param {param.name}: {err}") from None


def bind(query: StoredQuery, values: dict[str, str]) -> dict[str, object]:
    """Variable name -> RDF term for the given and default parameter values.

    Raises ``QueryError`` for an unknown parameter, a missing required one, or a value
    that does not fit the parameter's type.
    """
    for name in values:
        query.param(name)
    bindings: dict[str, object] = {}
    prefixes = query.prefixes
    for param in query.params:
        value = values.get(param.name, param.default)
        if value is None:
            if param.required:
                raise QueryError(
                    f"--param {param.name}: query {query.name!r} needs a value "
                    f"({param.type_label}), e.g. --param {param.name}=..."
                )
            continue
        bindings[param.variable] = make_term(param, value, prefixes)
    return bindings


def with_values(text: str, bindings: dict[str, object]) -> str:
    """The query text with ``bindings`` as a ``VALUES`` block opening its WHERE clause.

    Terms are written by the RDF library's N-Triples serializer, so a value can never
    change the query's structure.
    """
    if not bindings:
        return text
    brace = sparqltext.where_brace(text)
    if brace is None:
        raise QueryError("a query with parameters needs a WHERE clause")
    names = " ".join("?" + name for name in bindings)
    row = " ".join(str(term) for term in bindings.values())
    block = f"\n  VALUES ({names}) {{ ({row}) }}\n"
    return text[: brace + 1] + block + text[brace + 1 :]


_QUERY_ERROR = re.compile(r"^error at (\d+):(\d+): ")
_CHAR_CLASS = re.compile(r",?\s*\[(?:'[^\]]*|_)\]")


def _tidy(message: str) -> str:
    """The SPARQL parser's message on one line, without its lists of Unicode ranges."""
    return one_line(_CHAR_CLASS.sub("", message).strip().rstrip(","))


def run_local(store: ox.Store, text: str, bindings: dict[str, object], *, shown: str) -> QueryResult:
    """Evaluate ``text`` on ``store`` with parameters substituted as RDF terms."""
    substitutions = {ox.Variable(name): term for name, term in bindings.items()}
    try:
        answer = store.query(text, substitutions=substitutions or None)
        return from_oxigraph(answer)
    except SyntaxError as err:
        message = str(err.msg if hasattr(err, "msg") else err)
        m = _QUERY_ERROR.match(message)
        if m:
            raise QueryError(f"{shown}:{m.group(1)}:{m.group(2)}: {_tidy(message[m.end():])}") from None
        raise QueryError(f"{shown}: {_tidy(message)}") from None
    except RuntimeError as err:
        message = str(err)
        if "SELECT projection" in message:
            names = ", ".join("?" + n for n in bindings)
            message = f"parameter variables ({names}) must be in the SELECT clause to be bound: {message}"
        raise QueryError(f"{shown}: {one_line(message)}") from None
    except OSError as err:
        raise QueryError(f"{shown}: the query failed: {one_line(err)}") from None


def load_one(paths: Iterable[Path], name: str, display: Callable[[Path], str]) -> StoredQuery:
    """The stored query ``name``, parsing only its own file."""
    paths = list(paths)
    for path in paths:
        if path.stem == name:
            if not _NAME.match(name):
                raise QueryError(f"{display(path)}: query names may use only letters, digits, '-' and '_'; rename the file")
            return parse_stored_query(path, display(path))
    import difflib

    close = difflib.get_close_matches(name, [p.stem for p in paths], n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; 'isthmus query --list' shows them"
    raise QueryError(f"no stored query named {name!r}{hint}")


def adhoc_text(text: str, shown: str, path: Path | None = None) -> StoredQuery:
    """An ad hoc query: decorators optional, parameters by the same convention."""
    form = sparqltext.query_form(text)
    if form is None:
        raise QueryError(f"{shown}: not a SPARQL query (SELECT, CONSTRUCT, ASK or DESCRIBE); updates are not run")
    params = [p for p in (parameter_for(v) for v in sparqltext.variables(text)) if p is not None]
    return StoredQuery(name=shown, path=path, summary="ad hoc query", text=text, form=form, params=tuple(params))


def adhoc(path: Path, shown: str) -> StoredQuery:
    try:
        text = read_text(path, shown, stream_ok=True).decode("utf-8")
    except LoadError as err:
        raise QueryError(err.problems[0]) from None
    if text.lstrip().startswith("#+"):
        return parse_stored_query(path, shown, text=text)  # not read twice: it may be a pipe
    return adhoc_text(text, shown, path)
