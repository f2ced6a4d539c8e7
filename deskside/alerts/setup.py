"""Setting up alert intake: integrations (their token, severity map, resolve rule, flood
protection) and maintenance windows. Administrators set up integrations; any agent serving a
client plans that client's maintenance windows. The intake itself is deskside.alerts.services.
Each change to an integration writes its audit entry (deskside.core.audit; never its token).
"""

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from deskside.accounts import services as accounts
from deskside.accounts.models import Organization, Team, User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.accounts.queries import served_organization_ids, serves
from deskside.alerts import queries
from deskside.alerts.exceptions import InUse, InvalidPayload, NotAllowed
from deskside.alerts.models import (
    Alert,
    IntakeError,
    Integration,
    MaintenanceWindow,
    default_severity_map,
    generate_token,
    hash_token,
)
from deskside.core import audit, clock, versioning
from deskside.tickets.models import Priority


def _require_admin(actor: User, organization: Organization | None) -> None:
    if not is_admin(actor):
        raise NotAllowed("only administrators may set up alert integrations")
    if organization is not None:
        if not serves(actor, organization.pk):
            raise NotAllowed(f"you do not serve {organization}")
    elif served_organization_ids(actor) is not None:
        raise NotAllowed("only an administrator serving every client may set up an MSP-wide one")


def _check_severity_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise InvalidPayload("the severity map must be an object", field="severity_map")
    clean = {}
    for key, label in value.items():
        if not isinstance(key, str) or not key.strip():
            raise InvalidPayload("severity names must be text", field="severity_map")
        if not isinstance(label, str) or label.upper() not in Priority.labels:
            raise InvalidPayload(
                f"severity {key!r} must map to one of {', '.join(Priority.labels)}",
                field="severity_map",
            )
        clean[key.strip().lower()] = label.upper()
    return clean


def _validated(fields: dict[str, Any]) -> dict[str, Any]:
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise InvalidPayload("a name is required", field="name")
        if len(fields["name"]) > 100:
            raise InvalidPayload("the name is longer than 100 characters", field="name")
    if "kind" in fields and fields["kind"] not in Integration.Kind.values:
        raise InvalidPayload(
            f"kind must be one of {', '.join(Integration.Kind.values)}", field="kind"
        )
    if "resolve_rule" in fields and fields["resolve_rule"] not in Integration.ResolveRule.values:
        raise InvalidPayload(
            f"resolve_rule must be one of {', '.join(Integration.ResolveRule.values)}",
            field="resolve_rule",
        )
    if "alert_details" in fields and fields["alert_details"] not in Integration.Details.values:
        raise InvalidPayload(
            f"alert_details must be one of {', '.join(Integration.Details.values)}",
            field="alert_details",
        )
    if "organization_label" in fields:
        fields["organization_label"] = (fields["organization_label"] or "").strip()
        if not fields["organization_label"]:
            raise InvalidPayload("the organisation label is required", field="organization_label")
    if "severity_map" in fields:
        fields["severity_map"] = _check_severity_map(fields["severity_map"])
    if "is_active" in fields and not isinstance(fields["is_active"], bool):  # null: NOT NULL
        raise InvalidPayload("is_active must be true or false", field="is_active")
    for name, low, high in (("flood_threshold", 0, 100_000), ("flood_window_minutes", 1, 1440)):
        if name in fields:
            value = fields[name]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise InvalidPayload(f"{name} must be a whole number {low}-{high}", field=name)
    return fields


