"""The directory API under /api/v1/directory/: success, invalid input (422 naming the field),
customers (403) and an agent limited to Acme (404 for Globex's rows, 422 naming Globex)."""

import pytest

from deskside.accounts.models import Team, User
from tests.conftest import client_for

BASE = "/api/v1/directory"


@pytest.fixture
def as_lim(lim):
    return client_for(lim)


def test_contacts_list_search_and_tenancy(as_alice, as_lim, carol, dave):
    body = as_alice.get(f"{BASE}/contacts").json()
    assert {c["email"] for c in body["items"]} == {carol.email, dave.email}
    assert body["next"] is None
    found = as_alice.get(f"{BASE}/contacts", {"q": "dave"}).json()["items"]
    assert [c["public_id"] for c in found] == [dave.public_id]
    assert found[0]["organization"] == {"slug": "globex", "name": "Globex"}
    only = as_lim.get(f"{BASE}/contacts").json()["items"]
    assert [c["email"] for c in only] == [carol.email]
    refused = as_lim.get(f"{BASE}/contacts", {"client": "globex"})
    assert refused.status_code == 422 and refused.json()["field"] == "client"
    assert as_lim.get(f"{BASE}/contacts/{dave.public_id}").status_code == 404
    assert as_lim.patch(f"{BASE}/contacts/{dave.public_id}", {"name": "X"}).status_code == 404
    assert as_lim.post(f"{BASE}/contacts/{dave.public_id}/deactivate").status_code == 404
    assert as_lim.get(f"{BASE}/contacts/{dave.public_id}/tickets").status_code == 404


def test_customers_get_403_everywhere(as_carol, carol, acme):
    for path in ("/contacts", "/clients", "/agents", "/teams", f"/contacts/{carol.public_id}"):
        assert as_carol.get(BASE + path).status_code == 403, path
    made = as_carol.post(f"{BASE}/contacts", {"email": "x@acme.example", "organization": "acme"})
    assert made.status_code == 403
    assert as_carol.post(f"{BASE}/contacts/import", {"csv": "email,client\n"}).status_code == 403


def test_create_update_deactivate_a_contact(as_alice, as_lim, acme, acme_hq):
    made = as_alice.post(
        f"{BASE}/contacts",
        {
            "email": "Pat@Acme.example",
            "name": "Pat",
            "organization": "acme",
            "site": acme_hq.public_id,
            "phone": "(617) 555-0142",
            "is_vip": True,
        },
    )
    assert made.status_code == 201, made.json()
    pat = made.json()
    assert pat["email"] == "pat@acme.example" and pat["phone_e164"] == "+16175550142"
    assert pat["site"] == {"public_id": acme_hq.public_id, "name": "HQ"} and pat["is_vip"]
    url = f"{BASE}/contacts/{pat['public_id']}"
    changed = as_lim.patch(url, {"mobile": "+44 7700 900456", "site": None}).json()
    assert changed["mobile_e164"] == "+447700900456" and changed["site"] is None
    assert changed["name"] == "Pat"
    assert as_alice.post(f"{url}/deactivate").json()["is_active"] is False
    assert as_alice.get(f"{BASE}/contacts").json()["items"] == []
    listed = as_alice.get(f"{BASE}/contacts", {"active": "false"}).json()["items"]
    assert [c["email"] for c in listed] == ["pat@acme.example"]
    assert as_alice.post(f"{url}/reactivate").json()["is_active"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "nope", "organization": "acme"}, "email"),
        ({"email": "a@acme.example", "organization": "nowhere"}, "organization"),
        ({"email": "a@acme.example", "organization": "globex"}, "organization"),
        ({"email": "a@acme.example", "organization": "acme", "site": "zzz"}, "site"),
        ({"email": "a@acme.example", "organization": "acme", "phone": "abc"}, "phone"),
        ({"email": "a@acme.example", "organization": "acme", "colour": "red"}, "colour"),
        ({"email": "carol@acme.example", "organization": "acme"}, "email"),
    ],
)
def test_bad_contact_input_is_422_naming_the_field(as_lim, carol, globex, body, field):
    answer = as_lim.post(f"{BASE}/contacts", body)
    assert answer.status_code == 422, answer.json()
    assert answer.json()["field"] == field


def test_a_contacts_tickets_newest_first(as_alice, as_lim, carol, dave, make_ticket):
    first = make_ticket(carol, subject="One")
    second = make_ticket(carol, subject="Two")
    make_ticket(dave, subject="Not hers")
    items = as_lim.get(f"{BASE}/contacts/{carol.public_id}/tickets").json()["items"]
    assert [t["number"] for t in items] == [second.number, first.number]
    assert items[0]["organization"]["slug"] == "acme"


