"""The desk's bench scripts (issue 15: assignment decisions, compiling a handover, the staffing
calculation) still run against the current schema: each on a small seeded data set of its own
(SQLite, in a temporary directory), with its smallest arguments. They must exit 0 and print
their figure lines; the figures themselves are not checked (benchmarks are never timed
assertions). Fixtures and helpers: tests/test_bench.py."""

import pytest

from tests.test_bench import bench_env, data_env, run, template  # noqa: F401 - fixtures

# slow: seeds a data set and runs a bench script in subprocesses
pytestmark = pytest.mark.slow


def seeded(bench_env, tickets: int = 300):  # noqa: F811 - the fixture's value
    """A seeded data set's directory and the environment whose database is that set's."""
    name, env, tmp = bench_env
    data_dir = tmp / "sets" / name
    env = data_env(env, data_dir)
    run(["bench/seed.py", "--tickets", str(tickets), "--agents", "6", "--name", name], env)
    return data_dir, env, tmp


def test_assignment_bench_times_each_mode(bench_env):  # noqa: F811
    # The script assigns new unassigned tickets: 300 seeded tickets hold none, 1,000 do.
    data_dir, env, tmp = seeded(bench_env, tickets=1000)
    done = run(
        ["bench/assignment.py", "--data-dir", str(data_dir), "--decisions", "1", "--runs", "1"],
        env,
    )
    assert "# Assignment decisions on" in done.stdout
    assert "| mode | what | run | median ms | p99 ms |" in done.stdout
    for mode in ("Round-robin", "Least-loaded", "Skills first"):
        for what in ("decide", "decide, roster asked", "assign"):
            assert f"| {mode} | {what} | 1 |" in done.stdout
    assert (tmp / "results" / f"assignment-{data_dir.name}.md").exists()


def test_handover_bench_compiles_a_shift(bench_env):  # noqa: F811
    _data_dir, env, _tmp = seeded(bench_env)
    done = run(["bench/handover.py", "--touched", "20", "--runs", "1"], env)
    assert "tickets of the team touched in the shift:" in done.stdout
    assert "queries per compilation:" in done.stdout
    assert "compile (sqlite, 1 runs): median" in done.stdout


def test_staffing_bench_calculates_the_desk_and_a_team(bench_env):  # noqa: F811
    data_dir, env, _tmp = seeded(bench_env)
    done = run(
        ["bench/staffing.py", "--data-dir", str(data_dir), "--runs", "1", "--days", "7"], env
    )
    assert "runs each;" in done.stdout
    assert "whole desk: median" in done.stdout
    assert "team " in done.stdout.split("whole desk: median", 1)[1]
    assert "agents," in done.stdout and "person-shifts a week" in done.stdout
