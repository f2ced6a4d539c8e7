"""Schedule maths: rotations across DST changes and month ends, restriction windows that cross
midnight, layers, follow-the-sun, overrides and swaps, all read with a moving clock."""

import random
from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from deskside.core import clock
from deskside.duty import services
from deskside.duty.oncall import (
    LayerSpec,
    OverrideSpec,
    SwapSpec,
    _apply_swaps,
    layer_pieces,
    on_call_at,
    on_call_user_id,
    resolve,
    shifts,
)
from deskside.duty.queries import report
from tests.conftest import login
from tests.duty.conftest import BERLIN, LONDON, NEW_YORK, TOKYO, UTC

H = timedelta(hours=1)
WEEKNIGHTS = [{"days": [0, 1, 2, 3, 4], "start": "18:00", "end": "08:00"}]
WEEKEND = [{"days": [5, 6], "start": "00:00", "end": "24:00"}]


def who(schedule, moment):
    """The one on call at `moment`, asked the way a page or the pager asks: at clock.now()."""
    with clock.frozen(moment):
        return on_call_at(schedule, clock.now())


def local(shift, zone):
    return shift.start.astimezone(zone), shift.end.astimezone(zone)


# -- rotations and DST -------------------------------------------------------------------------


def test_weekly_handoff_stays_at_local_time_across_both_berlin_dst_changes(weekly, alice, leo):
    found = shifts(
        weekly, datetime(2026, 3, 2, 9, tzinfo=BERLIN), datetime(2026, 11, 2, 9, tzinfo=BERLIN)
    )
    assert len(found) == 35  # 35 weeks, adjacent turns are different people
    for shift in found:
        start, end = local(shift, BERLIN)
        assert (start.weekday(), start.hour, start.minute) == (0, 9, 0)
        assert (end.weekday(), end.hour) == (0, 9)
    lengths = {s.start.astimezone(BERLIN).date().isoformat(): s.hours for s in found}
    assert lengths["2026-03-23"] == 167  # spring forward on Sunday 29 March
    assert lengths["2026-10-19"] == 169  # fall back on Sunday 25 October
    assert lengths["2026-03-02"] == 168
    # A moving clock: Monday 30 March 08:59 CEST is still Alice's week 4 turn? 4th week = Alice
    assert who(weekly, datetime(2026, 3, 30, 8, 59, tzinfo=BERLIN)) == alice
    assert who(weekly, datetime(2026, 3, 30, 9, 0, tzinfo=BERLIN)) == leo


def test_daily_handoff_in_new_york_stays_at_0800_across_both_dst_changes(
    make_schedule, make_layer, alice, leo
):
    schedule = make_schedule("NY", "America/New_York")
    make_layer(schedule, [alice, leo], datetime(2026, 3, 1, 8, tzinfo=NEW_YORK), shift_unit="days")
    spring = shifts(
        schedule,
        datetime(2026, 3, 6, 8, tzinfo=NEW_YORK),
        datetime(2026, 3, 10, 8, tzinfo=NEW_YORK),
    )
    assert [local(s, NEW_YORK)[0].hour for s in spring] == [8, 8, 8, 8]
    assert [s.hours for s in spring] == [24, 23, 24, 24]  # Sunday 8 March is 23 hours long
    autumn = shifts(
        schedule,
        datetime(2026, 10, 31, 8, tzinfo=NEW_YORK),
        datetime(2026, 11, 2, 8, tzinfo=NEW_YORK),
    )
    assert [s.hours for s in autumn] == [25, 24]  # Saturday 08:00 -> Sunday 08:00 has 25 h
    # 1 March is Alice's (turn 0): 8 March is turn 7 -> Leo; 9 March turn 8 -> Alice.
    assert who(schedule, datetime(2026, 3, 8, 12, tzinfo=NEW_YORK)) == leo
    assert who(schedule, datetime(2026, 3, 9, 7, 59, tzinfo=NEW_YORK)) == leo
    assert who(schedule, datetime(2026, 3, 9, 8, 0, tzinfo=NEW_YORK)) == alice


