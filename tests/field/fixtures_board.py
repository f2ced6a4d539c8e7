"""Builders for the dispatch board's tests: technicians with a base, sites with coordinates,
visits created and scheduled through the field services, all on Monday 1 March 2027 (before
any DST change: New York is UTC-5 that week)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Skill, Tier
from deskside.core import clock
from deskside.field.models import Clearance, ClearanceStatus, Technician
from deskside.field.services import scheduling

DAY = date(2027, 3, 1)  # a Monday
NOW = datetime(2027, 2, 26, 15, 0, tzinfo=UTC)  # the Friday before: visits are being planned


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


@pytest.fixture(autouse=True)
def _board_clock():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def acme_north(acme):
    return accounts.create_site(
        organization=acme, name="North office", latitude=42.3601, longitude=-71.0589
    )


@pytest.fixture
def acme_south(acme):
    # about 70 km from the north office: some 80 minutes by road at the default settings
    return accounts.create_site(
        organization=acme, name="South plant", latitude=41.8240, longitude=-71.4128
    )


@pytest.fixture
def globex_lab(globex):
    return accounts.create_site(
        organization=globex, name="Berlin lab", latitude=52.52, longitude=13.405
    )


@pytest.fixture
def make_tech(msp, desktop_team):
    """`make_tech(name, ...)` -> an L2 agent with a Technician profile (base in Boston)."""

    def make(
        name: str,
        *,
        timezone: str = "UTC",
        serves=(),
        skills=(),
        day_start: time = time(8),
        day_end: time = time(17),
        teams=None,
    ):
        email = name.lower().replace(" ", ".") + "@msp.example"
        user = accounts.create_user(
            email=email,
            full_name=name,
            kind="agent",
            tier=Tier.L2,
            organization=msp,
            teams=teams if teams is not None else [desktop_team],
            timezone=timezone,
        )
        if serves:
            user.served_organizations.set(serves)
        if skills:
            user.skills.set(skills)
        Technician.objects.create(
            user=user,
            base_label="Boston depot",
            base_latitude=42.35,
            base_longitude=-71.06,
            day_start=day_start,
            day_end=day_end,
        )
        return user

    return make


@pytest.fixture
def clear():
    def make(tech, organization, status=ClearanceStatus.CLEARED):
        row, _ = Clearance.objects.update_or_create(
            technician=tech, organization=organization, defaults={"status": status}
        )
        return row

    return make


@pytest.fixture
def make_visit(alice, make_ticket):
    """`make_visit(requester, site, start=..., tech=...)` -> a visit created (window the whole
    day) and, given a technician, scheduled through the services."""

    def make(
        requester,
        site,
        *,
        tech=None,
        start=None,
        duration=60,
        second=None,
        shadowing=False,
        skills=(),
        travel_minutes=None,
        window=None,
        ticket=None,
        subject="Printer offline on floor 2",
    ):
        ticket = ticket or make_ticket(requester, subject=subject)
        begin, end = window or (at(0), at(23, 59))
        visit = scheduling.create_visit(
            alice,
            ticket,
            window_start=begin,
            window_end=end,
            duration_minutes=duration,
            site=site,
            skills=skills,
        )
        if tech is not None:
            visit = scheduling.schedule(
                alice,
                visit,
                tech,
                start,
                second=second,
                second_is_shadowing=shadowing,
                travel_minutes=travel_minutes,
            )
        return visit

    return make


@pytest.fixture
def skill(db):
    def make(name: str) -> Skill:
        return Skill.objects.get_or_create(name=name)[0]

    return make


def after(start: datetime, minutes: int) -> datetime:
    return start + timedelta(minutes=minutes)
