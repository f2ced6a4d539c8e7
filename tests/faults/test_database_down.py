"""The database goes away: API writes answer 503 JSON with Retry-After, the SMTP receiver
answers 451, a worker pass logs and carries on; when the database is back, the same process
serves again (no restart) and nothing was stored twice or half.

Outages are made three ways: the connection cannot be opened (the backend's own
`OperationalError` from `get_new_connection`, as a refused TCP connection or a missing SQLite
file gives), a statement fails half-way through a write (Django's `execute_wrapper` raising
the backend's error on one INSERT), and, on PostgreSQL, the server ends the session
(`pg_terminate_backend` from a second connection; the shared server itself keeps running).
Requests go through Django's real WSGI handler, which closes a broken connection at the end
of a request as a server would (the test client skips that step).
"""

import json
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections
from django.test import RequestFactory

from deskside.accounts.services import create_api_token
from deskside.core import clock
from deskside.core import worker as runner
from deskside.mail import smtpd
from deskside.mail.models import InboundMessage, Mailbox
from deskside.sla import worker
from deskside.sla.models import Calendar, Contract, SLATarget
from deskside.tickets.models import EventKind, Priority, Ticket, TicketEvent
from tests.mail.test_smtp_e2e import customer_mail, deliver, free_port

pytestmark = pytest.mark.django_db(transaction=True)

WRAPPER = type(connections["default"])


@contextmanager
def database_down() -> Iterator[None]:
    """No connection can be opened, in any thread, until the block ends; open ones are closed
    first (this thread's here; a worker thread's on its next `close_old_connections`)."""
    connection.close()
    refused = connection.Database.OperationalError("could not connect: Connection refused")
    with mock.patch.object(WRAPPER, "get_new_connection", side_effect=refused):
        yield


@contextmanager
def insert_fails(table: str) -> Iterator[list[str]]:
    """The first INSERT into `table` fails as a lost connection would (the backend's error,
    which Django wraps and counts as it would a real one)."""
    failed: list[str] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not failed and sql.startswith("INSERT INTO") and table in sql:
            failed.append(sql)
            with connection.wrap_database_errors:  # as Django wraps the driver's own errors
                raise connection.Database.OperationalError("server closed the connection")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield failed


class Wsgi:
    """Requests through Django's WSGI handler (request_started/finished as in production)."""

    def __init__(self, token: str) -> None:
        self.handler = WSGIHandler()
        self.token = token

    def post(self, path: str, data: dict[str, Any], **headers: str) -> tuple[int, dict, Any]:
        request = RequestFactory().post(
            path,
            json.dumps(data),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.token}",
            **headers,
        )
        answer: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
            answer["status"] = int(status.split()[0])
            answer["headers"] = dict(response_headers)

        response = self.handler(request.environ, start_response)
        try:
            body = b"".join(response)
        finally:
            response.close()  # sends request_finished: a broken connection is closed here
        return answer["status"], answer["headers"], json.loads(body) if body else None


@pytest.fixture
def api(carol) -> Wsgi:
    return Wsgi(create_api_token(user=carol, name="faults"))


def assert_unavailable(status: int, headers: dict, body: Any) -> None:
    assert status == 503, body
    assert headers["Content-Type"].startswith("application/json")
    assert int(headers["Retry-After"]) > 0
    assert body["detail"]


# -- API writes -------------------------------------------------------------------------------


def test_api_write_while_the_database_is_unreachable_then_back(api):
    ticket = {"subject": "Scanner jams", "description": "Every page."}
    with database_down():
        assert_unavailable(*api.post("/api/v1/tickets", ticket, HTTP_IDEMPOTENCY_KEY="k1"))
        assert_unavailable(*api.post("/api/v1/tickets", ticket, HTTP_IDEMPOTENCY_KEY="k1"))
    status, _, body = api.post("/api/v1/tickets", ticket, HTTP_IDEMPOTENCY_KEY="k1")
    assert status == 201, body
    status, _, again = api.post("/api/v1/tickets", ticket, HTTP_IDEMPOTENCY_KEY="k1")
    assert status == 200 and again["number"] == body["number"]  # the client's retry
    assert Ticket.objects.count() == 1
    assert TicketEvent.objects.filter(kind=EventKind.CREATED).count() == 1


def test_api_write_that_loses_the_database_half_way_stores_nothing(api):
    ticket = {"subject": "Monitor flickers", "description": "Since Monday."}
    with insert_fails(TicketEvent._meta.db_table) as failed:
        assert_unavailable(*api.post("/api/v1/tickets", ticket, HTTP_IDEMPOTENCY_KEY="k2"))
    assert failed, "the ticket's first event was never written"
    assert not Ticket.objects.exists()  # the ticket row went with its failed event
    status, _, body = api.post("/api/v1/tickets", ticket, HTTP_IDEMPOTENCY_KEY="k2")
    assert status == 201, body
    assert Ticket.objects.count() == 1
    assert TicketEvent.objects.filter(kind=EventKind.CREATED).count() == 1


