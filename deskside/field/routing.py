"""The route solver: one day of visits over the technicians, as a vehicle routing problem with
time windows (OR-Tools' routing library). Pure: no database, no settings; `field.services.
planning` builds its input from the database and the CLI (`deskside field plan`) from a JSON
file (`field.routing_json`).

The input (`Problem`), in minutes counted from one origin (the planning day's midnight, or 0
for a benchmark instance):

- locations: any number of places, and `matrix[a][b]` the travel minutes from a to b (need not
  be symmetric; `field.matrix` builds it from coordinates or an OSRM server);
- technicians (`Tech`): id, the location where the day starts, the shift [shift_start,
  shift_end], skills, and optionally `cleared_for` (the only visit ids they may take);
- visits (`Job`): id, location, the window for the *start* of the work [window_start,
  window_end] (the customer's "arrive between"), service minutes, skills, optionally
  `allowed` (the only technicians who may take it: the clearance rule), `due` (the SLA's due
  time: a soft deadline for the *end* of the work, each minute late costing `late_penalty`
  minutes of travel) and `drop_penalty` (what leaving it out costs; by default far more than
  any detour, so a visit is dropped only when no route can take it).

The rules:

- a visit starts inside its window; arriving early means waiting; it is done by one
  technician whose skills include all of the visit's and who is allowed (`allowed`,
  `cleared_for`): hard rules (the visit's vehicle variable);
- a technician leaves their start location no earlier than the shift's start and (decision)
  is back there by the shift's end: travel home is working time, as it is in the MSP's
  timesheets and in the Solomon benchmarks. `return_to_base=False` lets a technician end the
  day at the last visit (finished by the shift's end);
- the objective is the total travel (minutes) + the SLA lateness penalties + the penalties of
  the visits left out.

A visit that cannot be served is dropped (`AddDisjunction` with its penalty) and reported
with a reason: `skills` (no technician has them), `clearance` (nobody with the skills may go),
`shift` (no technician who may go can reach it and finish inside their shift, even with
nothing else to do) - these three are decided before the solver runs - or `no_slot` (each
could alone, but the routes have no room for it).

Deterministic: the same input gives the same plan. The search is single-threaded (OR-Tools'
routing search is) and has no random part: a fixed first-solution strategy (global cheapest
arc), then greedy descent until no move improves the plan (a local optimum: where it
stops depends on the input only), then, when `improve` > 0, guided local search for that
many more solutions (a count, not a clock). `time_limit` is a cap for a machine far slower
than expected: the result says what stopped the search (`stopped_by`), and only a plan
stopped by the time limit may differ between runs. `improve=None` runs guided local search
until the time limit (the benchmark's 60-second reference run). Measured on 100 visits and 10
technicians (bench/field_route.py): the local optimum in 1-3 s, guided local search costing
~0.05 s a solution, hence the default of none for "plan the day".
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

UNITS = 60  # the solver counts seconds: travel and times are minutes x 60, rounded
DEFAULT_LATE_PENALTY = 1.0  # a minute late on the SLA costs as much as a minute of travel
DEFAULT_DROP_PENALTY = 100_000.0  # minutes: far beyond any detour
DEFAULT_IMPROVE = 0  # guided-local-search solutions after the local optimum (0: none)
DEFAULT_TIME_LIMIT = 30.0  # seconds: a cap, not the planned stop (see the module's docstring)
MAX_MINUTES = 10_000_000  # any time, travel or penalty beyond this (19 years) is a mistake

FIRST_SOLUTION = routing_enums_pb2.FirstSolutionStrategy.GLOBAL_CHEAPEST_ARC

REASONS = {
    "skills": "no technician has the skills it needs",
    "clearance": "no technician with the skills may go (clearance)",
    "shift": "no technician who may go can reach it and finish within their shift",
    "no_slot": "no room left in the routes of the technicians who may go",
}


class ProblemError(ValueError):
    """The input is malformed: `field` names the part at fault (`visits[3].window_end`)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Tech:
    id: str
    location: int
    shift_start: float
    shift_end: float
    skills: frozenset[str] = frozenset()
    cleared_for: frozenset[str] | None = None
    return_to_base: bool = True
    label: str = ""


