"""Recurrence rules, no database: occurrences at local wall-clock time across DST in two time
zones (Europe/London and America/New_York, spring and autumn, 22:00 and 01:30), the gap and the
repeated hour, and validation errors naming the field."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.core.exceptions import DomainError
from deskside.recurring import rules

LONDON, NEW_YORK = "Europe/London", "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def upcoming(text: str, start: datetime, zone: str, after: datetime, count: int = 5):
    tz = rules.parse_zone(zone)
    return rules.upcoming(rules.validate(text, start, zone), tz, after, count)


def test_second_tuesday_22_00_stays_22_00_local_in_london_across_both_changes():
    found = upcoming(
        "FREQ=MONTHLY;BYDAY=+2TU;BYHOUR=22;BYMINUTE=0",
        datetime(2026, 1, 1, 22, 0),
        LONDON,
        utc(2026, 2, 1),
        count=9,
    )
    assert [o.local.strftime("%Y-%m-%d %H:%M") for o in found] == [
        "2026-02-10 22:00",
        "2026-03-10 22:00",
        "2026-04-14 22:00",  # BST from 29 March
        "2026-05-12 22:00",
        "2026-06-09 22:00",
        "2026-07-14 22:00",
        "2026-08-11 22:00",
        "2026-09-08 22:00",
        "2026-10-13 22:00",
    ]
    assert found[1].utc == utc(2026, 3, 10, 22) and found[2].utc == utc(2026, 4, 14, 21)
    after = upcoming(
        "FREQ=MONTHLY;BYDAY=+2TU;BYHOUR=22", datetime(2026, 1, 1, 22), LONDON, utc(2026, 10, 20), 1
    )
    assert after[0].utc == utc(2026, 11, 10, 22)  # GMT again from 25 October


def test_22_00_in_new_york_across_both_changes():
    found = upcoming(
        "FREQ=WEEKLY;BYDAY=SA", datetime(2026, 3, 7, 22, 0), NEW_YORK, utc(2026, 3, 1), 2
    )
    assert [o.utc for o in found] == [utc(2026, 3, 8, 3), utc(2026, 3, 15, 2)]  # EST, then EDT
    found = upcoming(
        "FREQ=WEEKLY;BYDAY=SA", datetime(2026, 3, 7, 22, 0), NEW_YORK, utc(2026, 10, 26), 2
    )
    assert [o.utc for o in found] == [utc(2026, 11, 1, 2), utc(2026, 11, 8, 3)]  # EDT, then EST


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        # Spring forward: 01:30 does not exist in London (01:00 -> 02:00): the jump, 02:00 BST.
        (LONDON, datetime(2026, 3, 29, 1, 30), utc(2026, 3, 29, 1, 0)),
        # Autumn: 01:30 happens twice in London (BST, then GMT): the first, 00:30 UTC.
        (LONDON, datetime(2026, 10, 25, 1, 30), utc(2026, 10, 25, 0, 30)),
        # New York keeps 01:30 in spring (the gap is 02:00-03:00) ...
        (NEW_YORK, datetime(2026, 3, 8, 1, 30), utc(2026, 3, 8, 6, 30)),
        # ... and repeats it in autumn: the first, 01:30 EDT.
        (NEW_YORK, datetime(2026, 11, 1, 1, 30), utc(2026, 11, 1, 5, 30)),
        # 02:30 does not exist in New York on 8 March: the jump, 03:00 EDT.
        (NEW_YORK, datetime(2026, 3, 8, 2, 30), utc(2026, 3, 8, 7, 0)),
    ],
)
def test_gap_moves_forward_and_repeated_hour_takes_the_first(zone, day, expected):
    tz = rules.parse_zone(zone)
    assert rules.localise(day, tz) == expected
    daily = rules.validate("FREQ=DAILY", day.replace(day=1), zone)
    found = rules.between(daily, tz, expected - timedelta(hours=20), utc(2027, 1, 1))
    on_the_day = [o for o in found if o.local.date() == expected.astimezone(tz).date()]
    assert [o.utc for o in on_the_day] == [expected]  # once, not twice


def test_daily_01_30_happens_every_day_once_across_the_autumn_change():
    tz = rules.parse_zone(LONDON)
    rule = rules.validate("FREQ=DAILY", datetime(2026, 10, 20, 1, 30), LONDON)
    found = rules.between(rule, tz, utc(2026, 10, 23), utc(2026, 10, 28))
    assert [o.utc for o in found] == [
        utc(2026, 10, 23, 0, 30),
        utc(2026, 10, 24, 0, 30),
        utc(2026, 10, 25, 0, 30),  # the first 01:30 (BST)
        utc(2026, 10, 26, 1, 30),  # GMT
        utc(2026, 10, 27, 1, 30),
    ]


def test_hourly_through_the_spring_gap_gives_each_instant_once():
    tz = rules.parse_zone(NEW_YORK)
    rule = rules.validate("FREQ=HOURLY", datetime(2026, 3, 8, 0, 0), NEW_YORK)
    found = rules.between(rule, tz, utc(2026, 3, 8, 4, 30), utc(2026, 3, 8, 8, 30))
    # 00:00, 01:00 EST, then 02:00 (absent) and 03:00 both are 03:00 EDT: one occurrence, 04:00
    assert [o.utc for o in found] == [utc(2026, 3, 8, 5), utc(2026, 3, 8, 6), utc(2026, 3, 8, 7),
                                      utc(2026, 3, 8, 8)]  # fmt: skip


def test_quarterly_and_count_and_until():
    found = upcoming(
        "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1;BYHOUR=9",
        datetime(2026, 1, 1, 9),
        LONDON,
        utc(2026, 1, 1),
        5,
    )
    assert [o.local.month for o in found] == [1, 4, 7, 10, 1]
    counted = upcoming("FREQ=MONTHLY;COUNT=2", datetime(2026, 1, 5, 9), LONDON, utc(2025, 1, 1))
    assert len(counted) == 2
    until = upcoming(
        "FREQ=DAILY;UNTIL=20260110T235959Z", datetime(2026, 1, 5, 9), LONDON, utc(2025, 1, 1), 50
    )
    assert len(until) == 6
    tz = rules.parse_zone(LONDON)
    rule = rules.validate("RRULE:freq=daily;count=1", datetime(2026, 1, 5, 9), LONDON)
    assert rules.next_after(rule, tz, utc(2026, 1, 6)) is None  # ended


@pytest.mark.parametrize(
    ("rule", "start", "zone", "field", "words"),
    [
        ("", datetime(2026, 1, 1), LONDON, "rule", "required"),
        ("FREQ=FORTNIGHTLY", datetime(2026, 1, 1), LONDON, "rule", "cannot be read"),
        ("garbage", datetime(2026, 1, 1), LONDON, "rule", "cannot be read"),
        ("FREQ=MONTHLY;BYHOUR=25", datetime(2026, 1, 1), LONDON, "rule", "cannot be read"),
        ("FREQ=MINUTELY", datetime(2026, 1, 1), LONDON, "rule", "too frequent"),
        ("FREQ=SECONDLY", datetime(2026, 1, 1), LONDON, "rule", "too frequent"),
        ("FREQ=HOURLY;BYMINUTE=0,30", datetime(2026, 1, 1), LONDON, "rule", "an hour"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", datetime(2026, 1, 1), LONDON, "rule", "no occ"),
        ("FREQ=DAILY;COUNT=0", datetime(2026, 1, 1), LONDON, "rule", "no occurrence"),
        ("FREQ=DAILY;UNTIL=20250101T000000Z", datetime(2026, 1, 1), LONDON, "rule", "no occ"),
        ("FREQ=DAILY;UNTIL=2025", datetime(2026, 1, 1), LONDON, "rule", "no occurrence"),
        ("DTSTART=20260101;FREQ=DAILY", datetime(2026, 1, 1), LONDON, "rule", "start"),
        ("FREQ=DAILY\nRDATE:20260101", datetime(2026, 1, 1), LONDON, "rule", "one RRULE"),
        ("FREQ=DAILY", datetime(2026, 1, 1), "Mars/Olympus", "timezone", "not a known"),
        ("FREQ=DAILY", datetime(2026, 1, 1), "", "timezone", "required"),
        ("FREQ=DAILY", None, LONDON, "starts_at_local", "required"),
        ("FREQ=DAILY", datetime(2026, 1, 1, tzinfo=UTC), LONDON, "starts_at_local", "offset"),
    ],
)
def test_validation_names_the_field(rule, start, zone, field, words):
    with pytest.raises(DomainError) as caught:
        rules.validate(rule, start, zone)
    assert caught.value.field == field
    assert words in caught.value.message
    assert caught.value.status_code == 422


def test_hourly_is_the_most_frequent_allowed_and_described():
    assert rules.validate("FREQ=HOURLY", datetime(2026, 1, 1), LONDON)
    assert rules.describe("FREQ=MONTHLY;BYDAY=+2TU;BYHOUR=22;BYMINUTE=0") == (
        "Monthly, 2nd Tuesday at 22:00"
    )
    assert rules.describe("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1") == "Quarterly, day 1"
    assert rules.describe("FREQ=MONTHLY;BYDAY=1MO;BYHOUR=9") == "Monthly, 1st Monday at 09:00"
