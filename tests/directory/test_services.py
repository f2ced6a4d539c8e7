"""The directory's services: what they change, who may, and the audit entry of each."""

import pytest

from deskside.accounts.models import User
from deskside.core.exceptions import DomainError
from deskside.core.models import AuditEntry
from deskside.directory import services
from deskside.directory.exceptions import InvalidInput, NotAllowed


def last_audit(obj_type):
    return AuditEntry.objects.filter(object_type=obj_type).order_by("-id").first()


def test_an_agent_adds_a_contact_and_it_is_audited(alice, acme, acme_hq):
    contact = services.create_contact(
        actor=alice,
        email=" New.Caller@Acme.example ",
        full_name="New Caller",
        organization=acme,
        site=acme_hq,
        phone="(617) 555-0123",
        is_vip=True,
    )
    assert contact.email == "new.caller@acme.example"
    assert contact.kind == User.Kind.CUSTOMER
    assert contact.phone_e164 == "+16175550123"
    assert contact.is_vip and not contact.has_usable_password()
    entry = last_audit("accounts.user")
    assert entry.action == "created" and entry.actor == alice
    assert entry.after["email"] == "new.caller@acme.example" and entry.after["is_vip"] is True


def test_contact_input_is_checked(alice, acme, globex_site):
    with pytest.raises(InvalidInput) as bad:
        services.create_contact(actor=alice, email="not-an-email", organization=acme)
    assert bad.value.field == "email"
    with pytest.raises(InvalidInput) as bad:
        services.create_contact(actor=alice, email="a@acme.example", organization=acme, phone="x1")
    assert bad.value.field == "phone"
    with pytest.raises(InvalidInput) as bad:
        services.create_contact(
            actor=alice, email="a@acme.example", organization=acme, site=globex_site
        )
    assert bad.value.field == "site"


def test_an_agent_limited_to_acme_cannot_touch_globex(lim, globex, dave, carol, acme):
    with pytest.raises(NotAllowed):
        services.create_contact(actor=lim, email="x@globex.example", organization=globex)
    with pytest.raises(NotAllowed):
        services.update_contact(actor=lim, contact=dave, full_name="Hacked")
    with pytest.raises(NotAllowed):
        services.set_contact_active(actor=lim, contact=dave, active=False)
    with pytest.raises(NotAllowed):  # nor move an Acme contact to Globex
        services.update_contact(actor=lim, contact=carol, organization=globex)
    dave.refresh_from_db()
    assert dave.full_name == "Dave Other" and dave.is_active


def test_update_contact_changes_only_what_is_given_and_audits_the_change(alice, carol):
    services.update_contact(actor=alice, contact=carol, mobile="+44 7700 900123", is_vip=True)
    carol.refresh_from_db()
    assert carol.mobile_e164 == "+447700900123" and carol.is_vip
    assert carol.full_name == "Carol Customer"
    entry = last_audit("accounts.user")
    assert entry.action == "updated"
    assert entry.before == {"mobile": "", "is_vip": False}
    assert entry.after == {"mobile": "+44 7700 900123", "is_vip": True}


def test_moving_a_contact_clears_the_old_clients_site(alice, carol, globex):
    services.update_contact(actor=alice, contact=carol, organization=globex)
    carol.refresh_from_db()
    assert carol.organization == globex and carol.site is None


def test_an_email_taken_by_someone_else_is_refused(alice, carol, dave):
    with pytest.raises(InvalidInput) as bad:
        services.update_contact(actor=alice, contact=carol, email="DAVE@globex.example")
    assert bad.value.field == "email"


def test_deactivating_a_contact_keeps_them_and_their_tickets(alice, carol, acme_ticket):
    services.set_contact_active(actor=alice, contact=carol, active=False)
    carol.refresh_from_db()
    assert not carol.is_active
    assert acme_ticket.requester_id == carol.pk
    entry = last_audit("accounts.user")
    assert entry.action == "deactivated" and entry.after == {"is_active": False}
    services.set_contact_active(actor=alice, contact=carol, active=True)
    carol.refresh_from_db()
    assert carol.is_active
    assert last_audit("accounts.user").action == "reactivated"


def test_a_customer_changes_nothing(carol, olivia, acme):
    with pytest.raises(NotAllowed):
        services.create_contact(actor=olivia, email="x@acme.example", organization=acme)
    with pytest.raises(NotAllowed):
        services.update_contact(actor=olivia, contact=carol, full_name="x")


