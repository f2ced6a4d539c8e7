"""Fixtures of the project tests (imported by them only): a "Desk move" template, Acme's
contacts and assets, and `csv_bytes` to write a project file."""

from datetime import UTC, datetime

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.assets.models import Asset, Lifecycle
from deskside.core import clock
from deskside.workorders.models import Section
from deskside.workorders.services import projects, templates
from deskside.workorders.services.templates import ItemSpec, VersionSpec

# A Wednesday, 15:00 UTC (10:00 in New York).
NOW = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)


@pytest.fixture
def now():
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture
def desk_move(db):
    return templates.create_template(
        None,
        name="Desk move",
        kind="move",
        spec=VersionSpec(
            subject="Desk move",
            items=[
                ItemSpec("Unplug and label cables"),
                ItemSpec("Network port patched and tested", section=Section.QC),
            ],
            confirm_with_user=False,
        ),
    )


@pytest.fixture
def floor4(acme):
    return accounts.create_site(organization=acme, name="Floor 4", timezone="America/New_York")


@pytest.fixture
def bob(acme, acme_hq):
    return accounts.create_user(
        email="bob@acme.example", full_name="Bob Builder", organization=acme, site=acme_hq
    )


@pytest.fixture
def maria(msp, desktop_team):
    """A desktop technician not cleared at any client."""
    return accounts.create_user(
        email="maria@msp.example",
        full_name="Maria Santos",
        kind="agent",
        tier=Tier.L2,
        organization=msp,
        teams=[desktop_team],
    )


@pytest.fixture
def laptop(acme):
    return Asset.objects.create(
        organization=acme, kind="laptop", asset_tag="ACM-0001", status=Lifecycle.DEPLOYED
    )


@pytest.fixture
def shredded(acme):
    return Asset.objects.create(
        organization=acme, kind="desktop", asset_tag="ACM-0666", status=Lifecycle.DISPOSED
    )


def csv_bytes(*rows: str, header: str = "user,desk,from,to,asset,site,notes") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.fixture
def new_project(acme, carol, desk_move):
    def make(**kwargs):
        kwargs.setdefault("organization", acme)
        kwargs.setdefault("template", desk_move)
        kwargs.setdefault("title", "Move 40 desks to floor 4")
        kwargs.setdefault("requester", carol)
        return projects.NewProject(**kwargs)

    return make
