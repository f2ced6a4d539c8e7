"""What-if due times: answer a file of business-time questions without a database.

The input is the layout of the public SLA corpus (`tests/corpora/public/
sla_business_hours_cases.json`): `{"calendars": {NAME: calendar, ...}, "cases": [case, ...]}`,
each calendar in the JSON form of `CalendarSpec` and each case an object such as

    {"id": "x", "operation": "add_business_minutes", "calendar": "NAME",
     "start": "2026-03-27T16:00:00+01:00", "minutes": 120, "pauses": [[start, end], ...],
     "config_override": {"weekly": {...}}}

`answer()` returns a copy of the input in which every case whose operation it knows carries
either `"result"` or `"error"`:

- `add_business_minutes` and `add_business_minutes_with_pauses` (the same question; pauses are
  optional in both): `result` is the due instant in UTC, ISO 8601 with "Z";
- `business_minutes_between` (`start`, `end`, optional `pauses`): `result` is the number of
  working minutes, an int when whole, else a float.

Cases with any other operation, and every key this module does not write, are left as they
are. A case that cannot be answered (unknown calendar, invalid calendar, a time without an
offset, a bad pause, pauses with negative minutes ...) gets `"error"` with a one-line reason
and no `"result"`; the other cases are still answered. Only a file that is not of this shape
at all raises `WhatIfError`. The rules of the answers are those of `deskside.sla.calendar`.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from datetime import UTC, datetime

from deskside.sla.calendar import (
    MINUTE,
    BusinessCalendar,
    CalendarError,
    CalendarSpec,
    calendar_for,
    from_us,
    pause_us,
    to_us,
)

ADD_OPERATIONS = frozenset({"add_business_minutes", "add_business_minutes_with_pauses"})
BETWEEN_OPERATIONS = frozenset({"business_minutes_between"})
OPERATIONS = ADD_OPERATIONS | BETWEEN_OPERATIONS


class WhatIfError(ValueError):
    """The input is not a `{"calendars": {...}, "cases": [...]}` document; says why."""


class _CaseError(Exception):
    """One case cannot be answered; its message becomes the case's "error"."""


def answer(data: object) -> dict:
    """Answer every known case of `data` (see the module docstring); the input is not changed.

    Raises WhatIfError when `data` is not an object with a "calendars" object and a "cases"
    list of objects. Never raises for a single bad case: that case gets an "error".
    """
    if not isinstance(data, Mapping):
        raise WhatIfError("expected a JSON object with 'calendars' and 'cases'")
    calendars = data.get("calendars")
    cases = data.get("cases")
    if not isinstance(calendars, Mapping):
        raise WhatIfError("'calendars' is missing or is not an object of name -> calendar")
    if not isinstance(cases, list):
        raise WhatIfError("'cases' is missing or is not a list")
    for i, case in enumerate(cases):
        if not isinstance(case, Mapping):
            raise WhatIfError(f"cases[{i}] is not an object")
    out = copy.deepcopy(dict(data))
    resolver = _Calendars(calendars)
    for case in out["cases"]:
        if case.get("operation") not in OPERATIONS:
            continue
        case.pop("result", None)
        case.pop("error", None)
        try:
            case["result"] = _answer_case(case, resolver)
        except (_CaseError, CalendarError) as exc:
            case["error"] = str(exc)
    return out


class _Calendars:
    """Calendars by name (with a case's override applied), each parsed once."""

    def __init__(self, raw: Mapping[str, object]) -> None:
        self.raw = raw
        self.cache: dict[str, BusinessCalendar | str] = {}

    def get(self, name: object, override: object) -> BusinessCalendar:
        if not isinstance(name, str) or not name:
            raise _CaseError("calendar: missing (the name of one of 'calendars')")
        if name not in self.raw:
            raise _CaseError(f"calendar: unknown calendar {name!r}")
        definition = self.raw[name]
        if not isinstance(definition, Mapping):
            raise _CaseError(f"calendar {name!r}: a calendar is a JSON object")
        key = name
        if override is not None:
            if not isinstance(override, Mapping):
                raise _CaseError("config_override: expected an object of calendar settings")
            # An override replaces each named setting as a whole ("weekly" included), as the
            # working_hours gem's per-example config does.
            definition = {**definition, **override}
            key = f"{name}\0{sorted(override.items())!r}"
        cached = self.cache.get(key)
        if cached is None:
            try:
                cached = calendar_for(CalendarSpec.from_json(definition))
            except CalendarError as exc:
                cached = f"calendar {name!r}: {exc}"
            self.cache[key] = cached
        if isinstance(cached, str):
            raise _CaseError(cached)
        return cached


def _answer_case(case: Mapping[str, object], calendars: _Calendars) -> object:
    calendar = calendars.get(case.get("calendar"), case.get("config_override"))
    start = _instant(case.get("start"), "start")
    pauses = _pauses(case.get("pauses"))
    if case["operation"] in ADD_OPERATIONS:
        minutes = case.get("minutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int | float):
            raise _CaseError(f"minutes: expected a number, got {minutes!r}")
        if not math.isfinite(minutes):
            raise _CaseError(f"minutes: {minutes!r} is not a finite number")
        if minutes < 0 and pauses:
            raise _CaseError("minutes: negative minutes cannot be combined with pauses")
        due = calendar.add_us(to_us(start), round(minutes * MINUTE), pauses)
        return format_instant(from_us(due))
    end = _instant(case.get("end"), "end")
    worked = calendar.between_us(to_us(start), to_us(end), pauses)
    return worked // MINUTE if worked % MINUTE == 0 else worked / MINUTE


def _instant(value: object, where: str) -> datetime:
    if not isinstance(value, str):
        raise _CaseError(f"{where}: expected an ISO 8601 instant, got {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _CaseError(f"{where}: {value!r} is not an ISO 8601 instant") from None
    if moment.tzinfo is None:
        raise _CaseError(f"{where}: {value!r} has no UTC offset (add 'Z' or '+01:00')")
    return moment


def _pauses(raw: object) -> list[tuple[int, int]]:
    """Pauses as sorted, merged microsecond intervals."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _CaseError("pauses: expected a list of [start, end] pairs")
    pairs = []
    for i, pause in enumerate(raw):
        if not isinstance(pause, list) or len(pause) != 2:
            raise _CaseError(f"pauses[{i}]: expected [start, end]")
        pairs.append((_instant(pause[0], f"pauses[{i}][0]"), _instant(pause[1], f"pauses[{i}][1]")))
    return pause_us(pairs)


def format_instant(moment: datetime) -> str:
    """An aware datetime as ISO 8601 in UTC with "Z" (microseconds only when not zero)."""
    text = moment.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"
