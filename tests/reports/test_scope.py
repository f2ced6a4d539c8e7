from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from deskside.reports.scope import buckets, offset_changes

NY = ZoneInfo("America/New_York")


def test_offset_changes_of_a_year_in_new_york():
    since, until = datetime(2025, 12, 7, tzinfo=NY), datetime(2026, 12, 7, tzinfo=NY)
    assert offset_changes(NY, since, until) == [
        (datetime(2025, 12, 7, 5, 0, tzinfo=UTC), -5 * 3600),
        (datetime(2026, 3, 8, 7, 0, tzinfo=UTC), -4 * 3600),
        (datetime(2026, 11, 1, 6, 0, tzinfo=UTC), -5 * 3600),
    ]


def test_half_hour_changes_are_found():
    zone = ZoneInfo("Australia/Lord_Howe")
    changes = offset_changes(
        zone, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    )
    assert [c[1] for c in changes] == [39600, 37800, 39600]
    assert changes[1][0] == datetime(2026, 4, 4, 15, 0, tzinfo=UTC)


def test_buckets():
    assert buckets(date(2026, 3, 4), date(2026, 3, 16), "week") == [
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
    ]
    assert buckets(date(2026, 1, 31), date(2026, 3, 1), "month") == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
