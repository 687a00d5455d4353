"""Build a release: validate, then write dumps, metadata and site into a temporary folder,
and swap it in for the previous release in one step.

Layout of a release (paths mirror the dataset's IRIs below its landing page):

    index.html                     the landing page (with schema.org Dataset JSON-LD)
    void.ttl, .well-known/void     VoID
    catalog.ttl, catalog.jsonld    DCAT 3: the dataset and one distribution per file
    dumps/<name>.ttl .nt .jsonld   the data; dumps/context.jsonld; dumps/<name>.zip
    ontology.ttl .jsonld .rdf      the ontology (its IRI's path), ontology.html its documentation
    shapes/shapes.ttl              the SHACL shapes
    queries/*.rq                   the stored queries
    id/<kind>/<slug>.html .ttl .jsonld   one page and two documents per resource
    timeline.html, network.html    the pictures
    .htaccess                      content negotiation
    SHA256SUMS                     checksums of every download
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from isthmus import jsonld
from isthmus.errors import DataError, IsthmusError, OutputError
from isthmus.export import dataset_iri, load_context
from isthmus.graph import canonical_blank_nodes, merged_prefixes, parse_files, triples
from isthmus.project import Project
from isthmus.publish.model import Distribution, Release
from isthmus.vocab import Vocabulary

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL_ONTOLOGY = "http://www.w3.org/2002/07/owl#Ontology"
DCAT_LANDING = "http://www.w3.org/ns/dcat#landingPage"
OWL_VERSION = "http://www.w3.org/2002/07/owl#versionInfo"
VOID_ENDPOINT = "http://rdfs.org/ns/void#sparqlEndpoint"

Progress = Callable[[str], None]


def _sort_key(t: ox.Triple):
    return (str(t.subject), str(t.predicate), str(t.object))


def _value(items: list[ox.Triple], subject: str, predicate: str) -> str | None:
    """The first value of ``(subject, predicate)`` in ``items`` (sorted as ``prepare`` sorts)."""
    for t in _about(items, subject):
        if t.predicate.value == predicate:
            return t.object.value
    return None


def _about(items: list[ox.Triple], subject: str) -> list[ox.Triple]:
    """The triples of ``items`` (sorted as ``prepare`` sorts: by subject, predicate and
    object in N-Triples form) whose subject is the IRI ``subject``; a binary search."""
    from bisect import bisect_left, bisect_right

    key = f"<{subject}>"
    by_subject = lambda t: str(t.subject)  # noqa: E731
    return items[bisect_left(items, key, key=by_subject):bisect_right(items, key, key=by_subject)]


def _sorted(items) -> list[ox.Triple]:
    """Triples by subject, predicate and object in N-Triples form (``_sort_key``): a triple's
    N-Triples form sorts the same way (no subject or predicate is a prefix of another),
    with one string per triple instead of three."""
    return sorted(items, key=str)


def prepare(project: Project, *, base_url: str | None = None, sparql_endpoint: str | None = None,
            today: str | None = None) -> Release:
    """Read the project into a ``Release``; raises ``LoadError`` for unreadable files."""
    from isthmus.queries import catalogue

    display = project.display
    ontology_files = parse_files(project.ontology_files, display)
    ontology = _sorted(canonical_blank_nodes(triples(ontology_files)))
    shapes = _sorted(canonical_blank_nodes(triples(parse_files(project.shape_files, display))))
    data_files = parse_files(project.data_files, display)
    prefixes = merged_prefixes(data_files + ontology_files)
    distinct = triples(data_files)
    del data_files  # the parsed quads: as large as the data
    data = _sorted(canonical_blank_nodes(distinct))
    del distinct
    store = _store(ontology + data)
    dataset = dataset_iri(data)
    if dataset is None:
        raise IsthmusError("the data describes no dataset (a void:Dataset or dcat:Dataset); publishing needs one")
    landing = base_url or _value(data, dataset.value, DCAT_LANDING)
    if not landing:
        raise IsthmusError(f"the dataset {dataset.value} has no dcat:landingPage; add one or give --base-url")
    if not landing.endswith("/"):
        landing += "/"
    ontology_iri = next(
        (t.subject.value for t in ontology if t.predicate.value == RDF_TYPE and t.object.value == OWL_ONTOLOGY
         and isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(landing)),
        None,
    ) or next((t.subject.value for t in ontology if t.predicate.value == RDF_TYPE and t.object.value == OWL_ONTOLOGY), "")
    context = load_context(project)
    if context is None:
        raise IsthmusError("publishing needs ontology/context.jsonld, the JSON-LD context of the dumps")
    return Release(
        project=project,
        data=data,
        ontology=ontology,
        shapes=shapes,
        store=store,
        prefixes=prefixes,
        vocab=Vocabulary.of(ontology),
        context=context,
        dataset=dataset.value,
        landing=landing,
        ontology_iri=ontology_iri,
        version=_value(data, dataset.value, OWL_VERSION) or "",
        modified=today or _dt.date.today().isoformat(),
        queries=catalogue(project.query_files, display),
        sparql_endpoint=sparql_endpoint or _value(data, dataset.value, VOID_ENDPOINT),
    )


def _store(items: list[ox.Triple]) -> ox.Store:
    """A store holding ``items``: those without blank nodes loaded from N-Triples (no Python
    object per triple), the others added as they are (a load would relabel their blank
    nodes at random)."""
    plain, blank = [], []
    for t in items:
        (blank if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) else plain).append(t)
    store = ox.Store()
    store.load(ox.serialize(plain, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.N_TRIPLES)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in blank)
    return store


# --- distributions ----------------------------------------------------------------------------


def used_context(release: Release, items: list[ox.Triple]) -> dict:
    """The shipped context with only the prefixes the triples use (terms are all kept)."""
    ctx = dict(release.context.document["@context"])
    iris = {term.value for t in items for term in (t.subject, t.predicate, t.object) if isinstance(term, ox.NamedNode)}
    iris |= {t.object.datatype.value for t in items if isinstance(t.object, ox.Literal)}
    terms = {v if isinstance(v, str) else v.get("@id", "") for v in ctx.values() if isinstance(v, (str, dict))}
    for name, ns in list(release.context.prefixes.items()):
        expanded_terms = any(release.context.expand(t).startswith(ns) for t in terms if isinstance(t, str) and not t.startswith("@") and t != ns)
        if not any(i.startswith(ns) for i in iris) and not expanded_terms:
            ctx.pop(name, None)
    return {"@context": ctx}


def _serialize(items: list[ox.Triple], fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> bytes:
    data = ox.serialize(items, format=fmt, prefixes=prefixes) if prefixes else ox.serialize(items, format=fmt)
    return data if data.endswith(b"\n") or not data else data + b"\n"


def _turtle(items: list[ox.Triple], prefixes: dict[str, str]) -> bytes:
    from isthmus.export import Graph, _turtle as pretty

    return pretty(Graph(items, prefixes, None, None))


class _Writes:
    """Makes a file by writing into the open binary file it is given (the large dumps,
    written as they are made rather than held in memory)."""

    def __init__(self, write: Callable[[object], None]):
        self.write = write


def _dumps(release: Release, name: str) -> list[tuple[Distribution, Callable[[], bytes] | _Writes]]:
    """Every file ``write_distributions`` writes but the zip, with what makes it: a
    function giving its bytes, or a ``_Writes``; called one at a time."""
    from functools import cache

    from isthmus.publish.framing import dumps as json_bytes, write_json

    @cache
    def context() -> dict:
        return used_context(release, release.data)

    def data_jsonld(handle) -> None:
        write_json(jsonld.compact_document(release.data, jsonld.Context(context())), handle)

    def data_ntriples(handle) -> None:  # each line ends with a newline
        ox.serialize(release.data, handle, format=ox.RdfFormat.N_TRIPLES)

    base = release.page_path(release.ontology_iri) or "ontology"
    files: list[tuple[Distribution, Callable[[], bytes] | _Writes]] = [
        (Distribution(f"dumps/{name}.ttl", "The data in Turtle", "text/turtle", "data", "turtle"),
         lambda: _turtle(release.data, release.prefixes)),
        (Distribution(f"dumps/{name}.nt", "The data in N-Triples", "application/n-triples", "data", "ntriples"),
         _Writes(data_ntriples)),
        (Distribution(f"dumps/{name}.jsonld", "The data in JSON-LD (one @graph, compacted)", "application/ld+json", "data", "jsonld"),
         _Writes(data_jsonld)),
        (Distribution("dumps/context.jsonld", "The JSON-LD context of the data", "application/ld+json", "context", "jsonld"),
         lambda: (json.dumps(context(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")),
        (Distribution(f"{base}.ttl", "The ontology in Turtle", "text/turtle", "ontology", "turtle"),
         lambda: _turtle(release.ontology, release.prefixes)),
        (Distribution(f"{base}.jsonld", "The ontology in JSON-LD", "application/ld+json", "ontology", "jsonld"),
         lambda: json_bytes(jsonld.compact_document(release.ontology, release.context))),
        (Distribution(f"{base}.rdf", "The ontology in RDF/XML", "application/rdf+xml", "ontology", "rdfxml"),
         lambda: _serialize(release.ontology, ox.RdfFormat.RDF_XML, release.prefixes)),
        (Distribution("shapes/shapes.ttl", "The SHACL shapes the data is validated with", "text/turtle", "shapes", "turtle"),
         lambda: _turtle(release.shapes, release.prefixes)),
    ]
    for query in release.queries.values():
        files.append((Distribution(f"queries/{query.name}.rq", query.summary, "application/sparql-query", "queries", "sparql"),
                      lambda text=query.text: text.encode("utf-8")))
    return files


def distribution_paths(release: Release, name: str) -> list[str]:
    """The paths ``write_distributions`` writes (nothing is computed or written)."""
    return [dist.path for dist, _make in _dumps(release, name)] + [f"dumps/{name}.zip"]


def write_distributions(release: Release, root: Path, name: str) -> None:
    """Dumps of the data, the ontology, the shapes and the queries, and a zipped bundle."""
    written: list[Distribution] = []
    for dist, make in _dumps(release, name):
        path = root / dist.path
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(make, _Writes):
            with path.open("wb") as handle:
                make.write(handle)
            _measure(root, dist)
        else:
            payload = make()
            path.write_bytes(payload)
            dist.size = len(payload)
            dist.sha256 = hashlib.sha256(payload).hexdigest()
            del payload
        written.append(dist)
    bundle = Distribution(f"dumps/{name}.zip", "Everything above in one zip file", "application/zip", "bundle", "zip")
    # the files read back one by one: the same bytes as writestr of each payload
    with zipfile.ZipFile(root / bundle.path, "w", zipfile.ZIP_DEFLATED) as archive:
        for dist in written:
            info = zipfile.ZipInfo(f"{name}/{dist.path}", date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.file_size = dist.size
            with (root / dist.path).open("rb") as source, archive.open(info, "w") as target:
                shutil.copyfileobj(source, target, 1 << 20)
    release.distributions.extend(written)
    record(release, root, bundle)


def record(release: Release, root: Path, dist: Distribution) -> None:
    """Measure a file already written and list it as a distribution."""
    _measure(root, dist)
    release.distributions.append(dist)


def _measure(root: Path, dist: Distribution) -> None:
    """The size and SHA-256 of a distribution's file, read back in blocks."""
    digest, size = hashlib.sha256(), 0
    with (root / dist.path).open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    dist.size = size
    dist.sha256 = digest.hexdigest()