def test_hour_shifts_are_elapsed_hours_and_drift_against_the_wall_clock(
    make_schedule, make_layer, alice, leo
):
    schedule = make_schedule("Berlin 12h", "Europe/Berlin")
    make_layer(
        schedule,
        [alice, leo],
        datetime(2026, 3, 27, 8, tzinfo=BERLIN),
        shift_unit="hours",
        shift_length=12,
    )
    found = shifts(
        schedule, datetime(2026, 3, 27, 8, tzinfo=BERLIN), datetime(2026, 3, 31, 8, tzinfo=BERLIN)
    )
    assert {s.hours for s in found[:-1]} == {12}
    starts = [s.start.astimezone(BERLIN).strftime("%d %H:%M") for s in found]
    assert starts[:4] == ["27 08:00", "27 20:00", "28 08:00", "28 20:00"]
    assert starts[4:6] == ["29 09:00", "29 21:00"]  # after spring forward, one hour later
    # New York autumn: a 12-hour rotation from 07:00 EDT hands off at 06:00 EST after it.
    ny = make_schedule("NY 12h", "America/New_York")
    make_layer(
        ny,
        [alice, leo],
        datetime(2026, 10, 31, 7, tzinfo=NEW_YORK),
        shift_unit="hours",
        shift_length=12,
    )
    after = shifts(
        ny, datetime(2026, 11, 1, 12, tzinfo=NEW_YORK), datetime(2026, 11, 2, 12, tzinfo=NEW_YORK)
    )
    assert after[0].end.astimezone(NEW_YORK).hour == 18
    assert after[1].end.astimezone(NEW_YORK).hour == 6


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # A daily rotation of three from Thursday 1 January 2026, 00:00 Berlin: day n -> n % 3.
        (datetime(2026, 1, 31, 23, 59, tzinfo=BERLIN), 30 % 3),
        (datetime(2026, 2, 1, 0, 0, tzinfo=BERLIN), 31 % 3),
        (datetime(2026, 2, 28, 12, tzinfo=BERLIN), 58 % 3),
        (datetime(2026, 3, 1, 0, 0, tzinfo=BERLIN), 59 % 3),
        (
            datetime(2028, 2, 29, 12, tzinfo=BERLIN),
            (datetime(2028, 2, 29) - datetime(2026, 1, 1)).days % 3,
        ),
        (
            datetime(2028, 3, 1, 0, 0, tzinfo=BERLIN),
            (datetime(2028, 3, 1) - datetime(2026, 1, 1)).days % 3,
        ),
    ],
)
def test_month_ends_and_leap_days(make_schedule, make_layer, alice, leo, tara, moment, expected):
    schedule = make_schedule()
    make_layer(schedule, [alice, leo, tara], datetime(2026, 1, 1, tzinfo=BERLIN), shift_unit="days")
    assert who(schedule, moment) == [alice, leo, tara][expected]


def test_month_ends_cut_nothing_short(make_schedule, make_layer, alice, leo, tara):
    schedule = make_schedule()
    make_layer(schedule, [alice, leo, tara], datetime(2026, 1, 1, tzinfo=BERLIN), shift_unit="days")
    feb = shifts(schedule, datetime(2026, 2, 1, tzinfo=BERLIN), datetime(2026, 3, 1, tzinfo=BERLIN))
    assert len(feb) == 28 and {s.hours for s in feb} == {24}
    leap = shifts(
        schedule, datetime(2028, 2, 1, tzinfo=BERLIN), datetime(2028, 3, 1, tzinfo=BERLIN)
    )
    assert len(leap) == 29
    assert leap[-1].start.astimezone(BERLIN).date().isoformat() == "2028-02-29"


def test_dst_gap_and_fold_handoffs_use_fold_0(make_schedule, make_layer, alice, leo):
    """A daily 02:30 hand-off: on the spring-forward day 02:30 does not exist and is read with
    the winter offset (01:30 UTC = 03:30 CEST); on the fall-back day it is the first 02:30."""
    schedule = make_schedule()
    make_layer(
        schedule, [alice, leo], datetime(2026, 3, 27, 2, 30, tzinfo=BERLIN), shift_unit="days"
    )
    spring = shifts(
        schedule, datetime(2026, 3, 28, 12, tzinfo=UTC), datetime(2026, 3, 30, 12, tzinfo=UTC)
    )
    assert spring[0].end == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert spring[1].end == datetime(2026, 3, 30, 0, 30, tzinfo=UTC)  # 02:30 CEST again
    autumn = shifts(
        schedule, datetime(2026, 10, 24, 12, tzinfo=UTC), datetime(2026, 10, 26, 12, tzinfo=UTC)
    )
    assert autumn[0].end == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # first 02:30 (CEST)
    assert autumn[1].end == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)  # 02:30 CET


