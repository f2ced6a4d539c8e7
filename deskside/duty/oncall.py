"""Who is on call: a schedule's layers, overrides and swaps resolved into final shifts.

Interface (used by deskside.paging; implemented in this module):

    shifts(schedule, start, end) -> list[Shift]   final, non-overlapping, in time order
    on_call_at(schedule, at) -> User | None       the one person on call at `at`

How it is computed (no minute stepping; a year of hourly turns is a few thousand intervals):

1. Each layer's turns in [start, end): turn k starts at hand-off k. For hours, hand-off k is
   `starts_at + k * length` (elapsed time). For days and weeks it is the local wall-clock time
   of `starts_at` in the layer's zone, `k * length` days later (so a weekly 09:00 hand-off stays
   09:00 local and a turn across a DST change lasts 167 or 169 hours). The first turn inside
   the period is found arithmetically and corrected by at most a step or two.
2. Restriction windows (weekday + local start/end; an end at or before the start ends the next
   day) are built per local day as UTC intervals, merged, and cut out of the turns.
3. Layers are stacked: overrides first (the latest created wins among overlapping overrides),
   then layers by `position` (highest first; equal positions: the older layer wins). Each
   elementary interval between two boundaries goes to the first source that has someone.
4. Accepted swaps replace the person from the layers (never an override): the requester by the
   partner in [starts_at, ends_at), the partner by the requester in the return period. Swaps
   are matched against the person the layers say (they do not chain); if two accepted swaps
   cover the same turn, the one accepted first applies. Swaps are indexed per person by start
   (bisect), so each piece looks only at the swaps that can overlap it.
5. Adjacent pieces of the same person, source and layer are merged. With `by_turn` (the feeds,
   the report's shift count) pieces of different turns are not: every layer and swap shift
   carries its turn number, and starts at a real hand-off or a boundary of another source.

Hand-off times that do not exist or exist twice (DST gaps and folds) are read with fold=0, as
zoneinfo does: a time in a spring-forward gap is taken with the offset before the change (02:30
in Berlin on the last Sunday of March is 03:30 CEST, one hour after 01:30 CET), a time in an
autumn fold is its first occurrence (the summer-time one). The services refuse a layer's
*first* hand-off inside a gap. A restriction window's start or end inside a gap is the moment
of the change (`window_edge_to_utc`), so 02:30-03:30 on New York's spring-forward Sunday covers
03:00-03:30 EDT. A layer whose zone cannot be loaded falls back to its schedule's zone, then
to UTC, with a warning (`loadable_zone`): paging must not crash on a typo.
"""

from __future__ import annotations

import bisect
import dataclasses
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth import get_user_model

from deskside.duty.models import Swap

MICRO = timedelta(microseconds=1)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Shift:
    user_id: int
    start: datetime
    end: datetime
    source: str  # "layer" | "override" | "swap"
    layer_id: int | None = None
    override_id: int | None = None
    swap_id: int | None = None
    # The layer turn behind a layer or swap shift: hand-off number `turn` of `layer_id`
    # (0 = the turn starting at the layer's `starts_at`). None for overrides.
    turn: int | None = None

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


# --- plain data the maths works on (no database) ----------------------------------------------


@dataclass(frozen=True)
class LayerSpec:
    id: int | None
    position: int
    zone: str
    starts_at: datetime
    ends_at: datetime | None
    shift_length: int
    shift_unit: str  # "hours" | "days" | "weeks"
    member_ids: tuple[int, ...]
    restrictions: tuple[dict, ...] = ()


@dataclass(frozen=True)
class OverrideSpec:
    id: int | None
    user_id: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class SwapSpec:
    id: int | None
    requester_id: int
    partner_id: int
    starts_at: datetime
    ends_at: datetime
    return_starts_at: datetime | None = None
    return_ends_at: datetime | None = None


