"""Deliveries reach a real HTTP server on 127.0.0.1: signed, with their headers and payload;
failures are retried with back-off on a moving clock, and the last failure is final; one
worker wins each claim; a deactivated webhook's deliveries are cancelled."""

import hashlib
import hmac
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.urls import reverse

from deskside.core import clock
from deskside.core.baseurl import base_url
from deskside.core.clock import frozen
from deskside.tickets import services as tickets
from deskside.webhooks import sender, services, signing
from deskside.webhooks.models import Delivery
from deskside.webhooks.worker import webhooks_pass

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_delivery_is_signed_and_carries_the_event(
    receiver, make_webhook, make_ticket, carol, acme
):
    with frozen(T0):
        webhook = make_webhook(receiver.url, organization=acme)
        ticket = make_ticket(carol, subject="Printer on fire")
        delivery = Delivery.objects.get()
        assert receiver.requests == []  # queued, not sent
        webhooks_pass()

    [request] = receiver.requests
    headers = request.headers
    assert request.path == "/hooks/deskside"
    assert headers["X-Deskside-Event"] == "ticket.created"
    assert headers["X-Deskside-Delivery"] == delivery.public_id
    assert headers["User-Agent"] == "Deskside-Webhooks/1"
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Deskside-Timestamp"] == str(int(T0.timestamp()))
    assert signing.verify(
        webhook.secret,
        headers["X-Deskside-Timestamp"],
        request.body,
        headers["X-Deskside-Signature"],
        now=T0.timestamp() + 10,
    )
    # A replay five minutes later, or a body changed on the way, does not verify.
    assert not signing.verify(
        webhook.secret,
        headers["X-Deskside-Timestamp"],
        request.body,
        headers["X-Deskside-Signature"],
        now=T0.timestamp() + 301,
    )
    assert not signing.verify(
        webhook.secret,
        headers["X-Deskside-Timestamp"],
        request.body.replace(b"fire", b"ice!"),
        headers["X-Deskside-Signature"],
        now=T0.timestamp(),
    )
    payload = request.json
    assert payload["id"] == delivery.public_id
    assert payload["event"] == "ticket.created"
    assert payload["occurred_at"] == "2026-03-02T09:00:00Z"
    assert payload["actor"] == "Alice Agent"
    assert payload["ticket"] == {
        "number": ticket.number,
        "subject": "Printer on fire",
        "status": "new",
        "priority": "P3",
        "organization": {"slug": "acme", "name": "Acme Corp"},
        "site": "HQ",
        "team": None,
        "assignee": None,
        # A client's webhook links to the customer portal.
        "url": base_url() + reverse("portal:detail", args=[ticket.number]),
    }
    assert payload["data"]["description"] == "It shows offline."
    assert payload["data"]["channel"] == "phone"

    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200
    assert delivery.delivered_at == T0
    assert delivery.duration_ms is not None


@pytest.mark.running_clock
def test_the_manual_python_check_of_the_docs_verifies(receiver, make_webhook, make_ticket, carol):
    """The snippet in docs/webhooks.md, run against a real delivery."""
    webhook = make_webhook(receiver.url)
    make_ticket(carol)
    webhooks_pass()
    [request] = receiver.requests
    timestamp = request.headers["X-Deskside-Timestamp"]
    expected = (
        "sha256="
        + hmac.new(
            webhook.secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
        ).hexdigest()
    )
    assert hmac.compare_digest(expected, request.headers["X-Deskside-Signature"])
    assert abs(time.time() - int(timestamp)) <= 300


