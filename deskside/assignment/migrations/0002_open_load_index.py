"""A partial index on the open tickets' assignee and priority: the least-loaded rule and the
cap count an agent's open tickets by priority from it alone (candidates.LOAD_SQL), without
reading ticket rows. It holds the open tickets only (a few percent of a desk's history), so
it costs little on writes. The same SQL on SQLite and PostgreSQL."""

from django.db import migrations

from deskside.tickets.models import OPEN_STATUSES

CONDITION = "status IN ({})".format(", ".join(f"'{s}'" for s in OPEN_STATUSES))


class Migration(migrations.Migration):
    dependencies = [
        ("assignment", "0001_initial"),
        ("tickets", "0009_ticket_page_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX assignment_open_load ON tickets_ticket (assignee_id, priority) "
            f"WHERE {CONDITION}",
            "DROP INDEX assignment_open_load",
        ),
    ]
