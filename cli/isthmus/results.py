"""Query results in one neutral shape, and their renderings (table, CSV, TSV, JSON).

Terms are dictionaries in the SPARQL 1.1 Query Results JSON form
(``{"type": "uri", "value": ...}``), so local (pyoxigraph) and remote (SPARQLWrapper)
results compare and render alike.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Term = dict[str, object]


@dataclass
class QueryResult:
    """The answer to a query: ``kind`` is ``select``, ``ask`` or ``graph``."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Term]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[str] = field(default_factory=list)  # N-Triples lines, for graph results

    def values(self, variable: str) -> list[str | None]:
        """The plain values of one column, ``None`` where unbound."""
        return [row[variable]["value"] if variable in row else None for row in self.rows]


def term_from_oxigraph(term) -> Term:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: Term = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": term_from_oxigraph(term.subject),
                "predicate": term_from_oxigraph(term.predicate),
                "object": term_from_oxigraph(term.object),
            },
        }
    raise TypeError(f"unsupported term {term!r}")


def normalize_term(term: Term) -> Term:
    """A JSON results term in canonical form (``typed-literal`` and ``xsd:string`` folded)."""
    kind = term.get("type")
    out: Term = {"type": "literal" if kind == "typed-literal" else kind, "value": term.get("value")}
    if "xml:lang" in term:
        out["xml:lang"] = str(term["xml:lang"]).lower()
    elif term.get("datatype") not in (None, XSD_STRING, RDF_LANGSTRING):
        out["datatype"] = term["datatype"]
    return out


def from_oxigraph(answer) -> QueryResult:
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows = []
        # a term repeats across rows (a kind, a status): it is converted once, and rows
        # share its (never modified) dict
        seen: dict = {}
        for solution in answer:
            row = {}
            for name, value in zip(variables, solution):
                if value is not None:
                    term = seen.get(value)
                    if term is None:
                        term = seen[value] = term_from_oxigraph(value)
                    row[name] = term
            rows.append(row)
        return QueryResult("select", variables, rows)
    lines = sorted({str(t) + " ." for t in answer})
    return QueryResult("graph", triples=lines)


def from_json(document: dict) -> QueryResult:
    """A result from a SPARQL 1.1 Query Results JSON document."""
    if "boolean" in document:
        return QueryResult("ask", boolean=bool(document["boolean"]))
    variables = list(document["head"]["vars"])
    rows = [
        {name: normalize_term(term) for name, term in binding.items()}
        for binding in document["results"]["bindings"]
    ]
    return QueryResult("select", variables, rows)


# --- rendering -------------------------------------------------------------------------


def ntriples(term: Term) -> str:
    """A results term in N-Triples syntax (escaped by the RDF library)."""
    kind = term["type"]
    if kind == "uri":
        return f"<{term['value']}>"
    if kind == "bnode":
        return f"_:{term['value']}"
    if kind == "triple":
        v = term["value"]
        return f"<< {ntriples(v['subject'])} {ntriples(v['predicate'])} {ntriples(v['object'])} >>"
    lexical = str(ox.Literal(str(term["value"])))  # N-Triples escaping by the RDF library
    if "xml:lang" in term:
        return f"{lexical}@{term['xml:lang']}"
    if "datatype" in term:
        return f"{lexical}^^<{term['datatype']}>"
    return lexical


def compact(iri: str, prefixes: dict[str, str]) -> str:
    """``iri`` as a prefixed name when a prefix covers it (longest namespace wins)."""
    best = None
    for name, ns in prefixes.items():
        if ns and iri.startswith(ns) and (best is None or len(ns) > len(prefixes[best])):
            best = name
    if best is None:
        return f"<{iri}>"
    local = iri[len(prefixes[best]):]
    if any(c in local for c in " ()<>\"{}|^`\\,;"):
        return f"<{iri}>"
    return f"{best}:{local}"


_CELL = 72  # the widest cell a table shows; csv, tsv and json carry every value whole


def _cell(term: Term | None, prefixes: dict[str, str]) -> str:
    if term is None:
        return ""
    if term["type"] == "uri":
        return compact(str(term["value"]), prefixes)
    if term["type"] == "bnode":
        return f"_:{term['value']}"
    if term["type"] == "triple":
        return ntriples(term)
    text = " ".join(str(term["value"]).split())
    return text if len(text) <= _CELL else text[: _CELL - 1] + "…"


def render(result: QueryResult, fmt: str, *, prefixes: dict[str, str] | None = None) -> str:
    """The result as text in format ``fmt`` (``table``, ``csv``, ``tsv`` or ``json``)."""
    prefixes = prefixes or {}
    if result.kind == "graph":
        return "".join(line + "\n" for line in result.triples)
    if fmt == "json":
        if result.kind == "ask":
            doc: dict = {"head": {}, "boolean": result.boolean}
        else:
            doc = {"head": {"vars": result.variables}, "results": {"bindings": result.rows}}
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if result.kind == "ask":
        return ("true" if result.boolean else "false") + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow(
                [
                    ("_:" + str(row[v]["value"]) if row[v]["type"] == "bnode" else row[v]["value"])
                    if v in row
                    else ""
                    for v in result.variables
                ]
            )
        return buffer.getvalue()
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in result.variables)]
        for row in result.rows:
            lines.append("\t".join(ntriples(row[v]) if v in row else "" for v in result.variables))
        return "\n".join(lines) + "\n"
    if fmt == "table":
        return _table(result, prefixes)
    raise ValueError(f"unknown result format {fmt!r}")


def _table(result: QueryResult, prefixes: dict[str, str]) -> str:
    header = result.variables
    cells = [[_cell(row.get(v), prefixes) for v in header] for row in result.rows]
    widths = [len(h) for h in header]
    for line in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, line)]
    fmt_line = lambda values: "  ".join(c.ljust(w) for c, w in zip(values, widths)).rstrip()  # noqa: E731
    out = [fmt_line(header), fmt_line(["-" * w for w in widths])]
    out.extend(fmt_line(line) for line in cells)
    return "\n".join(out) + "\n"