def test_a_500_is_retried_after_the_back_off_and_delivered_on_attempt_two(
    receiver, make_webhook, make_ticket, carol
):
    receiver.codes = [500]
    with frozen(T0):
        make_webhook(receiver.url)
        make_ticket(carol)
        webhooks_pass()
    delivery = Delivery.objects.get()
    assert delivery.status == "queued"
    assert delivery.attempts == 1
    assert delivery.last_status_code == 500
    assert delivery.last_error == "HTTP 500: receiver says no"
    assert delivery.next_attempt_at == T0 + timedelta(minutes=1)

    with frozen(T0 + timedelta(seconds=59)):
        webhooks_pass()  # not due yet
    assert len(receiver.requests) == 1

    with frozen(T0 + timedelta(minutes=1)):
        webhooks_pass()
    delivery.refresh_from_db()
    assert len(receiver.requests) == 2
    assert delivery.status == "delivered"
    assert delivery.attempts == 2
    assert delivery.last_status_code == 200
    assert delivery.last_error == ""
    # The same delivery id both times, so that a receiver can tell a retry from a new event.
    ids = {r.headers["X-Deskside-Delivery"] for r in receiver.requests}
    assert ids == {delivery.public_id}


def test_a_refused_connection_is_retried_with_back_off_then_fails(
    closed_url, make_webhook, make_ticket, carol
):
    with frozen(T0):
        make_webhook(closed_url)
        make_ticket(carol)
    now = T0
    waits = []
    for attempt in range(1, sender.MAX_ATTEMPTS + 1):
        with frozen(now):
            webhooks_pass()
        delivery = Delivery.objects.get()
        assert delivery.attempts == attempt
        assert "ConnectionError" in delivery.last_error
        assert delivery.last_status_code is None
        if attempt < sender.MAX_ATTEMPTS:
            assert delivery.status == "queued"
            waits.append(delivery.next_attempt_at - now)
            now = delivery.next_attempt_at
    assert delivery.status == "failed"
    assert waits == [timedelta(minutes=m) for m in (1, 5, 15, 60, 240)]
    with frozen(now + timedelta(days=1)):
        webhooks_pass()
    delivery.refresh_from_db()
    assert delivery.attempts == sender.MAX_ATTEMPTS  # failed for good: never tried again


def test_redirects_are_not_followed(receiver, make_webhook, make_ticket, carol):
    receiver.codes = [302]
    make_webhook(receiver.url)
    make_ticket(carol)
    webhooks_pass()
    delivery = Delivery.objects.get()
    assert len(receiver.requests) == 1
    assert delivery.status == "queued"
    assert delivery.last_status_code == 302
    assert "redirects are not followed" in delivery.last_error


def test_two_workers_claiming_one_delivery_one_wins(receiver, make_webhook, make_ticket, carol):
    make_webhook(receiver.url)
    make_ticket(carol)
    delivery = Delivery.objects.get()
    now = clock.now()
    assert sender.claim(delivery.pk, now) is not None
    assert sender.claim(delivery.pk, now) is None
    webhooks_pass()  # the other worker finds it being sent and leaves it
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.status == "sending" and delivery.attempts == 1


def test_a_stale_claim_is_sent_again(receiver, make_webhook, make_ticket, carol):
    with frozen(T0):
        make_webhook(receiver.url)
        make_ticket(carol)
        delivery = Delivery.objects.get()
        assert sender.claim(delivery.pk, T0)  # the worker died in the middle of sending
    with frozen(T0 + timedelta(minutes=4)):
        webhooks_pass()
    assert receiver.requests == []
    with frozen(T0 + timedelta(minutes=6)):
        webhooks_pass()
    delivery.refresh_from_db()
    assert len(receiver.requests) == 1
    assert delivery.status == "delivered" and delivery.attempts == 2


def test_deliveries_of_a_webhook_go_out_in_order(receiver, make_webhook, make_ticket, carol):
    make_webhook(receiver.url, events=["ticket.created", "ticket.resolved"])
    first = make_ticket(carol, subject="one")
    second = make_ticket(carol, subject="two")
    tickets.resolve_ticket(actor=first.created_by, ticket=first, resolution="Rebooted.")
    webhooks_pass()
    sent = [(r.json["event"], r.json["ticket"]["subject"]) for r in receiver.requests]
    assert sent == [
        ("ticket.created", "one"),
        ("ticket.created", "two"),
        ("ticket.resolved", "one"),
    ]
    assert second.number != first.number


