"""The handover worker's two claims: due reminders (deadline rows) and queued notices.

Reminders: `remind_due` finds pending rows due (the partial index `handover_reminder_due`) and
claims each with one conditional UPDATE (pending -> sent) in the transaction that writes its
notices: a worker killed before the commit leaves the row pending and no notice (the next pass
does it), after the commit both exist; two workers: one wins the UPDATE, the other writes
nothing. A reminder of an acknowledged handover becomes "cancelled".

Notices: `send_due` claims each queued row (queued -> sending, committed) before handing it to
its transport, then marks it "sent" or "failed". A worker killed between the claim and that
write leaves it "sending": it may have gone out, so it is never sent again (at most once, as
the paging and notification mails), and the admin shows it. Transports are the existing ones:
mail through Django's mail backend, with the desk's automatic-mail headers (as the
notification mails); Apprise contact methods through `deskside.paging.delivery.notify_apprise`
(the paging path, guarded against internal addresses).
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from deskside.core import clock
from deskside.handovers import notify
from deskside.handovers.models import Handover, Notice, Reminder
from deskside.paging.delivery import DeliveryFailed, notify_apprise
from deskside.paging.models import ContactMethod

log = logging.getLogger(__name__)
BATCH = 50


@dataclass
class Result:
    reminded: int = 0
    sent: int = 0
    failed: int = 0
    lost: int = 0  # claimed by another worker first


def remind_due(now: datetime | None = None, *, limit: int = BATCH) -> Result:
    """Claim the reminders due at `now` and queue their notices (see the module docstring)."""
    now = now or clock.now()
    result = Result()
    due = list(
        Reminder.objects.filter(state=Reminder.State.PENDING, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("pk", "handover_id", "stage")[:limit]
    )
    for pk, handover_id, stage in due:
        with transaction.atomic():
            handover = Handover.objects.select_related("team").get(pk=handover_id)
            if handover.status == Handover.Status.ACKNOWLEDGED:
                Reminder.objects.filter(pk=pk, state=Reminder.State.PENDING).update(
                    state=Reminder.State.CANCELLED
                )
                continue
            claimed = Reminder.objects.filter(pk=pk, state=Reminder.State.PENDING).update(
                state=Reminder.State.SENT, sent_at=now
            )
            if not claimed:
                result.lost += 1
                continue
            notify.remind(handover, stage)
            result.reminded += 1
    return result


def claim(now: datetime, limit: int) -> tuple[list[int], int]:
    """(ids this worker claimed, how many another worker claimed first)."""
    queued = Notice.State.QUEUED
    ids = list(
        Notice.objects.filter(state=queued).order_by("id").values_list("pk", flat=True)[:limit]
    )
    mine, lost = [], 0
    for pk in ids:
        if Notice.objects.filter(pk=pk, state=queued).update(
            state=Notice.State.SENDING, claimed_at=now
        ):
            mine.append(pk)
        else:
            lost += 1
    return mine, lost


def send_due(now: datetime | None = None, *, limit: int = BATCH) -> Result:
    """Send up to `limit` queued notices, each at most once (see the module docstring)."""
    now = now or clock.now()
    result = Result()
    mine, result.lost = claim(now, limit)
    for notice in Notice.objects.filter(pk__in=mine).select_related("recipient").order_by("id"):
        send_one(notice, result)
    return result


def _mail(to: str, notice: Notice) -> None:
    message = EmailMessage(
        subject=notice.subject,
        body=notice.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    )
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # any transport error is a failed delivery
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc


def send_one(notice: Notice, result: Result) -> None:
    """Hand one claimed notice to its transport and record the outcome."""
    try:
        if notice.channel == "account":
            _mail(notice.recipient.email, notice)
        else:
            method = ContactMethod.objects.filter(
                pk=int(notice.channel.removeprefix("cm:")), is_active=True
            ).first()
            if method is None:
                raise DeliveryFailed("the contact method was removed")
            if method.kind == ContactMethod.Kind.EMAIL:
                _mail(method.address, notice)
            else:
                notify_apprise(method, notice.subject, notice.body)
    except DeliveryFailed as exc:
        log.warning("handover notice %s failed: %s", notice.pk, exc)
        Notice.objects.filter(pk=notice.pk).update(state=Notice.State.FAILED, error=str(exc)[:2000])
        result.failed += 1
        return
    Notice.objects.filter(pk=notice.pk).update(state=Notice.State.SENT, sent_at=clock.now())
    result.sent += 1
