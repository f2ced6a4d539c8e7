"""The monthly client report: whether a client gets it (and on which day), and one delivery
row per client and month, the outbox of the mailing."""

from django.conf import settings
from django.db import models

from deskside.accounts.models import Organization
from deskside.core import clock


class MonthlyReportSetting(models.Model):
    """A client's monthly report: on or off, and the day of the month it is mailed (1-28,
    for the month before). Changed only through `reports.services.set_monthly_report`,
    which writes the audit entry."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="monthly_report"
    )
    enabled = models.BooleanField(default=False)
    day_of_month = models.PositiveSmallIntegerField(default=1)
    updated_at = models.DateTimeField(default=clock.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"monthly report of {self.organization}: {state}, day {self.day_of_month}"


class MonthlyReportDelivery(models.Model):
    """The mailing of one client's report of one month (`month`: its first day), unique per
    client and month: the daily pass creates it once and claims it once (queued -> sending
    with a conditional UPDATE) before anything is sent, so a restarted or second worker never
    mails it twice. A row left in "sending" (a worker killed mid-send) is not sent again: the
    admins may already have it; an administrator re-queues it from the admin."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "No recipients"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="monthly_report_deliveries"
    )
    month = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    recipients = models.TextField(blank=True, help_text="Comma-separated addresses.")
    created_at = models.DateTimeField(default=clock.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-month", "organization_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month"], name="monthly_delivery_unique"
            )
        ]
        indexes = [models.Index(fields=["state", "id"], name="monthly_delivery_state")]

    def __str__(self) -> str:
        return f"{self.organization} {self.month:%Y-%m}: {self.state}"
