"""The write side of the SLA set-up (sla.services, "calendars and contracts") and the report
query: who may change calendars and contracts, what is refused and under which field name, and
that a change of terms recomputes the due times of the open tickets it concerns."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from deskside.core.clock import frozen
from deskside.sla import retiming
from deskside.sla import services as sla
from deskside.sla.calendar import CalendarSpec
from deskside.sla.exceptions import InUse, InvalidInput, NotAllowed
from deskside.sla.models import Calendar, Contract
from deskside.sla.queries import contracts_visible_to, sla_report
from deskside.sla.services import TargetTerms
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind, Priority, Status

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
BERLIN = {
    "timezone": "Europe/Berlin",
    "weekly": {d: [["08:00", "12:00"], ["13:00", "17:00"]] for d in ("mon", "tue", "wed", "thu")}
    | {"fri": [["08:00", "12:00"]]},
    "holidays": ["2026-12-24"],
    "holiday_country": "DE",
    "holiday_subdivision": "HH",
}


@pytest.fixture
def always(admin):
    return sla.create_calendar(actor=admin, name="24x7", definition={"24x7": True})


@pytest.fixture
def office(admin):
    return sla.create_calendar(actor=admin, name="Berlin office", definition=BERLIN)


def minutes(p, first=None, nxt=None, res=None, calendar=None):
    return TargetTerms(p, first, nxt, res, calendar)


# -- calendars ---------------------------------------------------------------------------------


def test_admin_creates_a_calendar_stored_in_canonical_form(admin):
    calendar = sla.create_calendar(actor=admin, name="  Berlin office ", definition=BERLIN)
    calendar.refresh_from_db()
    assert calendar.name == "Berlin office"
    assert calendar.definition == CalendarSpec.from_json(BERLIN).to_json()
    assert calendar.definition["weekly"]["sat"] == []
    assert calendar.spec.holiday_subdivision == "HH"


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_only_admins_change_calendars(request, who, office):
    actor = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        sla.create_calendar(actor=actor, name="Mine", definition={"24x7": True})
    with pytest.raises(NotAllowed):
        sla.update_calendar(actor=actor, calendar=office, name="Renamed")
    with pytest.raises(NotAllowed):
        sla.delete_calendar(actor=actor, calendar=office)
    with pytest.raises(NotAllowed):
        sla.import_calendar(actor=actor, text=json.dumps(BERLIN), name="Copy")
    assert list(Calendar.objects.values_list("name", flat=True)) == ["Berlin office"]


@pytest.mark.parametrize(
    ("definition", "field"),
    [
        ({**BERLIN, "timezone": "Mars/Olympus"}, "definition.timezone"),
        ({**BERLIN, "weekly": {"mon": [["08:00", "25:00"]]}}, "definition.weekly.mon[0]"),
        ({**BERLIN, "holidays": ["2026-02-30"]}, "definition.holidays[0]"),
        ({**BERLIN, "holiday_country": "XX"}, "definition.holiday_country"),
        ({**BERLIN, "holiday_subdivision": "ZZ"}, "definition.holiday_subdivision"),
        ({"weekly": {}}, "definition.weekly"),
        (["not", "an", "object"], "definition"),
    ],
)
def test_an_invalid_calendar_names_the_part_at_fault(admin, definition, field):
    with pytest.raises(InvalidInput) as caught:
        sla.create_calendar(actor=admin, name="Bad", definition=definition)
    assert caught.value.field == field
    assert not Calendar.objects.exists()


def test_calendar_names_are_unique_ignoring_case(admin, office):
    with pytest.raises(InvalidInput) as caught:
        sla.create_calendar(actor=admin, name="BERLIN OFFICE", definition={"24x7": True})
    assert caught.value.field == "name"
    with pytest.raises(InvalidInput) as caught:
        sla.create_calendar(actor=admin, name=" ", definition={"24x7": True})
    assert caught.value.field == "name"


def test_import_round_trips_the_export_and_replaces_only_when_asked(admin, office):
    exported = json.dumps(office.spec.to_json())
    copy = sla.import_calendar(actor=admin, text=exported, name="Copy").calendar
    assert copy.definition == office.definition
    # The file's own name is used when none is given; a taken name needs `replace`.
    with pytest.raises(InvalidInput) as caught:
        sla.import_calendar(actor=admin, text=json.dumps({"name": "Copy", "24x7": True}))
    assert caught.value.field == "name"
    saved = sla.import_calendar(
        actor=admin, text=json.dumps({"name": "Copy", "24x7": True}), replace=True
    )
    assert saved.calendar.pk == copy.pk
    copy.refresh_from_db()
    assert copy.spec.always_open and "name" not in copy.definition


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("{not json", "definition"),
        (b"\xff\xfe", "definition"),
        ("[1, 2]", "definition"),
        (json.dumps({"weekly": {"mon": [["8", "9"]]}}), "definition.weekly.mon[0]"),
        (json.dumps({"24x7": True}), "name"),  # no name anywhere
    ],
)
def test_import_refuses_bad_files_naming_the_field(admin, text, field):
    with pytest.raises(InvalidInput) as caught:
        sla.import_calendar(actor=admin, text=text)
    assert caught.value.field == field
    assert not Calendar.objects.exists()


def test_a_calendar_in_use_cannot_be_deleted(admin, office, always):
    contract = sla.create_contract(
        actor=admin,
        name="Default",
        calendar=office,
        is_default=True,
        targets=[minutes(Priority.P1, 15, None, 240, calendar=always)],
    ).contract
    for calendar in (office, always):
        with pytest.raises(InUse) as caught:
            sla.delete_calendar(actor=admin, calendar=calendar)
        assert caught.value.field == "calendar" and "Default" in caught.value.message
    sla.update_contract(actor=admin, contract=contract, targets=[])
    sla.delete_calendar(actor=admin, calendar=always)
    assert list(Calendar.objects.values_list("name", flat=True)) == ["Berlin office"]


# -- contracts ---------------------------------------------------------------------------------


def test_contract_rules_name_their_field(admin, office, acme, globex, alice):
    sla.create_contract(actor=admin, name="Default", calendar=office, is_default=True)
    sla.create_contract(actor=admin, name="Acme", calendar=office, organization=acme)
    cases = [
        ({"is_default": True}, "is_default"),  # a second default
        ({"organization": acme}, "organization"),  # Acme has one
        ({}, "organization"),  # neither a client nor the default
        ({"is_default": True, "organization": acme}, "organization"),
        ({"organization": globex, "warning_percent": 100}, "warning_percent"),
        ({"organization": globex, "on_breach": "explode"}, "on_breach"),
        ({"organization": globex, "on_breach": Contract.OnBreach.REASSIGN}, "breach_team"),
        ({"organization": globex, "name": ""}, "name"),
        (
            {"organization": globex, "targets": [minutes("P1", 0)]},
            "targets.P1.first_response_minutes",
        ),
        ({"organization": globex, "targets": [minutes("P9", 5)]}, "targets.priority"),
        ({"organization": globex, "targets": [minutes("P2", 5), minutes(2, 9)]}, "targets.P2"),
    ]
    for kwargs, field in cases:
        args = {"name": "Another", "calendar": office, **kwargs}
        with pytest.raises(InvalidInput) as caught:
            sla.create_contract(actor=admin, **args)
        assert caught.value.field == field, kwargs
    assert Contract.objects.count() == 2
    with pytest.raises(NotAllowed):
        sla.create_contract(actor=alice, name="X", calendar=office, is_default=True)


def test_update_contract_replaces_targets_and_refuses_unknown_fields(admin, office, always, acme):
    contract = sla.create_contract(
        actor=admin,
        name="Acme",
        calendar=office,
        organization=acme,
        targets=[minutes("P1", 15, 30, 240, always), minutes("P3", 240, None, 1440)],
    ).contract
    assert [(t.priority, t.calendar_id) for t in contract.targets.all()] == [
        (1, always.pk),
        (3, None),
    ]
    sla.update_contract(
        actor=admin, contract=contract, targets=[minutes("P2", 60, None, 480)], warning_percent=80
    )
    contract.refresh_from_db()
    assert contract.warning_percent == 80
    assert [(t.priority, t.first_response_minutes) for t in contract.targets.all()] == [(2, 60)]
    with pytest.raises(InvalidInput) as caught:
        sla.update_contract(actor=admin, contract=contract, public_id="x")
    assert caught.value.field == "public_id"


def test_agents_see_contracts_of_the_clients_they_serve(admin, office, acme, globex, alice, carol):
    default = sla.create_contract(actor=admin, name="Default", calendar=office, is_default=True)
    a = sla.create_contract(actor=admin, name="Acme", calendar=office, organization=acme)
    g = sla.create_contract(actor=admin, name="Globex", calendar=office, organization=globex)
    assert list(contracts_visible_to(alice)) == [default.contract, a.contract, g.contract]
    alice.served_organizations.set([acme])
    alice = alice.__class__.objects.get(pk=alice.pk)
    assert list(contracts_visible_to(alice)) == [default.contract, a.contract]
    assert list(contracts_visible_to(carol)) == []


# -- recomputing due times ---------------------------------------------------------------------


@pytest.fixture
def std_contract(admin, always):
    return sla.create_contract(
        actor=admin,
        name="Default",
        calendar=always,
        is_default=True,
        targets=[minutes("P1", 15, None, 240), minutes("P3", 240, 480, 2880)],
    ).contract


def test_a_new_client_contract_recomputes_that_clients_open_tickets(
    admin, always, std_contract, make_ticket, carol, dave, alice
):
    with frozen(T0):
        open_ticket = make_ticket(carol)
        done = make_ticket(carol, subject="Done already")
        tickets.resolve_ticket(actor=alice, ticket=done, resolution="Fixed.")
        other = make_ticket(dave)
    assert open_ticket.resolution_due == T0 + timedelta(minutes=2880)
    done.refresh_from_db()
    done_before = (done.first_response_due, done.resolution_due)
    with frozen(T0 + timedelta(hours=1)):
        saved = sla.create_contract(
            actor=admin,
            name="Acme gold",
            calendar=always,
            organization=carol.organization,
            targets=[minutes("P3", 30, None, 120)],
        )
    assert saved.retimed == 1
    open_ticket.refresh_from_db()
    # Counted from the creation the 30-minute first response was due before the change: it
    # counts from the change instead (a change of terms never breaches in the past).
    assert open_ticket.first_response_due == T0 + timedelta(minutes=90)
    assert open_ticket.resolution_due == T0 + timedelta(minutes=120)
    event = open_ticket.events.get(kind=EventKind.SLA)
    assert event.actor == admin and not event.is_public
    assert event.data["changes"]["resolution_due"] == [
        (T0 + timedelta(minutes=2880)).isoformat(),
        (T0 + timedelta(minutes=120)).isoformat(),
    ]
    done.refresh_from_db()
    other.refresh_from_db()
    assert (done.first_response_due, done.resolution_due) == done_before  # not open: untouched
    assert other.resolution_due == T0 + timedelta(minutes=2880)  # Globex stays on the default
    assert not other.events.filter(kind=EventKind.SLA).exists()


def test_targets_change_recomputes_only_the_priorities_touched(
    admin, always, std_contract, make_ticket, carol
):
    with frozen(T0):
        p3 = make_ticket(carol)
        p1 = make_ticket(carol, priority=Priority.P1)
    with frozen(T0 + timedelta(minutes=1)):
        saved = sla.update_contract(
            actor=admin,
            contract=std_contract,
            targets=[minutes("P1", 10, None, 60), minutes("P3", 240, 480, 2880)],
        )
    assert saved.retimed == 1
    p1.refresh_from_db()
    p3.refresh_from_db()
    assert p1.first_response_due == T0 + timedelta(minutes=10)
    assert p3.resolution_due == T0 + timedelta(minutes=2880)
    assert not p3.events.filter(kind=EventKind.SLA).exists()
    # A name change moves nothing.
    assert sla.update_contract(actor=admin, contract=std_contract, name="Std").retimed == 0


def test_calendar_and_client_changes_recompute_both_sides(
    admin, always, office, std_contract, make_ticket, carol, dave
):
    with frozen(T0):  # Monday 10:00 in Berlin
        acme_ticket = make_ticket(carol)
        globex_ticket = make_ticket(dave)
        contract = sla.create_contract(
            actor=admin,
            name="Gold",
            calendar=always,
            organization=carol.organization,
            targets=[minutes("P3", 60, None, 600)],
        ).contract
    acme_ticket.refresh_from_db()
    assert acme_ticket.resolution_due == T0 + timedelta(minutes=600)
    # On the Berlin calendar: 10:00-12:00, 13:00-17:00, then Tuesday 08:00 + 4 h -> 12:00.
    with frozen(T0 + timedelta(minutes=1)):
        sla.update_contract(actor=admin, contract=contract, calendar=office)
    acme_ticket.refresh_from_db()
    assert acme_ticket.resolution_due == datetime(2026, 3, 3, 11, 0, tzinfo=UTC)
    # The contract moves to Globex: Acme falls back on the default, Globex gets the contract.
    with frozen(T0 + timedelta(minutes=2)):
        saved = sla.update_contract(actor=admin, contract=contract, organization=dave.organization)
    assert saved.retimed == 2
    acme_ticket.refresh_from_db()
    globex_ticket.refresh_from_db()
    assert acme_ticket.resolution_due == T0 + timedelta(minutes=2880)
    assert globex_ticket.resolution_due == datetime(2026, 3, 3, 11, 0, tzinfo=UTC)


def test_a_calendar_change_recomputes_the_tickets_counting_in_it(admin, office, make_ticket, carol):
    sla.create_contract(
        actor=admin,
        name="Default",
        calendar=office,
        is_default=True,
        targets=[minutes("P3", 60, None, 600)],
    )
    with frozen(T0):
        ticket = make_ticket(carol)
    assert ticket.resolution_due == datetime(2026, 3, 3, 11, 0, tzinfo=UTC)
    with frozen(T0 + timedelta(minutes=1)):
        saved = sla.update_calendar(actor=admin, calendar=office, definition={"24x7": True})
    assert saved.retimed == 1
    ticket.refresh_from_db()
    assert ticket.resolution_due == T0 + timedelta(minutes=600)
    # The same definition again changes nothing.
    assert sla.update_calendar(actor=admin, calendar=office, definition={"24x7": True}).retimed == 0


def test_recompute_walks_the_tickets_in_batches(
    admin, always, std_contract, make_ticket, carol, monkeypatch
):
    monkeypatch.setattr(retiming, "MAX_SLICE_ROWS", 2)
    with frozen(T0):
        made = [make_ticket(carol, subject=f"Ticket {i}") for i in range(5)]
    with frozen(T0 + timedelta(minutes=1)):
        saved = sla.update_contract(
            actor=admin, contract=std_contract, targets=[minutes("P3", 5, None, 50)]
        )
    assert saved.retimed == 5
    for ticket in made:
        ticket.refresh_from_db()
        assert ticket.resolution_due == T0 + timedelta(minutes=50)


def test_a_refused_change_recomputes_nothing(admin, always, std_contract, make_ticket, carol):
    with frozen(T0):
        ticket = make_ticket(carol)
    with pytest.raises(InvalidInput):
        sla.update_contract(
            actor=admin,
            contract=std_contract,
            targets=[minutes("P3", 5, None, 50)],
            warning_percent=0,
        )
    ticket.refresh_from_db()
    assert ticket.resolution_due == T0 + timedelta(minutes=2880)
    assert std_contract.targets.get(priority=3).resolution_minutes == 2880


# -- the report --------------------------------------------------------------------------------


def test_report_counts_met_breached_and_running_per_priority(
    admin, always, make_ticket, carol, dave, alice
):
    sla.create_contract(
        actor=admin,
        name="Acme",
        calendar=always,
        organization=carol.organization,
        targets=[minutes("P2", 30, None, 120), minutes("P3", 60, None, 240)],
    )
    sla.create_contract(
        actor=admin,
        name="Default",
        calendar=always,
        is_default=True,
        targets=[minutes("P3", 60, None, 240)],
    )
    at = lambda minutes: frozen(T0 + timedelta(minutes=minutes))  # noqa: E731
    with at(-40 * 24 * 60):
        make_ticket(carol, subject="Before the period")  # breached, but not counted
    with at(0):
        met = make_ticket(carol, subject="Met both")
        late = make_ticket(carol, subject="Late reply, open past due")
        waiting = make_ticket(carol, priority=Priority.P2, subject="Waiting on the customer")
        silent = make_ticket(carol, priority=Priority.P2, subject="Resolved late, no reply")
        make_ticket(dave, subject="Another client")
    with at(10):
        tickets.add_reply(actor=alice, ticket=waiting, body="Looking.")
    with at(30):
        tickets.add_reply(actor=alice, ticket=met, body="On it.")
    with at(60):
        tickets.set_status(actor=alice, ticket=waiting, status=Status.PENDING_CUSTOMER)
    with at(90):
        tickets.add_reply(actor=alice, ticket=late, body="Sorry for the wait.")
    with at(120):
        tickets.resolve_ticket(actor=alice, ticket=met, resolution="Fixed.")
    with at(300):
        tickets.resolve_ticket(actor=alice, ticket=silent, resolution="Fixed.")
    with at(540):
        fresh = make_ticket(carol, subject="Just in")
    with at(570):
        report = sla_report(
            carol.organization, since=T0 - timedelta(days=30), until=T0 + timedelta(days=1)
        )
    rows = {row.label: row for row in report.rows}
    assert [r.label for r in report.rows] == ["P1", "P2", "P3", "OPS"]
    p3, p2 = rows["P3"], rows["P2"]
    assert p3.tickets == 3
    assert (p3.first_response.met, p3.first_response.breached, p3.first_response.running) == (
        1,
        1,
        1,
    )
    assert (p3.resolution.met, p3.resolution.breached, p3.resolution.running) == (1, 1, 1)
    assert p2.tickets == 2
    # `waiting`: answered in time, paused before its resolution was due -> running;
    # `silent`: never answered, resolved after both due times -> breached twice.
    assert (p2.first_response.met, p2.first_response.breached, p2.first_response.running) == (
        1,
        1,
        0,
    )
    assert (p2.resolution.met, p2.resolution.breached, p2.resolution.running) == (0, 1, 1)
    assert rows["P1"].tickets == 0 and rows["OPS"].tickets == 0
    assert report.total.tickets == 5
    assert report.total.first_response.met == 2 and report.total.resolution.breached == 2
    assert report.total.first_response.met_percent == 50
    assert fresh.first_response_due == T0 + timedelta(minutes=600)
