"""deskside.core.audit: snapshots, diffs, redaction and the entries' filters."""

import datetime as dt

import pytest
from django.db import transaction

from deskside.accounts.models import Team
from deskside.core import audit, clock
from deskside.core.models import AuditEntry
from tests.audit_helpers import mark, only, since


def test_snapshot_names_related_objects_by_their_public_name(tara, network_team):
    values = audit.snapshot(network_team, ["name", "slug", "tier", "lead"])
    assert values == {
        "name": "Network L3",
        "slug": "network-l3",
        "tier": "L3",
        "lead": "tara@msp.example",
    }
    assert audit.snapshot(tara, ["teams", "is_staff"]) == {
        "teams": ["network-l3"],
        "is_staff": False,
    }


def test_snapshot_redacts_fields_named_like_secrets(db):
    team = Team(name="x", slug="x")
    team.secret_key = "hunter2"  # an attribute, read as is, but never stored
    team.token_hash = ""
    assert audit.snapshot(team, ["secret_key", "token_hash"]) == {
        "secret_key": audit.REDACTED,
        "token_hash": "",
    }


def test_jsonable_values():
    when = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    assert audit.jsonable({"at": when, "n": {1, 2}, "d": dt.timedelta(minutes=1)}) == {
        "at": "2026-03-02T09:00:00+00:00",
        "n": [1, 2],
        "d": 60.0,
    }


def test_changes_keeps_only_what_differs():
    old, new = audit.changes({"a": 1, "b": 2, "c": None}, {"a": 1, "b": 3, "d": 4})
    assert old == {"b": 2, "d": None}
    assert new == {"b": 3, "d": 4}
    assert audit.changes({"a": 1}, {"a": 1}) == ({}, {})


def test_record_redacts_secrets_at_any_depth(admin):
    entry = audit.record(
        admin,
        audit.UPDATED,
        "x.thing",
        "abc",
        before={"nested": {"password": "old-pass", "name": "a"}},
        after={"nested": {"password": "new-pass", "name": "b"}, "api_token": "tok"},
    )
    entry.refresh_from_db()
    assert entry.before == {"nested": {"password": audit.REDACTED, "name": "a"}}
    assert entry.after == {
        "nested": {"password": audit.REDACTED, "name": "b"},
        "api_token": audit.REDACTED,
    }
    assert entry.actor == admin
    assert entry.actor_label == "root@msp.example"


def test_record_without_actor_is_the_system(db):
    entry = audit.record(None, "created", "x.thing", "abc")
    assert entry.actor is None
    assert entry.actor_label == ""


def test_record_update_writes_nothing_when_nothing_changed(admin):
    start = mark()
    assert audit.record_update(admin, "x.thing", "a", before={"n": 1}, after={"n": 1}) is None
    assert since(start) == []
    audit.record_update(admin, "x.thing", "a", before={"n": 1, "m": 2}, after={"n": 2, "m": 2})
    entry = only(start)
    assert (entry.action, entry.before, entry.after) == ("updated", {"n": 1}, {"n": 2})


def test_entry_is_rolled_back_with_the_transaction(admin):
    start = mark()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(admin, "created", "x.thing", "abc")
        raise RuntimeError
    assert since(start) == []


def test_actor_kept_as_label_when_the_user_is_deleted(alice):
    entry = audit.record(alice, "created", "x.thing", "abc")
    alice.delete()
    entry.refresh_from_db()
    assert entry.actor is None
    assert entry.actor_label == "alice@msp.example"


def test_entries_filters(admin, alice):
    with clock.frozen(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)):
        first = audit.record(admin, "created", "sla.contract", "c1")
    with clock.frozen(dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC)):
        second = audit.record(alice, "updated", "sla.contract", "c1")
        third = audit.record(admin, "deleted", "duty.schedule", "s1")
    assert [e for e in audit.entries() if e.object_type != "accounts.team"] == [
        third,
        second,
        first,
    ]
    assert set(audit.entries(actor="alice@")) == {second}
    assert set(audit.entries(actor=str(admin.pk))) == {first, third}
    assert set(audit.entries(actor="9" * 40)) == set()
    assert set(audit.entries(object_type="sla.contract")) >= {first, second}
    assert set(audit.entries(action="deleted")) == {third}
    assert set(audit.entries(object_id="c1")) == {first, second}
    day2 = dt.datetime(2026, 3, 3, tzinfo=dt.UTC)
    assert set(audit.entries(since=day2, object_type="sla.contract")) == {second}
    assert set(audit.entries(until=day2, object_id="c1")) == {first}


def test_entry_str(db):
    entry = AuditEntry(action="created", object_type="sla.contract", object_id="c1")
    assert str(entry) == "created sla.contract c1 by system"