@dataclass(frozen=True)
class Job:
    id: str
    location: int
    window_start: float
    window_end: float
    service: float
    skills: frozenset[str] = frozenset()
    allowed: frozenset[str] | None = None
    due: float | None = None
    late_penalty: float = DEFAULT_LATE_PENALTY
    drop_penalty: float = DEFAULT_DROP_PENALTY
    label: str = ""
    # A fixed commitment of this technician (a visit booked already, or under way): it starts
    # at `window_start` and lasts `service`; never dropped, never moved, not in the plan's
    # stops. The solver routes the technician's other visits around it.
    fixed_to: str | None = None


@dataclass(frozen=True)
class Problem:
    technicians: Sequence[Tech]
    visits: Sequence[Job]
    matrix: Sequence[Sequence[float]]


@dataclass(frozen=True)
class Stop:
    visit: str
    arrival: float  # minutes from the origin
    start: float  # the arrival, or the window's start when early
    end: float
    travel: float  # the leg before it, minutes
    late: float = 0.0  # minutes past the SLA due (0: on time or no due)


@dataclass(frozen=True)
class Route:
    technician: str
    depart: float
    back: float  # at the base (or at the last visit's end without return)
    stops: tuple[Stop, ...]
    travel: float  # minutes, including the way home when it returns


@dataclass(frozen=True)
class Unassigned:
    visit: str
    code: str  # one of REASONS
    reason: str


@dataclass(frozen=True)
class Plan:
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    total_travel: float
    objective: float  # in minutes (travel + penalties)
    solve_seconds: float
    first_solution_seconds: float | None
    solutions: int
    stopped_by: str  # "solution limit" | "time limit" | "local optimum" | "nothing to plan"
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict:
        return {
            "routes": [
                {
                    "technician": r.technician,
                    "depart": r.depart,
                    "back": r.back,
                    "travel_minutes": r.travel,
                    "stops": [s.__dict__ for s in r.stops],
                }
                for r in self.routes
            ],
            "unassigned": [u.__dict__ for u in self.unassigned],
            "total_travel_minutes": self.total_travel,
            "objective": self.objective,
            "solve_seconds": self.solve_seconds,
            "first_solution_seconds": self.first_solution_seconds,
            "solutions": self.solutions,
            "stopped_by": self.stopped_by,
            "notes": list(self.notes),
        }


def _units(minutes: float) -> int:
    return int(round(minutes * UNITS))


def _minutes(units: int) -> float:
    return round(units / UNITS, 2)


def validate(problem: Problem) -> None:
    """ProblemError naming the first malformed part (ids unique, windows ordered, locations
    inside the matrix, a square matrix of finite non-negative minutes, every number finite and
    within +-MAX_MINUTES, a due time not before the origin)."""
    n = len(problem.matrix)
    for i, row in enumerate(problem.matrix):
        if len(row) != n:
            raise ProblemError(f"row {i} has {len(row)} entries, not {n}", "matrix")
        for j, value in enumerate(row):
            if not _sane(value) or value < 0:
                raise ProblemError(
                    f"[{i}][{j}] is not a number of minutes from 0 to {MAX_MINUTES}", "matrix"
                )
    seen: set[str] = set()
    for i, t in enumerate(problem.technicians):
        where = f"technicians[{i}]"
        if not (_sane(t.shift_start) and _sane(t.shift_end)):
            raise ProblemError(f"must be minutes within +-{MAX_MINUTES}", f"{where}.shift")
        if t.id in seen:
            raise ProblemError(f"the id {t.id!r} is used twice", f"{where}.id")
        seen.add(t.id)
        if not 0 <= t.location < n:
            raise ProblemError("the start location is not in the matrix", f"{where}.start")
        if t.shift_end <= t.shift_start:
            raise ProblemError("the shift ends before it starts", f"{where}.shift")
    techs, seen = seen, set()
    for i, v in enumerate(problem.visits):
        where = f"visits[{i}]"
        if v.id in seen:
            raise ProblemError(f"the id {v.id!r} is used twice", f"{where}.id")
        seen.add(v.id)
        if not 0 <= v.location < n:
            raise ProblemError("the location is not in the matrix", f"{where}.location")
        _validate_visit(v, where, techs)


