"""The handovers' share of the demo (called by deskside/demo.py once the directory, the
tickets and the rosters exist): pre- and post-flight checklists for every demo team, and a
help desk handover signed off by the outgoing agent and waiting for the incoming shift's
acknowledgement (its reminders are then due as the demo's clock runs).

`seed_demo(teams=people.teams, l1=people.l1)`; idempotent (a second call changes nothing).
The hand-off is the help desk roster's latest (`deskside.rosters.working.handoffs`), or, when
the demo has no roster for it, the last 8-hour boundary (06:00, 14:00, 22:00 UTC).
"""

from datetime import datetime, timedelta

from deskside.accounts.models import Team, User
from deskside.core import clock
from deskside.handovers import services
from deskside.handovers.models import ChecklistItem, Handover
from deskside.rosters import working
from deskside.tickets.models import OPEN_STATUSES, Ticket

CHECKLIST = [
    ("pre", "Read the previous handover and its feedback", True),
    ("pre", "Check the paging panel and firing alerts", True),
    ("pre", "Phone and chat status set to available", False),
    ("post", "No unassigned P1 or P2 left in the queue", True),
    ("post", "Notes written on every ticket waiting on a vendor", True),
    ("post", "Shared mailbox triaged", False),
]


def _checklists(teams: dict[str, Team]) -> None:
    for team in teams.values():
        if ChecklistItem.objects.filter(team=team).exists():
            continue
        for position, (phase, text, required) in enumerate(CHECKLIST):
            ChecklistItem.objects.create(
                team=team, phase=phase, text=text, required=required, position=position
            )


def _last_boundary(now: datetime) -> datetime:
    hour = max(h for h in (-2, 6, 14, 22) if h <= now.hour)
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=hour - now.hour)


def _shift(team: Team, l1: list[User], now: datetime) -> services.Shift:
    found = working.handoffs(team, now - timedelta(hours=12), now)
    if found:
        last = found[-1]
        return services.Shift(
            team,
            last.at,
            last.shift_start,
            last.ending,
            last.starting,
            last.outgoing,
            last.incoming,
        )
    at = _last_boundary(now)
    names = {6: ("Night", "Early"), 14: ("Early", "Late"), 22: ("Late", "Night")}
    ending, starting = names.get(at.hour, ("Night", "Early"))
    return services.Shift(
        team, at, at - timedelta(hours=8), ending, starting, (l1[1].pk,), (l1[2].pk,)
    )


def seed_demo(*, teams: dict[str, Team], l1: list[User], now: datetime | None = None) -> Handover:
    """Checklists for `teams` and the help desk handover waiting for acknowledgement."""
    now = now or clock.now()
    _checklists(teams)
    desk = teams["help-desk-l1"]
    handover, _created = services.open_handover(actor=None, shift=_shift(desk, l1, now))
    if handover.status != Handover.Status.OPEN:
        return handover
    outgoing = handover.outgoing.first() or l1[1]
    actor = desk.lead or outgoing  # the lead may write on any of the team's handovers
    tickets = list(
        Ticket.objects.filter(team=desk, status__in=OPEN_STATUSES).order_by("priority", "-id")[:2]
    )
    numbers = " and ".join(t.number for t in tickets) or "the open tickets"
    services.set_notes(
        actor=actor,
        handover=handover,
        notes=f"Busy morning with printer faults; {numbers} still need a call back. "
        "Backup job on the file server failed once at 03:10, reran fine.",
    )
    for ticket in tickets:
        services.add_ticket_note(
            actor=actor,
            handover=handover,
            number=ticket.number,
            body="Customer asked for a call after 15:00 their time.",
        )
    for item in ChecklistItem.objects.filter(team=desk, is_active=True):
        services.check_item(
            actor=actor, handover=handover, item_public_id=item.public_id, done=True
        )
    return services.sign_off(actor=actor, handover=handover)
