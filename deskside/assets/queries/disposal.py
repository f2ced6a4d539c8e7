"""Who sees which disposal batches, and the read side of the disposal pages and report.

Agents see the batches of the clients they serve and record new ones; a client's
organisation admins (`is_org_admin`) read their own organisation's batches, certificates and
report (read-only); any other customer sees none. Every page and endpoint of the disposal
part goes through these functions.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import is_agent, is_customer
from deskside.accounts.queries import organizations_visible_to, serves
from deskside.assets.models import Asset, DisposalBatch, Lifecycle

NEW_BATCH_SHOWN = 500  # retired assets offered at once on the new-batch page (filter for more)


def is_reader(user: User) -> bool:
    """Whether `user` may open the disposal pages at all: agents and organisation admins."""
    return is_agent(user) or bool(is_customer(user) and user.is_org_admin)


def disposal_clients(user: User) -> QuerySet[Organization]:
    """The clients whose disposals `user` may read, by name."""
    if is_agent(user):
        return organizations_visible_to(user).filter(is_msp=False).order_by("name")
    if is_customer(user) and user.is_org_admin and user.organization_id:
        return Organization.objects.filter(pk=user.organization_id, is_msp=False)
    return Organization.objects.none()


def client_for(user: User, slug: str) -> Organization | None:
    """The client `slug` when `user` may read its disposals, else None."""
    return disposal_clients(user).filter(slug=slug).first() if slug else None


def may_dispose(user: User, organization: Organization) -> bool:
    """Agents who serve the client record its disposal batches."""
    return is_agent(user) and serves(user, organization.pk)


def batches_visible_to(user: User) -> QuerySet[DisposalBatch]:
    """The batches `user` may read, newest hand-over first, with their asset counts."""
    return (
        DisposalBatch.objects.filter(organization__in=disposal_clients(user))
        .select_related("organization", "created_by")
        .annotate(asset_count=Count("assets"))
        .order_by("-handed_over_on", "-id")
    )


def batch_for(user: User, public_id: str) -> DisposalBatch | None:
    return batches_visible_to(user).filter(public_id=public_id).first()


def batch_assets(batch: DisposalBatch) -> QuerySet[Asset]:
    return batch.assets.select_related("site").order_by("asset_tag", "serial", "id")


def retired_assets(
    organization: Organization, *, kind: str = "", site: str = "", text: str = ""
) -> QuerySet[Asset]:
    """The client's retired assets not yet in a batch (what a new batch may hold), by tag."""
    qs = Asset.objects.filter(
        organization=organization, status=Lifecycle.RETIRED, disposal_batch=None
    ).select_related("site")
    if kind:
        qs = qs.filter(kind=kind)
    if site:
        qs = qs.filter(site__public_id=site)
    text = text.strip()
    if text:
        qs = qs.filter(
            Q(asset_tag__icontains=text)
            | Q(serial__icontains=text)
            | Q(name__icontains=text)
            | Q(model__icontains=text)
        )
    return qs.order_by("asset_tag", "serial", "id")


def disposed_assets(
    organization: Organization, start: date | None = None, end: date | None = None
) -> QuerySet[Asset]:
    """The client's disposed assets handed over from `start` to `end` (both included), in
    hand-over order: the rows of the disposal report."""
    qs = Asset.objects.filter(
        organization=organization, status=Lifecycle.DISPOSED, disposal_batch__isnull=False
    )
    if start is not None:
        qs = qs.filter(disposal_batch__handed_over_on__gte=start)
    if end is not None:
        qs = qs.filter(disposal_batch__handed_over_on__lte=end)
    return qs.select_related("disposal_batch").order_by(
        "disposal_batch__handed_over_on", "disposal_batch_id", "asset_tag", "serial", "id"
    )