def test_a_failing_endpoint_holds_its_other_deliveries_to_the_next_pass(
    receiver, make_webhook, make_ticket, carol
):
    receiver.codes = [503]
    make_webhook(receiver.url)
    make_ticket(carol, subject="one")
    make_ticket(carol, subject="two")
    webhooks_pass()
    assert len(receiver.requests) == 1
    webhooks_pass()  # the first waits for its retry; the second goes out now
    assert [r.json["ticket"]["subject"] for r in receiver.requests] == ["one", "two"]


def test_deactivating_cancels_queued_deliveries(receiver, admin, make_webhook, make_ticket, carol):
    webhook = make_webhook(receiver.url)
    make_ticket(carol)
    services.update_webhook(actor=admin, webhook=webhook, is_active=False)
    make_ticket(carol)  # nothing queued for an inactive webhook
    webhooks_pass()
    assert receiver.requests == []
    assert list(Delivery.objects.values_list("status", flat=True)) == ["cancelled"]


def test_a_delivery_claimed_after_its_webhook_was_deactivated_is_cancelled(
    receiver, make_webhook, make_ticket, carol
):
    webhook = make_webhook(receiver.url)
    make_ticket(carol)
    # Deactivated behind the services' back (another process, the Django admin).
    type(webhook).objects.filter(pk=webhook.pk).update(is_active=False)
    webhooks_pass()
    assert receiver.requests == []
    assert Delivery.objects.get().status == "cancelled"


def test_rotating_the_secret_signs_with_the_new_one(
    receiver, admin, make_webhook, make_ticket, carol
):
    webhook = make_webhook(receiver.url)
    old = webhook.secret
    services.rotate_secret(actor=admin, webhook=webhook)
    webhook.refresh_from_db()
    assert webhook.secret != old and webhook.secret.startswith("whsec_")
    make_ticket(carol)
    webhooks_pass()
    [request] = receiver.requests
    args = (request.headers["X-Deskside-Timestamp"], request.body)
    signature = request.headers["X-Deskside-Signature"]
    now = clock.now().timestamp()
    assert signing.verify(webhook.secret, *args, signature, now=now)
    assert not signing.verify(old, *args, signature, now=now)


def test_ping_and_redeliver(receiver, admin, make_webhook, make_ticket, carol):
    webhook = make_webhook(receiver.url)
    ping = services.send_ping(actor=admin, webhook=webhook)
    webhooks_pass()
    [request] = receiver.requests
    assert request.headers["X-Deskside-Event"] == "ping"
    assert request.json["ticket"] is None
    assert request.json["data"]["webhook"]["id"] == webhook.public_id

    ping.refresh_from_db()
    copy = services.redeliver(actor=admin, delivery=ping)
    assert copy.public_id != ping.public_id and copy.redelivery_of == ping
    webhooks_pass()
    assert len(receiver.requests) == 2
    again = receiver.requests[1].json
    assert again["id"] == copy.public_id
    assert {k: v for k, v in again.items() if k != "id"} == {
        k: v for k, v in request.json.items() if k != "id"
    }


def test_the_secret_is_stored_encrypted(make_webhook, receiver):
    webhook = make_webhook(receiver.url)
    assert webhook.secret not in webhook.secret_encrypted
    assert len(webhook.secret) > 40


@pytest.mark.parametrize("code", [201, 204, 299])
def test_any_2xx_is_delivered(receiver, make_webhook, make_ticket, carol, code):
    receiver.codes = [code]
    make_webhook(receiver.url)
    make_ticket(carol)
    webhooks_pass()
    assert Delivery.objects.get().status == "delivered"


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_delivery_once(receiver, make_webhook, make_ticket, carol):
    """Two worker threads, each with its own database connection, run a pass at the same
    moment over the same committed deliveries: every delivery is sent exactly once."""
    make_webhook(receiver.url)
    for n in range(6):
        make_ticket(carol, subject=f"ticket {n}")
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        from django.db import connection  # noqa: PLC0415 - each thread's own connection

        try:
            start.wait()
            sender.deliver_due()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    subjects = sorted(r.json["ticket"]["subject"] for r in receiver.requests)
    assert subjects == [f"ticket {n}" for n in range(6)]
    assert set(Delivery.objects.values_list("status", "attempts")) == {("delivered", 1)}