def test_the_import_dry_run_and_apply(as_alice, as_lim, acme, globex, carol):
    text = "email,full_name,client\nnew@acme.example,New,acme\nx@globex.example,X,globex\n"
    dry = as_lim.post(f"{BASE}/contacts/import", {"csv": text})
    body = dry.json()
    assert dry.status_code == 200 and body["dry_run"] and not body["applied"]
    assert [(r["line"], r["action"]) for r in body["rows"]] == [(2, "create"), (3, "error")]
    assert body["rows"][1]["message"] == "no client 'globex' among the clients you serve"
    assert not User.objects.filter(email="new@acme.example").exists()
    done = as_lim.post(f"{BASE}/contacts/import", {"csv": text, "dry_run": False}).json()
    assert done["applied"] and (done["created"], done["errors"]) == (1, 1)
    assert User.objects.filter(email="new@acme.example").exists()
    bad = as_alice.post(f"{BASE}/contacts/import", {"csv": "name\nx\n"})
    assert bad.status_code == 422 and bad.json()["field"] == "csv"


def test_clients_and_sites(as_admin, as_alice, acme, acme_hq, globex, admin_serving):
    assert as_alice.post(f"{BASE}/clients", {"name": "Initech"}).status_code == 403
    made = as_admin.post(
        f"{BASE}/clients", {"name": "Initech", "timezone": "Europe/Paris", "notes": "VPN only"}
    )
    assert made.status_code == 201 and made.json()["slug"] == "initech"
    assert as_alice.patch(f"{BASE}/clients/acme", {"notes": "x"}).status_code == 403
    changed = as_admin.patch(f"{BASE}/clients/acme", {"email_domains": "acme.example"})
    assert changed.json()["email_domains"] == "acme.example"
    bad = as_admin.patch(f"{BASE}/clients/acme", {"timezone": "Mars/Base"})
    assert bad.status_code == 422 and bad.json()["field"] == "timezone"
    site = as_admin.post(
        f"{BASE}/clients/acme/sites", {"name": "Lab", "latitude": 42.3, "longitude": -71.1}
    )
    assert site.status_code == 201 and site.json()["timezone"] == "America/New_York"
    sid = site.json()["public_id"]
    patched = as_admin.patch(f"{BASE}/sites/{sid}", {"access_notes": "Badge at desk"}).json()
    assert patched["access_notes"] == "Badge at desk" and patched["latitude"] == 42.3
    names = [s["name"] for s in as_alice.get(f"{BASE}/clients/acme/sites").json()["items"]]
    assert names == ["HQ", "Lab"]
    acme_admin = client_for(admin_serving(acme, email="aa@msp.example"))
    assert acme_admin.get(f"{BASE}/clients/globex").status_code == 404
    assert acme_admin.patch(f"{BASE}/clients/globex", {"notes": "x"}).status_code == 404
    assert acme_admin.patch(f"{BASE}/sites/{sid}", {"name": "Lab 2"}).status_code == 200


def test_agents_and_teams(as_admin, as_alice, admin, alice, helpdesk, acme):
    assert as_alice.get(f"{BASE}/agents").status_code == 403
    assert as_alice.post(f"{BASE}/teams", {"name": "Mine"}).status_code == 403
    made = as_admin.post(
        f"{BASE}/agents",
        {
            "email": "nina@msp.example",
            "name": "Nina",
            "tier": "L2",
            "teams": [helpdesk.slug],
            "served_organizations": ["acme"],
        },
    )
    assert made.status_code == 201, made.json()
    nina = made.json()
    assert nina["teams"] == [{"slug": helpdesk.slug, "name": helpdesk.name}]
    assert nina["served_organizations"] == [{"slug": "acme", "name": "Acme Corp"}]
    url = f"{BASE}/agents/{nina['public_id']}"
    changed = as_admin.patch(url, {"tier": "L3", "served_organizations": []}).json()
    assert changed["tier"] == "L3" and changed["served_organizations"] == []
    bad = as_admin.patch(url, {"teams": ["no-such-team"]})
    assert bad.status_code == 422 and bad.json()["field"] == "teams"
    assert as_admin.post(f"{url}/deactivate").json()["is_active"] is False
    own = as_admin.post(f"{BASE}/agents/{admin.public_id}/deactivate")
    assert own.status_code == 422 and own.json()["field"] == "is_active"
    emails = {a["email"] for a in as_admin.get(f"{BASE}/agents").json()["items"]}
    assert {"nina@msp.example", alice.email, admin.email} <= emails
    team = as_admin.post(
        f"{BASE}/teams", {"name": "Onsite", "tier": "L2", "lead": alice.public_id}
    ).json()
    assert team["lead"]["public_id"] == alice.public_id
    assert [m["public_id"] for m in team["members"]] == [alice.public_id]
    renamed = as_admin.patch(f"{BASE}/teams/{team['slug']}", {"name": "Field", "lead": None})
    assert renamed.json()["name"] == "Field" and renamed.json()["lead"] is None
    assert Team.objects.get(slug=team["slug"]).name == "Field"
    listed = as_admin.get(f"{BASE}/teams").json()["items"]
    assert "Field" in {t["name"] for t in listed}
