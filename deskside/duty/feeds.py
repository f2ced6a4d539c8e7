"""iCalendar feeds of on-call shifts (RFC 5545, built with the `icalendar` package), for
Google Calendar, Outlook and Apple Calendar to subscribe to.

- A schedule's feed: every final shift of the schedule, one event per shift, SUMMARY
  "<person> on call" (the name is what a subscriber looks for in a schedule's calendar).
- A person's feed: that person's shifts across every schedule, SUMMARY "On call: <schedule>".

Both show the shifts running 30 days back to 90 days ahead of now (see `window`). Times are
UTC (DTSTART/DTEND with Z), so no VTIMEZONE is needed and every client shows them in its own
zone. Every event is one layer turn (or the part of it left after overrides, swaps and
restriction windows), one override or one swapped turn: pieces of different turns are never
merged, so a one-member layer gives one event a week, not one event for the whole window.
DTSTART is always a real hand-off or boundary, never the feed's cut-off: shifts are computed
from far enough back (`fetch_from`: the longest turn of the schedule's layers and the start
of any override still running at the cut-off) that every shown shift starts inside the
computed period. The UID names what the event is (layer and turn number, override or swap)
and its start, so it stays the same between fetches (a client updates the event instead of
duplicating it); its end may move (an override cut it short) and the client follows.
REFRESH-INTERVAL and X-PUBLISHED-TTL ask for a refresh every hour (Google decides for itself,
Outlook honours it).
"""

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vDuration

from deskside.accounts.models import User
from deskside.core import clock
from deskside.duty import oncall
from deskside.duty.models import Layer, Schedule
from deskside.duty.oncall import MICRO, Shift
from deskside.duty.queries import schedules_of, users_by_id

BACK = timedelta(days=30)
AHEAD = timedelta(days=90)
REFRESH = timedelta(hours=1)
PRODID = "-//Deskside//On-call schedules//EN"
SOURCE_LABEL = {"layer": "rotation", "override": "override", "swap": "swap"}


def window(now: datetime | None = None) -> tuple[datetime, datetime]:
    """(show from, until): shifts still running 30 days ago, up to the midnight (UTC) after
    90 days ahead (so the last event ends at a midnight, not at the second of the fetch)."""
    now = (now or clock.now()).astimezone(UTC)
    show_from = now - BACK
    until = (now + AHEAD).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return show_from, until


def longest_turn(layer: Layer) -> timedelta:
    """An upper bound of one turn of `layer` (a day or week turn across a DST change lasts
    an hour more, and Lord Howe's is half an hour)."""
    if layer.shift_unit == Layer.Unit.HOURS:
        return timedelta(hours=layer.shift_length)
    days = layer.shift_length * (7 if layer.shift_unit == Layer.Unit.WEEKS else 1)
    return timedelta(days=days, hours=1)


def fetch_from(schedule: Schedule, show_from: datetime) -> datetime:
    """Where to start computing so that every shift running at `show_from` has its real start
    inside the computed period: back by the schedule's longest turn, and further to the start
    of an override still running at `show_from`."""
    back = max((longest_turn(layer) for layer in schedule.layers.all()), default=timedelta(0))
    start = show_from - back
    earliest = (
        schedule.overrides.filter(starts_at__lt=show_from, ends_at__gt=show_from)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    if earliest is not None:
        start = min(start, earliest)
    return start - MICRO


def _feed_shifts(schedule: Schedule, show_from: datetime, until: datetime) -> list[Shift]:
    found = oncall.shifts(schedule, fetch_from(schedule, show_from), until, by_turn=True)
    return [s for s in found if s.end > show_from]


def _calendar(name: str, description: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-caldesc", description)
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    return cal


def shift_uid(schedule: Schedule, user: User, shift: Shift) -> str:
    """What the event is (layer + turn number, override, swap + the turn it swaps) and its
    start (a turn split by restriction windows or another source has several pieces)."""
    if shift.source == "override":
        what = f"o{shift.override_id}"
    elif shift.source == "swap":
        what = f"s{shift.swap_id}-l{shift.layer_id}t{shift.turn}"
    else:
        what = f"l{shift.layer_id}t{shift.turn}"
    start = shift.start.astimezone(UTC)
    return f"{schedule.public_id}-{user.public_id}-{what}-{start:%Y%m%dT%H%M%SZ}@deskside"


def _event(schedule: Schedule, user: User, shift: Shift, summary: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", shift_uid(schedule, user, shift))
    event.add("dtstamp", stamp)
    event.add("dtstart", shift.start)
    event.add("dtend", shift.end)
    event.add("summary", summary)
    event.add(
        "description",
        f"{user} is on call on {schedule.name} ({SOURCE_LABEL.get(shift.source, shift.source)}).",
    )
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["On call"])
    return event


def schedule_feed(schedule: Schedule, now: datetime | None = None) -> bytes:
    show_from, end = window(now)
    stamp = clock.now()
    found = _feed_shifts(schedule, show_from, end)
    users = users_by_id(s.user_id for s in found)
    cal = _calendar(f"On call: {schedule.name}", f"Who is on call on {schedule.name}.")
    for shift in found:
        user = users.get(shift.user_id)
        if user is not None:
            cal.add_component(_event(schedule, user, shift, f"{user} on call", stamp))
    return cal.to_ical()


def person_feed(user: User, now: datetime | None = None) -> bytes:
    show_from, end = window(now)
    stamp = clock.now()
    pairs: list[tuple[Schedule, Shift]] = [
        (schedule, shift)
        for schedule in schedules_of(user)
        for shift in _feed_shifts(schedule, show_from, end)
        if shift.user_id == user.pk
    ]
    pairs.sort(key=lambda pair: (pair[1].start, pair[0].name))
    cal = _calendar(f"{user} on call", f"The on-call shifts of {user}.")
    for schedule, shift in pairs:
        cal.add_component(_event(schedule, user, shift, f"On call: {schedule.name}", stamp))
    return cal.to_ical()
