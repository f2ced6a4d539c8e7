"""POST /api/v1/assets/import: a multipart CSV file, a dry run by default; applying a file with
rows in error is 422 with one error per row and nothing imported; tenancy."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from deskside.accounts.services import create_api_token
from deskside.assets.models import Asset
from tests.assets.fixtures_disposal import *  # noqa: F403
from tests.assets.fixtures_disposal import csv_bytes

URL = "/api/v1/assets/import"


def _api(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user=user, name='t')}")


def _send(user, data, **fields):
    body = {"client": "acme", "file": SimpleUploadedFile("a.csv", data, "text/csv"), **fields}
    return _api(user).post(URL, body)


def test_dry_run_then_import(alice, acme):
    data = csv_bytes("laptop,,,,SN1,T-1,,,,,", "laptop,,,,SN2,T-2,retired,,,,")
    dry = _send(alice, data)
    assert dry.status_code == 200
    body = dry.json()
    assert body["dry_run"] is True and body["applied"] is False and body["created"] == 2
    assert body["rows"][0] == {
        "line": 2,
        "asset_tag": "T-1",
        "serial": "SN1",
        "action": "create",
        "message": "",
    }
    assert not Asset.objects.exists()
    done = _send(alice, data, dry_run="false").json()
    assert done["applied"] is True and done["client"] == "acme"
    assert Asset.objects.filter(organization=acme).count() == 2


def test_row_errors_are_422_and_nothing_is_imported(alice, acme):
    data = csv_bytes("laptop,,,,SN1,T-1,,,,,", "laptop,,,,SN2,T-2,,,,1/2/2026,")
    dry = _send(alice, data).json()
    assert dry["errors"] == 1 and dry["rows"][1]["action"] == "error"
    refused = _send(alice, data, dry_run="false")
    assert refused.status_code == 422
    body = refused.json()
    assert body["field"] == "file" and "nothing was imported" in body["detail"]
    assert body["errors"] == [
        {
            "field": "line 3",
            "message": "purchase date '1/2/2026' is not a date: write it as "
            "YYYY-MM-DD (2026-03-31)",
        }
    ]
    assert not Asset.objects.exists()


def test_bad_input_names_the_field(alice, acme):
    bad = _send(alice, b"name\nx\n")
    assert bad.status_code == 422 and bad.json()["field"] == "file"
    unknown = _send(alice, csv_bytes("laptop,,,,S,T,,,,,"), client="nope")
    assert unknown.status_code == 422 and unknown.json()["field"] == "client"
    missing = _api(alice).post(URL, {"client": "acme"})
    assert missing.status_code == 422


def test_tenancy(lim, carol, globex, acme):
    other = _send(lim, csv_bytes("laptop,,,,S,T,,,,,"), client="globex")
    assert other.status_code == 422 and other.json()["field"] == "client"
    assert _send(carol, csv_bytes("laptop,,,,S,T,,,,,")).status_code == 403
    assert Client().post(URL, {"client": "acme"}).status_code == 401
    assert not Asset.objects.exists()
