"""The review and wall board API: agents only (a customer's token gets 403 everywhere), the
groups as JSON, marking (201, 409, 422, 404 for another client's ticket), the history, the
setting (admins, audited) and the wall board's figures in a bounded number of queries."""

from datetime import timedelta

import pytest
from django.test import Client

from deskside.core import clock
from deskside.duty import services as duty
from deskside.paging.models import Escalation, EscalationPolicy
from deskside.review import queries
from deskside.tickets import services as tickets
from deskside.tickets.models import Priority, Ticket
from tests.conftest import client_for
from tests.review.conftest import T0

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_customers_get_403_everywhere(acme_ticket, carol, dave, olivia, at_t0):
    for user in (carol, dave, olivia):
        api = client_for(user)
        assert api.get("/api/v1/review").status_code == 403
        assert api.get("/api/v1/review/groups/open_long").status_code == 403
        assert api.post("/api/v1/review/marks", {"ticket": acme_ticket.number}).status_code == 403
        assert api.get("/api/v1/review/marks").status_code == 403
        assert api.get("/api/v1/review/days").status_code == 403
        assert api.get("/api/v1/review/settings").status_code == 403
        assert api.put("/api/v1/review/settings", {"open_days": 3}, JSON).status_code == 403
        assert api.get("/api/v1/wallboard").status_code == 403


def test_groups_and_marks(opened, alice, dave, admin_serving, globex, at_t0):
    acme_old = opened(200)
    globex_old = opened(200, requester=dave, subject="VPN drops")
    api = client_for(alice)
    body = api.get("/api/v1/review").json()
    assert (body["day"], body["open_days"]) == ("2026-12-09", 7)
    groups = {g["name"]: g for g in body["groups"]}
    assert list(groups) == list(queries.GROUPS)
    assert [t["number"] for t in groups["open_long"]["tickets"]] == [
        acme_old.number,
        globex_old.number,
    ]
    assert groups["open_long"]["count"] == 2 and not groups["open_long"]["count_capped"]
    made = api.post("/api/v1/review/marks", {"ticket": acme_old.number, "note": "Chased."})
    assert made.status_code == 201
    assert made.json()["ticket"] == acme_old.number
    assert made.json()["reviewer"]["name"] == "Alice Agent"
    again = api.post("/api/v1/review/marks", {"ticket": acme_old.number})
    assert (again.status_code, again.json()["field"]) == (409, "ticket")
    long_note = api.post("/api/v1/review/marks", {"ticket": globex_old.number, "note": "x" * 2001})
    assert (long_note.status_code, long_note.json()["field"]) == (422, "note")
    assert api.post("/api/v1/review/marks", {"ticket": "T-1"}).status_code == 404
    page = api.get("/api/v1/review/groups/open_long", {"limit": 1}).json()
    assert page["items"][0]["reviewed"]["note"] == "Chased." and page["next"]
    assert api.get("/api/v1/review/groups/nope").status_code == 404
    assert api.get("/api/v1/review", {"team": "nope"}).status_code == 404
    # An agent serving only Globex sees only Globex, and cannot mark Acme's ticket.
    limited = client_for(admin_serving(globex, email="g@msp.example"))
    only = limited.get("/api/v1/review").json()["groups"][0]["tickets"]
    assert [t["number"] for t in only] == [globex_old.number]
    assert limited.post("/api/v1/review/marks", {"ticket": acme_old.number}).status_code == 404
    assert limited.get("/api/v1/review/marks").json()["items"] == []
    assert limited.get("/api/v1/review", {"client": "acme"}).status_code == 404


