"""The problems API: agents only (customers 403 at every endpoint), tenancy (another client's
cluster, problem or ticket: 404), CRUD, link/unlink, a ticket's matches, bad input."""

import pytest

from deskside.problems import services
from deskside.problems.models import Cluster, Problem
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _endpoints(cluster, problem, ticket):
    c, p, t = cluster.public_id, problem.number, ticket.number
    return [
        ("get", "/api/v1/problems"),
        ("post", "/api/v1/problems"),
        ("get", "/api/v1/problems/clusters"),
        ("get", f"/api/v1/problems/clusters/{c}"),
        ("post", f"/api/v1/problems/clusters/{c}/dismiss"),
        ("post", f"/api/v1/problems/clusters/{c}/problem"),
        ("get", "/api/v1/problems/detection"),
        ("patch", "/api/v1/problems/detection"),
        ("post", "/api/v1/problems/detection/run"),
        ("get", f"/api/v1/problems/tickets/{t}"),
        ("get", f"/api/v1/problems/{p}"),
        ("patch", f"/api/v1/problems/{p}"),
        ("get", f"/api/v1/problems/{p}/history"),
        ("post", f"/api/v1/problems/{p}/tickets"),
        ("delete", f"/api/v1/problems/{p}/tickets/{t}"),
    ]


@pytest.fixture
def both(cluster, alice, acme):
    """The Acme cluster (kept) and a second problem of Acme with one ticket."""
    ticket = cluster.members.first().ticket
    problem = services.create_problem(
        actor=alice, title="Slow logons", organization_id=acme.pk, tickets=[ticket]
    )
    return cluster, problem, ticket


def test_customers_get_403_everywhere(both, carol, olivia):
    for person in (carol, olivia):
        api = client_for(person)
        for method, url in _endpoints(*both):
            kwargs = (
                {"data": {"title": "x", "tickets": ["T-1"]}} if method in ("post", "patch") else {}
            )
            assert getattr(api, method)(url, **kwargs).status_code == 403, (method, url)
    assert Cluster.objects.count() == 1 and Problem.objects.count() == 1


def test_an_agent_of_another_client_gets_404(both, admin_serving, globex):
    api = client_for(admin_serving(globex, email="g@msp.example"))
    for method, url in _endpoints(*both):
        if url.endswith(("/problems", "/clusters", "/detection", "/detection/run")):
            continue
        kwargs = {"data": {"tickets": ["T-1"]}} if method in ("post", "patch") else {}
        assert getattr(api, method)(url, **kwargs).status_code == 404, (method, url)
    assert api.get("/api/v1/problems").json()["items"] == []
    assert api.get("/api/v1/problems/clusters").json()["items"] == []
    assert Cluster.objects.count() == 1


def test_clusters_and_a_problem_from_one(cluster, as_alice, planted):
    body = as_alice.get("/api/v1/problems/clusters").json()["items"]
    assert len(body) == 1 and body[0]["size"] == 4
    assert body[0]["summary"].startswith("Recurring at Acme Corp: 4 tickets in 14 days: ")
    one = as_alice.get(f"/api/v1/problems/clusters/{cluster.public_id}").json()
    assert {t["number"] for t in one["tickets"]} == {t.number for t in planted["acme"]}
    made = as_alice.post(f"/api/v1/problems/clusters/{cluster.public_id}/problem", {})
    assert made.status_code == 201, made.json()
    assert made.json()["number"].startswith("PRB-") and len(made.json()["tickets"]) == 4
    gone = as_alice.post(f"/api/v1/problems/clusters/{cluster.public_id}/dismiss")
    assert gone.status_code == 404


def test_create_change_link_unlink_history(as_alice, alice, planted, leo):
    ticket = planted["acme"][0]
    made = as_alice.post(
        "/api/v1/problems",
        {"title": "Outlook prompts", "organization": "acme", "tickets": [ticket.number]},
    )
    assert made.status_code == 201, made.json()
    number = made.json()["number"]
    bad = as_alice.patch(f"/api/v1/problems/{number}", {"status": "known_error"})
    assert bad.status_code == 422 and bad.json()["field"] == "workaround"
    done = as_alice.patch(
        f"/api/v1/problems/{number}",
        {"status": "known_error", "workaround": "Re-create the profile.", "owner": leo.public_id},
    )
    assert done.status_code == 200 and done.json()["owner"]["name"] == "Leo Field"
    wrong = as_alice.patch(f"/api/v1/problems/{number}", {"status": "open"})
    assert wrong.status_code == 409
    more = [t.number for t in planted["acme"][1:3]]
    assert as_alice.post(f"/api/v1/problems/{number}/tickets", {"tickets": more}).json() == {
        "linked": 2
    }
    other = as_alice.post(
        f"/api/v1/problems/{number}/tickets", {"tickets": [planted["globex"][0].number]}
    )
    assert other.status_code == 422 and other.json()["field"] == "ticket"
    missing = as_alice.post(f"/api/v1/problems/{number}/tickets", {"tickets": ["T-999999"]})
    assert missing.status_code == 422 and missing.json()["field"] == "tickets"
    assert as_alice.delete(f"/api/v1/problems/{number}/tickets/{more[0]}").status_code == 204
    assert as_alice.delete(f"/api/v1/problems/{number}/tickets/{more[0]}").status_code == 404
    assert len(as_alice.get(f"/api/v1/problems/{number}").json()["tickets"]) == 2
    history = as_alice.get(f"/api/v1/problems/{number}/history").json()["items"]
    assert [h["action"] for h in history][:2] == ["unlinked", "linked"]
    assert history[-1]["action"] == "created" and history[-1]["actor"]["name"] == "Alice Agent"
    mine = as_alice.get(f"/api/v1/problems/tickets/{ticket.number}").json()
    assert [p["number"] for p in mine["problems"]] == [number]
    assert (
        as_alice.get("/api/v1/problems?status=known_error").json()["items"][0]["number"] == number
    )
    assert as_alice.post("/api/v1/problems", {"title": ""}).status_code == 422
    assert as_alice.post("/api/v1/problems", {"title": "x", "status": "bogus"}).status_code == 422


def test_known_error_matches_of_a_ticket(problem, as_alice, make_ticket, carol):
    ticket = make_ticket(carol, subject="Outlook keeps asking for my password")
    body = as_alice.get(f"/api/v1/problems/tickets/{ticket.number}").json()
    assert body["known_errors"][0]["problem"]["number"] == problem.number
    assert body["known_errors"][0]["score"] >= 0.35


def test_detection_settings_and_run_are_for_admins(planted, as_alice, as_admin):
    assert as_alice.post("/api/v1/problems/detection/run").status_code == 403
    assert as_alice.patch("/api/v1/problems/detection", {"window_days": 7}).status_code == 403
    ran = as_admin.post("/api/v1/problems/detection/run", {})
    assert ran.status_code == 200 and ran.json()["clusters"] == 1
    bad = as_admin.patch("/api/v1/problems/detection", {"threshold": 3})
    assert bad.status_code == 422 and bad.json()["field"] == "threshold"
    ok = as_admin.patch("/api/v1/problems/detection", {"window_days": 7})
    assert ok.json()["window_days"] == 7 and ok.json()["last_clusters"] == 1
