"""Tenancy at every paging page and endpoint (customers 403/404 or sent to the portal; an
agent who does not serve a client neither sees nor acknowledges its chains), and the set-up
through the pages and the API: contact methods, policies with steps, rules."""

import json

import pytest
from django.core import mail
from django.urls import reverse

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.paging import services
from deskside.paging.models import ContactMethod, Escalation, EscalationPolicy, PagingRule
from deskside.paging.worker import paging_pass
from deskside.sla.models import Contract
from deskside.tickets.models import Priority
from tests.conftest import client_for


@pytest.fixture
def gina(msp, globex):
    """An agent who serves Globex only."""
    user = accounts.create_user(
        email="gina@msp.example",
        full_name="Gina Globex",
        kind="agent",
        tier=Tier.L1,
        organization=msp,
    )
    user.served_organizations.set([globex])
    return user


def test_customers_get_nothing(p1, at, carol, client):
    paging_pass()
    escalation = Escalation.objects.get(ticket=p1)
    client.force_login(carol)
    for name, args in [
        ("paging:index", []),
        ("paging:contacts", []),
        ("paging:policies", []),
        ("paging:rules", []),
        ("paging:ticket_panel", [p1.number]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and "/paging" not in response["Location"], name
    assert (
        client.post(reverse("paging:acknowledge", args=[escalation.public_id])).status_code == 403
    )
    api = client_for(carol)
    for path in [
        "/api/v1/paging/escalations",
        "/api/v1/paging/pages",
        "/api/v1/paging/contact-methods",
        "/api/v1/paging/policies",
        "/api/v1/paging/rules",
    ]:
        assert api.get(path).status_code == 403, path
    assert api.post(f"/api/v1/tickets/{p1.number}/acknowledge").status_code == 403
    assert Escalation.objects.get(ticket=p1).status == "active"


def test_an_agent_who_does_not_serve_the_client_sees_and_acks_nothing(p1, at, gina, client):
    paging_pass()
    escalation = Escalation.objects.get(ticket=p1)
    client.force_login(gina)
    assert p1.number.encode() not in client.get(reverse("paging:index")).content
    assert client.get(reverse("paging:ticket_panel", args=[p1.number])).status_code == 404
    assert (
        client.post(reverse("paging:acknowledge", args=[escalation.public_id])).status_code == 404
    )
    api = client_for(gina)
    assert api.get("/api/v1/paging/escalations").json()["items"] == []
    assert api.get("/api/v1/paging/pages").json()["items"] == []
    assert api.post(f"/api/v1/tickets/{p1.number}/acknowledge").status_code == 404
    assert Escalation.objects.get(ticket=p1).status == "active"


def test_lists(p1, at, alice):
    paging_pass()
    api = client_for(alice)
    rows = api.get("/api/v1/paging/escalations").json()["items"]
    assert [r["ticket"] for r in rows] == [p1.number]
    mine = api.get("/api/v1/paging/pages?mine=true").json()["items"]
    assert [(r["user"], r["status"], r["service"]) for r in mine] == [
        ("alice@msp.example", "sent", "email")
    ]
    assert api.get("/api/v1/paging/escalations?status=bogus").json()["field"] == "status"


def test_contact_methods_through_the_api(alice, leo):
    api = client_for(alice)
    created = api.post(
        "/api/v1/paging/contact-methods",
        {"kind": "apprise", "address": "ntfy://alice-pager", "label": "phone"},
    )
    assert created.status_code == 201
    body = created.json()
    assert body["service"] == "ntfy" and "address" not in body
    bad = api.post("/api/v1/paging/contact-methods", {"kind": "apprise", "address": "x://"})
    assert bad.status_code == 422 and bad.json()["field"] == "address"
    # Leo cannot touch Alice's.
    leo_api = client_for(leo)
    path = f"/api/v1/paging/contact-methods/{body['public_id']}"
    assert leo_api.patch(path, {"label": "mine"}).status_code == 404
    assert api.patch(path, {"is_active": False}).json()["is_active"] is False
    assert api.delete(path).status_code == 204
    assert not ContactMethod.objects.exists()


def test_contact_methods_page(alice, client):
    client.force_login(alice)
    response = client.post(
        reverse("paging:contacts"), {"kind": "email", "address": "pager@alice.example"}
    )
    assert response.status_code == 302
    method = ContactMethod.objects.get(user=alice)
    page = client.get(reverse("paging:contacts"))
    assert b"pager@alice.example" in page.content and b"Send test notification" in page.content
    response = client.post(
        reverse("paging:contact_action", args=[method.public_id]), {"action": "test"}
    )
    assert response.status_code == 302

    assert mail.outbox[-1].to == ["pager@alice.example"]
    bad = client.post(reverse("paging:contacts"), {"kind": "apprise", "address": "bogus"})
    assert bad.status_code == 422 and b"Apprise does not accept" in bad.content


def test_policies_and_rules_through_the_api(
    admin, alice, schedule, leo, network_team, default_contract
):
    api = client_for(admin)
    body = {
        "name": "Servers",
        "team": network_team.slug,
        "repeat": 2,
        "notify_team_lead": True,
        "steps": [
            {"target": "schedule", "schedule": schedule.slug, "wait_minutes": 5},
            {"target": "user", "user": leo.email, "wait_minutes": 10},
            {"target": "team", "team": network_team.slug, "wait_minutes": 15},
        ],
    }
    assert client_for(alice).post("/api/v1/paging/policies", body).status_code == 403
    created = api.post("/api/v1/paging/policies", body)
    assert created.status_code == 201, created.content
    assert [s["target"] for s in created.json()["steps"]] == ["schedule", "user", "team"]
    bad = api.post("/api/v1/paging/policies", {**body, "name": "X", "steps": [{"target": "user"}]})
    assert bad.status_code == 422 and bad.json()["field"] == "steps.0.user"
    patched = api.patch("/api/v1/paging/policies/servers", {"steps": body["steps"][:1]})
    assert len(patched.json()["steps"]) == 1
    rule = api.put(
        f"/api/v1/paging/rules/{default_contract.public_id}",
        json.dumps({"policy": "servers", "p2": "always", "alert_severity": "error"}),
        content_type="application/json",
    )
    assert rule.status_code == 200 and rule.json()["p2"] == "always"
    assert api.delete("/api/v1/paging/policies/servers").status_code == 422  # in use
    assert api.delete(f"/api/v1/paging/rules/{default_contract.public_id}").status_code == 204
    assert api.delete("/api/v1/paging/policies/servers").status_code == 204
    assert not EscalationPolicy.objects.exists()


def test_policy_and_rule_pages(admin, alice, schedule, leo, default_contract, client):
    client.force_login(alice)
    assert client.get(reverse("paging:policy_new")).status_code == 403
    client.force_login(admin)
    response = client.post(
        reverse("paging:policy_new"),
        {
            "name": "Desk nights",
            "repeat": "1",
            "step_target": ["schedule", "user", ""],
            "step_schedule": [str(schedule.pk), "", ""],
            "step_user": ["", str(leo.pk), ""],
            "step_team": ["", "", ""],
            "step_wait": ["5", "10", "5"],
        },
    )
    assert response.status_code == 302
    policy = EscalationPolicy.objects.get(slug="desk-nights")
    assert [s.target for s in policy.steps.all()] == ["schedule", "user"]
    assert client.get(reverse("paging:policies")).status_code == 200
    assert client.get(reverse("paging:policy", args=[policy.slug])).status_code == 200
    response = client.post(
        reverse("paging:rules"),
        {
            "contract": default_contract.public_id,
            "policy": str(policy.pk),
            "page_p1": "1",
            "p2": "never",
            "alert_severity": "none",
        },
    )
    assert response.status_code == 302
    assert PagingRule.objects.get(contract=default_contract).p2 == "never"
    assert b"Desk nights" in client.get(reverse("paging:rules")).content


def test_lists_do_not_grow_queries_with_rows(
    rule, at, make_ticket, carol, alice, client, django_assert_max_num_queries
):

    for i in range(5):
        make_ticket(carol, subject=f"Down {i}", priority=Priority.P1)
    paging_pass()
    api = client_for(alice)
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/v1/paging/escalations").json()["items"]) == 5
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/v1/paging/pages").json()["items"]) == 5
    client.force_login(alice)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("paging:index"))
    assert page.status_code == 200 and page.content.count(b'class="chain"') == 5


def test_rules_show_and_change_only_the_contracts_of_served_clients(
    admin, admin_serving, rule, policy, msp, acme, globex, gina, office_hours, client
):
    """An agent limited to some clients sees the paging rules of their clients' contracts and
    the default one, as on the SLA pages; another client's contract is 404, also to an
    administrator limited to some clients."""
    acme_gold = Contract.objects.create(name="Acme Gold", organization=acme, calendar=office_hours)
    services.set_rule(actor=admin, contract=acme_gold, policy=policy)
    client.force_login(gina)
    page = client.get(reverse("paging:rules"))
    assert page.status_code == 200
    assert b"Acme Gold" not in page.content and b"Standard" in page.content
    listed = client_for(gina).get("/api/v1/paging/rules").json()
    assert [r["contract_name"] for r in listed] == ["Standard"]
    client.force_login(admin)
    assert b"Acme Gold" in client.get(reverse("paging:rules")).content
    assert len(client_for(admin).get("/api/v1/paging/rules").json()) == 2

    globex_admin = admin_serving(globex, email="gadmin@msp.example", full_name="Globex Admin")
    api = client_for(globex_admin)
    assert [r["contract_name"] for r in api.get("/api/v1/paging/rules").json()] == ["Standard"]
    put = api.put(
        f"/api/v1/paging/rules/{acme_gold.public_id}",
        json.dumps({"policy": policy.slug, "p2": "always"}),
        content_type="application/json",
    )
    assert put.status_code == 404
    assert api.delete(f"/api/v1/paging/rules/{acme_gold.public_id}").status_code == 404
    client.force_login(globex_admin)
    assert b"Acme Gold" not in client.get(reverse("paging:rules")).content
    posted = client.post(
        reverse("paging:rules"),
        {"contract": acme_gold.public_id, "action": "delete"},
    )
    assert posted.status_code == 404
    assert PagingRule.objects.get(contract=acme_gold).p2 == "after_hours"


def test_a_policy_needs_at_least_one_step(admin, schedule, client):
    with pytest.raises(services.InvalidInput) as refused:
        services.create_policy(actor=admin, name="Empty", steps=[])
    assert refused.value.field == "steps"
    policy = services.create_policy(
        actor=admin,
        name="Nights",
        steps=[services.StepSpec(target="schedule", schedule=schedule, wait_minutes=5)],
    )
    with pytest.raises(services.InvalidInput) as refused:
        services.update_policy(actor=admin, policy=policy, steps=[])
    assert refused.value.field == "steps"
    assert policy.steps.count() == 1

    api = client_for(admin)
    created = api.post("/api/v1/paging/policies", {"name": "Empty", "steps": []})
    assert created.status_code == 422 and created.json()["field"] == "steps"
    patched = api.patch(f"/api/v1/paging/policies/{policy.slug}", {"steps": []})
    assert patched.status_code == 422 and patched.json()["field"] == "steps"
    assert policy.steps.count() == 1

    client.force_login(admin)
    form = client.post(
        reverse("paging:policy_new"),
        {"name": "Empty", "repeat": "0", "step_target": ["", ""], "step_wait": ["5", "5"]},
    )
    assert form.status_code == 422 and b"at least one step" in form.content
    assert not EscalationPolicy.objects.filter(name="Empty").exists()
