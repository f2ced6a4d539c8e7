"""The benchmark seeders and scripts still run against the current schema (a small data set on
SQLite in a temporary directory): a schema change must not leave bench/ broken until someone
next measures. Figures are not checked here; benchmarks are never timed assertions."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

# slow: runs the bench scripts in subprocesses
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def bench_env(tmp_path):
    """A data set name and the scripts' environment: data sets, results and the database all go
    under tmp_path, never into the source tree."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DESKSIDE_DATA_DIR": str(tmp_path / "data"),
        "DESKSIDE_BENCH_DATA_DIR": str(tmp_path / "sets"),
        "DESKSIDE_BENCH_RESULTS_DIR": str(tmp_path / "results"),
    }
    (tmp_path / "results").mkdir()
    env.pop("DATABASE_URL", None)
    return name, env, tmp_path


def run(args, env):
    done = subprocess.run(  # noqa: S603 - our own scripts
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def test_seed_fills_a_small_data_set(bench_env):
    name, env, tmp = bench_env
    run(["bench/seed.py", "--tickets", "300", "--name", name], env)
    info = json.loads((tmp / "sets" / name / "info.json").read_text())
    assert info["tickets"] == 300


def test_caller_lookup_bench_runs(bench_env):
    name, env, _tmp = bench_env
    run(["bench/seed.py", "--tickets", "300", "--customers", "200", "--name", name], env)
    done = run(["bench/caller_lookup.py", "--name", name, "--rounds", "1", "--people", "3"], env)
    assert "| query restricted |" in done.stdout and "Page 200, API 200" in done.stdout


def test_sla_worker_bench_makes_its_passes(bench_env):
    name, env, tmp = bench_env
    done = run(
        ["bench/sla_worker.py", "--name", name, "--tickets", "2000", "--runs", "1"],
        {**env, "DESKSIDE_DATA_DIR": str(tmp / "sets" / name)},
    )
    assert "unexpected counts" not in done.stderr
    result = json.loads((tmp / "results" / f"sla_worker-{name}.json").read_text())
    assert result["runs"][0]["claimed"] == result["runs"][0]["armed"] == 20


def test_oncall_bench_runs(bench_env):
    _name, env, _tmp = bench_env
    done = run(["bench/oncall.py", "--runs", "1"], env)
    assert "ten hourly layers" in done.stdout and "shifts" in done.stdout


def test_live_poll_bench_times_both_polls(bench_env):
    name, env, tmp = bench_env
    run(["bench/seed.py", "--tickets", "300", "--agents", "6", "--name", name], env)
    data_dir = tmp / "sets" / name
    run(
        ["bench/live_poll.py", "--data-dir", str(data_dir), "--requests", "5", "--pages", "6"]
        + ["--skip-http", "--out", f"live-{name}"],
        {**env, "DESKSIDE_DATA_DIR": str(data_dir)},
    )
    result = json.loads((tmp / "results" / f"live-{name}.json").read_text())
    assert result["in_process"]["queue poll, all"]["n"] == 5
    assert result["in_process"]["ticket poll, all"]["n"] == 5


def test_bulk_bench_runs(bench_env):
    name, env, tmp = bench_env
    data = {**env, "DESKSIDE_DATA_DIR": str(tmp / "sets" / name)}  # the database and token
    run(["bench/seed.py", "--tickets", "300", "--name", name], data)
    run(
        ["bench/bulk.py", "--name", name, "--tickets", "5", "--runs", "1", "--views", "3"],
        data,
    )
    result = json.loads((tmp / "results" / f"bulk-{name}.json").read_text())
    assert result["views"] == 3
    assert set(result["summary_ms"]) >= {"service_assign", "api_status", "view_counts_p99"}
