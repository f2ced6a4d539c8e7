"""The demo's staffing history: phone calls with durations the calculator reads."""

from datetime import timedelta

from deskside.core import clock
from deskside.staffing.calculator import Request, calculate
from deskside.staffing.demo import seed_demo

from .conftest import ny


def test_seed_demo_gives_the_calculator_a_weekly_shape(admin, alice, helpdesk, carol, dave):
    with clock.frozen(ny(2026, 1, 21, 12, 0)):
        made = seed_demo(team=helpdesk, agents=[alice], callers=[carol, dave], days=7)
        assert clock.now() == ny(2026, 1, 21, 12, 0)  # the clock is put back
        today = clock.now().date()
        result = calculate(
            admin, Request(team=helpdesk, start=today - timedelta(days=7), end=today)
        )
    assert made == result.tickets > 60
    loads = {load.channel: load for load in result.channels}
    assert loads["phone"].aht_source == "logged calls"
    assert 180 <= loads["phone"].aht_seconds <= 720
    # The team has no roster, so its hours are UTC: Monday 09:00 in New York (3 calls in the
    # week) is Monday 14:00; Monday 03:00 is quiet.
    assert result.hours[14].arrivals == 3.0
    assert result.hours[3].arrivals == 0
