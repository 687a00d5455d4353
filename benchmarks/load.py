"""A bounded load test of the served endpoint: many clients asking the stored queries.

    python benchmarks/load.py [--queries 10000] [--clients 32] [--release dist]

Serves the release (``isthmus serve``'s machinery, on a free loopback port), then sends
the stored queries (with their default parameters) round-robin from concurrent clients
and reports errors, throughput and latency percentiles.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Stats:
    sent: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def summary(self) -> dict:
        return {
            "queries": self.sent, "errors": len(self.errors), "seconds": round(self.seconds, 2),
            "throughput_per_s": round(self.throughput, 1),
            "p50_ms": round(self.percentile(50) * 1000, 1), "p99_ms": round(self.percentile(99) * 1000, 1),
            "mean_ms": round(statistics.fmean(self.latencies) * 1000, 1) if self.latencies else 0.0,
        }


def query_texts(project: Path) -> list[str]:
    """The stored queries of a project, with their default parameters as VALUES blocks."""
    sys.path.insert(0, str(ROOT / "cli"))
    from isthmus import queries as q
    from isthmus.project import Project

    p = Project(project)
    texts = []
    for path in p.query_files:
        stored = q.load_one(p.query_files, path.stem, p.display)
        texts.append(q.with_values(stored.text, q.bind(stored, {})))
    return texts


def run_load(sparql_url: str, texts: list[str], *, total: int, clients: int, timeout: float = 60.0) -> Stats:
    stats = Stats()
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            body = urllib.parse.urlencode({"query": texts[n % len(texts)]}).encode()
            request = urllib.request.Request(sparql_url, data=body, method="POST", headers={
                "Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"})
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    json.loads(response.read())
                error = None
            except (urllib.error.URLError, OSError, ValueError) as err:
                error = f"query {n}: {err}"
            elapsed = time.perf_counter() - start
            with lock:
                stats.sent += 1
                stats.latencies.append(elapsed)
                if error:
                    stats.errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats.seconds = time.perf_counter() - began
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--release", type=Path, default=ROOT / "dist")
    parser.add_argument("--project", type=Path, default=ROOT)
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT / "cli"))
    from isthmus.serve import start

    served = start(options.release, port=0)
    try:
        stats = run_load(served.sparql, query_texts(options.project), total=options.queries, clients=options.clients)
    finally:
        served.stop()
    print(json.dumps(stats.summary(), indent=2))
    for error in stats.errors[:5]:
        print(error, file=sys.stderr)


if __name__ == "__main__":
    main()
