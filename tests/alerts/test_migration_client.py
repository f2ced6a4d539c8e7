"""The data migration of issue 12 item 5 (alerts 0004_alert_client_from_ticket): an existing
alert's client becomes the client of its own ticket; alerts without a ticket keep theirs. Run
for real: the schema is taken back to 0003, rows are made wrong as the old matching could make
them, and the migrations are applied again (on SQLite and PostgreSQL alike)."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from deskside.alerts import services as alerts
from deskside.alerts import setup as alert_setup
from deskside.alerts.models import Alert, AlertStatus
from deskside.alerts.payloads import TRIGGER, AlertEvent
from deskside.core import clock

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("alerts", "0003_intake_errors")]
DATA = [("alerts", "0004_alert_client_from_ticket")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def leaf_nodes():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.slow
def test_existing_alerts_take_the_client_of_their_ticket(admin, acme, globex):
    with clock.frozen(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)):
        integration, _ = alert_setup.create_integration(actor=admin, name="RMM", kind="events")

        def fire(key, org):
            event = AlertEvent(action=TRIGGER, dedup_key=key, summary=key)
            return alerts.trigger(integration=integration, event=event, organization=org)

        fire("counted-on-acme", acme)
        fire("globex-own", globex)
        fire("no-ticket", acme)
    Alert.objects.filter(dedup_key="no-ticket").update(ticket=None, status=AlertStatus.SUPPRESSED)
    migrate(BEFORE)
    try:
        # As the old matching left it: globex's event owned the alert on acme's ticket.
        Alert.objects.filter(dedup_key="counted-on-acme").update(organization=globex)
        Alert.objects.filter(dedup_key="no-ticket").update(organization=globex)
        migrate(DATA)
        clients = dict(Alert.objects.values_list("dedup_key", "organization__slug"))
        assert clients == {
            "counted-on-acme": "acme",  # from its ticket
            "globex-own": "globex",  # already right
            "no-ticket": "globex",  # no ticket: kept
        }
    finally:
        migrate(leaf_nodes())
    # The new constraint: the same key may be open once per client.
    with clock.frozen(datetime(2026, 3, 2, 10, 0, tzinfo=UTC)):
        assert fire("counted-on-acme", globex).outcome == "created"
    assert Alert.objects.filter(dedup_key="counted-on-acme", status="firing").count() == 2
