"""bench/notifications.py still runs against the current schema (a tiny data set on SQLite in
a temporary directory). Figures are not checked: benchmarks are never timed assertions."""

import pytest

from tests.test_bench import bench_env, run  # noqa: F401 - the bench tests' environment

pytestmark = pytest.mark.slow


def test_notifications_bench_runs(bench_env):  # noqa: F811 - the imported fixture
    name, env, tmp = bench_env
    env = {**env, "DESKSIDE_DATA_DIR": str(tmp / "sets" / name)}
    run(["bench/seed.py", "--tickets", "300", "--agents", "8", "--name", name], env)
    done = run(["bench/notifications.py", "--per-agent", "20", "--samples", "20"], env)
    assert "| count |" in done.stdout and "notification_unread" in done.stdout
