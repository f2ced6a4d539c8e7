"""Apprise delivery to a real HTTP server on 127.0.0.1 (json://), a refused connection
written on the timeline as PAGE_FAILED while the chain goes on, and two workers racing."""

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.db import connection

from deskside.paging import services
from deskside.paging.models import ContactMethod, Escalation, Page
from deskside.paging.worker import paging_pass
from deskside.tickets.models import EventKind, Priority
from tests.paging.conftest import T0


@pytest.fixture
def receiver(allow_loopback):
    """A local webhook receiver: yields (port, list of JSON bodies received)."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_apprise_json_reaches_a_real_server(p1, at, alice, receiver):
    port, received = receiver
    method = services.add_contact_method(
        actor=alice, user=alice, kind="apprise", address=f"json://127.0.0.1:{port}/hook"
    )
    assert method.address_encrypted and "127.0.0.1" not in method.address_encrypted
    assert method.service == "webhook"
    paging_pass()
    assert len(received) == 1
    assert received[0]["title"] == f"[{p1.number}] P1 Acme Corp: Core switch down"
    assert "/paging/ack/" in received[0]["message"]
    page = Page.objects.get(ticket=p1)
    assert page.status == "sent" and page.sent_at == T0
    assert p1.events.get(kind=EventKind.PAGED).body == (
        "Paged Alice Agent (step 1, round 1) via webhook."
    )


def test_a_refused_connection_is_a_page_failed_and_the_chain_goes_on(
    p1, at, alice, leo, allow_loopback
):
    services.add_contact_method(
        actor=alice, user=alice, kind="apprise", address=f"json://127.0.0.1:{_closed_port()}/x"
    )
    paging_pass()
    page = Page.objects.get(ticket=p1)
    assert page.status == "failed" and page.error
    failed = p1.events.get(kind=EventKind.PAGE_FAILED)
    assert failed.body.startswith("Page to Alice Agent via webhook failed: ")
    at(T0 + timedelta(minutes=5))
    paging_pass()
    assert Page.objects.filter(ticket=p1, user=leo, status="sent").exists()


def test_a_bad_apprise_url_is_refused_on_save(alice):
    with pytest.raises(services.InvalidInput) as exc:
        services.add_contact_method(actor=alice, user=alice, kind="apprise", address="nope://x")
    assert exc.value.field == "address"
    with pytest.raises(services.InvalidInput):
        services.add_contact_method(actor=alice, user=alice, kind="email", address="not-an-email")
    assert not ContactMethod.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_never_double_page(rule, at, make_ticket, carol, receiver):
    tickets = [make_ticket(carol, subject=f"Down {i}", priority=Priority.P1) for i in range(6)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work():
        try:
            barrier.wait()
            for _ in range(3):
                paging_pass()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    for minute in (0, 5):
        at(T0 + timedelta(minutes=minute))
        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    for ticket in tickets:
        pages = list(Page.objects.filter(ticket=ticket).values_list("user__email", "step"))
        assert sorted(pages) == [("alice@msp.example", 0), ("leo@msp.example", 1)]
        assert ticket.events.filter(kind=EventKind.PAGED).count() == 2
    assert Page.objects.filter(status="sent").count() == 12
    assert Escalation.objects.filter(step=0, cycle=1).count() == 6  # round 2 next


def test_a_page_email_is_marked_automatic(p1, at, alice):
    """No out-of-office or vacation answer to a page (RFC 3834 and Exchange's header), and a
    signed Message-ID that a reply names."""

    paging_pass()
    headers = mail.outbox[0].extra_headers
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["X-Auto-Response-Suppress"] == "OOF, AutoReply"
    page = Page.objects.get()
    local = headers["Message-ID"].strip("<>").split("@")[0]
    assert local.startswith(f"deskside.page.{page.public_id}.") and len(local.split(".")[-1]) == 32
