"""The asset CSV plan (deskside.assets.imports): what each row will do, every kind of row
error with its reason, files that cannot be read, and a plan's queries not growing with its
rows."""

import csv
import io

import pytest

from deskside.accounts import services as accounts
from deskside.assets import imports
from deskside.assets.exceptions import BadFile
from deskside.assets.models import Asset
from tests.assets.fixtures_disposal import *  # noqa: F403
from tests.assets.fixtures_disposal import csv_bytes, import_assets, make_batch


def _plan(org, *rows, header=None):
    data = csv_bytes(*rows) if header is None else csv_bytes(*rows, header=header)
    return imports.plan(org, data)


def _only(plan):
    assert len(plan.rows) == 1
    return plan.rows[0]


def test_new_rows_are_created_with_values_and_labels(acme, acme_hq, carol):
    plan = _plan(
        acme,
        "Laptop,lt-1,Dell,Latitude,SN1,T-1,In stock,Carol@Acme.example,hq,2024-01-31,2027-01-31",
        "network device,sw-1,Cisco,C9200,SN2,T-2,deployed,,,,",
        "printer,,HP,M404,,T-3,,,,,",
    )
    assert [r.action for r in plan.rows] == ["create"] * 3
    first = plan.rows[0].values
    assert first["kind"] == "laptop" and first["status"] == "in_stock"
    assert first["assigned_to"] == carol and first["site"] == acme_hq
    assert first["purchase_date"].isoformat() == "2024-01-31"
    assert plan.rows[1].values["kind"] == "network"
    assert "status" not in plan.rows[2].values  # the model's default: in stock
    assert (plan.created, plan.updated, plan.unchanged, plan.errors) == (3, 0, 0, 0)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("toaster,,,,SN1,T-1,,,,,", "unknown kind 'toaster'"),
        ("laptop,,,,SN1,T-1,broken,,,,", "unknown status 'broken'"),
        ("laptop,,,,SN1,T-1,disposed,,,,", "disposed only through a disposal batch"),
        ("laptop,,,,SN1,T-1,,,,03/04/2026,", "purchase date '03/04/2026' is not a date"),
        ("laptop,,,,SN1,T-1,,,,2026-02-30,", "is not a date: write it as YYYY-MM-DD"),
        ("laptop,,,,SN1,T-1,,,,2026-02-01,2025-01-01", "warranty cannot end before"),
        ("laptop,,,,SN1,T-1,,nobody@acme.example,,,", "not an active contact of this client"),
        ("laptop,,,,SN1,T-1,,dave@globex.example,,,", "not an active contact of this client"),
        ("laptop,,,,SN1,T-1,,,Berlin office,,", "'Berlin office' is not a site of this client"),
        ("laptop,,,,SN1,T-1,,,,,,extra", "12 cells but the header has 11"),
        ("laptop,name,,,,,,,,,", "no asset tag and no serial"),
        ("laptop,,,,SN1," + "T" * 61 + ",,,,,", "asset tag is longer than 60"),
    ],
)
def test_row_errors_name_their_reason(acme, acme_hq, dave, row, reason):
    found = _only(_plan(acme, row))
    assert found.action == "error"
    assert reason in found.message
    assert found.shown.startswith("error: ")


def test_duplicates_in_the_file_are_errors_of_the_later_row(acme):
    plan = _plan(
        acme,
        "laptop,,,,SN1,T-1,,,,,",
        "laptop,,,,SN2,t-1,,,,,",  # the same tag, another case
        "laptop,,,,sn1,T-3,,,,,",  # the same serial
    )
    assert [r.action for r in plan.rows] == ["create", "error", "error"]
    assert plan.rows[1].message == "asset tag t-1 is on line 2 too"
    assert plan.rows[2].message == "serial sn1 is on line 2 too"


def test_existing_assets_are_matched_by_tag_else_serial_and_updated(acme, acme_hq):
    import_assets(
        acme,
        "laptop,lt-1,Dell,Latitude,SN1,T-1,deployed,,HQ,2020-01-01,",
        "monitor,,Dell,P2419,SN2,,in_stock,,,,",
    )
    plan = _plan(
        acme,
        "laptop,lt-1,,,SN1,T-1,in repair,,,,2026-01-01",  # by tag: status and warranty
        "monitor,,,,SN2,M-2,,,,,",  # by serial: the tag is new
    )
    assert plan.rows[0].action == "update"
    assert plan.rows[0].values.keys() == {"status", "warranty_end"}
    assert plan.rows[0].before["status"] == "deployed"
    assert plan.rows[0].message == "status, warranty end"
    assert plan.rows[1].action == "update" and plan.rows[1].values == {"asset_tag": "M-2"}


def test_two_rows_about_one_asset_are_both_refused(acme):
    import_assets(acme, "laptop,lt-1,Dell,Latitude,SN1,T-1,deployed,,,,")
    plan = _plan(acme, "laptop,,,,,T-1,in repair,,,,", "laptop,,,,SN1,,retired,,,,")
    assert [r.action for r in plan.rows] == ["error", "error"]
    assert plan.rows[0].message.startswith("lines 2, 3 are all about asset T-1")


