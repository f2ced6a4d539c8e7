"""Full-text index over kb_articlesearch: FTS5 on SQLite, tsvector + GIN on PostgreSQL.

The SQL comes from the same SearchIndex description the queries use (deskside.core.search),
so the schema and the queries cannot drift apart. The description is repeated here (not
imported from the models) so that this migration stays as it was when the models change.
"""

from django.db import migrations

from deskside.core.search import SearchIndex

INDEX = SearchIndex(
    table="kb_articlesearch", key="article_id",
    public_column="title_text", internal_column="body_text",
)


def create(apps, schema_editor):
    for sql in INDEX.create_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for sql in INDEX.drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("kb", "0002_revisions_attachments_deflections")]
    operations = [migrations.RunPython(create, drop)]
