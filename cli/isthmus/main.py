"""The command line: options -> one library call -> render -> exit code.

Heavy libraries (rdflib, pyshacl, SPARQLWrapper) are imported inside the commands that
need them, so ``isthmus query`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from isthmus import __version__
from isthmus.errors import EXIT_DATA, IsthmusError, LoadError, one_line

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _UsageLine(click.UsageError):
    """A usage error (bad option value, unknown option or command) shown like every other
    message: one line on stderr, naming the option; exit code 2."""

    def show(self, file=None) -> None:
        hint = f" (see '{self.ctx.command_path} --help')" if self.ctx is not None else ""
        click.echo(f"isthmus: {one_line(self.format_message())}{hint}", err=True)


def _usage_line(err: click.UsageError) -> click.UsageError:
    if isinstance(err, _UsageLine) or type(err).__name__ == "NoArgsIsHelpError":  # that one shows the help
        return err
    return _UsageLine(err.format_message(), err.ctx)


class _Group(click.Group):
    """Turns every ``IsthmusError`` into one message on stderr and its exit code."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as err:
            raise _usage_line(err) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as err:
            raise _usage_line(err) from None
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
@click.option("--engine", type=click.Choice(["auto", "compiled", "pyshacl"]), default="auto", show_default=True, help="SHACL engine: shapes compiled to SPARQL on Oxigraph (fast), or pyshacl; auto falls back to pyshacl for shapes the compiler does not support.")
@click.option("--no-cache", is_flag=True, help="Validate even if an unchanged project was validated before (reports are cached by the content of the files).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to this file instead of standard output.")
@click.pass_obj
def validate(state: _Lazy, fmt: str, quiet: bool, engine: str, no_cache: bool, output: Path | None) -> None:
    """Check syntax, ontology use and SHACL shapes.

    Exit 0 when the data conforms (warnings allowed), 1 on any violation,
    2 when a file cannot be read.
    """
    from isthmus import validate as v
    from isthmus.graph import streams

    project = state.project
    # the cache key reads every file: a pipe among them would block it, so no cache then
    # (validation itself refuses pipes with a message)
    no_cache = no_cache or bool(streams(project.ontology_files + project.data_files + project.shape_files))
    report = v.validate(project, engine=engine, cache=None if no_cache else _cache_folder("validate"))
    if fmt == "text":
        text = v.render_text(report, warnings=not quiet)
    else:
        text = {"json": v.render_json, "turtle": v.render_turtle}[fmt](report)
    _emit(text, output)
    if not report.conforms:
        click.echo(f"isthmus: {_violations(report)}", err=True)
        sys.exit(EXIT_DATA)


def _violations(report) -> str:
    """One line on a report with violations: how many, and where the first one is."""
    found = [r for r in report.results if r.severity == "Violation"]
    first = found[0]
    where = (f"{first.file}:{first.line}" if first.line else first.file) if first.file else first.focus
    return f"the data does not conform: {len(found)} violations, the first at {where}: {one_line(first.message, limit=200)}"


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
        from isthmus.graph import load_store

        store = load_store(project.ontology_files + project.data_files, project.display)
        shown = project.display(stored.path) if stored.path else "-e"
        result = q.run_local(store, stored.text, bindings, shown=shown)
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

    if fmt is not None:
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


# --- publish --------------------------------------------------------------------------------