def _validate_visit(v: Job, where: str, techs: set[str]) -> None:
    for name, value in (
        ("window", v.window_start),
        ("window", v.window_end),
        ("service_minutes", v.service),
        ("late_penalty", v.late_penalty),
        ("drop_penalty", v.drop_penalty),
        ("due", 0 if v.due is None else v.due),
    ):
        if not _sane(value):
            raise ProblemError(f"must be a number within +-{MAX_MINUTES}", f"{where}.{name}")
    if v.due is not None and v.due < 0:
        raise ProblemError("is before the origin (0)", f"{where}.due")
    if v.fixed_to is not None and v.fixed_to not in techs:
        raise ProblemError(f"no technician {v.fixed_to!r}", f"{where}.fixed_to")
    if v.window_end < v.window_start:
        raise ProblemError("the window ends before it starts", f"{where}.window")
    if v.service < 0:
        raise ProblemError("the service minutes are negative", f"{where}.service_minutes")
    if v.late_penalty < 0 or v.drop_penalty < 0:
        raise ProblemError("a penalty is negative", f"{where}.penalty")


def _sane(value: object) -> bool:
    """A finite int or float (not a bool) within +-MAX_MINUTES."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value) <= MAX_MINUTES
    )


def _may_take(t: Tech, v: Job) -> bool:
    return (v.allowed is None or t.id in v.allowed) and (
        t.cleared_for is None or v.id in t.cleared_for
    )


def _fits_alone(t: Tech, v: Job, matrix: Sequence[Sequence[float]]) -> bool:
    start = max(t.shift_start + matrix[t.location][v.location], v.window_start)
    home = matrix[v.location][t.location] if t.return_to_base else 0.0
    return start <= v.window_end and start + v.service + home <= t.shift_end


def triage(problem: Problem) -> tuple[dict[str, list[int]], list[Unassigned]]:
    """Before the solver: for each visit the technicians (by position) who could take it alone,
    or the reason nobody can (skills, clearance, shift)."""
    candidates: dict[str, list[int]] = {}
    out: list[Unassigned] = []
    techs = list(problem.technicians)
    for v in problem.visits:
        if v.fixed_to is not None:
            continue
        skilled = [k for k, t in enumerate(techs) if v.skills <= t.skills]
        if not skilled:
            missing = ", ".join(sorted(v.skills)) or "none"
            out.append(Unassigned(v.id, "skills", f"{REASONS['skills']} ({missing})"))
            continue
        allowed = [k for k in skilled if _may_take(techs[k], v)]
        if not allowed:
            out.append(Unassigned(v.id, "clearance", REASONS["clearance"]))
            continue
        fitting = [k for k in allowed if _fits_alone(techs[k], v, problem.matrix)]
        if not fitting:
            out.append(Unassigned(v.id, "shift", REASONS["shift"]))
            continue
        candidates[v.id] = fitting
    return candidates, out


def solve(
    problem: Problem,
    *,
    improve: int | None = DEFAULT_IMPROVE,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> Plan:
    """The plan for `problem` (see the module's docstring); ProblemError for malformed input."""
    validate(problem)
    began = time.perf_counter()
    techs = list(problem.technicians)
    candidates, unassigned = triage(problem)
    jobs = [v for v in problem.visits if v.id in candidates]
    pins = _pins(techs, problem.visits)
    if not techs or not jobs:
        return Plan(
            routes=tuple(Route(t.id, t.shift_start, t.shift_start, (), 0.0) for t in techs),
            unassigned=tuple(unassigned),
            total_travel=0.0,
            objective=0.0,
            solve_seconds=round(time.perf_counter() - began, 3),
            first_solution_seconds=None,
            solutions=0,
            stopped_by="nothing to plan",
        )

    model = _build(problem, techs, jobs, candidates, pins)
    solution, found, stopped_by = _search(model, improve, time_limit, began)
    seconds = time.perf_counter() - began
    routes = _routes(model, solution)
    served = {stop.visit for route in routes for stop in route.stops}
    for v in jobs:
        if v.id not in served:
            unassigned.append(Unassigned(v.id, "no_slot", REASONS["no_slot"]))
    order = {v.id: i for i, v in enumerate(problem.visits)}
    unassigned.sort(key=lambda u: order[u.visit])

    return Plan(
        routes=tuple(routes),
        unassigned=tuple(unassigned),
        total_travel=round(sum(r.travel for r in routes), 2),
        objective=_minutes(solution.ObjectiveValue()),
        solve_seconds=round(seconds, 3),
        first_solution_seconds=None if found["first"] is None else round(found["first"], 3),
        solutions=found["count"],
        stopped_by=stopped_by,
    )


@dataclass(frozen=True)
class _Pin:
    tech: int  # the technician's position
    location: int
    start: float
    end: float


def _pins(techs: list[Tech], visits: Sequence[Job]) -> list[_Pin]:
    """The fixed commitments per technician, clipped to the shift (a commitment under way at
    the shift's start needs no travel to it, one running past its end none home), overlapping
    ones merged, in time order. Outside the shift they take nothing from the plan."""
    position = {t.id: k for k, t in enumerate(techs)}
    by_tech: dict[int, list[_Pin]] = {}
    for v in visits:
        if v.fixed_to is None:
            continue
        k = position[v.fixed_to]
        t = techs[k]
        start = max(v.window_start, t.shift_start)
        end = min(v.window_start + v.service, t.shift_end)
        if end > start:
            by_tech.setdefault(k, []).append(_Pin(k, v.location, start, end))
    out: list[_Pin] = []
    for k in sorted(by_tech):
        merged: list[_Pin] = []
        for pin in sorted(by_tech[k], key=lambda p: (p.start, p.end)):
            if merged and pin.start <= merged[-1].end:
                last = merged[-1]
                merged[-1] = _Pin(k, last.location, last.start, max(last.end, pin.end))
            else:
                merged.append(pin)
        out.extend(merged)
    return out


@dataclass
class _Model:
    techs: list[Tech]
    jobs: list[Job]
    travel: list[list[int]]
    service: list[int]
    offset: int
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    clock: pywrapcp.RoutingDimension


def _build(
    problem: Problem,
    techs: list[Tech],
    jobs: list[Job],
    candidates: dict[str, list[int]],
    pins: list[_Pin],
) -> _Model:
    """The OR-Tools model. Nodes: the visits, then the fixed commitments (`_pins`), then each
    technician's start, then each technician's end (the same place as the start; free to reach
    when it need not return)."""
    m, p, k = len(jobs), len(pins), len(techs)
    n = m + p  # the first start node
    locations = [v.location for v in jobs] + [pin.location for pin in pins]
    locations += [t.location for t in techs] * 2
    service = (
        [_units(v.service) for v in jobs]
        + [_units(pin.end - pin.start) for pin in pins]
        + [0] * (2 * k)
    )
    free_end = {n + k + i for i, t in enumerate(techs) if not t.return_to_base}
    travel = [
        [0 if b in free_end else _units(problem.matrix[la][lb]) for b, lb in enumerate(locations)]
        for la in locations
    ]
    # A technician's commitments alone always fit: a leg into or out of one is at most the
    # time there is for it (already there at the shift's start, or from a commitment that
    # overran), so only the other visits move.
    chains: dict[int, list[int]] = {}
    for node, pin in enumerate(pins, m):
        chains.setdefault(pin.tech, []).append(node)
    for i, chain in chains.items():
        t = techs[i]
        previous, free_at = n + i, _units(t.shift_start)
        for node in chain:
            pin = pins[node - m]
            gap = max(0, _units(pin.start) - free_at)
            travel[previous][node] = min(travel[previous][node], gap)
            previous, free_at = node, _units(pin.end)
        end = n + k + i
        travel[previous][end] = min(travel[previous][end], max(0, _units(t.shift_end) - free_at))
    size = len(locations)
    transit = [[travel[a][b] + service[a] for b in range(size)] for a in range(size)]
    horizon = max(
        [_units(t.shift_end) for t in techs] + [_units(v.window_end + v.service) for v in jobs]
    )
    low = min([_units(t.shift_start) for t in techs] + [_units(v.window_start) for v in jobs])
    offset = -low if low < 0 else 0  # cumul variables are non-negative

    manager = pywrapcp.RoutingIndexManager(
        size, k, [n + i for i in range(k)], [n + k + i for i in range(k)]
    )
    routing = pywrapcp.RoutingModel(manager)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(travel))
    span = horizon + offset
    routing.AddDimension(routing.RegisterTransitMatrix(transit), span, span, False, "time")
    clock = routing.GetDimensionOrDie("time")

    for node, v in enumerate(jobs):
        index = manager.NodeToIndex(node)
        clock.CumulVar(index).SetRange(
            _units(v.window_start) + offset, _units(v.window_end) + offset
        )
        # The allowed technicians: OR-Tools 9.15's Python wrapper of SetAllowedVehiclesForIndex
        # refuses every Python sequence (absl::Span), so restrict the vehicle variable itself,
        # which is what that method does (-1: not performed, the disjunction's way out).
        routing.VehicleVar(index).SetValues([-1, *candidates[v.id]])
        routing.AddDisjunction([index], _units(v.drop_penalty))
        if v.due is not None:
            latest_start = max(0, _units(v.due - v.service) + offset)
            clock.SetCumulVarSoftUpperBound(index, latest_start, max(0, round(v.late_penalty)))
    for node, pin in enumerate(pins, m):  # mandatory (no disjunction), at its time, its own
        index = manager.NodeToIndex(node)
        clock.CumulVar(index).SetValue(_units(pin.start) + offset)
        routing.VehicleVar(index).SetValue(pin.tech)
    for i, t in enumerate(techs):
        for index in (routing.Start(i), routing.End(i)):
            clock.CumulVar(index).SetRange(
                _units(t.shift_start) + offset, _units(t.shift_end) + offset
            )

    # The times within the chosen routes: each visit as early as its route allows, then leave
    # the base as late as still allows those starts (no idle waiting at a site), and be back
    # as early as possible. (The finalizer fixes the variables in the order given.)
    for node in range(m):
        routing.AddVariableMinimizedByFinalizer(clock.CumulVar(manager.NodeToIndex(node)))
    for i in range(k):
        routing.AddVariableMaximizedByFinalizer(clock.CumulVar(routing.Start(i)))
        routing.AddVariableMinimizedByFinalizer(clock.CumulVar(routing.End(i)))
    return _Model(techs, jobs, travel, service, offset, manager, routing, clock)


