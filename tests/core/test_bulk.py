"""deskside.core.bulk: the many-row statements behind the workers, on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction
from django.db.models import Count, Value

from deskside.accounts.models import Organization
from deskside.core import bulk
from deskside.reports.models import DurationRollup
from deskside.tickets.models import EventKind, TicketEvent
from tests.core.races import in_threads

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ORG_FIELDS = ("name", "slug", "is_msp", "timezone", "email_domains", "notes", "created_at")


def _orgs(n: int, prefix: str = "org") -> list[int]:
    bulk.insert_many(
        Organization,
        ORG_FIELDS,
        [
            (f"{prefix} {i}", f"{prefix}-{i}", False, "UTC", "", "", T0 + timedelta(seconds=i))
            for i in range(n)
        ],
    )
    return list(
        Organization.objects.filter(slug__startswith=f"{prefix}-")
        .order_by("id")
        .values_list("id", flat=True)
    )


def test_empty_input_does_nothing(db):
    assert bulk.claim_many(Organization, [], expect=("notes",), assign=("notes",)) == set()
    assert bulk.insert_many(Organization, ORG_FIELDS, []) == 0


def test_insert_many_writes_the_values_as_the_orm_reads_them(db, make_ticket, carol):
    ticket = make_ticket(carol)
    before = TicketEvent.objects.count()
    bulk.insert_many(
        TicketEvent,
        ("ticket", "kind", "created_at", "is_public", "body", "data"),
        [(ticket.pk, EventKind.NOTE.value, T0, False, "one", {"a": [1, "x"]})],
    )
    assert TicketEvent.objects.count() == before + 1
    event = TicketEvent.objects.order_by("-id")[0]
    assert (event.kind, event.created_at, event.is_public, event.body, event.data) == (
        EventKind.NOTE,
        T0,
        False,
        "one",
        {"a": [1, "x"]},
    )
    assert event.actor_id is None


def test_claim_many_claims_the_rows_that_still_hold_what_was_read(db):
    ids = _orgs(6)
    Organization.objects.filter(pk=ids[1]).update(notes="changed")
    Organization.objects.filter(pk=ids[2]).update(created_at=T0 + timedelta(days=1))
    rows = [(pk, T0 + timedelta(seconds=i), "", "claimed", T0) for i, pk in enumerate(ids)]
    mine = bulk.claim_many(
        Organization, rows, expect=("created_at", "notes"), assign=("notes", "created_at")
    )
    assert mine == set(ids) - {ids[1], ids[2]}
    assert set(Organization.objects.filter(notes="claimed").values_list("id", flat=True)) == mine
    assert {o.created_at for o in Organization.objects.filter(pk__in=mine)} == {T0}
    # A second claim with the same reads matches nothing: the first changed every row.
    assert (
        bulk.claim_many(
            Organization, rows, expect=("created_at", "notes"), assign=("notes", "created_at")
        )
        == set()
    )


def test_a_row_needs_every_value(db):
    with pytest.raises(ValueError, match="3 values"):
        bulk.claim_many(Organization, [(1, "x")], expect=("notes",), assign=("notes",))


def test_large_input_over_sqlite_s_variable_limit(db):
    n = 40_000  # 7 values a row to insert, 5 to claim: several times SQLite's 32,766
    ids = _orgs(n)
    assert len(ids) == n
    rows = [(pk, T0 + timedelta(seconds=i), "", "claimed", T0) for i, pk in enumerate(ids)]
    mine = bulk.claim_many(
        Organization, rows, expect=("created_at", "notes"), assign=("notes", "created_at")
    )
    assert len(mine) == n
    assert Organization.objects.filter(notes="claimed").count() == n


@pytest.mark.django_db(transaction=True)
def test_racing_claims_claim_each_row_once():
    ids = _orgs(300, "race")

    # Every process reads the same rows at once and claims overlapping ranges of them.
    reads = {pk: T0 + timedelta(seconds=i) for i, pk in enumerate(ids)}

    def claim_range(lo: int, hi: int):
        def work() -> set[int]:
            part = ids[lo:hi]
            with transaction.atomic():
                return bulk.claim_many(
                    Organization,
                    [(pk, reads[pk], "", "claimed", T0 - timedelta(days=1)) for pk in part],
                    expect=("created_at", "notes"),
                    assign=("notes", "created_at"),
                )

        return work

    results, errors = in_threads(
        claim_range(0, 200), claim_range(100, 300), claim_range(0, 300), claim_range(50, 250)
    )
    assert errors == []
    claimed = [pk for result in results for pk in result]
    assert len(claimed) == len(set(claimed)) == 300  # each row once, by one of them
    assert Organization.objects.filter(notes="claimed").count() == 300


def test_update_returning_returns_the_changed_rows(db):
    first, second, _ = _orgs(3)
    for lock in (False, True):
        rows = bulk.update_returning(
            Organization,
            assign="notes = %s",
            assign_params=[f"lock {lock}"],
            where="slug IN (%s, %s)",
            where_params=["org-0", "org-1"],
            returning=["id", "notes", "CASE WHEN slug = %s THEN 1 ELSE 0 END"],
            returning_params=["org-1"],
            lock_in_id_order=lock,
        )
        assert sorted(rows) == [(first, f"lock {lock}", 0), (second, f"lock {lock}", 1)]
    assert (
        bulk.update_returning(
            Organization,
            assign="notes = %s",
            assign_params=["x"],
            where="slug = %s",
            where_params=["none"],
            returning=["id"],
        )
        == []
    )


def test_insert_select_copies_rows_and_adds_on_a_conflict(db):
    """INSERT ... SELECT from a values() queryset (its columns named, their order free), then
    the same as an upsert that adds to the counters of the row already there (the reports'
    monthly rollup; tests/reports/test_stored_figures.py tests the whole)."""
    for name in ("Alpha", "Beta", "Gamma"):
        Organization.objects.create(name=name, slug=name.lower())
    constants = {
        "m": Value(date(2026, 3, 1)),
        "t": Value(0),
        "p": Value(3),
        "ti": Value("L1"),
        "f": Value("resolve"),
        "mi": Value(42),
    }
    picked = (
        Organization.objects.filter(slug__in=["alpha", "beta", "gamma"])
        .order_by()
        .values(**constants)
        .annotate(s=Count("pk") * 10, n=Count("pk"))
    )
    columns = dict(
        zip(["month", "team_id", "priority", "tier", "figure", "minute"], constants, strict=True)
    )
    columns |= {"tickets": "n", "seconds": "s"}
    key, add = list(columns)[:6], ["tickets", "seconds"]
    assert bulk.insert_select(DurationRollup, picked, columns, key=key, add=add) == 1
    assert bulk.insert_select(DurationRollup, picked, columns, key=key, add=add) == 1
    row = DurationRollup.objects.get()
    assert (row.month, row.minute, row.tier, row.tickets, row.seconds) == (
        date(2026, 3, 1),
        42,
        "L1",
        6,
        60,
    )
    assert bulk.insert_select(DurationRollup, picked.none(), columns, key=key, add=add) == 0