def write_checksums(release: Release, root: Path) -> None:
    lines = [f"{d.sha256}  {d.path}" for d in sorted(release.distributions, key=lambda d: d.path)]
    (root / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- the whole build --------------------------------------------------------------------------


def build(release: Release, out: Path, *, progress: Progress | None = None) -> Path:
    """Write the release into a temporary folder beside ``out`` and swap it in."""
    from isthmus.atomic import replace_dir
    from isthmus.publish import site, workers

    say = progress or (lambda _text: None)
    out = Path(out)
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"--out {out}: the folder {parent} does not exist")
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out}: exists and is not a folder")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    except OSError as err:
        raise OutputError(f"--out {out}: cannot write in {parent}: {err.strerror or err}") from None
    name = release.project.root.name if release.project.root.name not in ("", "_bundle") else "dataset"
    name = _slug(_value(release.data, release.dataset, "http://www.w3.org/2000/01/rdf-schema#label") or name)
    try:
        background = None
        if len(release.data) >= BACKGROUND and workers.available() > 1:
            say("dumps and metadata, in a second process")
            background = workers.Forked(lambda: _dumps_and_metadata(release, tmp, name))

            def dataset_jsonld() -> dict:
                release.distributions[:], document = background.result()
                return document
        else:
            say("dumps and metadata")
            release.distributions[:], document = _dumps_and_metadata(release, tmp, name)
            dataset_jsonld = lambda: document  # noqa: E731
        try:
            say("site")
            site.render(release, tmp, dataset_jsonld=dataset_jsonld, progress=say,
                        reserved=distribution_paths(release, name))
        except BaseException:
            if background is not None:
                background.cancel()  # its files go with the temporary folder
            raise
        if background is not None:
            background.close()
        write_checksums(release, tmp)
        os.chmod(tmp, 0o755)
        say("swap")
        replace_dir(tmp, out)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"--out {out}: the release could not be written ({err.strerror or err}); the previous one is intact") from None
    except OutputError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"{err}; nothing was published, the previous release is intact") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


