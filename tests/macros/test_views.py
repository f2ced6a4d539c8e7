"""The macro pages: the list with usage counts, create, edit, deactivate; the picker on the
ticket page, its preview (htmx and plain) and applying (htmx and plain POST)."""

from django.urls import reverse

from deskside.accounts import services as accounts
from deskside.macros import services
from deskside.macros.models import Macro
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind, Status
from tests import audit_helpers
from tests.conftest import login

HX = {"HTTP_HX_REQUEST": "true"}


def pick_url(ticket, macro=None):
    url = reverse("macros:pick", args=[ticket.number])
    return f"{url}?macro={macro.public_id}" if macro else url


def apply_url(ticket, macro):
    return reverse("macros:apply", args=[ticket.number, macro.public_id])


# -- the list and the set-up -------------------------------------------------------------------


def test_the_list_shows_usable_macros_with_their_usage(
    alice, acme_ticket, waiting_macro, network_macro
):
    services.apply_macro(actor=alice, ticket=acme_ticket, macro=waiting_macro)
    page = login(alice).get(reverse("macros:index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Waiting for your reply" in html and "Firewall checked" not in html
    assert '<span class="usage">1</span>' in html
    assert reverse("macros:edit", args=[waiting_macro.public_id]) not in html  # not hers


def test_customers_never_reach_the_pages(carol, waiting_macro, acme_ticket):
    client = login(carol)
    assert client.get(reverse("macros:index")).status_code == 302  # to the portal
    assert client.post(reverse("macros:new"), {"name": "x"}).status_code == 403
    assert client.post(apply_url(acme_ticket, waiting_macro), {"body": "x"}).status_code == 403


def test_an_administrator_creates_a_macro(admin, leo):
    start = audit_helpers.mark()
    response = login(admin).post(
        reverse("macros:new"),
        {
            "name": "Waiting for your reply",
            "team": "",
            "body": "Hi {{requester.first_name}}",
            "reply_kind": "reply",
            "set_status": "pending_customer",
            "set_priority": "",
            "set_team": "",
            "add_watcher": leo.public_id,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    macro = Macro.objects.get()
    assert (macro.team, macro.set_status, macro.add_watcher) == (None, "pending_customer", leo)
    assert audit_helpers.only(start).action == "created"


def test_an_unknown_placeholder_is_shown_on_the_form(admin):
    response = login(admin).post(
        reverse("macros:new"),
        {"name": "Bad", "body": "Hi {{requester.nickname}}", "reply_kind": "reply"},
    )
    assert response.status_code == 422
    assert "unknown placeholder {{requester.nickname}}" in response.content.decode()
    assert not Macro.objects.exists()


def test_a_team_lead_creates_for_their_team_only(tara, network_team, helpdesk):
    client = login(tara)
    form = client.get(reverse("macros:new")).content.decode()
    team_select = form.split('name="team"', 1)[1].split("</select>", 1)[0]
    assert 'value="network-l3"' in team_select and 'value="help-desk-l1"' not in team_select
    assert "Global (every agent)" not in team_select
    response = client.post(
        reverse("macros:new"),
        {"name": "Mine", "team": helpdesk.slug, "body": "Hi", "reply_kind": "note"},
    )
    assert response.status_code == 422 and not Macro.objects.exists()
    response = client.post(
        reverse("macros:new"),
        {"name": "Mine", "team": network_team.slug, "body": "Hi", "reply_kind": "note"},
    )
    assert response.status_code == 302
    assert Macro.objects.get().team == network_team


def test_an_agent_who_manages_nothing_cannot_create(alice):
    assert login(alice).get(reverse("macros:new")).status_code == 403


def test_edit_needs_the_right_to_manage(alice, tara, waiting_macro, network_macro):
    url = reverse("macros:edit", args=[waiting_macro.public_id])
    assert login(tara).get(url).status_code == 403  # she sees it, but it is global
    other = reverse("macros:edit", args=[network_macro.public_id])
    assert login(alice).get(other).status_code == 404  # another team's: not even shown
    response = login(tara).post(
        other,
        {
            "name": "Firewall checked",
            "team": network_macro.team.slug,
            "body": "Rules checked at {{site.name}}.",
            "reply_kind": "note",
        },
    )
    assert response.status_code == 302
    network_macro.refresh_from_db()
    assert network_macro.body == "Rules checked at {{site.name}}."


def test_deactivate_and_activate_again(admin, alice, waiting_macro):
    client = login(admin)
    url = reverse("macros:active", args=[waiting_macro.public_id])
    start = audit_helpers.mark()
    assert client.post(url, {"active": "0"}).status_code == 302
    waiting_macro.refresh_from_db()
    assert not waiting_macro.is_active
    assert audit_helpers.only(start).after == {"is_active": False}
    assert login(alice).post(url, {"active": "1"}).status_code == 403
    client.post(url, {"active": "1"})
    waiting_macro.refresh_from_db()
    assert waiting_macro.is_active


# -- on the ticket page ------------------------------------------------------------------------


def test_the_ticket_page_offers_the_agents_macros(alice, acme_ticket, waiting_macro, network_macro):
    html = login(alice).get(acme_ticket.get_absolute_url()).content.decode()
    assert 'id="macro-select"' in html
    assert "Waiting for your reply" in html and "Firewall checked" not in html


def test_the_htmx_preview_fills_the_text_for_this_ticket(alice, acme_ticket, waiting_macro):
    response = login(alice).get(pick_url(acme_ticket, waiting_macro), **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="macro-preview"')  # the fragment alone
    assert f"Hi Carol, about {acme_ticket.number}: could you tell us more? Alice" in html
    assert "set status Pending customer" in html and "add watcher Leo Field" in html
    assert acme_ticket.events.count() == 1  # nothing applied


def test_the_preview_says_which_values_are_missing(alice, make_ticket, olivia, network_macro):
    tara_ticket = make_ticket(olivia)  # Olivia has no site
    response = login(network_macro.team.lead).get(pick_url(tara_ticket, network_macro), **HX)
    html = response.content.decode()
    assert "Checked the firewall rules for Acme Corp at ." in html
    assert "No value on this ticket for <code>{{site.name}}</code>" in html


def test_the_plain_preview_is_a_page_of_its_own(alice, acme_ticket, waiting_macro):
    response = login(alice).get(pick_url(acme_ticket, waiting_macro))
    html = response.content.decode()
    assert response.status_code == 200 and "<h1>Use a macro on" in html
    assert "Send with macro" in html


def test_apply_with_htmx_redirects_to_the_ticket(alice, leo, acme_ticket, waiting_macro):
    response = login(alice).post(
        apply_url(acme_ticket, waiting_macro), {"body": "Hi Carol, edited."}, **HX
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == acme_ticket.get_absolute_url()
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.PENDING_CUSTOMER
    assert acme_ticket.events.filter(kind=EventKind.REPLY, body="Hi Carol, edited.").exists()
    waiting_macro.refresh_from_db()
    assert waiting_macro.usage_count == 1


def test_apply_with_a_plain_post_redirects_and_the_timeline_shows_it(
    alice, acme_ticket, waiting_macro
):
    client = login(alice)
    response = client.post(apply_url(acme_ticket, waiting_macro), {"body": "Hi Carol."})
    assert response.status_code == 302 and response.url == acme_ticket.get_absolute_url()
    page = client.get(response.url).content.decode()
    assert "Hi Carol." in page and "applied (4 steps)" in page


def test_a_refused_apply_shows_why_and_does_nothing(alice, acme_ticket, waiting_macro):
    tickets.resolve_ticket(actor=alice, ticket=acme_ticket, resolution="Fixed.")
    count = acme_ticket.events.count()
    client = login(alice)
    htmx = client.post(apply_url(acme_ticket, waiting_macro), {"body": "Hi"}, **HX)
    assert htmx.status_code == 200
    assert "nothing was changed" in htmx.content.decode()
    assert "cannot become pending customer" in htmx.content.decode()
    plain = client.post(apply_url(acme_ticket, waiting_macro), {"body": "Hi"})
    assert plain.status_code == 422
    assert acme_ticket.events.count() == count
    waiting_macro.refresh_from_db()
    assert waiting_macro.usage_count == 0


def test_an_empty_text_is_refused(alice, acme_ticket, waiting_macro):
    response = login(alice).post(apply_url(acme_ticket, waiting_macro), {"body": "  "})
    assert response.status_code == 422
    assert acme_ticket.events.count() == 1


def test_tenancy_on_the_ticket_and_the_macro(
    msp, globex, acme_ticket, waiting_macro, network_macro
):
    limited = accounts.create_user(
        email="gus@msp.example", kind="agent", tier="L1", organization=msp
    )
    limited.served_organizations.set([globex])
    client = login(limited)
    assert client.get(pick_url(acme_ticket, waiting_macro), **HX).status_code == 404
    assert client.post(apply_url(acme_ticket, waiting_macro), {"body": "x"}).status_code == 404
    outsider = login(acme_ticket.created_by)  # Alice: not of the network team
    assert outsider.get(pick_url(acme_ticket, network_macro)).status_code == 404
    assert outsider.post(apply_url(acme_ticket, network_macro), {"body": "x"}).status_code == 404
    assert acme_ticket.events.count() == 1
