"""Business-time arithmetic: how many working minutes lie between two instants of a business
calendar, and at which instant a number of working minutes runs out.

A calendar is a time zone, weekly working periods per weekday (several a day for a lunch break;
a period whose close is at or before its open crosses midnight, as a 22:00-06:00 night shift),
closed dates (custom ones and the public holidays of a country and subdivision, from the
`holidays` package), extra working dates, or simply always open (24x7). Periods are half-open,
[open, close), in the calendar's wall-clock time; DST is honoured because each boundary is
converted on its own date.

The rules, shared by the SLA clocks and `deskside sla due`:

- the clock starts at the first working instant at or after the start;
- time inside a pause does not count;
- the result is the first instant at which the working minutes have run out, so minutes that
  run out exactly at the close of a period give that close, not the next opening;
- a negative number of minutes walks backwards (the inverse of adding): an answer on the
  boundary between two periods is the earlier period's close (Friday 17:00, not Monday 09:00),
  as the working_hours gem returns it;
- zero minutes give the first working instant at or after the start (outside the pauses).

A night shift belongs to the date it starts on: when that date is closed (a holiday), the part
after midnight is closed too. Holidays and extra working days are dates in the calendar's zone;
an extra working day wins over a holiday on the same date. A boundary in the hour skipped by a
DST change is read with the offset before the change (02:30 becomes 03:30 summer time); one in
the repeated hour is its first occurrence. No answer lies more than 400 years from the
question. docs/sla.md describes the rules, the JSON form and how peers differ.

For speed (about 3 x 10^5 due times a second in one process, bench/sla_due.py) a calendar is
turned once into sorted working intervals in UTC microseconds with running totals, for a span
of years that is rebuilt when a question lies outside it (growing by doubling when an answer
lies far ahead). Every question is then a few binary searches.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_data

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
US = 1_000_000  # microseconds per second
MINUTE = 60 * US
_TIME = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A question that needs more years than the span holds rebuilds it with at least this many
# more years, then twice as many each time, so a far answer costs a few builds, not hundreds.
_SPAN_STEP = 2
# No answer lies further than this from the time it was asked about.
_MAX_REACH = 400
# Spans longer than this are used for the one question that needed them, not kept.
_MAX_KEPT = 60

Period = tuple[int, int]  # minutes after the date's midnight: open, close (close may pass 1440)


class CalendarError(ValueError):
    """A calendar definition or a question about it is not valid; the message says why."""


def _minutes(text: object, where: str) -> int:
    if not isinstance(text, str) or not (m := _TIME.match(text.strip())):
        raise CalendarError(f"{where}: {text!r} is not a time of day as HH:MM")
    value = int(m.group(1)) * 60 + int(m.group(2))
    if value > 24 * 60:
        raise CalendarError(f"{where}: {text!r} is past 24:00")
    return value


def _periods(raw: object, where: str) -> tuple[Period, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise CalendarError(f"{where}: expected a list of [open, close] pairs")
    periods = []
    for i, pair in enumerate(raw):
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise CalendarError(f"{where}[{i}]: expected [open, close]")
        start, end = _minutes(pair[0], f"{where}[{i}]"), _minutes(pair[1], f"{where}[{i}]")
        if start == 24 * 60:
            raise CalendarError(f"{where}[{i}]: a period cannot open at 24:00")
        if end <= start:  # crosses midnight: 22:00-06:00 closes at 06:00 the next day
            end += 24 * 60
        periods.append((start, end))
    return tuple(sorted(periods))


def _date(text: object, where: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise CalendarError(f"{where}: {text!r} is not a date as YYYY-MM-DD") from None


def _show(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class CalendarSpec:
    """A business calendar's definition, as stored and as exchanged in JSON.

    JSON form (the public corpus' layout): `{"timezone": "Europe/Berlin", "weekly": {"mon":
    [["08:00", "12:00"], ["13:00", "17:00"]], ..., "sun": []}, "holidays": ["2026-12-25"]}` plus
    optional `"holiday_country"` (ISO code, e.g. "DE"), `"holiday_subdivision"` ("BY"),
    `"extra_working_days"` (a list of dates, worked with the periods of the calendar's first
    working weekday, or an object mapping each date to its own periods) and `"24x7": true`.
    A weekday left out or empty is closed; ["00:00", "24:00"] is the whole day.
    """

    timezone: str = "UTC"
    weekly: tuple[tuple[Period, ...], ...] = ((),) * 7
    holidays: frozenset[date] = frozenset()
    holiday_country: str = ""
    holiday_subdivision: str = ""
    extra_working_days: tuple[tuple[date, tuple[Period, ...]], ...] = ()
    always_open: bool = False

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> CalendarSpec:
        """Parse and validate the JSON form; raises CalendarError naming what is wrong."""
        if not isinstance(data, Mapping):
            raise CalendarError("a calendar is a JSON object")
        tz = data.get("timezone", "UTC")
        try:
            ZoneInfo(str(tz))
        except (ZoneInfoNotFoundError, ValueError):
            raise CalendarError(f"timezone: unknown time zone {tz!r}") from None
        always_open = data.get("24x7", False)
        if not isinstance(always_open, bool):
            raise CalendarError(f"24x7: expected true or false, got {always_open!r}")
        weekly_raw = data.get("weekly", {})
        if not isinstance(weekly_raw, Mapping):
            raise CalendarError("weekly: expected an object of weekday -> periods")
        unknown = set(weekly_raw) - set(WEEKDAYS)
        if unknown:
            raise CalendarError(f"weekly: unknown weekday {sorted(unknown)[0]!r} (use mon..sun)")
        weekly = tuple(_periods(weekly_raw.get(d), f"weekly.{d}") for d in WEEKDAYS)
        if not always_open and not any(weekly) and not data.get("extra_working_days"):
            raise CalendarError("weekly: the calendar has no working period")
        holidays_raw = data.get("holidays", [])
        if not isinstance(holidays_raw, list):
            raise CalendarError("holidays: expected a list of dates")
        closed = frozenset(_date(d, f"holidays[{i}]") for i, d in enumerate(holidays_raw))
        country = str(data.get("holiday_country") or "").upper()
        subdivision = str(data.get("holiday_subdivision") or "").strip()
        if country:
            supported = holiday_data.list_supported_countries()
            if country not in supported:
                raise CalendarError(f"holiday_country: no holidays known for {country!r}")
            known = {code.upper(): code for code in supported[country]}
            if subdivision and subdivision.upper() in known:
                subdivision = known[subdivision.upper()]  # "by" -> "BY", "augsburg" -> "Augsburg"
            elif subdivision:
                raise CalendarError(
                    f"holiday_subdivision: {country} has no subdivision {subdivision!r}"
                    f" (known: {', '.join(supported[country]) or 'none'})"
                )
        elif subdivision:
            raise CalendarError("holiday_subdivision needs holiday_country")
        extra_raw = data.get("extra_working_days", [])
        default_periods = next((p for p in weekly if p), ((9 * 60, 17 * 60),))
        if isinstance(extra_raw, Mapping):
            extra = tuple(
                sorted(
                    (_date(d, "extra_working_days"), _periods(p, f"extra_working_days.{d}"))
                    for d, p in extra_raw.items()
                )
            )
        elif isinstance(extra_raw, list):
            extra = tuple(
                sorted(
                    (_date(d, f"extra_working_days[{i}]"), default_periods)
                    for i, d in enumerate(extra_raw)
                )
            )
        else:
            raise CalendarError("extra_working_days: expected a list of dates or an object")
        return cls(str(tz), weekly, closed, country, subdivision, extra, always_open)

    @classmethod
    def always(cls, timezone: str = "UTC") -> CalendarSpec:
        """The 24x7 calendar: every instant is working time."""
        return cls(timezone=timezone, always_open=True)

    def to_json(self) -> dict[str, object]:
        """The JSON form; `from_json(to_json())` gives an equal spec."""
        out: dict[str, object] = {
            "timezone": self.timezone,
            "weekly": {
                d: [[_show(a), _show(b % (24 * 60) if b > 24 * 60 else b)] for a, b in periods]
                for d, periods in zip(WEEKDAYS, self.weekly, strict=True)
            },
            "holidays": sorted(d.isoformat() for d in self.holidays),
        }
        if self.always_open:
            out["24x7"] = True
        if self.holiday_country:
            out["holiday_country"] = self.holiday_country
        if self.holiday_subdivision:
            out["holiday_subdivision"] = self.holiday_subdivision
        if self.extra_working_days:
            out["extra_working_days"] = {
                d.isoformat(): [
                    [_show(a), _show(b % (24 * 60) if b > 24 * 60 else b)] for a, b in periods
                ]
                for d, periods in self.extra_working_days
            }
        return out


@dataclass(frozen=True)
class _Span:
    """Working intervals of the years [first_year, last_year], UTC microseconds."""

    first_year: int
    last_year: int
    lo: int  # covered instants: [lo, hi)
    hi: int
    starts: list[int] = field(repr=False)
    ends: list[int] = field(repr=False)
    cum: list[int] = field(repr=False)  # working time before interval i
    cum_end: list[int] = field(repr=False)  # working time up to the end of interval i


def to_us(moment: datetime) -> int:
    """An aware datetime as integer microseconds since the epoch (exact, no float rounding)."""
    if moment.tzinfo is None:
        raise CalendarError("times must carry a time zone offset")
    delta = moment - _EPOCH
    return (delta.days * 86400 + delta.seconds) * US + delta.microseconds


def from_us(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


class BusinessCalendar:
    """Answers business-time questions about one CalendarSpec. Safe to share between threads."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.timezone)
        self._extra = dict(spec.extra_working_days)
        # A calendar without weekly hours works only on its extra days: its working time has
        # a first and a last date, and no search may run past them.
        self._bounds: tuple[date, date] | None = None
        if not spec.always_open and not any(spec.weekly):
            days = [d for d, periods in spec.extra_working_days if periods] or [date(1970, 1, 1)]
            self._bounds = (min(days), max(days))
        self._lock = threading.Lock()
        self._span: _Span | None = None

    # -- building ---------------------------------------------------------------------------
    def _closed_dates(self, first: int, last: int) -> set[date]:
        closed = set(self.spec.holidays)
        if self.spec.holiday_country:
            closed.update(
                holiday_data.country_holidays(
                    self.spec.holiday_country,
                    subdiv=self.spec.holiday_subdivision or None,
                    years=range(first, last + 1),
                )
            )
        return closed

    def _build(self, first: int, last: int) -> _Span:
        zone = self.zone
        lo = to_us(datetime(first, 1, 1, tzinfo=zone))
        hi = to_us(datetime(last + 1, 1, 1, tzinfo=zone))
        raw: list[tuple[int, int]] = []
        if self.spec.always_open:
            raw.append((lo, hi))
        else:
            closed = self._closed_dates(first - 1, last)
            day = date(first, 1, 1) - timedelta(days=1)  # its night shift reaches into Jan 1
            end_day = date(last, 12, 31)
            while day <= end_day:
                if day in self._extra:
                    periods = self._extra[day]
                elif day in closed:
                    periods = ()
                else:
                    periods = self.spec.weekly[day.weekday()]
                if periods:
                    # Wall-clock arithmetic first, then the zone: each boundary gets the UTC
                    # offset of its own moment, so DST days have their real length.
                    midnight = datetime(day.year, day.month, day.day)  # noqa: DTZ001
                    for a, b in periods:
                        s = to_us((midnight + timedelta(minutes=a)).replace(tzinfo=zone))
                        e = to_us((midnight + timedelta(minutes=b)).replace(tzinfo=zone))
                        s, e = max(s, lo), min(e, hi)
                        if e > s:
                            raw.append((s, e))
                day += timedelta(days=1)
        raw.sort()
        starts: list[int] = []
        ends: list[int] = []
        for s, e in raw:  # merge overlapping and touching periods: no false "close" between
            if ends and s <= ends[-1]:
                ends[-1] = max(ends[-1], e)
            else:
                starts.append(s)
                ends.append(e)
        cum, cum_end, total = [], [], 0
        for s, e in zip(starts, ends, strict=True):
            cum.append(total)
            total += e - s
            cum_end.append(total)
        return _Span(first, last, lo, hi, starts, ends, cum, cum_end)

    def _covering(self, *moments: int) -> _Span:
        """A span that covers every moment given, with a year's margin on each side."""
        span = self._span
        if span is not None and all(span.lo <= m < span.hi for m in moments):
            return span
        years = [from_us(m).year for m in moments]
        first, last = min(years) - 1, max(years) + 1
        if last - first > _MAX_REACH + 2:
            raise CalendarError(f"the times lie more than {_MAX_REACH} years apart")
        if (
            span is not None
            and max(last, span.last_year) - min(first, span.first_year) <= _MAX_KEPT
        ):
            first, last = min(first, span.first_year), max(last, span.last_year)
        return self._store(first, last)

    def _grow(self, span: _Span, origin: int, *, forward: bool) -> _Span:
        """`span` with more years after it (or before it), for a question about `origin`.

        Raises CalendarError when the answer would lie more than _MAX_REACH years from the
        origin, or when the calendar's working time has ended (only extra working days).
        """
        first, last = span.first_year, span.last_year
        step = max(_SPAN_STEP, last - first)
        origin_year = from_us(origin).year
        bounds = self._bounds
        if forward:
            if bounds is not None and last > bounds[1].year:
                raise CalendarError(f"the calendar has no working time after {bounds[1]}")
            last += step
            if last - origin_year > _MAX_REACH + 1:
                raise CalendarError(
                    f"the answer lies more than {_MAX_REACH} years after {from_us(origin)}"
                )
        else:
            if bounds is not None and first <= bounds[0].year:
                raise CalendarError(f"the calendar has no working time before {bounds[0]}")
            first -= step
            if origin_year - first > _MAX_REACH + 1:
                raise CalendarError(
                    f"the answer lies more than {_MAX_REACH} years before {from_us(origin)}"
                )
        first, last = max(first, 2), min(last, 9998)
        if (first, last) == (span.first_year, span.last_year):
            raise CalendarError("the answer lies outside the years 2 to 9998")
        return self._store(first, last)

    def _store(self, first: int, last: int) -> _Span:
        """Build the span of [first, last]; keep it for the next questions unless very long."""
        if first < 2 or last > 9998:  # the span's first day starts on the day before
            raise CalendarError("times must lie between the years 3 and 9997")
        if last - first > _MAX_KEPT:
            return self._build(first, last)
        with self._lock:  # one thread builds, the others wait and use its span
            span = self._span
            if span is None or not (span.first_year <= first and last <= span.last_year):
                span = self._span = self._build(first, last)
            return span

    # -- the two primitives -----------------------------------------------------------------
    @staticmethod
    def _worked(span: _Span, t: int) -> int:
        """Working microseconds from the span's start to `t`."""
        i = bisect.bisect_right(span.starts, t) - 1
        if i < 0:
            return 0
        return span.cum[i] + (min(t, span.ends[i]) - span.starts[i])

    def _instant(self, span: _Span, target: int) -> int | None:
        """The first instant by which `target` working microseconds (from the span's start)
        have passed; None when the span ends first."""
        i = bisect.bisect_left(span.cum_end, target)
        if i == len(span.cum_end):
            return None
        return span.starts[i] + max(0, target - span.cum[i])

    # -- questions --------------------------------------------------------------------------
    def is_working(self, moment: datetime) -> bool:
        """Whether `moment` is working time (a period's open counts, its close does not)."""
        t = to_us(moment)
        span = self._covering(t)
        i = bisect.bisect_right(span.starts, t) - 1
        return i >= 0 and t < span.ends[i]

    def next_working(self, moment: datetime) -> datetime:
        """The first working instant at or after `moment`."""
        return from_us(self._next_working_us(to_us(moment)))

    def _next_working_us(self, t: int) -> int:
        span = self._covering(t)
        while True:  # ends: _grow raises when nothing lies within reach
            i = bisect.bisect_right(span.starts, t) - 1
            if i >= 0 and t < span.ends[i]:
                return t
            if i + 1 < len(span.starts):
                return span.starts[i + 1]
            span = self._grow(span, t, forward=True)

    def add(
        self, start: datetime, minutes: float, pauses: Iterable[tuple[datetime, datetime]] = ()
    ) -> datetime:
        """The instant at which `minutes` working minutes, counted from `start` and skipping
        the pauses, run out (see the module's rules). Returns an aware UTC datetime."""
        amount = round(minutes * MINUTE)
        return from_us(self.add_us(to_us(start), amount, pause_us(pauses)))

    def add_us(self, start: int, amount: int, pauses: Sequence[tuple[int, int]] = ()) -> int:
        """`add()` on microseconds since the epoch: the hot path of the SLA engine."""
        if amount == 0:
            # The first working instant outside every pause: skipping a pause can land in
            # closed time, and the next opening can lie inside a later pause.
            t = start
            while True:
                moved = self._next_working_us(_after_pauses(t, pauses))
                if moved == t:
                    return t
                t = moved
        if amount < 0:
            if pauses:
                raise CalendarError("pauses are only supported when counting forwards")
            return self._back(start, -amount)
        span = self._covering(start)
        while True:  # ends: _grow raises when the answer lies out of reach
            result = self._forward(span, start, amount, pauses)
            if result is not None:
                return result
            span = self._grow(span, start, forward=True)

    def _forward(
        self, span: _Span, start: int, amount: int, pauses: Sequence[tuple[int, int]]
    ) -> int | None:
        worked = self._worked
        cur, left = start, amount
        for a, b in pauses:
            if b <= cur:
                continue
            if a > cur:
                available = worked(span, min(a, span.hi)) - worked(span, cur)
                if a >= span.hi and available < left:
                    return None
                if left <= available:
                    break
                left -= available
            cur = max(cur, b)
            if cur >= span.hi:
                return None
        return self._instant(span, worked(span, cur) + left)

    def _back(self, start: int, amount: int) -> int:
        span = self._covering(start)
        while True:  # ends: _grow raises when the answer lies out of reach
            target = self._worked(span, start) - amount
            if target > 0:  # else the answer lies before the span (or at its very start)
                return self._instant(span, target)  # type: ignore[return-value]
            span = self._grow(span, start, forward=False)

    def minutes_between(
        self, start: datetime, end: datetime, pauses: Iterable[tuple[datetime, datetime]] = ()
    ) -> float:
        """Working minutes in [start, end] outside the pauses (negative when end < start)."""
        return self.between_us(to_us(start), to_us(end), pause_us(pauses)) / MINUTE

    def between_us(self, start: int, end: int, pauses: Sequence[tuple[int, int]] = ()) -> int:
        if end < start:
            return -self.between_us(end, start, pauses)
        span = self._covering(start, end)
        worked = self._worked
        total = worked(span, end) - worked(span, start)
        for a, b in pauses:
            lo, hi = max(a, start), min(b, end)
            if hi > lo:
                total -= worked(span, hi) - worked(span, lo)
        return total


def pause_us(pauses: Iterable[tuple[datetime, datetime]]) -> list[tuple[int, int]]:
    """Pauses as sorted, merged microsecond intervals; a pause must not end before it starts."""
    items = []
    for i, pause in enumerate(pauses):
        try:
            a, b = pause
        except (TypeError, ValueError):
            raise CalendarError(f"pauses[{i}]: expected [start, end]") from None
        ua, ub = to_us(a), to_us(b)
        if ub < ua:
            raise CalendarError(f"pauses[{i}]: ends before it starts")
        items.append((ua, ub))
    items.sort()
    merged: list[tuple[int, int]] = []
    for a, b in items:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _after_pauses(t: int, pauses: Sequence[tuple[int, int]]) -> int:
    for a, b in pauses:
        if a <= t < b:
            t = b
    return t


@lru_cache(maxsize=256)
def calendar_for(spec: CalendarSpec) -> BusinessCalendar:
    """One shared BusinessCalendar per distinct spec, so its intervals are built once."""
    return BusinessCalendar(spec)
