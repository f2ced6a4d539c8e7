"""Log a call with caller look-up: the look-up's listbox (htmx and plain), picking a caller,
a new contact taken down in the same submit, a repeat call logged on the caller's open
ticket, and the screen-pop URL a phone system opens. Tenancy at each."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier, User
from deskside.tickets import services
from deskside.tickets.exceptions import InvalidInput
from deskside.tickets.models import EventKind, Ticket
from tests.conftest import login

NEW = reverse("tickets:new")
CALLERS = reverse("tickets:callers")
CONTACTS = reverse("tickets:intake_contacts")
POP = reverse("tickets:screen_pop")


@pytest.fixture
def erin(acme, acme_hq):
    return accounts.create_user(
        email="erin@acme.example",
        full_name="Erin Walsh",
        organization=acme,
        site=acme_hq,
        phone="(555) 010-0123",
        is_vip=True,
    )


@pytest.fixture
def gus(globex):
    return accounts.create_user(
        email="gus@globex.example", full_name="Gus Grant", organization=globex, phone="555 010 0199"
    )


@pytest.fixture
def rita(msp, acme):
    """An L1 agent who serves only Acme."""
    user = accounts.create_user(
        email="rita@msp.example",
        full_name="Rita Restricted",
        password="rita-pass-123",
        kind="agent",
        tier=Tier.L1,
        organization=msp,
    )
    user.served_organizations.set([acme])
    return user


@pytest.fixture
def web_alice(alice):
    return login(alice)


def call_form(**fields):
    data = {
        "organization": "acme",
        "requester": "",
        "site": "",
        "channel": "phone",
        "subject": "Outlook keeps asking for a password",
        "description": "Since this morning.",
        "priority": "P3",
        "type": "incident",
        "minutes": "4",
        "resolution": "",
        "q": "",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
    }
    data.update(fields)
    return data


# -- the look-up -------------------------------------------------------------------------------


def test_the_page_has_the_lookup_box_as_a_combobox(web_alice):
    page = web_alice.get(NEW).content.decode()
    assert 'role="combobox"' in page and 'aria-controls="caller-results"' in page
    assert "deskside/caller.js" in page
    assert 'id="new-contact"' in page and "New contact" in page


def test_htmx_lookup_answers_the_listbox_with_vip_and_open_tickets(
    web_alice, erin, gus, make_ticket
):
    make_ticket(erin, subject="VPN down")
    response = web_alice.get(CALLERS, {"q": "(555) 010-0123"}, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert response.status_code == 200 and "<html" not in text
    assert 'role="listbox"' in text and 'role="option"' in text
    assert f'data-caller="{erin.public_id}"' in text and 'data-organization="acme"' in text
    assert "VIP" in text and "1 open" in text
    assert gus.public_id not in text


def test_htmx_lookup_says_when_nobody_matches(web_alice, erin):
    text = web_alice.get(CALLERS, {"q": "zed"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Nobody matches" in text and 'role="option"' not in text
    assert web_alice.get(CALLERS, {"q": ""}).content.decode().count("<li") == 0


def test_restricted_agent_finds_no_contact_of_another_client(rita, erin, gus):
    web = login(rita)
    for q in ("555 010 0199", "+15550100199", "gus", "grant", "gus@globex", "globex"):
        text = web.get(CALLERS, {"q": q}, HTTP_HX_REQUEST="true").content.decode()
        assert gus.public_id not in text, q
        text = web.get(NEW, {"q": q}).content.decode()
        assert gus.public_id not in text, q
    assert erin.public_id in web.get(CALLERS, {"q": "erin"}).content.decode()


def test_plain_lookup_renders_the_page_with_links_to_pick_a_caller(web_alice, erin):
    page = web_alice.get(NEW, {"q": "walsh", "subject": "Typed before looking up"})
    text = page.content.decode()
    assert page.status_code == 200
    assert f"{NEW}?caller={erin.public_id}" in text  # the no-JavaScript choice
    assert "Typed before looking up" in text  # what was typed stays


def test_picking_a_caller_chooses_client_and_requester_and_shows_open_tickets(
    web_alice, alice, erin, make_ticket
):
    ticket = make_ticket(erin, subject="Printer jams")
    closed = make_ticket(erin, subject="Old one")
    services.resolve_ticket(actor=alice, ticket=closed, resolution="Fixed")
    text = web_alice.get(NEW, {"caller": erin.public_id}).content.decode()
    assert f'<option value="{erin.public_id}" selected>' in text
    assert '<option value="acme" selected>' in text
    assert "VIP caller" in text
    assert f"Log this call on {ticket.number}" in text and "Printer jams" in text
    assert "Old one" not in text  # resolved: not open


def test_contacts_fragment_with_a_requester_swaps_in_their_open_tickets(
    web_alice, erin, make_ticket
):
    ticket = make_ticket(erin, subject="Printer jams")
    response = web_alice.get(CONTACTS, {"requester": erin.public_id}, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert f'<option value="{erin.public_id}" selected>' in text
    assert 'id="caller-tickets"' in text and 'hx-swap-oob="true"' in text
    assert f"Log this call on {ticket.number}" in text


def test_a_caller_of_an_unserved_client_cannot_be_picked(rita, gus, make_ticket):
    ticket = make_ticket(gus, subject="Globex secret")
    web = login(rita)
    for response in (
        web.get(NEW, {"caller": gus.public_id}),
        web.get(CONTACTS, {"requester": gus.public_id}, HTTP_HX_REQUEST="true"),
    ):
        text = response.content.decode()
        assert gus.public_id not in text and ticket.number not in text


# -- logging the call --------------------------------------------------------------------------


def test_a_new_contact_and_their_ticket_in_one_submit(web_alice, alice, acme, acme_hq):
    response = web_alice.post(
        NEW,
        call_form(
            site=acme_hq.public_id,
            contact_name="Nina New",
            contact_email="Nina@Acme.example",
            contact_phone="555.010.0777",
        ),
    )
    assert response.status_code == 302
    nina = User.objects.get(email="nina@acme.example")
    assert (nina.full_name, nina.organization, nina.site, nina.kind) == (
        "Nina New",
        acme,
        acme_hq,
        "customer",
    )
    assert nina.phone_e164 == "+15550100777" and not nina.has_usable_password()
    ticket = Ticket.objects.get(requester=nina)
    assert response["Location"] == ticket.get_absolute_url()
    assert ticket.assignee == alice and ticket.channel == "phone"
    assert ticket.events.filter(kind=EventKind.CALL, data__minutes=4).exists()


def test_errors_keep_everything_typed_and_add_nobody(web_alice, carol):
    form = call_form(
        contact_name="Nina New",
        contact_email="not-an-email",
        contact_phone="555.010.0777",
        subject="Typed subject",
        q="nina",
    )
    response = web_alice.post(NEW, form)
    text = response.content.decode()
    assert response.status_code == 422
    assert "not a valid email address" in text
    for typed in ("Nina New", "not-an-email", "555.010.0777", "Typed subject", 'value="nina"'):
        assert typed in text, typed
    assert '<details class="new-contact" id="new-contact" open>' in text
    assert not User.objects.filter(full_name="Nina New").exists()
    assert not Ticket.objects.filter(subject="Typed subject").exists()


def test_a_taken_email_is_an_error_on_the_contact_email(web_alice, carol):
    response = web_alice.post(
        NEW, call_form(contact_name="Carol Again", contact_email="carol@acme.example")
    )
    assert response.status_code == 422
    assert "a user with email carol@acme.example exists" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_a_bad_phone_number_is_refused(web_alice, acme):
    response = web_alice.post(
        NEW, call_form(contact_name="Nina", contact_email="n@acme.example", contact_phone="12")
    )
    assert response.status_code == 422 and "is not a phone number" in response.content.decode()
    assert not User.objects.filter(email="n@acme.example").exists()


def test_neither_a_caller_nor_a_new_contact_is_an_error(web_alice, acme):
    response = web_alice.post(NEW, call_form())
    assert response.status_code == 422
    assert "Choose the caller, or take down a new contact below." in response.content.decode()
    text = web_alice.post(NEW, call_form(contact_phone="555 010 0777")).content.decode()
    assert "A new contact needs a name." in text and "A new contact needs an email." in text


def test_a_known_caller_wins_over_contact_fields(web_alice, carol):
    response = web_alice.post(
        NEW, call_form(requester=carol.public_id, contact_name="Ignored", contact_email="")
    )
    assert response.status_code == 302
    assert Ticket.objects.get().requester == carol
    assert not User.objects.filter(full_name="Ignored").exists()


def test_restricted_agent_cannot_add_a_contact_to_an_unserved_client(rita, globex):
    response = login(rita).post(
        NEW,
        call_form(organization="globex", contact_name="Spy", contact_email="spy@globex.example"),
    )
    assert response.status_code == 422
    assert not User.objects.filter(email="spy@globex.example").exists()


def test_the_service_refuses_an_unserved_client_itself(rita, globex):
    with pytest.raises(InvalidInput) as caught:
        services.intake_call_new_contact(
            actor=rita,
            organization=globex,
            contact=services.NewContact(full_name="Spy", email="spy@globex.example"),
            subject="x",
        )
    assert caught.value.field == "organization"
    assert not User.objects.filter(email="spy@globex.example").exists()


def test_a_refused_ticket_adds_no_contact(alice, acme):
    with pytest.raises(InvalidInput):
        services.intake_call_new_contact(
            actor=alice,
            organization=acme,
            contact=services.NewContact(full_name="Nina", email="nina@acme.example"),
            subject="",  # a ticket needs a subject
        )
    assert not User.objects.filter(email="nina@acme.example").exists()


def test_a_repeat_call_is_logged_on_the_open_ticket(web_alice, carol, make_ticket):
    ticket = make_ticket(carol)
    response = web_alice.post(
        NEW,
        call_form(
            requester=carol.public_id,
            subject="",
            description="She called again: still offline.",
            minutes="3",
            log_on=ticket.number,
        ),
    )
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    call = ticket.events.filter(kind=EventKind.CALL).latest("id")
    assert call.body == "She called again: still offline." and call.data["minutes"] == 3
    assert Ticket.objects.count() == 1  # no new ticket


def test_a_repeat_call_needs_a_summary(web_alice, carol, make_ticket):
    ticket = make_ticket(carol)
    before = ticket.events.count()
    response = web_alice.post(
        NEW,
        call_form(requester=carol.public_id, subject="", description="", log_on=ticket.number),
    )
    assert response.status_code == 422
    assert "Write what the call was about" in response.content.decode()
    assert ticket.events.count() == before


def test_a_repeat_call_on_an_unserved_clients_ticket_is_not_found(rita, make_ticket, dave):
    ticket = make_ticket(dave)
    before = ticket.events.count()
    response = login(rita).post(
        NEW, call_form(organization="globex", subject="x", log_on=ticket.number)
    )
    assert response.status_code == 404
    assert ticket.events.count() == before


# -- the screen-pop ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "phone=+15550100123",  # as phone systems send it, the plus not encoded
        "phone=%2B15550100123",
        "phone=%2B1+555+010+0123",  # form-encoded spaces
        "phone=(555)%20010-0123",
        "phone=tel:%2B15550100123",
        "phone=555.010.0123",
    ],
)
def test_screen_pop_with_one_match_opens_the_form_with_that_caller(web_alice, erin, query):
    text = web_alice.get(f"{POP}?{query}").content.decode()
    assert f'<option value="{erin.public_id}" selected>' in text
    assert '<option value="acme" selected>' in text
    assert "VIP caller" in text and "Erin Walsh" in text


def test_screen_pop_with_several_matches_offers_the_choice(web_alice, erin, acme):
    twin = accounts.create_user(
        email="twin@acme.example", full_name="Erin Twin", organization=acme, mobile="5550100123"
    )
    text = web_alice.get(POP, {"phone": "+15550100123"}).content.decode()
    assert 'role="listbox"' in text
    assert f'data-caller="{erin.public_id}"' in text and f'data-caller="{twin.public_id}"' in text
    assert "selected>Erin" not in text


def test_screen_pop_for_an_unknown_number_opens_the_new_contact_form(web_alice, erin):
    text = web_alice.get(f"{POP}?phone=+15550100999").content.decode()
    assert '<details class="new-contact" id="new-contact" open>' in text
    assert 'value="+1 555-010-0999"' in text
    assert "Nobody matches" in text


def test_screen_pop_never_finds_a_contact_of_an_unserved_client(rita, gus):
    text = login(rita).get(f"{POP}?phone=+15550100199").content.decode()
    assert gus.public_id not in text and "Gus Grant" not in text
    assert '<details class="new-contact" id="new-contact" open>' in text


def test_screen_pop_sends_a_signed_out_agent_through_sign_in_and_back(client, alice, erin):
    target = f"{POP}?phone=+15550100123"
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={quote(target, safe='/')}"
    client.force_login(alice)
    text = client.get(target).content.decode()
    assert f'<option value="{erin.public_id}" selected>' in text


def test_screen_pop_is_for_agents(client, carol, erin):
    client.force_login(carol)
    response = client.get(f"{POP}?phone=+15550100123")
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
