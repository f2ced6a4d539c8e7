"""The monthly report's daily pass (`deskside worker` lane, every 5 minutes).

1. For each client with the report turned on whose day of the month has come (in the
   client's time zone), the row of last month's delivery is created, once: the row is unique
   per client and month, so a second worker or a restart finds it and creates nothing. A
   worker that was stopped on the day creates it on its next pass in the month (days after
   the configured one count too), so a month is never skipped while the report is on.
2. Each queued row is claimed with a conditional UPDATE (queued -> sending; one winner), the
   report is built and mailed with its PDF and CSV to the client's organisation admins, and
   the row becomes sent (or failed with the error, or skipped when there is nobody to mail).

At most once per client and month: a worker killed after the claim leaves the row in
"sending", which is never mailed again automatically (the admins may already have it; an
administrator re-queues it in the admin). Exactly once when nothing crashes mid-send.
The mail app's outbox holds mails about tickets (a row needs its ticket); this is the same
claim-then-send protocol for a mail that belongs to no ticket.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction

from deskside.core import clock
from deskside.core.timezones import zone
from deskside.reports import monthly
from deskside.reports.models import MonthlyReportDelivery, MonthlyReportSetting

log = logging.getLogger(__name__)
State = MonthlyReportDelivery.State


@dataclass
class PassResult:
    created: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    lost: int = 0


def last_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def create_due(now: datetime, result: PassResult) -> None:
    settings_on = MonthlyReportSetting.objects.filter(enabled=True).select_related("organization")
    for setting in settings_on:
        today = now.astimezone(zone(setting.organization.timezone)).date()
        if today.day < setting.day_of_month:
            continue
        month = last_month(today)
        if MonthlyReportDelivery.objects.filter(
            organization=setting.organization, month=month
        ).exists():
            continue
        try:
            with transaction.atomic():
                MonthlyReportDelivery.objects.create(
                    organization=setting.organization, month=month, created_at=now
                )
            result.created += 1
        except IntegrityError:  # another worker created it between the check and here
            result.lost += 1


def send_queued(now: datetime, result: PassResult, *, limit: int = 20) -> None:
    ids = list(
        MonthlyReportDelivery.objects.filter(state=State.QUEUED)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        if not MonthlyReportDelivery.objects.filter(pk=pk, state=State.QUEUED).update(
            state=State.SENDING, claimed_at=now
        ):
            result.lost += 1
            continue
        delivery = MonthlyReportDelivery.objects.select_related("organization").get(pk=pk)
        _send(delivery, result)


def _send(delivery: MonthlyReportDelivery, result: PassResult) -> None:
    to = monthly.recipients(delivery.organization)
    if not to:
        MonthlyReportDelivery.objects.filter(pk=delivery.pk).update(state=State.SKIPPED)
        result.skipped += 1
        return
    MonthlyReportDelivery.objects.filter(pk=delivery.pk).update(recipients=", ".join(to))
    try:
        _mail(delivery, to)
    except Exception as exc:
        # A failure to build or to hand over: recorded on the row, never retried on its own
        # (an SMTP error after DATA may still have delivered it).
        log.warning("monthly report %s failed: %s", delivery.pk, exc)
        MonthlyReportDelivery.objects.filter(pk=delivery.pk).update(
            state=State.FAILED, last_error=str(exc)[:2000]
        )
        result.failed += 1
        return
    MonthlyReportDelivery.objects.filter(pk=delivery.pk).update(
        state=State.SENT, sent_at=clock.now()
    )
    result.sent += 1


def _mail(delivery: MonthlyReportDelivery, to: list[str]) -> None:
    report = monthly.build(delivery.organization, delivery.month)
    message = EmailMessage(
        subject=f"{delivery.organization.name}: service report for {delivery.month:%B %Y}",
        body=(
            f"Attached is the service desk report of {delivery.organization.name} for "
            f"{delivery.month:%B %Y}: tickets, first-contact resolution, response times and "
            "SLA compliance (PDF), and the same figures as CSV."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
        connection=get_connection(),
    )
    message.attach(f"{report.filename}.pdf", monthly.pdf(report), "application/pdf")
    message.attach(f"{report.filename}.csv", monthly.csv_text(report), "text/csv")
    message.send()


def reports_pass(now: datetime | None = None) -> PassResult:
    """One pass: create the deliveries due, then send the queued ones (see the docstring)."""
    now = now or clock.now()
    result = PassResult()
    create_due(now, result)
    send_queued(now, result)
    return result
