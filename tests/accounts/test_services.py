"""Directory services: validation that names the field, and API tokens stored as hashes."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.accounts import services
from deskside.accounts.exceptions import InvalidInput
from deskside.accounts.models import ApiToken, Organization, Site, Team, Tier, User, hash_token
from deskside.core import clock


def field_of(call) -> str | None:
    with pytest.raises(InvalidInput) as err:
        call()
    return err.value.field


# -- organisations -----------------------------------------------------------------------------


def test_create_organization(db):
    org = services.create_organization(name="  Initech Ltd ", timezone="Europe/London")
    assert org.name == "Initech Ltd"
    assert org.slug == "initech-ltd"
    assert org.timezone == "Europe/London"
    assert org.is_msp is False


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "Acme", "slug": "!!!"}, "slug"),
        ({"name": "!!!"}, "slug"),
        ({"name": "New", "slug": "ACME"}, "slug"),
        ({"name": "New", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "New", "timezone": ""}, "timezone"),
        ({"name": "New", "timezone": "../etc/passwd"}, "timezone"),
    ],
)
def test_create_organization_refuses(acme, kwargs, field):
    assert field_of(lambda: services.create_organization(**kwargs)) == field
    assert list(Organization.objects.all()) == [acme]


# -- sites -------------------------------------------------------------------------------------


def test_create_site_inherits_time_zone(acme, globex):
    site = services.create_site(organization=acme, name=" Warehouse ", latitude=42.3, longitude=-71)
    assert site.name == "Warehouse"
    assert site.timezone == "America/New_York"
    assert len(site.public_id) >= 12
    # The same name at another client is fine.
    assert services.create_site(organization=globex, name="Warehouse").timezone == "Europe/Berlin"


def test_create_site_refuses(acme, acme_hq):
    assert field_of(lambda: services.create_site(organization=acme, name=" ")) == "name"
    assert field_of(lambda: services.create_site(organization=acme, name="HQ")) == "name"
    assert (
        field_of(lambda: services.create_site(organization=acme, name="X", timezone="Nowhere"))
        == "timezone"
    )
    assert list(Site.objects.all()) == [acme_hq]


# -- users -------------------------------------------------------------------------------------


def test_create_customer_and_agent(acme, acme_hq, msp, helpdesk):
    customer = services.create_user(
        email=" Bob@Acme.Example ",
        full_name=" Bob ",
        password="bob-pass-123",
        organization=acme,
        site=acme_hq,
        tier=Tier.L3,
        is_org_admin=True,
    )
    assert customer.email == "bob@acme.example"
    assert customer.full_name == "Bob"
    assert customer.is_customer
    assert customer.tier == ""
    assert customer.is_org_admin
    assert customer.check_password("bob-pass-123")
    agent = services.create_user(
        email="ann@msp.example",
        kind="agent",
        organization=msp,
        teams=[helpdesk],
        is_org_admin=True,
    )
    assert agent.is_agent
    assert agent.tier == Tier.L1
    assert agent.is_org_admin is False
    assert list(agent.teams.all()) == [helpdesk]
    assert not agent.has_usable_password()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"email": "a@b@c.example"}, "email"),
        ({"email": "CAROL@acme.example"}, "email"),
        ({"email": "x@acme.example", "organization": None}, "organization"),
        ({"email": "x@acme.example", "timezone": "Not/AZone"}, "timezone"),
        ({"email": "x@acme.example", "kind": "robot"}, "kind"),
        ({"email": "x@acme.example", "kind": "agent", "tier": "L7"}, "tier"),
        ({"email": "x@acme.example", "site": "globex_site"}, "site"),
        ({"email": "x@acme.example", "is_staff": True}, "kind"),
        ({"email": "x@acme.example", "is_superuser": True}, "kind"),
        ({"email": "x@acme.example", "is_staff": True, "is_superuser": True}, "kind"),
    ],
)
def test_create_user_refuses(carol, acme, globex_site, kwargs, field):
    kwargs = {"organization": acme, **kwargs}
    if kwargs.get("site") == "globex_site":
        kwargs["site"] = globex_site
    assert field_of(lambda: services.create_user(**kwargs)) == field
    assert list(User.objects.filter(organization=acme)) == [carol]
    assert User.objects.count() == 1


def test_only_agents_may_be_staff(msp):
    admin = services.create_user(
        email="root@msp.example", kind="agent", organization=msp, is_staff=True, is_superuser=True
    )
    assert admin.is_staff and admin.is_superuser and admin.is_agent


# -- teams -------------------------------------------------------------------------------------


def test_create_team(tara):
    team = services.create_team(name="Servers L3", tier=Tier.L3, lead=tara)
    assert team.slug == "servers-l3"
    assert team.lead == tara
    assert team in tara.teams.all()


def test_create_team_refuses(helpdesk):
    assert field_of(lambda: services.create_team(name="  ")) == "name"
    assert field_of(lambda: services.create_team(name="Help desk l1")) == "name"
    assert field_of(lambda: services.create_team(name="Other", tier="L0")) == "tier"
    assert list(Team.objects.all()) == [helpdesk]


# -- API tokens --------------------------------------------------------------------------------


def test_token_is_stored_only_as_a_hash(alice):
    raw = services.create_api_token(user=alice, name="RMM")
    token = ApiToken.objects.get()
    assert raw.startswith("dsk_")
    assert len(raw) > 40
    assert token.token_hash == hash_token(raw)
    assert token.token_hash != raw
    assert token.prefix == raw[:10]
    stored = " ".join(str(v) for v in ApiToken.objects.values().get().values())
    assert raw not in stored
    assert raw[10:20] not in stored
    assert services.create_api_token(user=alice) != raw


def test_user_for_token(alice, carol):
    raw = services.create_api_token(user=alice)
    other = services.create_api_token(user=carol)
    assert services.user_for_token(raw) == alice
    assert services.user_for_token(other) == carol
    for bad in ("", "dsk_nope", raw + "x", raw[:-1], raw.upper(), hash_token(raw), "x" * 500):
        assert services.user_for_token(bad) is None


def test_revoked_token_is_refused(alice):
    raw = services.create_api_token(user=alice)
    services.revoke_api_token(token=ApiToken.objects.get())
    assert services.user_for_token(raw) is None


def test_inactive_users_token_is_refused(alice):
    raw = services.create_api_token(user=alice)
    alice.is_active = False
    alice.save()
    assert services.user_for_token(raw) is None


def test_last_use_is_written_at_most_once_a_minute(alice):
    raw = services.create_api_token(user=alice)
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    with clock.frozen(start):
        services.user_for_token(raw)
    assert ApiToken.objects.get().last_used_at == start
    with clock.frozen(start + timedelta(seconds=30)):
        services.user_for_token(raw)
    assert ApiToken.objects.get().last_used_at == start
    with clock.frozen(start + timedelta(minutes=2)):
        services.user_for_token(raw)
    assert ApiToken.objects.get().last_used_at == start + timedelta(minutes=2)
