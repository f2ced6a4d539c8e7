"""The calculator from ticket history: arrivals per local hour of the week, handling time per
channel, Erlang C per hour with shrinkage, the shift cover and the roster's difference."""

import math
from datetime import date

import pytest

from deskside.core import clock
from deskside.staffing.calculator import (
    STANDARD_SHIFTS,
    Request,
    calculate,
    greedy_cover,
    shift_hours,
    weekday_occurrences,
)
from deskside.staffing.erlang import Queue, agents_needed
from deskside.staffing.exceptions import InvalidInput

from .conftest import END, START, ny

MONDAY_9 = 9
TUESDAY_14 = 24 + 14


def run(user, team, **kwargs):
    with clock.frozen(ny(2026, 1, 21, 12, 0)):  # a Wednesday, after the range
        return calculate(user, Request(team=team, start=START, end=END, **kwargs))


def test_arrivals_per_local_hour_averaged_over_the_weeks(admin, helpdesk, history):
    result = run(admin, helpdesk)
    assert result.zone == "America/New_York"
    # 09:15 in New York is 14:15 UTC: counted as Monday 09:00, local.
    assert result.hours[MONDAY_9].arrivals == 2.5  # (3 + 1 Globex + 1 a week later) / 2 weeks
    assert result.hours[TUESDAY_14].arrivals == 0.5
    assert sum(h.arrivals for h in result.hours) == 3.0  # 6 tickets / 2 weeks
    assert result.tickets == 6  # not the network team's, not the one after the range
    assert not result.partial


def test_handling_time_per_channel(admin, helpdesk, history):
    result = run(admin, helpdesk)
    loads = {load.channel: load for load in result.channels}
    # Phone: 4 + 2 minutes on one ticket and 10 on another; the 0-minute call has no duration.
    assert (loads["phone"].tickets, loads["phone"].aht_seconds) == (5, 480.0)
    assert loads["phone"].aht_source == "logged calls"
    assert (loads["email"].aht_seconds, loads["email"].aht_source) == (480.0, "estimate")
    assert loads["web"].tickets == 0
    given = run(admin, helpdesk, aht_seconds={"phone": 240.0, "email": 900.0})
    loads = {load.channel: load for load in given.channels}
    assert (loads["phone"].aht_seconds, loads["phone"].aht_source) == (240.0, "given")
    assert given.hours[TUESDAY_14].aht_seconds == 900.0


def test_channels_filter_and_the_weighted_handling_time(admin, helpdesk, history):
    phone_only = run(admin, helpdesk, channels=("phone",))
    assert phone_only.hours[TUESDAY_14].arrivals == 0
    assert [load.channel for load in phone_only.channels] == ["phone"]
    assert phone_only.tickets == 5


def test_erlang_per_hour_and_shrinkage(admin, helpdesk, history):
    result = run(admin, helpdesk, shrinkage=0.25)
    hour = result.hours[MONDAY_9]
    expected = agents_needed(Queue(2.5, 60, 480, 20), 0.8, 0.85)
    assert hour.agents == expected.agents == 2
    assert hour.agents_rostered == math.ceil(expected.agents / 0.75) == 3
    none = run(admin, helpdesk, shrinkage=0.0).hours[MONDAY_9]
    assert none.agents_rostered == none.agents == 2
    quiet = result.hours[3]  # Monday 03:00: no arrivals, no one
    assert (quiet.agents, quiet.agents_rostered) == (0, 0)


def test_cover_with_the_roster_shifts_and_the_difference_to_the_roster(
    admin, helpdesk, history, alice
):
    result = run(admin, helpdesk)
    assert result.shift_source == "roster"
    cover = {(c.code, c.weekday): c.people for c in result.cover}
    # Monday 09:00 needs 3 after shrinkage; Tuesday 14:00 one agent, so 2 to roster (1 / 0.75
    # rounded up): Day shifts cover both.
    assert cover == {("D", 0): 3, ("D", 1): 2}
    assert result.hours[MONDAY_9].covered == 3
    assert result.uncovered == []
    # The coming week from Wednesday 21 January: Alice works Day Monday to Friday.
    assert result.roster_from == ny(2026, 1, 21)
    monday_9 = result.hours[MONDAY_9]
    assert (monday_9.staffed, monday_9.difference) == (1, -2)
    assert (result.hours[TUESDAY_14].staffed, result.hours[TUESDAY_14].difference) == (1, -1)
    assert result.hours[3].difference == 0  # nobody needed, nobody rostered
    day_monday = next(
        s for s in result.slots if s.code == "D" and s.start == ny(2026, 1, 26, 8).astimezone()
    )
    assert (day_monday.staffed, day_monday.needed, day_monday.difference) == (1, 3, -2)
    assert len(result.slots) == 14  # both shifts every day; nobody on the weekend's
    assert [s.staffed for s in result.slots if s.code == "D"] == [1, 1, 1, 0, 0, 1, 1]