@transaction.atomic
def create_integration(
    *,
    actor: User,
    name: str,
    kind: str,
    organization: Organization | None = None,
    organization_label: str = "client",
    severity_map: dict[str, str] | None = None,
    resolve_rule: str = Integration.ResolveRule.RESOLVE,
    alert_details: str = Integration.Details.INTERNAL,
    team: Team | None = None,
    flood_threshold: int = 20,
    flood_window_minutes: int = 5,
) -> tuple[Integration, str]:
    """Create an integration and its service agent; returns it with its raw token (shown
    once: only its hash is kept). Administrators only."""
    _require_admin(actor, organization)
    fields = _validated(
        {
            "name": name,
            "kind": kind,
            "organization_label": organization_label,
            "severity_map": default_severity_map() if severity_map is None else severity_map,
            "resolve_rule": resolve_rule,
            "alert_details": alert_details,
            "flood_threshold": flood_threshold,
            "flood_window_minutes": flood_window_minutes,
        }
    )
    service_user = accounts.create_user(
        email=f"integration-{secrets.token_hex(6)}@alerts.invalid",
        full_name=f"{fields['name']} (monitoring)",
        kind="agent",
    )
    # It acts only through this app: no password, not active (no sign-in, no token, not in
    # the assignee pickers), limited to the integration's client when it has one.
    service_user.is_active = False
    service_user.set_unusable_password()
    service_user.save(update_fields=["is_active", "password"])
    if organization is not None:
        service_user.served_organizations.set([organization])
    raw = generate_token()
    integration = Integration.objects.create(
        **fields,
        organization=organization,
        team=team,
        token_hash=hash_token(raw),
        token_prefix=raw[:8],
        service_user=service_user,
        created_by=actor,
    )
    _audit(actor, audit.CREATED, integration, after=audit.snapshot(integration, AUDITED))
    return integration, raw


UPDATABLE = (
    "name",
    "organization_label",
    "severity_map",
    "resolve_rule",
    "alert_details",
    "team",
    "flood_threshold",
    "flood_window_minutes",
    "is_active",
)
AUDITED = ("kind", "organization", *UPDATABLE)


def _audit(actor: User, action: str, integration: Integration, **values: Any) -> None:
    audit.record(
        actor, action, "alerts.integration", integration.public_id, label=integration.name, **values
    )


@transaction.atomic
def update_integration(
    *, actor: User, integration: Integration, version: int | None = None, **changes: Any
) -> Integration:
    """Change an integration's settings (not its kind or client: make a new one for that).
    Deactivating it refuses its token from now on.

    `version` is the one the editor read: an integration changed since (an edit, a new token)
    raises VersionConflict, a deleted one Gone (core.versioning). Only the settings given are
    written, never the token or the storm state of a stale copy, and never an INSERT: an edit
    racing a delete used to re-create the row and fail on its deleted service agent (a 500)."""
    _require_admin(actor, integration.organization)
    versioning.lock(integration, version)
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidPayload(f"{name} cannot be changed", field=name)
    changes = _validated(dict(changes))
    old = audit.snapshot(integration, AUDITED)
    for name, value in changes.items():
        setattr(integration, name, value)
    if "name" in changes:
        User.objects.filter(pk=integration.service_user_id).update(
            full_name=f"{integration.name} (monitoring)"
        )
    versioning.save(integration, list(changes))
    audit.record_update(
        actor,
        "alerts.integration",
        integration.public_id,
        label=integration.name,
        before=old,
        after=audit.snapshot(integration, AUDITED),
    )
    # Now, and again after commit (a request may re-cache the old row in between).
    queries.forget_cached()
    transaction.on_commit(queries.forget_cached)
    return integration


@transaction.atomic
def delete_integration(*, actor: User, integration: Integration) -> None:
    """Delete an integration that never raised an alert (a mistake), with its service agent.
    One with alerts keeps their history: deactivate it instead (InUse, 409).

    The row is locked first: on PostgreSQL that waits for an alert being written for it (its
    insert holds a key-share lock on the integration) and holds back new ones until the
    delete is done, so the check below sees every alert; a deleted one is Gone (404)."""
    _require_admin(actor, integration.organization)
    versioning.lock(integration)
    if Alert.objects.filter(integration=integration).exists():
        raise InUse(
            f"{integration.name} has raised alerts; deactivate it instead", field="is_active"
        )
    service_user = integration.service_user
    _audit(actor, audit.DELETED, integration, before=audit.snapshot(integration, AUDITED))
    integration.delete()
    service_user.delete()
    queries.forget_cached()
    transaction.on_commit(queries.forget_cached)


