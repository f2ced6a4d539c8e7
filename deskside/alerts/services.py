"""Alert intake (the set-up of integrations and maintenance windows is deskside.alerts.setup;
the tickets it opens and the notes it writes on them, deskside.alerts.ticketing).

The intake (`receive`) turns parsed events into alerts and tickets:

Every look-up is by (integration, client, key): on an MSP-wide integration two clients'
monitoring may send the same key, and one client's alert must never count on, acknowledge or
resolve another client's ticket. Alert storms are per (integration, client) too.

- trigger, no open alert for the key: a new alert and a ticket (channel alert, incident,
  priority from the severity, the integration's team, requested by the client's "Monitoring"
  stand-in contact, created by the integration's service agent), unless a maintenance window
  suppresses it (recorded, no ticket) or the integration is in an alert storm (grouped into
  the storm's one ticket);
- trigger, open alert: one UPDATE adds an occurrence (the hot path: no ticket write, and a
  timeline line "Alert fired again" at most once per REPEAT_NOTE_MINUTES);
- acknowledge: the alert is acknowledged, noted on the ticket;
- resolve: the alert is resolved and the ticket follows the integration's rule (resolve, close
  or only a note) unless an agent already resolved or closed it. A resolve for a key with no
  open alert is accepted and answered "ignored".

A trigger after a resolve opens a new alert and a new ticket (one ticket per firing episode,
as PagerDuty does); the new ticket's description names the previous one.

Two requests racing to open the same key end as one alert: the partial unique constraint
refuses the second insert, which is retried as an occurrence.

An event that cannot be taken (malformed, an unknown client, another client's) is answered
"rejected" and kept as an intake error of the integration (`record_rejection`); the other
events of its request are taken all the same.
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q

from deskside.accounts.models import Organization
from deskside.alerts import queries
from deskside.alerts.exceptions import AlertError, InvalidPayload, Unauthorized, WrongClient
from deskside.alerts.models import (
    OPEN_ALERT_STATUSES,
    Alert,
    AlertStatus,
    IntakeError,
    Integration,
    MaintenanceWindow,
)
from deskside.alerts.payloads import ACKNOWLEDGE, TRIGGER, AlertEvent, Rejection, without_secrets
from deskside.alerts.ticketing import (
    PLAIN_ORIGIN,  # noqa: F401 - a public name of the intake (tests read it from here)
    REPEAT_NOTE_MINUTES,
    _details_public,
    _note,
    _number,
    _open_ticket,
    _storm_ticket,
    monitoring_contact,  # noqa: F401 - a public name of the intake
)
from deskside.core import bulk, clock, versioning
from deskside.core.exceptions import DomainError
from deskside.tickets import services as tickets
from deskside.tickets.models import (
    TRANSITIONS,
    EventKind,
    Status,
    Ticket,
)
from deskside.tickets.timeline import write_event

log = logging.getLogger(__name__)

LAST_EVENT_SECONDS = 60
RETRIES = 3
# The de-duplication look-ups repeat the condition of the partial unique index
# alerts_one_open_alert_per_client_key word for word, with literals: SQLite uses a partial
# index only for a query whose WHERE contains the index's own condition (a bound parameter does not
# count), and it is the only index on the key; without it every look-up scans all the alerts
# the integration ever raised (3x slower at 3,000). PostgreSQL proves the subset either way.
OPEN_SQL = "status IN ({})".format(", ".join(f"'{s.value}'" for s in OPEN_ALERT_STATUSES))
OPEN_WHERE = f'"{Alert._meta.db_table}".{OPEN_SQL}'  # for QuerySet.extra (joins elsewhere)
APPEND_CHUNK = 500  # keys per UPDATE of a group (SQL parameters stay well under limits)


@dataclass
class Outcome:
    """What happened to one event, as the intake endpoints answer it."""

    dedup_key: str
    outcome: str  # created, appended, suppressed, grouped, acknowledged, resolved, ignored,
    # rejected
    alert: str | None = None
    ticket: str | None = None
    occurrences: int | None = None
    generated_key: bool = False
    # A rejected event: why, the field at fault (its full path) and the status it stands for.
    detail: str | None = None
    field: str | None = None
    status_code: int | None = None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "dedup_key": self.dedup_key or None,
            "outcome": self.outcome,
            "alert": self.alert,
            "ticket": self.ticket,
        }
        if self.occurrences is not None:
            body["occurrences"] = self.occurrences
        if self.outcome == "rejected":
            body["detail"] = self.detail
            body["field"] = self.field
        return body


# -- intake ------------------------------------------------------------------------------------


def _organization_for(integration: Integration, event: AlertEvent) -> Organization:
    """The client an event is for. A client's integration refuses an event naming another
    client (WrongClient, 403); an MSP-wide one needs a known slug (InvalidPayload, 422). The
    field is named relative to the alert (`labels.client`, or `organization` for events)."""
    where = (
        f"labels.{integration.organization_label}"
        if integration.kind == Integration.Kind.ALERTMANAGER
        else "organization"
    )
    bound = integration.organization
    if bound is not None:
        if event.organization is not None and event.organization != bound.slug:
            raise WrongClient(f"this integration raises alerts for {bound.name} only", field=where)
        return bound
    if event.organization is None:
        raise InvalidPayload(
            f"this integration serves every client: name the client's slug in {where}",
            field=where,
        )
    org = queries.organization_by_slug(event.organization)
    if org is None:
        raise InvalidPayload(f"no client with the slug {event.organization!r}", field=where)
    return org


def receive(
    *, integration: Integration, events: list[AlertEvent | Rejection], index: bool = True
) -> list[Outcome]:
    """Apply parsed events in order, each in its own transaction, and answer each one's
    outcome. An event refused (a `Rejection` from the parser, or a client it may not name) is
    answered "rejected" and recorded as an intake error (`record_rejection`); the others are
    taken all the same, so one bad alert never blocks its group. `index`: the events are
    `alerts[i]` of a group (their fields are named so); False for a lone event.

    A group whose keys are all distinct has its repeats counted first, in one statement
    (`_append_many`): events of different keys touch different alerts, so the order between
    them changes nothing. A group naming a key twice goes one by one."""
    accepted: list[tuple[AlertEvent, Organization]] = []
    slots: list[Rejection | int] = []
    for i, event in enumerate(events):
        if isinstance(event, Rejection):
            slots.append(event)
            continue
        try:
            organization = _organization_for(integration, event)
        except AlertError as exc:
            slots.append(
                Rejection(
                    reason=exc.message,
                    field=exc.field or "",
                    dedup_key="" if event.generated_key else event.dedup_key,
                    index=i if index else None,
                    status_code=exc.status_code,
                    sample=event.raw,
                )
            )
            continue
        slots.append(len(accepted))
        accepted.append((event, organization))
    appended = _append_many(integration, accepted)
    taken = []
    for event, organization in accepted:
        if event.action == TRIGGER:
            outcome = appended.get((organization.pk, event.dedup_key)) or trigger(
                integration=integration, event=event, organization=organization
            )
        elif event.action == ACKNOWLEDGE:
            outcome = acknowledge(
                integration=integration, organization=organization, dedup_key=event.dedup_key
            )
        else:
            outcome = resolve(
                integration=integration, organization=organization, dedup_key=event.dedup_key
            )
        outcome.generated_key = event.generated_key
        taken.append(outcome)
    outcomes = []
    for slot in slots:
        if isinstance(slot, Rejection):
            record_rejection(integration=integration, rejection=slot)
            outcomes.append(
                Outcome(
                    slot.dedup_key,
                    "rejected",
                    detail=slot.reason,
                    field=slot.path,
                    status_code=slot.status_code,
                )
            )
        else:
            outcomes.append(taken[slot])
    _mark_seen(integration)
    return outcomes


def _sample(value: Any) -> str:
    """A refused alert as JSON text (a raw body as its text), without the token, at most
    IntakeError.SAMPLE_CHARS long."""
    if isinstance(value, bytes):
        text = value[: IntakeError.SAMPLE_CHARS * 4].decode("utf-8", errors="replace")
    else:
        try:
            text = json.dumps(without_secrets(value), default=str, sort_keys=True)
        except (TypeError, ValueError, RecursionError):
            text = "(the alert could not be kept as JSON)"
    text = _clean(text)
    limit = IntakeError.SAMPLE_CHARS
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clean(text: str) -> str:
    """Text that either database stores as it is: NUL dropped (PostgreSQL refuses it in
    text), lone surrogates replaced (they cannot be encoded)."""
    return text.replace("\x00", "").encode("utf-8", errors="replace").decode("utf-8")


def record_rejection(*, integration: Integration, rejection: Rejection) -> IntakeError | None:
    """Record a refused alert as an intake error of its integration: the one row for its
    (dedup key, field, reason) counts it again and keeps it as the latest sample, or a new row
    is made (returned; None when it counted on an existing row). Race-free on both
    databases: the unique (integration, fingerprint) constraint lets one insert win; a loser
    counts on the winner's row."""
    dedup_key = _clean(rejection.dedup_key)[:255]
    field = _clean(rejection.field)[:255]
    reason = _clean(rejection.reason)[:1024]
    digest = hashlib.sha256("\x1f".join((dedup_key, field, reason)).encode()).hexdigest()
    sample = _sample(rejection.sample) if rejection.sample is not None else ""
    now = clock.now()
    rows = IntakeError.objects.filter(integration=integration, fingerprint=digest)
    for _attempt in range(RETRIES):
        if rows.update(count=F("count") + 1, last_seen=now, sample=sample):
            return None
        try:
            with transaction.atomic():
                return IntakeError.objects.create(
                    integration=integration,
                    fingerprint=digest,
                    dedup_key=dedup_key,
                    field=field,
                    reason=reason,
                    status_code=rejection.status_code,
                    first_seen=now,
                    last_seen=now,
                    sample=sample,
                )
        except IntegrityError:
            log.info("intake error %s recorded concurrently; counting", digest)
    return None  # pragma: no cover - cleared and re-made three times in a row


