"""Existing alerts belong to the client of their own ticket.

Before alerts were matched by (integration, client, key), a repeat of the same key from
another client on an MSP-wide integration was counted on the first client's alert, and a
resolve from either resolved it. From now on the client is part of an alert's identity, so an
existing alert's client is made the one its ticket is for (the ticket is what the customer
saw and an agent may have moved to the right client). Alerts without a ticket of their own
(suppressed, or grouped into a storm) keep the client their first event named.

One UPDATE per client whose alerts are wrong (usually none), through the ORM: it runs as the
same portable SQL on SQLite and PostgreSQL. The reverse is a no-op: the rows stay valid under
the old (integration, key) constraint, which allowed any client.
"""

from django.db import migrations
from django.db.models import F

CHUNK = 500


def client_from_ticket(apps, schema_editor):
    Alert = apps.get_model("alerts", "Alert")
    db = schema_editor.connection.alias
    wrong = (
        Alert.objects.using(db)
        .filter(ticket__isnull=False)
        .exclude(organization_id=F("ticket__organization_id"))
        .values_list("ticket__organization_id", flat=True)
        .distinct()
    )
    for organization_id in list(wrong):
        ids = list(
            Alert.objects.using(db)
            .filter(ticket__organization_id=organization_id)
            .exclude(organization_id=organization_id)
            .values_list("pk", flat=True)
        )
        for start in range(0, len(ids), CHUNK):  # SQLite's limit on bound parameters
            chunk = ids[start : start + CHUNK]
            Alert.objects.using(db).filter(pk__in=chunk).update(organization_id=organization_id)


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0003_intake_errors"),
        ("tickets", "0008_idempotency_request_hash"),
    ]

    operations = [migrations.RunPython(client_from_ticket, migrations.RunPython.noop)]
