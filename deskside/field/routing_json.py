"""The JSON format of `deskside field plan FILE.json` (documented in docs/field.md, an
example in docs/examples/field-plan.json), read into a `routing.Problem`, and the plan printed
back as text.

    {
      "coordinates": "plane" | "globe",      (when there is no "matrix"; default "globe")
      "matrix": [[0, 12.5, ...], ...],       (optional: travel minutes between locations)
      "technicians": [{"id": "ann", "start": [lat, lon] | [x, y] | index,
                       "shift": ["08:00", "17:00"] | [0, 1236], "skills": ["printers"],
                       "cleared_for": ["v1", ...], "return_to_base": true}],
      "visits": [{"id": "v1", "location": [lat, lon] | [x, y] | index,
                  "window": ["09:00", "12:00"], "service_minutes": 30, "skills": [],
                  "technicians": ["ann"], "due": "15:00", "late_penalty": 1,
                  "drop_penalty": 100000}]
    }

Times are minutes from the day's origin, or "HH:MM" (minutes since midnight). With a matrix,
locations are indices into it; without, coordinates: "globe" places are [latitude, longitude]
(travel estimated as in `field.matrix.estimate`), "plane" places are [x, y] and the travel
minutes are the Euclidean distance (as in the Solomon benchmark instances).
"""

from __future__ import annotations

import math
import re
from typing import Any

from deskside.field import matrix as matrices
from deskside.field.routing import (
    DEFAULT_DROP_PENALTY,
    DEFAULT_LATE_PENALTY,
    MAX_MINUTES,
    Job,
    Plan,
    Problem,
    ProblemError,
    Tech,
)
from deskside.field.travel import Point

CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def _number(value: Any, where: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or abs(value) > MAX_MINUTES
    ):
        raise ProblemError(f"must be a number within +-{MAX_MINUTES}", where)
    return float(value)


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ProblemError("must be true or false", where)
    return value


def _time(value: Any, where: str, seen: dict) -> float:
    if isinstance(value, str):
        match = CLOCK.match(value.strip())
        if not match or int(match[1]) > 24 or int(match[2]) > 59:
            raise ProblemError(f"{value!r} is not a time (HH:MM or minutes)", where)
        seen["clock"] = True
        return int(match[1]) * 60 + int(match[2])
    return _number(value, where)


def _pair(value: Any, where: str, seen: dict) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise ProblemError("must be [start, end]", where)
    return _time(value[0], where, seen), _time(value[1], where, seen)


