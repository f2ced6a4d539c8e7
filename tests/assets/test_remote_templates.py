"""Remote-access URL templates: what a template may be, who sets it, the audit entries, the
page and the API, tenancy."""

import pytest

from deskside.assets.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.assets.models import RemoteAccessTemplate
from deskside.assets.services import remote
from deskside.core.models import AuditEntry
from tests.assets.fixtures_remote import *  # noqa: F403 (the fixtures)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "https://mesh.msp.example/?gotonode={id}",
        "HTTPS://rmm.example.com/devices/{id}/remote",
        "rustdesk://{id}",
        "teamviewer10://control?device={id}",
        "tvcontrol1://control?device={id}",
    ],
)
def test_good_templates_pass(url):
    assert remote.check_template(url).lower() == url.lower()


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("", "required"),
        ("https://mesh.example/", "exactly once"),
        ("https://mesh.example/{id}/{id}", "exactly once"),
        ("javascript:alert({id})", "must start"),
        ("javascript://%0Aalert({id})", "must start"),
        ("data:text/html,{id}", "must start"),
        ("http://mesh.example/{id}", "must start"),
        ("file:///{id}", "must start"),
        ("ftp://x/{id}", "must start"),
        ("https://{id}.mesh.example/", "host"),
        ("https://{id}/", "host"),
        ("https:///{id}", "host"),
        ("https://mesh.example/ {id}", "spaces"),
        ("https://mesh.example/\n{id}", "spaces"),
        ("https://mesh.example/" + "a" * 500 + "{id}", "at most"),
    ],
)
def test_bad_templates_are_refused_naming_the_field(url, why):
    with pytest.raises(InvalidInput) as err:
        remote.check_template(url)
    assert err.value.field == "url_template"
    assert why in err.value.message


def test_the_identifier_is_quoted_so_it_cannot_change_the_link(admin, acme, laptop):
    row = remote.create_template(
        actor=admin,
        organization=acme,
        tool="rmm",
        url_template="https://rmm.example.com/devices/{id}/remote",
    )
    laptop.rmm_id = "x/../../evil?go=https://evil.example#@evil.example"
    laptop.save()
    url = remote.build_url(row, laptop)
    assert url.startswith("https://rmm.example.com/devices/")
    assert url.endswith("/remote")
    tail = url.removeprefix("https://rmm.example.com/devices/").removesuffix("/remote")
    assert "/" not in tail and "?" not in tail and "#" not in tail and "@" not in tail
    assert tail == "x%2F..%2F..%2Fevil%3Fgo%3Dhttps%3A%2F%2Fevil.example%23%40evil.example"


def test_create_update_delete_are_audited(admin, acme):
    row = remote.create_template(
        actor=admin, organization=acme, tool="rustdesk", url_template="rustdesk://{id}"
    )
    remote.update_template(actor=admin, template=row, url_template="rustdesk://{id}?pw=x")
    remote.update_template(actor=admin, template=row, label="")  # nothing changed: no entry
    remote.delete_template(actor=admin, template=row)
    entries = list(AuditEntry.objects.filter(object_type="assets.remote_template").order_by("id"))
    assert [e.action for e in entries] == ["created", "updated", "deleted"]
    assert {e.object_id for e in entries} == {"acme/rustdesk"}
    assert entries[0].after["url_template"] == "rustdesk://{id}"
    assert entries[1].before == {"url_template": "rustdesk://{id}"}
    assert entries[1].after == {"url_template": "rustdesk://{id}?pw=x"}
    assert not RemoteAccessTemplate.objects.exists()


def test_only_admins_serving_the_client_set_templates(alice, admin_serving, acme, globex):
    with pytest.raises(NotAllowed):
        remote.create_template(
            actor=alice, organization=acme, tool="rustdesk", url_template="rustdesk://{id}"
        )
    globex_admin = admin_serving(globex, email="ga@msp.example")
    with pytest.raises(NotAllowed):
        remote.create_template(
            actor=globex_admin, organization=acme, tool="rustdesk", url_template="rustdesk://{id}"
        )
    assert not AuditEntry.objects.filter(object_type="assets.remote_template").exists()


def test_one_template_per_client_and_tool(admin, acme):
    remote.create_template(
        actor=admin, organization=acme, tool="rustdesk", url_template="rustdesk://{id}"
    )
    with pytest.raises(InvalidTransition) as err:
        remote.create_template(
            actor=admin, organization=acme, tool="rustdesk", url_template="rustdesk://{id}"
        )
    assert err.value.field == "tool"


# -- the page ----------------------------------------------------------------------------------


