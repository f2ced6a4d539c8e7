"""Opening tickets: `create_ticket`, the L1 desk's `intake_call`, and logging calls."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from deskside.accounts import services as directory
from deskside.accounts.models import Organization, Site, Team, Tier, User
from deskside.accounts.phones import to_e164
from deskside.accounts.queries import served_organization_ids
from deskside.core import clock
from deskside.core.exceptions import DomainError
from deskside.core.files import removed_on_error
from deskside.tickets import deadlines, idempotency
from deskside.tickets.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.tickets.models import (
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
    require_serves,
    require_text,
    require_visible,
)
from deskside.tickets.services.status import _status_event, resolve_ticket
from deskside.tickets.timeline import reindex, store_attachments, touch, write_event

CUSTOMER_CHANNELS = (Channel.WEB, Channel.API, Channel.EMAIL)
CUSTOMER_PRIORITIES = (Priority.P2, Priority.P3, Priority.OPS)
MAX_SUBJECT = 250


@dataclass(frozen=True)
class Created:
    """What `create_ticket` returns: the ticket and whether this call made it (False when an
    idempotency key replayed an earlier create)."""

    ticket: Ticket
    created: bool = True


@dataclass(frozen=True)
class NewTicket:
    """What a new ticket is opened with: `create_ticket`'s request, checked there. Related
    objects are rows already loaded (the adapters resolve and scope identifiers first)."""

    subject: str
    organization: Organization | None = None
    requester: User | None = None
    description: str = ""
    type: str = TicketType.INCIDENT
    priority: int | str = Priority.P3
    channel: str = Channel.WEB
    site: Site | None = None
    team: Team | None = None
    assignee: User | None = None
    tier: str = Tier.L1
    watchers: Sequence[User] = ()
    parent: Ticket | None = None
    # Extra keys for the `created` event's data (the mail or alert that opened the ticket).
    event_data: dict[str, Any] | None = None
    # The team the intake channel routes to (a mailbox's team), applied whoever the actor is.
    intake_team: Team | None = None


def create_ticket(
    *,
    actor: User,
    ticket: NewTicket,
    attachments: Iterable[UploadedFile] = (),
    idempotency_key: str | None = None,
) -> Created:
    """Open `ticket` and write its `created` event.

    A customer opens tickets for their own organisation only, as requester (an organisation
    admin may name a colleague), through the web, API or email channels, at P2 or below (P1 is
    an agent's triage decision because it pages someone at any hour), and cannot assign.
    `ticket.intake_team` is the team the intake channel routes to (a mailbox's team), applied
    whoever the actor is. With `idempotency_key` (`tickets.idempotency`), a second call by the
    same actor with the same key and the same arguments returns the first ticket
    (`created=False`) instead of opening another, even when both race; the same key with other
    arguments raises IdempotencyConflict (409), a key over 200 characters InvalidInput.
    """
    attachments = list(attachments)  # read twice with a key: for its fingerprint, then stored
    # The request's fingerprint: every field of the new ticket and the files, by name.
    fields: dict[str, Any] = {f.name: getattr(ticket, f.name) for f in dataclass_fields(ticket)}
    fields["watchers"] = list(ticket.watchers)
    fields["attachments"] = attachments
    with removed_on_error():  # a rollback takes the files it stored too
        done = idempotency.once(
            actor=actor,
            key=idempotency_key,
            action="create",
            ticket=None,
            fields=fields,
            run=lambda: _create(actor, ticket, attachments),
        )
    return Created(done.result, created=not done.replayed)


def _customer_terms(actor: User, new: NewTicket, priority: int) -> tuple[Organization, User]:
    """What a customer may open: for their own organisation, as requester (an organisation
    admin may name a colleague), by web, API or email, at P2 or below, unrouted. Returns the
    organisation and requester; raises NotAllowed or InvalidInput."""
    organization, requester = new.organization, new.requester
    if organization is not None and organization.pk != actor.organization_id:
        raise NotAllowed("customers open tickets for their own organisation only")
    organization = actor.organization
    if requester is None or not actor.is_org_admin:
        requester = actor
    elif requester.organization_id != actor.organization_id or not requester.is_customer:
        raise InvalidInput(
            "the requester must be a contact of your organisation", field="requester"
        )
    if new.parent is not None and not visible_tickets(actor).filter(pk=new.parent.pk).exists():
        raise InvalidInput("no such parent ticket", field="parent")
    if new.channel not in CUSTOMER_CHANNELS:
        raise InvalidInput("customers open tickets by web, API or email", field="channel")
    if priority not in CUSTOMER_PRIORITIES:
        raise InvalidInput("customers may choose P2, P3 or OPS; the desk sets P1", field="priority")
    if new.assignee is not None or new.team is not None or new.tier != Tier.L1:
        raise NotAllowed("customers cannot assign or route tickets")
    return organization, requester


def _create(actor: User, new: NewTicket, attachments: Iterable[UploadedFile]) -> Ticket:
    organization, requester, site, team = new.organization, new.requester, new.site, new.team
    priority = new.priority
    subject = require_text(new.subject, "subject", "a subject")
    if len(subject) > MAX_SUBJECT:
        raise InvalidInput(f"the subject is longer than {MAX_SUBJECT} characters", field="subject")
    require_choice(new.type, TicketType, "type")
    require_choice(new.channel, Channel, "channel")
    require_choice(new.tier, Tier, "tier")
    priority = parse_priority(priority)
    if actor.is_customer:
        organization, requester = _customer_terms(actor, new, priority)
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
    require_active_agent(new.assignee, "assignee")
    require_serves(new.assignee, organization, "assignee")
    if new.parent is not None and new.parent.organization_id != organization.pk:
        raise InvalidInput("the parent ticket belongs to another organisation", field="parent")
    _check_watchers(new.watchers, organization)
    if new.intake_team is not None and team is None:
        team = new.intake_team  # the channel's routing (a mailbox's team), not the actor's choice

    now = clock.now()
    ticket = Ticket(
        organization=organization,
        requester=requester,
        site=site,
        subject=subject,
        description=(new.description or "").strip(),
        type=new.type,
        priority=priority,
        channel=new.channel,
        status=Status.OPEN if new.assignee else Status.NEW,
        tier=new.tier,
        team=team,
        assignee=new.assignee,
        parent=new.parent,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    deadlines.engine().started(ticket)  # due times go in with the INSERT
    deadlines.keep_earliest_due(ticket)
    ticket.save(force_insert=True)
    if new.watchers:
        ticket.watchers.set(new.watchers)
    event = write_event(
        ticket,
        EventKind.CREATED,
        actor,
        public=True,
        body=ticket.description,
        data={
            "channel": new.channel,
            "priority": Priority(priority).label,
            "type": new.type,
            "tier": new.tier,
            "team": team.name if team else None,
            "assignee": new.assignee.get_full_name() if new.assignee else None,
            **(new.event_data or {}),
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
    new = NewTicket(
        subject=subject,
        organization=organization,
        requester=requester,
        description=description,
        type=type,
        priority=priority,
        channel=channel,
        site=site,
        assignee=actor if assign_to_me else None,
    )
    ticket = _create(actor, new, ())
    summary = description.strip() or subject
    log_call(actor=actor, ticket=ticket, minutes=minutes, body=summary)
    if resolution.strip():
        resolve_ticket(actor=actor, ticket=ticket, resolution=resolution)
    return ticket


@dataclass(frozen=True)
class NewContact:
    """A caller the directory does not know yet, as the agent took them down on the call:
    `intake_call_new_contact` adds them to the ticket's client."""

    full_name: str
    email: str
    phone: str = ""
    site: Site | None = None


@transaction.atomic
def intake_call_new_contact(
    *,
    actor: User,
    organization: Organization,
    contact: NewContact,
    subject: str,
    **call: Any,
) -> Ticket:
    """`intake_call` for a caller who is not in the directory: adds them as a contact of
    `organization` (a customer who cannot sign in until they set a password) and logs the
    call on a new ticket they requested, in one transaction: a refused ticket adds nobody.

    Only an agent who serves `organization` may add its contacts. The contact's errors name
    `contact_name`, `contact_email`, `contact_phone` or `site`; `call` takes the other
    arguments of `intake_call` (the ticket's site defaults to the contact's)."""
    require_agent(actor, "log calls")
    require_serves(actor, organization, "organization")
    name = require_text(contact.full_name, "contact_name", "the caller's name")
    if contact.phone.strip() and to_e164(contact.phone) is None:
        raise InvalidInput(f"{contact.phone!r} is not a phone number", field="contact_phone")
    try:
        person = directory.create_user(
            email=contact.email,
            full_name=name,
            organization=organization,
            site=contact.site,
            phone=contact.phone,
        )
    except DomainError as error:
        if error.field == "email":
            error.field = "contact_email"
        raise
    call.setdefault("site", contact.site)
    return intake_call(
        actor=actor, organization=organization, requester=person, subject=subject, **call
    )
