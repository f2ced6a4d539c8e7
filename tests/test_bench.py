"""The benchmark seeders and scripts still run against the current schema (a small data set on
SQLite in a temporary directory): a schema change must not leave bench/ broken until someone
next measures. Figures are not checked here; benchmarks are never timed assertions.

Each data set starts from a copy of one SQLite database migrated once per session (`template`):
migrating a fresh database costs ~25 s of CPU, once per bench run before. The scripts still run
their own `migrate` (then a no-op), so a migration the current code lacks still fails them."""

import fcntl
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

# slow: runs the bench scripts in subprocesses
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SQLITE_FILE = "deskside.sqlite3"  # the database's name in a DESKSIDE_DATA_DIR (settings.py)


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> Path:
    """An SQLite database migrated by the current code, made once per test session and shared
    by its xdist workers (the first one to ask makes it under a lock, the others wait for it).
    It is copied with SQLite's backup API, so the file is whole without its WAL file."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # this session's directory, shared by its workers
    path = root / "bench-template.sqlite3"
    with (root / "bench-template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            work = root / "bench-template"
            env = {**os.environ, "DESKSIDE_DATA_DIR": str(work)}
            env.pop("DATABASE_URL", None)
            run(["-m", "django", "migrate", "--settings=deskside.settings", "-v", "0"], env)
            source, copy = sqlite3.connect(work / SQLITE_FILE), sqlite3.connect(f"{path}.part")
            source.backup(copy)
            copy.close()
            source.close()
            os.replace(f"{path}.part", path)
    return path


def fresh_database(template: Path, data_dir: Path) -> None:
    """Start DESKSIDE_DATA_DIR `data_dir` with a copy of the migrated template database."""
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, data_dir / SQLITE_FILE)


def data_env(env: dict, data_dir: Path) -> dict:
    """`env` with its database in `data_dir` (a data set's own directory), a fresh copy of the
    template."""
    fresh_database(Path(env["DESKSIDE_BENCH_SQLITE_TEMPLATE"]), data_dir)
    return {**env, "DESKSIDE_DATA_DIR": str(data_dir)}


@pytest.fixture
def bench_env(tmp_path, template):
    """A data set name and the scripts' environment: data sets, results and the database all go
    under tmp_path, never into the source tree. The DESKSIDE_DATA_DIR starts with a copy of the
    migrated template (`data_env` for a database elsewhere); DESKSIDE_BENCH_SQLITE_TEMPLATE
    gives it to the scripts that make data directories of their own."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DESKSIDE_DATA_DIR": str(tmp_path / "data"),
        "DESKSIDE_BENCH_DATA_DIR": str(tmp_path / "sets"),
        "DESKSIDE_BENCH_RESULTS_DIR": str(tmp_path / "results"),
        "DESKSIDE_BENCH_SQLITE_TEMPLATE": str(template),
    }
    (tmp_path / "results").mkdir()
    env.pop("DATABASE_URL", None)
    fresh_database(template, tmp_path / "data")
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
        data_env(env, tmp / "sets" / name),
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
    data = data_env(env, tmp / "sets" / name)  # the database and token
    run(["bench/seed.py", "--tickets", "300", "--name", name], data)
    run(
        ["bench/bulk.py", "--name", name, "--tickets", "5", "--runs", "1", "--views", "3"],
        data,
    )
    result = json.loads((tmp / "results" / f"bulk-{name}.json").read_text())
    assert result["views"] == 3
    assert set(result["summary_ms"]) >= {"service_assign", "api_status", "view_counts_p99"}
