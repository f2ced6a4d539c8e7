"""Run work in threads released together, each with its own database connection: the
interleaving of two edits (or an edit and a delete) that a single test connection cannot make.
Used by the settings race tests of each app (see deskside.core.versioning)."""

import threading
from collections.abc import Callable

from django.db import connections


def in_threads(*works: Callable[[], object]) -> tuple[list, list[BaseException]]:
    """Run each callable in its own thread, all released by one barrier; return the results
    (in completion order) and the exceptions raised."""
    barrier = threading.Barrier(len(works))
    results: list = []
    errors: list[BaseException] = []

    def run(work: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work())
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(w,)) for w in works]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results, errors
