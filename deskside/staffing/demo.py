"""The staffing calculator's demo data: a week of phone calls to the Help Desk with their
logged durations, busiest mid-morning on weekdays, so /staffing/ shows a real weekly shape
(the demo's general history is too thin for that). Called by `deskside.demo.load` with the
demo's help desk team, its L1 agents and client contacts; each call goes through the ticket
services at a past instant (opened for the team and assigned, the call logged with its
minutes, resolved on the call).

The staffing app stores nothing of its own: the calculator reads the ticket history.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from deskside.accounts.models import Team, User
from deskside.core import clock
from deskside.tickets import services as tickets
from deskside.tickets.models import Channel

# Calls per local hour on a weekday (New York), a typical help-desk curve; weekends a tenth.
# Kept small (about 75 calls a week): each call is four service calls, and the demo loads often.
WEEKDAY_CURVE = {8: 1, 9: 3, 10: 2, 11: 2, 12: 1, 13: 1, 14: 2, 15: 1, 16: 1}
SUBJECTS = (
    "Cannot sign in after password change",
    "Outlook keeps asking for the password",
    "Printer on floor 2 shows offline",
    "VPN disconnects every few minutes",
    "New starter needs a laptop set up",
    "Teams calls have no sound",
)


def seed_demo(
    *,
    team: Team,
    agents: list[User],
    callers: list[User],
    days: int = 7,
    zone: str = "America/New_York",
    seed: int = 15,
) -> int:
    """Log `days` days of phone calls up to yesterday for `team`, answered by `agents` from
    `callers` (client contacts); returns how many. Leaves the clock as it found it."""
    rng = random.Random(seed)
    tz = ZoneInfo(zone)
    today = clock.now().astimezone(tz).date()
    outer = clock.override()
    made = 0
    try:
        for back in range(days, 0, -1):
            day = today - timedelta(days=back)
            weekend = day.weekday() >= 5
            for hour, calls in WEEKDAY_CURVE.items():
                count = (1 if rng.random() < 0.1 * calls else 0) if weekend else calls
                for _ in range(count):
                    at = datetime.combine(day, time(hour, rng.randrange(60)), tzinfo=tz)
                    caller = rng.choice(callers)
                    clock.set_now(at)
                    agent = rng.choice(agents)
                    ticket = tickets.create_ticket(
                        actor=agent,
                        ticket=tickets.NewTicket(
                            subject=rng.choice(SUBJECTS),
                            organization=caller.organization,
                            requester=caller,
                            channel=Channel.PHONE,
                            team=team,
                            assignee=agent,
                        ),
                    ).ticket
                    minutes = rng.choice((3, 4, 5, 6, 8, 10, 12))
                    tickets.log_call(actor=agent, ticket=ticket, minutes=minutes, body="Call")
                    clock.set_now(at + timedelta(minutes=minutes))
                    tickets.resolve_ticket(
                        actor=agent, ticket=ticket, resolution="Fixed on the call."
                    )
                    made += 1
    finally:
        clock.set_now(outer)
    return made
