"""The test-send limit is counted in the database: simultaneous requests (threads with their
own database connections, as separate server processes would have) never get more than
LIMIT through, and the count is per person."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection

from deskside.core import ratelimit
from deskside.core.clock import frozen
from deskside.core.models import TrialSend

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_test_sends_share_one_count(alice, leo):
    start = threading.Barrier(12)
    allowed: list[bool] = []
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            start.wait(10)
            try:
                ratelimit.count_test_send(alice, "webhook ping")
            except ratelimit.Limited:
                allowed.append(False)
            else:
                allowed.append(True)
        except BaseException as exc:  # asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    with frozen(T0):  # the clock is process-wide: frozen once, around all of them
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert errors == []
    assert allowed.count(True) == ratelimit.LIMIT and len(allowed) == 12
    assert TrialSend.objects.filter(user=alice).count() == ratelimit.LIMIT
    with frozen(T0):
        ratelimit.count_test_send(leo, "mailbox connection test")  # Leo has his own count


def test_old_attempts_are_forgotten(alice):
    with frozen(T0):
        for _ in range(ratelimit.LIMIT):
            ratelimit.count_test_send(alice, "contact method test")
        with pytest.raises(ratelimit.Limited) as limited:
            ratelimit.count_test_send(alice, "contact method test")
    assert limited.value.retry_after == int(ratelimit.WINDOW.total_seconds())
    with frozen(T0 + ratelimit.WINDOW):
        ratelimit.count_test_send(alice, "contact method test")
    assert TrialSend.objects.filter(user=alice).count() == 1  # the window's old rows deleted