# A piece: (start, end, payload);
# payload = (user_id, source, layer_id, override_id, swap_id, turn)
Piece = tuple[datetime, datetime, tuple]


def _utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        raise ValueError("on-call times must be aware datetimes")
    return dt.astimezone(UTC)


def local_to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """A naive local wall time in `zone` as UTC, with fold=0 (see the module docstring)."""
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def window_edge_to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """A restriction window's start or end as UTC. A wall time inside a spring-forward gap
    (02:30 on the day the clocks jump from 02:00 to 03:00) is the moment of the change, so a
    window 02:30-03:30 covers 03:00-03:30 of the new time instead of nothing; any other time
    is read as `local_to_utc` does (a time in an autumn fold is its first occurrence)."""
    first = wall.replace(tzinfo=zone, fold=0)
    after = first.astimezone(UTC)
    if after.astimezone(zone).replace(tzinfo=None) == wall:
        return after  # the wall time exists
    # In a gap: fold=1 reads it with the offset after the change (an earlier instant), fold=0
    # with the offset before (a later one); the change lies between. Find it to the second.
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    lo, hi = int(min(before, after).timestamp()), int(max(before, after).timestamp())
    offset = datetime.fromtimestamp(hi, zone).utcoffset()
    while hi - lo > 1:  # tzdata changes fall on whole seconds
        middle = (lo + hi) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == offset:
            hi = middle
        else:
            lo = middle
    return datetime.fromtimestamp(hi, UTC)


def parse_hhmm(value: str) -> tuple[int, int]:
    """'HH:MM' -> (hours, minutes); '24:00' is allowed (the end of the day)."""
    try:
        hours_text, minutes_text = str(value).split(":")
        hours, minutes = int(hours_text), int(minutes_text)
    except (ValueError, AttributeError) as exc:
        raise ValueError(f"not a time of day (HH:MM): {value!r}") from exc
    if not (0 <= minutes < 60 and (0 <= hours < 24 or (hours == 24 and minutes == 0))):
        raise ValueError(f"not a time of day (HH:MM): {value!r}")
    return hours, minutes


def _wall(day: date, hm: tuple[int, int]) -> datetime:
    hours, minutes = hm
    if hours == 24:
        return datetime.combine(day + timedelta(days=1), time(0, 0))
    return datetime.combine(day, time(hours, minutes))


# --- step 1: turns ----------------------------------------------------------------------------


def _turns(layer: LayerSpec, lo: datetime, hi: datetime) -> list[Piece]:
    """The layer's turns cut to [lo, hi), before restrictions."""
    members = layer.member_ids
    if not members:
        return []
    first = _utc(layer.starts_at)
    lo = max(lo, first)
    if layer.ends_at is not None:
        hi = min(hi, _utc(layer.ends_at))
    if lo >= hi:
        return []
    zone = ZoneInfo(layer.zone)
    if layer.shift_unit == "hours":
        step = timedelta(hours=layer.shift_length)

        def boundary(k: int) -> datetime:
            return first + k * step

        k = (lo - first) // step
    else:
        days = layer.shift_length * (7 if layer.shift_unit == "weeks" else 1)
        anchor = first.astimezone(zone).replace(tzinfo=None)

        def boundary(k: int) -> datetime:
            return local_to_utc(anchor + timedelta(days=k * days), zone)

        lo_wall = lo.astimezone(zone).replace(tzinfo=None)
        k = math.floor((lo_wall - anchor) / timedelta(days=days))
    k = max(k, 0)
    while k > 0 and boundary(k) > lo:
        k -= 1
    while boundary(k + 1) <= lo:
        k += 1
    pieces: list[Piece] = []
    begin = boundary(k)
    while begin < hi:
        finish = boundary(k + 1)
        user_id = members[k % len(members)]
        payload = (user_id, "layer", layer.id, None, None, k)
        pieces.append((max(begin, lo), min(finish, hi), payload))
        k += 1
        begin = finish
    return pieces