@contextmanager
def session_ended_on_insert(table: str) -> Iterator[list[int]]:
    """On the first INSERT into `table`, PostgreSQL ends this connection's session
    (`pg_terminate_backend` from a second connection), so the INSERT itself fails on a
    connection the server has closed: a server restart or failover in the middle of a write.
    (A session ended between requests is found by Django's health check and replaced before
    the next query: no request notices it.)"""
    ended: list[int] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not ended and sql.startswith("INSERT INTO") and table in sql:
            pid = connection.connection.info.backend_pid
            with psycopg.connect(**connection.get_connection_params(), autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
            ended.append(pid)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield ended


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="ending a session is a PostgreSQL fault"
)
def test_api_write_when_the_server_ends_the_session_mid_write(api, acme_ticket):
    reply = f"/api/v1/tickets/{acme_ticket.number}/reply"
    assert api.post(reply, {"body": "One"})[0] == 201
    with session_ended_on_insert(TicketEvent._meta.db_table) as ended:
        assert_unavailable(*api.post(reply, {"body": "Two"}))
    assert ended
    # The handler closed the dead connection at the end of that request: this one reconnects.
    status, _, body = api.post(reply, {"body": "Three"})
    assert status == 201, body
    replies = TicketEvent.objects.filter(ticket=acme_ticket, kind=EventKind.REPLY)
    assert list(replies.order_by("id").values_list("body", flat=True)) == ["One", "Three"]


# -- the SMTP receiver ------------------------------------------------------------------------


@pytest.fixture
def helpbox(acme):
    return Mailbox.objects.create(
        name="Help",
        address="help@msp.example",
        protocol=Mailbox.Protocol.DELIVERY,
        organization=acme,
        unknown_senders=Mailbox.UnknownSenders.CREATE,
    )


def test_smtp_delivery_while_the_database_is_down_answers_451_then_takes_the_retry(carol, helpbox):
    receiver = smtpd.controller("127.0.0.1", free_port())
    receiver.start()
    try:
        message = customer_mail("Printer offline", "Since this morning.\n")
        with database_down():
            with pytest.raises(smtplib.SMTPDataError) as refused:
                deliver(receiver, message)
            assert refused.value.smtp_code == 451
        deliver(receiver, message)  # the MTA's retry, same receiver process
        deliver(receiver, message)  # and a duplicate delivery of the same message
    finally:
        receiver.stop()
    assert InboundMessage.objects.count() == 1
    assert Ticket.objects.filter(subject="Printer offline").count() == 1


def test_smtp_client_sees_a_temporary_failure_not_a_dropped_connection(carol, helpbox):
    """451 is an answer: the SMTP session stays usable for the next message."""
    receiver = smtpd.controller("127.0.0.1", free_port())
    receiver.start()
    try:
        with smtplib.SMTP(receiver.hostname, receiver.port, timeout=10) as client:
            with database_down(), pytest.raises(smtplib.SMTPDataError):
                client.send_message(customer_mail("First", "One.\n"))
            client.send_message(customer_mail("Second", "Two.\n"))
    finally:
        receiver.stop()
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["Second"]


# -- a worker pass ----------------------------------------------------------------------------

MONDAY_10 = datetime(2026, 3, 2, 9, tzinfo=UTC)  # 10:00 in Berlin


@pytest.fixture
def due_ticket(acme, make_ticket, carol):
    """An Acme P3 ticket whose first response (60 minutes) is overdue by Monday 11:30."""
    calendar = Calendar.objects.create(name="24x7", definition={"timezone": "UTC", "24x7": True})
    contract = Contract.objects.create(name="Acme", organization=acme, calendar=calendar)
    SLATarget.objects.create(
        contract=contract,
        priority=Priority.P3,
        first_response_minutes=60,
        next_response_minutes=120,
        resolution_minutes=480,
    )
    with clock.frozen(MONDAY_10):
        return make_ticket(carol)


def test_worker_pass_during_an_outage_carries_on_and_acts_once_after(due_ticket, caplog):
    late = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    with clock.frozen(late):
        with database_down():
            # The pass failed, the worker did not.
            assert runner.run(worker.sla_pass, once=True) == 1
        assert "sla pass failed" in caplog.text
        runner.run(worker.sla_pass, once=True)  # the database is back: the same process catches up
        runner.run(worker.sla_pass, once=True)  # and does not act again
    kinds = list(
        due_ticket.events.filter(kind__in=[EventKind.SLA_WARNING, EventKind.SLA_BREACH])
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == [EventKind.SLA_BREACH]  # the first response: breached once, not twice
