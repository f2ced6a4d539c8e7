"""Sending the notification mails (`NotificationMail`, written by the fanout with the
notification, in the event's transaction).

At most once, by construction: `send_due` claims each queued row with a conditional UPDATE
(queued -> sending, one winner among any number of workers) that commits before the mail is
handed to the mail server; the row becomes "sent" after the server accepted it, "failed"
(with the error) when it refused. A worker killed between the claim and that write leaves the
row in "sending": it is never sent again (the person may have it) and is visible in the admin.
These mails are reminders of what the notification centre already shows, so a lost one loses
nothing that is not on the page; no retries (decided: a mail about an escalation that arrives
an hour late is noise).
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse

from deskside.core import clock
from deskside.core.baseurl import base_url
from deskside.notifications.models import NotificationMail
from deskside.tickets.models import format_number

log = logging.getLogger(__name__)
BATCH = 50


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    lost: int = 0  # claimed by another worker first


def send_due(now: datetime | None = None, *, limit: int = BATCH) -> SendResult:
    """Send up to `limit` queued notification mails (see the module docstring)."""
    now = now or clock.now()
    result = SendResult()
    queued = NotificationMail.State.QUEUED
    ids = list(
        NotificationMail.objects.filter(state=queued)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return result
    mine = []
    for pk in ids:
        claimed = NotificationMail.objects.filter(pk=pk, state=queued).update(
            state=NotificationMail.State.SENDING, claimed_at=now
        )
        if claimed:
            mine.append(pk)
        else:
            result.lost += 1
    rows = NotificationMail.objects.filter(pk__in=mine).select_related("recipient").order_by("id")
    connection = get_connection()
    try:
        for mail in rows:
            _send_one(mail, connection, result)
    finally:
        connection.close()
    return result


def _send_one(mail: NotificationMail, connection: object, result: SendResult) -> None:
    if mail.ticket_id:
        opening = "Open the ticket: " + base_url()
        opening += reverse("tickets:detail", args=[format_number(mail.ticket_id)])
    else:
        opening = "Open it: " + base_url() + mail.link
    message = EmailMessage(
        subject=mail.subject,
        body=f"{mail.body}\n\n{opening}\n\n"
        "Change what you are told at: " + base_url() + reverse("notifications:preferences"),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.recipient.email],
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
        connection=connection,  # type: ignore[arg-type]
    )
    try:
        message.send()
    except Exception as exc:
        log.warning("notification mail %s failed: %s", mail.pk, exc)
        NotificationMail.objects.filter(pk=mail.pk).update(
            state=NotificationMail.State.FAILED, last_error=str(exc)[:2000]
        )
        result.failed += 1
        return
    NotificationMail.objects.filter(pk=mail.pk).update(
        state=NotificationMail.State.SENT, sent_at=clock.now()
    )
    result.sent += 1
