"""The review's share of the demo (called once the directory and the tickets exist): three
tickets marked reviewed yesterday, two by the first L1 agent (one with a note, written on the
ticket's timeline as an internal note) and one by the second, so the review's history has a
day to show. `seed_demo(l1=people.l1)`; idempotent (a second call changes nothing).

Works at any clock time: "yesterday" is the reviewer's yesterday (their time zone), 10:00
local, and only tickets not updated since then are marked, so no ticket's last update moves
backwards when the note is written.
"""

from datetime import datetime, time, timedelta

from deskside.accounts.models import User
from deskside.core import clock
from deskside.core.timezones import zone
from deskside.review import services
from deskside.review.models import ReviewMark
from deskside.tickets.models import OPEN_STATUSES, Ticket

NOTES = ["Chased the vendor; they promise a part by Friday.", "", ""]


def seed_demo(*, l1: list[User]) -> list[ReviewMark]:
    """Mark up to three open tickets reviewed yesterday (none when marks exist already)."""
    if ReviewMark.objects.exists() or not l1:
        return list(ReviewMark.objects.all())
    reviewers = [l1[0], l1[0], l1[1] if len(l1) > 1 else l1[0]]
    tz = zone(reviewers[0].timezone)
    yesterday = clock.now().astimezone(tz).date() - timedelta(days=1)
    at = datetime.combine(yesterday, time(10), tzinfo=tz)
    tickets = list(
        Ticket.objects.filter(status__in=OPEN_STATUSES, updated_at__lt=at).order_by("id")[:3]
    )
    made = []
    with clock.frozen(at):
        for ticket, reviewer, note in zip(tickets, reviewers, NOTES, strict=False):
            made.append(services.mark_reviewed(actor=reviewer, ticket=ticket, note=note))
    return made
