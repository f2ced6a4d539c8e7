"""Caller look-up reads indexes, never the whole directory: SQLite's EXPLAIN QUERY PLAN of
every query `callers_matching` makes names an index of the user table and no full scan of it,
for an unrestricted and a restricted agent, without statistics (as a fresh database has
them). PostgreSQL's plans at 20,000 contacts are in bench/results/caller_lookup-*.md."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.accounts.queries import callers_matching, callers_with_number

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's EXPLAIN QUERY PLAN (PostgreSQL: bench/)"
)

TEXTS = ["(555) 010-0123", "555 010", "tel:+15550100123", "erin", "walsh", "erin@ac", "acme"]


def user_plans(run) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        run()
    found = []
    with connection.cursor() as cur:
        for query in ctx.captured_queries:
            if 'FROM "accounts_user"' not in query["sql"]:
                continue
            cur.execute("EXPLAIN QUERY PLAN " + query["sql"])
            found.append("\n".join(row[3] for row in cur.fetchall()))
    return found


@pytest.fixture
def restricted(msp, acme):
    user = accounts.create_user(email="rita@msp.example", kind="agent", tier=Tier.L1)
    user.served_organizations.set([acme])
    return user


@pytest.mark.parametrize("text", TEXTS)
def test_every_lookup_reads_an_index_of_the_contacts(alice, restricted, acme, text):
    accounts.create_user(
        email="erin@acme.example", full_name="Erin Walsh", organization=acme, phone="5550100123"
    )
    for agent in (alice, restricted):
        plans = user_plans(lambda a=agent: callers_matching(a, text))
        assert plans, text
        for plan in plans:
            assert "SCAN accounts_user" not in plan, plan
            assert "SEARCH accounts_user USING" in plan, plan
            assert "USING INDEX accounts_user_organization_id" not in plan or "acme" in text


def test_the_screen_pop_reads_the_number_indexes(restricted):
    [plan] = user_plans(lambda: callers_with_number(restricted, "+15550100123"))
    assert "phone_e164=?" in plan and "mobile_e164=?" in plan
    assert "SCAN accounts_user" not in plan