def test_layer_end_and_start_bound_it(make_schedule, make_layer, alice):
    schedule = make_schedule()
    make_layer(
        schedule,
        [alice],
        datetime(2026, 3, 2, 9, tzinfo=BERLIN),
        ends_at=datetime(2026, 3, 4, 12, tzinfo=BERLIN),
    )
    found = shifts(
        schedule, datetime(2026, 3, 1, tzinfo=BERLIN), datetime(2026, 3, 10, tzinfo=BERLIN)
    )
    assert len(found) == 1
    assert found[0].start == datetime(2026, 3, 2, 9, tzinfo=BERLIN)
    assert found[0].end == datetime(2026, 3, 4, 12, tzinfo=BERLIN)
    assert who(schedule, datetime(2026, 3, 2, 8, 59, tzinfo=BERLIN)) is None
    assert who(schedule, datetime(2026, 3, 4, 12, tzinfo=BERLIN)) is None


def test_single_member_turns_merge(make_schedule, make_layer, alice):
    schedule = make_schedule()
    make_layer(schedule, [alice], datetime(2026, 3, 2, 9, tzinfo=BERLIN), shift_unit="days")
    found = shifts(
        schedule, datetime(2026, 3, 3, tzinfo=BERLIN), datetime(2026, 3, 13, tzinfo=BERLIN)
    )
    assert len(found) == 1 and found[0].hours == 240


# -- restrictions ------------------------------------------------------------------------------


def test_weeknight_window_crosses_midnight_including_friday_into_saturday(
    make_schedule, make_layer, alice, leo
):
    schedule = make_schedule()
    make_layer(
        schedule,
        [alice, leo],
        datetime(2026, 3, 2, 9, tzinfo=BERLIN),
        shift_unit="weeks",
        restrictions=WEEKNIGHTS,
    )
    found = shifts(
        schedule, datetime(2026, 3, 2, tzinfo=BERLIN), datetime(2026, 3, 9, 12, tzinfo=BERLIN)
    )
    spans = [
        (
            s.start.astimezone(BERLIN).strftime("%a %H:%M"),
            s.end.astimezone(BERLIN).strftime("%a %H:%M"),
        )
        for s in found
    ]
    assert spans == [
        ("Mon 18:00", "Tue 08:00"),
        ("Tue 18:00", "Wed 08:00"),
        ("Wed 18:00", "Thu 08:00"),
        ("Thu 18:00", "Fri 08:00"),
        ("Fri 18:00", "Sat 08:00"),
    ]
    assert {s.user_id for s in found} == {alice.pk}
    assert who(schedule, datetime(2026, 3, 6, 23, tzinfo=BERLIN)) == alice  # Friday night
    assert who(schedule, datetime(2026, 3, 7, 7, 59, tzinfo=BERLIN)) == alice  # Saturday morning
    assert who(schedule, datetime(2026, 3, 7, 8, 0, tzinfo=BERLIN)) is None
    assert who(schedule, datetime(2026, 3, 8, 23, tzinfo=BERLIN)) is None  # Sunday night: no
    assert who(schedule, datetime(2026, 3, 4, 12, tzinfo=BERLIN)) is None  # daytime
    # Monday 9 March 08:00 is still Alice's window; the week turns at 09:00, inside no window.
    assert who(schedule, datetime(2026, 3, 9, 7, tzinfo=BERLIN)) is None
    assert who(schedule, datetime(2026, 3, 9, 19, tzinfo=BERLIN)) == leo


def test_weekend_window(make_schedule, make_layer, alice, leo):
    schedule = make_schedule()
    make_layer(schedule, [alice, leo], datetime(2026, 3, 2, 9, tzinfo=BERLIN), restrictions=WEEKEND)
    found = shifts(
        schedule, datetime(2026, 3, 2, tzinfo=BERLIN), datetime(2026, 3, 16, tzinfo=BERLIN)
    )
    assert [(s.user_id, local(s, BERLIN)[0].strftime("%a %d %H:%M"), s.hours) for s in found] == [
        (alice.pk, "Sat 07 00:00", 48),
        (leo.pk, "Sat 14 00:00", 48),
    ]


