"""The pages that grew with the data read an index in order instead of sorting or scanning
every ticket of a client or every ticket with an SLA (bench/results/pages-*.md): SQLite's
EXPLAIN QUERY PLAN of the queries they run names the index and no temporary B-tree for the
ORDER BY. Rows and statistics do not matter here: SQLite picks these plans on an empty
table as on a million tickets (PostgreSQL's choice depends on its statistics; its plans are
in bench/results/)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deskside.core import clock
from deskside.sla.queries import sla_report
from deskside.tickets.models import Ticket
from deskside.tickets.queries import queue

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's EXPLAIN QUERY PLAN (PostgreSQL: bench/)"
)


def plans(run) -> list[str]:
    """The query plans of the ticket queries `run()` makes, one text per query."""
    with CaptureQueriesContext(connection) as ctx:
        run()
    found = []
    with connection.cursor() as cur:
        for query in ctx.captured_queries:
            if 'FROM "tickets_ticket"' not in query["sql"]:
                continue
            cur.execute("EXPLAIN QUERY PLAN " + query["sql"])
            found.append("\n".join(row[3] for row in cur.fetchall()))
    assert found, "no query of the tickets"
    return found


def test_portal_list_of_an_organisation_admin_reads_the_clients_newest_tickets(
    client, olivia, make_ticket, carol
):
    make_ticket(carol, subject="Printer offline")
    client.force_login(olivia)
    [plan] = plans(lambda: client.get("/portal/"))
    assert "USING INDEX ticket_org_id (organization_id=?)" in plan
    assert "TEMP B-TREE" not in plan


def test_sla_report_reads_the_period_of_the_client_only(acme, alice):
    now = clock.now()
    [plan] = plans(lambda: sla_report(acme, since=now - timedelta(days=30), until=now))
    assert "USING INDEX ticket_org_created (organization_id=? AND created_at>? AND" in plan


def test_breached_queue_reads_the_tickets_with_an_sla_newest_first(alice):
    [plan] = plans(lambda: list(queue(alice, "open", sla="breached")[:51]))
    assert "USING INDEX ticket_sla_id" in plan
    assert "TEMP B-TREE" not in plan


def test_at_risk_queue_by_time_left_reads_only_the_warned_tickets(alice):
    [plan] = plans(lambda: list(queue(alice, "open", sla="at_risk", sort="due")[:51]))
    assert "USING INDEX ticket_sla_warned" in plan


def test_other_sla_states_keep_their_results(alice, make_ticket, carol):
    """The partial indexes' conditions are plain SQL with no parameters (so SQLite matches
    them); the filters still count on the real bits: a ticket without an SLA is in none."""
    make_ticket(carol, subject="No contract, no clock")
    for state in ("ok", "paused", "at_risk", "breached"):
        assert list(queue(alice, "open", sla=state)) == []
    assert Ticket.objects.filter(sla_due__isnull=False).count() == 0
