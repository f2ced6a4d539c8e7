"""The SLA set-up writes one audit entry per change, in the change's transaction."""

import pytest

from deskside.sla import services
from deskside.sla.exceptions import InvalidInput, NotAllowed
from deskside.sla.services import TargetTerms
from deskside.tickets.models import Priority
from tests.audit_helpers import mark, only, since

DEFINITION = {"timezone": "UTC", "weekly": {"mon": [["09:00", "17:00"]]}}


def test_calendar_created_updated_deleted(admin):
    start = mark()
    calendar = services.create_calendar(actor=admin, name="Ops", definition=DEFINITION)
    entry = only(start)
    assert (entry.action, entry.object_type, entry.object_id) == (
        "created",
        "sla.calendar",
        calendar.public_id,
    )
    assert entry.actor == admin
    assert entry.after["name"] == "Ops"
    assert entry.after["definition"]["timezone"] == "UTC"

    start = mark()
    services.update_calendar(actor=admin, calendar=calendar, name="Ops hours")
    entry = only(start)
    assert (entry.action, entry.before, entry.after) == (
        "updated",
        {"name": "Ops"},
        {"name": "Ops hours"},
    )

    start = mark()
    services.update_calendar(actor=admin, calendar=calendar, name="Ops hours")
    assert since(start) == []  # nothing changed, nothing recorded

    start = mark()
    services.delete_calendar(actor=admin, calendar=calendar)
    entry = only(start)
    assert (entry.action, entry.before["name"], entry.after) == ("deleted", "Ops hours", None)


def test_holidays_are_part_of_the_calendars_diff(admin):
    calendar = services.create_calendar(actor=admin, name="Ops", definition=DEFINITION)
    start = mark()
    services.update_calendar(
        actor=admin, calendar=calendar, definition={**DEFINITION, "holidays": ["2026-12-25"]}
    )
    entry = only(start)
    assert list(entry.after) == ["definition"]
    assert entry.after["definition"]["holidays"] == ["2026-12-25"]


def test_contract_created_and_updated(admin, acme, office_hours, around_the_clock):
    start = mark()
    saved = services.create_contract(
        actor=admin,
        name="Acme",
        calendar=office_hours,
        organization=acme,
        targets=[TargetTerms(Priority.P1, 15, None, 240)],
    )
    entry = only(start)
    contract = saved.contract
    assert (entry.object_type, entry.object_id, entry.object_label) == (
        "sla.contract",
        contract.public_id,
        "Acme",
    )
    assert entry.after["organization"] == "acme"
    assert entry.after["calendar"] == office_hours.public_id
    assert entry.after["targets"]["P1"]["resolution_minutes"] == 240

    start = mark()
    services.update_contract(actor=admin, contract=contract, warning_percent=50)
    entry = only(start)
    assert (entry.before, entry.after) == ({"warning_percent": 75}, {"warning_percent": 50})

    start = mark()
    services.update_contract(
        actor=admin, contract=contract, targets=[TargetTerms(Priority.P1, 15, None, 120)]
    )
    entry = only(start)
    assert entry.before["targets"]["P1"]["resolution_minutes"] == 240
    assert entry.after["targets"]["P1"]["resolution_minutes"] == 120


def test_a_failing_change_writes_no_entry(admin, alice, acme_contract):
    start = mark()
    with pytest.raises(InvalidInput):
        services.update_contract(actor=admin, contract=acme_contract, warning_percent=500)
    with pytest.raises(NotAllowed):
        services.create_calendar(actor=alice, name="Nope", definition=DEFINITION)
    assert since(start) == []
