"""The command line: options -> one library call -> render -> exit code.

Heavy libraries (rdflib, pyshacl, SPARQLWrapper) are imported inside the commands that
need them, so ``isthmus query`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from isthmus import __version__
from isthmus.errors import EXIT_DATA, IsthmusError, LoadError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Group(click.Group):
    """Turns every ``IsthmusError`` into one message on stderr and its exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except LoadError as err:
            for problem in err.problems:
                click.echo(f"isthmus: {problem}", err=True)
            ctx.exit(err.exit_code)
        except IsthmusError as err:
            for line in str(err).splitlines():
                click.echo(f"isthmus: {line}", err=True)
            ctx.exit(err.exit_code)
        except KeyboardInterrupt:
            click.echo("isthmus: interrupted", err=True)
            ctx.exit(130)


class _Lazy:
    """The project, resolved once on first use."""

    def __init__(self, option):
        self.option = option
        self._project = None

    @property
    def project(self):
        if self._project is None:
            from isthmus.project import resolve

            self._project = resolve(self.option)
        return self._project


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        from isthmus.atomic import write_bytes

        write_bytes(output, text.encode("utf-8"))


@click.group(cls=_Group, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="isthmus")
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="ISTHMUS_PROJECT",
    help="Project folder holding ontology/, data/, shapes/ and queries/. Default: the "
    "working folder if it is one, else the graph bundled with the package.",
)
@click.pass_context
def cli(ctx: click.Context, project: Path | None) -> None:
    """Isthmus: validate, query and export a linked-data knowledge graph of scholarship."""
    ctx.obj = _Lazy(project)


# --- validate -------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
    help="Report for people (text), or for machines: JSON, or a SHACL report graph in Turtle.",
)
@click.option("-q", "--quiet", is_flag=True, help="In the text report, list violations only; warnings and notes are counted.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to this file instead of standard output.")
@click.pass_obj
def validate(state: _Lazy, fmt: str, quiet: bool, output: Path | None) -> None:
    """Check syntax, ontology use and SHACL shapes.

    Exit 0 when the data conforms (warnings allowed), 1 on any violation,
    2 when a file cannot be read.
    """
    from isthmus import validate as v

    report = v.validate(state.project)
    if fmt == "text":
        text = v.render_text(report, warnings=not quiet)
    else:
        text = {"json": v.render_json, "turtle": v.render_turtle}[fmt](report)
    _emit(text, output)
    if not report.conforms:
        sys.exit(EXIT_DATA)


# --- query ----------------------------------------------------------------------------------


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    from isthmus.errors import QueryError

    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--param {item!r}: write it as NAME=VALUE")
        if name.strip() in out:
            raise QueryError(f"--param {name.strip()}: given twice")
        out[name.strip()] = value
    return out


