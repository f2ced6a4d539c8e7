"""The tickets the alert intake opens and the notes it writes on them (deskside.alerts.services
decides when): the client's "Monitoring" stand-in requester, an alert's ticket and an alert
storm's one ticket, their subjects and descriptions, and whether the monitoring details are
shown to the client."""

import json
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction

from deskside.accounts import services as accounts
from deskside.accounts.exceptions import AccountsError
from deskside.accounts.models import Organization, User
from deskside.alerts.models import Alert, AlertStatus, AlertStorm, Integration
from deskside.core import clock
from deskside.tickets import services as tickets
from deskside.tickets.models import (
    Channel,
    EventKind,
    Priority,
    Status,
    Ticket,
    TicketType,
    format_number,
)
from deskside.tickets.timeline import reindex, write_event

REPEAT_NOTE_MINUTES = 15
MAX_SUBJECT = 250


def _number(ticket_id: int | None) -> str | None:
    # Ticket.number without building a model instance (this runs on every repeat).
    return format_number(ticket_id) if ticket_id else None


def monitoring_contact(organization: Organization) -> User:
    """The client's stand-in requester of alert tickets, "Monitoring", with an address under
    the reserved `.invalid` domain (never written to; mail's unknown-sender stand-in does the
    same)."""
    address = f"monitoring@{organization.slug}.invalid"
    user = User.objects.filter(email=address).first()
    if user is not None:
        return user
    try:
        with transaction.atomic():
            return accounts.create_user(
                email=address, full_name="Monitoring", organization=organization
            )
    except (IntegrityError, AccountsError):
        # A concurrent first alert of the same client made it: use theirs.
        user = User.objects.filter(email=address).first()
        if user is None:
            raise
        return user


def _details_public(integration: Integration) -> bool:
    return integration.alert_details == Integration.Details.PUBLIC


def _describe(integration: Integration, alert: Alert) -> str:
    """The alert's details: the integration, severity, source, key, labels, annotations and
    payload fields, and the ticket of the key's previous episode for this client. The
    ticket's description when the integration makes them public, else an internal note."""
    lines = [alert.summary, ""]
    lines.append(f"Integration: {integration.name}")
    if alert.severity:
        lines.append(f"Severity: {alert.severity}")
    if alert.source:
        lines.append(f"Source: {alert.source}")
    lines.append(f"De-duplication key: {alert.dedup_key}")
    if alert.labels:
        lines += ["", "Labels:"] + [f"  {k}={v}" for k, v in sorted(alert.labels.items())]
    details = dict(alert.details or {})
    annotations = details.pop("annotations", None)
    if annotations:
        lines += ["", "Annotations:"] + [f"  {k}: {v}" for k, v in sorted(annotations.items())]
    if details:
        lines += ["", "Details:", json.dumps(details, indent=2, sort_keys=True, default=str)]
    previous = (
        Alert.objects.filter(
            integration=integration,
            organization=alert.organization,
            dedup_key=alert.dedup_key,
            status=AlertStatus.RESOLVED,
            ticket__isnull=False,
        )
        .order_by("-resolved_at")
        .values_list("ticket_id", flat=True)
        .first()
    )
    if previous:
        lines += ["", f"The same alert fired before: {_number(previous)}."]
    return "\n".join(lines)


# What the customer reads on an alert's ticket when its details are internal: the alert's own
# summary (its title, as the monitoring tool wrote it for people) and where it came from.
PLAIN_ORIGIN = "Opened automatically by the service desk's monitoring."
PROMOTED = "This alert fired during a maintenance window and still fires after it ended."


def _alert_data(integration: Integration, alert: Alert, **extra: Any) -> dict[str, Any]:
    """The `alert` data of the ticket's created event (public: the customer's API reads it).
    The severity always (paging decides with it); the integration, key and source only when
    the integration makes details public, else on the internal note."""
    data: dict[str, Any] = {"severity": alert.severity, **extra}
    if _details_public(integration):
        data = {
            "integration": integration.name,
            "dedup_key": alert.dedup_key if not extra.get("storm") else "",
            "severity": alert.severity,
            "source": alert.source,
            **extra,
        }
    return data


def _details_note(integration: Integration, ticket: Ticket, body: str, alert: Alert) -> None:
    """The alert's details as an internal note on its new ticket (agents only), by the
    integration's service agent, in the ticket's internal search text."""
    write_event(
        ticket,
        EventKind.NOTE,
        integration.service_user,
        body=body,
        data={
            "alert": {
                "integration": integration.name,
                "dedup_key": alert.dedup_key,
                "severity": alert.severity,
                "source": alert.source,
                "details": True,
            }
        },
    )
    reindex(ticket)


