"""The business-time engine's API: the JSON form, working time at the edges, DST, holidays,
far answers, errors and sharing between threads. Cases in the corpus layout are in
test_whatif.py, random properties in test_calendar_properties.py."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from deskside.sla.calendar import (
    MINUTE,
    BusinessCalendar,
    CalendarError,
    CalendarSpec,
    calendar_for,
    pause_us,
    to_us,
)

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = {
    "timezone": "Europe/Berlin",
    "weekly": {d: [["08:00", "12:00"], ["13:00", "17:00"]] for d in ("mon", "tue", "wed", "thu")}
    | {"fri": [["08:00", "14:00"]]},
    "holiday_country": "DE",
    "holiday_subdivision": "BY",
}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def office() -> BusinessCalendar:
    return BusinessCalendar(CalendarSpec.from_json(OFFICE))


@pytest.mark.parametrize(
    "definition",
    [
        OFFICE,
        {"timezone": "UTC", "24x7": True},
        {
            "timezone": "Asia/Tokyo",
            "weekly": {"sun": [["22:00", "06:00"]], "mon": [["00:00", "24:00"]]},
        },
        {
            "timezone": "America/New_York",
            "weekly": {"mon": [["09:00", "17:00"]]},
            "holidays": ["2026-12-24", "2026-12-31"],
            "extra_working_days": ["2026-12-26"],
        },
        {
            "timezone": "UTC",
            "weekly": {},
            "extra_working_days": {"2026-12-26": [["10:00", "12:00"]], "2026-12-27": []},
        },
    ],
)
def test_json_round_trip(definition):
    spec = CalendarSpec.from_json(definition)
    assert CalendarSpec.from_json(spec.to_json()) == spec
    assert hash(spec) == hash(CalendarSpec.from_json(spec.to_json()))


def test_json_form():
    spec = CalendarSpec.from_json(
        {
            "timezone": "Europe/Berlin",
            "weekly": {"mon": [["22:00", "06:00"]], "tue": [["00:00", "24:00"]]},
            "holiday_country": "de",
            "holiday_subdivision": "by",
            "peer_definition": "ignored: keys the engine does not know are for people",
        }
    )
    assert spec.holiday_country == "DE" and spec.holiday_subdivision == "BY"
    assert spec.to_json() == {
        "timezone": "Europe/Berlin",
        "weekly": {
            "mon": [["22:00", "06:00"]],
            "tue": [["00:00", "24:00"]],
            "wed": [],
            "thu": [],
            "fri": [],
            "sat": [],
            "sun": [],
        },
        "holidays": [],
        "holiday_country": "DE",
        "holiday_subdivision": "BY",
    }


def test_open_counts_close_does_not():
    cal = office()
    assert cal.is_working(local(2026, 11, 24, 8))
    assert not cal.is_working(local(2026, 11, 24, 8) - timedelta(microseconds=1))
    assert cal.is_working(local(2026, 11, 24, 12) - timedelta(microseconds=1))
    assert not cal.is_working(local(2026, 11, 24, 12))  # lunch
    assert cal.is_working(local(2026, 11, 24, 13))
    assert not cal.is_working(local(2026, 11, 24, 17))
    assert cal.next_working(local(2026, 11, 24, 12, 30)) == local(2026, 11, 24, 13)
    assert cal.next_working(local(2026, 11, 27, 14)) == local(2026, 11, 30, 8)  # Fri closes at 14
    assert cal.next_working(local(2026, 11, 24, 9)) == local(2026, 11, 24, 9)


def test_answers_are_aware_utc():
    due = office().add(local(2026, 11, 24, 9), 30)
    assert due.tzinfo is UTC
    assert due == local(2026, 11, 24, 9, 30)


def test_naive_times_are_refused():
    with pytest.raises(CalendarError, match="time zone offset"):
        office().add(datetime(2026, 11, 24, 9), 30)


def test_bavarian_holidays_close_whole_days():
    cal = office()
    # Corpus Christi (Thu 4 Jun 2026) is a holiday in Bavaria, not in Berlin.
    assert not cal.is_working(local(2026, 6, 4, 10))
    berlin = BusinessCalendar(CalendarSpec.from_json({**OFFICE, "holiday_subdivision": "BE"}))
    assert berlin.is_working(local(2026, 6, 4, 10))
    # Wed 3 Jun 16:00 + 120 min: 60 that day, Thu closed, Fri 08:00 + 60.
    assert cal.add(local(2026, 6, 3, 16), 120) == local(2026, 6, 5, 9)


def test_a_period_in_the_skipped_hour_does_not_exist():
    cal = BusinessCalendar(
        CalendarSpec.from_json(
            {"timezone": "Europe/Berlin", "weekly": {"sun": [["02:00", "03:00"]]}}
        )
    )
    # On 29 Mar 2026 the clocks jump from 02:00 to 03:00: no working time that Sunday.
    assert cal.minutes_between(local(2026, 3, 28), local(2026, 3, 30)) == 0
    assert cal.minutes_between(local(2026, 3, 21), local(2026, 3, 23)) == 60
    # On 25 Oct the hour is lived twice; the period is the first 02:00 to 03:00 wall clock,
    # which is two hours long (02:00 CEST to 03:00 CET).
    assert cal.minutes_between(local(2026, 10, 24), local(2026, 10, 26)) == 120


def test_night_shift_on_a_dst_night_has_its_real_length():
    cal = BusinessCalendar(
        CalendarSpec.from_json(
            {"timezone": "America/New_York", "weekly": {"sat": [["22:00", "06:00"]]}}
        )
    )
    ny = ZoneInfo("America/New_York")
    # 7 Mar 2026 (spring forward): 7 h; 31 Oct 2026 (fall back): 9 h; else 8 h.
    assert (
        cal.minutes_between(datetime(2026, 3, 7, tzinfo=ny), datetime(2026, 3, 9, tzinfo=ny)) == 420
    )
    assert (
        cal.minutes_between(datetime(2026, 10, 31, tzinfo=ny), datetime(2026, 11, 2, tzinfo=ny))
        == 540
    )
    assert (
        cal.minutes_between(datetime(2026, 6, 6, tzinfo=ny), datetime(2026, 6, 8, tzinfo=ny)) == 480
    )


def test_far_from_the_first_question():
    cal = office()
    near = cal.add(local(2026, 11, 24, 9), 600)
    # Questions decades apart rebuild the span around them; the answers do not change.
    assert cal.add(local(2091, 3, 1, 9), 60) == office().add(local(2091, 3, 1, 9), 60)
    assert cal.add(local(1991, 3, 1, 9), -60) == office().add(local(1991, 3, 1, 9), -60)
    assert cal.add(local(2026, 11, 24, 9), 600) == near
    # A year of working time ahead: many spans' worth, found in a few builds.
    year = cal.minutes_between(local(2027, 1, 1), local(2028, 1, 1))
    assert cal.add(local(2027, 1, 1), year) == office().add(local(2027, 1, 1), year)
    assert (
        cal.minutes_between(local(2027, 1, 1), cal.add(local(2027, 1, 1), 30 * year)) == 30 * year
    )


@pytest.mark.slow
def test_answers_out_of_reach_are_errors():
    cal = office()
    with pytest.raises(CalendarError, match="more than 400 years after"):
        cal.add(local(2026, 1, 1), 10**12)
    with pytest.raises(CalendarError, match="more than 400 years before"):
        cal.add(local(2026, 1, 1), -(10**12))
    with pytest.raises(CalendarError, match="more than 400 years apart"):
        cal.minutes_between(local(1500, 1, 1), local(2026, 1, 1))
    only_extra = BusinessCalendar(
        CalendarSpec.from_json({"timezone": "UTC", "extra_working_days": ["2026-12-26"]})
    )
    with pytest.raises(CalendarError, match="no working time after 2026-12-26"):
        only_extra.add(datetime(2027, 1, 1, tzinfo=UTC), 1)
    with pytest.raises(CalendarError, match="no working time before 2026-12-26"):
        only_extra.add(datetime(2026, 1, 1, tzinfo=UTC), -1)
    # ... while the days it has still count, from either side.
    assert only_extra.add(datetime(2020, 1, 1, tzinfo=UTC), 60) == datetime(
        2026, 12, 26, 10, tzinfo=UTC
    )
    assert only_extra.add(datetime(2030, 1, 1, tzinfo=UTC), -60) == datetime(
        2026, 12, 26, 16, tzinfo=UTC
    )


def test_pauses_are_validated_and_merged():
    t = datetime(2026, 1, 1, tzinfo=UTC)
    h = timedelta(hours=1)
    assert pause_us([(t + 2 * h, t + 3 * h), (t, t + h), (t + h / 2, t + 2 * h)]) == [
        (to_us(t), to_us(t + 3 * h))
    ]
    with pytest.raises(CalendarError, match=r"pauses\[0\]: ends before it starts"):
        pause_us([(t + h, t)])
    with pytest.raises(CalendarError, match=r"pauses\[1\]: expected \[start, end\]"):
        pause_us([(t, t), (t,)])
    with pytest.raises(CalendarError, match="only supported when counting forwards"):
        office().add(local(2026, 11, 24, 9), -5, [(t, t + h)])


def test_fractional_minutes_are_kept_to_the_microsecond():
    cal = calendar_for(CalendarSpec.always())
    t = datetime(2026, 1, 1, tzinfo=UTC)
    assert cal.add(t, 1 / 60) == t + timedelta(seconds=1)
    assert cal.add_us(to_us(t), 1) == to_us(t) + 1
    assert cal.minutes_between(t, t + timedelta(seconds=90)) == 1.5
    assert cal.between_us(to_us(t), to_us(t) + MINUTE) == MINUTE


def test_calendar_for_shares_one_engine_per_spec():
    a = calendar_for(CalendarSpec.from_json(OFFICE))
    b = calendar_for(CalendarSpec.from_json(dict(OFFICE)))
    assert a is b
    assert calendar_for(CalendarSpec.from_json({**OFFICE, "timezone": "UTC"})) is not a


def test_threads_share_a_calendar():
    cal = office()  # fresh: the threads race to build and rebuild its span
    starts = [local(year, 3, 27, 16) for year in (2026, 1995, 2060, 2027, 2100, 2026) * 8]
    expected = [office().add(s, 600) for s in starts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda s: cal.add(s, 600), starts))
    assert got == expected


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ([], "a calendar is a JSON object"),
        ({"timezone": "Nowhere/City", "24x7": True}, "timezone: unknown time zone"),
        ({"weekly": []}, "weekly: expected an object"),
        ({"weekly": {"mon": "09:00-17:00"}}, "weekly.mon: expected a list of [open, close] pairs"),
        ({"weekly": {"mon": [["09:00"]]}}, r"weekly.mon[0]: expected [open, close]"),
        ({"weekly": {"mon": [["24:00", "06:00"]]}}, "a period cannot open at 24:00"),
        ({"weekly": {"mon": [["09:60", "17:00"]]}}, "is not a time of day as HH:MM"),
        (
            {"weekly": {"mon": [["09:00", "17:00"]]}, "holidays": "2026-12-25"},
            "holidays: expected a list",
        ),
        (
            {"weekly": {"mon": [["09:00", "17:00"]]}, "extra_working_days": ["soon"]},
            "extra_working_days[0]: 'soon' is not a date",
        ),
    ],
)
def test_invalid_definitions_say_what_is_wrong(definition, message):
    with pytest.raises(CalendarError) as info:
        CalendarSpec.from_json(definition)
    assert message in str(info.value)


def test_extra_working_day_list_uses_the_first_working_weekday():
    spec = CalendarSpec.from_json(
        {
            "weekly": {"wed": [["10:00", "11:00"]], "thu": [["09:00", "17:00"]]},
            "extra_working_days": ["2026-11-28"],
        }
    )
    assert spec.extra_working_days == ((date(2026, 11, 28), ((600, 660),)),)
