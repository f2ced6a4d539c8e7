"""Reads of the alerts app: who sees which integrations, alerts and maintenance windows, and
the token look-up of the intake endpoints (cached in process memory for a few seconds, since
a busy monitoring tool sends hundreds of events a second with the same token)."""

import threading
import time
from datetime import timedelta

from django.db.models import Count, Q, QuerySet

from deskside.accounts.models import Organization, User
from deskside.accounts.queries import served_organization_ids
from deskside.alerts.models import (
    Alert,
    IntakeError,
    Integration,
    MaintenanceWindow,
    hash_token,
)
from deskside.core import clock

# How long a token's integration (or an organisation slug) is remembered by one process. A
# deactivated or regenerated token stops working at once in the process that changed it and
# within this many seconds in the others.
CACHE_SECONDS = 5.0
_cache: dict[str, tuple[float, Integration | None]] = {}
_org_cache: dict[str, tuple[float, Organization | None]] = {}
_lock = threading.Lock()


def integration_for_token(raw: str) -> Integration | None:
    """The active integration a bearer token belongs to, or None (unknown, regenerated or
    deactivated). The organisation and service user come loaded."""
    if not raw or len(raw) > 200:
        return None
    digest = hash_token(raw)
    now = time.monotonic()
    hit = _cache.get(digest)
    if hit is not None and hit[0] > now:
        return hit[1]
    integration = (
        Integration.objects.select_related("organization", "service_user", "team")
        .filter(token_hash=digest, is_active=True)
        .first()
    )
    with _lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[digest] = (now + CACHE_SECONDS, integration)
    return integration


def organization_by_slug(slug: str) -> Organization | None:
    """The client with this slug, or None (also for text no slug can hold: NUL, lone
    surrogates, which the databases refuse even in a look-up)."""
    if "\x00" in slug or slug.encode("utf-8", errors="ignore").decode() != slug:
        return None
    now = time.monotonic()
    hit = _org_cache.get(slug)
    if hit is not None and hit[0] > now:
        return hit[1]
    org = Organization.objects.filter(slug=slug).first()
    with _lock:
        if len(_org_cache) > 10_000:
            _org_cache.clear()
        _org_cache[slug] = (now + CACHE_SECONDS, org)
    return org


def forget_cached() -> None:
    """Drop every cached token and slug (after a token changes; tests between cases)."""
    with _lock:
        _cache.clear()
        _org_cache.clear()


# -- visibility --------------------------------------------------------------------------------


def _org_filter(user: User, field: str) -> Q | None:
    """None: no restriction (an agent serving every client); Q(pk__in=[]) for non-agents."""
    if not user.is_authenticated or not user.is_active or not user.is_agent:
        return Q(pk__in=[])
    ids = served_organization_ids(user)
    if ids is None:
        return None
    return Q(**{f"{field}__in": ids})


def integrations_visible_to(user: User) -> QuerySet[Integration]:
    """Agents see the integrations of the clients they serve and the MSP-wide ones; an agent
    serving every client sees all. Customers see none."""
    qs = Integration.objects.select_related("organization", "team")
    restriction = _org_filter(user, "organization_id")
    if restriction is None:
        return qs
    if not user.is_agent:
        return qs.none()
    return qs.filter(restriction | Q(organization__isnull=True))


def alerts_visible_to(user: User) -> QuerySet[Alert]:
    """Alerts of the clients the agent serves (all for an unrestricted agent); none for
    customers (they see the tickets alerts open, in the portal, not the alerts)."""
    qs = Alert.objects.select_related("integration", "organization", "ticket", "storm_ticket")
    restriction = _org_filter(user, "organization_id")
    return qs if restriction is None else qs.filter(restriction)


def windows_visible_to(user: User) -> QuerySet[MaintenanceWindow]:
    qs = MaintenanceWindow.objects.select_related("organization", "created_by")
    restriction = _org_filter(user, "organization_id")
    return qs if restriction is None else qs.filter(restriction)


def filter_alerts(
    qs: QuerySet[Alert],
    *,
    integration: str | None = None,
    organization: str | None = None,
    status: str | None = None,
    severity: str | None = None,
) -> QuerySet[Alert]:
    """Filters of the index page and GET /alerts: integration public id, client slug, status
    ("open" for firing, acknowledged and suppressed), severity."""
    if integration:
        qs = qs.filter(integration__public_id=integration)
    if organization:
        qs = qs.filter(organization__slug=organization)
    if status == "open":
        qs = qs.filter(status__in=["firing", "acknowledged", "suppressed"])
    elif status:
        qs = qs.filter(status=status)
    if severity:
        qs = qs.filter(severity=severity)
    return qs


def severity_counts(qs: QuerySet[Alert]) -> list[tuple[str, int]]:
    """Open alerts per severity, most first (for the index page's bar chart)."""
    rows = (
        qs.filter(status__in=["firing", "acknowledged", "suppressed"])
        .values("severity")
        .annotate(n=Count("id"))
        .order_by("-n", "severity")
    )
    return [(row["severity"] or "none", row["n"]) for row in rows]


def active_windows(organization: Organization) -> list[MaintenanceWindow]:
    now = clock.now()
    return list(
        MaintenanceWindow.objects.filter(
            organization=organization, starts_at__lte=now, ends_at__gt=now
        )
    )


def recent_cutoff() -> timedelta:
    return timedelta(days=7)


def with_suppressed_counts(qs: QuerySet[MaintenanceWindow]) -> QuerySet[MaintenanceWindow]:
    """Each window with `suppressed_count`: the alerts it kept from opening tickets."""
    return qs.annotate(suppressed_count=Count("alerts"))


def intake_errors(integration: Integration) -> QuerySet[IntakeError]:
    """What the integration sent that was refused, latest first."""
    return IntakeError.objects.filter(integration=integration).order_by("-last_seen", "-pk")


def may_see_intake_errors(user: User, integration: Integration) -> bool:
    """Whoever sees a client's integration sees its refusals; those of an MSP-wide one (whose
    samples may carry any client's alert) only an agent serving every client."""
    if not user.is_authenticated or not user.is_active or not user.is_agent:
        return False
    return integration.organization_id is not None or served_organization_ids(user) is None


def intake_errors_visible_to(user: User, integration: Integration) -> QuerySet[IntakeError]:
    qs = intake_errors(integration)
    return qs if may_see_intake_errors(user, integration) else qs.none()


def with_intake_error_counts(qs: QuerySet[Integration]) -> QuerySet[Integration]:
    """Each integration with `intake_error_count`: the kinds of refusal on record."""
    return qs.annotate(intake_error_count=Count("intake_errors"))
