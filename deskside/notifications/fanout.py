"""Who is notified of what: the handler on the tickets' event hook (registered in
NotificationsConfig.ready) that writes `Notification` rows, and `NotificationMail` outbox rows
for those who want mail, in the transaction of the event.

Who hears each kind (decisions where the issue is silent are marked "decided"):

- ASSIGNED (`tickets.assign_ticket`, a rule's hand-over): the new assignee. A ticket handed to
  a team with nobody assigned notifies nobody (decided: the team's queue shows it).
- ESCALATED: the named assignee; the members of the target team; an escalation that names only
  a tier notifies every active agent of that tier (their own tier, or a team of that tier):
  decided, because a tier with no team is that tier's shared queue, and an escalation nobody
  hears about is the problem the issue describes.
- REPLY by a customer (portal, mail, API): the assignee and the agents who watch the ticket
  (decided: watching a ticket is asking to hear of it). An agent's reply notifies nobody.
- NOTE by an agent: the agents it mentions (`mentions`). Notes the desk writes itself (mail
  pipeline, paging) mention nobody.
- SLA_WARNING / SLA_BREACH (the SLA worker, through `events_written`): the assignee; an
  unassigned ticket's team lead (decided: someone must hear of it, and the lead hands it out).
- PAGED (the paging worker): the person paged (`data["user"]`).

Always: only active agents, never the event's actor, and only agents who serve the ticket's
client (an agent limited to other clients cannot open the ticket, so is not told about it).
Each person's preference for the kind (`models.DEFAULT_CHANNEL` without a row) decides: a row
in the page, a mail, both, or nothing.

Cost: an event of a heard kind with nobody to tell costs no query; otherwise one query finds
the recipients with their preference and tenancy (one SELECT, subqueries inside), and one
multi-row INSERT writes the rows (another for mail). Bulk paths call this once per event.

`audience` and `write` are those two steps on their own, for the worker lanes that tell people
of something no ticket event announces (a quiet vendor case, an article due for review).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, Subquery

from deskside.accounts.models import Team, User
from deskside.notifications import mentions
from deskside.notifications.models import (
    BY_MAIL,
    DEFAULT_CHANNEL,
    IN_PAGE,
    Kind,
    Notification,
    NotificationMail,
    NotificationPreference,
)
from deskside.tickets.models import EventKind, Ticket, TicketEvent
from deskside.tickets.timeline import Happened

KINDS = (
    EventKind.ASSIGNED,
    EventKind.ESCALATED,
    EventKind.REPLY,
    EventKind.NOTE,
    EventKind.SLA_WARNING,
    EventKind.SLA_BREACH,
    EventKind.PAGED,
)
TITLE_MAX, TEXT_MAX = 200, 300


def event_written(happened: Happened) -> None:
    """Notify the people `happened` concerns (see the module docstring)."""
    found = _audience(happened)
    if found is None:
        return
    kind, who = found
    if not who:
        return
    event = happened.event
    ticket = happened.ticket
    channels = audience(who, kind, organization_id=ticket.organization_id, exclude=event.actor_id)
    if not channels:
        return
    title, text = _texts(happened, kind)
    write(
        channels,
        Message(
            kind=kind,
            title=title,
            text=text,
            subject=f"[{ticket.number}] {title}",
            body=_mail_body(ticket, title, text, event),
            created_at=event.created_at,
            ticket_id=ticket.pk,
            event_id=event.pk,
            actor_id=event.actor_id,
        ),
    )


@dataclass(frozen=True)
class Message:
    """What one notification says, in the centre (`title`, `text`) and by mail (`subject`,
    `body`: the delivery adds the link). About a ticket (`ticket_id`, maybe `event_id`), or about
    something else (`link`, a path on this site, and `organization_id`, the client it concerns:
    None for none)."""

    kind: str
    title: str
    text: str
    subject: str
    body: str
    created_at: datetime
    ticket_id: int | None = None
    event_id: int | None = None
    actor_id: int | None = None
    link: str = ""
    organization_id: int | None = None


def audience(
    who: Q, kind: str, *, organization_id: int | None, exclude: int | None = None
) -> list[tuple[int, str]]:
    """(user id, channel) of the active agents `who` names, with their preference for `kind`
    (`DEFAULT_CHANNEL` without one); with `organization_id`, only those who serve that client
    (an agent limited to none serves all); `exclude` (an actor) left out. One query."""
    preference = NotificationPreference.objects.filter(user_id=OuterRef("pk"), kind=kind)
    qs = User.objects.filter(who, kind=User.Kind.AGENT, is_active=True)
    if organization_id is not None:
        served = User.served_organizations.through.objects.filter(user_id=OuterRef("pk"))
        qs = qs.filter(~Exists(served) | Exists(served.filter(organization_id=organization_id)))
    qs = qs.annotate(channel=Subquery(preference.values("channel")[:1])).order_by("pk")
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    default = DEFAULT_CHANNEL[kind]
    return [(pk, channel or default) for pk, channel in qs.values_list("pk", "channel")]


def write(channels: list[tuple[int, str]], message: Message) -> None:
    """The rows that tell each of `channels` (from `audience`) `message`: a `Notification` for
    those who read it in the page, a `NotificationMail` outbox row for those who get mail. At
    most two INSERTs, none for nobody. Call inside the transaction of what it is about."""
    m = message
    rows = [
        Notification(
            recipient_id=pk,
            kind=m.kind,
            ticket_id=m.ticket_id,
            event_id=m.event_id,
            actor_id=m.actor_id,
            link=m.link,
            organization_id=m.organization_id,
            title=m.title[:TITLE_MAX],
            text=m.text,
            created_at=m.created_at,
        )
        for pk, channel in channels
        if channel in IN_PAGE
    ]
    if rows:
        Notification.objects.bulk_create(rows)
    mails = [
        NotificationMail(
            recipient_id=pk,
            ticket_id=m.ticket_id,
            kind=m.kind,
            link=m.link,
            subject=m.subject[:250],
            body=m.body,
            created_at=m.created_at,
        )
        for pk, channel in channels
        if channel in BY_MAIL
    ]
    if mails:
        NotificationMail.objects.bulk_create(mails)


Audience = tuple[Kind, Q | None]


def _audience(happened: Happened) -> Audience | None:
    """(notification kind, a Q over User naming the candidates), or None: nobody."""
    event, ticket, kind = happened.event, happened.ticket, happened.kind
    if kind == EventKind.ASSIGNED:
        return (Kind.ASSIGNED, Q(pk=ticket.assignee_id)) if ticket.assignee_id else None
    if kind == EventKind.ESCALATED:
        return Kind.ESCALATED, _escalation_audience(ticket)
    if kind == EventKind.REPLY:
        actor = event.actor
        if actor is None or not actor.is_customer:
            return None
        watchers = Ticket.watchers.through.objects.filter(ticket_id=ticket.pk).values("user_id")
        who = Q(pk__in=watchers)
        if ticket.assignee_id:
            who |= Q(pk=ticket.assignee_id)
        return Kind.REPLIED, who
    if kind == EventKind.NOTE:
        actor = event.actor
        if actor is None or not actor.is_agent:
            return None
        ids = set(mentions.agents_named(mentions.names(event.body)).values())
        return (Kind.MENTIONED, Q(pk__in=ids)) if ids else None
    if kind in (EventKind.SLA_WARNING, EventKind.SLA_BREACH):
        if ticket.assignee_id:
            return Kind.SLA, Q(pk=ticket.assignee_id)
        lead = _team_lead(ticket)
        return (Kind.SLA, Q(pk=lead)) if lead else None
    if kind == EventKind.PAGED:
        public_id = happened.data.get("user")
        return (Kind.PAGED, Q(public_id=public_id)) if public_id else None
    return None


def _escalation_audience(ticket: Ticket) -> Q:
    who = Q(pk=ticket.assignee_id) if ticket.assignee_id else Q(pk__in=[])
    members = User.teams.through.objects
    if ticket.team_id:
        return who | Q(pk__in=members.filter(team_id=ticket.team_id).values("user_id"))
    tier_teams = members.filter(team__tier=ticket.tier).values("user_id")
    return who | Q(tier=ticket.tier) | Q(pk__in=tier_teams)


def _team_lead(ticket: Ticket) -> int | None:
    if not ticket.team_id:
        return None
    if Ticket.team.is_cached(ticket):  # the SLA worker loads it with the ticket
        return ticket.team.lead_id if ticket.team else None
    return Team.objects.filter(pk=ticket.team_id).values_list("lead_id", flat=True).first()


def _texts(happened: Happened, kind: str) -> tuple[str, str]:
    """A short title and text for the centre (no customer data beyond the ticket's subject)."""
    event, ticket, data = happened.event, happened.ticket, happened.data
    by = event.actor.get_full_name() if event.actor_id and event.actor else "Deskside"
    number = ticket.number
    if kind == Kind.ASSIGNED:
        title = f"{number} assigned to you by {by}"
    elif kind == Kind.ESCALATED:
        where = ", ".join(x for x in (data.get("to_tier"), data.get("team")) if x)
        title = f"{number} escalated to {where or ticket.tier} by {by}"
    elif kind == Kind.REPLIED:
        title = f"{by} replied on {number}"
    elif kind == Kind.MENTIONED:
        title = f"{by} mentioned you on {number}"
    elif kind == Kind.SLA:
        title = event.body or f"SLA on {number}"
        title = f"{number}: {title}"
    else:
        title = f"You were paged for {number}"
    text = ticket.subject
    if kind in (Kind.MENTIONED, Kind.REPLIED) and event.body:
        text = _one_line(event.body)  # the title names the ticket
    return _cut(title, TITLE_MAX), _cut(text, TEXT_MAX)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _mail_body(ticket: Ticket, title: str, text: str, event: TicketEvent) -> str:
    body = f"{title}\n\n{ticket.number} {ticket.subject}"
    if event.body and event.kind in (EventKind.NOTE, EventKind.ESCALATED):
        body += "\n\n" + event.body[:2000]
    return body  # the worker adds the link (deskside.notifications.delivery)
