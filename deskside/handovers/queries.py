"""Read side of handovers: who sees which, the current handover per team, the searchable
history, and what a viewer sees inside one. Handovers are the desk's: agents only (a customer
sees none). Inside, a viewer who serves only some clients sees only those clients' tickets in
the sections and only the ticket notes on tickets they may open (`sections_for`,
`ticket_notes_for`); the overall notes and the feedback are the shift's own words."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import is_agent
from deskside.accounts.queries import served_organization_ids
from deskside.core import clock
from deskside.core.timezones import zone
from deskside.handovers.compile import compile_sections, visible_sections
from deskside.handovers.models import (
    ChecklistCheck,
    ChecklistItem,
    Feedback,
    Handover,
    TicketNote,
)
from deskside.tickets.models import Ticket


def handovers_visible_to(user: User) -> QuerySet[Handover]:
    """Every handover for an agent; none for anyone else."""
    if not is_agent(user):
        return Handover.objects.none()
    return Handover.objects.select_related("team", "signed_off_by", "acknowledged_by")


def handover_for(user: User, public_id: str) -> Handover | None:
    return handovers_visible_to(user).filter(public_id=public_id).first()


def current_per_team(user: User) -> list[Handover]:
    """The latest handover (by hand-off) of each team that has one, by team name. Two queries."""
    latest = Handover.objects.filter(team=OuterRef("pk")).order_by("-at", "-id").values("pk")[:1]
    ids = (
        Team.objects.annotate(latest=Subquery(latest))
        .filter(latest__isnull=False)
        .values_list("latest", flat=True)
    )
    return list(handovers_visible_to(user).filter(pk__in=list(ids)).order_by("team__name"))


@dataclass(frozen=True)
class HistoryFilter:
    text: str = ""
    team: str = ""  # slug
    day: date | None = None  # the hand-off's day in the viewer's zone
    person: str = ""  # email or public id: outgoing, incoming, signed off or acknowledged


def history(user: User, found: HistoryFilter) -> QuerySet[Handover]:
    """Handovers matching `found`, newest first (text: in the overall notes, a ticket note
    the viewer may see, or feedback)."""
    qs = handovers_visible_to(user)
    if found.text:
        notes = TicketNote.objects.filter(handover=OuterRef("pk"), body__icontains=found.text)
        served = served_organization_ids(user)
        if served is not None:
            notes = notes.filter(ticket__organization_id__in=served)
        feedback = Feedback.objects.filter(handover=OuterRef("pk"), body__icontains=found.text)
        qs = qs.filter(Q(notes__icontains=found.text) | Exists(notes) | Exists(feedback))
    if found.team:
        qs = qs.filter(team__slug=found.team)
    if found.day:
        start = datetime.combine(found.day, time(), tzinfo=zone(user.timezone))
        qs = qs.filter(at__gte=start, at__lt=start + timedelta(days=1))
    if found.person:
        person = User.objects.filter(
            Q(email__iexact=found.person) | Q(public_id=found.person), kind=User.Kind.AGENT
        ).first()
        if person is None:
            return qs.none()
        qs = qs.filter(
            Exists(
                Handover.outgoing.through.objects.filter(handover_id=OuterRef("pk"), user=person)
            )
            | Exists(
                Handover.incoming.through.objects.filter(handover_id=OuterRef("pk"), user=person)
            )
            | Q(signed_off_by=person)
            | Q(acknowledged_by=person)
        )
    return qs.order_by("-at", "-id")


def contents_of(handover: Handover) -> dict:
    """The frozen sections of a signed-off handover, or a fresh compilation of an open one."""
    if handover.contents is not None:
        return handover.contents
    return compile_sections(handover.team, handover.shift_start, handover.at, clock.now())


def sections_for(handover: Handover, viewer: User) -> list[tuple[str, str, list[dict]]]:
    return visible_sections(contents_of(handover), viewer)


def ticket_notes_for(handover: Handover, viewer: User) -> list[TicketNote]:
    qs = TicketNote.objects.filter(handover=handover).select_related("ticket", "author")
    served = served_organization_ids(viewer)
    if served is not None:
        qs = qs.filter(ticket__organization_id__in=served)
    return list(qs.order_by("id"))


@dataclass(frozen=True)
class ChecklistRow:
    public_id: str
    phase: str
    text: str
    required: bool
    done: bool
    done_by: str


def checklist_of(handover: Handover) -> list[ChecklistRow]:
    """The team's active items with their state on `handover`; a signed-off handover shows
    what was ticked even if the item was retired since. Two queries."""
    checks = {
        c.item_id: c
        for c in ChecklistCheck.objects.filter(handover=handover).select_related("done_by")
    }
    items = ChecklistItem.objects.filter(team=handover.team_id).filter(
        Q(is_active=True) | Q(pk__in=list(checks))
    )
    rows = []
    for item in items.order_by("-phase", "position", "id"):  # pre-flight first
        check = checks.get(item.pk)
        rows.append(
            ChecklistRow(
                item.public_id,
                item.phase,
                check.text if check else item.text,
                item.required,
                check is not None,
                check.done_by.get_full_name() if check and check.done_by else "",
            )
        )
    return rows


@dataclass(frozen=True)
class TicketMention:
    handover: Handover
    body: str
    author: str
    at: datetime


def notes_about(ticket: Ticket, viewer: User, limit: int = 10) -> list[TicketMention]:
    """Handover notes that mention `ticket` (one the viewer can open): its ticket notes, and
    overall notes naming its number (T-10423, not T-104231). Newest first. Two queries."""
    if not is_agent(viewer):
        return []
    out = [
        TicketMention(
            n.handover, n.body, n.author.get_full_name() if n.author else "", n.created_at
        )
        for n in TicketNote.objects.filter(ticket=ticket)
        .select_related("handover__team", "author")
        .order_by("-id")[:limit]
    ]
    named = (
        Handover.objects.filter(notes__icontains=ticket.number)
        .select_related("team", "signed_off_by")
        .order_by("-at")[:limit]
    )
    out.extend(
        TicketMention(h, h.notes, h.signed_off_by.get_full_name() if h.signed_off_by else "", h.at)
        for h in named
        if re.search(rf"{re.escape(ticket.number)}(?!\d)", h.notes, re.IGNORECASE)
    )
    return sorted(out, key=lambda m: m.at, reverse=True)[:limit]
