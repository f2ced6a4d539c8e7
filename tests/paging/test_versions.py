"""Concurrent edits of paging set-up (issue 12, item 9): contact methods, escalation policies
and paging rules carry a version; a stale edit is a conflict (409 in the API with the current
version; the page says so and shows the current state), an edit after a delete is a 404 and
never brings the row back, and a policy deleted while a rule is being set to it ends clean."""

import json

import pytest
from django.urls import reverse

from deskside.core import versioning
from deskside.paging import services
from deskside.paging.exceptions import InvalidInput
from deskside.paging.models import ContactMethod, EscalationPolicy, PagingRule
from tests.conftest import client_for
from tests.core.races import in_threads

CONTACTS = "/api/v1/paging/contact-methods"


@pytest.fixture
def method(alice):
    return services.add_contact_method(
        actor=alice, user=alice, kind="email", address="pager@alice.example"
    )


def test_api_stale_contact_edit_is_409(alice, method):
    api = client_for(alice)
    path = f"{CONTACTS}/{method.public_id}"
    first = api.patch(path, {"label": "phone", "version": 1})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = api.patch(path, {"is_active": False, "version": 1})
    assert stale.status_code == 409
    assert stale.json() | {"detail": ""} == {"detail": "", "field": "version", "version": 2}
    assert ContactMethod.objects.get().is_active


def test_contact_edit_after_delete_is_404_and_nothing_comes_back(alice, method):
    api = client_for(alice)
    stale = ContactMethod.objects.get(pk=method.pk)
    path = f"{CONTACTS}/{method.public_id}"
    assert api.delete(path).status_code == 204
    assert api.patch(path, {"is_active": True}).status_code == 404
    with pytest.raises(versioning.Gone):
        services.update_contact_method(actor=alice, method=stale, is_active=True)
    with pytest.raises(versioning.Gone):
        services.delete_contact_method(actor=alice, method=stale)
    assert not ContactMethod.objects.exists()


def test_contact_page_stale_toggle_is_refused_with_a_message(alice, method, client):
    client.force_login(alice)
    page = client.get(reverse("paging:contacts")).content.decode()
    assert 'name="version" value="1"' in page
    services.update_contact_method(actor=alice, method=method, is_active=False)  # elsewhere
    action = reverse("paging:contact_action", args=[method.public_id])
    response = client.post(action, {"action": "toggle", "version": "1"}, follow=True)
    assert "changed by someone else since you opened it" in response.content.decode()
    assert not ContactMethod.objects.get().is_active  # the other edit stands
    services.delete_contact_method(actor=alice, method=method)
    assert client.post(action, {"action": "toggle", "version": "2"}).status_code == 404
    assert not ContactMethod.objects.exists()


def test_api_stale_policy_edit_is_409_and_steps_count_as_a_change(admin, policy):
    api = client_for(admin)
    path = f"/api/v1/paging/policies/{policy.slug}"
    assert api.get(path).json()["version"] == 1
    steps = api.get(path).json()["steps"][:1]
    body = {
        "steps": [
            {"target": s["target"], "schedule": s["schedule"], "wait_minutes": 5} for s in steps
        ]
    }
    assert api.patch(path, {**body, "version": 1}).status_code == 200
    stale = api.patch(path, {"repeat": 5, "version": 1})
    assert stale.status_code == 409 and stale.json()["version"] == 2
    assert EscalationPolicy.objects.get().repeat == policy.repeat


