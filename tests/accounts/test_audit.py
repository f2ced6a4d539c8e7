"""Teams, roles, the security policy and MFA resets write one audit entry per change."""

import pytest

from deskside.accounts import services
from deskside.accounts.exceptions import InvalidInput
from tests.audit_helpers import mark, only, since


def test_team_created(admin):
    start = mark()
    team = services.create_team(name="Servers L3", tier="L3", lead=admin, actor=admin)
    entry = only(start)
    assert (entry.action, entry.object_type, entry.object_id, entry.actor) == (
        "created",
        "accounts.team",
        team.slug,
        admin,
    )
    assert entry.after == {
        "name": "Servers L3",
        "slug": "servers-l3",
        "tier": "L3",
        "lead": "root@msp.example",
    }


def test_roles_changed(admin, alice, helpdesk, network_team):
    start = mark()
    services.set_roles(actor=admin, user=alice, is_staff=True, teams=[helpdesk, network_team])
    entry = only(start)
    assert (entry.action, entry.object_type, entry.object_id) == (
        "roles_changed",
        "accounts.user",
        alice.public_id,
    )
    assert entry.before == {"is_staff": False, "teams": ["help-desk-l1"]}
    assert entry.after == {"is_staff": True, "teams": ["help-desk-l1", "network-l3"]}
    alice.refresh_from_db()
    assert alice.is_staff


def test_roles_refused_write_nothing(admin, carol):
    start = mark()
    with pytest.raises(InvalidInput):
        services.set_roles(actor=admin, user=carol, is_staff=True)
    assert since(start) == []
    carol.refresh_from_db()
    assert not carol.is_staff


def test_security_policy_change(admin):
    start = mark()
    services.set_agent_mfa_required(actor=admin, required=True)
    entry = only(start)
    assert (entry.object_type, entry.before, entry.after) == (
        "accounts.security_policy",
        {"require_agent_mfa": False},
        {"require_agent_mfa": True},
    )
    start = mark()
    services.set_agent_mfa_required(actor=admin, required=True)
    assert since(start) == []  # no change


def test_mfa_reset(admin, alice):
    start = mark()
    services.reset_agent_mfa(actor=admin, agent=alice)
    entry = only(start)
    assert (entry.action, entry.object_id) == ("mfa_reset", alice.public_id)