def test_clients_and_sites_are_for_administrators(admin, alice, acme_admin, acme, globex):
    with pytest.raises(NotAllowed):
        services.update_organization(actor=alice, organization=acme, notes="x")
    with pytest.raises(NotAllowed):  # an admin who does not serve Globex
        services.update_organization(actor=acme_admin, organization=globex, notes="x")
    with pytest.raises(NotAllowed):  # new clients: admins who serve every client
        services.create_organization(actor=acme_admin, name="Initech")
    services.update_organization(
        actor=acme_admin, organization=acme, email_domains="Acme.example; @acme.co.uk"
    )
    acme.refresh_from_db()
    assert acme.email_domains == "acme.example, acme.co.uk"
    client = services.create_organization(
        actor=admin, name="Initech", timezone="America/Chicago", notes="Key under the mat"
    )
    assert client.slug == "initech" and client.notes == "Key under the mat"
    assert last_audit("accounts.organization").action == "created"


def test_client_updates_are_checked(admin, acme, globex):
    with pytest.raises(InvalidInput) as bad:
        services.update_organization(actor=admin, organization=acme, slug="globex")
    assert bad.value.field == "slug"
    with pytest.raises(DomainError) as bad:  # accounts' own time-zone check
        services.update_organization(actor=admin, organization=acme, timezone="Mars/Base")
    assert bad.value.field == "timezone"
    with pytest.raises(InvalidInput) as bad:
        services.update_organization(actor=admin, organization=acme, email_domains="not a domain")
    assert bad.value.field == "email_domains"


def test_sites_are_created_and_edited_with_coordinates(acme_admin, acme, acme_hq, globex_site):
    site = services.create_site(
        actor=acme_admin,
        organization=acme,
        name="Warehouse",
        latitude="42.36",
        longitude=-71.05,
        access_notes="Ring twice",
    )
    assert site.timezone == "America/New_York" and float(site.latitude) == 42.36
    services.update_site(actor=acme_admin, site=site, timezone="America/Chicago", latitude=None)
    site.refresh_from_db()
    assert site.timezone == "America/Chicago" and site.latitude is None
    entry = last_audit("accounts.site")
    assert entry.action == "updated" and entry.after["latitude"] is None
    with pytest.raises(InvalidInput) as bad:
        services.update_site(actor=acme_admin, site=site, name="HQ")
    assert bad.value.field == "name"
    with pytest.raises(InvalidInput) as bad:
        services.update_site(actor=acme_admin, site=site, latitude=91)
    assert bad.value.field == "latitude"
    with pytest.raises(NotAllowed):
        services.update_site(actor=acme_admin, site=globex_site, name="Mine")


def test_agents_are_managed_by_full_administrators(admin, acme_admin, alice, helpdesk, acme):
    with pytest.raises(NotAllowed):
        services.create_agent(actor=alice, email="x@msp.example", full_name="X")
    with pytest.raises(NotAllowed):
        services.create_agent(actor=acme_admin, email="x@msp.example", full_name="X")
    agent = services.create_agent(
        actor=admin,
        email="new@msp.example",
        full_name="New Tech",
        tier="L2",
        teams=[helpdesk],
        served_organizations=[acme],
    )
    assert agent.is_agent and agent.tier == "L2" and agent.organization.is_msp
    assert list(agent.served_organizations.all()) == [acme]
    services.update_agent(actor=admin, agent=agent, tier="L3", teams=[], full_name="Senior Tech")
    agent.refresh_from_db()
    assert agent.tier == "L3" and agent.full_name == "Senior Tech" and not agent.teams.exists()
    actions = set(
        AuditEntry.objects.filter(object_id=agent.public_id).values_list("action", flat=True)
    )
    assert actions == {"created", "updated", "roles_changed"}


def test_an_admin_keeps_their_own_role_and_account(admin):
    with pytest.raises(InvalidInput):
        services.update_agent(actor=admin, agent=admin, is_staff=False)
    with pytest.raises(InvalidInput):
        services.set_agent_active(actor=admin, agent=admin, active=False)


def test_deactivating_an_agent(admin, alice):
    services.set_agent_active(actor=admin, agent=alice, active=False)
    alice.refresh_from_db()
    assert not alice.is_active


def test_teams_are_created_and_edited(admin, alice, leo, tara, carol):
    team = services.create_team(actor=admin, name="Service Desk", tier="L1", members=[alice])
    assert set(team.members.all()) == {alice}
    services.update_team(actor=admin, team=team, name="Front Desk", lead=leo, members=[tara])
    team.refresh_from_db()
    assert team.name == "Front Desk" and team.lead == leo
    assert set(team.members.all()) == {tara, leo}  # the lead is always a member
    entry = last_audit("accounts.team")
    assert entry.after["members"] == sorted([tara.email, leo.email])
    with pytest.raises(InvalidInput) as bad:
        services.update_team(actor=admin, team=team, members=[carol])
    assert bad.value.field == "members"
    with pytest.raises(NotAllowed):
        services.update_team(actor=alice, team=team, name="Mine")