# --- step 2: restriction windows --------------------------------------------------------------


def restriction_windows(
    restrictions: Iterable[dict], zone_name: str, lo: datetime, hi: datetime
) -> list[tuple[datetime, datetime]]:
    """The restriction windows as merged UTC intervals cut to [lo, hi)."""
    zone = ZoneInfo(zone_name)
    parsed = []
    for window in restrictions:
        days = window.get("days")
        day_set = set(range(7)) if days is None or days == [] else {int(d) for d in days}
        start_hm, end_hm = parse_hhmm(window["start"]), parse_hhmm(window["end"])
        parsed.append((day_set, start_hm, end_hm))
    if not parsed or lo >= hi:
        return []
    day = lo.astimezone(zone).date() - timedelta(days=1)
    last = hi.astimezone(zone).date()
    raw: list[tuple[datetime, datetime]] = []
    while day <= last:
        weekday = day.weekday()
        for day_set, start_hm, end_hm in parsed:
            if weekday not in day_set:
                continue
            wall_start = _wall(day, start_hm)
            wall_end = _wall(day, end_hm)
            if wall_end <= wall_start:
                wall_end += timedelta(days=1)
            begin = window_edge_to_utc(wall_start, zone)
            finish = window_edge_to_utc(wall_end, zone)
            begin, finish = max(begin, lo), min(finish, hi)
            if begin < finish:
                raw.append((begin, finish))
        day += timedelta(days=1)
    raw.sort()
    merged: list[tuple[datetime, datetime]] = []
    for begin, finish in raw:
        if merged and begin <= merged[-1][1]:
            if finish > merged[-1][1]:
                merged[-1] = (merged[-1][0], finish)
        else:
            merged.append((begin, finish))
    return merged


def _intersect(pieces: Sequence[Piece], windows: Sequence[tuple[datetime, datetime]]) -> list:
    out: list[Piece] = []
    j = 0
    for begin, finish, payload in pieces:
        while j < len(windows) and windows[j][1] <= begin:
            j += 1
        i = j
        while i < len(windows) and windows[i][0] < finish:
            cut_begin, cut_end = max(begin, windows[i][0]), min(finish, windows[i][1])
            if cut_begin < cut_end:
                out.append((cut_begin, cut_end, payload))
            i += 1
    return out


def layer_pieces(layer: LayerSpec, lo: datetime, hi: datetime) -> list[Piece]:
    """One layer's coverage in [lo, hi): its turns inside its restriction windows."""
    pieces = _turns(layer, lo, hi)
    if layer.restrictions and pieces:
        windows = restriction_windows(layer.restrictions, layer.zone, pieces[0][0], pieces[-1][1])
        pieces = _intersect(pieces, windows)
    return pieces


# --- step 3: stacking -------------------------------------------------------------------------


def _stack(sources: Sequence[Sequence[Piece]]) -> list[Piece]:
    """Sources in priority order (highest first), each sorted and non-overlapping. Returns
    the pieces of the winning source on every elementary interval."""
    points = sorted({p for source in sources for piece in source for p in piece[:2]})
    pointers = [0] * len(sources)
    out: list[Piece] = []
    for left, right in zip(points, points[1:], strict=False):
        for index, source in enumerate(sources):
            pointer = pointers[index]
            while pointer < len(source) and source[pointer][1] <= left:
                pointer += 1
            pointers[index] = pointer
            if pointer < len(source) and source[pointer][0] <= left:
                out.append((left, right, source[pointer][2]))
                break
    return out


# --- step 4: swaps ----------------------------------------------------------------------------


