"""The directory pages: contacts (htmx search), a contact's tickets, create/edit/deactivate,
the CSV import preview and apply, clients and sites, agents and teams; tenancy on each."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from deskside.accounts.models import Organization, Site, Team, User
from tests.conftest import login


@pytest.fixture
def web_alice(alice):
    return login(alice)


@pytest.fixture
def web_lim(lim):
    return login(lim)


def test_the_contact_list_and_its_htmx_search(web_alice, carol, dave):
    page = web_alice.get("/directory/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Carol Customer" in html and "Dave Other" in html
    assert 'href="/directory/"' in web_alice.get("/tickets/").content.decode()  # the nav link
    part = web_alice.get("/directory/?q=carol", headers={"HX-Request": "true"})
    html = part.content.decode()
    assert html.startswith('<div id="contact-results"') and "<html" not in html
    assert "Carol Customer" in html and "Dave Other" not in html
    by_client = web_alice.get("/directory/?client=globex").content.decode()
    assert "Dave Other" in by_client and "Carol Customer" not in by_client


def test_search_by_phone_in_any_format(web_alice, alice, carol):
    from deskside.directory import services  # noqa: PLC0415 - keeps the fixtures first

    services.update_contact(actor=alice, contact=carol, phone="+1 617-555-0199")
    html = web_alice.get("/directory/?q=(617) 555 0199").content.decode()
    assert "Carol Customer" in html


def test_an_agent_limited_to_acme_sees_only_acme(web_lim, carol, dave, globex_site):
    html = web_lim.get("/directory/").content.decode()
    assert "Carol Customer" in html and "Dave Other" not in html
    assert web_lim.get("/directory/?client=globex").status_code == 200
    assert "Dave Other" not in web_lim.get("/directory/?client=globex").content.decode()
    assert web_lim.get(f"/directory/contacts/{dave.public_id}/").status_code == 404
    assert web_lim.get(f"/directory/contacts/{dave.public_id}/edit/").status_code == 404
    post = web_lim.post(f"/directory/contacts/{dave.public_id}/edit/", {"email": "x@y.example"})
    assert post.status_code == 404
    assert web_lim.post(f"/directory/contacts/{dave.public_id}/active/").status_code == 404
    assert web_lim.get("/directory/clients/globex/").status_code == 404
    assert "Globex" not in web_lim.get("/directory/clients/").content.decode()
    new = web_lim.get("/directory/contacts/new/").content.decode()
    assert "globex" not in new and globex_site.public_id not in new
    refused = web_lim.post(
        "/directory/contacts/new/", {"email": "x@globex.example", "organization": "globex"}
    )
    assert refused.status_code == 422
    assert not User.objects.filter(email="x@globex.example").exists()
    dave.refresh_from_db()
    assert dave.is_active


def test_customers_never_reach_the_directory(carol):
    web = login(carol)
    assert web.get("/directory/").status_code == 302
    assert web.get("/directory/clients/acme/").status_code == 302
    assert web.post("/directory/contacts/new/", {"email": "x@acme.example"}).status_code == 403
    assert web.post(f"/directory/contacts/{carol.public_id}/active/").status_code == 403
    assert web.post("/directory/contacts/import/").status_code == 403


def test_a_contact_page_lists_their_tickets_newest_first(web_alice, carol, make_ticket):
    first = make_ticket(carol, subject="First problem")
    second = make_ticket(carol, subject="Second problem")
    html = web_alice.get(f"/directory/contacts/{carol.public_id}/").content.decode()
    assert html.index(second.number) < html.index(first.number)
    assert "carol@acme.example" in html and "HQ" in html


def test_create_edit_and_deactivate_a_contact(web_alice, acme, acme_hq, carol):
    bad = web_alice.post(
        "/directory/contacts/new/",
        {"email": "pat@acme.example", "organization": "acme", "phone": "not a number"},
    )
    assert bad.status_code == 422 and "is not a phone number" in bad.content.decode()
    made = web_alice.post(
        "/directory/contacts/new/",
        {
            "full_name": "Pat Caller",
            "email": "pat@acme.example",
            "organization": "acme",
            "site": acme_hq.public_id,
            "phone": "617 555 0111",
            "is_vip": "on",
        },
    )
    pat = User.objects.get(email="pat@acme.example")
    assert made.status_code == 302 and made["Location"] == f"/directory/contacts/{pat.public_id}/"
    assert pat.is_vip and pat.site == acme_hq
    edited = web_alice.post(
        f"/directory/contacts/{pat.public_id}/edit/",
        {"full_name": "Pat C.", "email": "pat@acme.example", "organization": "acme"},
    )
    assert edited.status_code == 302
    pat.refresh_from_db()
    assert pat.full_name == "Pat C." and pat.site is None and not pat.is_vip
    web_alice.post(f"/directory/contacts/{pat.public_id}/active/", {"active": "0"})
    pat.refresh_from_db()
    assert not pat.is_active
    row = f'id="contact-{pat.public_id}"'
    assert row not in web_alice.get("/directory/").content.decode()
    assert row in web_alice.get("/directory/?state=inactive").content.decode()
    web_alice.post(f"/directory/contacts/{pat.public_id}/active/", {"active": "1"})
    pat.refresh_from_db()
    assert pat.is_active


def test_the_import_preview_then_apply(web_alice, acme, acme_hq, carol):
    upload = SimpleUploadedFile(
        "callers.csv",
        b"email,full_name,client,site\nnew@acme.example,New One,acme,HQ\nbad,,acme,\n",
        content_type="text/csv",
    )
    preview = web_alice.post("/directory/contacts/import/", {"file": upload})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "will create" in html and "error: &#x27;bad&#x27; is not a valid email address" in html
    assert not User.objects.filter(email="new@acme.example").exists()
    data = preview.context["apply"]["data"].value()
    done = web_alice.post("/directory/contacts/import/apply/", {"data": data, "name": "x.csv"})
    html = done.content.decode()
    assert "1 created, 0 updated, 0 unchanged, 1 refused" in html
    assert "not imported: &#x27;bad&#x27;" in html
    assert User.objects.get(email="new@acme.example").site == acme_hq


def test_a_file_that_cannot_be_read_is_a_form_error(web_alice, acme):
    upload = SimpleUploadedFile("x.csv", "email,client\nü,acme\n".encode("utf-16"))
    page = web_alice.post("/directory/contacts/import/", {"file": upload})
    assert page.status_code == 422 and "not UTF-8" in page.content.decode()
    broken = web_alice.post("/directory/contacts/import/apply/", {"data": "!!!"})
    assert broken.status_code == 302 and broken["Location"] == "/directory/contacts/import/"


def test_clients_and_sites_for_administrators(web_admin, alice, acme, acme_hq):
    web = login(alice)
    assert web.get("/directory/clients/acme/").status_code == 200
    assert web.get("/directory/clients/acme/edit/").status_code == 403
    assert web.post("/directory/clients/new/", {"name": "X"}).status_code == 403
    assert web.get(f"/directory/sites/{acme_hq.public_id}/edit/").status_code == 403
    made = web_admin.post(
        "/directory/clients/new/",
        {"name": "Initech", "slug": "", "timezone": "America/Chicago", "email_domains": ""},
    )
    assert made.status_code == 302 and made["Location"] == "/directory/clients/initech/"
    bad = web_admin.post(
        "/directory/clients/acme/edit/",
        {"name": "Acme", "slug": "acme", "timezone": "Nowhere/Land"},
    )
    assert bad.status_code == 422 and "unknown time zone" in bad.content.decode()
    web_admin.post(
        "/directory/clients/acme/sites/new/",
        {"name": "Depot", "latitude": "42.1", "longitude": "-71.2", "access_notes": "Gate 3"},
    )
    depot = Site.objects.get(name="Depot")
    assert depot.organization == acme and depot.timezone == "America/New_York"
    web_admin.post(
        f"/directory/sites/{depot.public_id}/edit/", {"name": "Depot 2", "timezone": "UTC"}
    )
    depot.refresh_from_db()
    assert depot.name == "Depot 2" and depot.timezone == "UTC" and depot.latitude is None
    assert "Depot 2" in web_admin.get("/directory/clients/acme/").content.decode()
    assert Organization.objects.filter(slug="initech").exists()


def test_a_restricted_admin_edits_only_their_clients(acme_admin, globex, globex_site):
    web = login(acme_admin)
    assert web.get("/directory/clients/acme/edit/").status_code == 200
    assert web.get("/directory/clients/globex/edit/").status_code == 404
    assert web.get(f"/directory/sites/{globex_site.public_id}/edit/").status_code == 404
    assert web.get("/directory/agents/new/").status_code == 403


def test_agents_and_teams_for_administrators(web_admin, alice, helpdesk, acme):
    web = login(alice)
    assert web.get("/directory/agents/").status_code == 403
    assert web.get("/directory/teams/").status_code == 403
    assert "Alice Agent" in web_admin.get("/directory/agents/").content.decode()
    made = web_admin.post(
        "/directory/agents/new/",
        {
            "full_name": "Nina New",
            "email": "nina@msp.example",
            "tier": "L2",
            "teams": [helpdesk.slug],
            "served_organizations": ["acme"],
        },
    )
    assert made.status_code == 302
    nina = User.objects.get(email="nina@msp.example")
    assert nina.is_agent and list(nina.served_organizations.all()) == [acme]
    web_admin.post(
        f"/directory/agents/{nina.public_id}/",
        {"full_name": "Nina N.", "email": "nina@msp.example", "tier": "L3", "is_staff": "on"},
    )
    nina.refresh_from_db()
    assert nina.tier == "L3" and nina.is_staff and not nina.served_organizations.exists()
    web_admin.post(f"/directory/agents/{nina.public_id}/active/", {"active": "0"})
    nina.refresh_from_db()
    assert not nina.is_active
    web_admin.post(
        "/directory/teams/new/",
        {"name": "Onsite", "tier": "L2", "lead": alice.public_id, "members": [alice.public_id]},
    )
    team = Team.objects.get(name="Onsite")
    assert team.lead == alice and "Onsite" in web_admin.get("/directory/teams/").content.decode()
    web_admin.post(f"/directory/teams/{team.slug}/", {"name": "Onsite L2", "tier": "L2"})
    team.refresh_from_db()
    assert team.name == "Onsite L2" and team.lead is None and not team.members.exists()


def test_the_site_field_offers_the_chosen_clients_sites(web_lim, acme, acme_hq, globex_site):
    from deskside.accounts import services as accounts  # noqa: PLC0415

    lab = accounts.create_site(organization=acme, name="Lab")
    options = web_lim.get(
        "/directory/contacts/site-options/?organization=acme", headers={"HX-Request": "true"}
    ).content.decode()
    assert acme_hq.public_id in options and lab.public_id in options
    other = web_lim.get("/directory/contacts/site-options/?organization=globex").content.decode()
    assert globex_site.public_id not in other  # not a client Lim serves
    form = web_lim.get("/directory/contacts/new/?client=acme").content.decode()
    assert 'hx-get="/directory/contacts/site-options/"' in form and lab.public_id in form
