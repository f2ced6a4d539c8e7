"""The disposal API under /api/v1/assets/disposal: list, get, create (multipart with the
certificate), the certificate, the report as JSON and CSV; who may read and write what."""

from datetime import timedelta

import pytest
from django.test import Client

from deskside.accounts.services import create_api_token
from deskside.assets.models import Asset, DisposalBatch
from tests.assets.fixtures_disposal import *  # noqa: F403
from tests.assets.fixtures_disposal import PDF, certificate, make_batch

BASE = "/api/v1/assets/disposal"
pytestmark = pytest.mark.usefixtures("media", "frozen")


def _api(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user=user, name='t')}")


@pytest.fixture
def acme_batch(acme, alice, acme_retired):
    return make_batch(acme, acme_retired[:2], actor=alice)


@pytest.fixture
def globex_batch(globex, alice, globex_retired):
    return make_batch(globex, [globex_retired], actor=alice, number="GX-1")


def _form(assets, **change):
    form = {
        "client": "acme",
        "assets": [a.public_id for a in assets],
        "company": "GreenCycle IT Recycling Ltd",
        "certificate_number": "GC-9",
        "method": "clear",
        "handed_over_on": "2026-12-01",
        "notes": "",
        "certificate": certificate(),
    }
    form.update(change)
    return form


def test_create_a_batch(alice, acme, acme_retired):
    made = _api(alice).post(f"{BASE}/batches", _form(acme_retired[:3]))
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["client"] == "acme" and body["assets"] == 3 and body["method"] == "clear"
    assert body["certificate_content_type"] == "application/pdf"
    assert len(body["certificate_sha256"]) == 64
    assert Asset.objects.filter(status="disposed").count() == 3
    # comma-separated ids work too
    ids = ",".join(a.public_id for a in acme_retired[3:4])
    form = _form(acme_retired[3:4], certificate_number="GC-10")
    form["assets"] = ids
    again = _api(alice).post(f"{BASE}/batches", form)
    assert again.status_code == 201 and again.json()["assets"] == 1


def test_create_refusals_name_the_field(alice, lim, olivia, acme, acme_retired, globex_retired):
    api = _api(alice)
    deployed = api.post(f"{BASE}/batches", _form(acme_retired[3:5]))
    assert deployed.status_code == 422 and deployed.json()["field"] == "assets"
    method = api.post(f"{BASE}/batches", _form(acme_retired[:1], method="shred"))
    assert method.status_code == 422 and method.json()["field"] == "method"
    no_file = _form(acme_retired[:1])
    del no_file["certificate"]
    assert api.post(f"{BASE}/batches", no_file).status_code == 422
    other = _api(lim).post(f"{BASE}/batches", _form([globex_retired], client="globex"))
    assert other.status_code == 422 and other.json()["field"] == "client"
    assert _api(olivia).post(f"{BASE}/batches", _form(acme_retired[:1])).status_code == 403
    assert not DisposalBatch.objects.exists()


def test_list_get_and_certificate(alice, lim, acme_batch, globex_batch):
    items = _api(alice).get(f"{BASE}/batches").json()["items"]
    assert {b["certificate_number"] for b in items} == {"GC-2026-0412", "GX-1"}
    only = _api(alice).get(f"{BASE}/batches", {"client": "globex"}).json()["items"]
    assert [b["public_id"] for b in only] == [globex_batch.public_id]
    limited = _api(lim).get(f"{BASE}/batches").json()["items"]
    assert [b["public_id"] for b in limited] == [acme_batch.public_id]
    assert _api(lim).get(f"{BASE}/batches", {"client": "globex"}).status_code == 422
    one = _api(alice).get(f"{BASE}/batches/{acme_batch.public_id}").json()
    assert one["assets"] == 2
    assert [a["asset_tag"] for a in one["disposed_assets"]] == ["AC-L1", "AC-L2"]
    cert = _api(alice).get(f"{BASE}/batches/{acme_batch.public_id}/certificate")
    assert cert.status_code == 200 and b"".join(cert.streaming_content) == PDF
    assert _api(lim).get(f"{BASE}/batches/{globex_batch.public_id}").status_code == 404
    assert _api(lim).get(f"{BASE}/batches/{globex_batch.public_id}/certificate").status_code == 404


def test_customers(olivia, gina, carol, acme_batch, globex_batch, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        items = _api(olivia).get(f"{BASE}/batches").json()["items"]
    assert [b["public_id"] for b in items] == [acme_batch.public_id]
    assert _api(olivia).get(f"{BASE}/batches/{acme_batch.public_id}").status_code == 200
    assert _api(olivia).get(f"{BASE}/batches/{globex_batch.public_id}").status_code == 404
    assert _api(gina).get(f"{BASE}/batches/{acme_batch.public_id}/certificate").status_code == 404
    assert _api(gina).get(f"{BASE}/report", {"client": "acme"}).status_code == 422
    for path in ("/batches", f"/batches/{acme_batch.public_id}", "/report?client=acme"):
        assert _api(carol).get(BASE + path).status_code == 403, path


def test_the_report(alice, olivia, acme_batch, globex_batch):
    handed = acme_batch.handed_over_on
    start = (handed - timedelta(days=10)).isoformat()
    body = _api(olivia).get(f"{BASE}/report", {"client": "acme", "from": start}).json()
    assert body["client"] == "acme" and body["start"] == start
    assert [r["serial"] for r in body["rows"]] == ["SN-AC-1", "SN-AC-2"]
    row = body["rows"][0]
    assert row["method"] == "purge" and row["company"] == "GreenCycle IT Recycling Ltd"
    assert row["certificate_number"] == "GC-2026-0412"
    assert row["handed_over_on"] == handed.isoformat()
    after = (handed + timedelta(days=1)).isoformat()
    later = _api(alice).get(f"{BASE}/report", {"client": "acme", "from": after}).json()
    assert later["rows"] == []
    csv = _api(alice).get(f"{BASE}/report", {"client": "acme", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and b"SN-AC-2" in csv.content
    bad = _api(alice).get(
        f"{BASE}/report", {"client": "acme", "from": "2026-12-01", "to": "2026-11-01"}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "to"
    assert _api(alice).get(f"{BASE}/report", {"client": "acme", "format": "xml"}).status_code == 422