def test_a_window_across_the_spring_change_is_an_hour_shorter(make_schedule, make_layer, alice):
    schedule = make_schedule()
    make_layer(
        schedule,
        [alice],
        datetime(2026, 3, 2, 9, tzinfo=BERLIN),
        restrictions=[{"days": [5], "start": "22:00", "end": "06:00"}],
    )
    found = shifts(
        schedule, datetime(2026, 3, 28, tzinfo=BERLIN), datetime(2026, 3, 30, tzinfo=BERLIN)
    )
    assert len(found) == 1 and found[0].hours == 7


# -- layers ------------------------------------------------------------------------------------


def test_higher_layer_wins_and_lower_fills_the_gaps(make_schedule, make_layer, alice, leo, tara):
    schedule = make_schedule()
    make_layer(schedule, [alice], datetime(2026, 3, 2, 9, tzinfo=BERLIN), name="Base", position=0)
    make_layer(
        schedule,
        [leo, tara],
        datetime(2026, 3, 2, 9, tzinfo=BERLIN),
        name="Nights",
        position=1,
        shift_unit="days",
        restrictions=WEEKNIGHTS,
    )
    assert who(schedule, datetime(2026, 3, 2, 12, tzinfo=BERLIN)) == alice
    assert who(schedule, datetime(2026, 3, 2, 20, tzinfo=BERLIN)) == leo
    assert who(schedule, datetime(2026, 3, 3, 7, tzinfo=BERLIN)) == leo  # turn ends 09:00
    assert who(schedule, datetime(2026, 3, 3, 20, tzinfo=BERLIN)) == tara
    assert who(schedule, datetime(2026, 3, 7, 20, tzinfo=BERLIN)) == alice  # Saturday: base
    found = shifts(
        schedule, datetime(2026, 3, 2, 9, tzinfo=BERLIN), datetime(2026, 3, 9, 9, tzinfo=BERLIN)
    )
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))
    assert sum(s.hours for s in found) == 168  # no gaps


def test_follow_the_sun_three_regions_leave_no_gap_in_winter(
    make_schedule, make_layer, alice, leo, tara
):
    """Tokyo 09-17 JST, London 08-16 GMT, New York 11-19 EST tile the UTC day in winter. In
    summer London and New York move an hour earlier in UTC: the report shows the hour."""
    schedule = make_schedule("Follow the sun", "UTC")
    anchor = datetime(2026, 1, 5, tzinfo=UTC)
    for name, person, zone, start, end in [
        ("APAC", alice, "Asia/Tokyo", "09:00", "17:00"),
        ("EMEA", leo, "Europe/London", "08:00", "16:00"),
        ("Americas", tara, "America/New_York", "11:00", "19:00"),
    ]:
        make_layer(
            schedule,
            [person],
            anchor,
            name=name,
            timezone=zone,
            restrictions=[{"days": list(range(7)), "start": start, "end": end}],
        )
    winter = report(schedule, datetime(2026, 1, 12, tzinfo=UTC), datetime(2026, 1, 19, tzinfo=UTC))
    assert winter.gaps == []
    assert {r.user: r.hours for r in winter.rows} == {alice: 56, leo: 56, tara: 56}
    assert who(schedule, datetime(2026, 1, 14, 3, tzinfo=UTC)) == alice
    assert who(schedule, datetime(2026, 1, 14, 10, tzinfo=UTC)) == leo
    assert who(schedule, datetime(2026, 1, 14, 20, tzinfo=UTC)) == tara
    assert who(schedule, datetime(2026, 1, 14, 9, 0, tzinfo=TOKYO)) == alice
    assert who(schedule, datetime(2026, 1, 14, 8, 0, tzinfo=LONDON)) == leo
    summer = report(schedule, datetime(2026, 7, 6, tzinfo=UTC), datetime(2026, 7, 8, tzinfo=UTC))
    assert summer.gaps == [
        (datetime(2026, 7, 6, 23, tzinfo=UTC), datetime(2026, 7, 7, tzinfo=UTC)),
        (datetime(2026, 7, 7, 23, tzinfo=UTC), datetime(2026, 7, 8, tzinfo=UTC)),
    ]
    assert summer.gap_hours == 2


