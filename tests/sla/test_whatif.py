"""`deskside sla due`: the public corpus and our own cases, answered through the real command.

The corpus (`tests/corpora/public/sla_business_hours_cases.json`, copied unchanged from the
shared public corpus with its MANIFEST.md, which says where each case comes from). Every
add_business_minutes, add_business_minutes_with_pauses and business_minutes_between case in
it is checked; our own cases (tests/sla/cases/*.json, expected values worked out by hand in
each case's "note") cover DST, night shifts, holidays, pauses and the rules' boundaries.
"""

import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from deskside import cli
from deskside.sla import whatif
from deskside.sla.calendar import CalendarSpec, calendar_for

PUBLIC = Path(__file__).resolve().parents[1] / "corpora" / "public"
CORPUS = PUBLIC / "sla_business_hours_cases.json"
OWN_CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))

# Zammad's own expectation for zammad-29 is 09:27:00, the minute after our answer: the ticket
# was updated at 13:26:36 right after a long pending period and Zammad's stored escalation
# time comes out rounded to the minute. Pure arithmetic from 13:26:36 (which the peer itself
# does in zammad-30 and zammad-33, keeping the seconds) gives 09:26:36; we keep seconds.
DOCUMENTED_DIFFERENCES = {"zammad-29": "2016-11-09T09:26:36Z"}


