"""The process runner of `deskside worker`: runs the apps' passes until told to stop.

The runner knows no app: the caller (deskside.cli `cmd_worker`) hands it the passes, each an
app's own function in that app's worker.py: the main pass (the SLA pass, every `interval`
seconds), the tasks run between main passes (the email channel's sending and polling) and
the lanes, each on a thread of its own (paging, webhooks).

It stops on SIGTERM or SIGINT, and, given the `parent` process id, when this process's parent
is no longer that one (the worker `deskside demo` starts beside its server ends with it). A
signal lets the pass under way finish its transaction and stops before the next one. A pass
that raises (the database went away) is logged and runs again next time: the runner never
dies of a pass.
"""

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from django.db import close_old_connections, connection

log = logging.getLogger("deskside.worker")

Task = Callable[[], object]


def _name(task: Task) -> str:
    """How the log names a pass: `sla_pass` is "sla pass"."""
    return getattr(task, "__name__", repr(task)).replace("_", " ")


def _orphaned(parent: int | None) -> bool:
    """Whether the process that started this worker with `parent` set has ended."""
    if parent is None or os.getppid() == parent:
        return False
    log.info("worker: parent process %d ended, stopping", parent)
    return True


def _fresh_connection() -> None:
    if not connection.in_atomic_block:  # (a test runs the worker inside one)
        close_old_connections()  # as between requests: drop a broken or old connection


def _run_tasks(tasks: Sequence[Task]) -> None:
    for task in tasks:
        _fresh_connection()
        try:
            task()
        except Exception:
            log.exception("worker task %s failed", getattr(task, "__name__", task))


def run(  # noqa: C901 - the loop, its lanes and signals read best in one place
    main: Task | None = None,
    interval: float = 15.0,
    once: bool = False,
    *,
    on_pass: Callable[[Any], None] | None = None,
    parent: int | None = None,
    tasks: Sequence[Task] = (),
    task_interval: float = 2.0,
    lanes: Sequence[tuple[Task, float]] = (),
) -> int:
    """Run `main` every `interval` seconds until SIGTERM or SIGINT (or once with `once`), or,
    given the `parent` process id, until this process's parent is no longer that one.
    `on_pass` gets what each `main` returned (not called for a pass that raised: that is
    logged as "<name> failed", e.g. "sla pass failed", and retried next interval).

    `tasks` run after each main pass and every `task_interval` seconds between passes, each
    in its own try: a failing task is logged and runs again next time. Each of `lanes`,
    (task, interval) pairs, runs on a thread of its own (with its own database connection)
    every `interval` seconds, so that work which must not wait (paging: a P1's first page
    within 2 s) never queues behind work that can stall on the network (a mail server, a
    webhook receiver that does not answer). With `once`, each lane's task runs once, after
    the main pass and the tasks.

    Returns the number of main passes made (rounds, when there is no `main`).
    """
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        log.info("worker: stopping on signal %d", signum)
        stop.set()

    in_main = threading.current_thread() is threading.main_thread()
    previous = {}
    if in_main:
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, _stop)
    passes = 0
    threads = []
    if not once:
        for task, every in lanes:
            thread = threading.Thread(
                target=_lane,
                args=(task, every, stop, parent),
                name=f"worker-{getattr(task, '__name__', 'lane')}",
                daemon=True,
            )
            thread.start()
            threads.append(thread)
    try:
        while not stop.is_set() and not _orphaned(parent):
            if main is not None:
                _fresh_connection()
                try:
                    result = main()
                except Exception:
                    log.exception("%s failed", _name(main))
                else:
                    if on_pass is not None:
                        on_pass(result)
            _run_tasks(tasks)
            passes += 1
            if once:
                _run_tasks([task for task, _ in lanes])
                break
            deadline = time.monotonic() + interval
            next_tasks = time.monotonic() + task_interval
            while not _orphaned(parent) and (left := deadline - time.monotonic()) > 0:
                if stop.wait(min(left, 1.0, max(next_tasks - time.monotonic(), 0.05))):
                    break
                if tasks and time.monotonic() >= next_tasks:
                    _run_tasks(tasks)
                    next_tasks = time.monotonic() + task_interval
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return passes


def _lane(task: Task, interval: float, stop: threading.Event, parent: int | None) -> None:
    """Run `task` every `interval` seconds on this thread until `stop` (see run's `lanes`)."""
    try:
        while not stop.is_set() and not _orphaned(parent):
            _run_tasks([task])
            stop.wait(interval)
    finally:
        connection.close()  # this thread's own connection
