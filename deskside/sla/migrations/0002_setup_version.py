"""SetupVersion: the token each process checks before trusting its cached SLA set-up."""

import uuid

from django.db import migrations, models


def first_token(apps, schema_editor):
    apps.get_model("sla", "SetupVersion").objects.create(pk=1, token=uuid.uuid4().hex)


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SetupVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=32)),
            ],
            options={
                "verbose_name": "SLA set-up version",
            },
        ),
        migrations.RunPython(first_token, migrations.RunPython.noop),
    ]
