"""Recurring-schedule fixtures: the clock frozen at a Wednesday (9 Dec 2026, 15:00 UTC), and a
builder that makes schedules through the service, as an agent would."""

from datetime import UTC, datetime

import pytest

from deskside.accounts import services as accounts
from deskside.core import clock
from deskside.recurring import services
from deskside.recurring.services import ScheduleData

NOW = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)
PATCHING = "FREQ=MONTHLY;BYDAY=+2TU;BYHOUR=22;BYMINUTE=0"


@pytest.fixture
def now():
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture
def globex_only(msp):
    """An agent who serves Globex only."""

    def make(globex):
        user = accounts.create_user(
            email="gil@msp.example",
            full_name="Gil Globex",
            password="gil-pass-123",
            kind="agent",
            organization=msp,
        )
        user.served_organizations.set([globex])
        return user

    return make


@pytest.fixture
def make_schedule(alice, acme, carol):
    """`make_schedule(**fields)` -> a schedule of Acme made by Alice (patching by default)."""

    def make(*, actor=None, **fields):
        fields.setdefault("organization", acme)
        fields.setdefault("name", "Patching")
        fields.setdefault("rule", PATCHING)
        fields.setdefault("starts_at_local", datetime(2026, 1, 1, 22, 0))
        fields.setdefault("timezone", "America/New_York")
        fields.setdefault("subject", "Monthly patching")
        fields.setdefault("requester", carol)
        return services.create_schedule(actor=actor or alice, data=ScheduleData(**fields))

    return make
