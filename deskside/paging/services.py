"""The paging app's domain operations: deciding that a ticket pages, acknowledging, and the
set-up (contact methods, escalation policies with their steps, paging rules per contract).

Every write takes its actor as a keyword argument and runs in one transaction with its
timeline event. Deciding and starting a chain happens in the transaction of the ticket event
that caused it (`triggers.event_written`): the Escalation row with `next_at = now` is an
outbox row, so a ticket is never committed without its chain, nor a chain without its ticket;
the worker pages (deskside.paging.worker).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import apprise
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils.text import slugify

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import is_admin
from deskside.accounts.queries import serves
from deskside.core import audit, clock, netguard, versioning
from deskside.duty.models import Schedule
from deskside.paging.exceptions import AlreadyDone, BadLink, InvalidInput, NotAllowed
from deskside.paging.models import (
    ContactMethod,
    Escalation,
    EscalationPolicy,
    EscalationStep,
    Page,
    PagingRule,
)
from deskside.sla.models import Contract
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind, Priority, Status, Ticket
from deskside.tickets.queries import visible_tickets
from deskside.tickets.rules import lock
from deskside.tickets.timeline import write_event

ACK_SALT = "deskside.paging.ack"
ACK_LINK_HOURS = 24

# Alert severities from worst to mildest, as the alerts app and Alertmanager name them.
SEVERITY_RANK = {
    "critical": 4,
    "error": 3,
    "major": 3,
    "high": 3,
    "warning": 2,
    "medium": 2,
    "info": 1,
    "low": 1,
}
RULE_RANK = {"critical": 4, "error": 3, "warning": 2}


# -- deciding ----------------------------------------------------------------------------------


def rule_for(ticket: Ticket) -> PagingRule | None:
    """The paging rule of the ticket's contract: the client's own contract when it has one,
    else the default contract (the same choice as the SLA engine). One query."""
    contracts = list(
        Contract.objects.filter(Q(organization_id=ticket.organization_id) | Q(is_default=True))
        .select_related("paging_rule__policy", "calendar")
        .order_by("is_default")
    )
    if not contracts:
        return None
    contract = contracts[0]  # the client's own sorts first (is_default False)
    rule = getattr(contract, "paging_rule", None)
    if rule is not None:
        rule.contract = contract  # with its calendar, already loaded
    return rule


def pages_why(
    ticket: Ticket, rule: PagingRule, moment: datetime, severity: str | None = None
) -> str | None:
    """Why the ticket pages under `rule` at `moment` ("P1", "P2 outside business hours",
    "critical alert"), or None when it does not."""
    if severity and rule.alert_severity in RULE_RANK:
        rank = SEVERITY_RANK.get(severity.strip().lower(), 0)
        if rank >= RULE_RANK[rule.alert_severity]:
            return f"{severity.strip().lower()} alert"
    if ticket.priority == Priority.P1 and rule.page_p1:
        return "P1"
    if ticket.priority == Priority.P2:
        if rule.p2 == PagingRule.P2.ALWAYS:
            return "P2"
        if rule.p2 == PagingRule.P2.AFTER_HOURS and not rule.contract.calendar.engine.is_working(
            moment
        ):
            return "P2 outside business hours"
    return None


def start_if_due(ticket: Ticket, severity: str | None = None) -> Escalation | None:
    """Start the ticket's chain if its contract's rule says it pages and no chain is active.
    Runs inside the caller's transaction (the ticket event's): writes only the Escalation row,
    due now, for the worker to page."""
    if ticket.status in (Status.RESOLVED, Status.CLOSED) or ticket.merged_into_id:
        return None
    rule = rule_for(ticket)
    if rule is None:
        return None
    now = clock.now()
    reason = pages_why(ticket, rule, now, severity)
    if reason is None:
        return None
    if Escalation.objects.filter(ticket=ticket, status=Escalation.Status.ACTIVE).exists():
        return None
    try:
        with transaction.atomic():  # a savepoint: a concurrent start loses quietly
            return Escalation.objects.create(
                ticket=ticket, policy=rule.policy, reason=reason, next_at=now, started_at=now
            )
    except IntegrityError:
        return None


def stop_if_no_longer_due(ticket: Ticket, *, old: str, new: str) -> int:
    """The ticket's priority was lowered (`old` → `new`): stop its open chain when the ticket
    would no longer page now under its contract's rule, with a timeline note. A chain started
    by an alert's severity goes on (the severity did not change). Inside the caller's
    transaction (the CHANGED event's)."""
    escalation = open_escalation(ticket)
    if escalation is None or escalation.reason.endswith(" alert"):
        return 0
    rule = rule_for(ticket)
    if rule is not None and pages_why(ticket, rule, clock.now()) is not None:
        return 0
    stopped = cancel_for(ticket)
    write_event(
        ticket,
        EventKind.PAGE_FAILED,
        None,
        body=f"Paging stopped: the priority went from {old} to {new}, which does not page "
        "under the contract's paging rule.",
        data={"escalation": escalation.public_id, "stopped": "priority", "old": old, "new": new},
    )
    return stopped


def stop_for_resolved_alerts(ticket: Ticket) -> int:
    """Every alert on the ticket has resolved: stop its chain if nobody acknowledged it yet,
    with a timeline note. The ticket stays open for an agent to look at; raising its priority
    again starts a new chain. Inside the caller's transaction (the ALERT event's)."""
    escalation = open_escalation(ticket)
    if escalation is None:
        return 0
    stopped = cancel_for(ticket)
    write_event(
        ticket,
        EventKind.PAGE_FAILED,
        None,
        body="Paging stopped: the monitoring alert resolved before anyone acknowledged.",
        data={"escalation": escalation.public_id, "stopped": "alert_resolved"},
    )
    return stopped


def cancel_for(ticket: Ticket) -> int:
    """Stop the ticket's open chain (it was resolved, closed or merged); queued pages are not
    sent. Inside the caller's transaction."""
    now = clock.now()
    ids = list(
        Escalation.objects.filter(
            ticket=ticket, status__in=[Escalation.Status.ACTIVE, Escalation.Status.EXHAUSTED]
        ).values_list("pk", flat=True)
    )
    if not ids:
        return 0
    Escalation.objects.filter(pk__in=ids).update(
        status=Escalation.Status.CANCELLED, next_at=None, ended_at=now
    )
    Page.objects.filter(escalation_id__in=ids, status=Page.Status.QUEUED).update(
        status=Page.Status.CANCELLED
    )
    return len(ids)


# -- acknowledging -----------------------------------------------------------------------------


def open_escalation(ticket: Ticket) -> Escalation | None:
    """The ticket's chain still waiting for someone (paging, or everyone already paged)."""
    return (
        Escalation.objects.filter(
            ticket=ticket, status__in=[Escalation.Status.ACTIVE, Escalation.Status.EXHAUSTED]
        )
        .order_by("-started_at", "-id")
        .first()
    )


def _require_serves(actor: User, ticket: Ticket) -> None:
    if not actor.is_agent or not actor.is_active:
        raise NotAllowed("only active agents may acknowledge pages")
    if not serves(actor, ticket.organization_id):
        raise NotAllowed("you cannot see this ticket")


@transaction.atomic
def acknowledge(
    *, actor: User, escalation: Escalation, via: str, page: Page | None = None
) -> Escalation:
    """Stop the chain and give the ticket to `actor`: the status becomes acknowledged (only if
    still open: a conditional UPDATE, so of two people acknowledging at once one wins and the
    other gets AlreadyDone), queued pages are not sent, an ACKNOWLEDGED event goes on the
    timeline and the ticket is assigned to the acknowledger (an ASSIGNED event)."""
    ticket = escalation.ticket
    _require_serves(actor, ticket)
    # The ticket's row first, then the Escalation: the order of every ticket service
    # (resolve_ticket locks the ticket, then stops the chain) and of the worker's run_step,
    # which locks the ticket before it claims the chain. One order everywhere, so none of
    # them deadlock on PostgreSQL (tests/paging/test_concurrency.py).
    lock(ticket)
    if via not in Escalation.Via.values:
        raise InvalidInput(f"unknown way {via!r}", field="via")
    now = clock.now()
    won = Escalation.objects.filter(
        pk=escalation.pk,
        status__in=[Escalation.Status.ACTIVE, Escalation.Status.EXHAUSTED],
    ).update(
        status=Escalation.Status.ACKNOWLEDGED,
        next_at=None,
        ended_at=now,
        acknowledged_by=actor,
        acknowledged_at=now,
        acknowledged_via=via,
    )
    if not won:
        escalation.refresh_from_db()
        who = escalation.acknowledged_by
        if escalation.status == Escalation.Status.ACKNOWLEDGED and who is not None:
            raise AlreadyDone(f"{who.get_full_name()} already acknowledged {ticket.number}")
        raise AlreadyDone(f"paging for {ticket.number} has stopped")
    Page.objects.filter(escalation=escalation, status=Page.Status.QUEUED).update(
        status=Page.Status.CANCELLED
    )
    label = Escalation.Via(via).label
    # The step that paged the acknowledger, numbered as the PAGED event numbered it (from 1):
    # the page acknowledged, else the chain's last page. The escalation's own `step` is the
    # next one to run, which would say "step 2" for an answer to step 1's page.
    answered = page or escalation.pages.order_by("-id").only("step", "cycle").first()
    write_event(
        ticket,
        EventKind.ACKNOWLEDGED,
        actor,
        body=f"{actor.get_full_name()} acknowledged the page via {label}.",
        data={
            "escalation": escalation.public_id,
            "via": via,
            "page": page.public_id if page else None,
            "step": answered.step + 1 if answered else None,
            "cycle": answered.cycle + 1 if answered else None,
        },
    )
    if ticket.assignee_id != actor.pk and ticket.status != Status.CLOSED:
        tickets.assign_ticket(actor=actor, ticket=ticket, assignee=actor)
    escalation.refresh_from_db()
    return escalation


def acknowledge_ticket(*, actor: User, ticket: Ticket, via: str) -> Escalation:
    """Acknowledge the ticket's open chain (see `acknowledge`). Raises NotAllowed when the
    actor cannot see the ticket, AlreadyDone when nothing is waiting."""
    if not actor.is_agent or not visible_tickets(actor).filter(pk=ticket.pk).exists():
        raise NotAllowed("you cannot see this ticket")
    escalation = open_escalation(ticket)
    if escalation is None:
        last = ticket.escalations.select_related("acknowledged_by").order_by("-id").first()
        if last is not None and last.acknowledged_by is not None:
            name = last.acknowledged_by.get_full_name()
            raise AlreadyDone(f"{name} already acknowledged {ticket.number}")
        raise AlreadyDone(f"{ticket.number} is not paging anyone")
    return acknowledge(actor=actor, escalation=escalation, via=via)


def ack_token(page: Page) -> str:
    """The signed credential in a page's acknowledgement link: the page and the person, with
    the moment it was issued (checked against `core.clock`, so tests can move past expiry)."""
    return signing.dumps(
        {"p": page.public_id, "u": page.user.public_id, "t": int(clock.now().timestamp())},
        salt=ACK_SALT,
        compress=True,
    )


def page_for_token(token: str) -> Page:
    """The page a link was made for; BadLink when it was tampered with, has expired (after
    ACK_LINK_HOURS) or its page or person no longer exists."""
    try:
        data = signing.loads(token, salt=ACK_SALT)
    except signing.BadSignature:
        raise BadLink("this acknowledgement link is not valid") from None
    issued = data.get("t", 0) if isinstance(data, dict) else 0
    if clock.now().timestamp() - issued > ACK_LINK_HOURS * 3600:
        raise BadLink("this acknowledgement link has expired")
    page = (
        Page.objects.select_related("escalation__ticket__organization", "user", "escalation")
        .filter(public_id=data.get("p"), user__public_id=data.get("u"))
        .first()
    )
    if page is None:
        raise BadLink("this acknowledgement link names no page")
    return page


def link_actor(page: Page, user: User | None) -> User:
    """Who acknowledges through a page's link: a signed-in agent as themselves (the link
    was forwarded to them, or they opened a colleague's page), anyone else (not signed in, a
    customer's session) as the person the link was sent to: the signature is the credential."""
    if user is not None and user.is_authenticated and user.is_agent:
        return user
    return page.user


def acknowledge_link(*, token: str, user: User | None = None) -> Escalation:
    """Acknowledge through a page's signed link, as `link_actor(page, user)`. A signed-in
    agent who does not serve the ticket's client gets NotAllowed."""
    page = page_for_token(token)
    return acknowledge(
        actor=link_actor(page, user), escalation=page.escalation, via=Escalation.Via.LINK, page=page
    )


# -- contact methods ---------------------------------------------------------------------------


def check_address(kind: str, address: str) -> str:
    """A contact address made ready to store; InvalidInput naming `address` when it is not a
    valid email address or an Apprise URL that Apprise accepts."""
    address = (address or "").strip()
    if not address:
        raise InvalidInput("an address is required", field="address")
    if kind == ContactMethod.Kind.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            raise InvalidInput(f"{address!r} is not an email address", field="address") from None
        return address.lower()
    if kind != ContactMethod.Kind.APPRISE:
        raise InvalidInput("kind must be email or apprise", field="kind")
    if len(address) > 2000 or not apprise.Apprise().add(address):
        raise InvalidInput(
            "Apprise does not accept this URL (see the Apprise wiki for each service's form)",
            field="address",
        )
    # Advice at save time (names resolve now); the guard around each send decides.
    for host in apprise_hosts(address):
        if reason := netguard.problem(host):
            raise InvalidInput(f"this URL {reason} ({host})", field="address")
    return address


def apprise_hosts(address: str) -> list[str]:
    """The servers an Apprise URL names: its host where the service's URL forms have one
    ({host}: json://, ntfy://host, gotify://, mailto:// ...) and an email URL's SMTP server.
    Services whose URL holds only tokens (tgram://, discord:// ...) reach their vendor's fixed
    API: nothing typed to check (and a token is never sent to DNS)."""
    plugin = apprise.Apprise.instantiate(address)
    if plugin is None:
        return []
    hosts = []
    if any("{host}" in t for t in getattr(plugin, "templates", ())) and getattr(plugin, "host", ""):
        hosts.append(str(plugin.host))
    if smtp := getattr(plugin, "smtp_host", ""):
        hosts.append(str(smtp))
    return list(dict.fromkeys(hosts))


def _own(actor: User, method: ContactMethod) -> None:
    if method.user_id != actor.pk and not is_admin(actor):
        raise NotAllowed("you may change only your own contact methods")


def add_contact_method(
    *, actor: User, user: User, kind: str, address: str, label: str = ""
) -> ContactMethod:
    """Add a way to reach `user` (themselves, or anyone for an admin), last in their order."""
    if not actor.is_agent:
        raise NotAllowed("only agents have contact methods")
    if user.pk != actor.pk and not is_admin(actor):
        raise NotAllowed("you may add contact methods only for yourself")
    if not user.is_agent:
        raise InvalidInput("only agents are paged", field="user")
    address = check_address(kind, address)  # looks names up: before the transaction
    with transaction.atomic():
        last = ContactMethod.objects.filter(user=user).aggregate(m=Max("position"))["m"]
        method = ContactMethod(user=user, kind=kind, label=label.strip()[:100])
        method.address = address
        method.position = 0 if last is None else last + 1
        method.save()
    return method


def update_contact_method(
    *,
    actor: User,
    method: ContactMethod,
    address: str | None = None,
    label: str | None = None,
    is_active: bool | None = None,
    position: int | None = None,
    version: int | None = None,
) -> ContactMethod:
    """Change a contact method; `position` moves it in the person's order. `version` is the
    one the editor read: a method changed since raises VersionConflict, a deleted one Gone
    (core.versioning); only the fields given are written and a deleted method never comes
    back (save() on it used to INSERT it again)."""
    _own(actor, method)
    if address is not None:
        address = check_address(method.kind, address)  # looks names up: before the lock
    with transaction.atomic():
        versioning.lock(method, version)
        changed = []
        if address is not None:
            method.address = address
            changed += ["address_encrypted", "scheme"]
        if label is not None:
            method.label = label.strip()[:100]
            changed.append("label")
        if is_active is not None:
            method.is_active = is_active
            changed.append("is_active")
        versioning.save(method, changed)
        if position is not None:
            _reorder(method, position)
    return method


def _reorder(method: ContactMethod, position: int) -> None:
    others = [m for m in ContactMethod.objects.filter(user_id=method.user_id) if m.pk != method.pk]
    position = max(0, min(position, len(others)))
    others.insert(position, method)
    for i, m in enumerate(others):
        if m.position != i:
            ContactMethod.objects.filter(pk=m.pk).update(position=i)
    method.position = position


@transaction.atomic
def delete_contact_method(
    *, actor: User, method: ContactMethod, version: int | None = None
) -> None:
    """Remove a contact method (Gone if it already was; VersionConflict for a stale one)."""
    _own(actor, method)
    versioning.lock(method, version)
    method.delete()


# -- policies ----------------------------------------------------------------------------------


def require_admin(actor: User, what: str) -> None:
    if not is_admin(actor):
        raise NotAllowed(f"only administrators may {what}")


@dataclass(frozen=True)
class StepSpec:
    """One step as given by a form or the API."""

    target: str
    wait_minutes: int
    schedule: Schedule | None = None
    user: User | None = None
    team: Team | None = None


def _check_step(i: int, spec: StepSpec) -> None:
    field = f"steps.{i}"
    if spec.target not in EscalationStep.Target.values:
        raise InvalidInput("target must be schedule, user or team", field=f"{field}.target")
    wanted = {"schedule": spec.schedule, "user": spec.user, "team": spec.team}[spec.target]
    if wanted is None:
        raise InvalidInput(f"step {i + 1} needs its {spec.target}", field=f"{field}.{spec.target}")
    if spec.user is not None and (not spec.user.is_agent or not spec.user.is_active):
        raise InvalidInput(f"{spec.user} is not an active agent", field=f"{field}.user")
    if not 0 <= spec.wait_minutes <= 24 * 60:
        raise InvalidInput("wait between 0 and 1440 minutes", field=f"{field}.wait_minutes")


def _policy_fields(name: str, slug: str, repeat: int, exclude: int | None) -> tuple[str, str]:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput("a name of 1 to 100 characters is required", field="name")
    slug = slugify(slug or name)[:60]
    if not slug:
        raise InvalidInput("the name needs a letter or digit", field="slug")
    others = EscalationPolicy.objects.exclude(pk=exclude)
    if others.filter(name=name).exists():
        raise InvalidInput(f"a policy named {name!r} exists", field="name")
    if others.filter(slug=slug).exists():
        raise InvalidInput(f"a policy with the slug {slug!r} exists", field="slug")
    if not 0 <= repeat <= 20:
        raise InvalidInput("repeat between 0 and 20 times", field="repeat")
    return name, slug


POLICY_AUDITED = ("name", "slug", "team", "repeat", "notify_team_lead", "description")
RULE_AUDITED = ("policy", "page_p1", "p2", "alert_severity")


def _policy_snapshot(policy: EscalationPolicy) -> dict:
    """The policy's fields and steps, for the audit log."""
    values = audit.snapshot(policy, POLICY_AUDITED)
    values["steps"] = [
        audit.snapshot(step, ("target", "schedule", "user", "team", "wait_minutes"))
        for step in policy.steps.select_related("schedule", "user", "team").order_by("position")
    ]
    return values


def _write_steps(policy: EscalationPolicy, steps: list[StepSpec]) -> None:
    if not steps:
        raise InvalidInput("a policy needs at least one step", field="steps")
    for i, spec in enumerate(steps):
        _check_step(i, spec)
    policy.steps.all().delete()
    EscalationStep.objects.bulk_create(
        EscalationStep(
            policy=policy,
            position=i,
            target=s.target,
            schedule=s.schedule if s.target == "schedule" else None,
            user=s.user if s.target == "user" else None,
            team=s.team if s.target == "team" else None,
            wait_minutes=s.wait_minutes,
        )
        for i, s in enumerate(steps)
    )


@transaction.atomic
def create_policy(
    *,
    actor: User,
    name: str,
    steps: list[StepSpec],
    slug: str = "",
    team: Team | None = None,
    repeat: int = 0,
    notify_team_lead: bool = False,
    description: str = "",
) -> EscalationPolicy:
    """A new escalation policy with its steps (admins)."""
    require_admin(actor, "change escalation policies")
    name, slug = _policy_fields(name, slug, repeat, None)
    if notify_team_lead and team is None:
        raise InvalidInput("a final step to the team lead needs a team", field="team")
    policy = EscalationPolicy.objects.create(
        name=name,
        slug=slug,
        team=team,
        repeat=repeat,
        notify_team_lead=notify_team_lead,
        description=description.strip(),
    )
    _write_steps(policy, steps)
    audit.record(
        actor,
        audit.CREATED,
        "paging.policy",
        policy.slug,
        label=policy.name,
        after=_policy_snapshot(policy),
    )
    return policy


_UNSET = object()


@transaction.atomic
def update_policy(
    *,
    actor: User,
    policy: EscalationPolicy,
    name: str | None = None,
    slug: str | None = None,
    team: "Team | None | object" = _UNSET,
    repeat: int | None = None,
    notify_team_lead: bool | None = None,
    description: str | None = None,
    steps: list[StepSpec] | None = None,
    version: int | None = None,
) -> EscalationPolicy:
    """Change a policy; `steps` replaces the whole list. Running chains follow the new steps
    from their next step on (a step index past the end ends the chain). `version` is the one
    the editor read (VersionConflict if the policy or its steps changed since; Gone if it was
    deleted: it never comes back)."""
    require_admin(actor, "change escalation policies")
    versioning.lock(policy, version)
    old = _policy_snapshot(policy)
    name, slug = _policy_fields(
        policy.name if name is None else name,
        policy.slug if slug is None else slug,
        policy.repeat if repeat is None else repeat,
        policy.pk,
    )
    policy.name, policy.slug = name, slug
    if team is not _UNSET:
        policy.team = team  # type: ignore[assignment]
    if repeat is not None:
        policy.repeat = repeat
    if notify_team_lead is not None:
        policy.notify_team_lead = notify_team_lead
    if description is not None:
        policy.description = description.strip()
    if policy.notify_team_lead and policy.team is None:
        raise InvalidInput("a final step to the team lead needs a team", field="team")
    versioning.save(policy, ["name", "slug", "team", "repeat", "notify_team_lead", "description"])
    if steps is not None:
        _write_steps(policy, steps)
    audit.record_update(
        actor,
        "paging.policy",
        policy.slug,
        label=policy.name,
        before=old,
        after=_policy_snapshot(policy),
    )
    return policy


@transaction.atomic
def delete_policy(*, actor: User, policy: EscalationPolicy) -> None:
    """Delete a policy no rule and no chain uses (InvalidInput naming `policy` otherwise)."""
    require_admin(actor, "change escalation policies")
    # Locked first: a rule being set to it (which holds it) is waited for and then seen below.
    versioning.lock(policy)
    if policy.rules.exists():
        raise InvalidInput("a contract's paging rule uses this policy", field="policy")
    if Escalation.objects.filter(policy=policy).exists():
        raise InvalidInput("tickets were paged through this policy; keep it", field="policy")
    audit.record(
        actor,
        audit.DELETED,
        "paging.policy",
        policy.slug,
        label=policy.name,
        before=_policy_snapshot(policy),
    )
    policy.delete()


@transaction.atomic
def set_rule(
    *,
    actor: User,
    contract: Contract,
    policy: EscalationPolicy,
    page_p1: bool = True,
    p2: str = PagingRule.P2.AFTER_HOURS,
    alert_severity: str = PagingRule.Severity.CRITICAL,
    version: int | None = None,
) -> PagingRule:
    """Create or replace the contract's paging rule (admins). With `version` (the one the
    editor read) the rule must still be there at that version (Gone, VersionConflict); a
    policy deleted meanwhile is refused (InvalidInput naming `policy`), never a 500."""
    require_admin(actor, "change paging rules")
    if not versioning.hold(policy):
        raise InvalidInput("this policy was deleted", field="policy")
    if version is not None:
        current = PagingRule.objects.filter(contract=contract).first()
        if current is None:
            raise versioning.Gone("the paging rule")
        versioning.lock(current, version)
    if p2 not in PagingRule.P2.values:
        raise InvalidInput("p2 must be never, after_hours or always", field="p2")
    if alert_severity not in PagingRule.Severity.values:
        raise InvalidInput(
            "alert_severity must be none, critical, error or warning", field="alert_severity"
        )
    existing = PagingRule.objects.filter(contract=contract).select_related("policy").first()
    old = audit.snapshot(existing, RULE_AUDITED) if existing is not None else None
    rule, _ = PagingRule.objects.update_or_create(
        contract=contract,
        defaults={
            "policy": policy,
            "page_p1": page_p1,
            "p2": p2,
            "alert_severity": alert_severity,
            "updated_at": clock.now(),
            "version": F("version") + 1,
        },
        create_defaults={
            "policy": policy,
            "page_p1": page_p1,
            "p2": p2,
            "alert_severity": alert_severity,
            "updated_at": clock.now(),
        },
    )
    rule.refresh_from_db(fields=["version"])
    new = audit.snapshot(rule, RULE_AUDITED)
    if old is None:
        audit.record(
            actor, audit.CREATED, "paging.rule", contract.public_id, label=contract.name, after=new
        )
    else:
        audit.record_update(
            actor, "paging.rule", contract.public_id, label=contract.name, before=old, after=new
        )
    return rule


@transaction.atomic
def delete_rule(*, actor: User, rule: PagingRule, version: int | None = None) -> None:
    """The contract's tickets no longer page (running chains go on). Gone if it already
    was removed; VersionConflict if it changed since `version`."""
    require_admin(actor, "change paging rules")
    versioning.lock(rule, version)
    contract = rule.contract
    audit.record(
        actor,
        audit.DELETED,
        "paging.rule",
        contract.public_id,
        label=contract.name,
        before=audit.snapshot(rule, RULE_AUDITED),
    )
    rule.delete()


def wait_of(step: EscalationStep | None) -> timedelta:
    return timedelta(minutes=step.wait_minutes if step is not None else 5)
