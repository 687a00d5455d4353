"""The benchmark: how Isthmus's cost grows with the graph, stage by stage.

    python benchmarks/run.py [--sizes 10000 100000 1000000] [--out benchmarks/results]

For each size it scales the article graph (benchmarks/generate.py), then measures, each in
a fresh process (benchmarks/stage.py): load, every stored query, validate (then again,
from the cache), each export format and publish — wall time, CPU time and peak memory —
with rdflib alone (load, three queries, JSON-LD) and the Oxigraph CLI's bulk load beside
them for comparison, and the cold `isthmus query` against `oxigraph query` on the same
data. It prints a table, writes results.json and a log-log plot, and fits the exponent of
each stage's growth (time ~ size^k).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "cli"))
from isthmus.serve import oxigraph_binary  # noqa: E402  (as isthmus serve finds it)

HERE = Path(__file__).resolve().parent
TARGETS = {  # at 10^6 triples, seconds (load: triples per second; memory: MB)
    "load_rate": 200_000, "query": 1.0, "validate": 60.0, "export:jsonld": 30.0, "publish": 180.0, "peak_mb": 3072,
}
RDFLIB_LIMIT = 200_000  # rdflib alone is measured up to this size (it takes minutes beyond)


def stage(name: str, project: Path, arg: str | None = None, *, timeout: float = 3600) -> dict:
    args = [sys.executable, str(HERE / "stage.py"), name, str(project)] + ([arg] if arg else [])
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def timed(args: list[str], runs: int, cwd: Path | None = None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, capture_output=True, cwd=cwd, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cold_queries(project: Path, work: Path, runs: int) -> dict:
    """Cold `isthmus query timeline` against `oxigraph query` (a store loaded beforehand)."""
    isthmus = timed([sys.executable, "-m", "isthmus", "--project", str(project), "query", "timeline", "-f", "csv"], runs)
    work.mkdir(parents=True, exist_ok=True)
    store = work / "oxstore"
    files = [str(p) for p in sorted((project / "data").glob("*")) + sorted((project / "ontology").glob("*.ttl"))]
    subprocess.run([oxigraph_binary(), "load", "--location", str(store), "--file", *files], capture_output=True, check=True)
    query = project / "queries" / "timeline.rq"
    oxigraph = timed([oxigraph_binary(), "query", "--location", str(store), "--query-file", str(query),
                      "--results-format", "csv"], runs)
    return {"isthmus_query_s": isthmus, "oxigraph_query_s": oxigraph, "ratio": isthmus / oxigraph if oxigraph else None}


def oxigraph_load(project: Path, work: Path) -> dict:
    store = work / "bulk"
    files = [str(p) for p in sorted((project / "data").glob("*"))]
    start = time.perf_counter()
    subprocess.run([oxigraph_binary(), "load", "--location", str(store), "--file", *files], capture_output=True, check=True)
    return {"wall_s": time.perf_counter() - start}


def measure(size: int, work: Path, runs: int) -> dict:
    project = work / f"graph-{size}"
    subprocess.run([sys.executable, str(HERE / "generate.py"), "--triples", str(size), "--out", str(project)],
                   check=True, capture_output=True)
    out: dict = {"size": size}
    out["load"] = stage("load", project)
    out["queries"] = stage("queries", project)
    cache = work / f"cache-{size}"
    os.environ["ISTHMUS_CACHE"] = str(cache)
    out["validate"] = stage("validate", project)
    out["validate:cached"] = stage("validate", project)
    out["validate:pyshacl"] = stage("validate", project, "pyshacl")
    for fmt in ("jsonld", "ttl", "nt", "nq"):
        out[f"export:{fmt}"] = stage("export", project, fmt)
    out["publish"] = stage("publish", project)
    out["oxigraph:load"] = oxigraph_load(project, work)
    if size <= RDFLIB_LIMIT:
        out["rdflib:load"] = stage("rdflib-load", project)
        out["rdflib:queries"] = stage("rdflib-queries", project)
        out["rdflib:export:jsonld"] = stage("rdflib-export", project)
    out["cold"] = cold_queries(project, work, runs)
    shutil.rmtree(project, ignore_errors=True)
    return out


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")))
        memory = f", {kb / 1024 / 1024:.0f} GiB memory"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}; Python {platform.python_version()}, {platform.system()} {platform.release()}"


def stage_rows(results: list[dict]) -> dict[str, list[tuple[int, float, float]]]:
    """stage -> [(triples, wall seconds, peak MB)]"""
    rows: dict[str, list] = {}
    for r in results:
        triples = r["load"].get("triples", r["size"])
        for key, value in r.items():
            if isinstance(value, dict) and "wall_s" in value:
                rows.setdefault(key, []).append((triples, value["wall_s"], value.get("peak_mb", 0.0)))
        for name, q in (r["queries"].get("queries") or {}).items():
            rows.setdefault(f"query:{name}", []).append((triples, q["wall_s"], r["queries"].get("peak_mb", 0.0)))
        for name, q in (r.get("rdflib:queries", {}).get("queries") or {}).items():
            rows.setdefault(f"rdflib:query:{name}", []).append((triples, q["wall_s"], 0.0))
    return rows


def exponent(points: list[tuple[int, float, float]]) -> float | None:
    pts = [(math.log(n), math.log(t)) for n, t, _ in points if t > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    var = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / var if var else None


def table(results: list[dict]) -> str:
    rows = stage_rows(results)
    sizes = [r["load"].get("triples", r["size"]) for r in results]
    head = "| stage | " + " | ".join(f"{n:,} triples: s (MB)" for n in sizes) + " | exponent |"
    lines = [head, "|" + " --- |" * (len(sizes) + 2)]
    for name in sorted(rows, key=lambda k: (k.startswith("rdflib") or k.startswith("oxigraph"), k.startswith("query:"), k)):
        by_size = {n: (t, m) for n, t, m in rows[name]}
        cells = [f"{by_size[n][0]:.3f} ({by_size[n][1]:.0f})" if n in by_size else "–" for n in sizes]
        k = exponent(rows[name])
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {k:.2f} |" if k is not None else f"| {name} | " + " | ".join(cells) + " | – |")
    return "\n".join(lines)


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = stage_rows(results)
    fig, ax = plt.subplots(figsize=(10, 6.5))
    names = [n for n in sorted(rows) if not n.startswith(("query:", "rdflib:query:"))]
    colours = plt.get_cmap("tab20").colors
    for number, name in enumerate(names):
        pts = sorted(rows[name])
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="osD^v<>p"[number % 8], label=name,
                color=colours[number % len(colours)],
                linestyle="--" if name.startswith(("rdflib", "oxigraph", "validate:pyshacl")) else "-")
    queries = [name for name in rows if name.startswith("query:")]
    if queries:
        sizes = sorted({p[0] for name in queries for p in rows[name]})
        worst = [max(dict((n, t) for n, t, _ in rows[name]).get(s, 0) for name in queries) for s in sizes]
        ax.plot(sizes, worst, marker="s", label="slowest stored query", color="black")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("triples in the data")
    ax.set_ylabel("wall time (s)")
    ax.set_title("Isthmus: cost by stage against graph size (log-log)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--runs", type=int, default=5, help="runs of each cold command (median)")
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="isthmus-bench-") as folder:
        print("measuring the article's graph (cold query)…", file=sys.stderr, flush=True)
        article = cold_queries(ROOT, Path(folder) / "article", options.runs)
        for size in options.sizes:
            print(f"measuring {size:,} triples…", file=sys.stderr, flush=True)
            results.append(measure(size, Path(folder), options.runs))
    doc = {"machine": machine(), "article_cold": article, "results": results}
    (options.out / "results.json").write_text(json.dumps(doc, indent=2) + "\n")
    plot(results, options.out / "benchmarks.png")
    print(f"machine: {doc['machine']}")
    print(table(results))
    print(f"the article's graph: cold isthmus query timeline {article['isthmus_query_s'] * 1000:.0f} ms, "
          f"oxigraph query {article['oxigraph_query_s'] * 1000:.0f} ms (ratio {article['ratio']:.1f})")
    for r in results:
        c = r["cold"]
        print(f"{r['size']:,}: cold isthmus query timeline {c['isthmus_query_s'] * 1000:.0f} ms, "
              f"oxigraph query {c['oxigraph_query_s'] * 1000:.0f} ms (ratio {c['ratio']:.1f})")


if __name__ == "__main__":
    main()
