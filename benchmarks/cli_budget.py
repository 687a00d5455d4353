"""Measure the CLI's budgets on the bundled graph: cold `isthmus query NAME` (every
stored query), `isthmus validate` (fresh and cached) and `isthmus publish`, each in fresh
processes, as a user runs them.

    python benchmarks/cli_budget.py [--runs 10] [--json results.json]

Prints a table (median and best wall time per command) and optionally writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(args: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(args, cwd=ROOT, capture_output=True)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.decode()}")
    return times


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", type=Path)
    options = parser.parse_args()
    exe = [sys.executable, "-m", "isthmus", "--project", str(ROOT)]
    names = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
    rows = []
    for name in names:
        t = timed(exe + ["query", name], options.runs)
        rows.append({"command": f"isthmus query {name}", "median_s": statistics.median(t), "best_s": min(t), "runs": len(t)})
    few = max(3, options.runs // 3)
    for args in (["validate", "--no-cache"], ["validate"]):
        t = timed(exe + args, few)
        rows.append({"command": "isthmus " + " ".join(args), "median_s": statistics.median(t), "best_s": min(t), "runs": len(t)})
    with tempfile.TemporaryDirectory(prefix="isthmus-budget-") as folder:
        t = timed(exe + ["publish", "--out", str(Path(folder) / "dist")], few)
    rows.append({"command": "isthmus publish", "median_s": statistics.median(t), "best_s": min(t), "runs": len(t)})
    width = max(len(r["command"]) for r in rows)
    print(f"machine: {machine()}")
    print(f"{'command'.ljust(width)}  median ms  best ms")
    for r in rows:
        print(f"{r['command'].ljust(width)}  {r['median_s'] * 1000:9.0f}  {r['best_s'] * 1000:7.0f}")
    if options.json:
        options.json.write_text(json.dumps({"machine": machine(), "results": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