# -- overrides ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 3, 4, 11, 59, tzinfo=BERLIN), "alice"),  # before
        (datetime(2026, 3, 4, 12, 0, tzinfo=BERLIN), "dora"),  # at its start
        (datetime(2026, 3, 4, 17, 59, tzinfo=BERLIN), "dora"),  # during
        (datetime(2026, 3, 4, 18, 0, tzinfo=BERLIN), "alice"),  # after
    ],
)
def test_override_inside_a_layer_shift(weekly, admin, dora, alice, moment, expected):
    with clock.frozen(datetime(2026, 3, 1, tzinfo=BERLIN)):
        services.create_override(
            actor=admin,
            schedule=weekly,
            user=dora,
            starts_at=datetime(2026, 3, 4, 12, tzinfo=BERLIN),
            ends_at=datetime(2026, 3, 4, 18, tzinfo=BERLIN),
            reason="Alice at the dentist",
        )
    assert who(weekly, moment) == {"alice": alice, "dora": dora}[expected]
    found = shifts(weekly, datetime(2026, 3, 4, tzinfo=BERLIN), datetime(2026, 3, 5, tzinfo=BERLIN))
    assert [(s.user_id, s.source) for s in found] == [
        (alice.pk, "layer"),
        (dora.pk, "override"),
        (alice.pk, "layer"),
    ]


def test_overrides_beat_every_layer_and_the_latest_wins(weekly, admin, dora, leo):
    with clock.frozen(datetime(2026, 3, 1, tzinfo=BERLIN)):
        services.create_override(
            actor=admin,
            schedule=weekly,
            user=dora,
            starts_at=datetime(2026, 3, 4, 12, tzinfo=BERLIN),
            ends_at=datetime(2026, 3, 4, 18, tzinfo=BERLIN),
        )
        clock.set_now(datetime(2026, 3, 1, 1, tzinfo=BERLIN))
        services.create_override(
            actor=admin,
            schedule=weekly,
            user=leo,
            starts_at=datetime(2026, 3, 4, 14, tzinfo=BERLIN),
            ends_at=datetime(2026, 3, 4, 15, tzinfo=BERLIN),
        )
    assert who(weekly, datetime(2026, 3, 4, 13, tzinfo=BERLIN)) == dora
    assert who(weekly, datetime(2026, 3, 4, 14, 30, tzinfo=BERLIN)) == leo
    assert who(weekly, datetime(2026, 3, 4, 16, tzinfo=BERLIN)) == dora


def test_an_override_fills_a_gap(make_schedule, make_layer, admin, alice, dora):
    schedule = make_schedule()
    make_layer(schedule, [alice], datetime(2026, 3, 2, 9, tzinfo=BERLIN), restrictions=WEEKNIGHTS)
    with clock.frozen(datetime(2026, 3, 1, tzinfo=BERLIN)):
        services.create_override(
            actor=admin,
            schedule=schedule,
            user=dora,
            starts_at=datetime(2026, 3, 7, 8, tzinfo=BERLIN),
            ends_at=datetime(2026, 3, 9, 8, tzinfo=BERLIN),
        )
    assert who(schedule, datetime(2026, 3, 8, 12, tzinfo=BERLIN)) == dora


# -- swaps -------------------------------------------------------------------------------------


def test_one_way_swap_applies_only_after_acceptance(weekly, alice, leo, tara):
    with clock.frozen(datetime(2026, 3, 1, tzinfo=BERLIN)):
        swap = services.propose_swap(
            actor=alice,
            schedule=weekly,
            partner=tara,
            starts_at=datetime(2026, 3, 3, 18, tzinfo=BERLIN),
            ends_at=datetime(2026, 3, 5, 9, tzinfo=BERLIN),
        )
    moment = datetime(2026, 3, 4, 3, tzinfo=BERLIN)
    assert who(weekly, moment) == alice  # proposed: nothing changes
    with clock.frozen(datetime(2026, 3, 2, tzinfo=BERLIN)):
        services.accept_swap(actor=tara, swap=swap)
    assert who(weekly, moment) == tara
    assert who(weekly, datetime(2026, 3, 3, 17, 59, tzinfo=BERLIN)) == alice
    assert who(weekly, datetime(2026, 3, 5, 9, tzinfo=BERLIN)) == alice
    # Leo's week is not touched by the swap period (it only swaps Alice).
    found = shifts(
        weekly, datetime(2026, 3, 2, 9, tzinfo=BERLIN), datetime(2026, 3, 9, 9, tzinfo=BERLIN)
    )
    assert [(s.user_id, s.source) for s in found] == [
        (alice.pk, "layer"),
        (tara.pk, "swap"),
        (alice.pk, "layer"),
    ]
    assert found[1].swap_id == swap.pk


