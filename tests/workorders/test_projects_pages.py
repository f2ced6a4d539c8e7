"""The project pages: upload -> preview (nothing written) -> create (one transaction; a double
submit creates one project), the project page with progress, chart, schedule and resolve;
tenancy (another client's project is a 404, a customer is sent away)."""

import base64
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from deskside.accounts import services as accounts
from deskside.field.models import Visit
from deskside.tickets.models import Ticket
from deskside.workorders.models import Project, WorkOrder
from deskside.workorders.services import projects
from tests.workorders.fixtures_projects import *  # noqa: F403 (the fixtures)
from tests.workorders.fixtures_projects import csv_bytes


@pytest.fixture
def fields(acme, desk_move, carol):
    return {
        "organization": acme.pk,
        "template": desk_move.pk,
        "title": "Move 40 desks to floor 4",
        "requester": "carol@acme.example",
        "site": "",
        "description": "",
    }


def _upload(client, fields, data: bytes):
    file = SimpleUploadedFile("desks.csv", data, content_type="text/csv")
    return client.post("/workorders/projects/new/", {**fields, "file": file})


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def test_upload_preview_then_create(signed_in, alice, fields, now):
    web = signed_in(alice)
    assert web.get("/workorders/projects/new/").status_code == 200
    preview = _upload(web, fields, csv_bytes(",D-1,3.1,4.1,,,", ",D-2,3.2,4.2,,,"))
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "2 work orders will be created" in html and "Desk move: D-1, 3.1 → 4.1" in html
    assert not Ticket.objects.exists()
    sent_back = {
        **fields,
        "data": _hidden(html, "data"),
        "name": "desks.csv",
        "key": _hidden(html, "key"),
    }
    created = web.post("/workorders/projects/create/", sent_back)
    assert created.status_code == 302
    project = Project.objects.get()
    assert created["Location"] == f"/workorders/projects/{project.public_id}/"
    again = web.post("/workorders/projects/create/", sent_back)  # a double click
    assert again.status_code == 302 and Project.objects.count() == 1
    assert WorkOrder.objects.count() == 2
    page = web.get(created["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "0 of 2</strong> work orders done" in text and "1 required QC item" in text
    chart = web.get(f"/workorders/projects/{project.public_id}/chart.svg")
    assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"
    assert b"<script" not in chart.content


def test_a_bad_row_shows_on_the_preview_and_create_refuses(signed_in, alice, fields):
    web = signed_in(alice)
    data = csv_bytes(",D-1,,,,,", "ghost@acme.example,D-2,,,,,")
    html = _upload(web, fields, data).content.decode()
    assert "1 row in error" in html and "unknown user" in html and " disabled>" in html
    sent_back = {**fields, "data": base64.b64encode(data).decode(), "key": "k", "name": "x.csv"}
    refused = web.post("/workorders/projects/create/", sent_back)
    assert refused.status_code == 422 and b"unknown user" in refused.content
    errors = web.post("/workorders/projects/errors.csv", sent_back)
    assert errors.status_code == 200 and b"line 3: unknown user" in errors.content
    assert not Ticket.objects.exists()


def test_form_errors_name_the_field(signed_in, alice, fields):
    web = signed_in(alice)
    response = _upload(web, {**fields, "requester": "nobody@acme.example"}, csv_bytes(",D-1"))
    assert response.status_code == 422 and b"no contact with this address" in response.content
    response = _upload(web, fields, b"\xff\xfe")
    assert response.status_code == 422 and b"not UTF-8" in response.content


def test_schedule_and_resolve_from_the_page(signed_in, alice, new_project, now):
    project = projects.create_project(alice, new_project(), csv_bytes(",D-1,,,,,")).project
    web = signed_in(alice)
    url = f"/workorders/projects/{project.public_id}/"
    response = web.post(
        f"{url}schedule/",
        {
            "first_day": "2026-12-14",
            "last_day": "2026-12-15",
            "day_start": "09:00",
            "day_end": "17:00",
            "duration_minutes": "60",
        },
        follow=True,
    )
    assert b"Created 1 visit" in response.content and Visit.objects.count() == 1
    bad = web.post(f"{url}schedule/", {"first_day": "2026-12-14", "last_day": "2026-12-01"})
    assert bad.status_code == 422
    refused = web.post(f"{url}resolve/", {"resolution": "All moved"})
    assert refused.status_code == 409 and b"1 work order is still open" in refused.content


def test_tenancy(signed_in, alice, carol, new_project, msp, globex, fields):
    project = projects.create_project(alice, new_project(), csv_bytes(",D-1,,,,,")).project
    gil = accounts.create_user(
        email="gil@msp.example", full_name="Gil", kind="agent", organization=msp
    )
    gil.served_organizations.set([globex])
    web = signed_in(gil)
    url = f"/workorders/projects/{project.public_id}/"
    assert web.get(url).status_code == 404
    assert web.get(f"{url}chart.svg").status_code == 404
    assert web.post(f"{url}resolve/", {"resolution": "x"}).status_code == 404
    assert project.title not in web.get("/workorders/projects/").content.decode()
    refused = _upload(web, fields, csv_bytes(",D-1"))  # Acme is not among Gil's clients
    assert refused.status_code == 422 and not Project.objects.exclude(pk=project.pk).exists()
    customer = signed_in(carol)
    assert customer.get(url).status_code == 302  # sent to the portal
    assert customer.post(f"{url}resolve/", {"resolution": "x"}).status_code == 403
    assert customer.get("/workorders/projects/").status_code == 302
