"""The benchmark seeders and scripts still run against the current schema (a small data set on
SQLite in a temporary directory): a schema change must not leave bench/ broken until someone
next measures. Figures are not checked here; benchmarks are never timed assertions."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def bench_env(tmp_path):
    name = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DESKSIDE_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    yield name, env
    shutil.rmtree(REPO / "bench" / "data" / name, ignore_errors=True)
    for leftover in (REPO / "bench" / "results").glob(f"*{name}*"):
        leftover.unlink()


def run(args, env):
    done = subprocess.run(  # noqa: S603 - our own scripts
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def test_seed_fills_a_small_data_set(bench_env):
    name, env = bench_env
    run(["bench/seed.py", "--tickets", "300", "--name", name], env)
    info = json.loads((REPO / "bench" / "data" / name / "info.json").read_text())
    assert info["tickets"] == 300


def test_sla_worker_bench_makes_its_passes(bench_env):
    name, env = bench_env
    done = run(
        ["bench/sla_worker.py", "--name", name, "--tickets", "2000", "--runs", "1"],
        {**env, "DESKSIDE_DATA_DIR": str(REPO / "bench" / "data" / name)},
    )
    assert "unexpected counts" not in done.stderr
    result = json.loads((REPO / "bench" / "results" / f"sla_worker-{name}.json").read_text())
    assert result["runs"][0]["claimed"] == result["runs"][0]["armed"] == 20


def test_oncall_bench_runs(bench_env):
    _name, env = bench_env
    done = run(["bench/oncall.py", "--runs", "1"], env)
    assert "ten hourly layers" in done.stdout and "shifts" in done.stdout
