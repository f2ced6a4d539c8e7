"""Read side of webhooks: who sees which webhook and its delivery log, and the per-day
counts behind the delivery chart.

Agents only. An agent who serves every client sees every webhook; an agent limited to some
clients sees only the webhooks of those clients (an MSP-wide or team webhook carries every
client's tickets). Customers see none. Archived (deleted) webhooks are not shown.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncDate

from deskside.accounts.models import User
from deskside.accounts.queries import served_organization_ids
from deskside.core import clock
from deskside.webhooks.models import Delivery, Webhook

CHART_DAYS = 14


def webhooks_visible_to(user: User) -> QuerySet[Webhook]:
    qs = Webhook.objects.filter(deleted_at__isnull=True).select_related("organization", "team")
    if not user.is_authenticated or not user.is_active or not user.is_agent:
        return qs.none()
    ids = served_organization_ids(user)
    return qs if ids is None else qs.filter(organization_id__in=ids)


def webhook_for(user: User, public_id: str) -> Webhook | None:
    return webhooks_visible_to(user).filter(public_id=public_id).first()


def deliveries_of(webhook: Webhook, status: str | None = None) -> QuerySet[Delivery]:
    """The webhook's delivery log, newest first."""
    qs = Delivery.objects.filter(webhook=webhook).order_by("-id")
    return qs.filter(status=status) if status else qs


@dataclass(frozen=True)
class Day:
    day: date
    delivered: int
    failed: int

    @property
    def total(self) -> int:
        return self.delivered + self.failed


def daily_outcomes(webhook: Webhook, days: int = CHART_DAYS) -> list[Day]:
    """Delivered and failed deliveries per day (UTC, by creation) of the last `days` days,
    oldest first, days without any included as zeros."""
    today = clock.now().date()
    first = today - timedelta(days=days - 1)
    rows = (
        Delivery.objects.filter(
            webhook=webhook,
            created_at__gte=datetime.combine(first, time(), tzinfo=UTC),
            status__in=(Delivery.Status.DELIVERED, Delivery.Status.FAILED),
        )
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day")
        .annotate(
            delivered=Count("id", filter=Q(status=Delivery.Status.DELIVERED)),
            failed=Count("id", filter=Q(status=Delivery.Status.FAILED)),
        )
    )
    by_day = {r["day"]: (r["delivered"], r["failed"]) for r in rows}
    return [
        Day(d, *by_day.get(d, (0, 0))) for d in (first + timedelta(days=i) for i in range(days))
    ]


def last_deliveries(webhooks: list[Webhook]) -> dict[int, Delivery]:
    """The newest delivery of each of `webhooks` (for the index), in one query."""
    newest = (
        Delivery.objects.filter(webhook__in=webhooks)
        .values("webhook_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    return {d.webhook_id: d for d in Delivery.objects.filter(pk__in=newest)}
