"""The audit log page (/audit/) and `GET /api/v1/audit`: administrators only, with filters."""

import datetime as dt

import pytest
from django.test import Client

from deskside.core import audit, clock
from tests.conftest import client_for

PAGE = "/audit/"
API = "/api/v1/audit"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def entries(admin, alice):
    with clock.frozen(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)):
        one = audit.record(
            admin,
            audit.UPDATED,
            "sla.contract",
            "c-acme",
            label="Acme",
            before={"warning_percent": 75},
            after={"warning_percent": 50},
        )
    with clock.frozen(dt.datetime(2026, 3, 4, 9, tzinfo=dt.UTC)):
        two = audit.record(admin, audit.DELETED, "duty.schedule", "primary", label="Primary")
        three = audit.record(None, audit.CREATED, "accounts.team", "ops", label="Ops")
    return one, two, three


def test_page_shows_entries_newest_first_with_a_readable_diff(admin, entries):
    response = login(admin).get(PAGE, {"object_type": "sla.contract"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "c-acme" in html and "Acme" in html
    assert "<del>75</del>" in html and "<ins>50</ins>" in html
    assert "primary" not in html


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"actor": "root@"}, ["c-acme", "primary"], ["<code>ops</code>"]),
        ({"action": "deleted"}, ["primary"], ["c-acme"]),
        ({"object_id": "c-acme"}, ["c-acme"], ["primary"]),
        ({"since": "2026-03-03", "until": "2026-03-04"}, ["primary"], ["c-acme"]),
        ({"until": "2026-03-02"}, ["c-acme"], ["primary"]),
        ({"since": "not a date", "page": "x"}, ["c-acme", "primary"], []),
    ],
)
def test_page_filters(admin, entries, params, shown, hidden):
    html = login(admin).get(PAGE, params).content.decode()
    for text in shown:
        assert text in html
    for text in hidden:
        assert text not in html


def test_page_is_paginated_and_keeps_its_filters(admin, settings):
    for i in range(51):
        audit.record(admin, audit.CREATED, "x.thing", f"t{i}")
    client = login(admin)
    html = client.get(PAGE, {"object_type": "x.thing"}).content.decode()
    assert "object_type=x.thing&amp;page=2" in html
    assert "<code>t50</code>" in html and "<code>t0</code>" not in html
    html = client.get(PAGE, {"object_type": "x.thing", "page": 2}).content.decode()
    assert "<code>t0</code>" in html and "<code>t50</code>" not in html


def test_page_for_admins_only(alice, carol, olivia, entries):
    for user in (alice, carol, olivia):
        assert login(user).get(PAGE).status_code == 403
    response = Client().get(PAGE)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_navigation_links_the_page_for_admins_only(admin, alice):
    assert 'href="/audit/"' in login(admin).get("/tickets/").content.decode()
    assert 'href="/audit/"' not in login(alice).get("/tickets/").content.decode()


def test_api_lists_with_filters(admin, entries):
    one, two, three = entries
    api = client_for(admin)
    body = api.get(API, {"object_type": "sla.contract"}).json()
    assert body["next"] is None and body["page"] == 1
    [item] = body["items"]
    assert item == {
        "id": one.pk,
        "created_at": "2026-03-02T09:00:00Z",
        "actor": "root@msp.example",
        "action": "updated",
        "object_type": "sla.contract",
        "object_id": "c-acme",
        "object_label": "Acme",
        "before": {"warning_percent": 75},
        "after": {"warning_percent": 50},
    }

    def ids(**params):
        response = api.get(API, params)
        assert response.status_code == 200, response.content
        return [i["id"] for i in response.json()["items"] if i["object_type"] != "accounts.team"]

    assert ids(action="deleted") == [two.pk]
    assert ids(actor=str(admin.pk)) == [two.pk, one.pk]
    assert ids(object_id="ops") == []  # only the system's team entries: filtered out above
    assert [i["actor"] for i in api.get(API, {"object_id": "ops"}).json()["items"]] == [None]
    assert ids(since="2026-03-03T00:00:00Z", until="2026-03-05T00:00:00") == [two.pk]
    assert ids(until="0001-01-01T00:00:00+05:00") == []


def test_api_pages(admin):
    for i in range(3):
        audit.record(admin, audit.CREATED, "x.thing", f"t{i}")
    api = client_for(admin)
    body = api.get(API, {"object_type": "x.thing", "limit": 2}).json()
    assert [i["object_id"] for i in body["items"]] == ["t2", "t1"]
    assert body["next"].endswith("page=2") or "page=2" in body["next"]
    body = api.get(API, {"object_type": "x.thing", "limit": 2, "page": 2}).json()
    assert [i["object_id"] for i in body["items"]] == ["t0"]


def test_api_for_admins_only(alice, carol, olivia, entries):
    for user in (alice, carol, olivia):
        response = client_for(user).get(API)
        assert response.status_code == 403
        assert "items" not in response.json()
    assert Client().get(API).status_code == 401


def test_api_refuses_nul(admin):
    assert client_for(admin).get(API, {"actor": "a\x00b"}).status_code == 422


def test_api_is_in_the_openapi_document(db):
    document = Client().get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/audit"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"actor", "object_type", "action", "object_id", "since", "until", "page"} <= names
    assert "403" in operation["responses"]