@transaction.atomic
def regenerate_token(*, actor: User, integration: Integration) -> str:
    """A new token for the integration; the old one stops working. Returns the raw token.
    Bumps the version: an edit drawn before it is refused (VersionConflict)."""
    _require_admin(actor, integration.organization)
    versioning.lock(integration)  # serialised with edits, which cannot write the old one back
    raw = generate_token()
    integration.token_hash = hash_token(raw)
    integration.token_prefix = raw[:8]
    versioning.save(integration, ["token_hash", "token_prefix"])
    _audit(actor, "token_regenerated", integration)  # a secret: no values
    # Now, and again after commit (a request may re-cache the old row in between).
    queries.forget_cached()
    transaction.on_commit(queries.forget_cached)
    return raw


@transaction.atomic
def clear_intake_errors(
    *, actor: User, integration: Integration, public_id: str | None = None
) -> int:
    """Clear the integration's intake errors (all, or the one with `public_id`) once its
    sender is fixed; returns how many went. Administrators, as for the rest of its set-up. A
    refusal that comes again is recorded anew."""
    _require_admin(actor, integration.organization)
    rows = IntakeError.objects.filter(integration=integration)
    if public_id is not None:
        rows = rows.filter(public_id=public_id)
    deleted, _ = rows.delete()
    return deleted


def _check_window(actor: User, organization: Organization | None) -> None:
    if not is_agent(actor):
        raise NotAllowed("only agents may plan maintenance windows")
    if organization is None:
        raise InvalidPayload("a client is required", field="organization")
    if not serves(actor, organization.pk):
        raise NotAllowed(f"you do not serve {organization}")


@transaction.atomic
def create_maintenance_window(
    *,
    actor: User,
    organization: Organization | None,
    starts_at: datetime | None,
    ends_at: datetime | None,
    reason: str,
    matchers: dict[str, str] | None = None,
) -> MaintenanceWindow:
    """Plan a period in which the client's alerts (those matching every matcher, or all) are
    recorded but open no ticket. Any agent serving the client may (change work is theirs)."""
    _check_window(actor, organization)
    if starts_at is None:
        starts_at = clock.now()
    if ends_at is None:
        raise InvalidPayload("an end time is required", field="ends_at")
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value.tzinfo is None:
            raise InvalidPayload(f"{name} needs a time zone (e.g. Z or +01:00)", field=name)
    if ends_at <= starts_at:
        raise InvalidPayload("the window must end after it starts", field="ends_at")
    if ends_at - starts_at > timedelta(days=31):
        raise InvalidPayload("a window lasts at most 31 days", field="ends_at")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidPayload("a reason is required", field="reason")
    matchers = matchers or {}
    if not isinstance(matchers, dict) or not all(
        isinstance(k, str) and k and isinstance(v, str) for k, v in matchers.items()
    ):
        raise InvalidPayload("matchers must map label names to values", field="matchers")
    return MaintenanceWindow.objects.create(
        organization=organization,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason[:500],
        matchers=matchers,
        created_by=actor,
    )


@transaction.atomic
def end_maintenance_window(*, actor: User, window: MaintenanceWindow) -> MaintenanceWindow:
    """End a window now (one not started yet is cancelled: it ends as it starts). Alerts it
    suppressed that keep firing open tickets at their next trigger."""
    _check_window(actor, window.organization)
    now = clock.now()
    if window.ends_at <= now:
        raise InvalidPayload("this window has already ended", field="ends_at")
    window.ends_at = max(now, window.starts_at)
    window.save(update_fields=["ends_at"])
    return window