@cli.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"), show_default=True, help="The release folder; replaced in one step, so a failed run leaves the previous release intact.")
@click.option("--base-url", metavar="URL", help="Where the release will be served. Default: the dataset's dcat:landingPage.")
@click.option("--sparql-endpoint", metavar="URL", help="A public SPARQL endpoint to advertise in the metadata (void:sparqlEndpoint).")
@click.option("--push", "push_url", metavar="URL", help="Then upload the graph (data and ontology) to this SPARQL 1.1 Graph Store endpoint, replacing the named graph in one request. Credentials: ISTHMUS_PUSH_TOKEN, or ISTHMUS_PUSH_USER and ISTHMUS_PUSH_PASSWORD, or ~/.netrc.")
@click.option("--graph", metavar="IRI", help="With --push: the named graph to replace. Default: the dataset's IRI.")
@click.option("--timeout", type=click.FloatRange(min=1), default=120.0, show_default=True, help="Seconds each --push request may take.")
@click.pass_obj
def publish(state: _Lazy, out: Path, base_url: str | None, sparql_endpoint: str | None, push_url: str | None,
            graph: str | None, timeout: float) -> None:
    """Validate the graph, then build the release: dumps, metadata (VoID, DCAT, schema.org)
    and a browsable site.

    Refuses to publish a graph with violations (exit 1, the report shown).
    """
    from isthmus.errors import DataError
    from isthmus.publish.release import publish as run

    _check_iri(base_url, "--base-url", web=True)
    _check_iri(sparql_endpoint, "--sparql-endpoint", web=True)
    _check_iri(push_url, "--push", web=True)
    _check_iri(graph, "--graph")
    tty = sys.stderr.isatty()
    started = {}

    def progress(stage: str) -> None:
        import time

        if tty:
            now = time.monotonic()
            if started:
                click.echo(f" {now - started['at']:.1f} s", err=True)
            click.echo(f"{stage}…", err=True, nl=False)
            started["at"] = now

    try:
        published = run(state.project, out, base_url=base_url, sparql_endpoint=sparql_endpoint, progress=progress)
    except DataError as err:
        report = getattr(err, "report", None)
        if report is None:
            raise
        from isthmus.validate import render_text

        click.echo(render_text(report, warnings=False), nl=False)
        raise DataError(f"{_violations(report)}; nothing was published (the report is above)") from None
    finally:
        if tty and started:
            click.echo("", err=True)
    from isthmus.validate import render_text

    release = published.release
    total = sum(d.size for d in release.distributions)
    click.echo(render_text(published.report, warnings=False).splitlines()[0], err=True)
    click.echo(f"published {len(release.distributions)} downloads ({total:,} bytes), {published.pages} pages, "
               f"VoID and DCAT metadata to {out}/", err=True)
    if push_url:
        import pyoxigraph as ox

        from isthmus.publish.push import push

        target = graph or release.dataset
        try:
            ox.NamedNode(target)
        except ValueError:
            raise IsthmusError(f"--graph: {one_line(repr(target))} is not an IRI") from None
        pushed = push(release.data + release.ontology, push_url, target, timeout=timeout)
        click.echo(f"pushed {pushed.sent} triples into <{pushed.graph}> at {push_url}; the store holds {pushed.found}", err=True)


def _check_iri(value: str | None, option: str, *, web: bool = False) -> None:
    """Refuse an option value that is not an absolute IRI (an http(s) URL when ``web``)
    before any work is done."""
    import re

    if value is None:
        return
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) or (web and not re.match(r"^https?://[^/?#\s]", value)):
        wanted = "an http:// or https:// URL" if web else "an absolute IRI"
        raise IsthmusError(f"{option}: {one_line(repr(value))} is not {wanted}")
    import pyoxigraph as ox

    try:
        ox.NamedNode(value)
    except ValueError as err:
        raise IsthmusError(f"{option}: {one_line(repr(value))} is not a valid IRI: {one_line(repr(str(err))[1:-1])}") from None


# --- serve ----------------------------------------------------------------------------------


@cli.command()
@click.option("--release", "release_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"), show_default=True, help="The release folder to serve; built first (isthmus publish) when it does not exist.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on (0: any free port).")
@click.option("--allow-service", multiple=True, metavar="IRI", help="An IRI prefix that SPARQL SERVICE may call (repeatable); by default SERVICE is refused.")
@click.option("--query-timeout", type=click.IntRange(1, 3600), default=30, show_default=True, help="Seconds a query may run.")
@click.option("--max-answer", type=click.IntRange(1000), default=50_000_000, show_default=True, help="Largest answer, in bytes.")
@click.pass_obj
def serve(state: _Lazy, release_dir: Path, host: str, port: int, allow_service, query_timeout: int, max_answer: int) -> None:
    """Serve the release: its site, and a read-only SPARQL endpoint at /sparql (the Oxigraph
    server behind a front that refuses updates and SERVICE calls to other hosts)."""
    import time

    from isthmus.serve import Policy, start

    if release_dir.exists() and not (release_dir / "index.html").is_file():
        # never build over a folder that holds something else: the swap would replace it
        raise IsthmusError(f"--release {release_dir}: not a release (no index.html); "
                           "give a release folder made by 'isthmus publish', or a folder that does not exist yet")
    if not release_dir.exists():
        from isthmus.publish.release import publish as build

        click.echo(f"no release in {release_dir}; building it first", err=True)
        build(state.project, release_dir)
    policy = Policy(allowed_services=tuple(allow_service), max_answer_bytes=max_answer, timeout_s=query_timeout)
    served = start(release_dir, host=host, port=port, policy=policy)
    click.echo(f"serving {served.url} (SPARQL endpoint: {served.sparql}); Ctrl-C stops", err=True)
    try:
        while served.thread.is_alive():
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        served.stop()


