"""bench/notifications.py still runs against the current schema (a tiny data set on SQLite in
a temporary directory). Figures are not checked: benchmarks are never timed assertions."""

import pytest

from tests.test_bench import bench_env, data_env, run, template  # noqa: F401 - the fixtures

pytestmark = pytest.mark.slow


def test_notifications_bench_runs(bench_env):  # noqa: F811 - the imported fixture
    name, env, tmp = bench_env
    env = data_env(env, tmp / "sets" / name)
    run(["bench/seed.py", "--tickets", "300", "--agents", "8", "--name", name], env)
    done = run(["bench/notifications.py", "--per-agent", "20", "--samples", "20"], env)
    assert "| count |" in done.stdout and "notification_unread" in done.stdout