def _list_queries(state: _Lazy, fmt: str, output: Path | None) -> None:
    import json

    from isthmus.queries import catalogue

    project = state.project
    queries = catalogue(project.query_files, project.display)
    if fmt == "json":
        doc = [
            {
                "name": q.name,
                "summary": q.summary,
                "tags": list(q.tags),
                "params": [
                    {"name": p.name, "type": p.type_label, "required": p.required, "default": p.default}
                    for p in q.params
                ],
            }
            for q in queries.values()
        ]
        _emit(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", output)
        return
    rows = []
    for q in queries.values():
        params = ", ".join(
            f"{p.name}:{p.type_label}" + (f"={p.default}" if p.default else "") + ("" if p.required or p.default else "?")
            for p in q.params
        )
        rows.append((q.name, q.summary, params))
    width = max((len(r[0]) for r in rows), default=4)
    lines = [f"{name.ljust(width)}  {summary}" + (f"\n{'':{width}}  parameters: {params}" if params else "") for name, summary, params in rows]
    _emit("\n".join(lines) + ("\n" if lines else ""), output)


@cli.command()
@click.argument("name", required=False)
@click.option("--list", "list_", is_flag=True, help="List the stored queries with their summaries and parameters.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="A parameter value, bound as an RDF term (repeatable). IRIs may be prefixed names the query declares.")
@click.option("-f", "--format", "fmt", default="table", show_default=True, metavar="FORMAT", help="table, csv, tsv or json (SPARQL 1.1 Query Results JSON).")
@click.option("--file", "query_file", type=click.Path(dir_okay=False, path_type=Path), help="Run the SPARQL query in this file instead of a stored one.")
@click.option("-e", "--execute", "text", metavar="SPARQL", help="Run this SPARQL query text.")
@click.option("--endpoint", metavar="URL", help="Run on a remote SPARQL 1.1 endpoint instead of the local graph.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True, help="Seconds to wait for a remote endpoint.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the results to this file instead of standard output.")
@click.pass_obj
def query(state: _Lazy, name, list_, params, fmt, query_file, text, endpoint, timeout, output) -> None:
    """Run a stored query NAME (a file of queries/), or an ad hoc one.

    \b
    Examples:
      isthmus query --list
      isthmus query timeline --format csv
      isthmus query statements-by-reference --param number=16
      isthmus query timeline --endpoint http://localhost:7878/query
    """
    from isthmus import queries as q
    from isthmus.errors import QueryError
    from isthmus.formats import RESULT_FORMATS, lookup
    from isthmus.results import render

    result_format = lookup(fmt, RESULT_FORMATS, option="--format").name
    sources = sum(bool(x) for x in (name, query_file, text, list_))
    if sources != 1:
        raise QueryError("give exactly one of: a query NAME, --file F, -e TEXT or --list")
    if list_:
        _list_queries(state, "json" if result_format == "json" else "table", output)
        return
    values = _parse_params(params)
    project = state.project if (name or endpoint is None) else None
    if name:
        stored = q.load_one(project.query_files, name, project.display)
    elif query_file:
        stored = q.adhoc(Path(query_file), str(query_file))
    else:
        stored = q.adhoc_text(text, "-e")
    bindings = q.bind(stored, values)
    if endpoint:
        from isthmus.sparql import Endpoint

        result = Endpoint(endpoint, timeout=timeout).run(q.with_values(stored.text, bindings), stored.form)
    else:
        from isthmus.graph import new_store, parse_files

        files = parse_files(project.ontology_files + project.data_files, project.display)
        shown = project.display(stored.path) if stored.path else "-e"
        result = q.run_local(new_store(files), stored.text, bindings, shown=shown)
    _emit(render(result, result_format, prefixes=stored.prefixes), output)
    if result.kind == "select" and output is None and sys.stderr.isatty():
        click.echo(f"({len(result.rows)} rows)", err=True)


# --- export ---------------------------------------------------------------------------------


@cli.command()
@click.option("-f", "--format", "fmt", metavar="FORMAT", help="jsonld, ttl, nt or nq (a name, extension or media type). Default: from the -o file name, else ttl.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file (atomically) instead of standard output.")
@click.pass_obj
def export(state: _Lazy, fmt: str | None, output: Path | None) -> None:
    """Serialize the data as JSON-LD, Turtle, N-Triples or N-Quads.

    JSON-LD is compacted with ontology/context.jsonld into one @graph; N-Quads puts every
    triple in a graph named by the dataset's IRI. Output is sorted, so it diffs cleanly.
    """
    from isthmus import export as ex
    from isthmus.atomic import write_bytes
    from isthmus.formats import EXPORT_FORMATS, TURTLE, for_path, lookup

    if fmt:
        chosen = lookup(fmt, EXPORT_FORMATS, option="--format")
    elif output is not None:
        chosen = for_path(output, EXPORT_FORMATS)
        if chosen is None:
            raise IsthmusError(f"-o {output}: cannot tell the format from the file name; add --format")
    else:
        chosen = TURTLE
    data = ex.serialize(ex.load_data(state.project), chosen)
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        write_bytes(output, data)


def main() -> None:  # pragma: no cover - the console script calls cli directly
    cli(prog_name="isthmus")