# --- link -----------------------------------------------------------------------------------

WIKIDATA_ENDPOINT = "https://query.wikidata.org/sparql"
SCHOLARLY_ENDPOINT = "https://query-scholarly.wikidata.org/sparql"


def _cache_folder(name: str) -> Path:
    """Where Isthmus keeps a kind of cached answer: $ISTHMUS_CACHE, else the user cache."""
    import os

    if os.environ.get("ISTHMUS_CACHE"):
        return Path(os.environ["ISTHMUS_CACHE"]) / name
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "isthmus" / name


def _default_cache() -> Path:
    return _cache_folder("wikidata")


@cli.group()
def link() -> None:
    """Link the graph to other datasets (Wikidata)."""


@link.command("wikidata")
@click.option("--check", "mode", flag_value="check", default=True, help="Check every link: labels, types, redirects, deleted items (the default).")
@click.option("--suggest", "mode", flag_value="suggest", help="Propose items for unlinked entities by exact label or alias (English, Spanish): a review table.")
@click.option("--quickstatements", "mode", flag_value="quickstatements", help="Write QuickStatements (v1) for the sourced facts about linked items.")
@click.option("--accept", type=click.Path(dir_okay=False, path_type=Path), help="Write the links marked 'y' in a review table (from --suggest) into the links file.")
@click.option("--into", type=click.Path(dir_okay=False, path_type=Path), help="With --accept: the Turtle file to write links into. Default: data/links.ttl of the project.")
@click.option("--endpoint", default=WIKIDATA_ENDPOINT, show_default=True, metavar="URL", help="Wikidata's SPARQL endpoint, or a mirror (QLever, a local copy).")
@click.option("--scholarly-endpoint", default=SCHOLARLY_ENDPOINT, show_default=True, metavar="URL", help="Where scholarly works (the sources) are looked up since Wikidata's 2025 graph split.")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path), help="Cache folder for answers. Default: the user cache folder (~/.cache/isthmus/wikidata).")
@click.option("--offline", is_flag=True, help="Ask no endpoint: work from the cache alone.")
@click.option("--refresh", is_flag=True, help="Ask again even for items in the cache.")
@click.option("--timeout", type=click.FloatRange(min=0.5), default=60.0, show_default=True, help="Seconds each query may take, answer included.")
@click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True, help="Further attempts after 429/502/503/504 (Retry-After is honoured).")
@click.option("--batch", type=click.IntRange(1, 50), default=50, show_default=True, help="Items per query.")
@click.option("-f", "--format", "fmt", default="table", show_default=True, metavar="FORMAT", help="table, csv, tsv or json.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report (or statements) to this file instead of standard output.")
@click.pass_obj
def link_wikidata(state: _Lazy, mode, accept, into, endpoint, scholarly_endpoint, cache_dir, offline, refresh,
                  timeout, retries, batch, fmt, output) -> None:
    """Check, suggest and give back links to Wikidata.

    Exit 0 when every link checks out, 1 when some link has a problem, 2 when an endpoint
    failed or the cache lacks items (the partial report is still written).
    """
    from isthmus import link as lk
    from isthmus.errors import EndpointError
    from isthmus.formats import RESULT_FORMATS, lookup
    from isthmus.graph import merged_prefixes, new_store, parse_files, triples
    from isthmus.vocab import Vocabulary
    from isthmus.wikidata import Cache

    project = state.project
    ontology = parse_files(project.ontology_files, project.display)
    data = parse_files(project.data_files, project.display)
    store = new_store(ontology + data)
    try:
        vocab = Vocabulary.of(triples(ontology))
    except ValueError as err:
        raise IsthmusError(f"ontology/: {err}; linking needs the ontology's namespace (or an owl:Ontology IRI)") from None
    prefixes = merged_prefixes(data + ontology)
    if accept is not None:
        _accept_links(project, store, vocab, prefixes, accept, into)
        return
    if mode == "quickstatements":
        from isthmus.quickstatements import statements

        lines = statements(store, vocab)
        _emit("".join(line + "\n" for line in lines), output)
        return
    result_format = lookup(fmt, RESULT_FORMATS, option="--format").name
    found = lk.entities(store, vocab)
    cache_root = cache_dir or _default_cache()
    clients, caches = {}, {}
    for scholarly, url in ((False, endpoint), (True, scholarly_endpoint)):
        caches[scholarly] = Cache(cache_root, url)
        clients[scholarly] = None if offline else _select_client(url, timeout, retries, lk.contact(store),
                                                                 "--scholarly-endpoint" if scholarly else "--endpoint")
    echo = (lambda text: click.echo(text, err=True)) if sys.stderr.isatty() else None
    if mode == "suggest":
        rows, error = _suggestion_rows(found, clients[False], caches[False], refresh, batch)
        table = lk.review_table(lk.suggest(found, rows))
        _emit(table, output)
        if error:
            raise EndpointError(f"{error} (the table above lists what was found before)")
        return
    run = lk.gather(found, clients=clients, caches=caches, refresh=refresh, batch=batch,
                    progress=lk.progress_printer(echo))
    findings = lk.check(found, run.items)
    _emit(_findings_text(findings, result_format, prefixes), output)
    if run.error:
        raise EndpointError(f"{run.error}; the report above is partial, and the cache keeps every item fetched")
    if run.unchecked:
        raise EndpointError(f"{run.unchecked} links not checked: their items are not in the cache (run without --offline)")
    if any(f.problem for f in findings):
        sys.exit(EXIT_DATA)