def test_history_and_settings(opened, alice, admin, at_t0):
    ticket = opened(200)
    with clock.frozen(T0 - timedelta(days=1)):
        client_for(alice).post("/api/v1/review/marks", {"ticket": ticket.number})
    client_for(alice).post("/api/v1/review/marks", {"ticket": ticket.number})
    api = client_for(alice)
    marks = api.get("/api/v1/review/marks", {"reviewer": alice.public_id}).json()["items"]
    assert [m["day"] for m in marks] == ["2026-12-09", "2026-12-08"]
    assert api.get("/api/v1/review/marks", {"day": "2026-12-08"}).json()["items"][0]["day"] == (
        "2026-12-08"
    )
    assert api.get("/api/v1/review/marks", {"reviewer": "nope"}).status_code == 404
    assert api.get("/api/v1/review/marks", {"day": "yesterday"}).status_code == 422
    days = api.get("/api/v1/review/days").json()["items"]
    assert days == [
        {"day": "2026-12-09", "marks": 1, "reviewers": 1},
        {"day": "2026-12-08", "marks": 1, "reviewers": 1},
    ]
    assert api.put("/api/v1/review/settings", {"open_days": 3}, JSON).status_code == 403
    root = client_for(admin)
    bad = root.put("/api/v1/review/settings", {"open_days": 0}, JSON)
    assert (bad.status_code, bad.json()["field"]) == (422, "open_days")
    assert root.put("/api/v1/review/settings", {"open_days": 3}, JSON).json()["open_days"] == 3
    assert api.get("/api/v1/review/settings").json()["open_days"] == 3


@pytest.fixture
def desk(opened, alice, leo, admin, helpdesk, at_t0):
    """P1 unassigned and breached, P2 due within the hour, a P3 with a call today and an
    unacknowledged page, a schedule of the help desk with Leo on call now."""
    p1 = opened(5, priority=Priority.P1)
    p2 = opened(30, priority=Priority.P2)
    p3 = opened(30)
    for ticket in (p1, p2, p3):
        tickets.assign_ticket(actor=alice, ticket=ticket, assignee=None, team=helpdesk)
    tickets.assign_ticket(actor=alice, ticket=p2, assignee=alice, team=helpdesk)
    with clock.frozen(T0 - timedelta(days=1)):
        tickets.log_call(actor=alice, ticket=p2, minutes=2, body="Yesterday's call.")
    tickets.log_call(actor=alice, ticket=p3, minutes=4, body="Called back about it.")
    # Stands in for the SLA engine (no contract here): the due times are the point.
    Ticket.objects.filter(pk=p1.pk).update(sla_due=T0 - timedelta(minutes=5))
    Ticket.objects.filter(pk=p2.pk).update(sla_due=T0 + timedelta(minutes=50))
    policy = EscalationPolicy.objects.create(name="Night", slug="night")
    Escalation.objects.create(ticket=p3, policy=policy, started_at=T0 - timedelta(minutes=7))
    schedule = duty.create_schedule(actor=admin, name="Help desk on call", team=helpdesk)
    duty.create_override(
        actor=admin,
        schedule=schedule,
        user=leo,
        starts_at=T0 - timedelta(hours=1),
        ends_at=T0 + timedelta(hours=1),
    )
    return p1, p2, p3


def test_the_wallboard_figures(desk, alice, helpdesk, django_assert_max_num_queries):
    p1, p2, p3 = desk
    api = client_for(alice)
    with django_assert_max_num_queries(20):
        body = api.get("/api/v1/wallboard", {"team": helpdesk.slug}).json()
    assert body["open_by_priority"] == [
        {"label": "P1", "count": 1},
        {"label": "P2", "count": 1},
        {"label": "P3", "count": 1},
        {"label": "OPS", "count": 0},
    ]
    assert (body["open_total"], body["unassigned"]) == (3, 2)
    assert (body["sla_breached"], body["sla_at_risk"], body["calls_today"]) == (1, 1, 1)
    assert body["on_call"] == [{"schedule": "Help desk on call", "person": "Leo Field"}]
    assert body["on_desk"] == [{"team": helpdesk.name, "people": None}]
    assert [(p["ticket"], p["status"]) for p in body["unacknowledged_pages"]] == [
        (p3.number, "active")
    ]
    assert api.get("/api/v1/wallboard", {"team": "nope"}).status_code == 404


def test_the_wallboard_page_polls_a_partial(desk, alice, helpdesk, django_assert_max_num_queries):
    client = Client()
    client.force_login(alice)
    page = client.get(f"/review/wallboard/?team={helpdesk.slug}").content.decode()
    assert 'hx-trigger="every 30s"' in page
    assert f'hx-get="/review/wallboard/panel/?team={helpdesk.slug}"' in page
    with django_assert_max_num_queries(22):
        panel = client.get(f"/review/wallboard/panel/?team={helpdesk.slug}")
    text = panel.content.decode()
    assert panel.status_code == 200 and "<html" not in text
    assert 'data-figure="breached">1<' in text and "Leo Field" in text
    assert client.get("/review/wallboard/?team=nope").status_code == 404