def _apply_swaps(pieces: list[Piece], swaps: Sequence[SwapSpec]) -> list[Piece]:
    if not swaps:
        return pieces
    # Per person handing over: (start, end, order, to_user, swap_id) sorted by start, with the
    # longest rule, so each piece looks only at the rules that can overlap it (a bisect on the
    # start, then back by the longest length) instead of scanning every swap.
    by_user: dict[int, list[tuple]] = {}
    order = 0
    for swap in swaps:  # acceptance order: `order` breaks ties, the first accepted wins
        periods = [(swap.starts_at, swap.ends_at, swap.requester_id, swap.partner_id)]
        if swap.return_starts_at and swap.return_ends_at:
            periods.append(
                (swap.return_starts_at, swap.return_ends_at, swap.partner_id, swap.requester_id)
            )
        for begin, finish, from_user, to_user in periods:
            by_user.setdefault(from_user, []).append(
                (_utc(begin), _utc(finish), order, to_user, swap.id)
            )
            order += 1
    index: dict[int, tuple[list[tuple], list[datetime], timedelta]] = {}
    for user_id, rules in by_user.items():
        rules.sort()
        longest = max(r[1] - r[0] for r in rules)
        index[user_id] = (rules, [r[0] for r in rules], longest)
    out: list[Piece] = []
    for begin, finish, payload in pieces:
        user_id, source = payload[0], payload[1]
        found = index.get(user_id) if source == "layer" else None
        relevant: list[tuple] = []
        if found is not None:
            rules, starts, longest = found
            stop = bisect.bisect_left(starts, finish)  # rules starting before the piece ends
            first = bisect.bisect_right(starts, begin - longest)  # ... and able to reach it
            relevant = [r for r in rules[first:stop] if r[1] > begin]
        if not relevant:
            out.append((begin, finish, payload))
            continue
        relevant.sort(key=lambda r: r[2])
        cuts = sorted({begin, finish} | {t for r in relevant for t in r[:2] if begin < t < finish})
        for left, right in zip(cuts, cuts[1:], strict=False):
            rule = next((r for r in relevant if r[0] <= left and r[1] >= right), None)
            if rule is None:
                out.append((left, right, payload))
            else:
                swapped = (rule[3], "swap", payload[2], None, rule[4], payload[5])
                out.append((left, right, swapped))
    return out


# --- the whole resolution ---------------------------------------------------------------------


def resolve(
    layers: Sequence[LayerSpec],
    overrides: Sequence[OverrideSpec],
    swaps: Sequence[SwapSpec],
    start: datetime,
    end: datetime,
    *,
    by_turn: bool = False,
) -> list[Shift]:
    """Final shifts in [start, end) from plain data (overrides in creation order, swaps in
    acceptance order). With `by_turn`, pieces of different layer turns are never merged, so
    every shift starts at a real hand-off (or a boundary of another source), not where the
    pieces of several turns of the same person happened to touch."""
    lo, hi = _utc(start), _utc(end)
    if lo >= hi:
        return []
    override_sources = []
    for override in reversed(overrides):  # the latest created wins
        begin, finish = max(_utc(override.starts_at), lo), min(_utc(override.ends_at), hi)
        if begin < finish:
            payload = (override.user_id, "override", None, override.id, None, None)
            override_sources.append([(begin, finish, payload)])
    flat_overrides = _stack(override_sources) if override_sources else []
    ordered = sorted(layers, key=lambda la: (-la.position, la.id or 0))
    layer_sources = [layer_pieces(layer, lo, hi) for layer in ordered]
    stacked = _stack([flat_overrides, *layer_sources])
    stacked = _apply_swaps(stacked, swaps)
    # Merge adjacent pieces with the same person and source; by_turn keeps every hand-off
    # apart (a one-member layer gives one shift a turn, not one for the whole period).
    width = 6 if by_turn else 5
    result: list[Shift] = []
    for begin, finish, payload in stacked:
        last = result[-1] if result else None
        if last is not None and last.end == begin and _payload(last)[:width] == payload[:width]:
            result[-1] = dataclasses.replace(last, end=finish)
        else:
            result.append(Shift(payload[0], begin, finish, *payload[1:]))
    return result


