"""The staffing calculator: from the ticket history of a date range, how many agents a team's
desk needs in each hour of the week, the shifts that cover it, and the difference to the roster.

1. **Arrivals per hour of the week.** Tickets created in the range (the team's, on the chosen
   channels, among those the user may see), counted per local weekday and hour in the team's
   time zone (its roster's; UTC without one) and divided by the number of times that weekday
   occurs in the range: the average arrivals of an hour on a Monday at 09:00.
2. **Average handling time per channel.** Phone and walk-up: the call time agents logged on
   those tickets (the `minutes` of each "Call logged" event; a walk-up is logged as a call),
   total minutes over the tickets that have any, so follow-up calls count as work on the same
   arrival. A channel with no logged calls, and every other channel (email, web, alert, API,
   where no handling time is recorded), uses the documented estimate of `DEFAULT_AHT_SECONDS`,
   which a request may override per channel. Each hour's handling time is the average of its
   channels weighted by their arrivals.
3. **Erlang C per hour** (`deskside.staffing.erlang`): the agents each hour needs for the
   service level (e.g. 80 % within 20 s) at no more than the maximum occupancy, and after
   shrinkage (default 25 %: "for every three people you think you need, add another one").
4. **The shifts that cover it**: greedy cover of the hourly head counts after shrinkage with
   the team's roster shift definitions (or three standard 8-hour shifts, 07-15, 15-23, 23-07,
   when the team has no roster): repeatedly add people to the shift instance that covers the
   most hours still short. A shift covers an hour of the week when it works at least half of
   it. Hours no shift covers are reported as uncovered.
5. **The difference to the roster**: the roster's shift instances of the coming seven days
   (`deskside.rosters.working.slots`, rota + cover - leave), per shift and per hour of the
   week: staffed minus needed.

The hour-of-week model is a typical week: a DST change day adds or drops one local hour of
arrivals, which this averages over the weeks of the range.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from deskside.accounts.models import Team, User
from deskside.core import clock
from deskside.core.timezones import zone as zone_named
from deskside.rosters import working
from deskside.rosters.models import Roster
from deskside.staffing import queries
from deskside.staffing.erlang import MAX_TRAFFIC, Queue, agents_needed
from deskside.staffing.exceptions import InvalidInput
from deskside.tickets.models import Channel

HOURS = 24 * 7
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MAX_RANGE_DAYS = 3 * 366
# Dates a range may use: wide, and far from date.min/max (a zone offset must not overflow).
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)

# The handling estimates of channels without logged time (seconds per ticket of first-line
# work: read, triage, answer). Documented in docs/desk.md; a request overrides them.
DEFAULT_AHT_SECONDS: dict[str, float] = {
    Channel.PHONE: 360.0,  # used only when no call time was logged in the range
    Channel.WALK_UP: 480.0,
    Channel.EMAIL: 480.0,
    Channel.WEB: 420.0,
    Channel.ALERT: 300.0,
    Channel.API: 420.0,
}
# Three 8-hour shifts around the clock: the "three-way shift pattern".
STANDARD_SHIFTS: tuple[tuple[str, str, str, str], ...] = (
    ("E", "Early", "07:00", "15:00"),
    ("L", "Late", "15:00", "23:00"),
    ("N", "Night", "23:00", "07:00"),
)


@dataclass(frozen=True)
class Request:
    """What to calculate: `start` and `end` are local dates, both included."""

    team: Team | None
    start: date
    end: date
    channels: tuple[str, ...] = tuple(Channel.values)
    target_seconds: float = 20.0
    service_level: float = 0.8
    max_occupancy: float = 0.85
    shrinkage: float = 0.25
    aht_seconds: dict[str, float] = field(default_factory=dict)  # overrides per channel


@dataclass(frozen=True)
class ChannelLoad:
    channel: str
    label: str
    tickets: int
    aht_seconds: float
    aht_source: str  # "logged calls" | "estimate" | "given"


@dataclass
class HourNeed:
    weekday: int
    hour: int
    arrivals: float  # average tickets arriving in this hour of the week
    aht_seconds: float
    traffic: float
    agents: int
    agents_rostered: int
    service_level: float
    asa_seconds: float | None
    occupancy: float
    covered: int = 0  # people the suggested shifts put on this hour
    staffed: int | None = None  # people the roster has on it in the coming week
    difference: int | None = None  # staffed - agents_rostered

    @property
    def label(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.hour:02d}:00"


@dataclass(frozen=True)
class ShiftCover:
    """People to put on one shift on one weekday."""

    code: str
    name: str
    weekday: int
    start: str
    end: str
    people: int


@dataclass(frozen=True)
class SlotDifference:
    """A roster shift instance of the coming week against the suggested cover."""

    code: str
    name: str
    start: datetime
    end: datetime
    staffed: int
    needed: int
    difference: int


@dataclass
class Result:
    team: Team | None
    zone: str
    start: date
    end: date
    partial: bool  # the user sees only some clients' tickets: the load is theirs only
    request: Request
    channels: list[ChannelLoad]
    hours: list[HourNeed]
    cover: list[ShiftCover]
    uncovered: list[str]
    shift_source: str  # "roster" | "standard"
    has_roster: bool
    roster_from: datetime | None = None
    slots: list[SlotDifference] = field(default_factory=list)

    @property
    def tickets(self) -> int:
        return sum(c.tickets for c in self.channels)

    @property
    def peak(self) -> HourNeed | None:
        """The busiest hour (the first of equals), None when no hour needs anyone."""
        top = max(
            self.hours, key=lambda h: (h.agents_rostered, h.arrivals, -h.weekday * 24 - h.hour)
        )
        return top if top.agents_rostered else None

    @property
    def people_shifts(self) -> int:
        return sum(c.people for c in self.cover)


def team_zone(team: Team | None) -> str:
    """The zone the team's desk keeps: its roster's, else UTC."""
    if team is not None:
        roster = Roster.objects.filter(team=team).only("timezone").first()
        if roster is not None:
            return roster.timezone
    return "UTC"


def weekday_occurrences(start: date, end: date) -> list[int]:
    """How many times each weekday (Monday = 0) occurs in [start, end], both included."""
    days = (end - start).days + 1
    counts = [days // 7] * 7
    for i in range(days % 7):
        counts[(start.weekday() + i) % 7] += 1
    return counts


def check(request: Request) -> None:
    """Raise InvalidInput naming the field of a request that cannot be calculated."""
    for name in ("start", "end"):
        if not FIRST_DAY <= getattr(request, name) <= LAST_DAY:
            raise InvalidInput(f"a date from {FIRST_DAY} to {LAST_DAY}", field=name)
    if request.end < request.start:
        raise InvalidInput("the range ends before it starts", field="end")
    if (request.end - request.start).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput(f"a range of at most {MAX_RANGE_DAYS} days", field="end")
    if not request.channels:
        raise InvalidInput("choose at least one channel", field="channels")
    unknown = sorted(set(request.channels) - set(Channel.values))
    if unknown:
        raise InvalidInput(f"unknown channel {unknown[0]!r}", field="channels")
    if not 0 < request.service_level < 1:
        raise InvalidInput("service level must be between 0 and 1", field="service_level")
    if not 0 < request.max_occupancy <= 1:
        raise InvalidInput("max occupancy must be more than 0, at most 1", field="max_occupancy")
    if not 0 <= request.shrinkage < 1:
        raise InvalidInput("shrinkage must be from 0 to under 1", field="shrinkage")
    if not 0 <= request.target_seconds <= 86_400:
        raise InvalidInput("target seconds must be from 0 to 86400", field="target_seconds")
    for channel, seconds in request.aht_seconds.items():
        if channel not in Channel.values:
            raise InvalidInput(f"unknown channel {channel!r}", field="aht_seconds")
        if not 0 < seconds <= 86_400:
            raise InvalidInput(f"{channel}: from 1 to 86400 seconds", field="aht_seconds")


def calculate(user: User, request: Request) -> Result:
    """The staffing of `request.team` (None: the whole desk) for `user`; raises InvalidInput."""
    check(request)
    zone_name = team_zone(request.team)
    tz = zone_named(zone_name)
    start = datetime.combine(request.start, time(0), tzinfo=tz)
    end = datetime.combine(request.end + timedelta(days=1), time(0), tzinfo=tz)
    channels = list(request.channels)
    counts = queries.arrivals(
        user, team=request.team, start=start, end=end, channels=channels, zone=tz
    )
    calls = queries.logged_call_seconds(
        user, team=request.team, start=start, end=end, channels=channels
    )
    loads = _channel_loads(request, counts, calls)
    aht = {load.channel: load.aht_seconds for load in loads}
    occurrences = weekday_occurrences(request.start, request.end)
    by_hour: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for (channel, weekday, hour), n in counts.items():
        by_hour[(weekday, hour)][channel] = n
    hours = []
    for weekday in range(7):
        for hour in range(24):
            per_channel = by_hour.get((weekday, hour), {})
            total = sum(per_channel.values())
            weeks = occurrences[weekday]
            arrivals = total / weeks if weeks else 0.0
            handling = (
                sum(n * aht[c] for c, n in per_channel.items()) / total if total else _mean_aht(aht)
            )
            queue = Queue(arrivals, 60.0, handling, request.target_seconds)
            if queue.traffic > MAX_TRAFFIC:
                raise InvalidInput(
                    f"{WEEKDAYS[weekday]} {hour:02d}:00 is more than {MAX_TRAFFIC:g} Erlangs",
                    field="aht_seconds",
                )
            outcome = agents_needed(
                queue, request.service_level, request.max_occupancy, request.shrinkage
            )
            hours.append(
                HourNeed(
                    weekday=weekday,
                    hour=hour,
                    arrivals=arrivals,
                    aht_seconds=handling,
                    traffic=outcome.traffic_erlangs,
                    agents=outcome.agents,
                    agents_rostered=outcome.agents_rostered,
                    service_level=outcome.service_level,
                    asa_seconds=outcome.asa_seconds,
                    occupancy=outcome.occupancy,
                )
            )
    roster = Roster.objects.filter(team=request.team).first() if request.team is not None else None
    templates = _templates(roster)
    cover, uncovered = greedy_cover([h.agents_rostered for h in hours], templates)
    for item in cover:
        for index in shift_hours(item.weekday, item.start, item.end):
            hours[index].covered += item.people
    result = Result(
        team=request.team,
        zone=zone_name,
        start=request.start,
        end=request.end,
        partial=queries.is_partial(user),
        request=request,
        channels=loads,
        hours=hours,
        cover=cover,
        uncovered=[hours[i].label for i in uncovered],
        shift_source="roster" if roster is not None and templates else "standard",
        has_roster=roster is not None,
    )
    if roster is not None and request.team is not None:
        _compare_with_roster(result, request.team, tz)
    return result


def _mean_aht(aht: dict[str, float]) -> float:
    return sum(aht.values()) / len(aht) if aht else DEFAULT_AHT_SECONDS[Channel.PHONE]


def _channel_loads(
    request: Request,
    counts: dict[tuple[str, int, int], int],
    calls: dict[str, tuple[int, float]],
) -> list[ChannelLoad]:
    totals: dict[str, int] = defaultdict(int)
    for (channel, _weekday, _hour), n in counts.items():
        totals[channel] += n
    labels = dict(Channel.choices)
    loads = []
    for channel in request.channels:
        if channel in request.aht_seconds:
            seconds, source = float(request.aht_seconds[channel]), "given"
        elif calls.get(channel, (0, 0.0))[0]:
            n, total = calls[channel]
            seconds, source = total / n, "logged calls"
        else:
            seconds, source = DEFAULT_AHT_SECONDS[channel], "estimate"
        loads.append(ChannelLoad(channel, labels[channel], totals[channel], seconds, source))
    return loads


def _templates(roster: Roster | None) -> list[tuple[str, str, str, str, tuple[int, ...]]]:
    """(code, name, start, end, weekdays) of the shifts to cover with."""
    if roster is not None:
        definitions = list(roster.shift_definitions.all())
        if definitions:
            return [
                (d.code, d.name, d.start, d.end, tuple(d.days or range(7))) for d in definitions
            ]
    return [(code, name, s, e, tuple(range(7))) for code, name, s, e in STANDARD_SHIFTS]


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def shift_hours(weekday: int, start: str, end: str) -> list[int]:
    """Hours of the week (Monday 00:00 = 0, mod 168) a shift starting on `weekday` covers: the
    hours it works at least 30 minutes of. An end at or before the start is the next day."""
    begin = weekday * 24 * 60 + _minutes(start)
    length = (_minutes(end) - _minutes(start)) % (24 * 60) or 24 * 60
    finish = begin + length
    covered = []
    for hour in range(begin // 60, math.ceil(finish / 60)):
        worked = min(finish, (hour + 1) * 60) - max(begin, hour * 60)
        if worked >= 30:
            covered.append(hour % HOURS)
    return covered


def greedy_cover(
    need: list[int], templates: list[tuple[str, str, str, str, tuple[int, ...]]]
) -> tuple[list[ShiftCover], list[int]]:
    """People per shift instance so that every hour of the week has at least `need[h]`.

    Greedy set cover with multiplicity: take the shift instance covering the most hours still
    short (ties: the earlier instance), add as many people as the smallest shortfall among
    those hours (adding them one at a time would pick the same instance each time), repeat.
    Returns the cover (instances with people, in week order) and the hours no shift covers."""
    deficit = list(need)
    candidates = [
        (code, name, start, end, weekday, shift_hours(weekday, start, end))
        for code, name, start, end, weekdays in templates
        for weekday in weekdays
    ]
    people: dict[int, int] = defaultdict(int)
    while True:
        best, best_score = -1, 0
        for index, candidate in enumerate(candidates):
            score = sum(1 for h in candidate[5] if deficit[h] > 0)
            if score > best_score:
                best, best_score = index, score
        if best < 0:
            break
        covered = candidates[best][5]
        step = min(deficit[h] for h in covered if deficit[h] > 0)
        people[best] += step
        for h in covered:
            deficit[h] -= step
    cover = [
        ShiftCover(code, name, weekday, start, end, people[index])
        for index, (code, name, start, end, weekday, _hours) in enumerate(candidates)
        if people.get(index)
    ]
    cover.sort(key=lambda c: (c.weekday, _minutes(c.start), c.code))
    uncovered = [h for h in range(HOURS) if deficit[h] > 0]
    return cover, uncovered


def _compare_with_roster(result: Result, team: Team, tz: ZoneInfo) -> None:
    """Fill `staffed`/`difference` per hour and the per-shift differences from the roster's
    next seven days, starting at today's local midnight."""
    today = clock.now().astimezone(tz).date()
    start = datetime.combine(today, time(0), tzinfo=tz)
    end = datetime.combine(today + timedelta(days=7), time(0), tzinfo=tz)
    result.roster_from = start
    slots = working.slots(team, start, end)
    for offset in range(HOURS):
        day = today + timedelta(days=offset // 24)
        # The middle of the hour, so a shift that starts or ends on the hour is counted once.
        middle = datetime.combine(day, time(offset % 24, 30), tzinfo=tz)
        people = {u for slot in slots if slot.start <= middle < slot.end for u in slot.user_ids}
        need = result.hours[day.weekday() * 24 + offset % 24]
        need.staffed = len(people)
        need.difference = need.staffed - need.agents_rostered
    wanted = {(c.code, c.weekday): c.people for c in result.cover}
    for slot in slots:
        local_start = slot.start.astimezone(tz)
        if not start <= local_start < end:
            continue
        needed = wanted.get((slot.code, local_start.weekday()), 0)
        result.slots.append(
            SlotDifference(
                code=slot.code,
                name=slot.name,
                start=slot.start,
                end=slot.end,
                staffed=len(slot.user_ids),
                needed=needed,
                difference=len(slot.user_ids) - needed,
            )
        )