def _subject(alert: Alert) -> str:
    prefix = f"[{alert.severity.upper()}] " if alert.severity else ""
    text = f"{prefix}{alert.summary}"
    return text if len(text) <= MAX_SUBJECT else text[: MAX_SUBJECT - 1] + "…"


def _open_ticket(integration: Integration, alert: Alert, *, promoted: bool) -> Ticket:
    """The alert's own ticket. Its details go to the description when the integration makes
    them public; otherwise the description is the alert's summary in plain words and the
    details are an internal note written with the ticket."""
    details = _describe(integration, alert)
    public = _details_public(integration)
    description = details if public else f"{alert.summary}\n\n{PLAIN_ORIGIN}"
    if promoted:
        description += f"\n\n{PROMOTED}"
    ticket = tickets.create_ticket(
        actor=integration.service_user,
        ticket=tickets.NewTicket(
            subject=_subject(alert),
            organization=alert.organization,
            requester=monitoring_contact(alert.organization),
            description=description,
            type=TicketType.INCIDENT,
            priority=integration.priority_for(alert.severity),
            channel=Channel.ALERT,
            team=integration.team,
            event_data={"alert": _alert_data(integration, alert)},
        ),
    ).ticket
    if not public:
        _details_note(integration, ticket, details, alert)
    return ticket


def _storm_ticket(integration: Integration, alert: Alert) -> Ticket:
    """The storm ticket of the alert's client on this integration: the current one while the
    storm lasts (an alert grouped within the flood window, and the ticket still open), else a
    new one, of that client. The caller holds the integration's row lock (`_in_storm`), so
    two requests never make the client's storm row or ticket twice."""
    organization = alert.organization
    state = AlertStorm.objects.filter(integration=integration, organization=organization).first()
    if state is None:
        state = AlertStorm.objects.create(integration=integration, organization=organization)
    now = alert.last_seen
    window = timedelta(minutes=integration.flood_window_minutes)
    storm: Ticket | None = None
    if state.ticket_id and state.last_at is not None and now - state.last_at <= window:
        storm = Ticket.objects.filter(pk=state.ticket_id).first()
        if storm is not None and storm.status in (Status.RESOLVED, Status.CLOSED):
            storm = None
    if storm is None:
        technical = (
            f"More than {integration.flood_threshold} new alerts from {integration.name} "
            f"within {integration.flood_window_minutes} minutes. Further new alerts are "
            "grouped on this ticket (see its alert panel) until the storm quiets: then new "
            f"alerts open tickets of their own again.\n\nFirst grouped: {alert.summary}"
        )
        public = _details_public(integration)
        storm = tickets.create_ticket(
            actor=integration.service_user,
            ticket=tickets.NewTicket(
                subject=_subject_storm(integration),
                organization=organization,
                requester=monitoring_contact(organization),
                description=technical
                if public
                else (
                    "Monitoring raised many alerts at once; the service desk handles them "
                    f"together on this ticket.\n\nFirst: {alert.summary}\n\n{PLAIN_ORIGIN}"
                ),
                type=TicketType.INCIDENT,
                priority=min(integration.priority_for(alert.severity), int(Priority.P2)),
                channel=Channel.ALERT,
                team=integration.team,
                event_data={"alert": _alert_data(integration, alert, storm=True)},
            ),
        ).ticket
        if not public:
            _details_note(
                integration, storm, f"{technical}\n\n{_describe(integration, alert)}", alert
            )
        state.ticket = storm
        state.noted_at = now
    elif state.noted_at is None or now - state.noted_at >= timedelta(minutes=REPEAT_NOTE_MINUTES):
        grouped = Alert.objects.filter(storm_ticket=storm).count() + 1
        write_event(
            storm,
            EventKind.ALERT,
            integration.service_user,
            body=f"Alert storm goes on: {grouped} alerts grouped so far (latest: {alert.summary})",
            data={"alert": {"integration": integration.name, "grouped": grouped}},
        )
        state.noted_at = now
    state.last_at = now
    state.save(update_fields=["ticket", "last_at", "noted_at"])
    return storm


def _subject_storm(integration: Integration) -> str:
    if not _details_public(integration):
        return "Alert storm: many monitoring alerts at once"
    return f"Alert storm: {integration.name}"[:MAX_SUBJECT]


def _note(integration: Integration, ticket: Ticket, body: str, data: dict[str, Any]) -> None:
    write_event(ticket, EventKind.ALERT, integration.service_user, body=body, data={"alert": data})
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=clock.now())
