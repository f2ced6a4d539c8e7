"""The pure route solver (deskside.field.routing): windows, skills, shifts, clearance, SLA due,
the reasons for what is not assigned, and the same plan for the same input."""

import pytest

from deskside.field.routing import Job, Problem, ProblemError, Tech, solve

# Four places on a line, 10 minutes apart: 0 is the base.
LINE = [[abs(a - b) * 10.0 for b in range(4)] for a in range(4)]


def tech(id="ann", **kw):
    kw.setdefault("shift_start", 480)
    kw.setdefault("shift_end", 1020)
    return Tech(id=id, location=kw.pop("location", 0), **kw)


def job(id, location, start=480, end=960, service=30, **kw):
    return Job(id=id, location=location, window_start=start, window_end=end, service=service, **kw)


def stops(plan):
    return {s.visit: (r.technician, s) for r in plan.routes for s in r.stops}


def test_every_visit_served_in_its_window_with_travel_and_service():
    plan = solve(
        Problem(
            [tech()],
            [job("a", 1, 600, 620), job("b", 2, 480, 500), job("c", 3, 700, 900)],
            LINE,
        )
    )
    assert plan.unassigned == ()
    got = stops(plan)
    for visit in ("a", "b", "c"):
        stop = got[visit][1]
        window = {"a": (600, 620), "b": (480, 500), "c": (700, 900)}[visit]
        assert window[0] <= stop.start <= window[1]
        assert stop.start >= stop.arrival
        assert stop.end == stop.start + 30
    route = plan.routes[0]
    order = [s.visit for s in route.stops]
    assert order == ["b", "a", "c"]  # the windows decide the order
    for prev, nxt in zip(route.stops, route.stops[1:], strict=False):
        assert nxt.arrival == pytest.approx(prev.end + nxt.travel)
    assert route.depart >= 480 and route.back <= 1020
    assert plan.total_travel == pytest.approx(sum(s.travel for s in route.stops) + 30)


def test_skills_are_a_hard_rule_and_missing_skills_are_the_reason():
    plan = solve(
        Problem(
            [tech("ann", skills=frozenset({"printers"})), tech("bob", skills=frozenset())],
            [
                job("p", 1, skills=frozenset({"printers"})),
                job("n", 2, skills=frozenset({"network"})),
            ],
            LINE,
        )
    )
    assert stops(plan)["p"][0] == "ann"
    (missing,) = plan.unassigned
    assert (missing.visit, missing.code) == ("n", "skills")
    assert "network" in missing.reason


def test_clearance_allowed_technicians_and_cleared_for():
    plan = solve(
        Problem(
            [tech("ann"), tech("bob", cleared_for=frozenset({"y"}))],
            [
                job("x", 1, allowed=frozenset({"bob"})),  # only bob, but bob is not cleared for x
                job("y", 2, allowed=frozenset({"bob"})),
                job("z", 3, allowed=frozenset({"ann"})),
            ],
            LINE,
        )
    )
    got = stops(plan)
    assert got["y"][0] == "bob" and got["z"][0] == "ann"
    (refused,) = plan.unassigned
    assert (refused.visit, refused.code) == ("x", "clearance")


def test_shift_hours_are_kept_and_a_window_outside_every_shift_says_so():
    plan = solve(
        Problem(
            [tech("ann", shift_start=480, shift_end=720)],
            [job("early", 1, 500, 600, service=60), job("evening", 1, 1100, 1200)],
            LINE,
        )
    )
    assert stops(plan)["early"][1].end + 10 <= 720  # back at the base by the shift's end
    (late,) = plan.unassigned
    assert (late.visit, late.code) == ("evening", "shift")


def test_no_room_left_is_its_own_reason():
    # Two 2-hour visits with the same narrow window, one technician: one cannot fit.
    plan = solve(Problem([tech()], [job("a", 1, 600, 610, 120), job("b", 2, 600, 610, 120)], LINE))
    assert len(plan.unassigned) == 1
    assert plan.unassigned[0].code == "no_slot"
    assert "no room" in plan.unassigned[0].reason


def test_the_sla_due_pulls_a_visit_earlier():
    visits = [job("a", 3, 480, 900, 60), job("b", 3, 480, 900, 60)]
    without = solve(Problem([tech()], visits, LINE))
    due = [job("a", 3, 480, 900, 60), job("b", 3, 480, 900, 60, due=600, late_penalty=5)]
    with_due = solve(Problem([tech()], due, LINE))
    assert stops(with_due)["b"][1].end <= 600
    assert stops(with_due)["b"][1].late == 0
    assert without.unassigned == with_due.unassigned == ()


def test_a_technician_who_need_not_return_ends_at_the_last_visit():
    plan = solve(Problem([tech(return_to_base=False)], [job("far", 3, 480, 600)], LINE))
    assert plan.routes[0].travel == 30  # out only
    assert plan.routes[0].back == plan.routes[0].stops[-1].end


def test_the_same_input_gives_the_same_plan():
    visits = [job(f"v{i}", 1 + i % 3, 480 + 30 * i, 600 + 30 * i, 20) for i in range(12)]
    problem = Problem([tech("ann"), tech("bob"), tech("cy", location=3)], visits, LINE)
    first, second = solve(problem), solve(problem)
    assert first.routes == second.routes
    assert first.unassigned == second.unassigned
    assert first.objective == second.objective
    assert first.stopped_by == "local optimum"
    improved = solve(problem, improve=20)
    assert improved.routes == solve(problem, improve=20).routes


def test_nothing_to_plan():
    plan = solve(Problem([tech()], [], LINE))
    assert plan.routes[0].stops == () and plan.stopped_by == "nothing to plan"
    plan = solve(Problem([], [job("a", 1)], LINE))
    assert plan.unassigned[0].code == "skills"


@pytest.mark.parametrize(
    ("problem", "field"),
    [
        (Problem([tech()], [job("a", 9)], LINE), "visits[0].location"),
        (Problem([tech()], [job("a", 1, 600, 500)], LINE), "visits[0].window"),
        (Problem([tech(), tech()], [], LINE), "technicians[1].id"),
        (Problem([tech(shift_start=600, shift_end=600)], [], LINE), "technicians[0].shift"),
        (Problem([tech()], [], [[0, 1], [1]]), "matrix"),
        (Problem([tech()], [], [[0, -1], [1, 0]]), "matrix"),
    ],
)
def test_malformed_input_names_its_field(problem, field):
    with pytest.raises(ProblemError) as caught:
        solve(problem)
    assert caught.value.field == field
