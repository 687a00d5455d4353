"""A bounded load test on loopback: 10,000 stored queries from 32 concurrent clients
against the served endpoint end with zero errors."""

from __future__ import annotations

import sys

from support import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

from load import query_texts, run_load  # noqa: E402


def test_ten_thousand_queries_from_32_clients(tmp_path):
    from click.testing import CliRunner

    from isthmus.main import cli
    from isthmus.serve import start

    out = tmp_path / "dist"
    result = CliRunner().invoke(cli, ["--project", str(ROOT), "publish", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    served = start(out, port=0)
    try:
        stats = run_load(served.sparql, query_texts(ROOT), total=10_000, clients=32)
    finally:
        served.stop()
    summary = stats.summary()
    print(summary)
    assert summary["queries"] == 10_000
    assert stats.errors == [], stats.errors[:3]
    assert summary["p99_ms"] < 10_000
