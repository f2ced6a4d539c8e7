"""The one clock: aware UTC instants, freezable in tests, never naive."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from deskside.core import clock


@pytest.mark.running_clock
def test_now_is_aware_utc():
    now = clock.now()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


def test_frozen_and_restored():
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    later = at + timedelta(days=1)
    with clock.frozen(at):
        assert clock.now() == at
        with clock.frozen(later):
            assert clock.now() == later
        assert clock.now() == at
    assert clock.now() != at


def test_frozen_restores_after_an_error():
    at = datetime(2026, 1, 2, tzinfo=UTC)
    with pytest.raises(KeyError), clock.frozen(at):
        raise KeyError("boom")
    assert clock.now() != at


def test_set_now():
    at = datetime(2026, 5, 6, tzinfo=UTC)
    try:
        clock.set_now(at)
        assert clock.now() == at
    finally:
        clock.set_now(None)
    assert clock.now() != at


def test_naive_datetimes_are_refused():
    naive = datetime(2026, 1, 1, 12, 0)
    with pytest.raises(ValueError):
        clock.set_now(naive)
    with pytest.raises(ValueError), clock.frozen(naive):
        pass
    assert clock.now().tzinfo is not None


def test_frozen_in_another_zone_reads_back_in_utc():
    local = datetime(2026, 3, 8, 1, 30, tzinfo=ZoneInfo("America/New_York"))
    with clock.frozen(local):
        now = clock.now()
    assert now == local
    assert now.tzinfo == UTC
    assert now.hour == 6
