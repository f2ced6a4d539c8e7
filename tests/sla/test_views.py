"""The SLA pages: an administrator creates, edits, imports and exports calendars and edits
contracts; another agent reads them and gets 403 on every write; a customer never reaches
them. The report page shows a client's counts."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from deskside.core.clock import frozen
from deskside.sla import services as sla
from deskside.sla.models import Calendar, Contract
from deskside.sla.services import TargetTerms
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind, Priority
from tests.conftest import login

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WEEK = {
    "name": "Hamburg business hours",
    "timezone": "Europe/Berlin",
    "mon": "08:00-12:00, 13:00-17:00",
    "tue": "08:00-12:00, 13:00-17:00",
    "wed": "08:00-12:00,13:00-17:00",
    "thu": "08:00-12:00; 13:00-17:00",
    "fri": "08:00-12:00",
    "sat": "",
    "sun": "",
    "holiday_country": "DE",
    "holiday_subdivision": "HH",
    "holidays": "2026-12-24\n2026-12-31\n",
    "extra_working_days": "2026-12-27 10:00-14:00",
}


@pytest.fixture
def always(admin):
    return sla.create_calendar(actor=admin, name="24x7", definition={"24x7": True})


@pytest.fixture
def std(admin, always):
    return sla.create_contract(
        actor=admin,
        name="Standard",
        calendar=always,
        is_default=True,
        targets=[TargetTerms(Priority.P3, 240, None, 2880)],
    ).contract


def test_admin_creates_and_edits_a_calendar_through_the_form(web_admin):
    page = web_admin.get(reverse("sla:calendar_new"))
    assert page.status_code == 200 and b'name="mon"' in page.content
    response = web_admin.post(reverse("sla:calendar_new"), WEEK)
    calendar = Calendar.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("sla:calendar", args=[calendar.public_id])
    assert calendar.definition["weekly"]["mon"] == [["08:00", "12:00"], ["13:00", "17:00"]]
    assert calendar.definition["weekly"]["thu"] == [["08:00", "12:00"], ["13:00", "17:00"]]
    assert calendar.definition["weekly"]["sat"] == []
    assert calendar.definition["holidays"] == ["2026-12-24", "2026-12-31"]
    assert calendar.definition["extra_working_days"] == {"2026-12-27": [["10:00", "14:00"]]}
    assert calendar.spec.holiday_subdivision == "HH"
    # The edit page shows what was saved, in the same notation.
    page = web_admin.get(response.url)
    assert b"08:00-12:00, 13:00-17:00" in page.content and b"2026-12-31" in page.content
    response = web_admin.post(response.url, {**WEEK, "name": "Hamburg", "fri": "08:00-14:00"})
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert calendar.name == "Hamburg"
    assert calendar.definition["weekly"]["fri"] == [["08:00", "14:00"]]


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("timezone", "Mars/Olympus", "unknown time zone"),
        ("tue", "8-17", "is not a period"),
        ("wed", "08:00-25:00", "not a time of day"),
        ("holidays", "2026-02-30", "not a date"),
        ("holiday_country", "XX", "no holidays known"),
        ("extra_working_days", "someday", "not a date"),
    ],
)
def test_calendar_errors_show_on_their_field_and_keep_the_input(web_admin, field, value, says):
    response = web_admin.post(reverse("sla:calendar_new"), {**WEEK, field: value})
    assert response.status_code == 422
    form = response.context["form"]
    assert says in " ".join(form.errors[field])
    assert form[field].value() == value
    assert b"Hamburg business hours" in response.content  # nothing typed is lost
    assert not Calendar.objects.exists()


def test_a_duplicate_name_is_a_name_error(web_admin, always):
    response = web_admin.post(reverse("sla:calendar_new"), {**WEEK, "name": "24X7"})
    assert response.status_code == 422
    assert "already exists" in response.context["form"].errors["name"][0]


def test_export_downloads_the_json_and_import_reads_it_back(web_admin, admin):
    calendar = sla.create_calendar(
        actor=admin,
        name="Sydney business hours",
        definition={
            "timezone": "Australia/Sydney",
            "weekly": {"mon": [["09:00", "17:00"]]},
            "holiday_country": "AU",
            "holiday_subdivision": "NSW",
        },
    )
    response = web_admin.get(reverse("sla:calendar_export", args=[calendar.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert 'filename="sydney-business-hours.json"' in response["Content-Disposition"]
    exported = json.loads(response.content)
    assert exported == calendar.spec.to_json()
    assert set(exported) == {
        "timezone",
        "weekly",
        "holidays",
        "holiday_country",
        "holiday_subdivision",
    }
    upload = SimpleUploadedFile("sydney.json", response.content, "application/json")
    response = web_admin.post(
        reverse("sla:calendar_import"), {"name": "Sydney copy", "file": upload}
    )
    assert response.status_code == 302
    assert Calendar.objects.get(name="Sydney copy").definition == exported
    # Pasted JSON with an error: the message names the part at fault, the text is kept.
    bad = '{"timezone": "UTC", "weekly": {"mon": [["09:00"]]}}'
    response = web_admin.post(reverse("sla:calendar_import"), {"name": "Bad", "text": bad})
    assert response.status_code == 422
    assert "weekly.mon[0]" in response.context["form"].errors["text"][0]
    assert response.context["form"]["text"].value() == bad
    response = web_admin.post(reverse("sla:calendar_import"), {"name": "Empty"})
    assert response.status_code == 422 and "file" in response.context["form"].errors


def test_admin_edits_a_contract_and_its_targets_recomputing_open_tickets(
    web_admin, admin, always, std, make_ticket, carol, network_team
):
    with frozen(T0):
        ticket = make_ticket(carol)
    assert ticket.resolution_due == T0 + timedelta(minutes=2880)
    page = web_admin.get(reverse("sla:contract_new") + f"?organization={carol.organization.slug}")
    assert page.status_code == 200
    assert page.context["form"]["organization"].value() == carol.organization.slug
    office = sla.create_calendar(
        actor=admin, name="Office", definition={"weekly": {"mon": [["09:00", "17:00"]]}}
    )
    data = {
        "name": "Acme gold",
        "organization": carol.organization.slug,
        "calendar": always.public_id,
        "warning_percent": "80",
        "on_breach": Contract.OnBreach.REASSIGN,
        "breach_team": network_team.slug,
        "P1_first_response_minutes": "15",
        "P1_resolution_minutes": "240",
        "P3_first_response_minutes": "60",
        "P3_resolution_minutes": "120",
        "P3_calendar": "",
    }
    with frozen(T0 + timedelta(minutes=1)):
        response = web_admin.post(reverse("sla:contract_new"), data, follow=True)
    contract = Contract.objects.get(name="Acme gold")
    assert response.redirect_chain[-1][0] == reverse("sla:contract", args=[contract.public_id])
    assert b"Due times of 1 open ticket recomputed" in response.content
    assert [
        (t.priority, t.first_response_minutes, t.resolution_minutes) for t in contract.targets.all()
    ] == [(1, 15, 240), (3, 60, 120)]
    ticket.refresh_from_db()
    assert ticket.resolution_due == T0 + timedelta(minutes=120)
    # The page links the client's report; editing the P3 calendar recomputes again.
    page = web_admin.get(reverse("sla:contract", args=[contract.public_id]))
    assert reverse("sla:report", args=[carol.organization.slug]).encode() in page.content
    with frozen(T0 + timedelta(minutes=5)):
        response = web_admin.post(
            reverse("sla:contract", args=[contract.public_id]),
            {**data, "P3_calendar": office.public_id},
        )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.resolution_due == T0 + timedelta(minutes=120)  # Monday 09:00 + 2 h
    assert ticket.events.filter(kind=EventKind.SLA).count() == 1
    response = web_admin.post(
        reverse("sla:contract", args=[contract.public_id]),
        {**data, "P3_resolution_minutes": "0"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["P3_resolution_minutes"]
    response = web_admin.post(
        reverse("sla:contract", args=[contract.public_id]), {**data, "breach_team": ""}
    )
    assert response.status_code == 422
    assert "breach" in response.context["form"].errors["breach_team"][0]


def test_other_agents_read_but_cannot_write(alice, admin, always, std, acme):
    client = login(alice)
    calendar_url = reverse("sla:calendar", args=[always.public_id])
    contract_url = reverse("sla:contract", args=[std.public_id])
    for url in (
        reverse("sla:calendars"),
        reverse("sla:contracts"),
        calendar_url,
        contract_url,
        reverse("sla:report", args=[acme.slug]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(calendar_url)
    assert page.context["form"].fields["name"].disabled and b"read-only" in page.content
    assert client.get(reverse("sla:calendar_export", args=[always.public_id])).status_code == 200
    for url in (
        reverse("sla:calendar_new"),
        reverse("sla:calendar_import"),
        reverse("sla:contract_new"),
    ):
        assert client.get(url).status_code == 403, url
    posts = [
        (reverse("sla:calendar_new"), WEEK),
        (calendar_url, {**WEEK, "name": "Mine"}),
        (reverse("sla:calendar_delete", args=[always.public_id]), {}),
        (reverse("sla:calendar_import"), {"name": "X", "text": '{"24x7": true}'}),
        (reverse("sla:contract_new"), {"name": "X"}),
        (contract_url, {"name": "Renamed"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    always.refresh_from_db()
    std.refresh_from_db()
    assert (always.name, std.name, Calendar.objects.count()) == ("24x7", "Standard", 1)


def test_customers_never_reach_the_sla_pages(carol, always, std, acme):
    client = login(carol)
    urls = [
        reverse("sla:calendars"),
        reverse("sla:contracts"),
        reverse("sla:calendar", args=[always.public_id]),
        reverse("sla:calendar_export", args=[always.public_id]),
        reverse("sla:contract", args=[std.public_id]),
        reverse("sla:report", args=[acme.slug]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("portal:home"), url
    assert client.post(reverse("sla:calendar_new"), WEEK).status_code == 403
    assert client.post(reverse("sla:contract", args=[std.public_id]), {}).status_code == 403
    anonymous = Client().get(reverse("sla:contracts"))
    assert anonymous.status_code == 302 and reverse("login") in anonymous.url


def test_nav_links_the_sla_pages_for_agents_only(alice, carol):
    assert reverse("sla:contracts").encode() in login(alice).get(reverse("tickets:queue")).content
    assert reverse("sla:contracts").encode() not in login(carol).get(reverse("portal:home")).content


def test_the_report_page_counts_a_clients_tickets(
    admin, alice, always, std, make_ticket, carol, dave
):
    with frozen(T0):
        met = make_ticket(carol)
        make_ticket(carol, subject="Never answered")
        make_ticket(dave, subject="Not Acme")
    with frozen(T0 + timedelta(minutes=20)):
        tickets.add_reply(actor=alice, ticket=met, body="Hello")
    with frozen(T0 + timedelta(hours=5)):
        response = login(alice).get(
            reverse("sla:report", args=[carol.organization.slug]),
            {"since": "2026-03-01", "until": "2026-03-02"},
        )
    assert response.status_code == 200
    report = response.context["report"]
    p3 = report.rows[2]
    assert (p3.tickets, p3.first_response.met, p3.first_response.breached) == (2, 1, 1)
    assert p3.resolution.running == 2
    assert b"50 % met" in response.content
    assert reverse("sla:contract", args=[std.public_id]).encode() in response.content
    # A period before the tickets: nothing counted. A reversed period: an error, not a 500.
    with frozen(T0 + timedelta(hours=5)):
        empty = login(alice).get(
            reverse("sla:report", args=[carol.organization.slug]), {"until": "2026-02-01"}
        )
        reversed_ = login(alice).get(
            reverse("sla:report", args=[carol.organization.slug]),
            {"since": "2026-03-05", "until": "2026-03-01"},
        )
    assert empty.context["report"].total.tickets == 0
    assert reversed_.status_code == 422
    assert login(alice).get(reverse("sla:report", args=["nope"])).status_code == 404


def test_a_restricted_agent_does_not_see_other_clients(alice, acme, globex, admin, always):
    alice.served_organizations.set([acme])
    client = login(alice)
    assert client.get(reverse("sla:report", args=[globex.slug])).status_code == 404
    contract = sla.create_contract(
        actor=admin, name="Globex", calendar=always, organization=globex
    ).contract
    assert client.get(reverse("sla:contract", args=[contract.public_id])).status_code == 404
