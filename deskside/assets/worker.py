"""The assets' share of `deskside worker`: the quiet vendor-case reminder (`rma_pass`, a
thread lane every 60 s: a reminder counted in days needs no finer grain).

A case is due when it is open and `remind_at <= now` (an indexed column). Each due case is
claimed with one conditional UPDATE (`remind_at` set to NULL, `reminded_at` to now, only
while it is still open and due): on any database, one worker wins. The claim, the internal
ticket event and the notification rows are one transaction, so:

- one case that fails (its reminder raises) is logged and rolled back alone, in its own
  transaction: it stays due, and the cases after it are reminded all the same;
- a case whose ticket is closed is not reminded: the pass un-arms it (`remind_at` NULL);
- never sent twice: a second worker's UPDATE matches no row and it does nothing;
- never lost: a worker killed before the commit leaves the case due (its claim rolled back),
  and the next pass after a restart reminds it; one that was down for days reminds each
  quiet case once, not once per day missed.

Who is told (decided where the issue is silent): the ticket's assignee; an unassigned ticket's
team members and the agents watching it; always active agents serving the client. The
notification is a row in the notifications app's centre (and its mail outbox for those who
want mail), of its own kind `Kind.VENDOR` ("a vendor case went quiet on my ticket"), shown
in the page by default; each person chooses in their notification settings.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from deskside.accounts.models import User
from deskside.assets.models import VendorCase, VendorCaseStatus
from deskside.core import clock
from deskside.notifications.fanout import Message, audience, write
from deskside.notifications.models import Kind
from deskside.tickets.models import EventKind, Ticket
from deskside.tickets.models import Status as TicketStatus
from deskside.tickets.timeline import write_event

log = logging.getLogger(__name__)
BATCH = 100
NOTIFY_KIND = Kind.VENDOR
INTERVAL_SECONDS = 60.0


@dataclass
class RmaPassResult:
    due: int = 0
    reminded: int = 0
    notified: int = 0
    skipped: int = 0  # the ticket is closed: un-armed, not reminded
    failed: int = 0  # raised: logged, left due for the next pass


def rma_pass(now: datetime | None = None, *, limit: int = BATCH) -> RmaPassResult:
    """Remind the quiet open vendor cases due at `now` (default: the clock), up to `limit`
    per pass. Returns what it did (see the module docstring)."""
    at = now or clock.now()
    result = RmaPassResult()
    due = list(
        VendorCase.objects.filter(status=VendorCaseStatus.OPEN, remind_at__lte=at)
        .order_by("remind_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    result.due = len(due)
    for pk in due:
        try:
            with transaction.atomic():
                _one(pk, at, result)
        except Exception:
            # A bug or the database: logged, the claim rolled back (the case stays due and is
            # tried again next pass); the other cases go on.
            log.exception("vendor case %s: the quiet reminder failed", pk)
            result.failed += 1
    if result.reminded:
        log.info("vendor cases: %d quiet reminded", result.reminded)
    return result


def _one(pk: int, at: datetime, result: RmaPassResult) -> None:
    """Claim and remind one due case (inside the caller's transaction). A case whose ticket
    is closed is un-armed (`remind_at` NULL) without a reminder: nobody works that ticket."""
    due = VendorCase.objects.filter(pk=pk, status=VendorCaseStatus.OPEN, remind_at__lte=at)
    if due.filter(ticket__status=TicketStatus.CLOSED).update(remind_at=None):
        result.skipped += 1
        return
    if not due.update(remind_at=None, reminded_at=at):
        return  # another worker took it, or an entry moved it meanwhile
    case = VendorCase.objects.select_related("ticket", "asset").get(pk=pk)
    result.notified += remind(case, at)
    result.reminded += 1


def quiet_days(case: VendorCase, at: datetime) -> int:
    return max((at - case.last_contact_at).days, 0)


def remind(case: VendorCase, at: datetime) -> int:
    """Write the reminder of a claimed case: an internal VENDOR event {"action": "quiet"} and
    the notifications. Returns how many people were told. Call inside the claim's
    transaction."""
    ticket = case.ticket
    days = quiet_days(case, at)
    title = f"Vendor case {case.case_number} with {case.vendor} quiet for {days} days"
    event = write_event(
        ticket,
        EventKind.VENDOR,
        None,
        public=False,
        body=title,
        data={
            "action": "quiet",
            "case": case.public_id,
            "vendor": case.vendor,
            "case_number": case.case_number,
            "quiet_days": days,
            "asset": case.asset.public_id if case.asset_id else None,
        },
    )
    channels = recipients(ticket)
    text = f"{ticket.number} {ticket.subject}"[:300]
    write(
        channels,
        Message(
            kind=NOTIFY_KIND,
            title=f"{ticket.number}: {title}",
            text=text,
            subject=f"[{ticket.number}] {title}",
            body=f"{title}\n\n{ticket.number} {ticket.subject}\n\nLast contact: "
            f"{case.last_contact_at:%Y-%m-%d %H:%M} UTC",
            created_at=at,
            ticket_id=ticket.pk,
            event_id=event.pk,
        ),
    )
    return len(channels)


def recipients(ticket: Ticket) -> list[tuple[int, str]]:
    """(user id, channel) of who hears of a quiet case on `ticket` (see the module docstring),
    with their preference for NOTIFY_KIND. One query."""
    if ticket.assignee_id:
        who = Q(pk=ticket.assignee_id)
    else:
        watchers = Ticket.watchers.through.objects.filter(ticket_id=ticket.pk).values("user_id")
        who = Q(pk__in=watchers)
        if ticket.team_id:
            members = User.teams.through.objects.filter(team_id=ticket.team_id)
            who |= Q(pk__in=members.values("user_id"))
    return audience(who, NOTIFY_KIND, organization_id=ticket.organization_id)
