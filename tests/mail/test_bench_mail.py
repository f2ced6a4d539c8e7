"""bench/mail_import.py still runs against the current code (a tiny mbox on SQLite in a
temporary directory), as tests/test_bench.py does for the other benchmarks: it builds the mix,
imports it into a fresh database, finds the outcome counts it built, and prints its figure.
Figures are not checked; benchmarks are never timed assertions."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_bench import template  # noqa: F401 - the fixture

# slow: a benchmark
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def test_mail_import_bench_runs_a_small_mix(tmp_path, template):  # noqa: F811 - the fixture
    env = {**os.environ, "DESKSIDE_DATA_DIR": str(tmp_path / "data"), "TMPDIR": str(tmp_path)}
    env["DESKSIDE_BENCH_SQLITE_TEMPLATE"] = str(template)  # each run's database starts migrated
    env.pop("DATABASE_URL", None)
    done = subprocess.run(  # our own script
        [sys.executable, "bench/mail_import.py", "--messages", "60", "--runs", "1"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert "unexpected counts" not in done.stderr
    assert re.search(
        r"^sqlite: median [\d,]+ messages/s over 1 runs of 60 messages", done.stdout, re.M
    )
    assert re.search(r"^run 1: 60 messages in [\d.]+ s = [\d,]+ messages/s", done.stdout, re.M)
    assert "0 failed" in done.stdout