def test_hours_no_shift_covers_are_reported(admin, helpdesk, history, make_ticket, carol):
    with clock.frozen(ny(2026, 1, 7, 3, 10)):  # Wednesday 03:10: between Evening and Day
        make_ticket(carol, team=helpdesk)
    result = run(admin, helpdesk)
    assert result.uncovered == ["Wed 03:00"]


def test_a_team_without_roster_is_covered_by_three_standard_shifts(admin, network_team, history):
    result = run(admin, network_team)
    assert (result.zone, result.shift_source, result.has_roster) == ("UTC", "standard", False)
    # Monday 09:20 New York = 14:20 UTC: the Early shift (07-15 UTC) of Monday, 2 people
    # (1 agent after 25 % shrinkage).
    assert [(c.code, c.weekday, c.people) for c in result.cover] == [("E", 0, 2)]
    assert result.slots == []
    assert result.hours[14].staffed is None


def test_tenancy_an_agent_limited_to_clients_sees_their_load_only(
    admin_serving, acme, helpdesk, history
):
    restricted = admin_serving(acme, email="ra@msp.example")
    result = run(restricted, helpdesk)
    assert result.partial
    assert result.hours[MONDAY_9].arrivals == 2.0  # Globex's ticket is not counted
    assert result.tickets == 5


def test_whole_desk(admin, history):
    result = run(admin, None)
    assert result.tickets == 7  # the network team's too
    assert result.shift_source == "standard"


def test_bad_requests_name_the_field(admin, helpdesk):
    for kwargs, field in [
        ({"service_level": 1.0}, "service_level"),
        ({"max_occupancy": 0}, "max_occupancy"),
        ({"shrinkage": 1.0}, "shrinkage"),
        ({"channels": ("fax",)}, "channels"),
        ({"channels": ()}, "channels"),
        ({"aht_seconds": {"phone": 0}}, "aht_seconds"),
    ]:
        with pytest.raises(InvalidInput) as error:
            run(admin, helpdesk, **kwargs)
        assert error.value.field == field
    with pytest.raises(InvalidInput) as error:
        calculate(admin, Request(team=helpdesk, start=END, end=START))
    assert error.value.field == "end"
    with pytest.raises(InvalidInput) as error:
        calculate(admin, Request(team=helpdesk, start=date.min, end=START))
    assert error.value.field == "start"


def test_weekday_occurrences():
    assert weekday_occurrences(START, END) == [2] * 7
    assert weekday_occurrences(START, START) == [1, 0, 0, 0, 0, 0, 0]


def test_shift_hours_cross_midnight_and_the_end_of_the_week():
    assert shift_hours(6, "23:00", "07:00") == [167, 0, 1, 2, 3, 4, 5, 6]
    assert shift_hours(0, "07:30", "15:30") == list(range(7, 16))  # half hours count
    assert shift_hours(2, "09:00", "09:00") == [48 + h for h in range(9, 24)] + list(
        range(72, 81)
    )  # 24 h


def test_greedy_cover_with_standard_shifts():
    templates = [(c, n, s, e, tuple(range(7))) for c, n, s, e in STANDARD_SHIFTS]
    cover, uncovered = greedy_cover([1] * 168, templates)
    assert len(cover) == 21 and {c.people for c in cover} == {1}
    assert uncovered == []
    need = [0] * 168
    need[167] = 2  # Sunday 23:00 and Monday 02:00: one Sunday night shift covers both
    need[2] = 1
    cover, _ = greedy_cover(need, templates)
    assert [(c.code, c.weekday, c.people) for c in cover] == [("N", 6, 2)]


def test_queries_do_not_grow_with_the_history(
    admin, helpdesk, history, django_assert_max_num_queries
):
    # Counts are grouped in the database: a handful of queries whatever the number of tickets
    # (the roster's coming week included).
    with django_assert_max_num_queries(12):
        result = run(admin, helpdesk)
    assert result.peak.label == "Mon 09:00"
    assert run(admin, helpdesk, channels=("api",)).peak is None  # nobody needed at all
