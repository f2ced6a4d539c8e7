"""The live pages' pollers: the queue's new-ticket count and the ticket page's changes and
presence, with tenancy (a restricted agent never counts or sees another client's tickets; a
customer gets 403) and 204 when nothing changed."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deskside.core import clock
from deskside.live import services as live
from deskside.live.exceptions import NotAllowed
from deskside.live.models import Presence
from deskside.live.queries import newest_ticket_id
from deskside.tickets import services
from deskside.tickets.models import Priority, Status
from deskside.tickets.queries import ticket_version
from tests.conftest import login

T0 = datetime(2026, 12, 9, 14, 0, tzinfo=UTC)
QUEUE_POLL = "/live/queue/"


def ticket_poll(ticket):
    return reverse("live:ticket_poll", args=[ticket.number])


@pytest.fixture
def restricted(leo, globex):
    """Leo, serving only Globex."""
    leo.served_organizations.set([globex])
    return type(leo).objects.get(pk=leo.pk)


# -- the queue ---------------------------------------------------------------------------------


def test_the_queue_page_has_the_poller_starting_at_the_newest_ticket(
    make_ticket, acme_ticket, dave, alice
):
    newest = make_ticket(dave, subject="Newest")
    page = login(alice)
    html = page.get(reverse("tickets:queue")).content.decode()
    assert 'id="live-queue"' in html
    assert f'"after": "{newest.pk}"' in html
    assert 'hx-trigger="every 10s, live-poll"' in html
    # another sort or page: the newest ticket of all, whatever the page shows
    html = page.get(reverse("tickets:queue"), {"sort": "oldest"}).content.decode()
    assert f'"after": "{newest_ticket_id()}"' in html
    html = page.get(reverse("tickets:queue"), {"organization": "acme"}).content.decode()
    assert f'"after": "{acme_ticket.pk}"' in html  # the newest this queue shows


def test_the_queue_poll_counts_newer_tickets_of_the_queue(
    make_ticket, carol, dave, alice, acme_ticket
):
    after = newest_ticket_id()
    page = login(alice)
    assert page.get(QUEUE_POLL, {"after": after, "shown": 0}).status_code == 204
    make_ticket(carol, subject="New one")
    make_ticket(dave, subject="Another", priority=Priority.P1)
    response = page.get(QUEUE_POLL, {"after": after, "shown": 0, "queue": "open"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 new tickets · show them" in html
    assert '"shown": "2"' in html  # the next poll says what the page shows now
    assert 'href="/tickets/?queue=open"' in html
    # nothing new since: no template rendered
    assert page.get(QUEUE_POLL, {"after": after, "shown": 2}).status_code == 204
    # with the page's filters
    response = page.get(QUEUE_POLL, {"after": after, "shown": 0, "priority": "P1"})
    assert "1 new ticket · show it" in response.content.decode()
    assert "priority=P1" in response.content.decode()
    response = page.get(QUEUE_POLL, {"after": after, "shown": 0, "queue": "mine"})
    assert response.status_code == 204  # none assigned to Alice


def test_the_count_stops_at_99_plus(make_ticket, carol, alice, monkeypatch):
    monkeypatch.setattr("deskside.live.queries.NEW_CAP", 3)
    monkeypatch.setattr("deskside.live.views.queries.NEW_CAP", 3)
    after = newest_ticket_id()
    for i in range(4):
        make_ticket(carol, subject=f"Flood {i}")
    response = login(alice).get(QUEUE_POLL, {"after": after})
    assert "99+ new tickets · show them" in response.content.decode()


def test_a_restricted_agent_never_counts_another_clients_tickets(
    make_ticket, carol, dave, restricted
):
    after = newest_ticket_id()
    make_ticket(carol, subject="Acme's")
    page = login(restricted)
    assert page.get(QUEUE_POLL, {"after": after, "queue": "all"}).status_code == 204
    # not even by naming the client
    assert page.get(QUEUE_POLL, {"after": after, "organization": "acme"}).status_code == 204
    make_ticket(dave, subject="Globex's")
    response = page.get(QUEUE_POLL, {"after": after, "queue": "all"})
    assert "1 new ticket" in response.content.decode()


def test_customers_and_strangers_get_403(carol, acme_ticket, anon):
    page = login(carol)
    assert page.get(QUEUE_POLL, {"after": 0}).status_code == 403
    assert page.post(ticket_poll(acme_ticket), {"since": 0}).status_code == 403
    assert anon.get(QUEUE_POLL).status_code == 403
    assert Presence.objects.count() == 0


# -- the ticket page ---------------------------------------------------------------------------


def test_the_ticket_page_has_the_poller_with_its_version(alice, acme_ticket):
    html = login(alice).get(acme_ticket.get_absolute_url()).content.decode()
    assert 'id="live-ticket"' in html
    assert f'"since": "{ticket_version(alice, acme_ticket)}"' in html
    assert 'hx-trigger="load, every 10s, live-poll"' in html


def test_the_poll_records_presence_and_answers_204_when_nothing_changed(alice, acme_ticket):
    page = login(alice)
    since = ticket_version(alice, acme_ticket)
    with clock.frozen(T0):
        response = page.post(ticket_poll(acme_ticket), {"since": since, "sig": ""})
    assert response.status_code == 204
    row = Presence.objects.get()
    assert (row.user, row.ticket_id, row.state, row.seen_at) == (
        alice,
        acme_ticket.pk,
        "viewing",
        T0,
    )
    with clock.frozen(T0 + timedelta(seconds=10)):
        page.post(ticket_poll(acme_ticket), {"since": since, "state": "replying"})
    row = Presence.objects.get()  # one row per agent and ticket, upserted
    assert (row.state, row.seen_at) == ("replying", T0 + timedelta(seconds=10))


def test_another_agent_viewing_or_replying_is_shown_until_they_go_quiet(alice, leo, acme_ticket):
    since = ticket_version(alice, acme_ticket)
    with clock.frozen(T0):
        live.heartbeat(actor=leo, ticket=acme_ticket, state="viewing")
        response = login(alice).post(ticket_poll(acme_ticket), {"since": since})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Leo Field</strong> is viewing this ticket" in html
    sig = html.split('"sig": "')[1].split('"')[0]
    assert 'hx-trigger="every 10s, live-poll"' in html  # no "load" again
    with clock.frozen(T0 + timedelta(seconds=5)):
        page = login(alice)
        assert page.post(ticket_poll(acme_ticket), {"since": since, "sig": sig}).status_code == 204
        live.heartbeat(actor=leo, ticket=acme_ticket, state="replying")
        html = page.post(ticket_poll(acme_ticket), {"since": since, "sig": sig}).content.decode()
    assert "<strong>Leo Field</strong> is replying to this ticket" in html
    # 30 s without a heartbeat: gone
    with clock.frozen(T0 + timedelta(seconds=36)):
        html = page.post(ticket_poll(acme_ticket), {"since": since, "sig": sig}).content.decode()
    assert "Leo Field" not in html
    # and Leo does not see himself
    with clock.frozen(T0 + timedelta(seconds=40)):
        response = login(leo).post(ticket_poll(acme_ticket), {"since": since})
    assert "Alice Agent" in response.content.decode()
    assert "Leo Field" not in response.content.decode()


def test_a_change_by_someone_else_is_announced_with_a_show_link(alice, leo, acme_ticket):
    since = ticket_version(alice, acme_ticket)
    page = login(alice)
    services.add_note(actor=alice, ticket=acme_ticket, body="my own")  # not announced
    assert page.post(ticket_poll(acme_ticket), {"since": since}).status_code == 204
    services.add_note(actor=leo, ticket=acme_ticket, body="Checked the cable")
    html = page.post(ticket_poll(acme_ticket), {"since": since}).content.decode()
    assert "Leo Field added a note ·" in html
    assert f'hx-get="{acme_ticket.get_absolute_url()}" hx-target="#ticket"' in html
    services.set_status(actor=leo, ticket=acme_ticket, status=Status.PENDING_VENDOR)
    html = page.post(ticket_poll(acme_ticket), {"since": since}).content.decode()
    assert "Leo Field set the status to Pending vendor and 1 more change ·" in html
    # the page's version stays: "show" brings the page up to date
    assert f'"since": "{since}"' in html


def test_a_restricted_agent_cannot_poll_another_clients_ticket(restricted, acme_ticket):
    response = login(restricted).post(ticket_poll(acme_ticket), {"since": 0})
    assert response.status_code == 404
    assert Presence.objects.count() == 0


def test_a_bad_state_is_refused(alice, acme_ticket):
    response = login(alice).post(ticket_poll(acme_ticket), {"since": 0, "state": "typing"})
    assert response.status_code == 422
    assert Presence.objects.count() == 0


def test_the_poll_is_a_post_with_csrf(alice, acme_ticket):
    page = Client(enforce_csrf_checks=True)
    page.force_login(alice)
    assert page.post(ticket_poll(acme_ticket), {"since": 0}).status_code == 403
    assert page.get(ticket_poll(acme_ticket)).status_code == 405


def test_leaving_removes_the_presence(alice, acme_ticket):
    page = login(alice)
    page.post(ticket_poll(acme_ticket), {"since": 0})
    assert Presence.objects.count() == 1
    response = page.post(reverse("live:ticket_leave", args=[acme_ticket.number]))
    assert response.status_code == 204
    assert Presence.objects.count() == 0


def test_a_customer_cannot_be_present(carol, acme_ticket):
    with pytest.raises(NotAllowed):
        live.heartbeat(actor=carol, ticket=acme_ticket)


def test_the_ticket_poll_is_a_few_queries_whatever_happened(alice, leo, tara, acme_ticket):
    """Session, user, served clients, the ticket, the presence upsert, the changes, who else is
    there: the same few queries with one change or many, one agent present or several."""
    page = login(alice)
    since = ticket_version(alice, acme_ticket)
    url = ticket_poll(acme_ticket)
    page.post(url, {"since": since})

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = page.post(url, {"since": since})
        assert response.status_code == 200
        return len(captured)

    services.add_note(actor=leo, ticket=acme_ticket, body="one")
    live.heartbeat(actor=leo, ticket=acme_ticket)
    few = count()
    for i in range(5):
        services.add_note(actor=tara, ticket=acme_ticket, body=f"more {i}")
    live.heartbeat(actor=tara, ticket=acme_ticket, state="replying")
    assert count() == few
    assert few <= 8


def test_malformed_or_huge_numbers_are_no_error(alice, acme_ticket):
    page = login(alice)
    for value in ("x", "-5", str(10**30)):
        assert page.get(QUEUE_POLL, {"after": value, "shown": value}).status_code in (200, 204)
        response = page.post(ticket_poll(acme_ticket), {"since": value, "sig": value})
        assert response.status_code in (200, 204)
