"""The SLA endpoints of the REST API: agents read, administrators write, customers get 403;
bad input is a 4xx naming the field; the report counts a client's tickets."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from deskside.accounts import services as accounts
from deskside.core.clock import frozen
from deskside.sla import services as sla
from deskside.sla.models import Calendar, Contract
from deskside.sla.services import TargetTerms
from deskside.tickets import services as tickets
from deskside.tickets.models import Priority

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
API = "/api/v1"
HAMBURG = {
    "timezone": "Europe/Berlin",
    "weekly": {d: [["08:00", "12:00"], ["13:00", "17:00"]] for d in ("mon", "tue", "wed")},
    "holidays": [],
    "holiday_country": "DE",
    "holiday_subdivision": "HH",
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
        targets=[TargetTerms(Priority.P3, 60, None, 240)],
    ).contract


def test_admin_manages_calendars(as_admin):
    response = as_admin.post(f"{API}/calendars", {"name": "Hamburg", "definition": HAMBURG})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["timezone"] == "Europe/Berlin" and body["retimed"] == 0
    public_id = body["public_id"]
    assert body["definition"]["weekly"]["thu"] == []
    listed = as_admin.get(f"{API}/calendars").json()
    assert [c["name"] for c in listed["items"]] == ["Hamburg"] and listed["next"] is None
    response = as_admin.patch(
        f"{API}/calendars/{public_id}", {"definition": {**HAMBURG, "24x7": True}}
    )
    assert response.status_code == 200 and response.json()["definition"]["24x7"] is True
    export = as_admin.get(f"{API}/calendars/{public_id}/export")
    assert export.status_code == 200
    assert 'filename="hamburg.json"' in export["Content-Disposition"]
    exported = json.loads(export.content)
    assert exported == Calendar.objects.get().spec.to_json()
    response = as_admin.post(f"{API}/calendars/import?name=Copy", exported)
    assert response.status_code == 201 and response.json()["definition"] == exported
    response = as_admin.post(f"{API}/calendars/import?name=copy&replace=true", HAMBURG)
    assert response.status_code == 200 and "24x7" not in response.json()["definition"]
    assert as_admin.delete(f"{API}/calendars/{public_id}").status_code == 204
    assert list(Calendar.objects.values_list("name", flat=True)) == ["Copy"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (
            {"name": "X", "definition": {**HAMBURG, "timezone": "Nowhere/Land"}},
            422,
            "definition.timezone",
        ),
        (
            {"name": "X", "definition": {"weekly": {"mon": [["9", "17"]]}}},
            422,
            "definition.weekly.mon[0]",
        ),
        ({"name": "", "definition": HAMBURG}, 422, "name"),
        ({"name": "X"}, 422, "definition"),
        ({"name": "X", "definition": ["not", "an", "object"]}, 422, "definition"),
    ],
)
def test_invalid_calendars_name_the_field(as_admin, body, status, field):
    response = as_admin.post(f"{API}/calendars", body)
    assert response.status_code == status
    assert response.json()["field"] == field
    assert not Calendar.objects.exists()


def test_a_calendar_in_use_is_a_409(as_admin, always, std):
    response = as_admin.delete(f"{API}/calendars/{always.public_id}")
    assert response.status_code == 409 and response.json()["field"] == "calendar"


def test_admin_manages_contracts_and_open_tickets_follow(
    as_admin, always, std, make_ticket, carol, network_team
):
    with frozen(T0):
        ticket = make_ticket(carol)
    assert ticket.resolution_due == T0 + timedelta(minutes=240)
    body = {
        "name": "Acme gold",
        "organization": "acme",
        "calendar": always.public_id,
        "warning_percent": 80,
        "on_breach": "reassign",
        "breach_team": network_team.slug,
        "targets": [
            {"priority": "P1", "first_response_minutes": 15, "resolution_minutes": 240},
            {"priority": "P3", "first_response_minutes": 30, "resolution_minutes": 120},
        ],
    }
    with frozen(T0 + timedelta(minutes=1)):
        response = as_admin.post(f"{API}/contracts", body)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["retimed"] == 1
    assert created["organization"]["slug"] == "acme"
    assert created["breach_team"]["slug"] == network_team.slug
    assert [t["priority"] for t in created["targets"]] == ["P1", "P3"]
    ticket.refresh_from_db()
    assert ticket.resolution_due == T0 + timedelta(minutes=120)
    with frozen(T0 + timedelta(minutes=2)):
        response = as_admin.patch(
            f"{API}/contracts/{created['public_id']}",
            {
                "targets": [
                    {"priority": "P3", "resolution_minutes": 600, "calendar": always.public_id}
                ]
            },
        )
    assert response.status_code == 200
    assert response.json()["targets"] == [
        {
            "priority": "P3",
            "first_response_minutes": None,
            "next_response_minutes": None,
            "resolution_minutes": 600,
            "calendar": {"public_id": always.public_id, "name": "24x7"},
        }
    ]
    ticket.refresh_from_db()
    assert ticket.resolution_due == T0 + timedelta(minutes=600)
    got = as_admin.get(f"{API}/contracts/{created['public_id']}").json()
    assert got["warning_percent"] == 80 and got["on_breach"] == "reassign"


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"organization": "nope"}, 422, "organization"),
        ({"organization": None, "is_default": True}, 422, "is_default"),  # a second default
        ({"calendar": "nope"}, 422, "calendar"),
        ({"breach_team": "nope"}, 422, "breach_team"),
        ({"warning_percent": 0}, 422, "warning_percent"),
        ({"on_breach": "panic"}, 422, "on_breach"),
        ({"targets": [{"priority": "P7"}]}, 422, "targets.priority"),
        (
            {"targets": [{"priority": "P1", "resolution_minutes": -5}]},
            422,
            "targets.P1.resolution_minutes",
        ),
        ({"targets": [{"priority": "P1", "calendar": "nope"}]}, 422, "targets.P1.calendar"),
        ({"warning_percent": "many"}, 422, "warning_percent"),
        ({"public_id": "x"}, 200, None),  # unknown keys are ignored by the schema
    ],
)
def test_invalid_contract_changes_name_the_field(
    as_admin, admin, always, std, acme, change, status, field
):
    contract = sla.create_contract(
        actor=admin, name="Acme", calendar=always, organization=acme
    ).contract
    response = as_admin.patch(f"{API}/contracts/{contract.public_id}", change)
    assert response.status_code == status, response.json()
    if field:
        assert response.json()["field"] == field


def test_agents_read_but_only_admins_write(as_alice, always, std):
    assert as_alice.get(f"{API}/calendars").status_code == 200
    assert as_alice.get(f"{API}/calendars/{always.public_id}").status_code == 200
    assert as_alice.get(f"{API}/calendars/{always.public_id}/export").status_code == 200
    assert as_alice.get(f"{API}/contracts/{std.public_id}").status_code == 200
    writes = [
        ("post", f"{API}/calendars", {"name": "X", "definition": HAMBURG}),
        ("post", f"{API}/calendars/import?name=X", HAMBURG),
        ("patch", f"{API}/calendars/{always.public_id}", {"name": "Y"}),
        ("delete", f"{API}/calendars/{always.public_id}", None),
        ("post", f"{API}/contracts", {"name": "X", "calendar": "bad"}),
        ("patch", f"{API}/contracts/{std.public_id}", {"calendar": "bad"}),
    ]
    for method, url, body in writes:
        response = (
            getattr(as_alice, method)(url, body) if body is not None else as_alice.delete(url)
        )
        assert response.status_code == 403, (method, url, response.json())
        assert "administrators" in response.json()["detail"]
    assert Calendar.objects.count() == 1 and Contract.objects.get().name == "Standard"


def test_customers_get_nothing(as_carol, always, std, acme):
    for url in (
        f"{API}/calendars",
        f"{API}/calendars/{always.public_id}",
        f"{API}/calendars/{always.public_id}/export",
        f"{API}/contracts",
        f"{API}/contracts/{std.public_id}",
        f"{API}/organizations/{acme.slug}/sla",
    ):
        assert as_carol.get(url).status_code == 403, url
    assert (
        as_carol.post(f"{API}/calendars", {"name": "X", "definition": HAMBURG}).status_code == 403
    )


def test_lists_do_not_grow_queries_with_rows(
    as_alice, admin, always, django_assert_max_num_queries
):
    for i in range(6):
        org = accounts.create_organization(name=f"Client {i}", slug=f"client-{i}")
        sla.create_contract(
            actor=admin,
            name=f"Client {i}",
            calendar=always,
            organization=org,
            targets=[TargetTerms(p, 10, 20, 30, always) for p in Priority],
        )
    with django_assert_max_num_queries(6):
        response = as_alice.get(f"{API}/contracts")
    assert len(response.json()["items"]) == 6
    assert all(len(c["targets"]) == 4 for c in response.json()["items"])


def test_the_report_counts_a_clients_tickets(as_alice, alice, std, make_ticket, carol, dave):
    with frozen(T0):
        answered = make_ticket(carol)
        make_ticket(carol, subject="Not answered")
        make_ticket(carol, priority=Priority.P1, subject="No P1 target")
        make_ticket(dave, subject="Another client")
    with frozen(T0 + timedelta(minutes=30)):
        tickets.add_reply(actor=alice, ticket=answered, body="Hello")
    with frozen(T0 + timedelta(hours=2)):
        response = as_alice.get(f"{API}/organizations/acme/sla")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["contract"]["name"] == "Standard" and body["contract"]["is_default"]
    rows = {row["priority"]: row for row in body["rows"]}
    assert rows["P3"]["tickets"] == 2
    assert rows["P3"]["first_response"] == {"met": 1, "breached": 1, "running": 0}
    assert rows["P3"]["resolution"] == {"met": 0, "breached": 0, "running": 2}
    assert rows["P1"]["tickets"] == 1 and rows["P1"]["first_response"]["met"] == 0
    assert body["total"]["priority"] == "All" and body["total"]["tickets"] == 3
    assert body["until"].startswith("2026-03-02T11:00")
    assert body["since"].startswith("2026-01-31T11:00")  # 30 days before
    with frozen(T0 + timedelta(hours=2)):
        dated = as_alice.get(f"{API}/organizations/acme/sla?since=2026-03-03&until=2026-03-04")
        assert dated.json()["total"]["tickets"] == 0
        assert dated.json()["since"].startswith("2026-03-03T05:00")  # midnight in New York
        bad = as_alice.get(f"{API}/organizations/acme/sla?since=yesterday")
        assert bad.status_code == 422 and bad.json()["field"] == "since"
        backwards = as_alice.get(f"{API}/organizations/acme/sla?since=2026-03-05&until=2026-03-01")
        assert backwards.status_code == 422 and backwards.json()["field"] == "since"
    assert as_alice.get(f"{API}/organizations/nope/sla").status_code == 404
