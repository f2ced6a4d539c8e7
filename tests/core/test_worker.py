"""The process runner of `deskside worker` (deskside.core.worker): passes handed in by the
caller, lanes on threads of their own, a failing pass logged and retried, stopped by a signal
or by the end of the parent process. It knows no app: the passes here are plain functions."""

import logging
import os
import signal
import threading
from pathlib import Path

import pytest

from deskside.core import worker


@pytest.mark.django_db(transaction=True)
def test_a_lane_runs_on_its_own_thread_while_a_task_stalls():
    """Paging runs in a lane: a task stuck on the network (a mail server, a webhook receiver)
    must not hold it back."""
    lane_runs, stalled, released = [], threading.Event(), []

    def stuck_task():
        # Stuck until the lane has run three times (or 5 s, when the lane waits behind it).
        released.append(stalled.wait(5))

    def lane():
        lane_runs.append(threading.current_thread().name)
        if len(lane_runs) == 3:
            stalled.set()
            os.kill(os.getpid(), signal.SIGTERM)

    worker.run(interval=10, tasks=[stuck_task], lanes=[(lane, 0.05)])
    assert len(lane_runs) >= 3
    assert all(name.startswith("worker-lane") for name in lane_runs)
    assert released[0] is True  # the lane ran three times while the task was stuck


def test_run_once_runs_each_lane_once(db):
    runs = []
    assert worker.run(once=True, lanes=[(lambda: runs.append(1), 0.01)]) == 1
    assert runs == [1]


def test_the_main_pass_then_the_tasks_then_the_lanes(db):
    calls = []

    def main_pass():
        calls.append("main")
        return 42

    seen = []
    ran = worker.run(
        main_pass,
        once=True,
        on_pass=seen.append,
        tasks=[lambda: calls.append("task")],
        lanes=[(lambda: calls.append("lane"), 1.0)],
    )
    assert ran == 1
    assert calls == ["main", "task", "lane"]
    assert seen == [42]


def test_a_failing_main_pass_is_logged_and_runs_again(db, caplog):
    calls = []

    def demo_pass():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGTERM)
        return len(calls)

    seen = []
    with caplog.at_level(logging.INFO, logger="deskside.worker"):
        assert worker.run(demo_pass, interval=0.01, on_pass=seen.append) == 3
    assert seen == [2, 3]  # not told of the pass that failed
    failed = [r for r in caplog.records if r.getMessage() == "demo pass failed"]
    assert [r.name for r in failed] == ["deskside.worker"]
    assert "stopping on signal" in caplog.text
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # restored


def test_it_stops_when_its_parent_is_gone(db, caplog):
    calls = []
    with caplog.at_level(logging.INFO, logger="deskside.worker"):
        assert worker.run(lambda: calls.append(1), parent=os.getppid() + 1) == 0
    assert calls == []
    assert "parent process" in caplog.text


def test_core_imports_no_app():
    """The runner is handed the apps' passes: core never imports an app."""
    source = Path(worker.__file__).read_text()
    assert "from deskside." not in source and "import deskside." not in source
