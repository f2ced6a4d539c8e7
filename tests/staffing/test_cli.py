"""`deskside staffing erlang FILE.json`: the file printed back with a result on each case; bad
input is one line naming the case and the field, exit code 2, nothing on stdout."""

import io
import json

from deskside.cli import main

CASE = {
    "calls": 100,
    "period_minutes": 30,
    "aht_seconds": 180,
    "target_seconds": 20,
    "service_level": 0.8,
    "max_occupancy": 0.85,
    "shrinkage": 0.25,
}


def run(capsys, tmp_path, document) -> tuple[int, str, str]:
    path = tmp_path / "cases.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    code = main(["staffing", "erlang", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def test_cases_come_back_with_results(capsys, tmp_path):
    what_if = {"calls": 100, "period_minutes": 30, "aht_seconds": 180, "agents": 12, "id": "x"}
    code, out, err = run(capsys, tmp_path, {"cases": [CASE, what_if], "note": "kept"})
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["note"] == "kept"
    first, second = data["cases"]
    assert first["calls"] == 100
    assert first["result"] == {
        "agents": 14,
        "agents_rostered": 19,
        "traffic_erlangs": 10.0,
        "service_level": 0.88835,
        "asa_seconds": 7.836,
        "probability_wait": 0.174132,
        "occupancy": 0.714286,
    }
    # A case with agents: what those agents give (0.25 shrinkage by default: 12 -> 16).
    assert second["id"] == "x"
    assert second["result"]["agents"] == 12
    assert second["result"]["agents_rostered"] == 16
    assert second["result"]["service_level"] == 0.640158


def test_stdin(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"cases": [CASE]})))
    assert main(["staffing", "erlang", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["cases"][0]["result"]["agents"] == 14


def test_a_bad_case_names_the_case_and_field_and_prints_nothing(capsys, tmp_path):
    bad = dict(CASE)
    del bad["aht_seconds"]
    code, out, err = run(capsys, tmp_path, {"cases": [CASE, bad]})
    assert (code, out) == (2, "")
    assert "cases[1].aht_seconds: required" in err


def test_other_bad_inputs(capsys, tmp_path):
    checks = [
        ({"cases": [{**CASE, "service_level": 1.2}]}, "cases[0].service_level: must be in (0, 1)"),
        ({"cases": [{**CASE, "calls": "many"}]}, "cases[0].calls: expected a number"),
        ({"cases": [{**CASE, "agents": 3}]}, "cases[0]: give either service_level"),
        ({"cases": [{**CASE, "shrinkage": 1}]}, "cases[0].shrinkage: must be in [0, 1)"),
        ({"cases": [{**CASE, "period_minutes": 0}]}, "cases[0].period_minutes"),
        ({"cases": [5]}, "cases[0]: expected an object"),
        ({"cases": [{**CASE, "calls": 1e300}]}, "cases[0].calls: calls x aht_seconds"),
        ({"case": []}, "'cases' is missing"),
        ('{"cases": [{"calls": NaN}]}', "NaN is not a number"),
        ("{not json", "is not JSON"),
    ]
    for document, message in checks:
        code, out, err = run(capsys, tmp_path, document)
        assert (code, out) == (2, ""), document
        assert message in err, (document, err)


def test_a_missing_file(capsys, tmp_path):
    assert main(["staffing", "erlang", str(tmp_path / "nope.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
