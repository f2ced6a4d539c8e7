"""The handover pages: the current handover per team, one handover (checklist by htmx,
sign-off, acknowledgement, feedback), the history search, the ticket page's include, and
tenancy (customers see none of it; an agent serving Globex sees only Globex's tickets)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from deskside.handovers import services
from deskside.handovers.models import Handover
from deskside.rosters.models import Cover
from tests.handovers.conftest import T0

pytestmark = pytest.mark.django_db


def url(name, handover, *args):
    return reverse(f"handovers:{name}", args=[handover.public_id, *args])


def test_customers_see_none_of_it(handover, carol, signed_in, acme_ticket):
    client = signed_in(carol)
    for path in (reverse("handovers:index"), reverse("handovers:history"), url("detail", handover)):
        response = client.get(path)
        assert response.status_code in (302, 403, 404)
        assert b"Early" not in response.content
    assert client.post(url("sign_off", handover)).status_code == 403
    assert Handover.objects.get().status == "open"


def test_the_index_shows_each_teams_current_handover(handover, alice, signed_in):
    page = signed_in(alice).get(reverse("handovers:index"))
    assert page.status_code == 200
    assert b"Early \xe2\x86\x92 Late" in page.content
    assert url("detail", handover).encode() in page.content


def test_the_agent_who_signed_off_gets_no_acknowledge_button_and_a_refusal(
    handover, alice, bob, signed_in, at
):
    at(T0 + timedelta(minutes=2))
    client = signed_in(alice)
    signed = client.post(url("sign_off", handover), follow=True)
    assert b"Signed off by Alice Agent" in signed.content
    assert url("acknowledge", handover).encode() not in signed.content
    assert b'id="own-sign-off"' in signed.content
    refused = client.post(url("acknowledge", handover), follow=True)
    assert b"someone of the incoming shift must acknowledge it" in refused.content
    assert Handover.objects.get().status == "signed_off"
    incoming = signed_in(bob).get(url("detail", handover))
    assert url("acknowledge", handover).encode() in incoming.content
    assert b'id="own-sign-off"' not in incoming.content


def test_a_one_person_desk_working_on_sees_the_acknowledge_button(
    handover, roster, alice, signed_in, at
):
    Cover.objects.create(
        roster=roster, user=alice, code="L", starts_at=T0, ends_at=T0 + timedelta(hours=8)
    )
    at(T0 + timedelta(minutes=2))
    client = signed_in(alice)
    signed = client.post(url("sign_off", handover), follow=True)
    assert url("acknowledge", handover).encode() in signed.content
    done = client.post(url("acknowledge", handover), follow=True)
    assert b"Acknowledged by Alice Agent" in done.content


def test_the_outgoing_agent_ticks_the_checklist_signs_off_and_the_incoming_acknowledges(
    handover, alice, bob, lena, signed_in, at
):
    item = services.add_checklist_item(actor=lena, team=handover.team, phase="post", text="Log out")
    at(T0 + timedelta(minutes=2))
    client = signed_in(alice)
    page = client.get(url("detail", handover))
    assert b"Sign-off needs every required item done: Log out" in page.content
    client.post(url("sign_off", handover))
    assert Handover.objects.get().status == "open"
    ticked = client.post(
        url("check", handover, item.public_id), {"done": "1"}, HTTP_HX_REQUEST="true", follow=True
    )
    assert b"\xe2\x9c\x93 Done" in ticked.content
    client.post(url("notes", handover), {"notes": "Quiet shift. @bob watch T-1"})
    signed = client.post(url("sign_off", handover), follow=True)
    assert b"Signed off" in signed.content
    bob_client = signed_in(bob)
    acknowledged = bob_client.post(url("acknowledge", handover), follow=True)
    assert b"Acknowledged by Bob Late" in acknowledged.content
    bob_client.post(url("feedback", handover), {"fb-body": "Thanks, all clear"})
    handover.refresh_from_db()
    assert handover.status == "acknowledged"
    assert handover.feedback.get().body == "Thanks, all clear"


def test_a_bad_form_answers_422_with_the_error(handover, alice, signed_in):
    response = signed_in(alice).post(url("feedback", handover), {"fb-body": ""})
    assert response.status_code == 422
    assert b"This field is required" in response.content


def test_an_agent_serving_only_globex_sees_only_globex_tickets(
    handover, alice, gus, signed_in, acme_ticket, globex_ticket, at
):
    services.add_ticket_note(
        actor=alice, handover=handover, number=acme_ticket.number, body="acme secret note"
    )
    services.add_ticket_note(
        actor=alice, handover=handover, number=globex_ticket.number, body="globex note"
    )
    page = signed_in(gus).get(url("detail", handover))
    assert b"globex note" in page.content
    assert b"acme secret note" not in page.content
    assert acme_ticket.number.encode() not in page.content
    full = signed_in(alice).get(url("detail", handover))
    assert b"acme secret note" in full.content


def test_the_history_searches_text_team_day_and_person(
    handover, alice, bob, signed_in, globex_ticket
):
    services.set_notes(actor=alice, handover=handover, notes="Switch in rack 4 replaced")
    client = signed_in(alice)
    history = reverse("handovers:history")

    def found(**params):
        return url("detail", handover).encode() in client.get(history, params).content

    assert found(q="rack 4")
    assert not found(q="nothing like it")
    assert found(team=handover.team.slug)
    assert not found(team="network-l3")
    assert found(day="2026-03-02")
    assert not found(day="2026-03-03")
    assert found(person="bob@msp.example")
    assert not found(person="leo@msp.example")
    services.add_ticket_note(
        actor=alice, handover=handover, number=globex_ticket.number, body="firmware 7.2"
    )
    assert found(q="firmware")


def test_a_tickets_page_shows_the_handover_notes_that_mention_it(
    handover, alice, signed_in, acme_ticket
):
    services.add_ticket_note(
        actor=alice, handover=handover, number=acme_ticket.number, body="Waiting on the vendor"
    )
    page = signed_in(alice).get(reverse("tickets:detail", args=[acme_ticket.number]))
    assert b"In shift handovers" in page.content
    assert b"Waiting on the vendor" in page.content


def test_the_detail_page_costs_a_bounded_number_of_queries(
    handover, alice, signed_in, django_assert_max_num_queries
):
    client = signed_in(alice)
    client.get(url("detail", handover))
    with django_assert_max_num_queries(40):
        assert client.get(url("detail", handover)).status_code == 200


def test_the_history_does_not_search_notes_on_tickets_the_viewer_cannot_open(
    handover, alice, gus, signed_in, acme_ticket
):
    services.add_ticket_note(
        actor=alice, handover=handover, number=acme_ticket.number, body="acme firewall swap"
    )
    history = reverse("handovers:history")
    link = url("detail", handover).encode()
    assert link in signed_in(alice).get(history, {"q": "firewall"}).content
    assert link not in signed_in(gus).get(history, {"q": "firewall"}).content


def test_overall_notes_naming_a_ticket_show_on_its_page_and_not_on_a_longer_number(
    handover, alice, signed_in, acme_ticket
):
    services.set_notes(actor=alice, handover=handover, notes=f"Chase {acme_ticket.number}9 today")
    page = signed_in(alice).get(reverse("tickets:detail", args=[acme_ticket.number]))
    assert b"In shift handovers" not in page.content
    services.set_notes(actor=alice, handover=handover, notes=f"Chase {acme_ticket.number} today")
    page = signed_in(alice).get(reverse("tickets:detail", args=[acme_ticket.number]))
    assert b"Chase" in page.content
