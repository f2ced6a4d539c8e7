"""`deskside field plan FILE.json`: the documented example plans; bad input is one line and
exit code 2; the Solomon C101 (25 customers) benchmark instance is planned within 1 % of its
best-known distance."""

import json
import math
from pathlib import Path

import pytest

from deskside import cli
from deskside.field import routing, routing_json

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "field-plan.json"
SOLOMON = Path(__file__).parent / "data" / "solomon_c101_25.json"

# Best-known distance of Solomon's C101 with its first 25 customers: 191.3 with 3 vehicles
# (Kohl, Desrosiers, Madsen, Solomon and Soumis, "2-path cuts for the vehicle routing problem
# with time windows", Transportation Science 33(1), 1999; listed on SINTEF's Solomon benchmark
# page, https://www.sintef.no/projectweb/top/vrptw/solomon-benchmark/). Their distances are
# truncated to one decimal; ours are not, so the same routes measure 191.81 here.
C101_25_BEST_KNOWN = 191.3
TOLERANCE_PERCENT = 1.0


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_documented_example_plans(capsys):
    code, out, err = run(capsys, "field", "plan", str(EXAMPLE))
    assert code == 0, err
    assert "leo:" in out and "mia:" in out
    assert "arrives" in out and "total travel:" in out
    # Nobody has macos: it is reported, with the reason.
    assert "umbrella-mac: no technician has the skills it needs (macos)" in out


def test_json_output_and_the_same_plan_twice(capsys):
    code, first, _ = run(capsys, "field", "plan", str(EXAMPLE), "--json")
    assert code == 0
    code, second, _ = run(capsys, "field", "plan", str(EXAMPLE), "--json")
    one, two = json.loads(first), json.loads(second)
    assert one["routes"] == two["routes"] and one["unassigned"] == two["unassigned"]
    assert {u["visit"] for u in one["unassigned"]} == {"umbrella-mac"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not JSON"),
        ("[]", "file: the file must hold a JSON object"),
        ('{"technicians": [], "visits": {}}', "visits: must be a list"),
        ('{"technicians": [], "visits": [{"id": "a"}]}', "visits[0].window: must be [start, end]"),
        (
            '{"coordinates": "plane", "technicians": [], "visits": [{"id": "a", "location": [0, 0],'
            ' "window": ["25:00", "26:00"], "service_minutes": 5}]}',
            "visits[0].window: '25:00' is not a time",
        ),
        (
            '{"matrix": [[0, 1], [1, 0]], "technicians": [{"id": "t", "start": 5,'
            ' "shift": [0, 9]}], "visits": []}',
            "technicians[0].start: the start location is not in the matrix",
        ),
        ('{"coordinates": "moon", "technicians": [], "visits": []}', "coordinates: must be"),
        # A bool where a number is expected, in the matrix as anywhere.
        (
            '{"matrix": [[0, true], [1, 0]], "technicians": [{"id": "t", "start": 0,'
            ' "shift": [0, 9]}], "visits": []}',
            "matrix: [0][1] is not a number of minutes",
        ),
        (
            '{"matrix": [[0, 1], [1, 0]], "technicians": [{"id": "t", "start": 0,'
            ' "shift": [0, 9]}], "visits": [{"id": "a", "location": 1, "window": [0, 5],'
            ' "service_minutes": true}]}',
            "visits[0].service_minutes: must be a number",
        ),
        (
            '{"matrix": [[0, 1], [1, 0]], "technicians": [{"id": "t", "start": 0,'
            ' "shift": [0, 9], "return_to_base": "no"}], "visits": []}',
            "technicians[0].return_to_base: must be true or false",
        ),
        # Numbers beyond any sane day (and what JSON parses as infinity).
        (
            '{"matrix": [[0, 1e300], [1, 0]], "technicians": [{"id": "t", "start": 0,'
            ' "shift": [0, 9]}], "visits": []}',
            "matrix: [0][1] is not a number of minutes",
        ),
        (
            '{"matrix": [[0, 1], [1, 0]], "technicians": [{"id": "t", "start": 0,'
            ' "shift": [0, 10000001]}], "visits": []}',
            "technicians[0].shift: must be a number within",
        ),
        (
            '{"matrix": [[0, 1], [1, 0]], "technicians": [{"id": "t", "start": 0,'
            ' "shift": [-1e400, 9]}], "visits": []}',
            "technicians[0].shift: must be a number within",
        ),
        (
            '{"coordinates": "plane", "technicians": [{"id": "t", "start": [0, 1e308],'
            ' "shift": [0, 9]}], "visits": []}',
            "technicians[0].start: must be [x, y]",
        ),
        # A due time before the origin.
        (
            '{"matrix": [[0, 1], [1, 0]], "technicians": [{"id": "t", "start": 0,'
            ' "shift": [0, 90]}], "visits": [{"id": "a", "location": 1, "window": [0, 5],'
            ' "service_minutes": 5, "due": -30}]}',
            "visits[0].due: is before the origin",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, content, message):
    path = tmp_path / "plan.json"
    path.write_text(content)
    code, out, err = run(capsys, "field", "plan", str(path))
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_missing_file_and_bad_options(capsys, tmp_path):
    code, _, err = run(capsys, "field", "plan", str(tmp_path / "none.json"))
    assert code == 2 and "cannot read" in err
    code, _, err = run(capsys, "field", "plan", str(EXAMPLE), "--time-limit", "0")
    assert code == 2 and "--time-limit" in err


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--time-limit", "nan"),
        ("--time-limit", "inf"),
        ("--time-limit", "-inf"),
        ("--time-limit", "-1"),
        ("--time-limit", "1e300"),
        ("--improve", "-1"),
        ("--improve", "100000000000"),
    ],
)
def test_options_out_of_range_are_one_line_and_exit_2(capsys, option, value):
    code, out, err = run(capsys, "field", "plan", str(EXAMPLE), f"{option}={value}")
    assert code == 2 and out == ""
    assert option in err and len(err.strip().splitlines()) == 1


def test_solomon_c101_25_within_one_percent_of_the_best_known():
    data = json.loads(SOLOMON.read_text())
    problem, _ = routing_json.read(data)
    plan = routing.solve(problem)
    assert plan.unassigned == ()
    windows = {v["id"]: v["window"] for v in data["visits"]}
    points = {v["id"]: v["location"] for v in data["visits"]}
    depot = data["technicians"][0]["start"]
    distance = 0.0
    for route in plan.routes:
        here = depot
        for stop in route.stops:
            low, high = windows[stop.visit]
            assert low <= stop.start <= high  # within the customer's window
            distance += math.dist(here, points[stop.visit])
            here = points[stop.visit]
        if route.stops:
            assert route.back <= 1236  # back at the depot before it closes
            distance += math.dist(here, depot)
    served = sum(len(r.stops) for r in plan.routes)
    assert served == 25
    assert sum(1 for r in plan.routes if r.stops) == 3  # as many vehicles as the best known
    gap = 100 * (distance - C101_25_BEST_KNOWN) / C101_25_BEST_KNOWN
    assert abs(gap) <= TOLERANCE_PERCENT, f"{distance:.2f} is {gap:.2f} % off {C101_25_BEST_KNOWN}"
    assert plan.total_travel == pytest.approx(distance, abs=0.1)
