"""Compiling a handover's sections from the tickets: what the ending shift saw and what the
incoming shift inherits. Pure reads, one query per section, none per ticket.

The team's tickets are the tickets whose team is the handover's team now; the activity
sections add the tickets a member of the team escalated away during the period (an L1 desk's
escalations to L2 leave its queue, and the next shift must still know of them). Sections:

- **opened / escalated / resolved / changed**: tickets with timeline events in the period
  [shift_start, at): opened = a `created` event; escalated = `escalated`; resolved =
  `resolved` or `closed`; changed = touched in the period by any other event (a note, a
  reply, a call, a status or field change ...) and in none of the three before. One query:
  the tickets updated since the period began (the `ticket_updated` index), joined to their
  events of the period (the `event_ticket_id` index), distinct (ticket, kind).
- **p1_p2**: the team's open P1 and P2 tickets.
- **sla_breached / sla_at_risk**: open tickets whose running SLA clock (`sla_due`, not paused)
  is past, or falls due within the next shift (taken as long as the ending one: the roster's
  next shift is of the same pattern in every rota we ship). One query for both.
- **pages**: tickets of the team with a paging escalation still running, not acknowledged.
- **alerts**: firing monitoring alerts whose ticket (or storm ticket) is the team's.
- **vendor**: tickets pending a vendor, with the last vendor contact, defined as the newest
  call logged, reply, internal note or mail sent on the ticket (the timeline does not know
  who was on the other end: these are the events that record talking to someone, and a
  ticket parked at a vendor changes by them). One query, the contact a correlated subquery
  on the `event_ticket_id` index.

Each row carries the ticket's organisation id (`org`), so a viewer who serves only some
clients sees only their rows (`visible_sections`), from the live compilation or the frozen
snapshot alike. A section holds at most ROW_LIMIT rows (`more` says it was cut).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, OuterRef, Q, Subquery

from deskside.accounts.models import Team, User
from deskside.accounts.queries import served_organization_ids
from deskside.alerts.models import Alert, AlertStatus
from deskside.paging.models import Escalation
from deskside.tickets.models import (
    OPEN_STATUSES,
    EventKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    format_number,
)

ROW_LIMIT = 500
SECTIONS = (
    ("opened", "Opened"),
    ("changed", "Changed"),
    ("escalated", "Escalated"),
    ("resolved", "Resolved"),
    ("p1_p2", "Open P1 and P2"),
    ("sla_breached", "SLA breached"),
    ("sla_at_risk", "SLA at risk (due within the next shift)"),
    ("pages", "Unacknowledged pages"),
    ("alerts", "Firing alerts"),
    ("vendor", "Pending a vendor"),
)
VENDOR_CONTACT_KINDS = (EventKind.CALL, EventKind.REPLY, EventKind.NOTE, EventKind.MAIL_SENT)
RESOLVED_KINDS = {EventKind.RESOLVED, EventKind.CLOSED}


@dataclass(frozen=True)
class Period:
    team: Team
    start: datetime
    end: datetime


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _row(pk: int, subject: str, priority: int, status: str, org: int, **extra: Any) -> dict:
    return {
        "id": pk,
        "number": format_number(pk),
        "subject": subject,
        "priority": Priority(priority).label,
        "status": status,
        "org": org,
        **extra,
    }


def _cut(rows: list[dict]) -> tuple[list[dict], bool]:
    """The first ROW_LIMIT rows, and whether there were more."""
    return rows[:ROW_LIMIT], len(rows) > ROW_LIMIT


def activity(period: Period) -> dict[str, list[dict]]:
    """opened, changed, escalated, resolved (see the module docstring): one query."""
    touched = Ticket.objects.filter(updated_at__gte=period.start).values("pk")
    members = User.teams.through.objects.filter(team_id=period.team.pk).values("user_id")
    rows = (
        TicketEvent.objects.filter(
            ticket_id__in=touched, created_at__gte=period.start, created_at__lt=period.end
        )
        .filter(Q(ticket__team=period.team) | Q(kind=EventKind.ESCALATED, actor_id__in=members))
        .values_list(
            "ticket_id",
            "kind",
            "ticket__subject",
            "ticket__priority",
            "ticket__status",
            "ticket__organization_id",
        )
        .distinct()
        .order_by()
    )
    kinds: dict[int, set[str]] = defaultdict(set)
    info: dict[int, tuple] = {}
    for pk, kind, subject, priority, status, org in rows:
        kinds[pk].add(kind)
        info[pk] = (subject, priority, status, org)
    out: dict[str, list[dict]] = {"opened": [], "changed": [], "escalated": [], "resolved": []}
    for pk in sorted(kinds):
        seen = kinds[pk]
        row = _row(pk, *info[pk])
        if EventKind.CREATED in seen:
            out["opened"].append(row)
        if EventKind.ESCALATED in seen:
            out["escalated"].append(row)
        if seen & RESOLVED_KINDS:
            out["resolved"].append(row)
        if not seen & (RESOLVED_KINDS | {EventKind.CREATED, EventKind.ESCALATED}):
            out["changed"].append(row)
    return out


TICKET_FIELDS = ("pk", "subject", "priority", "status", "organization_id")


def open_p1_p2(period: Period) -> list[dict]:
    qs = Ticket.objects.filter(
        team=period.team, status__in=OPEN_STATUSES, priority__in=(Priority.P1, Priority.P2)
    ).order_by("priority", "pk")
    return [
        _row(*values, assignee=assignee)
        for *values, assignee in qs.values_list(*TICKET_FIELDS, "assignee__full_name")[
            : ROW_LIMIT + 1
        ]
    ]


def sla(period: Period, now: datetime) -> tuple[list[dict], list[dict]]:
    """(breached, at risk): one query."""
    horizon = now + (period.end - period.start)
    qs = Ticket.objects.filter(
        team=period.team,
        status__in=OPEN_STATUSES,
        sla_due__isnull=False,
        sla_due__lte=horizon,
        sla_paused_at__isnull=True,
    ).order_by("sla_due", "pk")
    breached, at_risk = [], []
    for *values, due in qs.values_list(*TICKET_FIELDS, "sla_due")[: 2 * ROW_LIMIT + 1]:
        (breached if due <= now else at_risk).append(_row(*values, due=_iso(due)))
    return breached, at_risk


def pages(period: Period) -> list[dict]:
    qs = Escalation.objects.filter(
        status=Escalation.Status.ACTIVE, ticket__team=period.team, acknowledged_at__isnull=True
    ).order_by("started_at", "pk")
    fields = [f"ticket__{f}" if f != "pk" else "ticket_id" for f in TICKET_FIELDS]
    fields[4] = "ticket__organization_id"
    return [
        _row(*values, since=_iso(started), reason=reason)
        for *values, started, reason in qs.values_list(*fields, "started_at", "reason")[
            : ROW_LIMIT + 1
        ]
    ]


def alerts(period: Period) -> list[dict]:
    qs = (
        Alert.objects.filter(status=AlertStatus.FIRING)
        .filter(Q(ticket__team=period.team) | Q(storm_ticket__team=period.team))
        .order_by("first_seen", "pk")
        .values_list(
            "public_id",
            "summary",
            "severity",
            "source",
            "first_seen",
            "organization_id",
            "ticket_id",
            "storm_ticket_id",
        )
    )
    out = []
    for public_id, summary, severity, source, first_seen, org, ticket, storm in qs[: ROW_LIMIT + 1]:
        pk = ticket or storm
        out.append(
            {
                "alert": public_id,
                "summary": summary,
                "severity": severity,
                "source": source,
                "since": _iso(first_seen),
                "org": org,
                "id": pk,
                "number": format_number(pk) if pk else "",
            }
        )
    return out


def vendor(period: Period) -> list[dict]:
    last = TicketEvent.objects.filter(
        ticket_id=OuterRef("pk"), kind__in=VENDOR_CONTACT_KINDS
    ).order_by("-id")
    qs = (
        Ticket.objects.filter(team=period.team, status=Status.PENDING_VENDOR)
        .annotate(
            contact_at=Subquery(last.values("created_at")[:1]),
            contact_kind=Subquery(last.values("kind")[:1]),
        )
        .order_by(F("contact_at").asc(nulls_first=True), "pk")
    )
    return [
        _row(*values, last_contact=_iso(at), last_contact_kind=kind or "")
        for *values, at, kind in qs.values_list(*TICKET_FIELDS, "contact_at", "contact_kind")[
            : ROW_LIMIT + 1
        ]
    ]


def compile_sections(team: Team, start: datetime, end: datetime, now: datetime) -> dict:
    """Every section of the handover of `team` for the period [start, end), as of `now`:
    {"compiled_at": iso, "sections": {name: [rows]}, "more": {name: cut?}} (JSON-ready)."""
    period = Period(team, start, end)
    found = activity(period)
    found["p1_p2"] = open_p1_p2(period)
    found["sla_breached"], found["sla_at_risk"] = sla(period, now)
    found["pages"] = pages(period)
    found["alerts"] = alerts(period)
    found["vendor"] = vendor(period)
    sections, more = {}, {}
    for name, _label in SECTIONS:
        sections[name], more[name] = _cut(found[name])
    return {"compiled_at": now.isoformat(), "sections": sections, "more": more}


def visible_sections(contents: dict, viewer: User) -> list[tuple[str, str, list[dict]]]:
    """(name, label, rows) of each section, only the rows of the clients `viewer` serves; a
    section cut at ROW_LIMIT has " (first 500)" in its label."""
    served = served_organization_ids(viewer)
    allowed = None if served is None else set(served)
    out = []
    for name, label in SECTIONS:
        rows = contents["sections"].get(name, [])
        if allowed is not None:
            rows = [r for r in rows if r.get("org") in allowed]
        if contents.get("more", {}).get(name):
            label = f"{label} (first {ROW_LIMIT})"
        out.append((name, label, rows))
    return out
