"""Sending queued deliveries: the worker half of outbound webhooks.

`deliver_due()` (run by `deskside worker` every few seconds through `worker.webhooks_pass`,
possibly on a thread of its own: it keeps no state between calls but the hourly pruning time,
and uses the calling thread's database connection) claims due deliveries (queued,
`next_attempt_at` passed) one at a time with a conditional UPDATE, so any number of workers
can run and each delivery is sent by exactly one of them. The claim's time (`claimed_at`,
the clock when it was taken) is its token: the outcome is written only while the delivery is
still in `sending` with that `claimed_at`, so a worker that was presumed dead cannot
overwrite a later claim. A claim left in `sending` for STALE_CLAIM (the worker died
mid-request) is queued again, or failed when it was the last attempt.

Each delivery is one POST of the frozen payload, signed (`signing`), with a TIMEOUT limit
(connect, read) and no redirects followed (a 3xx is a failure: point the webhook at the final
URL), and only to addresses `deskside.core.netguard` checked: a URL whose host resolves to an
internal address at send time is refused and the delivery fails at once, with the reason. A 2xx
answer is delivered; anything else (another status, a timeout, a refused connection) is retried
after RETRY_MINUTES[attempt - 1] minutes, and after the last attempt the delivery has failed.
The status code, the error (truncated, without the URL: see `redact.scrub`) and the time taken
are recorded each time. Deliveries go out in the order they were queued; once a webhook's
endpoint failed in a pass, its other deliveries wait for the next pass instead of hammering it,
and the pass goes on to other webhooks' deliveries (up to `limit` sent) so that a dead receiver
with a backlog never holds the others back.

Right before sending, the delivery is checked against its webhook as it is now: one whose
webhook was deactivated or deleted, or whose scope no longer fits the frozen payload (another
client's ticket, or internal text for a webhook now scoped to a client), is cancelled, not
sent (`out_of_scope`).

Once an hour (per process) finished deliveries older than DESKSIDE_WEBHOOKS_KEEP_DAYS days
(default KEEP_DAYS; None keeps them forever) are deleted, so the log does not grow forever.
"""

import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db.models import F

from deskside.core import clock, crypto, netguard
from deskside.webhooks import redact, signing
from deskside.webhooks.models import Delivery, Webhook

log = logging.getLogger(__name__)

RETRY_MINUTES = (1, 5, 15, 60, 240)  # after attempt 1, 2, ...; then the delivery has failed
MAX_ATTEMPTS = len(RETRY_MINUTES) + 1
STALE_CLAIM = timedelta(minutes=5)
TIMEOUT = (3, 10)  # seconds to connect, seconds between bytes of the answer
ERROR_CHARS = 1000
RESPONSE_CHARS = 300
KEEP_DAYS = 30
PRUNE_EVERY = timedelta(hours=1)
PRUNE_BATCH = 1000
FINISHED = (Delivery.Status.DELIVERED, Delivery.Status.FAILED, Delivery.Status.CANCELLED)


@dataclass
class PassResult:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    pruned: int = 0

    def any(self) -> bool:
        return bool(self.delivered or self.retried or self.failed or self.cancelled or self.pruned)


def body_of(delivery: Delivery) -> bytes:
    """The exact bytes sent (and signed): compact JSON, UTF-8."""
    return json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()


def claim(pk: int, now: datetime) -> datetime | None:
    """Take delivery `pk` for sending if it is due at `now`. Returns the claim's token (its
    `claimed_at`, the clock at the moment of the claim) for exactly one caller, else None."""
    token = clock.now()
    taken = Delivery.objects.filter(
        pk=pk, status=Delivery.Status.QUEUED, next_attempt_at__lte=now
    ).update(status=Delivery.Status.SENDING, claimed_at=token, attempts=F("attempts") + 1)
    return token if taken else None


def release_stale_claims(now: datetime) -> tuple[int, int]:
    """Claims older than STALE_CLAIM (their worker died): queue them again, or fail those
    that were on their last attempt. Returns (queued again, failed)."""
    stale = Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    failed = stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Delivery.Status.FAILED,
        claimed_at=None,
        last_error="the worker stopped while sending the last attempt",
    )
    queued = stale.update(status=Delivery.Status.QUEUED, claimed_at=None)
    return queued, failed


def deliver_due(now: datetime | None = None, *, limit: int = 100) -> PassResult:
    """Send up to `limit` deliveries that are due (see the module docstring)."""
    now = now or clock.now()
    result = PassResult()
    _, result.failed = release_stale_claims(now)
    result.pruned = prune(now)
    failing: set[int] = set()
    after = 0
    taken = 0
    with requests.Session() as session:
        while taken < limit:
            due = list(
                Delivery.objects.filter(
                    status=Delivery.Status.QUEUED, next_attempt_at__lte=now, pk__gt=after
                )
                .exclude(webhook_id__in=failing)
                .order_by("id")
                .values_list("pk", "webhook_id")[: limit - taken]
            )
            if not due:
                break
            for pk, webhook_id in due:
                after = pk
                if webhook_id in failing:
                    continue
                token = claim(pk, now)
                if token is None:
                    continue  # another worker has it
                taken += 1
                delivery = Delivery.objects.select_related("webhook").get(pk=pk)
                delivery.claimed_at = token
                if not send_one(delivery, session, result):
                    failing.add(webhook_id)
    return result


