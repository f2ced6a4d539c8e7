"""Recurrence rules: parsing, validation and occurrences of a schedule (pure: no database).

A schedule's rule is the body of an RFC 5545 RRULE (`FREQ=MONTHLY;BYDAY=+2TU;BYHOUR=22;
BYMINUTE=0`), read by `dateutil.rrule.rrulestr` with the schedule's DTSTART as a *naive local*
date and time: the rule counts in wall-clock time, so "22:00 on the second Tuesday" stays 22:00
in the client's zone in winter and in summer. Each local occurrence is then placed on the time
line with `zoneinfo` (`localise`):

- **A local time that does not exist** (the spring-forward gap: 02:30 on the night clocks go
  from 02:00 to 03:00) moves forward to the first valid instant, the moment the clocks jump
  (03:00 local). Two local times that land on the same instant (02:00 and 03:00 that night)
  are one occurrence.
- **A local time that happens twice** (the fall-back hour: 01:30 on the night clocks go from
  02:00 back to 01:00) is the first of the two (fold=0, still summer time), so it happens once.

Validation (`validate`) raises `InvalidInput` naming the field at fault: `timezone` (not an IANA
zone), `starts_at_local` (missing, or given with an offset), `rule` (unparsable, DTSTART or
more than one line inside it, more often than hourly, or no occurrence at all). COUNT and
UNTIL are fine; an UNTIL in UTC (`...Z`) is converted to the zone's local time, since the rule
counts in local time.

**Too frequent**: FREQ=SECONDLY and MINUTELY are refused, and so is any rule whose occurrences
come less than `MIN_GAP` (one hour) apart (`FREQ=HOURLY;BYMINUTE=0,30`): each occurrence opens
a ticket, and a desk wants no more than one routine ticket an hour from one schedule.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

from deskside.recurring.exceptions import InvalidInput

MIN_GAP = timedelta(hours=1)
"""The shortest time between two occurrences of one schedule."""
HORIZON = timedelta(days=366 * 10)
"""How far after the start a rule must have an occurrence (an impossible rule, such as
February 30th, would otherwise be searched to the year 9999)."""
GAP_CHECKED = 200
"""How many first occurrences are checked for the minimum gap."""
MAX_RULE = 500
REFUSED_FREQ = ("SECONDLY", "MINUTELY")
SECOND = timedelta(seconds=1)
MARGIN = timedelta(days=2)
"""More than any UTC offset difference: local bounds widened by this never miss an instant."""


@dataclass(frozen=True)
class Occurrence:
    """One occurrence: the instant in UTC and the same instant in the schedule's zone."""

    utc: datetime
    local: datetime


def wall_clock(value: datetime) -> datetime:
    """A stored `starts_at_local` as the naive local date and time it means. The column is a
    DateTimeField under USE_TZ, so the wall-clock digits are kept as if they were UTC."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def stored(local: datetime) -> datetime:
    """The naive local `local` as the column keeps it (the same digits, labelled UTC)."""
    return local.replace(tzinfo=UTC)


def parse_zone(name: str | None) -> ZoneInfo:
    """The IANA zone `name`; InvalidInput(field="timezone") for an empty or unknown one."""
    text = (name or "").strip()
    if not text:
        raise InvalidInput("a time zone is required (e.g. Europe/London)", field="timezone")
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"{text!r} is not a known time zone (use an IANA name such as America/New_York)",
            field="timezone",
        ) from None


def _until_local(value: str, tz: ZoneInfo) -> str:
    """An UNTIL value in UTC (`20270101T000000Z`) as the zone's local time (naive)."""
    try:
        instant = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput(f"UNTIL={value} is not a date-time", field="rule") from None
    return instant.astimezone(tz).strftime("%Y%m%dT%H%M%S")


