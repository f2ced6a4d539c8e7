"""bench/triage.py still runs against the current schema (a tiny history on SQLite in a
temporary directory). Figures are not checked: benchmarks are never timed assertions."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_bench import fresh_database, template  # noqa: F401 - the fixture

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def test_the_triage_bench_runs(tmp_path, template):  # noqa: F811 - the imported fixture
    fresh_database(template, tmp_path)  # migrated once per session
    env = {**os.environ, "DESKSIDE_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    args = ["--data-dir", str(tmp_path), "--tickets", "400", "--runs", "1", "--suggestions", "5"]
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "bench/triage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "suggest  median" in done.stdout and "accuracy" in done.stdout
