import pytest

from deskside.reports.demo import seed_demo
from deskside.reports.models import MonthlyReportSetting

pytestmark = pytest.mark.django_db


def test_seed_demo_turns_the_monthly_report_on_once(acme):
    seed_demo()
    seed_demo()
    setting = MonthlyReportSetting.objects.get()
    assert setting.organization == acme and setting.enabled and setting.day_of_month == 1