def normalise(text: str, tz: ZoneInfo) -> str:
    """The rule's body, upper-cased, without an `RRULE:` prefix, UNTIL in local time."""
    body = (text or "").strip()
    if not body:
        raise InvalidInput("a recurrence rule is required (e.g. FREQ=MONTHLY)", field="rule")
    if len(body) > MAX_RULE:
        raise InvalidInput(f"the rule is longer than {MAX_RULE} characters", field="rule")
    if "\n" in body or "\r" in body:
        raise InvalidInput("one RRULE line only (no RDATE, EXDATE or DTSTART)", field="rule")
    body = body.upper()
    if body.startswith("RRULE:"):
        body = body[len("RRULE:") :]
    parts = []
    for part in body.split(";"):
        name, _, value = part.partition("=")
        if name == "DTSTART":
            raise InvalidInput("give the start as the schedule's first occurrence", field="rule")
        if name == "UNTIL" and value.endswith("Z"):
            part = f"UNTIL={_until_local(value, tz)}"
        parts.append(part)
    return ";".join(parts)


def parse(text: str, starts_at_local: datetime, tz: ZoneInfo) -> rrule:
    """The rule as a dateutil `rrule` counting in naive local time from `starts_at_local`."""
    body = normalise(text, tz)
    freq = next((p[5:] for p in body.split(";") if p.startswith("FREQ=")), "")
    if freq in REFUSED_FREQ:
        raise InvalidInput(
            f"FREQ={freq} is too frequent: a schedule runs at most hourly", field="rule"
        )
    try:
        parsed = rrulestr(body, dtstart=starts_at_local, forceset=False)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise InvalidInput(f"the rule cannot be read: {exc}", field="rule") from None
    if not isinstance(parsed, rrule):  # pragma: no cover - forceset=False and one line
        raise InvalidInput("one RRULE only", field="rule")
    return parsed


def _bounded(rule: rrule, starts_at_local: datetime) -> rrule:
    """The rule cut at HORIZON after the start (for the checks: an impossible rule ends)."""
    limit = starts_at_local + HORIZON
    until = rule._until
    if until is not None and until < limit:
        return rule
    return rule.replace(until=limit, count=None)


def validate(text: str, starts_at_local: datetime | None, zone_name: str | None) -> rrule:
    """Check a schedule's timing; returns the parsed rule. InvalidInput names the field."""
    tz = parse_zone(zone_name)
    if starts_at_local is None:
        raise InvalidInput("the first occurrence's date and time are required", "starts_at_local")
    if starts_at_local.tzinfo is not None:
        raise InvalidInput(
            "the start is a local date and time in the schedule's zone, without an offset",
            field="starts_at_local",
        )
    rule = parse(text, starts_at_local, tz)
    previous: datetime | None = None
    for index, local in enumerate(_bounded(rule, starts_at_local)):
        if index >= GAP_CHECKED:
            break
        if previous is not None and local - previous < MIN_GAP:
            raise InvalidInput(
                "occurrences come less than an hour apart: a schedule runs at most hourly",
                field="rule",
            )
        previous = local
    if previous is None or rule._count == 0:
        raise InvalidInput(
            "the rule has no occurrence (check BYMONTHDAY, BYMONTH, COUNT and UNTIL)",
            field="rule",
        )
    return rule


