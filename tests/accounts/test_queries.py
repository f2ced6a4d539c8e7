"""Directory visibility: customers see their organisation, agents the clients they serve."""

import pytest
from django.contrib.auth.models import AnonymousUser

from deskside.accounts import services
from deskside.accounts.models import User
from deskside.accounts.queries import (
    agents,
    agents_serving,
    organizations_visible_to,
    served_organization_ids,
    serves,
    sites_visible_to,
    users_visible_to,
)


@pytest.fixture
def rita(msp, globex):
    user = services.create_user(email="rita@msp.example", kind="agent", organization=msp)
    user.served_organizations.set([globex])
    return User.objects.get(pk=user.pk)


def test_organizations(msp, acme, globex, alice, carol, dave, rita):
    assert set(organizations_visible_to(alice)) == {msp, acme, globex}
    assert set(organizations_visible_to(rita)) == {globex}
    assert list(organizations_visible_to(carol)) == [acme]
    assert list(organizations_visible_to(dave)) == [globex]
    assert not organizations_visible_to(AnonymousUser()).exists()


def test_sites(acme_hq, globex_site, alice, carol, dave, rita):
    assert set(sites_visible_to(alice)) == {acme_hq, globex_site}
    assert list(sites_visible_to(carol)) == [acme_hq]
    assert list(sites_visible_to(dave)) == [globex_site]
    assert list(sites_visible_to(rita)) == [globex_site]


def test_users(alice, leo, carol, olivia, dave, rita):
    assert set(users_visible_to(alice)) == {alice, leo, carol, olivia, dave, rita}
    assert set(users_visible_to(rita)) == {alice, leo, dave, rita}
    assert set(users_visible_to(carol)) == {carol, olivia}  # agents: tickets.queries
    assert dave not in users_visible_to(olivia)
    olivia.is_active = False
    olivia.save()
    assert olivia not in users_visible_to(carol)
    assert not users_visible_to(olivia).exists()


def test_agents(alice, leo, carol):
    assert set(agents()) == {alice, leo}
    leo.is_active = False
    leo.save()
    assert list(agents()) == [alice]


def test_served_organization_ids(alice, rita, globex):
    assert served_organization_ids(alice) is None
    assert served_organization_ids(rita) == [globex.pk]


def test_agents_serving_a_client(rita, msp, acme, globex):
    everyone = services.create_user(email="eve@msp.example", kind="agent", organization=msp)
    both = services.create_user(email="bo@msp.example", kind="agent", organization=msp)
    both.served_organizations.set([acme, globex])
    gone = services.create_user(email="gone@msp.example", kind="agent", organization=msp)
    gone.is_active = False
    gone.save()
    customer = services.create_user(email="c@acme.example", organization=acme)
    assert set(agents_serving(acme)) == {everyone, both}
    assert set(agents_serving(globex)) == {everyone, both, rita}
    assert agents_serving(globex).count() == 3  # no row repeated by the join
    assert customer not in agents_serving(acme)


def test_serves_a_client(rita, alice, acme, globex):
    assert serves(rita, globex.pk) and not serves(rita, acme.pk)  # limited to Globex
    assert serves(alice, acme.pk) and serves(alice, globex.pk)  # serves every client
