"""The review's scene: a fixed instant (Wednesday 9 December 2026, 17:00 UTC: noon in New
York) and a builder that opens a ticket at a given moment before it, through the services."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.core import clock

T0 = datetime(2026, 12, 9, 17, 0, tzinfo=UTC)


@pytest.fixture
def at_t0():
    with clock.frozen(T0):
        yield T0


@pytest.fixture
def opened(make_ticket, carol):
    """`opened(hours_ago, requester=carol, **fields)` -> a ticket created that long before T0."""

    def make(hours_ago: float, requester=None, **kwargs):
        with clock.frozen(T0 - timedelta(hours=hours_ago)):
            return make_ticket(requester or carol, **kwargs)

    return make
