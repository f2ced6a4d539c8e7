"""The daily review's operations: marking a ticket reviewed and changing the review's one
setting. Keyword-only arguments with the acting user first, one transaction each.

Decision (docs/reports.md): a mark without a note writes nothing on the ticket's
timeline (looking at a ticket is not a change of it, and would otherwise count as its "update"
and hide it from tomorrow's "no update in 24 hours"); a mark with a note writes the note as an
internal note through `tickets.services.add_note`, so the next shift reads it on the ticket.
"""

from django.db import IntegrityError, transaction

from deskside.accounts.models import User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.accounts.queries import serves
from deskside.core import audit, clock
from deskside.review.exceptions import AlreadyReviewed, InvalidInput, NotAllowed, NotFound
from deskside.review.models import MAX_NOTE, ReviewMark, ReviewSettings
from deskside.review.queries import viewer_day
from deskside.tickets import services as tickets
from deskside.tickets.models import Ticket

MAX_OPEN_DAYS = 365
NOTE_PREFIX = "Daily review: "


def _already(mark: ReviewMark) -> AlreadyReviewed:
    when = mark.at.astimezone(clock.now().tzinfo).strftime("%H:%M UTC")
    return AlreadyReviewed(
        f"{mark.ticket.number} was already reviewed today by {mark.reviewer} ({when})",
        field="ticket",
    )


@transaction.atomic
def mark_reviewed(*, actor: User, ticket: Ticket, note: str = "") -> ReviewMark:
    """Mark `ticket` reviewed by `actor` for the actor's today (their time zone), with an
    optional `note` (at most MAX_NOTE characters) that is also written as an internal note on
    the ticket's timeline.

    Raises NotAllowed (not an agent), NotFound (a ticket of a client the agent does not serve),
    InvalidInput (a note too long or with NUL characters), AlreadyReviewed (someone marked it
    today: one mark per ticket and day)."""
    if not is_agent(actor):
        raise NotAllowed("only agents review tickets")
    if not serves(actor, ticket.organization_id):
        raise NotFound(f"no ticket {ticket.number}", field="ticket")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"the note is at most {MAX_NOTE} characters", field="note")
    if "\x00" in note:
        raise InvalidInput("the note must not contain NUL characters", field="note")
    day = viewer_day(actor)
    existing = ReviewMark.objects.filter(ticket=ticket, day=day).select_related("reviewer").first()
    if existing is not None:
        existing.ticket = ticket
        raise _already(existing)
    event = None
    if note:
        event = tickets.add_note(actor=actor, ticket=ticket, body=NOTE_PREFIX + note)
    try:
        with transaction.atomic():  # a racing reviewer's mark: a clear 409, not a 500
            return ReviewMark.objects.create(
                ticket=ticket, reviewer=actor, day=day, note=note, at=clock.now(), event=event
            )
    except IntegrityError:
        winner = ReviewMark.objects.select_related("reviewer").get(ticket=ticket, day=day)
        winner.ticket = ticket
        raise _already(winner) from None


@transaction.atomic
def set_open_days(*, actor: User, days: int) -> ReviewSettings:
    """Set after how many days an open ticket is listed as "open long" (1..365). Admins only;
    writes an audit entry with the old and new value. Raises NotAllowed, InvalidInput."""
    if not is_admin(actor):
        raise NotAllowed("only administrators change the review's set-up")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_OPEN_DAYS:
        raise InvalidInput(
            f"open_days must be a whole number from 1 to {MAX_OPEN_DAYS}", field="open_days"
        )
    row = ReviewSettings.objects.select_for_update().filter(pk=1).first()
    if row is None:
        row = ReviewSettings.objects.create(pk=1)
    before = audit.snapshot(row, ["open_days"])
    row.open_days = days
    row.updated_at = clock.now()
    row.save(update_fields=["open_days", "updated_at"])
    audit.record_update(
        actor,
        "review_settings",
        "1",
        label="Daily review",
        before=before,
        after=audit.snapshot(row, ["open_days"]),
    )
    return row