def test_unchanged_rows_and_ignored_columns(acme):
    import_assets(acme, "laptop,lt-1,Dell,Latitude,SN1,T-1,deployed,,,,")
    plan = _plan(acme, "T-1,Dell,Latitude,yes", header="asset tag,Make,Model,colour")
    assert _only(plan).action == "unchanged" and plan.ignored == ["colour"]


def test_a_status_change_the_lifecycle_refuses(acme):
    import_assets(acme, "laptop,,,,SN1,T-1,ordered,,,,")
    row = _only(_plan(acme, "laptop,,,,SN1,T-1,deployed,,,,"))
    assert row.action == "error"
    assert row.message == "the lifecycle does not go from ordered to deployed"


def test_the_tag_or_serial_of_a_disposed_asset_is_refused(acme, media, acme_retired):
    make_batch(acme, acme_retired[:2])
    plan = _plan(acme, "laptop,,,,,AC-L1,retired,,,,", "laptop,,,,SN-AC-2,,,,,,")
    assert [r.action for r in plan.rows] == ["error", "error"]
    assert plan.rows[0].message == "asset AC-L1 is disposed: it cannot be changed"
    assert plan.rows[1].message == "asset SN-AC-2 is disposed: it cannot be changed"


def test_a_serial_of_another_tagged_asset_is_an_error(acme):
    import_assets(acme, "laptop,,,,SN1,T-1,,,,,")
    row = _only(_plan(acme, "laptop,,,,SN1,T-9,,,,,"))
    assert row.message == "serial 'SN1' belongs to asset T-1, not T-9"


def test_another_clients_assets_are_not_matched(acme, globex):
    import_assets(globex, "laptop,,,,SN1,T-1,deployed,,,,")
    assert _only(_plan(acme, "laptop,,,,SN1,T-1,ordered,,,,")).action == "create"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"name,make\nx,y\n", "no asset_tag or serial column"),
        ("asset_tag\nT\xe9\n".encode("latin-1"), "not UTF-8"),
        (b"asset_tag\nT-1\x00\n", "NUL characters"),
    ],
)
def test_files_that_cannot_be_read(acme, data, message):
    with pytest.raises(BadFile) as refused:
        imports.plan(acme, data)
    assert message in refused.value.message and refused.value.field == "file"


def test_too_many_rows_or_bytes(acme, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    with pytest.raises(BadFile, match="more than 2 rows"):
        imports.plan(acme, csv_bytes("laptop,,,,A,,,,,,", "laptop,,,,B,,,,,,", "laptop,,,,C,,,,,,"))
    monkeypatch.setattr(imports, "MAX_BYTES", 10)
    with pytest.raises(BadFile, match="larger than"):
        imports.plan(acme, csv_bytes("laptop,,,,A,,,,,,"))


def test_excel_files_bom_and_semicolons(acme):
    data = "\ufeffAsset Tag;Serial Number;Type\nT-1;SN1;Laptop\n".encode()
    row = _only(imports.plan(acme, data))
    assert row.action == "create" and row.values["kind"] == "laptop"


def test_the_errors_csv_has_the_files_columns_and_the_reason(acme):
    plan = _plan(acme, "laptop,,,,SN1,T-1,,,,,", "toaster,,,,SN2,T-2,,,,,")
    text = plan.errors_csv()
    assert text.splitlines()[0] == HEADER_WITH_ERROR
    assert "line 3: unknown kind 'toaster'" in text and "SN1" not in text


def test_the_errors_csv_never_echoes_a_formula(acme):
    plan = _plan(acme, 'toaster,=HYPERLINK("http://evil.example"),+1+1,@SUM(A1),-SN2,T-2,,,,,')
    (row,) = list(csv.reader(io.StringIO(plan.errors_csv())))[1:]
    assert row[:5] == ["toaster", '\'=HYPERLINK("http://evil.example")', "'+1+1", "'@SUM(A1)",
                       "'-SN2"]  # fmt: skip
    assert row[-1].startswith("line 2: unknown kind 'toaster'")


HEADER_WITH_ERROR = (
    "kind,name,make,model,serial,asset_tag,status,assigned_to,site,purchase_date,warranty_end,error"
)


def test_a_plans_queries_do_not_grow_with_its_rows(
    acme, acme_hq, carol, django_assert_max_num_queries
):
    import_assets(acme, *(f"laptop,,,,SN{i},T-{i},deployed,,,," for i in range(300)))
    accounts.create_user(email="x@acme.example", organization=acme)
    rows = [
        f"laptop,,,,SN{i},T-{i},in repair,carol@acme.example,HQ,2024-01-01," for i in range(300)
    ]
    rows += [f"monitor,,,,NEW{i},N-{i},,x@acme.example,HQ,," for i in range(300)]
    with django_assert_max_num_queries(6):
        plan = _plan(acme, *rows)
    assert (plan.updated, plan.created, plan.errors) == (300, 300, 0)
    assert Asset.objects.filter(organization=acme).count() == 300
