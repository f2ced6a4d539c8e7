"""Time entries keep their currency with their rate (a later change of the rule's currency does
not relabel them). Existing entries get the currency of their client's rule now (the contract
chosen as `sla.queries.contract_for` does: the client's own, else the default), the best
guess there is; entries of a client without a rule stay without one."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    Contract = apps.get_model("sla", "Contract")
    BillingRule = apps.get_model("field", "BillingRule")
    TimeEntry = apps.get_model("field", "TimeEntry")
    own = set(
        Contract.objects.filter(organization__isnull=False).values_list(
            "organization_id", flat=True
        )
    )
    rules = BillingRule.objects.filter(contract__organization__isnull=False).values_list(
        "contract__organization_id", "currency"
    )
    entries = TimeEntry.objects.filter(organization__isnull=False)
    for organization_id, currency in rules:
        entries.filter(organization_id=organization_id).update(currency=currency)
    default = (
        BillingRule.objects.filter(contract__is_default=True)
        .values_list("currency", flat=True)
        .first()
    )
    if default:
        entries.exclude(organization_id__in=own).update(currency=default)


class Migration(migrations.Migration):
    dependencies = [
        ("field", "0001_initial"),
        ("sla", "0004_retiming"),
    ]

    operations = [
        migrations.AddField(
            model_name="timeentry",
            name="currency",
            field=models.CharField(
                blank=True,
                default="",
                help_text="The rule's currency when the entry was priced (kept with the rate).",
                max_length=3,
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
