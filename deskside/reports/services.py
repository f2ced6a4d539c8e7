"""The reports' write side: a client's monthly report setting (with its audit entry)."""

from __future__ import annotations

from django.db import transaction

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import is_agent
from deskside.accounts.queries import serves
from deskside.core import audit, clock
from deskside.reports.exceptions import Forbidden, InvalidInput
from deskside.reports.models import MonthlyReportSetting


@transaction.atomic
def set_monthly_report(
    *, actor: User | None, organization: Organization, enabled: bool, day_of_month: int = 1
) -> MonthlyReportSetting:
    """Turn the monthly client report of `organization` on or off and set the day of the month
    it is mailed (1-28). Agents serving the client only (`actor` None: the system, the demo
    seeder); writes an audit entry when anything changed. Raises Forbidden, InvalidInput
    (field "day_of_month")."""
    if actor is not None and (not is_agent(actor) or not serves(actor, organization.pk)):
        raise Forbidden("only an agent serving this client may change its monthly report")
    if not 1 <= day_of_month <= 28:
        raise InvalidInput("the day of the month is 1 to 28", field="day_of_month")
    setting, _ = MonthlyReportSetting.objects.select_for_update().get_or_create(
        organization=organization
    )
    before = {"enabled": setting.enabled, "day_of_month": setting.day_of_month}
    setting.enabled, setting.day_of_month = enabled, day_of_month
    setting.updated_at, setting.updated_by = clock.now(), actor
    setting.save()
    audit.record_update(
        actor,
        "monthly_report",
        organization.slug,
        label=f"Monthly report of {organization}",
        before=before,
        after={"enabled": enabled, "day_of_month": day_of_month},
    )
    return setting
