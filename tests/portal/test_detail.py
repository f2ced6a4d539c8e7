"""The ticket page: what a customer reads, and what never reaches them."""

from datetime import UTC, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.tickets import services
from deskside.tickets.models import Status


def url(ticket) -> str:
    return reverse("portal:detail", args=[ticket.number])


def test_requester_reads_her_ticket(signed_in, carol, acme_ticket):
    page = signed_in(carol).get(url(acme_ticket))
    assert page.status_code == 200
    assert acme_ticket.number in page.text
    assert "Printer offline on floor 2" in page.text
    assert "It shows offline." in page.text  # the description, on the created event
    assert "Received" in page.text  # status "new" in plain words
    assert "Normal (P3)" in page.text
    assert "Not yet assigned" in page.text


def test_other_clients_ticket_is_404(signed_in, dave, acme_ticket, globex_ticket):
    client = signed_in(dave)
    assert client.get(url(acme_ticket)).status_code == 404
    assert client.get(url(globex_ticket)).status_code == 200


def test_colleagues_ticket_is_404_unless_org_admin(signed_in, erin, olivia, acme_ticket):
    assert signed_in(erin).get(url(acme_ticket)).status_code == 404
    assert signed_in(olivia).get(url(acme_ticket)).status_code == 200


def test_unknown_or_malformed_number_is_404(signed_in, carol, acme_ticket):
    client = signed_in(carol)
    assert client.get("/portal/T-99999999/").status_code == 404
    assert client.get("/portal/not-a-number/").status_code == 404
    # the bare number is accepted too, for someone who typed it by hand
    assert client.get(f"/portal/{acme_ticket.number[2:]}/").status_code == 200


def test_internal_notes_calls_and_triage_never_shown(
    signed_in, alice, leo, carol, desktop_team, acme_ticket
):
    services.add_note(actor=alice, ticket=acme_ticket, body="SECRET-NOTE toner codeword")
    services.log_call(actor=alice, ticket=acme_ticket, minutes=4, body="SECRET-CALL summary")
    services.add_reply(actor=alice, ticket=acme_ticket, body="We are looking into it.")
    services.escalate_ticket(
        actor=alice,
        ticket=acme_ticket,
        tier=Tier.L2,
        symptoms="SECRET-SYMPTOMS paper jam",
        steps_tried="SECRET-STEPS power cycle",
        impact="SECRET-IMPACT one floor",
        team=desktop_team,
        assignee=leo,
    )
    page = signed_in(carol).get(url(acme_ticket))
    assert page.status_code == 200
    assert "SECRET" not in page.text
    assert "We are looking into it." in page.text
    kinds = [entry.event.kind for entry in page.context["timeline"]]
    assert "note" not in kinds and "call" not in kinds and "escalated" not in kinds
    # who works on it: the first name only, never the full name or the tier
    assert "Leo" in page.text
    assert "Leo Field" not in page.text
    assert "Alice Agent" not in page.text


def test_waiting_for_you_and_resolution(signed_in, alice, carol, acme_ticket):
    services.set_status(actor=alice, ticket=acme_ticket, status=Status.PENDING_CUSTOMER)
    page = signed_in(carol).get(url(acme_ticket))
    assert "Waiting for you" in page.text
    assert "pending_customer" not in page.text.replace("status-pending_customer", "")
    services.resolve_ticket(actor=alice, ticket=acme_ticket, resolution="Replaced the fuser")
    page = signed_in(carol).get(url(acme_ticket))
    assert "Replaced the fuser" in page.text
    assert reverse("portal:reopen", args=[acme_ticket.number]) in page.text


def test_close_button_only_for_the_requester(signed_in, carol, olivia, acme_ticket):
    close_url = reverse("portal:close", args=[acme_ticket.number])
    assert close_url in signed_in(carol).get(url(acme_ticket)).text
    assert close_url not in signed_in(olivia).get(url(acme_ticket)).text


def test_times_in_the_customers_time_zone(signed_in, make_ticket, carol):
    carol.timezone = "Asia/Tokyo"
    carol.save(update_fields=["timezone"])
    with clock.frozen(datetime(2025, 1, 15, 0, 30, tzinfo=UTC)):
        ticket = make_ticket(carol)
    page = signed_in(carol).get(url(ticket))
    assert "15 Jan 2025, 09:30 JST" in page.text
    assert "00:30" not in page.text
    listing = signed_in(carol).get(reverse("portal:home"))
    assert "15 Jan 2025, 09:30" in listing.text


def test_unknown_time_zone_falls_back_to_utc(signed_in, make_ticket, carol):
    carol.timezone = "Mars/Olympus"
    carol.save(update_fields=["timezone"])
    with clock.frozen(datetime(2025, 1, 15, 0, 30, tzinfo=UTC)):
        ticket = make_ticket(carol)
    page = signed_in(carol).get(url(ticket))
    assert page.status_code == 200
    assert "15 Jan 2025, 00:30 UTC" in page.text


def test_detail_query_count_does_not_grow_with_timeline(
    signed_in, alice, carol, acme_ticket, django_assert_max_num_queries
):
    client = signed_in(carol)
    services.add_reply(actor=alice, ticket=acme_ticket, body="First answer")
    with CaptureQueriesContext(connection) as ctx:
        client.get(url(acme_ticket))
    for i in range(10):
        services.add_reply(actor=carol if i % 2 else alice, ticket=acme_ticket, body=f"r{i}")
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        assert client.get(url(acme_ticket)).status_code == 200
