"""The monthly client report: PDF and CSV per client and month (the client's days), who may
download it, its setting (audited) and its mailing (once per client and month)."""

from datetime import date, datetime

import pytest
from django.core import mail

from deskside.core import clock
from deskside.core.models import AuditEntry
from deskside.reports import monthly
from deskside.reports.models import MonthlyReportDelivery, MonthlyReportSetting
from deskside.reports.services import set_monthly_report
from deskside.reports.worker import reports_pass
from tests.conftest import client_for, login

from .conftest import NY

pytestmark = pytest.mark.django_db


def test_month_in_the_clients_days(desk, now, acme):
    report = monthly.build(acme, date(2026, 3, 17))
    volume = report.reports[0]
    # Acme (New York) in March: T1, T2, T4, T5 and T6 (1 March 23:30), all five.
    assert volume.totals[-1].value == 5
    assert report.scope.start == date(2026, 3, 1) and report.scope.end == date(2026, 3, 31)
    assert "Globex" not in monthly.csv_text(report)


def test_pdf_is_made_offline(desk, now, acme):
    document = monthly.pdf(monthly.build(acme, date(2026, 3, 1)))
    assert document.startswith(b"%PDF")


def test_pdf_fetches_nothing():
    with pytest.raises(monthly.FetchRefused):
        monthly.refuse_fetch("https://example.com/logo.png")


def test_downloads_by_agent_and_own_org_admin_only(desk, now, alice, olivia, carol, dave):
    assert login(alice).get("/reports/monthly/acme/2026-03.pdf").status_code == 200
    answer = login(olivia).get("/reports/monthly/acme/2026-03.csv")
    assert answer.status_code == 200 and b"Acme Corp" in answer.content
    assert login(olivia).get("/reports/monthly/globex/2026-03.csv").status_code == 404
    assert login(carol).get("/reports/monthly/acme/2026-03.csv").status_code == 404
    assert login(dave).get("/reports/monthly/acme/2026-03.pdf").status_code == 404
    assert login(olivia).get("/reports/monthly/").status_code == 200
    assert login(carol).get("/reports/monthly/").status_code == 403


def test_api_monthly_for_own_org_admin(desk, now, olivia, dave, alice):
    answer = client_for(olivia).get("/api/v1/reports/monthly/acme/2026-03")
    assert answer.status_code == 200
    assert answer.json()["timezone"] == "America/New_York"
    assert answer.json()["sections"][0]["totals"]["Total"] == 5
    assert client_for(olivia).get("/api/v1/reports/monthly/globex/2026-03").status_code == 403
    assert client_for(dave).get("/api/v1/reports/monthly/acme/2026-03").status_code == 403
    bad = client_for(alice).get("/api/v1/reports/monthly/acme/March")
    assert bad.status_code == 400 and bad.json()["field"] == "month"


def test_setting_is_audited_and_shows_recipients(desk, now, alice, olivia, acme):
    client = login(alice)
    answer = client.post(
        "/reports/monthly/acme/setting", {"acme-enabled": "on", "acme-day_of_month": "3"}
    )
    assert answer.status_code == 302
    setting = MonthlyReportSetting.objects.get(organization=acme)
    assert setting.enabled and setting.day_of_month == 3
    entry = AuditEntry.objects.get(object_type="monthly_report")
    assert entry.after == {"enabled": True, "day_of_month": 3}
    page = client.get("/reports/monthly/").content.decode()
    assert "olivia@acme.example" in page and "mailed on day 3" in page
    bad = client.post("/reports/monthly/acme/setting", {"acme-day_of_month": "31"})
    assert bad.status_code == 400


def test_customer_cannot_change_the_setting(desk, now, olivia):
    assert (
        login(olivia).post("/reports/monthly/acme/setting", {"acme-enabled": "on"}).status_code
        == 403
    )


def test_mailed_once_on_the_day(desk, acme, olivia):
    set_monthly_report(actor=None, organization=acme, enabled=True, day_of_month=5)
    with clock.frozen(datetime(2026, 4, 4, 23, 0, tzinfo=NY)):
        assert reports_pass().created == 0  # the 4th in New York
    with clock.frozen(datetime(2026, 4, 5, 0, 30, tzinfo=NY)):
        result = reports_pass()
    assert (result.created, result.sent) == (1, 1)
    [message] = mail.outbox
    assert message.to == ["olivia@acme.example"]
    assert "March 2026" in message.subject
    names = [a[0] for a in message.attachments]
    assert names == ["acme-2026-03.pdf", "acme-2026-03.csv"]
    with clock.frozen(datetime(2026, 4, 20, 12, 0, tzinfo=NY)):
        again = reports_pass()
    assert (again.created, again.sent) == (0, 0) and len(mail.outbox) == 1
    delivery = MonthlyReportDelivery.objects.get()
    assert delivery.state == "sent" and delivery.month == date(2026, 3, 1)


def test_an_interrupted_mailing_is_never_sent_twice(desk, acme, olivia):
    set_monthly_report(actor=None, organization=acme, enabled=True, day_of_month=1)
    MonthlyReportDelivery.objects.create(organization=acme, month=date(2026, 3, 1), state="sending")
    with clock.frozen(datetime(2026, 4, 2, 12, 0, tzinfo=NY)):
        result = reports_pass()
    assert (result.created, result.sent) == (0, 0) and mail.outbox == []


def test_no_recipients_is_recorded(desk, acme):
    set_monthly_report(actor=None, organization=acme, enabled=True, day_of_month=1)
    with clock.frozen(datetime(2026, 4, 2, 12, 0, tzinfo=NY)):
        assert reports_pass().skipped == 1
    assert MonthlyReportDelivery.objects.get().state == "skipped"


def test_admin_sends_an_interrupted_mailing_again(desk, admin, acme, olivia):
    row = MonthlyReportDelivery.objects.create(
        organization=acme, month=date(2026, 3, 1), state="sending"
    )
    admin.is_superuser = True  # the Django admin's own permission check
    admin.save()
    client = login(admin)
    assert client.get("/admin/reports/monthlyreportdelivery/").status_code == 200
    answer = client.post(
        "/admin/reports/monthlyreportdelivery/",
        {"action": "requeue", "_selected_action": [row.pk]},
    )
    assert answer.status_code == 302
    row.refresh_from_db()
    assert row.state == "queued"
