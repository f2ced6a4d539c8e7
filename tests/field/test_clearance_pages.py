"""The clearance pages: the matrix, the client and technician pages, the forms of each change
with their errors; tenancy (an agent sees only the clients they serve, customers none)."""

import pytest

from deskside.field.models import Clearance
from tests.field.fixtures_clearance import *  # noqa: F403 (the fixtures)
from tests.field.fixtures_clearance import clear

pytestmark = pytest.mark.django_db


@pytest.fixture
def cleared(now, admin, acme, globex, leo):
    clear(leo, acme, admin)
    return clear(leo, globex, admin)


def detail(org, person):
    return f"/field/clearance/clients/{org.slug}/technicians/{person.public_id}/"


def test_the_matrix_shows_each_technician_at_each_client(
    cleared, signed_in, admin, leo, maria, acme, globex, django_assert_max_num_queries
):
    page = signed_in(admin)
    with django_assert_max_num_queries(20):
        shown = page.get("/field/clearance/")
    assert shown.status_code == 200
    body = shown.content.decode()
    assert "Leo Field" in body and "Maria Santos" in body and "Acme Corp" in body
    assert body.count("clr-cleared") == 2 and "clr-not_cleared" in body
    assert detail(acme, maria) in body


def test_client_and_technician_pages(cleared, signed_in, admin, leo, acme):
    page = signed_in(admin)
    client = page.get("/field/clearance/clients/acme/")
    assert client.status_code == 200 and "Leo Field" in client.content.decode()
    person = page.get(f"/field/clearance/technicians/{leo.public_id}/")
    body = person.content.decode()
    assert person.status_code == 200 and "Acme Corp" in body and "Knows the client." in body
    assert page.get("/field/clearance/clients/nope/").status_code == 404
    assert page.get("/field/clearance/technicians/nope/").status_code == 404


def test_the_forms_change_the_clearance_and_show_errors(
    cleared, signed_in, admin, leo, maria, acme
):
    page = signed_in(leo)
    url = detail(acme, maria)
    assert page.get(url).status_code == 200
    missing = page.post(url + "shadowing/", {"shadow_visits_required": "2"})
    assert missing.status_code == 422  # Acme has a cleared technician to name
    assert "regular technician" in missing.content.decode()
    bad = page.post(url + "shadowing/", {"shadow_visits_required": "99"})
    assert bad.status_code == 400
    started = page.post(
        url + "shadowing/", {"regular_technician": leo.pk, "shadow_visits_required": "1"}
    )
    assert started.status_code == 302 and started["Location"] == url
    assert Clearance.objects.get(technician=maria, organization=acme).status == "shadowing"
    early = page.post(url + "sign-off/", {"note": ""})
    assert early.status_code == 409 and "0 of 1 shadow" in early.content.decode()
    no_reason = page.post(url + "revoke/", {"reason": ""})
    assert no_reason.status_code == 400
    lead = signed_in(admin)
    assert lead.post(url + "sign-off/", {"override": "on", "note": "Trusted."}).status_code == 302
    assert Clearance.objects.get(technician=maria, organization=acme).status == "cleared"
    assert page.post(url + "revoke/", {"reason": "Badge lost."}).status_code == 302
    assert Clearance.objects.get(technician=maria, organization=acme).status == "revoked"
    assert page.post(url + "unknown/", {}).status_code == 404
    never = page.post(detail(acme, admin) + "sign-off/", {})
    assert never.status_code == 409


def test_tenancy_an_agent_sees_only_the_clients_they_serve(cleared, signed_in, gil, leo, acme):
    page = signed_in(gil)  # serves Globex only
    matrix = page.get("/field/clearance/").content.decode()
    assert "Globex" in matrix and "Acme Corp" not in matrix
    assert page.get("/field/clearance/clients/acme/").status_code == 404
    assert page.get(detail(acme, leo)).status_code == 404
    assert page.post(detail(acme, leo) + "revoke/", {"reason": "x"}).status_code == 404
    person = page.get(f"/field/clearance/technicians/{leo.public_id}/").content.decode()
    assert "Acme Corp" not in person
    assert Clearance.objects.get(technician=leo, organization=acme).status == "cleared"


def test_customers_get_no_clearance_page(cleared, signed_in, carol, leo, acme):
    page = signed_in(carol)
    for url in ("/field/clearance/", "/field/backfill/", detail(acme, leo)):
        assert page.get(url).status_code in (302, 403)
    assert page.post(detail(acme, leo) + "revoke/", {"reason": "x"}).status_code == 403
    assert page.post("/field/backfill/reassign/", {}).status_code == 403
    assert Clearance.objects.get(technician=leo, organization=acme).status == "cleared"