def test_two_way_swap_and_declined_or_cancelled_swaps(weekly, admin, alice, leo):
    with clock.frozen(datetime(2026, 3, 1, tzinfo=BERLIN)):
        swap = services.propose_swap(
            actor=alice,
            schedule=weekly,
            partner=leo,
            starts_at=datetime(2026, 3, 7, tzinfo=BERLIN),
            ends_at=datetime(2026, 3, 9, tzinfo=BERLIN),
            return_starts_at=datetime(2026, 3, 14, tzinfo=BERLIN),
            return_ends_at=datetime(2026, 3, 16, tzinfo=BERLIN),
        )
        services.accept_swap(actor=leo, swap=swap)
        declined = services.propose_swap(
            actor=alice,
            schedule=weekly,
            partner=leo,
            starts_at=datetime(2026, 3, 3, tzinfo=BERLIN),
            ends_at=datetime(2026, 3, 4, tzinfo=BERLIN),
        )
        services.decline_swap(actor=leo, swap=declined)
    assert who(weekly, datetime(2026, 3, 8, tzinfo=BERLIN)) == leo  # Alice's weekend
    assert who(weekly, datetime(2026, 3, 15, tzinfo=BERLIN)) == alice  # Leo's weekend, returned
    assert who(weekly, datetime(2026, 3, 12, tzinfo=BERLIN)) == leo  # Leo's week otherwise
    assert who(weekly, datetime(2026, 3, 3, 12, tzinfo=BERLIN)) == alice  # declined: no change
    with clock.frozen(datetime(2026, 3, 1, 1, tzinfo=BERLIN)):
        services.cancel_swap(actor=alice, swap=swap)
    assert who(weekly, datetime(2026, 3, 8, tzinfo=BERLIN)) == alice


def test_swaps_do_not_replace_overrides(weekly, admin, alice, leo, tara):
    with clock.frozen(datetime(2026, 3, 1, tzinfo=BERLIN)):
        services.create_override(
            actor=admin,
            schedule=weekly,
            user=alice,
            starts_at=datetime(2026, 3, 11, tzinfo=BERLIN),
            ends_at=datetime(2026, 3, 12, tzinfo=BERLIN),
        )
        swap = services.propose_swap(
            actor=alice,
            schedule=weekly,
            partner=tara,
            starts_at=datetime(2026, 3, 3, tzinfo=BERLIN),
            ends_at=datetime(2026, 3, 13, tzinfo=BERLIN),
        )
        services.accept_swap(actor=admin, swap=swap)
    assert who(weekly, datetime(2026, 3, 4, tzinfo=BERLIN)) == tara  # Alice's layer shift
    assert who(weekly, datetime(2026, 3, 11, 12, tzinfo=BERLIN)) == alice  # her override stays
    assert who(weekly, datetime(2026, 3, 10, tzinfo=BERLIN)) == leo  # Leo's week, not swapped


# -- efficiency and the pure resolver ----------------------------------------------------------