def test_the_worker_pass_survives_a_failure(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(sender, "deliver_due", broken)
    webhooks_pass()  # logged, not raised: the worker's other passes go on
    assert "sending webhooks failed" in caplog.text


# -- claims: the token, stale claims -----------------------------------------------------------


def test_a_claim_is_stamped_with_the_clock_at_claim_time_not_the_pass_start(
    receiver, make_webhook, make_ticket, carol
):
    with frozen(T0):
        make_webhook(receiver.url)
        make_ticket(carol)
    delivery = Delivery.objects.get()
    # A pass that started at T0 reaches this delivery six minutes later (slow receivers
    # before it): its claim must not look stale to another worker at once.
    with frozen(T0 + timedelta(minutes=6)):
        token = sender.claim(delivery.pk, T0)
        sender.release_stale_claims(clock.now())
    delivery.refresh_from_db()
    assert token == T0 + timedelta(minutes=6)
    assert delivery.claimed_at == token
    assert delivery.status == "sending"


def test_a_worker_presumed_dead_does_not_overwrite_the_next_claim(
    receiver, make_webhook, make_ticket, carol
):
    with frozen(T0):
        make_webhook(receiver.url)
        make_ticket(carol)
        first = Delivery.objects.get()
        assert sender.claim(first.pk, T0)
        slow = Delivery.objects.select_related("webhook").get(pk=first.pk)  # worker A
    with frozen(T0 + timedelta(minutes=6)):
        sender.release_stale_claims(clock.now())  # worker B gives A up ...
        token = sender.claim(first.pk, clock.now())  # ... and claims it again
        assert token is not None
        with requests.Session() as session:
            sender.send_one(slow, session, sender.PassResult())  # A finally gets its answer
    first.refresh_from_db()
    # A's outcome is not written over B's claim: B still owns the delivery.
    assert (first.status, first.claimed_at, first.attempts) == ("sending", token, 2)
    with frozen(T0 + timedelta(minutes=6, seconds=1)):
        mine = Delivery.objects.select_related("webhook").get(pk=first.pk)
        with requests.Session() as session:
            assert sender.send_one(mine, session, sender.PassResult())
    first.refresh_from_db()
    assert (first.status, first.attempts, first.claimed_at) == ("delivered", 2, None)
    assert len(receiver.requests) == 2  # once by each; the receiver drops the duplicate id


def test_a_stale_claim_of_the_last_attempt_fails_instead_of_a_seventh_attempt(
    receiver, make_webhook, make_ticket, carol
):
    with frozen(T0):
        make_webhook(receiver.url)
        make_ticket(carol)
        delivery = Delivery.objects.get()
        Delivery.objects.filter(pk=delivery.pk).update(attempts=sender.MAX_ATTEMPTS - 1)
        assert sender.claim(delivery.pk, T0)  # the last attempt; the worker dies
    with frozen(T0 + timedelta(minutes=6)):
        result = sender.deliver_due()
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert (delivery.status, delivery.attempts) == ("failed", sender.MAX_ATTEMPTS)
    assert "worker stopped" in delivery.last_error
    assert result.failed == 1


# -- a dead receiver does not hold the others back ---------------------------------------------


def test_a_dead_webhooks_backlog_does_not_delay_a_healthy_one(
    receiver, closed_url, make_webhook, make_ticket, carol
):
    with frozen(T0):
        dead = make_webhook(closed_url, name="dead")
        for n in range(6):
            make_ticket(carol, subject=f"backlog {n}")
        make_webhook(receiver.url, name="healthy")
        make_ticket(carol, subject="new 1")
        make_ticket(carol, subject="new 2")
        result = sender.deliver_due(limit=5)
    # The first five due rows are all the dead webhook's: it is tried once, then skipped.
    assert [r.json["ticket"]["subject"] for r in receiver.requests] == ["new 1", "new 2"]
    tried = Delivery.objects.filter(webhook=dead, attempts__gt=0)
    assert tried.count() == 1
    assert (result.delivered, result.retried) == (2, 1)


def test_a_pass_sends_at_most_its_limit(receiver, make_webhook, make_ticket, carol):
    make_webhook(receiver.url)
    for n in range(4):
        make_ticket(carol, subject=f"t{n}")
    assert sender.deliver_due(limit=3).delivered == 3
    assert sender.deliver_due(limit=3).delivered == 1
    assert len(receiver.requests) == 4


def test_the_connect_timeout_is_bounded(receiver, make_webhook, make_ticket, carol, monkeypatch):
    seen = {}
    real_post = requests.Session.post

    def post(self, url, **kwargs):
        seen.update(kwargs)
        return real_post(self, url, **kwargs)

    monkeypatch.setattr(requests.Session, "post", post)
    make_webhook(receiver.url)
    make_ticket(carol)
    webhooks_pass()
    connect, read = seen["timeout"]
    assert connect <= 5 and read <= 10
    assert Delivery.objects.get().status == "delivered"


# -- the URL stays out of the log ---------------------------------------------------------------


def test_the_url_and_its_token_stay_out_of_the_error_and_the_log(
    closed_url, make_webhook, make_ticket, carol, caplog
):
    secret_url = closed_url.replace("http://", "http://bob:hunter2pass@") + "/t0k3n?token=SeCrEt99"
    make_webhook(secret_url)
    make_ticket(carol)
    with caplog.at_level("DEBUG"):
        webhooks_pass()
    delivery = Delivery.objects.get()
    assert "ConnectionError" in delivery.last_error
    for text in (delivery.last_error, caplog.text):
        for secret in ("SeCrEt99", "hunter2pass", "t0k3n", "bob:"):
            assert secret not in text, text
    assert "127.0.0.1" in delivery.last_error  # the host is still there to go on


def test_a_redirect_is_logged_without_its_query(receiver, make_webhook, make_ticket, carol):
    receiver.codes = [302]
    make_webhook(receiver.url + "?token=SeCrEt99")
    make_ticket(carol)
    webhooks_pass()
    error = Delivery.objects.get().last_error
    assert "redirects are not followed (http://127.0.0.1:9/***)" in error
    assert "SeCrEt99" not in error


# -- pruning the log ------------------------------------------------------------------------------


def test_finished_deliveries_are_pruned_after_the_keep_days_once_an_hour(
    receiver, make_webhook, settings
):
    settings.DESKSIDE_WEBHOOKS_KEEP_DAYS = 30
    webhook = make_webhook(receiver.url)

    def make(status, age):
        with frozen(T0 - age):
            return Delivery.objects.create(webhook=webhook, event="ping", payload={}, status=status)

    old = [make(s, timedelta(days=31)) for s in ("delivered", "failed", "cancelled")]
    waiting = make("queued", timedelta(days=31))
    Delivery.objects.filter(pk=waiting.pk).update(next_attempt_at=T0 + timedelta(days=1))
    recent = make("delivered", timedelta(days=29))
    copy = make("delivered", timedelta(days=1))
    Delivery.objects.filter(pk=copy.pk).update(redelivery_of=old[0])

    with frozen(T0):
        assert sender.deliver_due().pruned == 3
    left = set(Delivery.objects.values_list("pk", flat=True))
    assert left == {waiting.pk, recent.pk, copy.pk}
    assert Delivery.objects.get(pk=copy.pk).redelivery_of is None

    later = make("delivered", timedelta(days=31))
    with frozen(T0 + timedelta(minutes=30)):
        assert sender.deliver_due().pruned == 0  # pruned less than an hour ago
    with frozen(T0 + timedelta(minutes=61)):
        assert sender.deliver_due().pruned == 1
    assert not Delivery.objects.filter(pk=later.pk).exists()


def test_pruning_can_be_turned_off(receiver, make_webhook, settings):
    settings.DESKSIDE_WEBHOOKS_KEEP_DAYS = None
    webhook = make_webhook(receiver.url)
    with frozen(T0 - timedelta(days=400)):
        Delivery.objects.create(webhook=webhook, event="ping", payload={}, status="delivered")
    with frozen(T0):
        assert sender.deliver_due().pruned == 0
    assert Delivery.objects.count() == 1
