"""/api/v1/assignment: the teams' rules, the preview, a ticket's required skills; agents only,
changes by the team's lead or an administrator, tickets within the caller's clients."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deskside.accounts import services as accounts
from deskside.assignment.models import AssignmentRule, Mode
from deskside.tickets.models import EventKind

pytestmark = pytest.mark.django_db


def put(client, path, body):
    return client.put(path, json.dumps(body), content_type="application/json")


def test_rules_list_every_team_with_who_may_change_it(api_as, admin, alice, desk, helpdesk):
    AssignmentRule.objects.create(team=desk, mode=Mode.LEAST_LOADED, cap=7)
    desk.lead = alice
    desk.save()
    body = api_as(alice).get("/api/v1/assignment/rules").json()
    rows = {row["team"]["slug"]: row for row in body}
    assert rows["service-desk"]["mode"] == "least_loaded"
    assert rows["service-desk"]["cap"] == 7
    assert rows["service-desk"]["can_change"] is True
    assert rows["help-desk-l1"]["mode"] == "off"
    assert rows["help-desk-l1"]["can_change"] is False


def test_put_a_rule_as_admin_then_refused_to_a_plain_agent(api_as, admin, alice, desk):
    response = put(
        api_as(admin), "/api/v1/assignment/rules/service-desk", {"mode": "round_robin", "cap": 4}
    )
    assert response.status_code == 200, response.content
    assert response.json()["mode"] == "round_robin"
    assert AssignmentRule.objects.get(team=desk).cap == 4
    refused = put(api_as(alice), "/api/v1/assignment/rules/service-desk", {"mode": "off"})
    assert refused.status_code == 403


def test_put_a_rule_with_bad_input_names_the_field(api_as, admin, desk):
    bad = put(api_as(admin), "/api/v1/assignment/rules/service-desk", {"mode": "lottery"})
    assert (bad.status_code, bad.json()["field"]) == (422, "mode")
    bad = put(api_as(admin), "/api/v1/assignment/rules/service-desk", {"mode": "off", "cap": 0})
    assert (bad.status_code, bad.json()["field"]) == (422, "cap")
    missing = put(api_as(admin), "/api/v1/assignment/rules/nope", {"mode": "off"})
    assert missing.status_code == 404


def test_customers_get_403_everywhere(api_as, carol, desk, acme_ticket):
    client = api_as(carol)
    assert client.get("/api/v1/assignment/rules").status_code == 403
    assert client.get("/api/v1/assignment/preview?team=service-desk").status_code == 403
    path = f"/api/v1/assignment/tickets/{acme_ticket.number}/skills"
    assert client.get(path).status_code == 403
    assert put(client, path, {"skills": []}).status_code == 403


def test_preview_says_who_and_why(frozen, api_as, admin, five, rule):
    rule(Mode.ROUND_ROBIN)
    body = api_as(admin).get("/api/v1/assignment/preview?team=service-desk").json()
    assert body["assignee"]["name"] == "Ann Agent"
    assert body["reason"] == "round-robin: first in turn"
    assert body["mode"] == "round_robin"


def test_preview_for_a_ticket_of_a_client_the_caller_does_not_serve_is_refused(
    api_as, admin_serving, globex, acme_ticket, desk
):
    other = admin_serving(globex, email="g@msp.example")
    path = f"/api/v1/assignment/preview?team=service-desk&ticket={acme_ticket.number}"
    refused = api_as(other).get(path)
    assert (refused.status_code, refused.json()["field"]) == (422, "ticket")
    unknown = api_as(other).get("/api/v1/assignment/preview?team=nope")
    assert (unknown.status_code, unknown.json()["field"]) == (422, "team")


def test_required_skills_get_and_put(api_as, alice, acme_ticket, skill):
    skill("Exchange"), skill("VPN")
    client = api_as(alice)
    path = f"/api/v1/assignment/tickets/{acme_ticket.number}/skills"
    assert client.get(path).json() == {"ticket": acme_ticket.number, "skills": []}
    response = put(client, path, {"skills": ["VPN", "Exchange"]})
    assert response.json()["skills"] == ["Exchange", "VPN"]
    assert acme_ticket.events.filter(kind=EventKind.CHANGED).count() == 1
    unknown = put(client, path, {"skills": ["Cobol"]})
    assert (unknown.status_code, unknown.json()["field"]) == (422, "skills")


def test_required_skills_of_another_clients_ticket_are_404(
    api_as, admin_serving, globex, acme_ticket
):
    other = admin_serving(globex, email="g@msp.example")
    path = f"/api/v1/assignment/tickets/{acme_ticket.number}/skills"
    assert api_as(other).get(path).status_code == 404
    assert put(api_as(other), path, {"skills": []}).status_code == 404


def test_the_rules_list_costs_the_same_queries_for_more_teams(
    api_as, admin, desk, django_assert_num_queries
):
    client = api_as(admin)
    client.get("/api/v1/assignment/rules")  # the token's first use writes its last-used time
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/v1/assignment/rules").json()) == 1
    for i in range(5):
        team = accounts.create_team(name=f"Team {i}")
        AssignmentRule.objects.create(team=team, mode=Mode.ROUND_ROBIN, last_user=admin)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/assignment/rules").json()) == 6
