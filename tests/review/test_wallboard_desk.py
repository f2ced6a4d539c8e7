"""The wall board's "on the desk now" with a roster: the people whose shift covers the
instant, not those of the other shifts, on the page's panel and in the API; nobody between
shifts."""

from datetime import date, timedelta

import pytest
from django.test import Client

from deskside.core import clock
from deskside.rosters.models import Roster, RotaLine, ShiftDefinition
from tests.conftest import client_for
from tests.review.conftest import T0


@pytest.fixture
def roster(helpdesk, alice, leo, admin):
    """The help desk's week: Root Admin early (06-14), Alice late (14-22), Leo at night (22-06),
    every day, in UTC; T0 is 17:00 UTC, in Alice's late shift."""
    roster = Roster.objects.create(
        team=helpdesk, timezone="UTC", cycle_start=date(2026, 11, 30), cycle_days=7
    )
    shifts = [("E", "Early", "06:00", "14:00"), ("L", "Late", "14:00", "22:00")]
    shifts.append(("N", "Night", "22:00", "06:00"))
    for position, (code, name, start, end) in enumerate(shifts):
        ShiftDefinition.objects.create(
            roster=roster, code=code, name=name, start=start, end=end, position=position
        )
    for position, (user, code) in enumerate([(admin, "E"), (alice, "L"), (leo, "N")]):
        RotaLine.objects.create(roster=roster, user=user, position=position, pattern=[code] * 7)
    return roster


def test_on_the_desk_now_is_the_shift_on_at_the_instant(roster, alice, helpdesk):
    api = client_for(alice)
    with clock.frozen(T0):
        body = api.get("/api/v1/wallboard", {"team": helpdesk.slug}).json()
    assert body["on_desk"] == [{"team": helpdesk.name, "people": ["Alice Agent"]}]
    with clock.frozen(T0 + timedelta(hours=6)):  # 23:00: the night shift
        body = api.get("/api/v1/wallboard", {"team": helpdesk.slug}).json()
    assert body["on_desk"] == [{"team": helpdesk.name, "people": ["Leo Field"]}]


def test_the_panel_names_them(roster, alice, helpdesk):
    client = Client()
    client.force_login(alice)
    with clock.frozen(T0 - timedelta(hours=8)):  # 09:00: the early shift
        text = client.get(f"/review/wallboard/panel/?team={helpdesk.slug}").content.decode()
    desk = text.split("On the desk now", 1)[1].split("</ul>", 1)[0]
    assert helpdesk.name in desk and "Root Admin" in desk
    assert "Alice Agent" not in desk and "Leo Field" not in desk and "no roster" not in desk


def test_nobody_between_the_shifts(roster, alice, helpdesk):
    ShiftDefinition.objects.filter(roster=roster, code="N").update(start="23:00")
    with clock.frozen(T0 + timedelta(hours=5, minutes=30)):  # 22:30: no shift covers it
        body = client_for(alice).get("/api/v1/wallboard", {"team": helpdesk.slug}).json()
    assert body["on_desk"] == [{"team": helpdesk.name, "people": []}]
