"""The time pages: my time, the ticket panel, timesheets, billing with its CSV and rules;
tenancy (an agent serving only Acme sees none of Globex's time; customers are sent away)."""

import csv
import importlib
import io
from decimal import Decimal

import pytest
from django.apps import apps as django_apps

from deskside.core.models import AuditEntry
from deskside.field.models import BillingRule, TimeEntry, TimesheetStatus
from deskside.field.queries import time as tq
from deskside.field.services import time as svc
from tests.conftest import client_for, login
from tests.field.fixtures_time import *  # noqa: F403
from tests.field.fixtures_time import LAST_MONDAY, MONDAY

REPORT = f"/field/billing/?start={LAST_MONDAY}&end=2026-12-13&scope=approved"


def approved_week(agent, lead, *entries):
    for ticket, minutes in entries:
        entry = svc.log_time(agent, ticket=ticket, day=LAST_MONDAY, minutes=minutes, note="=cmd")
    svc.submit_timesheet(agent, entry.timesheet)
    svc.approve_timesheet(lead, entry.timesheet)


def test_my_time_start_stop_and_log(leo, acme_ticket, acme_rule):
    web = login(leo)
    page = web.get("/field/time/")
    assert page.status_code == 200 and b"No timer is running" in page.content
    r = web.post("/field/time/start/", {"ticket": acme_ticket.number, "kind": "work"})
    assert r.status_code == 302
    assert b"Running since" in web.get("/field/time/").content
    assert web.post("/field/time/stop/").status_code == 302
    r = web.post(
        "/field/time/log/",
        {"ticket": acme_ticket.number, "kind": "work", "date": str(MONDAY), "minutes": 50},
    )
    assert r.status_code == 302
    page = web.get(f"/field/time/?week={MONDAY}")
    assert acme_ticket.number.encode() in page.content and b"50 min billable" in page.content


def test_log_form_errors_are_shown(leo, acme_ticket):
    web = login(leo)
    r = web.post(
        "/field/time/log/",
        {"ticket": "T-99999999", "kind": "work", "date": str(MONDAY), "minutes": 5},
    )
    assert r.status_code == 400 and b"no ticket" in r.content
    r = web.post(
        "/field/time/log/",
        {"ticket": acme_ticket.number, "kind": "work", "date": "2027-01-01", "minutes": 5},
    )
    assert r.status_code == 400 and b"future" in r.content


def test_edit_an_entry_and_the_lock(leo, lead, acme_ticket):
    entry = svc.log_time(leo, ticket=acme_ticket, day=LAST_MONDAY, minutes=30)
    web = login(leo)
    path = f"/field/time/{entry.public_id}/edit/"
    assert web.get(path).status_code == 200
    r = web.post(
        path,
        {"kind": "work", "date": str(LAST_MONDAY), "start": "10:00", "minutes": 40, "note": "n"},
    )
    assert r.status_code == 302
    entry.refresh_from_db()
    assert entry.minutes == 40
    assert login(lead).get(path).status_code == 404  # only the agent edits their entries
    svc.submit_timesheet(leo, entry.timesheet)
    assert b"can no longer change" in web.get(path).content
    web.post(f"/field/time/{entry.public_id}/delete/")
    assert TimeEntry.objects.filter(pk=entry.pk).exists()


