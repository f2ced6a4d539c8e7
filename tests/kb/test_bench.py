"""bench/kb_suggest.py still runs against the current schema (a small data set on SQLite in a
temporary directory). Figures are not checked: benchmarks are never timed assertions."""

import pytest

from tests.test_bench import bench_env, run, template  # noqa: F401 - the fixtures

pytestmark = pytest.mark.slow


def test_kb_suggest_bench_runs(bench_env):  # noqa: F811
    _, env, _ = bench_env
    done = run(["bench/kb_suggest.py", "--articles", "40", "--samples", "5"], env)
    assert "customer suggest()" in done.stdout and "p99" in done.stdout
