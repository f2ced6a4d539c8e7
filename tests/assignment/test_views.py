"""The /assignment/ page (administrators and team leads) and the ticket page's required
skills panel; customers see none of it."""

import pytest

from deskside.assignment.models import AssignmentRule, Mode
from deskside.tickets.models import EventKind

pytestmark = pytest.mark.django_db


def test_the_page_shows_each_teams_rule_and_who_gets_the_next_ticket(
    frozen, signed_in, admin, five, rule
):
    rule(Mode.LEAST_LOADED, cap=9)
    page = signed_in(admin).get("/assignment/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Service Desk" in text
    assert "Ann Agent" in text
    assert "least-loaded: 0 open (weighted 0) vs Ben Agent 0 open (weighted 0)" in text


def test_a_team_lead_sees_and_changes_only_their_team(signed_in, alice, desk, helpdesk):
    desk.lead = alice
    desk.save()
    client = signed_in(alice)
    text = client.get("/assignment/").content.decode()
    assert "Service Desk" in text
    assert "Help Desk L1" not in text
    response = client.post(
        "/assignment/teams/service-desk/",
        {"service-desk-mode": "round_robin", "service-desk-cap": "5"},
    )
    assert response.status_code == 302
    assert AssignmentRule.objects.get(team=desk).mode == Mode.ROUND_ROBIN
    assert client.post("/assignment/teams/help-desk-l1/", {}).status_code == 403


def test_agents_who_lead_no_team_and_customers_are_refused(signed_in, alice, carol, desk):
    assert signed_in(alice).get("/assignment/").status_code == 403
    assert signed_in(carol).get("/assignment/").status_code == 302  # to the portal
    assert signed_in(carol).post("/assignment/teams/service-desk/", {}).status_code == 403


def test_the_ticket_panel_sets_required_skills(signed_in, alice, acme_ticket, skill):
    vpn = skill("VPN")
    client = signed_in(alice)
    url = f"/assignment/tickets/{acme_ticket.number}/skills/"
    panel = client.get(url)
    assert "Required skills" in panel.content.decode()
    response = client.post(url, {"skills": [vpn.pk]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "ticket-changed" in response["HX-Trigger"]
    assert "VPN" in response.content.decode()
    assert acme_ticket.events.filter(kind=EventKind.CHANGED).exists()
    detail = client.get(acme_ticket.get_absolute_url()).content.decode()
    assert url in detail


def test_the_ticket_panel_respects_tenancy(signed_in, admin_serving, globex, carol, acme_ticket):
    other = admin_serving(globex, email="g@msp.example")
    url = f"/assignment/tickets/{acme_ticket.number}/skills/"
    assert signed_in(other).get(url).status_code == 404
    assert signed_in(carol).get(url).status_code == 302
