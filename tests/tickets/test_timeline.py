"""The timeline: each service writes exactly its events in its own transaction; events are
append-only; edits record old and new values; merges keep both histories."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from deskside.accounts.models import Tier
from deskside.tickets import services
from deskside.tickets.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.tickets.models import EventKind, Priority, Status, Ticket, TicketEvent, TicketType
from deskside.tickets.queries import visible_events, visible_tickets

NOTES = {"symptoms": "s", "steps_tried": "t", "impact": "i"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def kinds_after(ticket: Ticket, first_id: int) -> list[str]:
    return list(ticket.events.filter(id__gt=first_id).values_list("kind", flat=True))


def last_id() -> int:
    return TicketEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def upload(size: int = 5) -> SimpleUploadedFile:
    return SimpleUploadedFile("f.txt", b"x" * size, content_type="text/plain")


# Each case: (name, setup, action, expected events) with setup and action taking
# (ticket, personas) and a fresh NEW Acme ticket by Carol.
CASES = [
    (
        "reply by agent on new",
        None,
        lambda t, p: services.add_reply(actor=p["alice"], ticket=t, body="On it"),
        [EventKind.REPLY, EventKind.STATUS],
    ),
    (
        "reply by agent on open",
        lambda t, p: services.set_status(actor=p["alice"], ticket=t, status=Status.OPEN),
        lambda t, p: services.add_reply(actor=p["alice"], ticket=t, body="On it"),
        [EventKind.REPLY],
    ),
    (
        "reply by customer on resolved",
        lambda t, p: services.resolve_ticket(actor=p["alice"], ticket=t, resolution="x"),
        lambda t, p: services.add_reply(actor=p["carol"], ticket=t, body="Nope"),
        [EventKind.REPLY, EventKind.REOPENED],
    ),
    (
        "reply by customer on pending",
        lambda t, p: services.set_status(
            actor=p["alice"], ticket=t, status=Status.PENDING_CUSTOMER
        ),
        lambda t, p: services.add_reply(actor=p["carol"], ticket=t, body="Here"),
        [EventKind.REPLY, EventKind.STATUS],
    ),
    (
        "note",
        None,
        lambda t, p: services.add_note(actor=p["alice"], ticket=t, body="hmm"),
        [EventKind.NOTE],
    ),
    (
        "attachments",
        None,
        lambda t, p: services.add_attachments(
            actor=p["carol"], ticket=t, files=[upload(), upload()]
        ),
        [EventKind.ATTACHMENT],
    ),
    (
        "call",
        None,
        lambda t, p: services.log_call(actor=p["alice"], ticket=t, minutes=3, body="called"),
        [EventKind.CALL],
    ),
    (
        "call on pending customer",
        lambda t, p: services.set_status(
            actor=p["alice"], ticket=t, status=Status.PENDING_CUSTOMER
        ),
        lambda t, p: services.log_call(actor=p["alice"], ticket=t, minutes=3, body="called"),
        [EventKind.CALL, EventKind.STATUS],
    ),
    (
        "assign new",
        None,
        lambda t, p: services.assign_ticket(actor=p["alice"], ticket=t, assignee=p["leo"]),
        [EventKind.ASSIGNED, EventKind.STATUS],
    ),
    (
        "assign open",
        lambda t, p: services.set_status(actor=p["alice"], ticket=t, status=Status.OPEN),
        lambda t, p: services.assign_ticket(actor=p["alice"], ticket=t, assignee=p["leo"]),
        [EventKind.ASSIGNED],
    ),
    (
        "escalate new",
        None,
        lambda t, p: services.escalate_ticket(actor=p["alice"], ticket=t, tier=Tier.L2, **NOTES),
        [EventKind.ESCALATED, EventKind.STATUS],
    ),
    (
        "status",
        None,
        lambda t, p: services.set_status(actor=p["alice"], ticket=t, status=Status.ON_HOLD),
        [EventKind.STATUS],
    ),
    (
        "resolve",
        None,
        lambda t, p: services.resolve_ticket(actor=p["alice"], ticket=t, resolution="x"),
        [EventKind.RESOLVED],
    ),
    (
        "reopen",
        lambda t, p: services.resolve_ticket(actor=p["alice"], ticket=t, resolution="x"),
        lambda t, p: services.reopen_ticket(actor=p["carol"], ticket=t, reason="again"),
        [EventKind.REOPENED],
    ),
    (
        "close",
        None,
        lambda t, p: services.close_ticket(actor=p["carol"], ticket=t),
        [EventKind.CLOSED],
    ),
    (
        "update",
        None,
        lambda t, p: services.update_ticket(actor=p["alice"], ticket=t, subject="A", priority="P2"),
        [EventKind.CHANGED],
    ),
    (
        "watchers",
        None,
        lambda t, p: services.set_watchers(actor=p["alice"], ticket=t, watchers=[p["olivia"]]),
        [EventKind.WATCHERS],
    ),
]


@pytest.mark.parametrize(
    ("setup", "action", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_service_writes_its_events(
    alice, leo, carol, olivia, acme_ticket, setup, action, expected
):
    personas = {"alice": alice, "leo": leo, "carol": carol, "olivia": olivia}
    if setup:
        setup(acme_ticket, personas)
        acme_ticket.refresh_from_db()
    start = last_id()
    action(acme_ticket, personas)
    assert kinds_after(acme_ticket, start) == expected
    assert TicketEvent.objects.filter(id__gt=start).exclude(ticket=acme_ticket).count() == 0


def test_create_writes_one_public_created_event(alice, carol, leo, desktop_team):
    ticket = services.create_ticket(
        actor=alice,
        ticket=services.NewTicket(
            requester=carol,
            subject="S",
            description="D",
            priority="P2",
            team=desktop_team,
            assignee=leo,
            tier=Tier.L2,
        ),
    ).ticket
    (event,) = ticket.events.all()
    assert event.kind == EventKind.CREATED
    assert event.is_public
    assert event.actor == alice
    assert event.body == "D"
    assert event.data == {
        "channel": "web",
        "priority": "P2",
        "type": "incident",
        "tier": "L2",
        "team": desktop_team.name,
        "assignee": leo.get_full_name(),
    }


def test_intake_call_writes_created_call_resolved(alice, carol):
    ticket = services.intake_call(
        actor=alice,
        organization=carol.organization,
        requester=carol,
        subject="S",
        minutes=3,
        resolution="Done",
    )
    assert list(ticket.events.values_list("kind", flat=True)) == [
        EventKind.CREATED,
        EventKind.CALL,
        EventKind.RESOLVED,
    ]


def test_merge_writes_one_event_on_each_ticket(alice, carol, make_ticket):
    source, target = make_ticket(carol, subject="Dup"), make_ticket(carol, subject="Orig")
    start = last_id()
    services.merge_tickets(actor=alice, source=source, target=target)
    assert kinds_after(source, start) == [EventKind.MERGED]
    assert kinds_after(target, start) == [EventKind.MERGED_IN]


def test_internal_events_are_hidden_from_customers(alice, carol, acme_ticket):
    services.add_note(actor=alice, ticket=acme_ticket, body="internal")
    services.log_call(actor=alice, ticket=acme_ticket, minutes=1, body="call")
    services.escalate_ticket(actor=alice, ticket=acme_ticket, tier=Tier.L2, **NOTES)
    services.add_reply(actor=alice, ticket=acme_ticket, body="public")
    customer_kinds = set(visible_events(carol, acme_ticket).values_list("kind", flat=True))
    assert customer_kinds == {EventKind.CREATED, EventKind.STATUS, EventKind.REPLY}
    assert visible_events(alice, acme_ticket).count() == acme_ticket.events.count()


# -- a failed service leaves nothing -----------------------------------------------------------


def _state(ticket: Ticket) -> dict:
    row = Ticket.objects.filter(pk=ticket.pk).values().get()
    row["events"] = list(ticket.events.values_list("id", flat=True))
    row["watchers"] = sorted(ticket.watchers.values_list("id", flat=True))
    row["attachments"] = list(ticket.attachments.values_list("id", flat=True))
    return row


FAILURES = [
    (
        "reply with oversized file",
        InvalidInput,
        lambda t, p: services.add_reply(
            actor=p["carol"], ticket=t, body="x", attachments=[upload(), upload(50)]
        ),
    ),
    (
        "note with oversized file",
        InvalidInput,
        lambda t, p: services.add_note(
            actor=p["alice"], ticket=t, body="x", attachments=[upload(50)]
        ),
    ),
    (
        "attachments oversized",
        InvalidInput,
        lambda t, p: services.add_attachments(
            actor=p["alice"], ticket=t, files=[upload(), upload(50)]
        ),
    ),
    (
        "update with one bad field",
        InvalidInput,
        lambda t, p: services.update_ticket(
            actor=p["alice"], ticket=t, subject="New subject", priority="P9"
        ),
    ),
    (
        "update unknown field",
        TypeError,  # update_ticket's fields are typed parameters
        lambda t, p: services.update_ticket(actor=p["alice"], ticket=t, subject="N", status="x"),
    ),
    (
        "escalate without impact",
        InvalidInput,
        lambda t, p: services.escalate_ticket(
            actor=p["alice"], ticket=t, tier=Tier.L2, symptoms="s", steps_tried="t", impact=""
        ),
    ),
    (
        "watchers from another client",
        InvalidInput,
        lambda t, p: services.set_watchers(
            actor=p["alice"], ticket=t, watchers=[p["olivia"], p["dave"]]
        ),
    ),
    (
        "merge into itself",
        InvalidInput,
        lambda t, p: services.merge_tickets(actor=p["alice"], source=t, target=t),
    ),
    (
        "customer resolving",
        NotAllowed,
        lambda t, p: services.resolve_ticket(actor=p["carol"], ticket=t, resolution="x"),
    ),
    (
        "reopen a new ticket",
        InvalidTransition,
        lambda t, p: services.reopen_ticket(actor=p["carol"], ticket=t),
    ),
]


@pytest.mark.parametrize(
    ("error", "action"), [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES]
)
def test_failed_service_changes_nothing(
    settings, alice, carol, olivia, dave, acme_ticket, error, action
):
    settings.DESKSIDE_MAX_ATTACHMENT_BYTES = 10
    personas = {"alice": alice, "carol": carol, "olivia": olivia, "dave": dave}
    before = _state(acme_ticket)
    in_memory = (acme_ticket.subject, acme_ticket.priority, acme_ticket.status, acme_ticket.tier)
    with pytest.raises(error):
        action(acme_ticket, personas)
    assert _state(acme_ticket) == before
    # The caller's object is not left half-changed either (a view re-renders it).
    assert (
        acme_ticket.subject,
        acme_ticket.priority,
        acme_ticket.status,
        acme_ticket.tier,
    ) == in_memory


# -- append-only -------------------------------------------------------------------------------


def test_events_cannot_be_saved_twice_or_deleted(acme_ticket):
    event = acme_ticket.events.get()
    event.body = "rewritten history"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    event.refresh_from_db()
    assert event.body == acme_ticket.description
    assert acme_ticket.events.count() == 1


# -- update_ticket -----------------------------------------------------------------------------


def test_update_records_old_and_new_per_field(alice, carol, acme_ticket, acme, make_ticket):
    from_site = acme_ticket.site
    parent = make_ticket(carol, subject="Parent")
    event = services.update_ticket(
        actor=alice,
        ticket=acme_ticket,
        subject="Printer on fire",
        priority="P1",
        type=TicketType.SERVICE_REQUEST,
        site=None,
        parent=parent,
        description=acme_ticket.description,
    )
    assert event.kind == EventKind.CHANGED
    assert event.actor == alice
    assert event.is_public is False
    # The display diff, for people; and the raw values, for the hook's handlers.
    assert event.data == {
        "changes": {
            "subject": ["Printer offline on floor 2", "Printer on fire"],
            "priority": ["P3", "P1"],
            "type": ["incident", "service_request"],
            "site": [from_site.name, None],
            "parent": [None, parent.number],
        },
        "values": {
            "subject": {"old": "Printer offline on floor 2", "new": "Printer on fire"},
            "priority": {"old": 3, "new": 1},
            "type": {"old": "incident", "new": "service_request"},
            "site": {"old": from_site.pk, "new": None},
            "parent": {"old": None, "new": parent.pk},
        },
    }
    acme_ticket.refresh_from_db()
    assert acme_ticket.subject == "Printer on fire"
    assert acme_ticket.priority == Priority.P1
    assert acme_ticket.site is None
    assert acme_ticket.parent == parent


def test_update_without_change_returns_none(alice, acme_ticket):
    count = acme_ticket.events.count()
    updated = acme_ticket.updated_at
    assert services.update_ticket(actor=alice, ticket=acme_ticket) is None
    assert (
        services.update_ticket(
            actor=alice,
            ticket=acme_ticket,
            subject=f"  {acme_ticket.subject} ",
            priority="P3",
            type=acme_ticket.type,
        )
        is None
    )
    acme_ticket.refresh_from_db()
    assert acme_ticket.events.count() == count
    assert acme_ticket.updated_at == updated


def test_update_refuses_foreign_site_and_parent(alice, acme_ticket, globex_site, globex_ticket):
    with pytest.raises(InvalidInput) as err:
        services.update_ticket(actor=alice, ticket=acme_ticket, site=globex_site)
    assert err.value.field == "site"
    for parent in (globex_ticket, acme_ticket):
        with pytest.raises(InvalidInput) as err:
            services.update_ticket(actor=alice, ticket=acme_ticket, parent=parent)
        assert err.value.field == "parent"


# -- watchers ----------------------------------------------------------------------------------


def test_set_watchers_records_added_and_removed(alice, leo, olivia, acme_ticket):
    event = services.set_watchers(actor=alice, ticket=acme_ticket, watchers=[olivia, leo])
    assert sorted(event.data["added"]) == sorted([olivia.get_full_name(), leo.get_full_name()])
    assert event.data["removed"] == []
    event = services.set_watchers(actor=alice, ticket=acme_ticket, watchers=[olivia])
    assert event.data == {
        "added": [],
        "removed": [leo.get_full_name()],
        "added_ids": [],
        "removed_ids": [leo.pk],
    }
    assert not event.is_public  # ids of people stay internal
    assert services.set_watchers(actor=alice, ticket=acme_ticket, watchers=[olivia]) is None
    assert list(acme_ticket.watchers.all()) == [olivia]


def test_set_watchers_refuses_another_clients_customer(alice, dave, acme_ticket):
    with pytest.raises(InvalidInput) as err:
        services.set_watchers(actor=alice, ticket=acme_ticket, watchers=[dave])
    assert err.value.field == "watchers"
    assert not acme_ticket.watchers.exists()
    assert not visible_tickets(dave).exists()


# -- merge -------------------------------------------------------------------------------------


def test_merge(alice, carol, olivia, leo, make_ticket):
    target = make_ticket(olivia, subject="Printer down (olivia)")
    source = make_ticket(carol, subject="Printer down (carol)")
    services.set_watchers(actor=alice, ticket=source, watchers=[leo])
    services.add_note(actor=alice, ticket=source, body="same printer as the other one")
    source_events = list(source.events.values_list("id", "kind"))
    event = services.merge_tickets(actor=alice, source=source, target=target)
    source.refresh_from_db()
    target.refresh_from_db()
    assert source.status == Status.CLOSED
    assert source.closed_at is not None
    assert source.merged_into == target
    assert event.ticket == source
    assert event.is_public
    assert event.data == {"into": target.number, "from": "new"}  # the status it left
    assert list(source.events.values_list("id", "kind"))[:-1] == source_events
    merged_in = target.events.last()
    assert merged_in.kind == EventKind.MERGED_IN
    assert merged_in.data == {"from": source.number}
    assert set(target.watchers.all()) == {carol, leo}
    assert target.status == Status.NEW
    # Carol follows the surviving ticket.
    assert target in visible_tickets(carol)


def test_merge_refusals(alice, carol, dave, make_ticket):
    a, b = make_ticket(carol, subject="A"), make_ticket(carol, subject="B")
    foreign = make_ticket(dave, subject="G")
    with pytest.raises(InvalidInput) as err:
        services.merge_tickets(actor=alice, source=a, target=a)
    assert err.value.field == "target"
    with pytest.raises(InvalidInput) as err:
        services.merge_tickets(actor=alice, source=a, target=foreign)
    assert err.value.field == "target"
    services.close_ticket(actor=alice, ticket=b)
    with pytest.raises(InvalidTransition) as err:
        services.merge_tickets(actor=alice, source=a, target=b)
    assert err.value.field == "target"
    with pytest.raises(InvalidTransition) as err:
        services.merge_tickets(actor=alice, source=b, target=a)
    assert err.value.field == "source"
    a.refresh_from_db()
    assert a.status == Status.NEW
    assert a.merged_into is None
    assert a.events.count() == 1
