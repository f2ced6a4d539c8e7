"""Schedules, layers and overrides write one audit entry per change."""

from datetime import datetime, timedelta

import pytest

from deskside.core import clock
from deskside.duty import services
from deskside.duty.exceptions import InvalidInput
from tests.audit_helpers import mark, only, since, stored_text
from tests.duty.conftest import BERLIN


def test_schedule_created_updated_deleted(admin, make_schedule):
    start = mark()
    schedule = make_schedule("Primary", "Europe/Berlin")
    entry = only(start)
    assert (entry.action, entry.object_type, entry.object_id) == (
        "created",
        "duty.schedule",
        "primary",
    )
    assert entry.after["timezone"] == "Europe/Berlin"

    start = mark()
    services.update_schedule(
        actor=admin, schedule=schedule, name="Primary", timezone="Europe/Paris"
    )
    entry = only(start)
    assert (entry.before, entry.after) == (
        {"timezone": "Europe/Berlin"},
        {"timezone": "Europe/Paris"},
    )

    start = mark()
    services.delete_schedule(actor=admin, schedule=schedule)
    assert only(start).action == "deleted"


def test_feed_token_is_never_recorded(admin, make_schedule):
    schedule = make_schedule("Primary")
    start = mark()
    services.regenerate_schedule_feed(actor=admin, schedule=schedule)
    entry = only(start)
    assert (entry.action, entry.before, entry.after) == ("feed_regenerated", None, None)
    assert schedule.feed_token not in stored_text()


def test_layer_created_updated_deleted(admin, make_schedule, make_layer, alice, leo):
    schedule = make_schedule("Primary")
    first = datetime(2026, 3, 2, 9, tzinfo=BERLIN)
    start = mark()
    layer = make_layer(schedule, [alice, leo], first, name="Weekly")
    entry = only(start)
    assert (entry.object_type, entry.object_id) == ("duty.layer", str(layer.pk))
    assert entry.after["members"] == ["alice@msp.example", "leo@msp.example"]

    start = mark()
    services.update_layer(
        actor=admin, layer=layer, name="Weekly", starts_at=first, members=[leo, alice]
    )
    entry = only(start)
    assert entry.before == {"members": ["alice@msp.example", "leo@msp.example"]}
    assert entry.after == {"members": ["leo@msp.example", "alice@msp.example"]}

    start = mark()
    services.delete_layer(actor=admin, layer=layer)
    assert only(start).action == "deleted"


def test_override_created_and_deleted(admin, make_schedule, alice):
    schedule = make_schedule("Primary")
    now = clock.now()
    start = mark()
    override = services.create_override(
        actor=admin,
        schedule=schedule,
        user=alice,
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=5),
        reason="cover",
    )
    entry = only(start)
    assert (entry.object_type, entry.object_id) == ("duty.override", str(override.pk))
    assert entry.after["user"] == "alice@msp.example"

    start = mark()
    services.delete_override(actor=admin, override=override)
    assert only(start).action == "deleted"


def test_a_failing_change_writes_no_entry(admin, make_schedule):
    schedule = make_schedule("Primary")
    start = mark()
    with pytest.raises(InvalidInput):
        services.update_schedule(
            actor=admin, schedule=schedule, name="Primary", timezone="Mars/Base"
        )
    assert since(start) == []
