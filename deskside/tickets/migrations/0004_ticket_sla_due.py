"""Ticket.sla_due: the earliest due time of the active SLA clocks, indexed so that queues sort
by time left and filter breached tickets. Existing open tickets get it from their clocks."""

from django.db import migrations, models
from django.db.models import Q

BATCH = 2000


def fill(apps, schema_editor):
    # The rule of tickets.deadlines.earliest_due, on the historical model.
    Ticket = apps.get_model("tickets", "Ticket")
    open_with_clocks = Ticket.objects.exclude(status__in=("resolved", "closed")).filter(
        Q(first_response_due__isnull=False)
        | Q(next_response_due__isnull=False)
        | Q(resolution_due__isnull=False)
    )
    last = 0
    while batch := list(open_with_clocks.filter(pk__gt=last).order_by("pk")[:BATCH]):
        last = batch[-1].pk
        for t in batch:
            dues = [t.next_response_due, t.resolution_due]
            if t.first_responded_at is None:
                dues.append(t.first_response_due)
            t.sla_due = min((d for d in dues if d is not None), default=None)
        Ticket.objects.bulk_update(batch, ["sla_due"])


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0003_sla_clock_columns"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="sla_due",
            field=models.DateTimeField(
                blank=True,
                db_index=True,
                help_text="Earliest due time of the active clocks (tickets.deadlines.earliest_due).",
                null=True,
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