def _payload(shift: Shift) -> tuple:
    return (
        shift.user_id,
        shift.source,
        shift.layer_id,
        shift.override_id,
        shift.swap_id,
        shift.turn,
    )


def gaps(shift_list: Sequence[Shift], start: datetime, end: datetime) -> list[tuple]:
    """The periods in [start, end) with nobody on call."""
    out = []
    cursor = _utc(start)
    for shift in shift_list:
        if shift.start > cursor:
            out.append((cursor, shift.start))
        cursor = max(cursor, shift.end)
    if cursor < _utc(end):
        out.append((cursor, _utc(end)))
    return out


def hours_by_user(shift_list: Sequence[Shift]) -> dict[int, float]:
    totals: dict[int, float] = {}
    for shift in shift_list:
        totals[shift.user_id] = totals.get(shift.user_id, 0.0) + shift.hours
    return totals


# --- from the database ------------------------------------------------------------------------


def loadable_zone(*names: str) -> str:
    """The first of `names` that zoneinfo can load, else "UTC". A layer whose zone cannot be
    loaded (a typo saved past the services, a zone dropped from tzdata) falls back to its
    schedule's zone, and that to UTC, with a warning in the log: paging must still find
    someone to call, an hour off rather than nobody."""
    for name in names:
        if not name:
            continue
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            log.warning("on-call: unknown time zone %r, falling back", name)
            continue
        return name
    return "UTC"


def layer_spec(layer) -> LayerSpec:
    members = getattr(layer, "_prefetched_objects_cache", {}).get("members")
    if members is None:
        members = layer.members.order_by("position")
    members = sorted(members, key=lambda m: m.position)
    return LayerSpec(
        id=layer.id,
        position=layer.position,
        zone=loadable_zone(layer.timezone, layer.schedule.timezone),
        starts_at=layer.starts_at,
        ends_at=layer.ends_at,
        shift_length=layer.shift_length,
        shift_unit=layer.shift_unit,
        member_ids=tuple(m.user_id for m in members),
        restrictions=tuple(layer.restrictions or ()),
    )


def load(schedule, start: datetime, end: datetime):
    """The schedule's layers, overrides and accepted swaps touching [start, end) as specs."""
    layers = [
        layer_spec(layer)
        for layer in schedule.layers.select_related("schedule").prefetch_related("members")
    ]
    overrides = [
        OverrideSpec(o.id, o.user_id, o.starts_at, o.ends_at)
        for o in schedule.overrides.filter(starts_at__lt=end, ends_at__gt=start).order_by(
            "created_at", "id"
        )
    ]
    swaps = []
    for s in schedule.swaps.filter(status=Swap.Status.ACCEPTED).order_by("decided_at", "id"):
        in_main = s.starts_at < end and s.ends_at > start
        in_return = (
            s.return_starts_at is not None and s.return_starts_at < end and s.return_ends_at > start
        )
        if in_main or in_return:
            swaps.append(
                SwapSpec(
                    s.id,
                    s.requester_id,
                    s.partner_id,
                    s.starts_at,
                    s.ends_at,
                    s.return_starts_at,
                    s.return_ends_at,
                )
            )
    return layers, overrides, swaps


def shifts(schedule, start: datetime, end: datetime, *, by_turn: bool = False) -> list[Shift]:
    """The schedule's final shifts in [start, end), non-overlapping, in time order (with
    `by_turn`, one shift per layer turn at least; see `resolve`)."""
    if _utc(start) >= _utc(end):
        return []
    layers, overrides, swaps = load(schedule, start, end)
    return resolve(layers, overrides, swaps, start, end, by_turn=by_turn)


def on_call_user_id(schedule, at: datetime) -> int | None:
    found = shifts(schedule, at, at + MICRO)
    return found[0].user_id if found else None


def on_call_at(schedule, at: datetime):
    """The one person on call on `schedule` at `at`, or None."""
    user_id = on_call_user_id(schedule, at)
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id).first()
