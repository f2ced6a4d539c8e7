"""The default queues (mine, my teams, unassigned, all open, all) as saved views: shared with
every agent, listed first, never deleted. Their filter is only `queue`, so they open the same
`/tickets/?queue=...` URLs as before."""

from django.db import migrations

from deskside.core.ids import new_public_id

DEFAULTS = [
    ("mine", "Assigned to me"),
    ("team", "My teams"),
    ("unassigned", "Unassigned"),
    ("open", "All open"),
    ("all", "All tickets"),
]


def create_defaults(apps, schema_editor):
    SavedView = apps.get_model("workspace", "SavedView")
    for position, (queue, name) in enumerate(DEFAULTS):
        SavedView.objects.get_or_create(
            is_default=True,
            name=name,
            defaults={
                "filters": {"queue": queue},
                "position": position,
                "public_id": new_public_id(),
            },
        )


def remove_defaults(apps, schema_editor):
    apps.get_model("workspace", "SavedView").objects.filter(is_default=True).delete()


class Migration(migrations.Migration):
    dependencies = [("workspace", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
