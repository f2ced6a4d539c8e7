"""The asset import pages under /assets/import/: upload, preview (a dry run), import (all or
nothing), the rows in error as CSV; agents of the client only."""

import base64

import pytest

from deskside.assets.models import Asset
from tests.assets.fixtures_disposal import *  # noqa: F403
from tests.assets.fixtures_disposal import csv_bytes
from tests.conftest import login


def _upload(web, data, client="acme", name="assets.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415

    return web.post(
        "/assets/import/", {"client": client, "file": SimpleUploadedFile(name, data, "text/csv")}
    )


def _sent_back(data, client="acme"):
    return {"client": client, "data": base64.b64encode(data).decode(), "name": "assets.csv"}


def test_upload_preview_and_import(alice, acme, acme_hq):
    web = login(alice)
    page = web.get("/assets/import/?client=acme")
    assert page.status_code == 200 and b"Check the file" in page.content
    data = csv_bytes("laptop,,Dell,Latitude,SN1,T-1,,,HQ,,", "monitor,,Dell,P24,SN2,T-2,,,,,")
    preview = _upload(web, data)
    assert preview.status_code == 200
    assert b"2 will be created" in preview.content and b"Import 2 rows" in preview.content
    assert not Asset.objects.exists()
    done = web.post("/assets/import/apply/", _sent_back(data))
    assert done.status_code == 200 and b"Assets imported" in done.content
    assert b"2 created" in done.content
    assert Asset.objects.filter(organization=acme).count() == 2


def test_rows_in_error_import_nothing_and_can_be_downloaded(alice, acme):
    web = login(alice)
    data = csv_bytes("laptop,,,,SN1,T-1,,,,,", "toaster,,,,SN2,T-2,,,,,")
    preview = _upload(web, data)
    assert b"1 row with errors" in preview.content
    assert b"unknown kind" in preview.content and b"Import 1 row" not in preview.content
    assert b"Download the rows in error" in preview.content
    refused = web.post("/assets/import/apply/", _sent_back(data))  # sent anyway
    assert refused.status_code == 422 and b"nothing was imported" in refused.content
    assert not Asset.objects.exists()
    errors = web.post("/assets/import/errors.csv", _sent_back(data))
    assert errors["Content-Type"].startswith("text/csv")
    assert "assets-errors.csv" in errors["Content-Disposition"]
    text = errors.content.decode()
    assert "toaster" in text and "line 3: unknown kind" in text and "SN1" not in text


def test_bad_files_are_form_errors(alice, acme):
    web = login(alice)
    bad = _upload(web, b"name\nx\n")
    assert bad.status_code == 422 and b"no asset_tag or serial column" in bad.content
    assert _upload(web, b"asset_tag\nT1\n", client="").status_code == 422
    lost = web.post("/assets/import/apply/", {"client": "acme", "data": "%%%"})
    assert lost.status_code == 302 and lost["Location"] == "/assets/import/"


def test_tenancy(lim, carol, globex, acme):
    web = login(lim)
    refused = _upload(web, csv_bytes("laptop,,,,SN1,T-1,,,,,"), client="globex")
    assert refused.status_code == 422 and b"Select a valid choice" in refused.content
    tampered = web.post(
        "/assets/import/apply/", _sent_back(csv_bytes("laptop,,,,S,T,,,,,"), "globex")
    )
    assert tampered.status_code == 302 and not Asset.objects.exists()
    assert b"Globex" not in web.get("/assets/import/").content
    customer = login(carol)
    assert customer.get("/assets/import/").status_code == 302  # to the portal
    assert customer.post("/assets/import/apply/", _sent_back(b"x")).status_code == 403
    assert customer.post("/assets/import/errors.csv", _sent_back(b"x")).status_code == 403


@pytest.mark.parametrize("path", ["/assets/import/"])
def test_anonymous_visitors_sign_in_first(client, path, db):
    assert client.get(path).status_code == 302