def test_ticket_panel(leo, acme_ticket):
    web = login(leo)
    base = f"/field/time/tickets/{acme_ticket.number}/"
    assert b"Logged on this ticket" in web.get(base).content
    r = web.post(f"{base}start/", {"kind": "work"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and b"Your timer runs here" in r.content
    r = web.post(f"{base}stop/")
    assert r.status_code == 302
    r = web.post(
        f"{base}log/", {"kind": "work", "date": str(MONDAY), "minutes": 25}, HTTP_HX_REQUEST="true"
    )
    assert b"<strong>25 min</strong>" in r.content or b"<strong>26 min</strong>" in r.content
    ticket_page = web.get(f"/tickets/{acme_ticket.number}/").content
    assert base.encode() in ticket_page


def test_timesheets_pages_and_decisions(leo, lead, acme_ticket):
    svc.log_time(leo, ticket=acme_ticket, day=MONDAY, minutes=30)
    mine = login(leo)
    assert b"This week" in mine.get("/field/timesheets/").content
    week = f"/field/timesheets/{leo.public_id}/{MONDAY}/"
    assert mine.post(f"{week}submit/").status_code == 302
    boss = login(lead)
    listing = boss.get("/field/timesheets/").content
    assert b"Waiting for your approval" in listing and b"Leo Field" in listing
    assert b"Approve the week" in boss.get(week).content
    assert b"Approve the week" not in mine.get(week).content
    assert boss.post(f"{week}return/", {"note": ""}).status_code == 400
    boss.post(f"{week}return/", {"note": "add Tuesday"})
    assert leo.timesheets.get().status == TimesheetStatus.RETURNED
    mine.post(f"{week}submit/")
    mine.post(f"{week}approve/")  # refused: nobody approves their own week
    assert leo.timesheets.get().status == TimesheetStatus.SUBMITTED
    boss.post(f"{week}approve/")
    assert leo.timesheets.get().status == TimesheetStatus.APPROVED


def test_billing_report_and_csv(leo, lead, acme_ticket, globex_ticket, acme_rule, globex_rule):
    approved_week(leo, lead, (acme_ticket, 50), (globex_ticket, 20))
    web = login(lead)
    page = web.get(REPORT)
    assert page.status_code == 200
    assert b"Acme Corp" in page.content and b"120.00 USD" in page.content
    r = web.get(REPORT.replace("/field/billing/", "/field/billing/export.csv"))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode())))
    assert rows[0][:6] == ["date", "ticket", "client", "agent", "kind", "minutes"]
    acme_line = next(row for row in rows if row[2] == "Acme Corp")
    assert acme_line[0] == str(LAST_MONDAY) and acme_line[1] == acme_ticket.number
    assert acme_line[6:10] == ["60", "120.00", "USD", "120.00"]
    assert acme_line[10] == "'=cmd"  # a spreadsheet does not run it
    bad = web.get("/field/billing/export.csv?start=2026-12-10&end=2026-12-01")
    assert bad.status_code == 400


def test_billing_default_is_last_month(leo):
    assert login(leo).get("/field/billing/").status_code == 200


def test_billing_rules_page_is_for_admins(admin, leo, acme_contract):
    path = f"/field/billing/rules/{acme_contract.public_id}/"
    assert b"Set<span" in login(admin).get("/field/billing/").content
    assert b"Set<span" not in login(leo).get("/field/billing/").content
    login(leo).post(path, {"hourly_rate": "1", "currency": "USD", "round_up_to_minutes": 15})
    assert not BillingRule.objects.exists()
    web = login(admin)
    r = web.post(path, {"hourly_rate": "110", "currency": "usd", "round_up_to_minutes": 6})
    assert r.status_code == 302
    rule = BillingRule.objects.get()
    assert (rule.hourly_rate, rule.currency, rule.round_up_to_minutes) == (Decimal("110"), "USD", 6)
    assert AuditEntry.objects.filter(object_type="field.billingrule", action="created").exists()
    assert (
        web.post(
            path, {"hourly_rate": "-3", "currency": "USD", "round_up_to_minutes": 6}
        ).status_code
        == 400
    )
    web.post(path, {"action": "delete"})
    assert not BillingRule.objects.exists()


def test_tenancy_on_pages(
    leo, lead, sam, carol, acme_ticket, globex_ticket, acme_rule, globex_rule, acme_contract
):
    approved_week(leo, lead, (acme_ticket, 50), (globex_ticket, 20))
    web = login(sam)
    page = web.get(REPORT).content
    assert b"Acme Corp" in page and b"Globex" not in page
    csv_text = web.get(REPORT.replace("/field/billing/", "/field/billing/export.csv")).content
    assert b"Acme Corp" in csv_text and b"Globex" not in csv_text
    sneaky = web.get(REPORT + "&client=globex")
    assert sneaky.status_code == 400  # not a choice for Sam
    assert web.get(f"/field/time/tickets/{globex_ticket.number}/").status_code == 404
    globex_entry = TimeEntry.objects.get(organization__slug="globex")
    assert web.get(f"/field/time/{globex_entry.public_id}/edit/").status_code == 404
    assert web.get(f"/field/timesheets/{leo.public_id}/{LAST_MONDAY}/").status_code == 404
    customer = login(carol)
    for path in (
        "/field/time/",
        "/field/timesheets/",
        REPORT,
        "/field/billing/export.csv",
        f"/field/time/tickets/{acme_ticket.number}/",
        f"/field/billing/rules/{acme_contract.public_id}/",
    ):
        r = customer.get(path)
        assert r.status_code == 302 and "/portal/" in r["Location"], path
    assert customer.post("/field/time/start/", {"kind": "training"}).status_code == 403


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/field/time/?week=9999-12-31", "week"),
        ("/field/time/?week=0001-01-01", "week"),
        ("/field/timesheets/{me}/9999-12-31/", "day"),
        ("/field/timesheets/{me}/0001-01-01/", "day"),
    ],
)
def test_far_off_weeks_are_400_naming_the_field(leo, path, field):
    """A week in year 9999 or 1 overflowed the week's days or its next/previous links (500)."""
    r = login(leo).get(path.format(me=leo.public_id))
    assert r.status_code == 400 and r.content.decode().startswith(f"{field}:"), r.content


