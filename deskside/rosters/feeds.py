"""A person's iCalendar feed of their desk shifts (RFC 5545, with the `icalendar` package, as
the on-call feeds in `deskside.duty.feeds`), for Google Calendar, Outlook and Apple Calendar.

The address's secret is the person's on-call feed token (`duty.PersonFeed`): one secret per
person for their calendars, made and renewed on the on-call page or on /rosters/me/;
renewing it ends both feeds' old addresses. Events are the person's roster shifts
(`working.shifts_of_user`: rota and cover, leave taken out) from 30 days back to 90 days ahead
(`duty.feeds.window`), in UTC (no VTIMEZONE needed). The UID names the team, the shift code,
the person and the start, so it stays the same between fetches.
"""

from datetime import UTC, datetime

from icalendar import Calendar, Event, vDuration

from deskside.accounts.models import Team, User
from deskside.core import clock
from deskside.duty.feeds import REFRESH, window
from deskside.rosters import working

PRODID = "-//Deskside//Desk rosters//EN"
SOURCE_LABEL = {"rota": "rota", "cover": "cover", "duty": "support duty"}


def shift_uid(user: User, shift: working.RosterShift) -> str:
    start = shift.start.astimezone(UTC)
    return f"roster-t{shift.team_id}-{shift.code}-{user.public_id}-{start:%Y%m%dT%H%M%SZ}@deskside"


def person_feed(user: User, now: datetime | None = None) -> bytes:
    show_from, until = window(now)
    stamp = clock.now()
    found = sorted(working.shifts_of_user(user, show_from, until), key=lambda s: s.start)
    teams = Team.objects.in_bulk({s.team_id for s in found})
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{user}: desk shifts")
    cal.add("x-wr-caldesc", f"The desk shifts of {user}.")
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    for shift in found:
        team = teams.get(shift.team_id)
        team_name = team.name if team else "desk"
        event = Event()
        event.add("uid", shift_uid(user, shift))
        event.add("dtstamp", stamp)
        event.add("dtstart", shift.start)
        event.add("dtend", shift.end)
        event.add("summary", f"{shift.name} shift: {team_name}")
        event.add(
            "description",
            f"{user} works the {team_name} desk ({shift.name}, "
            f"{SOURCE_LABEL.get(shift.source, shift.source)}).",
        )
        event.add("categories", ["Desk shift"])
        cal.add_component(event)
    return cal.to_ical()
