"""Properties of the resolver on random schedules (no database): shifts are in order, never
overlap, lie inside the requested period and are merged; asking for one instant agrees with
asking for a long period; a plain rotation agrees with counting hand-offs one by one."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskside.duty.oncall import MICRO, LayerSpec, OverrideSpec, SwapSpec, resolve

# slow: hypothesis property tests of the shift resolver
pytestmark = pytest.mark.slow

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe"]
BASE = datetime(2026, 1, 1, tzinfo=UTC)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

instants = st.integers(min_value=0, max_value=2 * 365 * 24 * 60).map(
    lambda m: BASE + timedelta(minutes=m)
)
times = (
    st.tuples(st.integers(0, 24), st.sampled_from([0, 30]))
    .filter(lambda t: t[0] < 24 or t[1] == 0)
    .map(lambda t: f"{t[0]:02d}:{t[1]:02d}")
)
windows = st.fixed_dictionaries(
    {
        "days": st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True),
        "start": times,
        "end": times,
    }
).filter(lambda w: w["start"] != "24:00")


@st.composite
def layers(draw, index):
    unit = draw(st.sampled_from(["hours", "days", "weeks"]))
    return LayerSpec(
        id=index + 1,
        position=draw(st.integers(0, 3)),
        zone=draw(st.sampled_from(ZONES)),
        starts_at=draw(instants),
        ends_at=draw(st.none() | instants),
        shift_length=draw(st.integers(1, 3 if unit == "weeks" else 30)),
        shift_unit=unit,
        member_ids=tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=4))),
        restrictions=tuple(draw(st.lists(windows, max_size=3))),
    )


@st.composite
def schedules(draw):
    count = draw(st.integers(1, 3))
    specs = [draw(layers(i)) for i in range(count)]
    overrides = []
    for i in range(draw(st.integers(0, 3))):
        start = draw(instants)
        overrides.append(
            OverrideSpec(
                i + 1,
                draw(st.integers(1, 6)),
                start,
                start + timedelta(hours=draw(st.integers(1, 72))),
            )
        )
    swaps = []
    for i in range(draw(st.integers(0, 2))):
        start = draw(instants)
        a, b = draw(st.lists(st.integers(1, 5), min_size=2, max_size=2, unique=True))
        swaps.append(
            SwapSpec(i + 1, a, b, start, start + timedelta(hours=draw(st.integers(1, 200))))
        )
    start = draw(instants)
    end = start + timedelta(minutes=draw(st.integers(1, 60 * 24 * 45)))
    return specs, overrides, swaps, start, end


@FAST
@given(schedules(), st.lists(st.floats(0, 1), min_size=1, max_size=5))
def test_shifts_are_ordered_disjoint_inside_and_consistent(schedule, probes):
    specs, overrides, swaps, start, end = schedule
    found = resolve(specs, overrides, swaps, start, end)
    for shift in found:
        assert start <= shift.start < shift.end <= end
    for a, b in zip(found, found[1:], strict=False):
        assert a.end <= b.start
        if a.end == b.start:
            key = lambda s: (s.user_id, s.source, s.layer_id, s.override_id, s.swap_id)  # noqa: E731
            assert key(a) != key(b)
    for fraction in probes:
        at = start + (end - start) * fraction
        if at >= end:
            continue
        one = resolve(specs, overrides, swaps, at, at + MICRO)
        covering = [s for s in found if s.start <= at < s.end]
        assert [s.user_id for s in one] == [s.user_id for s in covering]
        if covering:
            assert one[0].source == covering[0].source


def _by_counting(layer: LayerSpec, at: datetime) -> int | None:
    """The member on at `at` by stepping hand-offs one at a time from the first."""
    if at < layer.starts_at:
        return None
    zone = ZoneInfo(layer.zone)
    k = 0
    while True:
        if layer.shift_unit == "hours":
            nxt = layer.starts_at + (k + 1) * timedelta(hours=layer.shift_length)
        else:
            days = layer.shift_length * (7 if layer.shift_unit == "weeks" else 1)
            wall = layer.starts_at.astimezone(zone).replace(tzinfo=None) + timedelta(
                days=(k + 1) * days
            )
            nxt = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
        if nxt > at:
            return layer.member_ids[k % len(layer.member_ids)]
        k += 1


@FAST
@given(layers(0), st.integers(0, 200 * 24 * 60))
def test_a_plain_rotation_matches_counting_handoffs(layer, minutes):
    layer = LayerSpec(
        layer.id,
        0,
        layer.zone,
        layer.starts_at,
        None,
        layer.shift_length,
        layer.shift_unit,
        layer.member_ids,
        (),
    )
    at = layer.starts_at + timedelta(minutes=minutes)
    found = resolve([layer], [], [], at, at + MICRO)
    assert [s.user_id for s in found] == [_by_counting(layer, at)]


@FAST
@given(schedules(), st.lists(st.floats(0, 1), min_size=1, max_size=5))
def test_by_turn_shifts_cover_the_same_and_name_their_turn(schedule, probes):
    """Shifts by turn (the feeds' and the report's) cover exactly what merged shifts cover;
    each layer or swap shift names a turn whose member is the one the layer puts on, and
    never spans a hand-off of its layer."""
    specs, overrides, swaps, start, end = schedule
    merged = resolve(specs, overrides, swaps, start, end)
    split = resolve(specs, overrides, swaps, start, end, by_turn=True)
    length = lambda found: sum((s.end - s.start for s in found), timedelta())  # noqa: E731
    assert length(merged) == length(split)
    layers_by_id = {layer.id: layer for layer in specs}
    for shift in split:
        if shift.source == "override":
            assert shift.turn is None
            continue
        layer = layers_by_id[shift.layer_id]
        inside = resolve([layer], [], [], shift.start, shift.end, by_turn=True)
        assert {s.turn for s in inside} == {shift.turn}
        if shift.source == "layer":
            assert layer.member_ids[shift.turn % len(layer.member_ids)] == shift.user_id
    for fraction in probes:
        at = start + (end - start) * fraction
        one = [s for s in merged if s.start <= at < s.end]
        other = [s for s in split if s.start <= at < s.end]
        assert [s.user_id for s in one] == [s.user_id for s in other]
