"""The reports' demo data: the monthly client report turned on for Acme Manufacturing (mailed
on the 1st to its organisation admin). The figures come from the demo's tickets; the reports
store nothing else. Idempotent, and works at any clock time."""

from __future__ import annotations

from deskside.accounts.models import Organization
from deskside.reports.services import set_monthly_report

DEMO_CLIENT = "acme"


def seed_demo() -> None:
    organization = Organization.objects.filter(slug=DEMO_CLIENT).first()
    if organization is None:
        return
    set_monthly_report(actor=None, organization=organization, enabled=True, day_of_month=1)