def run_due(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: object) -> tuple:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code = cli.main(["sla", "due", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def answered(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: object) -> dict:
    code, out, err = run_due(tmp_path, capsys, data)
    assert code == 0, err
    assert err == ""
    return json.loads(out)


def expected_of(case: dict) -> object:
    return case["expected"] if "expected" in case else case["expected_minutes"]


def assert_answer(case: dict, expected: object) -> None:
    assert "error" not in case, f"{case['id']}: {case.get('error')}"
    result = case["result"]
    if isinstance(expected, str):  # instants compare as instants, whatever the offset
        assert result.endswith("Z"), result
        assert datetime.fromisoformat(result) == datetime.fromisoformat(expected), case["id"]
    else:
        assert result == expected, case["id"]
        assert isinstance(result, int) == (expected == int(expected)), case["id"]


def corpus() -> dict:
    return json.loads(CORPUS.read_text(encoding="utf-8"))


def test_public_corpus_every_add_and_between_case(tmp_path, capsys):
    data = corpus()
    out = answered(tmp_path, capsys, data)
    checked = 0
    for case in out["cases"]:
        if case["operation"] not in whatif.OPERATIONS:
            assert "result" not in case and "error" not in case, case["id"]
            continue
        checked += 1
        expected = DOCUMENTED_DIFFERENCES.get(case["id"], expected_of(case))
        assert_answer(case, expected)
    assert checked == 44  # 27 add, 10 add with pauses, 7 between in the public set
    # Everything else in the file comes back as it went in.
    for before, after in zip(data["cases"], out["cases"], strict=True):
        assert {k: v for k, v in after.items() if k != "result"} == before
    assert {k: v for k, v in out.items() if k != "cases"} == {
        k: v for k, v in data.items() if k != "cases"
    }


def test_public_corpus_zammad_29_is_the_flagged_quirk():
    data = corpus()
    case = next(c for c in data["cases"] if c["id"] == "zammad-29")
    assert case.get("quirk") is True
    calendar = calendar_for(CalendarSpec.from_json(data["calendars"][case["calendar"]]))
    start = datetime.fromisoformat(case["start"])
    ours = datetime.fromisoformat(DOCUMENTED_DIFFERENCES["zammad-29"])
    peer = datetime.fromisoformat(case["expected"])
    # Ours is exactly the 1200 working minutes asked for; the peer's is the same instant
    # rounded up to the whole minute, 24 seconds more.
    assert calendar.minutes_between(start, ours) == case["minutes"] == 1200
    assert peer - ours == timedelta(seconds=24) and peer.second == 0


@pytest.mark.parametrize("path", OWN_CASES, ids=[p.stem for p in OWN_CASES])
def test_own_cases(tmp_path, capsys, path):
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["cases"], path
    out = answered(tmp_path, capsys, data)
    for case in out["cases"]:
        assert case.get("note"), f"{case['id']}: explain the expected value in a note"
        assert_answer(case, expected_of(case))


def test_own_case_files_cover_what_they_promise():
    cases = [c for p in OWN_CASES for c in json.loads(p.read_text())["cases"]]
    ids = {c["id"] for c in cases}
    assert len(ids) == len(cases), "case ids are unique"
    zones = {
        cal["timezone"]
        for p in OWN_CASES
        for cal in json.loads(p.read_text())["calendars"].values()
    }
    assert {"Europe/Berlin", "America/New_York", "Australia/Sydney"} <= zones


def test_stdin(monkeypatch, capsys):
    data = {
        "calendars": {"c": {"timezone": "UTC", "24x7": True}},
        "cases": [
            {
                "id": "a",
                "operation": "add_business_minutes",
                "calendar": "c",
                "start": "2026-01-01T00:00:00+01:00",
                "minutes": 90,
            }
        ],
    }
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(data)))
    assert cli.main(["sla", "due", "-"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith('{\n  "calendars"')  # indented by 2
    assert json.loads(out)["cases"][0]["result"] == "2026-01-01T00:30:00Z"


def test_config_override_replaces_the_named_setting_only(tmp_path, capsys):
    office = {
        "timezone": "Europe/Berlin",
        "weekly": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": ["2026-06-11"],
    }
    base = {
        "operation": "add_business_minutes",
        "calendar": "office",
        "start": "2026-06-10T16:00:00+02:00",
        "minutes": 120,
    }
    data = {
        "calendars": {"office": office},
        "cases": [
            {"id": "plain", **base},
            # Only Wednesday works now; the holiday and the zone stay.
            {"id": "weekly", **base, "config_override": {"weekly": {"wed": [["09:00", "17:00"]]}}},
            {"id": "tz", **base, "config_override": {"timezone": "UTC"}},
            {"id": "no-holiday", **base, "config_override": {"holidays": []}},
            {"id": "plain-again", **base},
        ],
    }
    results = {c["id"]: c["result"] for c in answered(tmp_path, capsys, data)["cases"]}
    assert results["plain"] == "2026-06-12T08:00:00Z"  # Thu 11 is a holiday: Fri 09:00+60 CEST
    assert results["weekly"] == "2026-06-17T08:00:00Z"  # the next Wednesday
    assert results["tz"] == "2026-06-10T16:00:00Z"  # 14:00Z start, hours 09-17 UTC
    assert results["no-holiday"] == "2026-06-11T08:00:00Z"
    assert results["plain-again"] == results["plain"]  # an override does not leak


def test_answer_leaves_its_input_unchanged():
    data = {
        "calendars": {"c": {"timezone": "UTC", "24x7": True}},
        "cases": [
            {
                "id": "a",
                "operation": "business_minutes_between",
                "calendar": "c",
                "start": "2026-01-01T00:00:00Z",
                "end": "2026-01-01T01:00:00Z",
                "result": "stale",
                "error": "stale",
            }
        ],
    }
    before = json.dumps(data)
    out = whatif.answer(data)
    assert json.dumps(data) == before
    assert out["cases"][0]["result"] == 60 and "error" not in out["cases"][0]


CAL = {"timezone": "UTC", "weekly": {"mon": [["09:00", "17:00"]]}}
ADD = {"operation": "add_business_minutes", "calendar": "c", "start": "2026-06-15T10:00:00Z"}
BETWEEN = {
    "operation": "business_minutes_between",
    "calendar": "c",
    "start": "2026-06-15T10:00:00Z",
    "end": "2026-06-15T11:00:00Z",
}


@pytest.mark.parametrize(
    ("case", "calendars", "message"),
    [
        ({**ADD, "calendar": "nope", "minutes": 1}, {"c": CAL}, "unknown calendar 'nope'"),
        ({**ADD, "calendar": None, "minutes": 1}, {"c": CAL}, "calendar: missing"),
        ({**ADD, "start": "yesterday", "minutes": 1}, {"c": CAL}, "start: 'yesterday' is not"),
        ({**ADD, "start": "2026-06-15T10:00:00", "minutes": 1}, {"c": CAL}, "no UTC offset"),
        ({**ADD, "start": 5, "minutes": 1}, {"c": CAL}, "start: expected an ISO 8601"),
        ({**ADD, "minutes": "60"}, {"c": CAL}, "minutes: expected a number"),
        ({**ADD, "minutes": True}, {"c": CAL}, "minutes: expected a number"),
        ({**ADD, "minutes": float("nan")}, {"c": CAL}, "not a finite number"),
        ({**ADD}, {"c": CAL}, "minutes: expected a number, got None"),
        (
            {**ADD, "minutes": -5, "pauses": [["2026-06-15T09:00:00Z", "2026-06-15T09:30:00Z"]]},
            {"c": CAL},
            "negative minutes cannot be combined with pauses",
        ),
        (
            {**ADD, "minutes": 5, "pauses": [["2026-06-15T12:00:00Z", "2026-06-15T11:00:00Z"]]},
            {"c": CAL},
            "pauses[0]: ends before it starts",
        ),
        (
            {**ADD, "minutes": 5, "pauses": [["2026-06-15T12:00:00Z"]]},
            {"c": CAL},
            "pauses[0]: expected [start, end]",
        ),
        (
            {**ADD, "minutes": 5, "pauses": [["2026-06-15T12:00:00Z", "later"]]},
            {"c": CAL},
            "pauses[0][1]: 'later' is not an ISO 8601 instant",
        ),
        ({**ADD, "minutes": 5, "pauses": "none"}, {"c": CAL}, "pauses: expected a list"),
        ({**BETWEEN, "end": None}, {"c": CAL}, "end: expected an ISO 8601 instant"),
        ({**ADD, "minutes": 5, "config_override": []}, {"c": CAL}, "config_override: expected"),
        ({**ADD, "minutes": 5}, {"c": []}, "calendar 'c': a calendar is a JSON object"),
        (
            {**ADD, "minutes": 5},
            {"c": {**CAL, "timezone": "Mars/Olympus"}},
            "calendar 'c': timezone: unknown time zone 'Mars/Olympus'",
        ),
        (
            {**ADD, "minutes": 5},
            {"c": {**CAL, "weekly": {"monday": [["09:00", "17:00"]]}}},
            "weekly: unknown weekday 'monday'",
        ),
        (
            {**ADD, "minutes": 5},
            {"c": {**CAL, "weekly": {"mon": [["9am", "17:00"]]}}},
            "weekly.mon[0]: '9am' is not a time of day as HH:MM",
        ),
        (
            {**ADD, "minutes": 5},
            {"c": {**CAL, "weekly": {"mon": [["09:00", "24:30"]]}}},
            "'24:30' is past 24:00",
        ),
        ({**ADD, "minutes": 5}, {"c": {"timezone": "UTC"}}, "the calendar has no working period"),
        (
            {**ADD, "minutes": 5},
            {"c": {**CAL, "holidays": ["2026-02-30"]}},
            "holidays[0]: '2026-02-30' is not a date",
        ),
        (
            {**ADD, "minutes": 5},
            {"c": {**CAL, "holiday_country": "XX"}},
            "holiday_country: no holidays known for 'XX'",
        ),
        (
            {**ADD, "minutes": 5},
            {"c": {**CAL, "holiday_country": "DE", "holiday_subdivision": "ZZ"}},
            "holiday_subdivision: DE has no subdivision 'ZZ'",
        ),
        (
            {**ADD, "minutes": 5},
            {"c": {**CAL, "holiday_subdivision": "BY"}},
            "holiday_subdivision needs holiday_country",
        ),
        ({**ADD, "minutes": 5}, {"c": {**CAL, "24x7": "yes"}}, "24x7: expected true or false"),
        (
            {**ADD, "minutes": 5},
            {"c": {**CAL, "extra_working_days": "2026-01-01"}},
            "extra_working_days: expected a list of dates or an object",
        ),
        (
            {**ADD, "minutes": 60},
            {"c": {"timezone": "UTC", "extra_working_days": {"2020-01-06": [["09:00", "10:00"]]}}},
            "the calendar has no working time after 2020-01-06",
        ),
        ({**ADD, "minutes": 10**12}, {"c": CAL}, "the answer lies more than 400 years after"),
    ],
)
def test_a_case_that_cannot_be_answered_gets_an_error(tmp_path, capsys, case, calendars, message):
    ok = {**ADD, "id": "fine", "calendar": "ok", "minutes": 30}
    data = {"calendars": {**calendars, "ok": CAL}, "cases": [{"id": "bad", **case}, ok]}
    bad, fine = answered(tmp_path, capsys, data)["cases"]
    assert message in bad["error"]
    assert "\n" not in bad["error"]
    assert "result" not in bad
    assert fine["result"] == "2026-06-15T10:30:00Z"  # the other cases are still answered


def test_unknown_operations_and_keys_are_left_alone(tmp_path, capsys):
    case = {"id": "x", "operation": "plan_days", "calendar": "nope", "days": 3, "extra": [1]}
    out = answered(tmp_path, capsys, {"calendars": {}, "cases": [case], "meta": {"k": 1}})
    assert out == {"calendars": {}, "cases": [case], "meta": {"k": 1}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "is not JSON"),
        ("[]", "expected a JSON object with 'calendars' and 'cases'"),
        ('{"cases": []}', "'calendars' is missing or is not an object"),
        ('{"calendars": [], "cases": []}', "'calendars' is missing or is not an object"),
        ('{"calendars": {}}', "'cases' is missing or is not a list"),
        ('{"calendars": {}, "cases": {}}', "'cases' is missing or is not a list"),
        ('{"calendars": {}, "cases": [1]}', "cases[0] is not an object"),
    ],
)
def test_malformed_file_is_one_line_and_exit_2(tmp_path, capsys, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    code = cli.main(["sla", "due", str(path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith("deskside: error: ") and message in err
    assert err.count("\n") == 1


def test_missing_file_is_one_line_and_exit_2(tmp_path, capsys):
    code = cli.main(["sla", "due", str(tmp_path / "absent.json")])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("deskside: error: cannot read") and err.count("\n") == 1


def test_the_example_in_the_docs(monkeypatch, capsys):
    docs = Path(__file__).resolve().parents[2] / "docs" / "sla.md"
    example = docs.read_text(encoding="utf-8").split("```json\n")[2].split("```")[0]
    monkeypatch.setattr("sys.stdin", io.StringIO(example))
    assert cli.main(["sla", "due", "-"]) == 0
    results = {c["id"]: c["result"] for c in json.loads(capsys.readouterr().out)["cases"]}
    assert results == {
        "a": "2026-03-30T08:00:00Z",  # the docs quote this one
        "b": "2026-03-23T16:00:00Z",
        "c": 120,
        "d": "2026-03-23T16:30:00Z",
    }
