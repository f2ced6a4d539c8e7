"""core.timebuckets.EpochHour: the database's whole hours since the epoch of a datetime column,
the same on SQLite and PostgreSQL as Python's floor(timestamp / 3600)."""

from datetime import UTC, datetime

from deskside.core import clock
from deskside.core.timebuckets import EpochHour
from deskside.tickets.models import Ticket

INSTANTS = [
    datetime(2026, 1, 5, 14, 15, 30, 123456, tzinfo=UTC),
    datetime(2026, 1, 5, 14, 0, 0, tzinfo=UTC),  # on the hour: that hour, not the one before
    datetime(2026, 1, 5, 13, 59, 59, 999999, tzinfo=UTC),
    datetime(1999, 12, 31, 23, 30, tzinfo=UTC),
]


def test_epoch_hour_matches_python(make_ticket, carol):
    for instant in INSTANTS:
        with clock.frozen(instant):
            make_ticket(carol, subject=instant.isoformat())
    found = dict(
        Ticket.objects.annotate(bucket=EpochHour("created_at")).values_list("subject", "bucket")
    )
    assert found == {i.isoformat(): int(i.timestamp()) // 3600 for i in INSTANTS}