def test_policy_page_stale_save_shows_the_conflict_and_keeps_the_input(admin, policy, client):
    client.force_login(admin)
    url = reverse("paging:policy", args=[policy.slug])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    services.update_policy(actor=admin, policy=policy, name="Renamed elsewhere")
    response = client.post(
        url,
        {
            "name": "My name",
            "repeat": "1",
            "version": "1",
            "step_target": ["user"],
            "step_user": [str(policy.steps.first().user_id or admin.pk)],
            "step_schedule": [""],
            "step_team": [""],
            "step_wait": ["5"],
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else since you opened it" in html
    assert "Renamed elsewhere" in html
    assert 'value="My name"' in html
    assert 'name="version" value="2"' in html
    assert EscalationPolicy.objects.get().name == "Renamed elsewhere"


def test_policy_edit_after_delete_is_gone(admin, policy):
    stale = EscalationPolicy.objects.get(pk=policy.pk)
    services.delete_policy(actor=admin, policy=policy)
    with pytest.raises(versioning.Gone):
        services.update_policy(actor=admin, policy=stale, name="Back")
    assert not EscalationPolicy.objects.exists()


def test_api_stale_rule_replace_is_409_and_delete_after_delete_is_404(
    admin, rule, default_contract, policy
):
    api = client_for(admin)
    path = f"/api/v1/paging/rules/{default_contract.public_id}"

    def put(body):
        return api.put(path, json.dumps(body), content_type="application/json")

    assert put({"policy": policy.slug, "p2": "always", "version": 1}).status_code == 200
    stale = put({"policy": policy.slug, "p2": "never", "version": 1})
    assert stale.status_code == 409 and stale.json()["version"] == 2
    assert PagingRule.objects.get().p2 == "always"
    assert api.delete(path).status_code == 204
    gone = put({"policy": policy.slug, "p2": "never", "version": 2})
    assert gone.status_code == 404
    assert not PagingRule.objects.exists()
    with pytest.raises(versioning.Gone):
        services.delete_rule(actor=admin, rule=rule)


@pytest.mark.django_db(transaction=True)
def test_racing_contact_edit_and_delete_never_resurrect(alice):
    for i in range(3):
        method = services.add_contact_method(
            actor=alice, user=alice, kind="email", address=f"p{i}@alice.example"
        )
        a, b = (ContactMethod.objects.get(pk=method.pk) for _ in range(2))
        _, errors = in_threads(
            lambda a=a: services.update_contact_method(actor=alice, method=a, is_active=False),
            lambda b=b: services.delete_contact_method(actor=alice, method=b),
        )
        assert all(isinstance(e, versioning.Gone) for e in errors), errors
        assert not ContactMethod.objects.filter(pk=method.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_racing_policy_delete_and_rule_set_end_clean(admin, schedule, leo, default_contract):
    for i in range(3):
        policy = services.create_policy(
            actor=admin,
            name=f"Race {i}",
            steps=[services.StepSpec(target="user", user=leo, wait_minutes=5)],
        )
        _, errors = in_threads(
            lambda p=policy: services.set_rule(actor=admin, contract=default_contract, policy=p),
            lambda p=policy: services.delete_policy(actor=admin, policy=p),
        )
        assert len(errors) == 1, errors
        assert isinstance(errors[0], InvalidInput | versioning.Gone), errors
        if EscalationPolicy.objects.filter(pk=policy.pk).exists():
            assert PagingRule.objects.get().policy_id == policy.pk
            PagingRule.objects.all().delete()
        else:
            assert not PagingRule.objects.filter(policy_id=policy.pk).exists()


def test_rules_page_stale_save_is_refused_with_a_message(admin, rule, default_contract, client):
    client.force_login(admin)
    page = client.get(reverse("paging:rules")).content.decode()
    assert 'name="version" value="1"' in page
    services.set_rule(actor=admin, contract=default_contract, policy=rule.policy, p2="always")
    response = client.post(
        reverse("paging:rules"),
        {
            "contract": default_contract.public_id,
            "policy": str(rule.policy_id),
            "p2": "never",
            "alert_severity": "none",
            "version": "1",
        },
        follow=True,
    )
    assert "changed by someone else since you opened it" in response.content.decode()
    assert PagingRule.objects.get().p2 == "always"
    stale_stop = client.post(
        reverse("paging:rules"),
        {"contract": default_contract.public_id, "action": "delete", "version": "1"},
        follow=True,
    )
    assert "changed by someone else since you opened it" in stale_stop.content.decode()
    assert PagingRule.objects.exists()
