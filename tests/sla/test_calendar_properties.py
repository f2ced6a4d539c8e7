"""Properties of the business-time engine, checked on random calendars, starts and amounts.

Calendars are drawn in zones with DST changes of an hour and of half an hour (Lord Howe),
offsets of a quarter hour (Chatham, St John's, Kolkata), lunch breaks, night shifts and custom
holidays; starts are drawn over four years and, as often, within a day of a DST change.
Besides the algebra (adding in two steps equals adding at once, the due time is never in
closed time, pauses only delay), the engine is compared with a slow oracle that decides
minute by minute from the wall clock whether an instant is working time.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from deskside.sla.calendar import (
    MINUTE,
    WEEKDAYS,
    BusinessCalendar,
    CalendarSpec,
    calendar_for,
    to_us,
)

# slow: hypothesis property tests against a wall-clock oracle
pytestmark = pytest.mark.slow

ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/St_Johns",
    "Asia/Kolkata",
]
FIRST, LAST = datetime(2025, 1, 1, tzinfo=UTC), datetime(2028, 12, 31, tzinfo=UTC)
US = timedelta(microseconds=1)
FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@cache
def transitions(name: str) -> tuple[datetime, ...]:
    """UTC instants (to the minute) of the DST changes of one zone between FIRST and LAST."""
    zone = ZoneInfo(name)

    def offset(t: datetime) -> timedelta | None:
        return t.astimezone(zone).utcoffset()

    found = []
    t = FIRST
    while t < LAST:
        nxt = t + timedelta(hours=6)
        if offset(t) != offset(nxt):
            lo, hi = t, nxt
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if offset(lo) == offset(mid) else (lo, mid)
            found.append(hi.replace(second=0, microsecond=0))
        t = nxt
    return tuple(found)


# Period boundaries on a quarter-hour grid, kept out of 01:00-04:00, where DST changes happen:
# a boundary inside a skipped or repeated hour has no single wall-clock meaning to compare.
BOUNDARY = st.sampled_from([m for m in range(0, 24 * 60 + 1, 15) if not 60 <= m < 240])


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def day_periods(draw: st.DrawFn) -> list[list[str]]:
    kind = draw(st.sampled_from(["closed", "one", "lunch", "night"]))
    if kind == "closed":
        return []
    if kind == "night":  # crosses midnight: opens in the evening, closes the next morning
        a = draw(st.sampled_from([m for m in range(17 * 60, 24 * 60, 15)]))
        b = draw(st.sampled_from([m for m in range(4 * 60, 10 * 60 + 1, 15)]))
        return [[_hhmm(a), _hhmm(b)]]
    points = sorted(draw(st.sets(BOUNDARY, min_size=2 if kind == "one" else 4, max_size=4)))
    if kind == "one":
        return [[_hhmm(points[0]), _hhmm(points[-1])]]
    return [[_hhmm(points[0]), _hhmm(points[1])], [_hhmm(points[2]), _hhmm(points[3])]]


@st.composite
def calendars(draw: st.DrawFn, near: date | None = None) -> dict:
    """A random calendar; its custom holidays fall near `near`, where they matter."""
    weekly = {d: draw(day_periods()) for d in WEEKDAYS}
    assume(any(weekly.values()))
    around = near or date(2026, 6, 1)
    holidays = draw(
        st.lists(st.dates(around - timedelta(days=3), around + timedelta(days=8)), max_size=4)
    )
    return {
        "timezone": draw(st.sampled_from(ZONES)),
        "weekly": weekly,
        "holidays": sorted({d.isoformat() for d in holidays}),
    }


def engine(definition: dict) -> BusinessCalendar:
    return calendar_for(CalendarSpec.from_json(definition))


@st.composite
def calendar_and_start(
    draw: st.DrawFn, *, whole_minutes: bool | None = None
) -> tuple[dict, datetime]:
    """A calendar and a start: anywhere in four years, or (as often) within a day and a half
    of one of the DST changes of the calendar's own zone. Starts on a whole minute (always
    when asked, else half the time) reach period closes exactly, and often."""
    zone = draw(st.sampled_from(ZONES))
    changes = transitions(zone)
    if changes and draw(st.booleans()):
        moment = draw(st.sampled_from(changes)) + timedelta(
            minutes=draw(st.integers(-36 * 60, 36 * 60)),
            microseconds=draw(st.integers(0, 60 * 10**6 - 1)),
        )
    else:
        moment = draw(st.datetimes(FIRST.replace(tzinfo=None), LAST.replace(tzinfo=None)))
        moment = moment.replace(tzinfo=UTC)
    if whole_minutes or (whole_minutes is None and draw(st.booleans())):
        moment = moment.replace(second=0, microsecond=0)
    definition = draw(calendars(near=moment.date()))
    return {**definition, "timezone": zone}, moment


MINUTES = st.integers(1, 6000)


def oracle_working(definition: dict, t: datetime) -> bool:
    """Whether `t` is working time, decided from its wall-clock time alone."""
    zone = ZoneInfo(definition["timezone"])
    local = t.astimezone(zone)
    x = local.hour * 60 + local.minute
    closed = set(definition["holidays"])
    for day, shift in ((local.date(), 0), (local.date() - timedelta(days=1), 24 * 60)):
        if day.isoformat() in closed:
            continue
        for a, b in definition["weekly"][WEEKDAYS[day.weekday()]]:
            lo, hi = int(a[:2]) * 60 + int(a[3:]), int(b[:2]) * 60 + int(b[3:])
            if hi <= lo:
                hi += 24 * 60
            if lo <= x + shift < hi:
                return True
    return False


def oracle_between(definition: dict, start: datetime, end: datetime) -> int:
    """Working minutes in [start, end), counted minute by minute (whole-minute bounds)."""
    count, t = 0, start
    while t < end:
        count += oracle_working(definition, t)
        t += timedelta(minutes=1)
    return count


@FAST
@given(calendar_and_start(), MINUTES, MINUTES)
def test_adding_in_two_steps_equals_adding_at_once(case, a, b):
    definition, start = case
    cal = engine(definition)
    assert cal.add(cal.add(start, a), b) == cal.add(start, a + b)


@FAST
@given(calendar_and_start(), st.integers(1, 10**6), st.integers(1, 10**6))
def test_two_steps_to_the_microsecond(case, a, b):
    definition, start = case
    cal = engine(definition)
    t = to_us(start)
    assert cal.add_us(cal.add_us(t, a), b) == cal.add_us(t, a + b)


@FAST
@given(calendar_and_start(), MINUTES)
def test_due_time_is_inside_or_at_the_close_of_a_working_period(case, minutes):
    definition, start = case
    cal = engine(definition)
    due = cal.add(start, minutes)
    assert due > start
    assert cal.is_working(due - US)


@FAST
@given(calendar_and_start(whole_minutes=True), st.integers(1, 3000))
def test_add_agrees_with_the_wall_clock_oracle(case, minutes):
    definition, start = case
    cal = engine(definition)
    due = cal.add(start, minutes)
    assume(due - start <= timedelta(days=5))  # keep the oracle's minute walk short
    assert due == due.replace(second=0, microsecond=0)  # boundaries lie on whole minutes
    assert oracle_between(definition, start, due) == minutes
    assert oracle_working(definition, due - timedelta(minutes=1))  # the first such instant


@FAST
@given(calendar_and_start(whole_minutes=True))
def test_minutes_that_run_out_at_a_close_give_that_close(case):
    definition, start = case
    cal = engine(definition)
    start = cal.next_working(start)
    close = start  # walk the oracle to the end of this stretch of working time
    while oracle_working(definition, close):
        close += timedelta(minutes=1)
        assume(close - start < timedelta(days=8))  # a calendar may never close
    minutes = (close - start) // timedelta(minutes=1)
    assert cal.add(start, minutes) == close  # the close itself, not the next opening
    assert not cal.is_working(close)


@FAST
@given(calendar_and_start(whole_minutes=True), st.integers(0, 3 * 24 * 60))
def test_between_agrees_with_the_wall_clock_oracle(case, span):
    definition, start = case
    end = start + timedelta(minutes=span)
    cal = engine(definition)
    assert cal.minutes_between(start, end) == oracle_between(definition, start, end)
    assert cal.minutes_between(end, start) == -oracle_between(definition, start, end)


@FAST
@given(calendar_and_start(whole_minutes=True))
def test_is_working_agrees_with_the_wall_clock_oracle(case):
    definition, moment = case
    assert engine(definition).is_working(moment) == oracle_working(definition, moment)


@FAST
@given(calendar_and_start(), st.floats(0, 10**6, allow_nan=False))
def test_24x7_is_plain_addition(case, minutes):
    zone, start = case[0]["timezone"], case[1]
    cal = calendar_for(CalendarSpec.always(zone))
    amount = round(minutes * MINUTE)
    assert cal.add(start, minutes) == start + timedelta(microseconds=amount)
    assert cal.add(start, -minutes) == start - timedelta(microseconds=amount)
    assert cal.minutes_between(start, start + timedelta(minutes=minutes)) == amount / MINUTE


@FAST
@given(calendar_and_start(), MINUTES)
def test_between_start_and_due_is_the_minutes_added(case, minutes):
    definition, start = case
    cal = engine(definition)
    working_start = cal.next_working(start)
    assert cal.is_working(working_start)
    assert cal.minutes_between(working_start, cal.add(working_start, minutes)) == minutes
    assert cal.minutes_between(start, cal.add(start, minutes)) == minutes  # closed start too


@FAST
@given(calendar_and_start(), MINUTES)
def test_negative_minutes_walk_back_to_the_same_working_moment(case, minutes):
    definition, start = case
    cal = engine(definition)
    back = cal.add(start, -minutes)
    assert back < start
    assert cal.minutes_between(back, start) == minutes
    again = cal.add(back, minutes)  # the earliest instant holding as much working time
    assert again <= start and cal.minutes_between(again, start) == 0


@st.composite
def pauses(draw: st.DrawFn, start: datetime) -> list[tuple[datetime, datetime]]:
    out = []
    for _ in range(draw(st.integers(1, 4))):
        a = start + timedelta(minutes=draw(st.integers(-600, 6000)))
        out.append((a, a + timedelta(minutes=draw(st.integers(0, 3000)))))
    return out


@FAST
@given(calendar_and_start(), MINUTES, st.data())
def test_pauses_only_ever_move_the_due_time_later(case, minutes, data):
    definition, start = case
    cal = engine(definition)
    stops = data.draw(pauses(start))
    due = cal.add(start, minutes, stops)
    assert due >= cal.add(start, minutes)
    assert due >= cal.add(start, minutes, stops[:-1])  # one pause more never helps
    # The paused clock counts exactly the minutes asked for, and stops on working time.
    assert cal.minutes_between(start, due, stops) == minutes
    assert cal.is_working(due - US)
    assert not any(a < due <= b and a < b for a, b in stops)


@FAST
@given(calendar_and_start(), st.data())
def test_zero_minutes_is_the_first_working_instant_outside_the_pauses(case, data):
    definition, start = case
    cal = engine(definition)
    stops = data.draw(pauses(start))
    due = cal.add(start, 0, stops)
    assert due >= start and cal.is_working(due)
    assert not any(a <= due < b for a, b in stops)
    assert cal.minutes_between(start, due, stops) == 0


@FAST
@given(calendar_and_start(), MINUTES, MINUTES)
def test_monotonic_in_start_and_minutes(case, minutes, later):
    definition, start = case
    cal = engine(definition)
    assert cal.add(start, minutes) <= cal.add(start + timedelta(minutes=later), minutes)
    assert cal.add(start, minutes) <= cal.add(start, minutes + later)


@settings(FAST, max_examples=25)
@given(calendar_and_start(), MINUTES)
def test_answers_do_not_depend_on_what_was_asked_before(case, minutes):
    definition, start = case
    # A fresh engine builds its span around this start; the shared one has been asked about
    # other decades and holds another span (or rebuilt one).
    fresh = BusinessCalendar(CalendarSpec.from_json(definition))
    shared = engine(definition)
    shared.add(datetime(1991, 11, 15, 14, tzinfo=UTC), 120)
    shared.add(datetime(2090, 1, 1, tzinfo=UTC), -120)
    assert fresh.add(start, minutes) == shared.add(start, minutes)
    assert fresh.add(start, -minutes) == shared.add(start, -minutes)
    end = start + timedelta(days=9)
    assert fresh.minutes_between(start, end) == shared.minutes_between(start, end)


def test_transitions_are_found():
    # Sanity of the strategy: the changes drawn near are the real ones.
    assert transitions("UTC") == ()
    assert transitions("Asia/Kolkata") == ()
    berlin = set(transitions("Europe/Berlin"))
    assert len(berlin) == 8  # two a year, 2025-2028
    assert datetime(2026, 3, 29, 1, 0, tzinfo=UTC) in berlin
    assert datetime(2026, 10, 25, 1, 0, tzinfo=UTC) in berlin
    sydney = transitions("Australia/Sydney")
    assert datetime.combine(date(2026, 4, 4), time(16, 0), UTC) in sydney  # 03:00 AEDT
    lord_howe = transitions("Australia/Lord_Howe")
    assert len(lord_howe) == 8  # its changes are of half an hour