def _select_client(url, timeout, retries, contact, option):
    from isthmus.sparql import Endpoint, user_agent

    endpoint = Endpoint(url, timeout=timeout, retries=retries, agent=user_agent(contact), method="GET", option=option)

    def run_select(text: str) -> list[dict]:
        result = endpoint.run(text, "SELECT")
        return result.rows

    return run_select


def _suggestion_rows(found, client, cache, refresh, batch):
    import hashlib
    import json

    from isthmus.errors import EndpointError
    from isthmus.wikidata import labels_query

    texts = sorted({t for e in found.values() if not e.links for t in e.texts})
    rows: list[dict] = []
    for start in range(0, len(texts), batch):
        query = labels_query(texts[start : start + batch])
        key = hashlib.sha256(query.encode("utf-8")).hexdigest()[:24]
        path = None if cache is None else cache.folder / "labels" / f"{key}.json"
        if path is not None and path.exists() and not refresh:
            rows += json.loads(path.read_text(encoding="utf-8"))
            continue
        if client is None:
            return rows, f"{len(texts) - start} names not in the cache (run without --offline)"
        try:
            got = client(query)
        except EndpointError as err:
            return rows, str(err)
        rows += got
        if path is not None:
            from isthmus.atomic import write_bytes

            path.parent.mkdir(parents=True, exist_ok=True)
            write_bytes(path, json.dumps(got, ensure_ascii=False).encode("utf-8"), option="--cache")
    return rows, None


def _findings_text(findings, fmt: str, prefixes: dict[str, str]) -> str:
    from isthmus.results import QueryResult, render

    columns = ["status", "entity", "label", "qid", "match", "declared", "detail"]
    rows = []
    for f in findings:
        values = {"status": f.status, "entity": f.entity, "label": f.label, "qid": f.qid, "match": f.match,
                  "declared": f.declared, "detail": f.detail}
        rows.append({k: ({"type": "uri", "value": v} if k == "entity" else {"type": "literal", "value": v})
                     for k, v in values.items() if v})
    return render(QueryResult("select", columns, rows), fmt, prefixes=prefixes)


def _accept_links(project, store, vocab, prefixes, accept: Path, into: Path | None) -> None:
    from isthmus import link as lk
    from isthmus.atomic import write_bytes
    from isthmus.errors import IsthmusError
    from isthmus.graph import parse_file

    if into is None:
        if project.bundled:
            raise IsthmusError("--into: the bundled project cannot be written to; give --into FILE or --project DIR")
        into = project.root / "data" / "links.ttl"
    chosen = lk.read_review(Path(accept), str(accept))
    found = lk.entities(store, vocab)
    for entity, q in chosen:
        known = found.get(entity)
        if known is not None and known.links and q not in known.links:
            raise IsthmusError(f"--accept {accept}: {entity} is already linked to {', '.join(known.links)}")
    existing = [q.triple for q in parse_file(into, project.display(into)).quads] if into.exists() else []
    write_bytes(into, lk.links_turtle(existing, chosen, vocab, prefixes), option="--into")
    click.echo(f"{len(chosen)} links written to {into}", err=True)


def main() -> None:  # pragma: no cover - the console script calls cli directly
    cli(prog_name="isthmus")
