"""The disposal pages under /assets/disposal/: agents list, record and read batches; a client's
organisation admins read their own organisation's batches, certificates and report; other
customers get 403; another client's batch is 404 everywhere."""

from datetime import timedelta

import pytest

from deskside.assets.models import Asset, DisposalBatch
from tests.assets.fixtures_disposal import *  # noqa: F403
from tests.assets.fixtures_disposal import PDF, certificate, import_assets, make_batch
from tests.conftest import login

pytestmark = pytest.mark.usefixtures("media", "frozen")


@pytest.fixture
def acme_batch(acme, alice, acme_retired):
    return make_batch(acme, acme_retired[:2], actor=alice)


@pytest.fixture
def globex_batch(globex, alice, globex_retired):
    return make_batch(globex, [globex_retired], actor=alice, number="GX-1")


def test_agents_list_and_filter_batches(alice, lim, acme_batch, globex_batch):
    page = login(alice).get("/assets/disposal/")
    assert page.status_code == 200
    assert b"GC-2026-0412" in page.content and b"GX-1" in page.content
    assert b"New batch" in page.content
    only = login(alice).get("/assets/disposal/?client=globex")
    assert b"GX-1" in only.content and b"GC-2026-0412" not in only.content
    limited = login(lim).get("/assets/disposal/")
    assert b"GC-2026-0412" in limited.content and b"GX-1" not in limited.content
    assert login(lim).get("/assets/disposal/?client=globex").status_code == 404


def test_organisation_admins_read_their_own_only(olivia, gina, carol, acme_batch, globex_batch):
    page = login(olivia).get("/assets/disposal/")
    assert page.status_code == 200
    assert b"GC-2026-0412" in page.content and b"GX-1" not in page.content
    assert b"New batch" not in page.content
    assert login(olivia).get(f"/assets/disposal/{acme_batch.public_id}/").status_code == 200
    assert login(olivia).get(f"/assets/disposal/{globex_batch.public_id}/").status_code == 404
    cert = login(olivia).get(f"/assets/disposal/{acme_batch.public_id}/certificate/")
    assert cert.status_code == 200
    assert (
        login(gina).get(f"/assets/disposal/{acme_batch.public_id}/certificate/").status_code == 404
    )
    assert login(gina).get("/assets/disposal/report/?client=acme").status_code == 404
    for url in (
        "/assets/disposal/",
        f"/assets/disposal/{acme_batch.public_id}/",
        f"/assets/disposal/{acme_batch.public_id}/certificate/",
        "/assets/disposal/report/?client=acme",
    ):
        assert login(carol).get(url).status_code == 403, url  # not an organisation admin
    # the new-batch page is for agents: customers go to the portal, a POST is refused
    assert login(olivia).get("/assets/disposal/new/?client=acme").status_code == 302
    assert login(olivia).post("/assets/disposal/new/?client=acme", {}).status_code == 403