def out_of_scope(delivery: Delivery, webhook: Webhook) -> str:
    """Why `delivery`'s frozen payload may no longer go to `webhook` as it is now ("" when
    it may): its scope changed after the payload was written."""
    if webhook.organization_id is None:
        return ""
    if delivery.organization_id is not None and delivery.organization_id != webhook.organization_id:
        return "the webhook's client changed: the payload is about another client's ticket"
    if delivery.internal:
        return "the webhook is now scoped to a client: the payload holds internal text"
    return ""


def send_one(delivery: Delivery, session: requests.Session, result: PassResult) -> bool:
    """POST one claimed delivery and record the outcome; True when delivered."""
    webhook = delivery.webhook
    if not webhook.is_active or webhook.deleted_at is not None:
        _finish(delivery, Delivery.Status.CANCELLED, error="the webhook was deactivated")
        result.cancelled += 1
        return True
    reason = out_of_scope(delivery, webhook)
    if reason:
        _finish(delivery, Delivery.Status.CANCELLED, error=reason)
        result.cancelled += 1
        return True
    try:
        secret = webhook.secret
    except crypto.Unreadable as exc:
        _finish(delivery, Delivery.Status.FAILED, error=str(exc))
        result.failed += 1
        return False
    body = body_of(delivery)
    timestamp = int(clock.now().timestamp())
    headers = signing.headers(
        secret=secret,
        event=delivery.event,
        delivery_id=delivery.public_id,
        timestamp=timestamp,
        body=body,
    )
    code: int | None = None
    started = time.monotonic()
    # Connections only to addresses the guard checked (deskside.core.netguard): an internal one
    # (after DNS, at each send) is refused before anything is sent.
    with netguard.guarded() as guard:
        try:
            response = session.post(
                webhook.url,
                data=body,
                headers=headers,
                timeout=TIMEOUT,
                allow_redirects=False,
                stream=True,
            )
            with response:
                code = response.status_code
                error = "" if 200 <= code < 300 else _http_error(response)
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
    if guard.refused:  # final: sending again would only be refused again
        error = f"not sent: {guard.refused[0]}"
        duration = round((time.monotonic() - started) * 1000)
        _finish(delivery, Delivery.Status.FAILED, error=error, duration=duration)
        log.error("webhook %s: delivery %s refused: %s", webhook.name, delivery.public_id, error)
        result.failed += 1
        return False
    error = redact.scrub(error, webhook.url)
    duration = round((time.monotonic() - started) * 1000)
    if not error:
        _finish(delivery, Delivery.Status.DELIVERED, code=code, duration=duration)
        result.delivered += 1
        return True
    if delivery.attempts < MAX_ATTEMPTS:
        _finish(
            delivery,
            Delivery.Status.QUEUED,
            code=code,
            error=error,
            duration=duration,
            retry_in=timedelta(minutes=RETRY_MINUTES[delivery.attempts - 1]),
        )
        log.warning(
            "webhook %s: delivery %s failed (attempt %d), retrying: %s",
            webhook.name,
            delivery.public_id,
            delivery.attempts,
            error,
        )
        result.retried += 1
    else:
        _finish(delivery, Delivery.Status.FAILED, code=code, error=error, duration=duration)
        log.error(
            "webhook %s: delivery %s failed after %d attempts: %s",
            webhook.name,
            delivery.public_id,
            delivery.attempts,
            error,
        )
        result.failed += 1
    return False


def _http_error(response: requests.Response) -> str:
    if 300 <= response.status_code < 400:
        where = redact.masked_url(response.headers.get("Location", ""))
        return f"HTTP {response.status_code}: redirects are not followed ({where})"[:ERROR_CHARS]
    try:
        text = response.raw.read(RESPONSE_CHARS * 4, decode_content=True)
    except Exception:  # the status is the news; a body that cannot be read adds nothing
        text = b""
    snippet = text.decode("utf-8", "replace")[:RESPONSE_CHARS].strip()
    return f"HTTP {response.status_code}{': ' + snippet if snippet else ''}"[:ERROR_CHARS]


def _finish(
    delivery: Delivery,
    status: str,
    *,
    code: int | None = None,
    error: str = "",
    duration: int | None = None,
    retry_in: timedelta | None = None,
) -> None:
    now = clock.now()
    changes: dict = {
        "status": status,
        "last_status_code": code,
        "last_error": error[:ERROR_CHARS],
        "duration_ms": duration,
    }
    if status == Delivery.Status.DELIVERED:
        changes["delivered_at"] = now
    if retry_in is not None:
        changes["next_attempt_at"] = now + retry_in
    changes["claimed_at"] = None
    Delivery.objects.filter(
        pk=delivery.pk, status=Delivery.Status.SENDING, claimed_at=delivery.claimed_at
    ).update(**changes)


_prune_lock = threading.Lock()
_next_prune: datetime | None = None


def keep_days() -> int | None:
    return getattr(settings, "DESKSIDE_WEBHOOKS_KEEP_DAYS", KEEP_DAYS)


def prune(now: datetime, *, force: bool = False) -> int:
    """Delete finished deliveries created more than `keep_days()` days before `now`, at most
    once per PRUNE_EVERY in this process (or now with `force`). Returns how many."""
    global _next_prune  # the one piece of state kept between passes
    days = keep_days()
    if days is None:
        return 0
    with _prune_lock:
        if not force and _next_prune is not None and now < _next_prune:
            return 0
        _next_prune = now + PRUNE_EVERY
    old = Delivery.objects.filter(status__in=FINISHED, created_at__lt=now - timedelta(days=days))
    deleted = 0
    while True:
        batch = list(old.values_list("pk", flat=True)[:PRUNE_BATCH])
        if not batch:
            return deleted
        deleted += Delivery.objects.filter(pk__in=batch, status__in=FINISHED).delete()[0]