def _search(model: _Model, improve: int | None, time_limit: float, began: float):
    """(solution, {"count", "first"}, stopped_by): see the module's docstring."""
    routing = model.routing
    found: dict = {"count": 0, "first": None}

    def at_solution() -> None:
        found["count"] += 1
        if found["first"] is None:
            found["first"] = time.perf_counter() - began

    routing.AddAtSolutionCallback(at_solution)
    # Phase 1: the first solution, then greedy descent until no move improves it (a local
    # optimum: where it stops depends on the input only).
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = FIRST_SOLUTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
    params.log_search = False
    solution = routing.SolveWithParameters(params)
    descent = found["count"]
    stopped_by = "local optimum"
    if time.perf_counter() - began >= time_limit * 0.98:
        stopped_by = "time limit"
    elif solution is not None and improve != 0:
        # Phase 2: guided local search from there, for `improve` more solutions (a count) or
        # until the time limit.
        left = time_limit - (time.perf_counter() - began)
        params.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        )
        if improve is not None:
            params.solution_limit = improve
        params.time_limit.FromMilliseconds(max(1, int(left * 1000)))
        solution = routing.SolveFromAssignmentWithParameters(solution, params) or solution
        if improve is not None and found["count"] - descent >= improve:
            stopped_by = "solution limit"
        else:
            stopped_by = "time limit"
    if solution is None:  # cannot happen with every visit optional; kept as a clear error
        raise ProblemError("the solver found no plan", "problem")
    return solution, found, stopped_by


