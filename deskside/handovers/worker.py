"""The handovers' share of `deskside worker` (a lane of its own): open the handover of every
hand-off the rosters report (`deskside.rosters.working.handoffs`) since LOOKBACK ago
(idempotent: one per team and hand-off), then claim the reminders due and send the queued
notices (`deskside.handovers.delivery`). A failure is logged; the pass runs again next round.
"""

import logging
from datetime import datetime, timedelta

from deskside.accounts.models import Team
from deskside.core import clock
from deskside.handovers import delivery, services
from deskside.rosters import working

log = logging.getLogger(__name__)
# How far back a pass looks for hand-offs: a worker stopped for less than this catches up.
LOOKBACK = timedelta(hours=12)


def open_due(now: datetime | None = None) -> int:
    """Open the handover of each hand-off in (now - LOOKBACK, now]; returns how many new."""
    now = now or clock.now()
    created = 0
    for team in Team.objects.order_by("pk"):
        for handoff in working.handoffs(team, now - LOOKBACK, now):
            shift = services.Shift(
                team=team,
                at=handoff.at,
                shift_start=handoff.shift_start,
                ending=handoff.ending,
                starting=handoff.starting,
                outgoing=tuple(handoff.outgoing),
                incoming=tuple(handoff.incoming),
            )
            _handover, new = services.open_handover(actor=None, shift=shift)
            created += int(new)
    return created


def handovers_pass() -> None:
    now = clock.now()
    for name, step in (
        ("opening handovers", lambda: open_due(now)),
        ("reminders", lambda: delivery.remind_due(now)),
        ("notices", lambda: delivery.send_due(now)),
    ):
        try:
            step()
        except Exception:
            log.exception("handovers pass: %s failed", name)