def _strings(value: Any, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise ProblemError("must be a list of strings", where)
    return frozenset(value)


def _id(item: dict, where: str) -> str:
    value = item.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise ProblemError("each one needs an id", f"{where}.id")
    return value


def _tech(item: Any, where: str, place, seen: dict) -> Tech:
    if not isinstance(item, dict):
        raise ProblemError("must be an object", where)
    start, end = _pair(item.get("shift"), f"{where}.shift", seen)
    cleared = item.get("cleared_for")
    return Tech(
        id=_id(item, where),
        location=place(item.get("start"), f"{where}.start"),
        shift_start=start,
        shift_end=end,
        skills=_strings(item.get("skills", []), f"{where}.skills"),
        cleared_for=None if cleared is None else _strings(cleared, f"{where}.cleared_for"),
        return_to_base=_flag(item.get("return_to_base", True), f"{where}.return_to_base"),
    )


def _job(item: Any, where: str, place, seen: dict) -> Job:
    if not isinstance(item, dict):
        raise ProblemError("must be an object", where)
    start, end = _pair(item.get("window"), f"{where}.window", seen)
    allowed = item.get("technicians")
    due = item.get("due")
    return Job(
        id=_id(item, where),
        location=place(item.get("location"), f"{where}.location"),
        window_start=start,
        window_end=end,
        service=_number(item.get("service_minutes"), f"{where}.service_minutes"),
        skills=_strings(item.get("skills", []), f"{where}.skills"),
        allowed=None if allowed is None else _strings(allowed, f"{where}.technicians"),
        due=None if due is None else _time(due, f"{where}.due", seen),
        late_penalty=_number(
            item.get("late_penalty", DEFAULT_LATE_PENALTY), f"{where}.late_penalty"
        ),
        drop_penalty=_number(
            item.get("drop_penalty", DEFAULT_DROP_PENALTY), f"{where}.drop_penalty"
        ),
    )


def read(data: Any) -> tuple[Problem, dict]:
    """The problem in `data` (a parsed JSON document) and how to show it (`{"clock": bool}`,
    whether times were given as HH:MM). ProblemError naming the first bad field."""
    if not isinstance(data, dict):
        raise ProblemError("the file must hold a JSON object", "file")
    seen: dict = {"clock": False}
    techs_in, visits_in = data.get("technicians"), data.get("visits")
    if not isinstance(techs_in, list):
        raise ProblemError("must be a list", "technicians")
    if not isinstance(visits_in, list):
        raise ProblemError("must be a list", "visits")
    given = data.get("matrix")
    kind = data.get("coordinates", "globe")
    if given is None and kind not in ("plane", "globe"):
        raise ProblemError('must be "plane" or "globe"', "coordinates")
    places: list[tuple[float, float]] = []

    def place(value: Any, where: str) -> int:
        if given is not None:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ProblemError("must be an index into the matrix", where)
            return value
        if (
            not isinstance(value, list)
            or len(value) != 2
            or any(
                isinstance(x, bool)
                or not isinstance(x, int | float)
                or not math.isfinite(x)
                or abs(x) > MAX_MINUTES
                for x in value
            )
        ):
            raise ProblemError("must be [x, y] or [latitude, longitude]", where)
        if kind == "globe" and not (-90 <= value[0] <= 90 and -180 <= value[1] <= 180):
            raise ProblemError("is not a [latitude, longitude]", where)
        places.append((float(value[0]), float(value[1])))
        return len(places) - 1

    techs = [_tech(item, f"technicians[{i}]", place, seen) for i, item in enumerate(techs_in)]
    jobs = [_job(item, f"visits[{i}]", place, seen) for i, item in enumerate(visits_in)]
    if given is not None:
        if not isinstance(given, list) or not all(isinstance(row, list) for row in given):
            raise ProblemError("must be a list of rows of minutes", "matrix")
        table = given
    elif kind == "plane":
        table = matrices.plane(places)
    else:
        table = matrices.estimate([Point(*p) for p in places])
    return Problem(techs, jobs, table), seen


def clock_text(minutes: float, clock: bool) -> str:
    if not clock:
        return f"{minutes:g}"
    whole = int(round(minutes))
    day, rest = divmod(whole, 1440)
    text = f"{rest // 60:02d}:{rest % 60:02d}"
    return text if day == 0 else f"{text}{day:+d}d"


def render(plan: Plan, *, clock: bool) -> str:
    """The plan as text: each route with its stops' arrival, start and leg; the total travel;
    what could not be assigned and why; how the search ended."""
    lines: list[str] = []
    served = 0
    idle = [route.technician for route in plan.routes if not route.stops]
    for route in plan.routes:
        if not route.stops:
            continue
        served += len(route.stops)
        lines.append(
            f"{route.technician}: leaves {clock_text(route.depart, clock)}, "
            f"done {clock_text(route.back, clock)}, travel {route.travel:g} min"
        )
        for n, stop in enumerate(route.stops, 1):
            late = f"  LATE {stop.late:g} min" if stop.late else ""
            lines.append(
                f"  {n}. {stop.visit}  arrives {clock_text(stop.arrival, clock)}  "
                f"starts {clock_text(stop.start, clock)}  ends {clock_text(stop.end, clock)}  "
                f"(leg {stop.travel:g} min){late}"
            )
    if idle:
        lines.append(f"no visits: {', '.join(idle)}")
    lines.append(f"total travel: {plan.total_travel:g} min; {served} visits assigned")
    if plan.unassigned:
        lines.append(f"not assigned: {len(plan.unassigned)}")
        lines.extend(f"  {u.visit}: {u.reason}" for u in plan.unassigned)
    else:
        lines.append("not assigned: none")
    lines.extend(f"note: {note}" for note in plan.notes)
    lines.append(
        f"objective {plan.objective:g}; solved in {plan.solve_seconds:g} s, "
        f"{plan.solutions} solutions, stopped by {plan.stopped_by}"
    )
    return "\n".join(lines)
