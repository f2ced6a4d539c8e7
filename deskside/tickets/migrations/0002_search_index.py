"""Full-text index over tickets_ticketsearch: FTS5 on SQLite, tsvector + GIN on PostgreSQL.

The SQL comes from the same SearchIndex description the queries use (deskside.core.search),
so the schema and the queries cannot drift apart.
"""

from django.db import migrations

from deskside.core.search import SearchIndex

INDEX = SearchIndex(
    table="tickets_ticketsearch", key="ticket_id",
    public_column="public_text", internal_column="internal_text",
)


def create(apps, schema_editor):
    for sql in INDEX.create_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for sql in INDEX.drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