def test_a_year_of_hourly_turns_is_computed_without_stepping(make_schedule, make_layer, alice, leo):
    schedule = make_schedule()
    make_layer(schedule, [alice, leo], datetime(2026, 1, 1, tzinfo=UTC), shift_unit="hours")
    found = shifts(schedule, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert len(found) == 8760
    assert on_call_user_id(schedule, datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == leo.pk


def test_resolve_rejects_naive_times_and_empty_periods():
    layer = LayerSpec(1, 0, "UTC", datetime(2026, 1, 1, tzinfo=UTC), None, 1, "days", (1,))
    assert (
        resolve([layer], [], [], datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))
        == []
    )
    with pytest.raises(ValueError):
        resolve([layer], [], [], datetime(2026, 2, 1), datetime(2026, 2, 2))


def test_swaps_do_not_chain():
    layer = LayerSpec(1, 0, "UTC", datetime(2026, 1, 1, tzinfo=UTC), None, 1, "weeks", (1,))
    day = (datetime(2026, 1, 2, tzinfo=UTC), datetime(2026, 1, 3, tzinfo=UTC))
    swaps = [SwapSpec(1, 1, 2, *day), SwapSpec(2, 2, 3, *day)]
    found = resolve([layer], [OverrideSpec(1, 9, *day)][:0], swaps, *day)
    assert [(s.user_id, s.swap_id) for s in found] == [(2, 1)]


# -- reviewer's fixes: zones that cannot load, windows in a DST gap, report rows, swaps -------


def test_a_layer_whose_zone_cannot_load_falls_back_and_paging_still_finds_someone(
    make_schedule, make_layer, alice, leo, caplog
):
    """A zone typed past the services (the admin of old, a raw UPDATE, a zone gone from
    tzdata) must not crash on_call_at for the paging worker: the layer falls back to the
    schedule's zone (and that to UTC) with a warning."""
    schedule = make_schedule("Broken", "Europe/Berlin")
    layer = make_layer(
        schedule, [alice, leo], datetime(2026, 3, 2, 9, tzinfo=BERLIN), shift_unit="days"
    )
    type(layer).objects.filter(pk=layer.pk).update(timezone="Europe/Berlinn")
    with caplog.at_level("WARNING", logger="deskside.duty.oncall"):
        assert who(schedule, datetime(2026, 3, 3, 10, tzinfo=BERLIN)) == leo
    assert "Europe/Berlinn" in caplog.text
    # The hand-off stays 09:00 in the schedule's zone.
    assert who(schedule, datetime(2026, 3, 3, 8, 59, tzinfo=BERLIN)) == alice
    type(schedule).objects.filter(pk=schedule.pk).update(timezone="Not/AZone")
    schedule.refresh_from_db()
    # Both broken: UTC. The first hand-off is 08:00 UTC, daily at 08:00 UTC.
    assert who(schedule, datetime(2026, 3, 3, 8, 30, tzinfo=UTC)) == leo
    assert who(schedule, datetime(2026, 3, 3, 7, 59, tzinfo=UTC)) == alice
    found = shifts(schedule, datetime(2026, 3, 3, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC))
    assert [s.start.hour for s in found] == [0, 8, 8]


def test_a_window_starting_inside_the_spring_gap_starts_at_the_change(
    make_schedule, make_layer, alice
):
    """New York, Sunday 8 March 2026: the clocks jump from 02:00 EST to 03:00 EDT. A window
    02:30-03:30 used to come out empty (02:30 read as EST is 03:30 EDT); it now starts at the
    change and covers 03:00-03:30 EDT. Other Sundays it is the full hour."""
    schedule = make_schedule("NY", "America/New_York")
    make_layer(
        schedule,
        [alice],
        datetime(2026, 3, 1, tzinfo=NEW_YORK),
        restrictions=[{"days": [6], "start": "02:30", "end": "03:30"}],
    )
    found = shifts(
        schedule, datetime(2026, 3, 1, tzinfo=NEW_YORK), datetime(2026, 3, 16, tzinfo=NEW_YORK)
    )
    assert [local(s, NEW_YORK) for s in found] == [
        (
            datetime(2026, 3, 1, 2, 30, tzinfo=NEW_YORK),
            datetime(2026, 3, 1, 3, 30, tzinfo=NEW_YORK),
        ),
        (datetime(2026, 3, 8, 3, 0, tzinfo=NEW_YORK), datetime(2026, 3, 8, 3, 30, tzinfo=NEW_YORK)),
        (
            datetime(2026, 3, 15, 2, 30, tzinfo=NEW_YORK),
            datetime(2026, 3, 15, 3, 30, tzinfo=NEW_YORK),
        ),
    ]
    assert found[1].start == datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert who(schedule, datetime(2026, 3, 8, 3, 15, tzinfo=NEW_YORK)) == alice


def test_a_window_ending_inside_the_spring_gap_ends_at_the_change(
    make_schedule, make_layer, alice, leo
):
    """Two layers meeting at 02:30 hand over at the change, without overlap or hole."""
    schedule = make_schedule("NY", "America/New_York")
    anchor = datetime(2026, 3, 1, tzinfo=NEW_YORK)
    make_layer(
        schedule, [alice], anchor, restrictions=[{"days": [5], "start": "22:00", "end": "02:30"}]
    )
    make_layer(
        schedule, [leo], anchor, restrictions=[{"days": [6], "start": "02:30", "end": "06:00"}]
    )
    found = shifts(
        schedule,
        datetime(2026, 3, 7, 12, tzinfo=NEW_YORK),
        datetime(2026, 3, 8, 12, tzinfo=NEW_YORK),
    )
    change = datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert [(s.user_id, s.start, s.end) for s in found] == [
        (alice.pk, datetime(2026, 3, 8, 3, tzinfo=UTC), change),  # 22:00 EST - the change
        (leo.pk, change, datetime(2026, 3, 8, 10, tzinfo=UTC)),  # the change - 06:00 EDT
    ]


def test_report_lists_every_member_and_counts_turns_not_pieces(
    make_schedule, make_layer, alice, leo, tara
):
    """A weekly weeknight rotation: Alice's one turn is five nightly pieces, but one shift;
    Tara, on the layer without a turn in the period, has a 0-hour row and counts in the fair
    share."""
    schedule = make_schedule()
    make_layer(
        schedule,
        [alice, leo, tara],
        datetime(2026, 3, 2, 9, tzinfo=BERLIN),
        restrictions=WEEKNIGHTS,
    )
    result = report(
        schedule, datetime(2026, 3, 2, tzinfo=BERLIN), datetime(2026, 3, 16, tzinfo=BERLIN)
    )
    assert [(r.user, r.hours, r.shifts) for r in result.rows] == [
        (alice, 70, 1),
        (leo, 70, 1),
        (tara, 0, 0),
    ]
    assert [r.percent for r in result.rows] == [50.0, 50.0, 0.0]


def test_report_page_fair_share_counts_members_without_hours(
    make_schedule, make_layer, admin, alice, leo, tara
):

    schedule = make_schedule()
    make_layer(schedule, [alice, leo, tara], datetime(2026, 3, 2, 9, tzinfo=BERLIN))
    page = login(alice).get(
        reverse("duty:report", args=[schedule.slug]), {"start": "2026-03-02", "end": "2026-03-15"}
    )
    body = page.content.decode()
    assert "Tara Lead" in body
    # 14 days less 9 hours before the first hand-off: 327 h over three people.
    assert "(109.0 h each)" in body
    assert "1 shift ·" not in body and "1 shift<" in body


def _naive_swaps(pieces, swaps):
    """The reviewer's reference: every swap checked against every piece."""
    rules = []
    for swap in swaps:
        rules.append((swap.starts_at, swap.ends_at, swap.requester_id, swap.partner_id, swap.id))
        if swap.return_starts_at:
            rules.append(
                (
                    swap.return_starts_at,
                    swap.return_ends_at,
                    swap.partner_id,
                    swap.requester_id,
                    swap.id,
                )
            )
    out = []
    for begin, finish, payload in pieces:
        relevant = [
            r
            for r in rules
            if payload[1] == "layer" and r[2] == payload[0] and r[0] < finish and r[1] > begin
        ]
        cuts = sorted({begin, finish} | {t for r in relevant for t in r[:2] if begin < t < finish})
        for left, right in zip(cuts, cuts[1:], strict=False):
            rule = next((r for r in relevant if r[0] <= left and r[1] >= right), None)
            if rule is None:
                out.append((left, right, payload))
            else:
                out.append((left, right, (rule[3], "swap", payload[2], None, rule[4], payload[5])))
    return out


def test_many_swaps_give_what_checking_every_swap_gives():
    """The swaps are looked up by person and start (bisect) instead of scanned per piece; the
    result must be the same, overlaps and the first-accepted-wins rule included."""

    rng = random.Random(5)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    layer = LayerSpec(1, 0, "UTC", base, None, 5, "hours", (1, 2, 3, 4))
    pieces = layer_pieces(layer, base, base + timedelta(days=60))
    swaps = []
    for index in range(200):
        a, b = rng.sample([1, 2, 3, 4, 5], 2)
        start = base + timedelta(minutes=rng.randrange(60 * 24 * 60))
        length = timedelta(minutes=rng.randrange(30, 60 * 24 * 20))
        back = None
        if rng.random() < 0.3:
            back = start + length + timedelta(hours=rng.randrange(1, 200))
        swaps.append(
            SwapSpec(
                index + 1,
                a,
                b,
                start,
                start + length,
                back,
                back + timedelta(hours=rng.randrange(1, 100)) if back else None,
            )
        )
    assert _apply_swaps(pieces, swaps) == _naive_swaps(pieces, swaps)