def test_the_batch_page_and_certificate(alice, lim, acme_batch, globex_batch):
    page = login(alice).get(f"/assets/disposal/{acme_batch.public_id}/")
    assert b"AC-L1" in page.content and b"AC-L2" in page.content
    assert acme_batch.certificate_sha256.encode() in page.content
    cert = login(alice).get(f"/assets/disposal/{acme_batch.public_id}/certificate/")
    assert b"".join(cert.streaming_content) == PDF
    assert cert["Content-Type"] == "application/pdf"
    assert cert["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in cert["Content-Disposition"]
    assert login(lim).get(f"/assets/disposal/{globex_batch.public_id}/").status_code == 404
    assert (
        login(lim).get(f"/assets/disposal/{globex_batch.public_id}/certificate/").status_code == 404
    )
    assert login(alice).get("/assets/disposal/nope/").status_code == 404


def test_recording_a_batch_from_the_page(alice, acme, acme_retired):
    web = login(alice)
    chooser = web.get("/assets/disposal/new/")
    assert chooser.status_code == 200 and b"Acme Corp" in chooser.content
    page = web.get("/assets/disposal/new/?client=acme")
    assert b"AC-L1" in page.content and b"AC-L5" not in page.content  # deployed: not offered
    filtered = web.get("/assets/disposal/new/?client=acme&q=L3")
    assert b"AC-L3" in filtered.content and b"AC-L1" not in filtered.content
    form = {
        "company": "GreenCycle IT Recycling Ltd",
        "certificate_number": "GC-7",
        "method": "destroy",
        "handed_over_on": "2026-11-02",
        "notes": "",
        "assets": [acme_retired[0].public_id, acme_retired[1].public_id],
        "certificate": certificate(),
    }
    done = web.post("/assets/disposal/new/?client=acme", form)
    batch = DisposalBatch.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/assets/disposal/{batch.public_id}/"
    assert batch.assets.count() == 2 and batch.method == "destroy"


def test_the_page_shows_refusals_and_keeps_the_choice(alice, acme, acme_retired):
    web = login(alice)
    form = {
        "company": "GreenCycle",
        "certificate_number": "GC-8",
        "method": "purge",
        "handed_over_on": "2026-11-02",
        "assets": [acme_retired[0].public_id, acme_retired[4].public_id],  # one is deployed
        "certificate": certificate(),
    }
    refused = web.post("/assets/disposal/new/?client=acme", form)
    assert refused.status_code == 422
    assert b"only retired assets can be disposed of" in refused.content
    kept = acme_retired[0].public_id
    assert f'value="{kept}" id="asset-{kept}" checked'.encode() in refused.content
    form["assets"] = [acme_retired[0].public_id]
    form["certificate"] = certificate(b"GIF89a", "x.gif")
    bad_file = web.post("/assets/disposal/new/?client=acme", form)
    assert bad_file.status_code == 422 and b"PDF or an image" in bad_file.content
    assert not DisposalBatch.objects.exists()
    assert Asset.objects.get(pk=acme_retired[0].pk).status == "retired"


def test_an_agent_cannot_dispose_of_another_clients_assets(lim, globex_retired):
    assert login(lim).get("/assets/disposal/new/?client=globex").status_code == 404
    assert login(lim).post("/assets/disposal/new/?client=globex", {}).status_code == 404


def test_the_report_page_csv_and_pdf(alice, olivia, acme_batch, globex_batch):
    web = login(alice)
    handed = acme_batch.handed_over_on
    start, end = handed - timedelta(days=10), handed + timedelta(days=10)
    page = web.get(f"/assets/disposal/report/?client=acme&from={start}&to={end}")
    assert page.status_code == 200
    assert b"SN-AC-1" in page.content and b"GC-2026-0412" in page.content
    assert b"SN-GX-1" not in page.content
    empty = web.get(f"/assets/disposal/report/?client=acme&from={end}")
    assert b"0 assets disposed of" in empty.content
    bad = web.get("/assets/disposal/report/?client=acme&from=2026-12-01&to=2026-11-01")
    assert bad.status_code == 422 and b"the end is before the start" in bad.content
    csv = web.get("/assets/disposal/report/?client=acme&format=csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("Serial,Asset tag,Kind,Make,Model")
    assert len(lines) == 3 and "SN-AC-1,AC-L1,laptop,Dell,Latitude 5400" in lines[1]
    assert "purge,GreenCycle IT Recycling Ltd,GC-2026-0412" in lines[1]
    pdf = login(olivia).get("/assets/disposal/report/?client=acme&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert login(olivia).get("/assets/disposal/report/?client=globex").status_code == 404
    own = login(olivia).get("/assets/disposal/report/")  # their one client, chosen for them
    assert b"SN-AC-1" in own.content


def test_the_csv_never_holds_a_formula(acme, alice, media):
    import_assets(acme, "laptop,,,,=HYPERLINK(1),T-1,retired,,,,")
    make_batch(acme, Asset.objects.filter(asset_tag="T-1"), actor=alice, number="=cmd")
    text = login(alice).get("/assets/disposal/report/?client=acme&format=csv").content.decode()
    assert "'=HYPERLINK(1)" in text and "'=cmd" in text
