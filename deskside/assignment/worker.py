"""The assignment's share of `deskside worker`: at each shift hand-off of a team, its NEW
tickets still assigned to someone who went off shift, and not acknowledged by them (no event
of theirs since the assignment), move to the incoming shift by the team's rule.

Hand-offs come from `rosters.working.handoffs(team, since, now)` (shift ends, support-duty
hand-overs). Each team has a `HandoffMark`: the time up to which its hand-offs are done. A
pass claims the team's next hand-off with one conditional UPDATE of the mark (from the value
it read to the hand-off's time) and moves the tickets in the same transaction: one worker
wins each hand-off, and a worker killed mid-way rolls back its claim with its moves, so the
next pass does the hand-off again, whole. Never twice, never lost.

The first time the worker sees a team it looks back LOOKBACK (a restarted worker catches
up on the hand-offs it slept through; older ones are history).
"""

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction

from deskside.accounts.models import Team
from deskside.assignment.models import HandoffMark
from deskside.assignment.services import move_unacknowledged, unacknowledged
from deskside.core import clock
from deskside.rosters import working
from deskside.rosters.working import Handoff
from deskside.tickets.models import Status, Ticket

log = logging.getLogger(__name__)
LOOKBACK = timedelta(hours=12)


def assignment_pass(now: datetime | None = None) -> int:
    """Handle every team's hand-offs up to `now`; returns how many tickets moved."""
    now = now or clock.now()
    moved = 0
    for team in Team.objects.order_by("pk"):
        try:
            moved += team_pass(team, now)
        except Exception:
            log.exception("shift-end reassignment of %s failed", team)
    if moved:
        log.info("shift end: %d unacknowledged tickets moved to the incoming shift", moved)
    return moved


def team_pass(team: Team, now: datetime) -> int:
    """Handle `team`'s hand-offs after its mark, up to `now`, oldest first."""
    mark = HandoffMark.objects.filter(team=team).first()
    if mark is None:
        mark, _ = HandoffMark.objects.get_or_create(
            team=team, defaults={"done_until": now - LOOKBACK}
        )
    since = mark.done_until
    if since >= now:
        return 0
    by_time: dict[datetime, list[Handoff]] = defaultdict(list)
    for handoff in working.handoffs(team, since, now):
        if since < handoff.at <= now:
            by_time[handoff.at].append(handoff)
    moved = 0
    for at in sorted(by_time):
        with transaction.atomic():
            claimed = HandoffMark.objects.filter(team=team, done_until=since).update(done_until=at)
            if not claimed:  # another worker took it: it goes on from there
                return moved
            moved += _move(team, at, by_time[at])
        since = at
    # Nothing more up to `now`: start the next pass there (a team with no roster would
    # otherwise ask about an ever longer period).
    HandoffMark.objects.filter(team=team, done_until=since).update(done_until=now)
    return moved


def _move(team: Team, at: datetime, handoffs: list[Handoff]) -> int:
    outgoing = {u for h in handoffs for u in h.outgoing}
    incoming = {u for h in handoffs for u in h.incoming}
    going = frozenset(outgoing - incoming)
    if not going:
        return 0
    label = ", ".join(sorted({f"{h.ending} → {h.starting}" for h in handoffs}))
    ids = Ticket.objects.filter(team=team, status=Status.NEW, assignee_id__in=going).values_list(
        "pk", flat=True
    )
    moved = 0
    for pk in unacknowledged(ids):
        ticket = Ticket.objects.get(pk=pk)
        decision = move_unacknowledged(
            ticket=ticket, going=going, incoming=frozenset(incoming), at=at, handoff=label
        )
        moved += bool(decision and decision.assigned)
    return moved