def _mark_seen(integration: Integration) -> None:
    """Write `last_event_at` at most once a minute per process: a busy integration must not
    turn every event into a second write."""
    now = clock.now()
    last = integration.last_event_at
    if last is None or (now - last).total_seconds() > LAST_EVENT_SECONDS or now < last:
        integration.last_event_at = now  # the cached copy remembers it too
        Integration.objects.filter(pk=integration.pk).update(last_event_at=now)


def _param(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _append(integration: Integration, organization: Organization, dedup_key: str) -> Outcome | None:
    """The hot path: one UPDATE ... RETURNING adds an occurrence to the client's open,
    ticketed alert of the key (firing or acknowledged). None when there is none."""
    now = clock.now()
    due = now - timedelta(minutes=REPEAT_NOTE_MINUTES)
    rows = bulk.update_returning(
        Alert,
        assign="occurrences = occurrences + 1, last_seen = %s",
        assign_params=[_param(now)],
        where=f"integration_id = %s AND organization_id = %s AND dedup_key = %s "
        f"AND {OPEN_SQL} AND status <> %s",
        where_params=[integration.pk, organization.pk, dedup_key, AlertStatus.SUPPRESSED.value],
        returning=[c for c in RETURNING if c != "dedup_key"],
        returning_params=[_param(due)],
    )
    row = rows[0] if rows else None
    if row is None:
        return None
    pk, public_id, ticket_id, storm_ticket_id, occurrences, note_due = row
    if note_due and ticket_id:
        _note_repeat(integration, pk, ticket_id, occurrences, now, due)
    return Outcome(
        dedup_key=dedup_key,
        outcome="appended",
        alert=public_id,
        ticket=_number(ticket_id or storm_ticket_id),
        occurrences=occurrences,
    )


# What an appended occurrence returns (see _append_many).
RETURNING = (
    "id",
    "dedup_key",
    "public_id",
    "ticket_id",
    "storm_ticket_id",
    "occurrences",
    "CASE WHEN noted_at <= %s THEN 1 ELSE 0 END",
)


def _append_many(
    integration: Integration, events: list[tuple[AlertEvent, Organization]]
) -> dict[tuple[int, str], Outcome]:
    """The hot path of a group: one UPDATE ... RETURNING per client and APPEND_CHUNK keys adds
    an occurrence to each open, ticketed alert among the group's triggers; their outcomes by
    (client id, key) (the others are left to `trigger`). Nothing for a single event (`_append`
    does it) or a group that names a client's key twice (its events must apply in order).

    The rows are locked in id order first (core.bulk.update_returning), so two groups sharing
    keys in different orders wait for each other instead of deadlocking."""
    pairs = {(org.pk, event.dedup_key) for event, org in events}
    if len(events) < 2 or len(pairs) != len(events):
        return {}
    by_client: dict[int, list[str]] = {}
    for event, org in events:
        if event.action == TRIGGER:
            by_client.setdefault(org.pk, []).append(event.dedup_key)
    if sum(len(keys) for keys in by_client.values()) < 2:
        return {}
    now = clock.now()
    due = now - timedelta(minutes=REPEAT_NOTE_MINUTES)
    found: dict[tuple[int, str], Outcome] = {}
    notes = []
    chunks = [
        (org_id, keys[start : start + APPEND_CHUNK])
        for org_id, keys in sorted(by_client.items())
        for start in range(0, len(keys), APPEND_CHUNK)
    ]
    for org_id, chunk in chunks:
        rows = bulk.update_returning(
            Alert,
            assign="occurrences = occurrences + 1, last_seen = %s",
            assign_params=[_param(now)],
            where=(
                "integration_id = %s AND organization_id = %s "
                f"AND dedup_key IN ({', '.join(['%s'] * len(chunk))}) "
                f"AND {OPEN_SQL} AND status <> %s"
            ),
            where_params=[integration.pk, org_id, *chunk, AlertStatus.SUPPRESSED.value],
            returning=RETURNING,
            returning_params=[_param(due)],
            lock_in_id_order=True,
        )
        for pk, key, public_id, ticket_id, storm_ticket_id, occurrences, note_due in rows:
            if note_due and ticket_id:
                notes.append((pk, ticket_id, occurrences))
            found[(org_id, key)] = Outcome(
                dedup_key=key,
                outcome="appended",
                alert=public_id,
                ticket=_number(ticket_id or storm_ticket_id),
                occurrences=occurrences,
            )
    for pk, ticket_id, occurrences in notes:
        _note_repeat(integration, pk, ticket_id, occurrences, now, due)
    return found


def _note_repeat(
    integration: Integration,
    alert_id: int,
    ticket_id: int,
    occurrences: int,
    now: datetime,
    due: datetime,
) -> None:
    """ "Alert fired again (n occurrences)" on the timeline, by the one request that claims
    the note (a conditional UPDATE), at most once per REPEAT_NOTE_MINUTES per alert."""
    with transaction.atomic():
        claimed = Alert.objects.filter(pk=alert_id, noted_at__lte=due).update(noted_at=now)
        if claimed:
            write_event(
                Ticket.objects.get(pk=ticket_id),  # whole, for the event receivers
                EventKind.ALERT,
                integration.service_user,
                body=f"Alert fired again ({occurrences} occurrences)",
                data={"alert": {"integration": integration.name, "occurrences": occurrences}},
            )


def trigger(*, integration: Integration, event: AlertEvent, organization: Organization) -> Outcome:
    """A trigger of `event.dedup_key`: an occurrence of its open alert, or a new alert."""
    for _attempt in range(RETRIES):
        appended = _append(integration, organization, event.dedup_key)
        if appended is not None:
            return appended
        try:
            with transaction.atomic():
                return _trigger_slow(integration, event, organization)
        except IntegrityError:
            # Another request opened the same key between our UPDATE and INSERT: it is now an
            # occurrence of that alert (the loop's next UPDATE finds it).
            log.info("alert %s opened concurrently; appending", event.dedup_key)
    appended = _append(integration, organization, event.dedup_key)
    if appended is None:  # pragma: no cover - three lost races in a row
        raise IntegrityError(f"could not record alert {event.dedup_key}")
    return appended


def _trigger_slow(
    integration: Integration, event: AlertEvent, organization: Organization
) -> Outcome:
    if not versioning.hold(integration):
        # Deleted since the request read its token: it cannot raise alerts any more (and a
        # delete waits for this transaction, so it sees the alert written below).
        raise Unauthorized("this integration was deleted: its token no longer works")
    now = clock.now()
    current = (
        Alert.objects.select_for_update()
        .filter(
            integration=integration,
            organization=organization,
            dedup_key=event.dedup_key,
            status__in=OPEN_ALERT_STATUSES,
        )
        .extra(where=[OPEN_WHERE])  # noqa: S610 - a constant: lets SQLite use the key's index
        .first()
    )
    if current is not None and current.status != AlertStatus.SUPPRESSED:
        # Opened (or acknowledged) since our UPDATE looked: count it here.
        Alert.objects.filter(pk=current.pk).update(occurrences=F("occurrences") + 1, last_seen=now)
        return Outcome(
            event.dedup_key,
            "appended",
            current.public_id,
            _number(current.ticket_id or current.storm_ticket_id),
            current.occurrences + 1,
        )
    window = _window_for(organization, event.labels)
    if current is not None:  # suppressed
        if window is not None:
            Alert.objects.filter(pk=current.pk).update(
                occurrences=F("occurrences") + 1, last_seen=now
            )
            return Outcome(
                event.dedup_key, "suppressed", current.public_id, None, current.occurrences + 1
            )
        # Its maintenance window is over and it still fires: now it needs a ticket.
        current.occurrences += 1
        current.last_seen = current.noted_at = now
        current.status = AlertStatus.FIRING
        return _ticket_or_storm(integration, current, event, promoted=True)
    alert = Alert(
        integration=integration,
        organization=organization,
        dedup_key=event.dedup_key,
        severity=event.severity,
        source=event.source,
        summary=event.summary or event.dedup_key,
        details=event.details,
        labels=event.labels,
        first_seen=now,
        last_seen=now,
        noted_at=now,
    )
    if window is not None:
        alert.status = AlertStatus.SUPPRESSED
        alert.maintenance_window = window
        alert.save(force_insert=True)
        return Outcome(event.dedup_key, "suppressed", alert.public_id, None, 1)
    alert.status = AlertStatus.FIRING
    alert.save(force_insert=True)  # claims the key before the ticket is written
    return _ticket_or_storm(integration, alert, event, promoted=False)


def _window_for(organization: Organization, labels: dict[str, Any]) -> MaintenanceWindow | None:
    for window in queries.active_windows(organization):
        if window.matches(labels):
            return window
    return None


def _in_storm(integration: Integration, alert: Alert) -> bool:
    """Whether a new alert belongs to a storm: `flood_threshold` is the most new alerts of
    the integration *for the alert's client* that open tickets of their own within the flood
    window; the next one (this alert, when at least `flood_threshold` others of the client are
    already new within the window) is grouped. Another client's flood never counts: on an
    MSP-wide integration each client storms alone. Suppressed alerts do not count; 0 turns
    grouping off.

    Race-free: the integration's row is locked before counting, so concurrent first alerts
    decide one after the other and each count sees the alerts committed before it (without
    the lock, PostgreSQL's READ COMMITTED let racing requests all count too few and open
    more tickets than the threshold). The lock is held to the end of the caller's
    transaction, which also writes the alert; repeats never come here."""
    if not integration.flood_threshold:
        return False
    # FOR NO KEY UPDATE: it serialises the counts, but not against the FOR KEY SHARE lock that
    # inserting this (or a racing) alert took on the row through its foreign key; FOR UPDATE
    # would conflict with that and deadlock two first alerts on PostgreSQL.
    Integration.objects.select_for_update(no_key=True).filter(pk=integration.pk).values_list(
        "pk"
    ).first()
    since = alert.last_seen - timedelta(minutes=integration.flood_window_minutes)
    others = (
        Alert.objects.filter(
            integration=integration, organization=alert.organization, first_seen__gte=since
        )
        .exclude(pk=alert.pk)
        .exclude(status=AlertStatus.SUPPRESSED)
        .count()
    )
    return others >= integration.flood_threshold


def _ticket_or_storm(
    integration: Integration, alert: Alert, event: AlertEvent, *, promoted: bool
) -> Outcome:
    if _in_storm(integration, alert):
        storm = _storm_ticket(integration, alert)
        alert.storm_ticket = storm
        alert.save(update_fields=_after_claim(promoted, "storm_ticket"))
        return Outcome(alert.dedup_key, "grouped", alert.public_id, storm.number, alert.occurrences)
    ticket = _open_ticket(integration, alert, promoted=promoted)
    alert.ticket = ticket
    alert.save(update_fields=_after_claim(promoted, "ticket"))
    return Outcome(alert.dedup_key, "created", alert.public_id, ticket.number, alert.occurrences)


def _after_claim(promoted: bool, link: str) -> list[str]:
    """Fields to save once the ticket exists: the link, and for a promoted (formerly
    suppressed) alert also what the promotion changed."""
    return [link, "status", "occurrences", "last_seen", "noted_at"] if promoted else [link]


def _open_alert(
    integration: Integration, organization: Organization, dedup_key: str
) -> Alert | None:
    return (
        Alert.objects.select_for_update(of=("self",))
        .filter(
            integration=integration,
            organization=organization,
            dedup_key=dedup_key,
            status__in=OPEN_ALERT_STATUSES,
        )
        .extra(where=[OPEN_WHERE])  # noqa: S610 - a constant: lets SQLite use the key's index
        .select_related("ticket")
        .first()
    )


@transaction.atomic
def acknowledge(*, integration: Integration, organization: Organization, dedup_key: str) -> Outcome:
    """The monitoring tool acknowledged the client's alert: recorded, and noted on its ticket.
    A key with no open alert of that client is answered "ignored"."""
    alert = _open_alert(integration, organization, dedup_key)
    if alert is None:
        return Outcome(dedup_key, "ignored")
    if alert.status == AlertStatus.FIRING:
        alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = clock.now()
    alert.save(update_fields=["status", "acknowledged_at"])
    if alert.ticket is not None:
        _note(
            integration,
            alert.ticket,
            f"Alert acknowledged in {integration.name}: {alert.summary}",
            {"integration": integration.name, "dedup_key": dedup_key, "status": "acknowledged"},
        )
    return Outcome(dedup_key, "acknowledged", alert.public_id, _number(alert.ticket_id))


@transaction.atomic
def resolve(*, integration: Integration, organization: Organization, dedup_key: str) -> Outcome:
    """The problem is over: the client's alert is resolved and its ticket follows the
    integration's resolve rule, unless an agent already resolved or closed it (then only a
    note). A key with no open alert of that client is answered "ignored" (another client's
    alert of the same key is never touched)."""
    alert = _open_alert(integration, organization, dedup_key)
    if alert is None:
        return Outcome(dedup_key, "ignored")
    now = clock.now()
    alert.status = AlertStatus.RESOLVED
    alert.resolved_at = now
    alert.save(update_fields=["status", "resolved_at"])
    ticket = alert.ticket
    while ticket is not None and ticket.merged_into_id is not None:
        ticket = ticket.merged_into
    if ticket is not None:
        _follow_rule(integration, alert, ticket)
    return Outcome(dedup_key, "resolved", alert.public_id, _number(alert.ticket_id))


def _follow_rule(integration: Integration, alert: Alert, ticket: Ticket) -> None:
    text = (
        f"Alert resolved in {integration.name}: {alert.summary} "
        f"(fired {alert.occurrences} time{'s' if alert.occurrences != 1 else ''})."
    )
    # How many of the ticket's alerts still fire: the paging app stops a chain nobody answered
    # yet when none does (a resolved alert never pages; deskside.paging.triggers).
    still_open = Alert.objects.filter(
        Q(ticket=ticket) | Q(storm_ticket=ticket), status__in=OPEN_ALERT_STATUSES
    ).count()
    data = {
        "integration": integration.name,
        "dedup_key": alert.dedup_key,
        "status": "resolved",
        "open_alerts": still_open,
    }
    rule = integration.resolve_rule
    target = Status.RESOLVED if rule == Integration.ResolveRule.RESOLVE else Status.CLOSED
    done = ticket.status in (Status.RESOLVED, Status.CLOSED)
    if rule == Integration.ResolveRule.NOTE or done or target not in TRANSITIONS[ticket.status]:
        # Only a note, or an agent already resolved or closed it: their decision stands.
        _note(integration, ticket, text, data)
        return
    # The resolution (or closing reason) is public: with internal details it names the alert
    # by its summary only, and the integration's line stays on the (internal) alert event.
    shown = (
        text
        if _details_public(integration)
        else f"Monitoring reports this is over: {alert.summary}"
    )
    if not _details_public(integration):
        _note(integration, ticket, text, data)
    # A rule of the ticket may refuse (a work order's QC gate: the ticket is not resolved until
    # its checklist is done). The alert is still resolved; the ticket stays open with a note
    # saying why, for the agent, instead of the refusal failing the monitor's delivery.
    try:
        with transaction.atomic():
            if rule == Integration.ResolveRule.RESOLVE:
                tickets.resolve_ticket(
                    actor=integration.service_user, ticket=ticket, resolution=shown
                )
            else:
                tickets.close_ticket(actor=integration.service_user, ticket=ticket, reason=shown)
    except DomainError as refused:
        _note(
            integration,
            ticket,
            f"{text} The ticket stays open: {refused.message}",
            {**data, "refused": refused.message},
        )