#: from this many data triples on, the dumps and the metadata are written by a forked
#: process while this one writes the site (where there is more than one core)
BACKGROUND = 50_000


def _dumps_and_metadata(release: Release, root: Path, name: str) -> tuple[list[Distribution], dict]:
    """Write the dumps, VoID and DCAT; the distributions and the schema.org description."""
    from isthmus.publish import dcat, schemaorg, void

    write_distributions(release, root, name)
    void.write(release, root)
    dcat.write(release, root)
    return list(release.distributions), schemaorg.dataset(release)


def _slug(text: str) -> str:
    import re
    import unicodedata

    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "dataset"


@dataclass(frozen=True)
class Published:
    """What a publish run made: the release, the validation report it passed, its pages."""

    release: Release
    report: object
    pages: int


def publish(project: Project, out: Path, *, base_url: str | None = None, sparql_endpoint: str | None = None,
            progress: Progress | None = None):
    """Validate, then build. Raises ``DataError`` (carrying the report) on violations."""
    say = progress or (lambda _text: None)
    say("validate")
    report = _validated(project)
    if not report.conforms:
        error = DataError("the graph has violations; nothing was published (the report is above)")
        error.report = report
        raise error
    say("prepare")
    release = prepare(project, base_url=base_url, sparql_endpoint=sparql_endpoint)
    build(release, out, progress=progress)
    pages = sum(1 for _folder, _dirs, files in os.walk(out) for name in files if name.endswith(".html"))
    return Published(release, report, pages)


def _validated(project: Project):
    """``validate(project)``, in a forked process where there is ``fork``: validating a
    large graph leaves this process's memory fragmented, and the processes that write the
    release are forked from it later (their pages would be copied). Raises what
    ``validate`` raises."""
    from isthmus.errors import LoadError
    from isthmus.publish import workers
    from isthmus.validate import validate

    if not hasattr(os, "fork"):
        return validate(project)

    def run():
        try:
            return "report", validate(project)
        except LoadError as err:  # its problems travel as they are (pickling would rebuild it from its message)
            return "unreadable", err.problems

    kind, value = workers.Forked(run).result()
    if kind == "unreadable":
        raise LoadError(value)
    return value
