"""Run one benchmark stage in this process and print what it cost, as JSON.

    python benchmarks/stage.py STAGE PROJECT [ARG]

Stages: load, queries, validate, export:FORMAT, publish, rdflib-load, rdflib-queries,
rdflib-export. Wall time, CPU time and peak memory (resident set) are this process's own,
so each stage is measured alone.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "cli"))

# the stored queries the rdflib comparison runs (the others would take too long at scale)
RDFLIB_QUERIES = ("class-counts", "statements-by-reference", "trade-figures")


def _project(path: str):
    from isthmus.project import Project

    return Project(Path(path).resolve())


def _measure(work) -> dict:
    wall, cpu = time.perf_counter(), time.process_time()
    detail = work() or {}
    return {
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        # the largest of this process and the worker processes it forked (publish)
        "peak_mb": max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024,
        **detail,
    }


def load(project):
    from isthmus.graph import load_store

    store = load_store(project.ontology_files + project.data_files, project.display)
    return {"triples": len(store)}


def queries(project):
    from isthmus import queries as q
    from isthmus.graph import load_store

    store = load_store(project.ontology_files + project.data_files, project.display)
    times = {}
    for path in project.query_files:
        stored = q.load_one(project.query_files, path.stem, project.display)
        start = time.perf_counter()
        result = q.run_local(store, stored.text, q.bind(stored, {}), shown=path.stem)
        times[path.stem] = {"wall_s": time.perf_counter() - start, "rows": len(result.rows)}
    return {"queries": times}


def validate(project, engine="auto"):
    from isthmus import validate as v

    from isthmus.main import _cache_folder

    # the cache folder the CLI uses ($ISTHMUS_CACHE): results reused for unchanged files
    report = v.validate(project, engine=engine, cache=_cache_folder("validate"))
    return {"conforms": report.conforms, "results": len(report.results)}


def export(project, fmt):
    from isthmus import export as ex
    from isthmus.formats import EXPORT_FORMATS, lookup

    data = ex.serialize(ex.load_data(project), lookup(fmt, EXPORT_FORMATS, option="--format"))
    return {"bytes": len(data)}


def publish(project):
    from isthmus.publish.release import publish as run

    with tempfile.TemporaryDirectory() as folder:
        published = run(project, Path(folder) / "dist")
    return {"pages": published.pages}


def rdflib_load(project):
    import rdflib

    graph = rdflib.Graph()
    for path in project.ontology_files + project.data_files:
        graph.parse(path, format="nt" if path.suffix == ".nt" else "turtle")
    return {"triples": len(graph)}, graph


def rdflib_queries(project):
    from isthmus import queries as q

    _, graph = rdflib_load(project)
    times = {}
    for name in RDFLIB_QUERIES:
        stored = q.load_one(project.query_files, name, project.display)
        text = q.with_values(stored.text, q.bind(stored, {}))
        start = time.perf_counter()
        rows = len(list(graph.query(text)))
        times[name] = {"wall_s": time.perf_counter() - start, "rows": rows}
    return {"queries": times}


def rdflib_export(project):
    _, graph = rdflib_load(project)
    return {"bytes": len(graph.serialize(format="json-ld"))}


def main() -> None:
    stage, project = sys.argv[1], _project(sys.argv[2])
    arg = sys.argv[3] if len(sys.argv) > 3 else None
    runners = {
        "load": lambda: load(project),
        "queries": lambda: queries(project),
        "validate": lambda: validate(project, arg or "auto"),
        "export": lambda: export(project, arg),
        "publish": lambda: publish(project),
        "rdflib-load": lambda: rdflib_load(project)[0],
        "rdflib-queries": lambda: rdflib_queries(project),
        "rdflib-export": lambda: rdflib_export(project),
    }
    print(json.dumps(_measure(runners[stage])))


if __name__ == "__main__":
    main()