def test_page_lists_and_admin_adds(web_admin, templates, acme):
    page = web_admin.get("/assets/remote/templates/")
    assert page.status_code == 200
    assert b"mesh.msp.example" in page.content
    answer = web_admin.post(
        "/assets/remote/templates/",
        {"organization": "acme", "tool": "rmm", "url_template": "https://rmm.example/d/{id}"},
    )
    assert answer.status_code == 302
    assert RemoteAccessTemplate.objects.filter(organization=acme, tool="rmm").exists()


def test_page_refuses_a_bad_template_on_the_form(web_admin, acme):
    answer = web_admin.post(
        "/assets/remote/templates/",
        {"organization": "acme", "tool": "rmm", "url_template": "javascript:alert({id})"},
    )
    assert answer.status_code == 422
    assert b"must start with https://" in answer.content
    assert not RemoteAccessTemplate.objects.exists()


def test_page_edit_and_delete(web_admin, templates):
    answer = web_admin.post(
        "/assets/remote/templates/acme/rustdesk/",
        {"url_template": "rustdesk://{id}?password=", "label": "RustDesk"},
    )
    assert answer.status_code == 302
    assert RemoteAccessTemplate.objects.get(organization__slug="acme", tool="rustdesk").label
    bad = web_admin.post("/assets/remote/templates/acme/rustdesk/", {"url_template": "x"})
    assert bad.status_code == 422
    assert web_admin.post("/assets/remote/templates/acme/rustdesk/delete/").status_code == 302
    assert not RemoteAccessTemplate.objects.filter(organization__slug="acme", tool="rustdesk")


def test_page_tenancy(signed_in, gil, alice, carol, templates):
    as_gil = signed_in(gil)
    page = as_gil.get("/assets/remote/templates/")
    assert page.status_code == 200
    assert b"mesh.msp.example" not in page.content  # Acme's: Gil serves Globex only
    assert as_gil.post("/assets/remote/templates/acme/rustdesk/delete/").status_code == 404
    # an agent who is no administrator reads, and may not change
    as_alice = signed_in(alice)
    assert b"Add a template" not in as_alice.get("/assets/remote/templates/").content
    assert as_alice.post("/assets/remote/templates/acme/rustdesk/delete/").status_code == 403
    # a customer is sent to the portal, and a POST is refused
    as_carol = signed_in(carol)
    assert as_carol.get("/assets/remote/templates/").status_code == 302
    assert as_carol.post("/assets/remote/templates/acme/rustdesk/delete/").status_code == 403
    assert RemoteAccessTemplate.objects.count() == 3


# -- the API -----------------------------------------------------------------------------------


def test_api_crud(as_admin, acme):
    made = as_admin.post(
        "/api/v1/assets/remote/templates",
        {"client": "acme", "tool": "meshcentral", "url_template": "https://m.example/?n={id}"},
    )
    assert made.status_code == 201, made.content
    assert made.json()["client"]["slug"] == "acme"
    listed = as_admin.get("/api/v1/assets/remote/templates").json()
    assert [r["tool"] for r in listed] == ["meshcentral"]
    changed = as_admin.patch("/api/v1/assets/remote/templates/acme/meshcentral", {"label": "Mesh"})
    assert changed.status_code == 200 and changed.json()["label"] == "Mesh"
    assert as_admin.delete("/api/v1/assets/remote/templates/acme/meshcentral").status_code == 204
    assert as_admin.get("/api/v1/assets/remote/templates").json() == []


def test_api_bad_input_names_the_field(as_admin, acme):
    bad = as_admin.post(
        "/api/v1/assets/remote/templates",
        {"client": "acme", "tool": "rustdesk", "url_template": "data:text/html,{id}"},
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "url_template"
    tool = as_admin.post(
        "/api/v1/assets/remote/templates",
        {"client": "acme", "tool": "vnc", "url_template": "https://x.example/{id}"},
    )
    assert tool.status_code == 422 and tool.json()["field"] == "tool"
    client = as_admin.post(
        "/api/v1/assets/remote/templates",
        {"client": "nobody", "tool": "rustdesk", "url_template": "rustdesk://{id}"},
    )
    assert client.status_code == 422 and client.json()["field"] == "client"


def test_api_tenancy(api_as, gil, as_alice, as_carol, templates):
    as_gil = api_as(gil)
    assert [r["client"]["slug"] for r in as_gil.get("/api/v1/assets/remote/templates").json()] == [
        "globex"
    ]
    assert as_gil.delete("/api/v1/assets/remote/templates/acme/rustdesk").status_code == 404
    assert as_alice.delete("/api/v1/assets/remote/templates/acme/rustdesk").status_code == 403
    assert as_carol.get("/api/v1/assets/remote/templates").status_code == 403
    assert RemoteAccessTemplate.objects.count() == 3