def test_far_off_week_posts_are_400(leo):
    web = login(leo)
    r = web.post(f"/field/timesheets/{leo.public_id}/9999-12-31/submit/")
    assert r.status_code == 400 and r.content.startswith(b"day:")
    r = web.post("/field/time/log/?week=9999-12-31", {"kind": "work"})
    assert r.status_code == 400 and r.content.startswith(b"week:")


def test_far_off_report_range_is_a_form_error(leo):
    web = login(leo)
    for query in ("start=9999-12-25&end=9999-12-31", "start=0001-01-01&end=0001-01-02"):
        r = web.get(f"/field/billing/?{query}")
        assert r.status_code == 400 and b"Give a date from 1900 to 9000" in r.content
        r = web.get(f"/field/billing/export.csv?{query}")
        assert r.status_code == 400 and r.content.startswith(b"start:")


def test_a_rule_changed_from_usd_to_eur_keeps_older_entries_in_usd(
    leo, lead, admin, acme_ticket, acme_rule
):
    """The report read each client's currency from its rule *now*: after a change to EUR the
    USD entries were invoiced as EUR. Each entry keeps the currency it was priced in."""
    old = svc.log_time(leo, ticket=acme_ticket, day=LAST_MONDAY, minutes=50)
    svc.set_billing_rule(admin, acme_rule.contract, hourly_rate=Decimal("100"), currency="EUR")
    new = svc.log_time(leo, ticket=acme_ticket, day=LAST_MONDAY, minutes=30)
    assert (old.currency, new.currency) == ("USD", "EUR")
    svc.submit_timesheet(leo, old.timesheet)
    svc.approve_timesheet(lead, old.timesheet)
    web = login(lead)
    page = web.get(REPORT).content
    assert b"120.00 USD" in page and b"50.00 EUR" in page
    report = tq.billable_report(lead, start=LAST_MONDAY, end=MONDAY)
    assert [(t.currency, t.amount) for t in report.by_client] == [
        ("EUR", Decimal("50.00")),
        ("USD", Decimal("120.00")),
    ]
    assert len(report.by_ticket) == 2 and len(report.by_agent) == 2
    r = web.get(REPORT.replace("/field/billing/", "/field/billing/export.csv"))
    rows = list(csv.reader(io.StringIO(r.content.decode())))[1:]
    assert sorted((row[8], row[9]) for row in rows) == [("EUR", "50.00"), ("USD", "120.00")]
    api = client_for(leo).get(f"/api/v1/field/time/entries/{old.public_id}").json()
    assert (api["currency"], api["amount"]) == ("USD", "120.00")


def test_the_migration_backfills_each_entrys_currency_from_its_rule(
    leo, acme_ticket, globex_ticket, acme_rule, globex_rule
):
    backfill = importlib.import_module("deskside.field.migrations.0002_time_entry_currency")
    entries = [
        svc.log_time(leo, ticket=acme_ticket, day=MONDAY, minutes=5),
        svc.log_time(leo, ticket=globex_ticket, day=MONDAY, minutes=5),
    ]
    TimeEntry.objects.update(currency="")
    backfill.backfill(django_apps, None)
    assert [TimeEntry.objects.get(pk=e.pk).currency for e in entries] == ["USD", "EUR"]
