"""Ticket operations. Every state change of a ticket happens here.

Each public function takes keyword arguments and the acting user, runs in one transaction,
and writes its TicketEvent in that transaction, so the timeline can never disagree with the
ticket. They raise `tickets.exceptions` errors that name the field at fault; views, the API
and the CLI map those to form errors, 4xx bodies and exit codes.

Every service that changes an existing ticket first reloads and locks it (`rules.lock`), so
its checks and writes see the stored row, not the caller's copy loaded before the transaction.

Permissions enforced here (defence in depth; the adapters also filter by visibility):
agents may do everything to the tickets of the clients they serve; customers may open tickets
for their organisation, reply, attach files, reopen a resolved ticket and close their own.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from deskside.accounts.models import Organization, Site, Team, Tier, User
from deskside.accounts.queries import served_organization_ids
from deskside.core import clock
from deskside.core.files import removed_on_error
from deskside.tickets import deadlines, idempotency
from deskside.tickets.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.tickets.models import (
    Attachment,
    Channel,
    EventKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketSearch,
    TicketType,
)
from deskside.tickets.queries import visible_tickets
from deskside.tickets.rules import (
    lock,
    parse_priority,
    require_active_agent,
    require_agent,
    require_choice,
    require_no_cycle,
    require_serves,
    require_text,
    require_transition,
    require_visible,
)
from deskside.tickets.timeline import changed, reindex, store_attachments, touch, write_event

TIER_ORDER = {Tier.L1: 1, Tier.L2: 2, Tier.L3: 3}
CUSTOMER_CHANNELS = (Channel.WEB, Channel.API, Channel.EMAIL)
CUSTOMER_PRIORITIES = (Priority.P2, Priority.P3, Priority.OPS)
MAX_SUBJECT = 250


# -- intake ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Created:
    """What `create_ticket` returns: the ticket and whether this call made it (False when an
    idempotency key replayed an earlier create)."""

    ticket: Ticket
    created: bool = True


def create_ticket(
    *,
    actor: User,
    subject: str,
    organization: Organization | None = None,
    requester: User | None = None,
    description: str = "",
    type: str = TicketType.INCIDENT,
    priority: int | str = Priority.P3,
    channel: str = Channel.WEB,
    site: Site | None = None,
    team: Team | None = None,
    assignee: User | None = None,
    tier: str = Tier.L1,
    watchers: Sequence[User] = (),
    parent: Ticket | None = None,
    attachments: Iterable[UploadedFile] = (),
    idempotency_key: str | None = None,
    event_data: dict[str, Any] | None = None,
    intake_team: Team | None = None,
) -> Created:
    """Open a ticket and write its `created` event.

    A customer opens tickets for their own organisation only, as requester (an organisation
    admin may name a colleague), through the web, API or email channels, at P2 or below (P1 is
    an agent's triage decision because it pages someone at any hour), and cannot assign.
    `intake_team` is the team the intake channel routes to (a mailbox's team), applied
    whoever the actor is. With `idempotency_key` (`tickets.idempotency`), a second call by the
    same actor with the same key and the same arguments returns the first ticket
    (`created=False`) instead of opening another, even when both race; the same key with other
    arguments raises IdempotencyConflict (409), a key over 200 characters InvalidInput.
    """
    attachments = list(attachments)  # read twice with a key: for its fingerprint, then stored
    fields: dict[str, Any] = {
        "subject": subject,
        "organization": organization,
        "requester": requester,
        "description": description,
        "type": type,
        "priority": priority,
        "channel": channel,
        "site": site,
        "team": team,
        "assignee": assignee,
        "tier": tier,
        "watchers": list(watchers),
        "parent": parent,
        "attachments": attachments,
        "event_data": event_data,
        "intake_team": intake_team,
    }
    with removed_on_error():  # a rollback takes the files it stored too
        done = idempotency.once(
            actor=actor,
            key=idempotency_key,
            action="create",
            ticket=None,
            fields=fields,
            run=lambda: _create(actor=actor, **fields),
        )
    return Created(done.result, created=not done.replayed)


def _create(
    *,
    actor: User,
    subject: str,
    organization: Organization | None,
    requester: User | None,
    description: str,
    type: str,
    priority: int | str,
    channel: str,
    site: Site | None,
    team: Team | None,
    assignee: User | None,
    tier: str,
    watchers: Sequence[User],
    parent: Ticket | None,
    attachments: Iterable[UploadedFile],
    event_data: dict[str, Any] | None = None,
    intake_team: Team | None = None,
) -> Ticket:
    subject = require_text(subject, "subject", "a subject")
    if len(subject) > MAX_SUBJECT:
        raise InvalidInput(f"the subject is longer than {MAX_SUBJECT} characters", field="subject")
    require_choice(type, TicketType, "type")
    require_choice(channel, Channel, "channel")
    require_choice(tier, Tier, "tier")
    priority = parse_priority(priority)
    if actor.is_customer:
        if organization is not None and organization.pk != actor.organization_id:
            raise NotAllowed("customers open tickets for their own organisation only")
        organization = actor.organization
        if requester is None or not actor.is_org_admin:
            requester = actor
        elif requester.organization_id != actor.organization_id or not requester.is_customer:
            raise InvalidInput(
                "the requester must be a contact of your organisation", field="requester"
            )
        if parent is not None and not visible_tickets(actor).filter(pk=parent.pk).exists():
            raise InvalidInput("no such parent ticket", field="parent")
        if channel not in CUSTOMER_CHANNELS:
            raise InvalidInput("customers open tickets by web, API or email", field="channel")
        if priority not in CUSTOMER_PRIORITIES:
            raise InvalidInput(
                "customers may choose P2, P3 or OPS; the desk sets P1", field="priority"
            )
        if assignee is not None or team is not None or tier != Tier.L1:
            raise NotAllowed("customers cannot assign or route tickets")
    if requester is None:
        raise InvalidInput("a requester is required", field="requester")
    if organization is None:
        organization = requester.organization
    if organization is None:
        raise InvalidInput("an organisation is required", field="organization")
    if actor.is_agent:
        ids = served_organization_ids(actor)
        if ids is not None and organization.pk not in ids:
            raise NotAllowed(f"you do not serve {organization}")
    if requester.is_customer and requester.organization_id != organization.pk:
        raise InvalidInput(f"{requester} is not a contact of {organization}", field="requester")
    if site is None and requester.site_id and requester.organization_id == organization.pk:
        site = requester.site
    if site is not None and site.organization_id != organization.pk:
        raise InvalidInput(f"{site.name} is not a site of {organization}", field="site")
    require_active_agent(assignee, "assignee")
    require_serves(assignee, organization, "assignee")
    if parent is not None and parent.organization_id != organization.pk:
        raise InvalidInput("the parent ticket belongs to another organisation", field="parent")
    _check_watchers(watchers, organization)
    if intake_team is not None and team is None:
        team = intake_team  # the channel's routing (a mailbox's team), not the actor's choice

    now = clock.now()
    ticket = Ticket(
        organization=organization,
        requester=requester,
        site=site,
        subject=subject,
        description=(description or "").strip(),
        type=type,
        priority=priority,
        channel=channel,
        status=Status.OPEN if assignee else Status.NEW,
        tier=tier,
        team=team,
        assignee=assignee,
        parent=parent,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    deadlines.engine().started(ticket)  # due times go in with the INSERT
    deadlines.keep_earliest_due(ticket)
    ticket.save(force_insert=True)
    if watchers:
        ticket.watchers.set(watchers)
    event = write_event(
        ticket,
        EventKind.CREATED,
        actor,
        public=True,
        body=ticket.description,
        data={
            "channel": channel,
            "priority": Priority(priority).label,
            "type": type,
            "tier": tier,
            "team": team.name if team else None,
            "assignee": assignee.get_full_name() if assignee else None,
            **(event_data or {}),
        },
    )
    store_attachments(actor, ticket, event, attachments, public=True)
    # A new ticket's text is its subject and description: write it without reindex()'s read of
    # the timeline (creation is the hottest write path).
    TicketSearch.objects.create(
        ticket=ticket, public_text="\n".join(filter(None, [ticket.subject, ticket.description]))
    )
    return ticket


def _check_watchers(watchers: Iterable[User], organization: Organization) -> None:
    """Watchers are contacts of the ticket's client or agents who serve it."""
    for user in watchers:
        if user.is_customer and user.organization_id != organization.pk:
            raise InvalidInput(f"{user} is not a contact of {organization}", field="watchers")
        require_serves(user, organization, "watchers")


@transaction.atomic
def log_call(
    *,
    actor: User,
    ticket: Ticket,
    minutes: int,
    body: str,
    inbound: bool = True,
) -> TicketEvent:
    """Record a phone call (or walk-up conversation) of `minutes` on the ticket's timeline.

    An inbound call on a ticket waiting for the customer puts it back to open."""
    lock(ticket)
    require_agent(actor, "log calls")
    require_visible(actor, ticket)
    if ticket.status == Status.CLOSED:
        raise InvalidTransition(f"{ticket.number} is closed", field="status")
    if not isinstance(minutes, int) or minutes < 0 or minutes > 24 * 60:
        raise InvalidInput("minutes must be a whole number from 0 to 1440", field="minutes")
    body = require_text(body, "body", "a call summary")
    event = write_event(
        ticket, EventKind.CALL, actor, body=body, data={"minutes": minutes, "inbound": inbound}
    )
    fields = []
    if inbound and ticket.status == Status.PENDING_CUSTOMER:
        _status_event(ticket, actor, Status.OPEN, "the customer called")
        fields.append("status")
    # On a call the agent is talking with the customer: that answers them.
    deadlines.note(ticket, deadlines.engine().responded(ticket, actor))
    touch(ticket, *fields)
    reindex(ticket)
    return event


@transaction.atomic
def intake_call(
    *,
    actor: User,
    organization: Organization,
    requester: User,
    subject: str,
    description: str = "",
    channel: str = Channel.PHONE,
    priority: int | str = Priority.P3,
    type: str = TicketType.INCIDENT,
    site: Site | None = None,
    minutes: int = 0,
    resolution: str = "",
    assign_to_me: bool = True,
) -> Ticket:
    """The L1 desk's one-form intake of a phone call or walk-up.

    Opens the ticket (assigned to the agent unless told otherwise), logs the call, and, when a
    `resolution` is given, resolves it on the spot, which counts as first-contact resolution.
    """
    require_agent(actor, "log calls")
    if channel not in (Channel.PHONE, Channel.WALK_UP):
        raise InvalidInput("a call is logged as phone or walk-up", field="channel")
    ticket = _create(
        actor=actor,
        subject=subject,
        organization=organization,
        requester=requester,
        description=description,
        type=type,
        priority=priority,
        channel=channel,
        site=site,
        team=None,
        assignee=actor if assign_to_me else None,
        tier=Tier.L1,
        watchers=(),
        parent=None,
        attachments=(),
    )
    summary = description.strip() or subject
    log_call(actor=actor, ticket=ticket, minutes=minutes, body=summary)
    if resolution.strip():
        resolve_ticket(actor=actor, ticket=ticket, resolution=resolution)
    return ticket


# -- conversation ------------------------------------------------------------------------------


@transaction.atomic
def add_reply(
    *,
    actor: User,
    ticket: Ticket,
    body: str,
    attachments: Iterable[UploadedFile] = (),
) -> TicketEvent:
    """A public reply, seen by the customer. A customer replying to a ticket that waits on them
    (or that was resolved) puts it back to open; an agent's reply opens a new ticket."""
    lock(ticket)
    require_visible(actor, ticket)
    return _reply(actor, ticket, body, attachments)


@transaction.atomic
def add_mail_reply(
    *,
    sender: User,
    ticket: Ticket,
    body: str,
    attachments: Iterable[UploadedFile] = (),
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """A public reply that arrived by email (`deskside.mail`), with `data` naming the message.

    The sender is an agent who serves the client, or a contact of the ticket's client whom
    the mail pipeline found in the ticket's conversation (`deskside.mail.conversation.
    in_conversation`: it never calls this for anyone else): one who was on the mail but not on
    the ticket (a colleague in copy) joins its watchers, so they can follow it in the portal.
    Anyone else is refused."""
    lock(ticket)
    if sender.is_customer:
        if sender.organization_id != ticket.organization_id:
            raise NotAllowed(f"{sender} is not a contact of {ticket.organization}")
        on_ticket = ticket.requester_id == sender.pk or sender.is_org_admin
        if not on_ticket and not visible_tickets(sender).filter(pk=ticket.pk).exists():
            ticket.watchers.add(sender)
            write_event(
                ticket,
                EventKind.WATCHERS,
                None,
                data={"added": [sender.get_full_name()], "removed": [], "reason": "email"},
            )
    else:
        require_visible(sender, ticket)
    return _reply(sender, ticket, body, attachments, data)


def _reply(
    actor: User,
    ticket: Ticket,
    body: str,
    attachments: Iterable[UploadedFile],
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    if ticket.status == Status.CLOSED:
        raise InvalidTransition(
            f"{ticket.number} is closed; open a new ticket instead", field="status"
        )
    body = require_text(body, "body", "a reply")
    event = write_event(ticket, EventKind.REPLY, actor, public=True, body=body, data=data)
    store_attachments(actor, ticket, event, attachments, public=True)
    if actor.is_customer and ticket.status == Status.RESOLVED:
        _reopen(ticket, actor, "the customer replied")
    elif actor.is_customer and ticket.status in (Status.PENDING_CUSTOMER, Status.ON_HOLD):
        _status_event(ticket, actor, Status.OPEN, "the customer replied")
    elif actor.is_agent and ticket.status == Status.NEW:
        _status_event(ticket, actor, Status.OPEN, "")
    clock_engine = deadlines.engine()
    if actor.is_agent:
        deadlines.note(ticket, clock_engine.responded(ticket, actor))
    else:
        deadlines.note(ticket, clock_engine.customer_wrote(ticket, actor))
    touch(ticket, "status", "resolved_at", "first_contact_resolution")
    reindex(ticket)
    return event


@transaction.atomic
def add_note(
    *,
    actor: User,
    ticket: Ticket,
    body: str,
    attachments: Iterable[UploadedFile] = (),
) -> TicketEvent:
    """An internal note: agents only, never shown in the portal or sent to the customer."""
    lock(ticket)
    require_agent(actor, "write internal notes")
    require_visible(actor, ticket)
    body = require_text(body, "body", "a note")
    event = write_event(ticket, EventKind.NOTE, actor, body=body)
    store_attachments(actor, ticket, event, attachments, public=False)
    touch(ticket)
    reindex(ticket)
    return event


@transaction.atomic
def add_attachments(
    *,
    actor: User,
    ticket: Ticket,
    files: Sequence[UploadedFile],
    public: bool = True,
) -> list[Attachment]:
    """Attach files on their own (without a reply). Customers' files are always public."""
    lock(ticket)
    require_visible(actor, ticket)
    if not files:
        raise InvalidInput("no file was sent", field="file")
    if ticket.status == Status.CLOSED:
        raise InvalidTransition(f"{ticket.number} is closed", field="status")
    public = public or actor.is_customer
    event = write_event(
        ticket, EventKind.ATTACHMENT, actor, public=public, data={"files": [f.name for f in files]}
    )
    saved = store_attachments(actor, ticket, event, files, public=public)
    touch(ticket)
    return saved


# -- routing -----------------------------------------------------------------------------------


@transaction.atomic
def assign_ticket(
    *,
    actor: User,
    ticket: Ticket,
    assignee: User | None,
    team: Team | None = None,
) -> TicketEvent:
    """Give the ticket to `assignee` (None: unassign) and optionally to `team`."""
    lock(ticket)
    require_agent(actor, "assign tickets")
    require_visible(actor, ticket)
    require_active_agent(assignee, "assignee")
    if assignee is not None and assignee.pk != ticket.assignee_id:
        require_serves(assignee, ticket.organization, "assignee")
    if ticket.status == Status.CLOSED:
        raise InvalidTransition(f"{ticket.number} is closed", field="status")
    old_assignee, old_team = ticket.assignee, ticket.team
    team = team if team is not None else ticket.team
    if assignee == old_assignee and team == old_team:
        raise InvalidInput("the ticket is already assigned so", field="assignee")
    ticket.assignee, ticket.team = assignee, team
    event = write_event(
        ticket,
        EventKind.ASSIGNED,
        actor,
        data={
            "from": old_assignee.get_full_name() if old_assignee else None,
            "to": assignee.get_full_name() if assignee else None,
            "team_from": old_team.name if old_team else None,
            "team_to": team.name if team else None,
        },
    )
    fields = ["assignee", "team"]
    if assignee is not None and ticket.status == Status.NEW:
        _status_event(ticket, actor, Status.OPEN, "")
        fields.append("status")
    touch(ticket, *fields)
    return event


@transaction.atomic
def escalate_ticket(
    *,
    actor: User,
    ticket: Ticket,
    tier: str,
    symptoms: str,
    steps_tried: str,
    impact: str,
    team: Team | None = None,
    assignee: User | None = None,
) -> TicketEvent:
    """Pass the ticket up to Level 2 (on site) or Level 3 with triage notes.

    The notes (symptoms, what was already tried, the impact) are required: the receiving tier
    must not start from zero. They are written on the timeline and shown at the top of the
    ticket. The ticket leaves its current assignee unless one of the target tier is named.
    """
    lock(ticket)
    require_agent(actor, "escalate tickets")
    require_visible(actor, ticket)
    return _escalate(
        ticket,
        actor,
        tier=tier,
        symptoms=symptoms,
        steps_tried=steps_tried,
        impact=impact,
        team=team,
        assignee=assignee,
    )


@transaction.atomic
def escalate_by_rule(
    *,
    ticket: Ticket,
    rule: str,
    tier: str,
    symptoms: str,
    steps_tried: str,
    impact: str,
    team: Team | None = None,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """An escalation that one of the desk's own rules makes, with no agent acting (a
    contract's SLA breach rule): the same rule as `escalate_ticket` (an open ticket, a higher
    tier, the three triage notes, a team of that tier) and the same event, with no actor
    (shown as Deskside), `rule` naming the rule and `data` its details. Unassigns the ticket.
    Raises InvalidTransition, InvalidInput as `escalate_ticket` does."""
    lock(ticket)
    return _escalate(
        ticket,
        None,
        tier=tier,
        symptoms=symptoms,
        steps_tried=steps_tried,
        impact=impact,
        team=team,
        assignee=None,
        data={"rule": rule, **(data or {})},
    )


@transaction.atomic
def hand_over_by_rule(
    *,
    ticket: Ticket,
    rule: str,
    team: Team,
    symptoms: str,
    steps_tried: str,
    impact: str,
    data: dict[str, Any] | None = None,
) -> TicketEvent | None:
    """Hand the ticket, unassigned, to `team` by one of the desk's own rules, with no agent
    acting (a contract's SLA breach rule whose breach team works at the ticket's tier or
    below; a team of a higher tier is an escalation, `escalate_by_rule`). The ASSIGNED event
    carries the same three triage notes an escalation needs, as its body and in its data.
    Returns None when the ticket already waits unassigned in that team. Raises
    InvalidTransition (closed), InvalidInput (a note missing)."""
    lock(ticket)
    if ticket.status == Status.CLOSED:
        raise InvalidTransition(f"{ticket.number} is closed", field="status")
    notes = _triage_notes(symptoms, steps_tried, impact)
    if ticket.team_id == team.pk and ticket.assignee_id is None:
        return None
    old_assignee, old_team = ticket.assignee, ticket.team
    ticket.team, ticket.assignee = team, None
    event = write_event(
        ticket,
        EventKind.ASSIGNED,
        None,
        body=_triage_text(notes),
        data={
            **(data or {}),
            "rule": rule,
            "from": old_assignee.get_full_name() if old_assignee else None,
            "to": None,
            "team_from": old_team.name if old_team else None,
            "team_to": team.name,
            **notes,
        },
    )
    touch(ticket, "assignee", "team")
    return event


def _triage_notes(symptoms: str, steps_tried: str, impact: str) -> dict[str, str]:
    """The three triage notes every escalation carries, each required."""
    return {
        "symptoms": require_text(symptoms, "symptoms", "the symptoms"),
        "steps_tried": require_text(steps_tried, "steps_tried", "the steps already tried"),
        "impact": require_text(impact, "impact", "the impact"),
    }


def _triage_text(notes: dict[str, str]) -> str:
    return (
        f"Symptoms: {notes['symptoms']}\nSteps tried: {notes['steps_tried']}\n"
        f"Impact: {notes['impact']}"
    )


def _escalate(
    ticket: Ticket,
    actor: User | None,
    *,
    tier: str,
    symptoms: str,
    steps_tried: str,
    impact: str,
    team: Team | None,
    assignee: User | None,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """The escalation rule and its event, for a locked ticket (see `escalate_ticket`)."""
    if not ticket.is_open:
        raise InvalidTransition(f"{ticket.number} is not open", field="status")
    require_choice(tier, Tier, "tier")
    if TIER_ORDER[tier] <= TIER_ORDER[ticket.tier]:
        raise InvalidInput(
            f"the ticket is at {ticket.tier}; escalate to a higher tier", field="tier"
        )
    notes = _triage_notes(symptoms, steps_tried, impact)
    if team is not None and team.tier != tier:
        raise InvalidInput(f"{team} is a {team.tier} team", field="team")
    require_active_agent(assignee, "assignee")
    require_serves(assignee, ticket.organization, "assignee")
    if assignee is not None and assignee.tier and TIER_ORDER[assignee.tier] < TIER_ORDER[tier]:
        raise InvalidInput(f"{assignee} works at {assignee.tier}", field="assignee")
    from_tier = ticket.tier
    ticket.tier, ticket.team, ticket.assignee = tier, team, assignee
    ticket.escalation_count += 1
    event = write_event(
        ticket,
        EventKind.ESCALATED,
        actor,
        body=_triage_text(notes),
        data={
            **(data or {}),
            "from_tier": from_tier,
            "to_tier": tier,
            "team": team.name if team else None,
            "assignee": assignee.get_full_name() if assignee else None,
            **notes,
        },
    )
    fields = ["tier", "team", "assignee", "escalation_count"]
    if ticket.status == Status.NEW:
        _status_event(ticket, actor, Status.OPEN, "")
        fields.append("status")
    touch(ticket, *fields)
    reindex(ticket)
    return event


# -- status ------------------------------------------------------------------------------------


def _status_event(ticket: Ticket, actor: User | None, target: str, reason: str) -> None:
    old = ticket.status
    ticket.status = target
    deadlines.note(ticket, deadlines.engine().status_changed(ticket, old, actor))
    write_event(
        ticket, EventKind.STATUS, actor, public=True, body=reason, data={"from": old, "to": target}
    )


def _reopen(ticket: Ticket, actor: User, reason: str) -> None:
    ticket.status = Status.OPEN
    ticket.resolved_at = None
    ticket.first_contact_resolution = False
    deadlines.note(ticket, deadlines.engine().status_changed(ticket, Status.RESOLVED, actor))
    write_event(
        ticket,
        EventKind.REOPENED,
        actor,
        public=True,
        body=reason,
        data={"from": Status.RESOLVED, "to": Status.OPEN},
    )


@transaction.atomic
def set_status(*, actor: User, ticket: Ticket, status: str, reason: str = "") -> TicketEvent:
    """Move the ticket between the working statuses (open, pending customer or vendor, on
    hold). Resolving, reopening and closing have their own operations."""
    lock(ticket)
    require_agent(actor, "change the status")
    require_visible(actor, ticket)
    require_choice(status, Status, "status")
    if status in (Status.RESOLVED, Status.CLOSED):
        raise InvalidInput(f"use the {status} action instead", field="status")
    if ticket.status == Status.RESOLVED and status == Status.OPEN:
        raise InvalidInput("use the reopen action instead", field="status")
    require_transition(ticket, status)
    _status_event(ticket, actor, status, reason.strip())
    touch(ticket, "status")
    return ticket.events.last()  # type: ignore[return-value]


def is_first_contact(ticket: Ticket) -> bool:
    """First-contact resolution (FCR): the desk settled the issue in one contact with the
    customer. True only when all of these hold at resolution:

    - the ticket stayed at Level 1 (never escalated) and was never reopened;
    - the customer never had to come back (no reply from them);
    - at most one contact between an agent and the customer: public agent replies and logged
      calls, inbound or outbound, each count one; the intake call of a phone or walk-up
      ticket is that one contact, logged or not (internal notes are no contact);
    - the ticket never waited on the customer (no status change to pending customer).

    A web ticket answered with one reply (or resolved straight away) counts; one that needed
    two follow-ups before its resolution does not.
    """
    if ticket.tier != Tier.L1 or ticket.escalation_count:
        return False
    events = ticket.events.filter(
        kind__in=(EventKind.REPLY, EventKind.CALL, EventKind.REOPENED, EventKind.STATUS)
    )
    replies = inbound = outbound = 0
    for kind, actor_kind, data in events.values_list("kind", "actor__kind", "data"):
        if kind == EventKind.REOPENED:
            return False
        if kind == EventKind.STATUS and data.get("to") == Status.PENDING_CUSTOMER:
            return False
        if kind == EventKind.REPLY:
            if actor_kind == User.Kind.CUSTOMER:
                return False
            replies += 1
        elif kind == EventKind.CALL:
            if data.get("inbound", True):
                inbound += 1
            else:
                outbound += 1
    if ticket.channel in (Channel.PHONE, Channel.WALK_UP):
        inbound = max(inbound, 1)  # the call that opened the ticket
    return replies + inbound + outbound <= 1


@transaction.atomic
def resolve_ticket(*, actor: User, ticket: Ticket, resolution: str) -> TicketEvent:
    """Resolve with a resolution the customer sees; records first-contact resolution."""
    lock(ticket)
    require_agent(actor, "resolve tickets")
    require_visible(actor, ticket)
    require_transition(ticket, Status.RESOLVED)
    resolution = require_text(resolution, "resolution", "a resolution")
    ticket.first_contact_resolution = is_first_contact(ticket)
    old = ticket.status
    ticket.status = Status.RESOLVED
    ticket.resolved_at = clock.now()
    deadlines.note(ticket, deadlines.engine().status_changed(ticket, old, actor))
    event = write_event(
        ticket,
        EventKind.RESOLVED,
        actor,
        public=True,
        body=resolution,
        data={"first_contact": ticket.first_contact_resolution},
    )
    touch(ticket, "status", "resolved_at", "first_contact_resolution")
    reindex(ticket)
    return event


@transaction.atomic
def reopen_ticket(*, actor: User, ticket: Ticket, reason: str = "") -> TicketEvent:
    """Reopen a resolved ticket (the customer may, e.g. when the fix did not hold)."""
    lock(ticket)
    require_visible(actor, ticket)
    if ticket.status != Status.RESOLVED:
        raise InvalidTransition(
            f"only a resolved ticket can be reopened; {ticket.number} is "
            f"{Status(ticket.status).label.lower()}",
            field="status",
        )
    _reopen(ticket, actor, reason.strip())
    touch(ticket, "status", "resolved_at", "first_contact_resolution")
    return ticket.events.last()  # type: ignore[return-value]


@transaction.atomic
def close_ticket(*, actor: User, ticket: Ticket, reason: str = "") -> TicketEvent:
    """Close for good. Agents close any ticket; a customer only their own request."""
    lock(ticket)
    require_visible(actor, ticket)
    if actor.is_customer and ticket.requester_id != actor.pk:
        raise NotAllowed("only the requester or an agent can close this ticket")
    require_transition(ticket, Status.CLOSED)
    old = ticket.status
    ticket.status = Status.CLOSED
    ticket.closed_at = clock.now()
    deadlines.note(ticket, deadlines.engine().status_changed(ticket, old, actor))
    event = write_event(
        ticket, EventKind.CLOSED, actor, public=True, body=reason.strip(), data={"from": old}
    )
    touch(ticket, "status", "closed_at")
    return event


# -- edits and links ---------------------------------------------------------------------------

EDITABLE = ("subject", "description", "type", "priority", "site", "parent")


@transaction.atomic
def update_ticket(*, actor: User, ticket: Ticket, **changes: Any) -> TicketEvent | None:
    """Change descriptive fields (subject, description, type, priority, site, parent).

    A parent is another ticket of the same client and never the ticket's own descendant, so
    parent links stay a tree.

    Writes one `changed` event listing each field's old and new value; returns None when
    nothing actually changed.
    """
    lock(ticket)
    require_agent(actor, "edit tickets")
    require_visible(actor, ticket)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(sorted(unknown))}", field=min(unknown))
    if ticket.status == Status.CLOSED:
        raise InvalidTransition(f"{ticket.number} is closed", field="status")
    diff: dict[str, list[Any]] = {}
    values: dict[str, dict[str, Any]] = {}  # raw old and new values, for the hook's handlers
    new: dict[str, Any] = {}
    for field, value in changes.items():
        if field == "subject":
            value = require_text(value, "subject", "a subject")
            if len(value) > MAX_SUBJECT:
                raise InvalidInput(
                    f"the subject is longer than {MAX_SUBJECT} characters", field="subject"
                )
        elif field == "type":
            require_choice(value, TicketType, "type")
        elif field == "priority":
            value = parse_priority(value)
        elif (
            field == "site"
            and value is not None
            and value.organization_id != ticket.organization_id
        ):
            raise InvalidInput(f"{value.name} is not a site of {ticket.organization}", field="site")
        elif (
            field == "parent"
            and value is not None
            and (value.pk == ticket.pk or value.organization_id != ticket.organization_id)
        ):
            raise InvalidInput(
                "the parent must be another ticket of the same client", field="parent"
            )
        elif field == "parent":
            require_no_cycle(ticket, value)
        old = getattr(ticket, field)
        if old != value:
            diff[field] = [_show(field, old), _show(field, value)]
            values[field] = changed(old, value)
            new[field] = value
    if not diff:
        return None
    # Only now that every field is valid: a refused edit leaves the caller's object untouched.
    for field, value in new.items():
        setattr(ticket, field, value)
    if "priority" in diff:
        deadlines.note(ticket, deadlines.engine().retargeted(ticket))
    event = write_event(ticket, EventKind.CHANGED, actor, data={"changes": diff, "values": values})
    touch(ticket, *diff)
    if {"subject", "description"} & diff.keys():
        reindex(ticket)
    return event


def _show(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field == "priority":
        return Priority(value).label
    if field == "parent":
        return value.number
    if field == "site":
        return value.name
    return value


@transaction.atomic
def set_watchers(*, actor: User, ticket: Ticket, watchers: Sequence[User]) -> TicketEvent | None:
    """Replace the ticket's watchers (stakeholders who follow it). Customers among them must be
    contacts of the ticket's organisation, and agents added must serve it (one who already
    watches may stay after their clients changed, so an unrelated edit does not fail)."""
    lock(ticket)
    require_agent(actor, "change watchers")
    require_visible(actor, ticket)
    before = {u.pk: u for u in ticket.watchers.all()}
    after = {u.pk: u for u in watchers}
    _check_watchers((u for pk, u in after.items() if pk not in before), ticket.organization)
    if before.keys() == after.keys():
        return None
    ticket.watchers.set(watchers)
    event = write_event(
        ticket,
        EventKind.WATCHERS,
        actor,
        data={
            "added": [after[k].get_full_name() for k in after.keys() - before.keys()],
            "removed": [before[k].get_full_name() for k in before.keys() - after.keys()],
            # by id too: someone an agent removed no longer joins the ticket by mail
            # (deskside.mail.conversation.in_conversation)
            "added_ids": sorted(after.keys() - before.keys()),
            "removed_ids": sorted(before.keys() - after.keys()),
        },
    )
    touch(ticket)
    return event


@transaction.atomic
def merge_tickets(*, actor: User, source: Ticket, target: Ticket) -> TicketEvent:
    """Merge `source` into `target`: the source is closed and points to its survivor, keeps its
    whole timeline, and its requester and watchers start watching the target."""
    for row in sorted((source, target), key=lambda t: t.pk):  # one order: no deadlock
        lock(row)
    require_agent(actor, "merge tickets")
    require_visible(actor, source)
    require_visible(actor, target)
    if source.pk == target.pk:
        raise InvalidInput("a ticket cannot be merged into itself", field="target")
    if source.organization_id != target.organization_id:
        raise InvalidInput("tickets of different clients cannot be merged", field="target")
    if source.merged_into_id is not None or source.status == Status.CLOSED:
        raise InvalidTransition(f"{source.number} is already closed", field="source")
    if target.status == Status.CLOSED:
        raise InvalidTransition(f"{target.number} is closed", field="target")
    old = source.status
    source.status = Status.CLOSED
    source.closed_at = clock.now()
    source.merged_into = target
    deadlines.note(source, deadlines.engine().status_changed(source, old, actor))
    event = write_event(
        source,
        EventKind.MERGED,
        actor,
        public=True,
        body=f"Merged into {target.number}",
        data={"into": target.number},
    )
    touch(source, "status", "closed_at", "merged_into")
    stakeholders = {source.requester, *source.watchers.all()} - {target.requester}
    target.watchers.add(*stakeholders)
    write_event(
        target,
        EventKind.MERGED_IN,
        actor,
        public=True,
        body=f"{source.number} was merged into this ticket",
        data={"from": source.number},
    )
    touch(target)
    return event