def localise(local: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant of the naive local time `local` in `tz` (see the module docstring: a
    time in the spring-forward gap moves to the jump; an ambiguous one is the first)."""
    aware = local.replace(tzinfo=tz, fold=0)
    instant = aware.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == local:
        return instant  # exists (the first of two when ambiguous: fold=0)
    # In the gap: the first valid instant is the jump itself, between the two readings.
    after = local.replace(tzinfo=tz, fold=1).astimezone(UTC)
    lo, hi = min(instant, after), max(instant, after)
    before_offset = (lo - timedelta(seconds=1)).astimezone(tz).utcoffset()
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).utcoffset() == before_offset:
            lo = mid
        else:
            hi = mid
    return hi.replace(microsecond=0)


def _local_instants(rule: rrule, tz: ZoneInfo, start_local: datetime) -> Iterator[Occurrence]:
    """The rule's occurrences from `start_local` (naive, inclusive) on, in time order and each
    instant once."""
    last: datetime | None = None
    for local in rule.xafter(start_local, inc=True):
        instant = localise(local, tz)
        if last is not None and instant <= last:
            continue  # two local times on one instant (the spring gap)
        last = instant
        yield Occurrence(utc=instant, local=instant.astimezone(tz))


def between(
    rule: rrule, tz: ZoneInfo, after: datetime, until: datetime, *, limit: int = 10_000
) -> list[Occurrence]:
    """The occurrences in (after, until], aware instants, oldest first, at most `limit` (the
    latest `limit` of them when there are more)."""
    start_local = after.astimezone(tz).replace(tzinfo=None) - MARGIN
    end_local = until.astimezone(tz).replace(tzinfo=None) + MARGIN
    found: list[Occurrence] = []
    for occurrence in _local_instants(rule, tz, start_local):
        if occurrence.local.replace(tzinfo=None) > end_local:
            break
        if after < occurrence.utc <= until:
            found.append(occurrence)
            if len(found) > limit:
                del found[0]
    return found


def window(
    rule: rrule, tz: ZoneInfo, after: datetime, until: datetime, *, limit: int = 10_000
) -> tuple[list[Occurrence], datetime | None]:
    """`between(rule, tz, after, until)` and the first occurrence after `until` (None when the
    rule ends before), in one walk over the rule (the worker's hot path)."""
    start_local = after.astimezone(tz).replace(tzinfo=None) - MARGIN
    found: list[Occurrence] = []
    for occurrence in _local_instants(rule, tz, start_local):
        if occurrence.utc > until:
            return found, occurrence.utc
        if occurrence.utc > after:
            found.append(occurrence)
            if len(found) > limit:
                del found[0]
    return found, None


def upcoming(rule: rrule, tz: ZoneInfo, after: datetime, count: int) -> list[Occurrence]:
    """The first `count` occurrences strictly after the instant `after`."""
    start_local = after.astimezone(tz).replace(tzinfo=None) - MARGIN
    found: list[Occurrence] = []
    for occurrence in _local_instants(rule, tz, start_local):
        if occurrence.utc > after:
            found.append(occurrence)
            if len(found) >= count:
                break
    return found


def next_after(rule: rrule, tz: ZoneInfo, after: datetime) -> datetime | None:
    """The first occurrence strictly after `after` (UTC), or None when the rule has ended."""
    found = upcoming(rule, tz, after, 1)
    return found[0].utc if found else None


def describe(text: str) -> str:
    """A short reading of common rules for lists ("Monthly, 2nd Tuesday"); the rule otherwise."""
    parts = dict(p.partition("=")[::2] for p in text.upper().split(";") if "=" in p)
    freq = parts.get("FREQ", "")
    interval = int(parts.get("INTERVAL", "1") or 1) if parts.get("INTERVAL", "1").isdigit() else 1
    names = {"HOURLY": "hour", "DAILY": "day", "WEEKLY": "week", "MONTHLY": "month"}
    names["YEARLY"] = "year"
    if freq not in names:
        return text
    if freq == "MONTHLY" and interval == 3:
        head = "Quarterly"
    elif interval == 1:
        head = {"HOURLY": "Hourly", "DAILY": "Daily", "WEEKLY": "Weekly"}.get(freq, "")
        head = head or {"MONTHLY": "Monthly", "YEARLY": "Yearly"}[freq]
    else:
        head = f"Every {interval} {names[freq]}s"
    byday = parts.get("BYDAY", "")
    if byday:
        head += f", {_days(byday)}"
    if "BYMONTHDAY" in parts:
        head += f", day {parts['BYMONTHDAY']}"
    if "BYHOUR" in parts:
        hour, minute = parts["BYHOUR"].split(",")[0], parts.get("BYMINUTE", "0").split(",")[0]
        head += f" at {hour.zfill(2)}:{minute.zfill(2)}"
    return head


DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday"}
DAYS |= {"SA": "Saturday", "SU": "Sunday"}
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "last"}


def _days(byday: str) -> str:
    out = []
    for item in byday.split(","):
        day, number = item[-2:], item[:-2]
        name = DAYS.get(day, day)
        try:
            n = int(number) if number else 0
        except ValueError:
            n = 0
        out.append(f"{ORDINALS.get(n, str(n))} {name}" if n else name)
    return ", ".join(out)
