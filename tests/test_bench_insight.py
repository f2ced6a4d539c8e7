"""The insight benches of issue 16 (reports, recurring problems, CSAT, the daily review) still
run against the current schema, on a tiny data set on SQLite in a temporary directory (the
fixtures of tests/test_bench.py). Each must exit 0 and print its figure lines; the figures
themselves are not checked (benchmarks are never timed assertions)."""

import re

import pytest

from deskside.reports.queries import REPORTS
from tests.test_bench import bench_env, data_env, run, template  # noqa: F401 - fixtures

# slow: runs the bench scripts in subprocesses
pytestmark = pytest.mark.slow

TIMED = r"median +[\d.]+ (s|ms),? +p99 +[\d.]+ (s|ms)"


def seeded(bench_env, tickets=300):  # noqa: F811 - the fixture's value
    """A bench/seed.py data set whose database is in its own directory (as the scripts that
    take --data-dir expect): (its directory, the scripts' environment)."""
    name, env, tmp = bench_env
    data_dir = tmp / "sets" / name
    env = data_env(env, data_dir)
    run(["bench/seed.py", "--tickets", str(tickets), "--name", name], env)
    return data_dir, env


def test_reports_bench_times_every_report(bench_env):  # noqa: F811
    data_dir, env = seeded(bench_env)
    done = run(["bench/reports.py", "--data-dir", str(data_dir), "--runs", "1"], env)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("sqlite, 300 tickets")
    labels = [line.split("  ")[0].strip() for line in lines[1:]]
    expected = ["volume (week by channel)", "volume (month by client)", *list(REPORTS)[1:]]
    assert labels == expected
    for line in lines[1:]:
        assert re.search(TIMED + r"  chart [\d.]+ s  rows \d+  runs [\d.]+$", line), line


def test_csat_bench_seeds_surveys_and_times_the_report(bench_env):  # noqa: F811
    data_dir, env = seeded(bench_env)
    done = run(["bench/csat.py", "--data-dir", str(data_dir), "--runs", "1"], env)
    assert re.search(r"^seeded \d+ surveys in", done.stdout, re.M)
    for by in ("client", "agent", "team"):
        assert re.search(rf"^per {by} *: {TIMED} \(\d+ rows; sent [\d,]+", done.stdout, re.M), by


def test_review_bench_times_the_review_and_the_wall_board(bench_env):  # noqa: F811
    data_dir, env = seeded(bench_env)
    done = run(["bench/review.py", "--open", "40", "--runs", "1"], env)
    assert re.search(r"^300 tickets, \d+ open$", done.stdout, re.M)
    for label in ("review page reads", "wall board"):
        pattern = rf"^{label} \(sqlite, 1 runs, \d+ queries\): median \d+ ms, p99 \d+ ms"
        assert re.search(pattern, done.stdout, re.M), label


def test_problems_bench_runs_the_recurring_pass(bench_env):  # noqa: F811
    _name, env, _tmp = bench_env
    done = run(["bench/problems.py", "--tickets", "200", "--clients", "3", "--runs", "1"], env)
    pattern = (
        r"^problems pass over (\d+) tickets of the last 30 days \(sqlite\): median [\d.]+ s, "
        r"min [\d.]+ s, max [\d.]+ s over 1 runs .*; \d+ clusters; peak memory \d+ MB$"
    )
    found = re.search(pattern, done.stdout, re.M)
    assert found, done.stdout
    # The seeder spreads the tickets from 30 days before its own start; the pass's window
    # starts 30 days before the pass, a moment later, so the oldest one can fall out.
    assert 199 <= int(found.group(1)) <= 200