def _routes(model: _Model, solution) -> list[Route]:
    routing, clock, offset = model.routing, model.clock, model.offset
    routes: list[Route] = []
    for i, t in enumerate(model.techs):
        index = routing.Start(i)
        depart = solution.Value(clock.CumulVar(index)) - offset
        prev_node, prev_end = model.manager.IndexToNode(index), depart
        stops: list[Stop] = []
        total = 0
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            node = model.manager.IndexToNode(index)
            leg = model.travel[prev_node][node]
            total += leg
            start = solution.Value(clock.CumulVar(index)) - offset
            end = start + model.service[node]
            if node >= len(model.jobs):  # a fixed commitment: routed around, not a stop
                prev_node, prev_end = node, end
                index = solution.Value(routing.NextVar(index))
                continue
            v = model.jobs[node]
            late = 0.0 if v.due is None else max(0.0, _minutes(end) - v.due)
            stops.append(
                Stop(
                    v.id,
                    _minutes(prev_end + leg),
                    _minutes(start),
                    _minutes(end),
                    _minutes(leg),
                    late,
                )
            )
            prev_node, prev_end = node, end
            index = solution.Value(routing.NextVar(index))
        total += model.travel[prev_node][model.manager.IndexToNode(index)]
        back = solution.Value(clock.CumulVar(index)) - offset
        routes.append(Route(t.id, _minutes(depart), _minutes(back), tuple(stops), _minutes(total)))
    return routes
