"""Support-duty personas, imported by the test_supportduty* modules: "Internal IT", a small
team of Alice (its lead), Bea and Cid, and a builder that sets its duty through the service, as
its lead's clicks would. Tara leads another team (network); Leo is in no duty team."""

from datetime import date

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.rosters import supportduty


@pytest.fixture(autouse=True)
def free_clock():
    yield
    clock.set_now(None)


@pytest.fixture
def it_team(db, alice):
    team = accounts.create_team(name="Internal IT", tier=Tier.L2)
    team.lead = alice
    team.save(update_fields=["lead"])
    alice.teams.add(team)
    return team


def _agent(msp, team, local: str, name: str):
    return accounts.create_user(
        email=f"{local}@msp.example",
        full_name=name,
        password=f"{local}-pass-123",
        kind="agent",
        tier=Tier.L2,
        organization=msp,
        teams=[team],
        timezone="America/New_York",
    )


@pytest.fixture
def bea(msp, it_team):
    return _agent(msp, it_team, "bea", "Bea Rota")


@pytest.fixture
def cid(msp, it_team):
    return _agent(msp, it_team, "cid", "Cid Turner")


@pytest.fixture
def set_duty(admin, it_team):
    """`set_duty(mode, members, **kwargs)` -> the Internal IT duty, set by the administrator."""

    def make(mode, members=(), **kwargs):
        kwargs.setdefault("timezone", "America/New_York")
        kwargs.setdefault("starts_on", date(2026, 10, 26))
        return supportduty.set_support_duty(
            actor=kwargs.pop("actor", admin), team=it_team, mode=mode, members=members, **kwargs
        )

    return make
