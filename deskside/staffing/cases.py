"""What-if staffing cases: the input of `deskside staffing erlang FILE.json` and of
POST /api/v1/staffing/erlang.

    {"cases": [{"calls": 100, "period_minutes": 30, "aht_seconds": 180, "target_seconds": 20,
                "service_level": 0.8, "max_occupancy": 0.85, "shrinkage": 0.25}, ...]}

`answer()` returns a copy with a `result` on each case: `agents` needed before shrinkage and
`agents_rostered` after it, with the `service_level`, `asa_seconds`, `probability_wait`,
`occupancy` (and `traffic_erlangs`) those agents give. A case may give `agents` instead of
`service_level`: its result is what those agents give. Defaults: target_seconds 20,
max_occupancy 1 (no cap), shrinkage 0.25. Keys this module does not know are kept as they are.

Unlike `deskside sla due`, one bad case fails the whole file (`CaseError` naming the case and
the field): a staffing plan half computed is not a plan. Nothing is answered until every case
has been read.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deskside.staffing.erlang import MAX_TRAFFIC, Queue, agents_needed, outcome
from deskside.staffing.exceptions import InvalidInput

DEFAULT_TARGET_SECONDS = 20.0
DEFAULT_SHRINKAGE = 0.25
MAX_AGENTS = 100_000  # a case asking what a million agents give is a typo, not a plan
MAX_CASES = 10_000


class CaseError(InvalidInput):
    """The input is not a cases document, or a case has a bad field; names which."""


@dataclass(frozen=True)
class Case:
    queue: Queue
    service_level: float | None
    agents: int | None
    max_occupancy: float
    shrinkage: float


def _number(
    case: Mapping[str, Any], name: str, where: str, *, default: float | None = None
) -> float:
    value = case.get(name, default)
    if value is None:
        raise CaseError(f"{where}.{name}: required", field=name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CaseError(f"{where}.{name}: expected a number, got {value!r}", field=name)
    return float(value)


def _fraction(value: float, name: str, where: str, *, low_open: bool, high_open: bool) -> float:
    low_ok = value > 0 if low_open else value >= 0
    high_ok = value < 1 if high_open else value <= 1
    if not (low_ok and high_ok):
        low = "(0" if low_open else "[0"
        high = "1)" if high_open else "1]"
        raise CaseError(f"{where}.{name}: must be in {low}, {high}, got {value:g}", field=name)
    return value


def read_case(case: object, where: str) -> Case:
    """One case, validated; CaseError names `where` (e.g. "cases[2]") and the field."""
    if not isinstance(case, Mapping):
        raise CaseError(f"{where}: expected an object", field="cases")
    calls = _number(case, "calls", where)
    if calls < 0:
        raise CaseError(f"{where}.calls: must be 0 or more", field="calls")
    period = _number(case, "period_minutes", where)
    if period <= 0:
        raise CaseError(f"{where}.period_minutes: must be more than 0", field="period_minutes")
    aht = _number(case, "aht_seconds", where)
    if aht <= 0:
        raise CaseError(f"{where}.aht_seconds: must be more than 0", field="aht_seconds")
    target = _number(case, "target_seconds", where, default=DEFAULT_TARGET_SECONDS)
    if target < 0:
        raise CaseError(f"{where}.target_seconds: must be 0 or more", field="target_seconds")
    occupancy = _fraction(
        _number(case, "max_occupancy", where, default=1.0),
        "max_occupancy",
        where,
        low_open=True,
        high_open=False,
    )
    shrinkage = _fraction(
        _number(case, "shrinkage", where, default=DEFAULT_SHRINKAGE),
        "shrinkage",
        where,
        low_open=False,
        high_open=True,
    )
    has_sl = case.get("service_level") is not None
    has_agents = case.get("agents") is not None
    if has_sl == has_agents:
        raise CaseError(
            f"{where}: give either service_level (agents needed) or agents (what they give)",
            field="service_level",
        )
    service_level = agents = None
    if has_sl:
        service_level = _fraction(
            _number(case, "service_level", where),
            "service_level",
            where,
            low_open=True,
            high_open=True,
        )
    else:
        raw = _number(case, "agents", where)
        if raw != int(raw) or not 0 <= raw <= MAX_AGENTS:
            raise CaseError(
                f"{where}.agents: a whole number from 0 to {MAX_AGENTS}, got {raw:g}",
                field="agents",
            )
        agents = int(raw)
    queue = Queue(calls, period, aht, target)
    if not queue.traffic <= MAX_TRAFFIC:
        raise CaseError(
            f"{where}.calls: calls x aht_seconds / period is more than {MAX_TRAFFIC:g} Erlangs",
            field="calls",
        )
    return Case(queue, service_level, agents, occupancy, shrinkage)


def solve(case: Case) -> dict[str, Any]:
    """The result of one validated case (see the module docstring)."""
    if case.agents is not None:
        result = outcome(case.queue, case.agents, case.shrinkage)
    else:
        assert case.service_level is not None  # read_case gives one of agents, service_level
        result = agents_needed(case.queue, case.service_level, case.max_occupancy, case.shrinkage)
    out = result.as_dict()
    for key in ("traffic_erlangs", "service_level", "probability_wait", "occupancy"):
        out[key] = round(out[key], 6)
    if out["asa_seconds"] is not None:
        out["asa_seconds"] = round(out["asa_seconds"], 3)
    return out


def refuse_constant(name: str) -> float:
    """`json.loads(parse_constant=...)`: NaN and Infinity are not numbers of a case."""
    raise CaseError(f"{name} is not a number", field="cases")


def answer(data: object) -> dict[str, Any]:
    """`data` with a "result" on every case; raises CaseError before answering any when the
    document or one of its cases is bad. The input is not changed."""
    if not isinstance(data, Mapping):
        raise CaseError('expected a JSON object {"cases": [...]}', field="cases")
    raw = data.get("cases")
    if not isinstance(raw, list):
        raise CaseError("'cases' is missing or is not a list", field="cases")
    if len(raw) > MAX_CASES:
        raise CaseError(f"at most {MAX_CASES} cases, got {len(raw)}", field="cases")
    parsed = [read_case(case, f"cases[{i}]") for i, case in enumerate(raw)]
    out = copy.deepcopy(dict(data))
    for case, parsed_case in zip(out["cases"], parsed, strict=True):
        case.pop("error", None)
        case["result"] = solve(parsed_case)
    return out
