"""Escalation policies and paging rules write one audit entry per change."""

import pytest

from deskside.paging import services
from deskside.paging.exceptions import InvalidInput
from deskside.paging.models import PagingRule
from deskside.paging.services import StepSpec
from tests.audit_helpers import mark, only, since


def test_policy_created(admin, schedule, leo):
    start = mark()
    policy = services.create_policy(
        actor=admin,
        name="Days",
        steps=[
            StepSpec(target="schedule", schedule=schedule, wait_minutes=5),
            StepSpec(target="user", user=leo, wait_minutes=10),
        ],
    )
    entry = only(start)
    assert (entry.action, entry.object_type, entry.object_id) == (
        "created",
        "paging.policy",
        policy.slug,
    )
    assert [s["target"] for s in entry.after["steps"]] == ["schedule", "user"]
    assert entry.after["steps"][1]["user"] == "leo@msp.example"


def test_policy_updated_and_deleted(admin, policy, leo):
    start = mark()
    services.update_policy(
        actor=admin,
        policy=policy,
        repeat=2,
        steps=[StepSpec(target="user", user=leo, wait_minutes=3)],
    )
    entry = only(start)
    assert entry.action == "updated"
    assert entry.before["repeat"] == 1 and entry.after["repeat"] == 2
    assert len(entry.before["steps"]) == 2 and len(entry.after["steps"]) == 1
    assert "name" not in entry.after

    start = mark()
    services.delete_policy(actor=admin, policy=policy)
    entry = only(start)
    assert (entry.action, entry.before["name"]) == ("deleted", "Night escalation")


def test_rule_set_changed_and_deleted(admin, default_contract, policy):
    start = mark()
    rule = services.set_rule(actor=admin, contract=default_contract, policy=policy)
    entry = only(start)
    assert (entry.action, entry.object_type, entry.object_id) == (
        "created",
        "paging.rule",
        default_contract.public_id,
    )
    assert entry.after["policy"] == policy.slug

    start = mark()
    services.set_rule(
        actor=admin, contract=default_contract, policy=policy, p2=PagingRule.P2.ALWAYS
    )
    entry = only(start)
    assert (entry.action, entry.before, entry.after) == (
        "updated",
        {"p2": "after_hours"},
        {"p2": "always"},
    )

    start = mark()
    services.delete_rule(actor=admin, rule=rule)
    assert only(start).action == "deleted"


def test_a_refused_delete_writes_no_entry(admin, rule, policy):
    start = mark()
    with pytest.raises(InvalidInput):
        services.delete_policy(actor=admin, policy=policy)  # the rule uses it
    assert since(start) == []
