"""Ticket services: numbering, idempotent intake, who may do what, attachments.

Data is built through the services, as the personas' actions would build it.
"""

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.tickets import rules, services
from deskside.tickets.exceptions import InvalidInput, InvalidTransition, NotAllowed, TicketError
from deskside.tickets.models import (
    Attachment,
    Channel,
    EventKind,
    IdempotencyKey,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketSearch,
    parse_number,
)
from deskside.tickets.queries import attachment_for, visible_tickets
from deskside.tickets.services import conversation, edits, intake, routing, status


def upload(name: str = "log.txt", content: bytes = b"hello", content_type: str = "text/plain"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def in_threads(n: int, work: Callable[[int], object]) -> tuple[list, list[BaseException]]:
    """Run `work(i)` in `n` threads released together; each thread has its own connection,
    closed when it ends."""
    barrier = threading.Barrier(n)
    results: list = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work(i))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results, errors


@pytest.fixture
def rita(msp, globex):
    """An agent who serves Globex only."""
    user = accounts.create_user(
        email="rita@msp.example",
        full_name="Rita Restricted",
        kind="agent",
        tier=Tier.L1,
        organization=msp,
    )
    user.served_organizations.set([globex])
    return user


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# -- numbers -----------------------------------------------------------------------------------


def test_numbers_are_unique_and_round_trip(make_ticket, carol):
    made = [make_ticket(carol, subject=f"Ticket {i}") for i in range(5)]
    numbers = [t.number for t in made]
    assert len(set(numbers)) == 5
    for ticket in made:
        assert ticket.number == f"T-{ticket.pk + 10000}"
        assert Ticket.objects.by_number(ticket.number) == ticket
        assert parse_number(ticket.number) == ticket.pk
        assert parse_number(ticket.number.lower()) == ticket.pk
        assert parse_number(f"  {ticket.number} ") == ticket.pk
        assert parse_number(ticket.number.removeprefix("T-")) == ticket.pk


@pytest.mark.parametrize(
    "text",
    [
        "",
        "T-",
        "T",
        "X-10001",
        "T-abc",
        "T-10001x",
        "T--10001",
        "T-10000",
        "T-9999",
        "T-0",
        "T-1e5",
        "T-10 001",
        "T-" + "9" * 16,
    ],
)
def test_malformed_numbers_are_rejected(acme_ticket, text):
    assert parse_number(text) is None
    with pytest.raises(Ticket.DoesNotExist):
        Ticket.objects.by_number(text)


def test_by_number_of_a_missing_ticket(acme_ticket):
    with pytest.raises(Ticket.DoesNotExist):
        Ticket.objects.by_number(f"T-{acme_ticket.pk + 10001}")


@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_gives_distinct_numbers(alice, carol):
    results, errors = in_threads(
        8,
        lambda i: (
            services.create_ticket(
                actor=alice,
                ticket=services.NewTicket(
                    requester=carol, subject=f"Concurrent {i}", channel=Channel.PHONE
                ),
            ).ticket.number
        ),
    )
    assert errors == []
    assert len(results) == 8
    assert len(set(results)) == 8
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == sorted(
        f"Concurrent {i}" for i in range(8)
    )


# -- idempotency -------------------------------------------------------------------------------


def test_idempotency_key_replays_the_first_ticket(alice, carol):
    first = services.create_ticket(
        actor=alice,
        ticket=services.NewTicket(requester=carol, subject="Printer jam"),
        idempotency_key="req-1",
    )
    again = services.create_ticket(
        actor=alice,
        ticket=services.NewTicket(requester=carol, subject="Printer jam"),
        idempotency_key=" req-1 ",
    )
    assert first.created is True
    assert again.created is False
    assert again.ticket == first.ticket
    assert Ticket.objects.count() == 1
    assert TicketEvent.objects.filter(kind=EventKind.CREATED).count() == 1


def test_idempotency_key_is_per_actor(alice, leo, carol):
    first = services.create_ticket(
        actor=alice, ticket=services.NewTicket(requester=carol, subject="A"), idempotency_key="k"
    )
    other = services.create_ticket(
        actor=leo, ticket=services.NewTicket(requester=carol, subject="B"), idempotency_key="k"
    )
    assert other.created is True
    assert other.ticket != first.ticket
    assert IdempotencyKey.objects.count() == 2


def test_blank_idempotency_key_is_refused(alice, carol):
    with pytest.raises(InvalidInput) as err:
        services.create_ticket(
            actor=alice,
            ticket=services.NewTicket(requester=carol, subject="A"),
            idempotency_key="  ",
        )
    assert err.value.field == "Idempotency-Key"
    assert Ticket.objects.count() == 0


def test_failed_create_does_not_burn_the_key(alice, carol):
    with pytest.raises(InvalidInput):
        services.create_ticket(
            actor=alice, ticket=services.NewTicket(requester=carol, subject=""), idempotency_key="k"
        )
    assert IdempotencyKey.objects.count() == 0
    made = services.create_ticket(
        actor=alice, ticket=services.NewTicket(requester=carol, subject="A"), idempotency_key="k"
    )
    assert made.created is True


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_make_one_ticket(carol):
    results, errors = in_threads(
        8,
        lambda i: services.create_ticket(
            actor=carol, ticket=services.NewTicket(subject="Retry"), idempotency_key="retry-key"
        ),
    )
    assert errors == []
    assert Ticket.objects.count() == 1
    ticket = Ticket.objects.get()
    assert {r.ticket.pk for r in results} == {ticket.pk}
    assert sum(r.created for r in results) == 1
    assert ticket.events.filter(kind=EventKind.CREATED).count() == 1


# -- creation rules ----------------------------------------------------------------------------


def test_agent_creates_with_defaults(alice, carol, acme_hq):
    ticket = services.create_ticket(
        actor=alice,
        ticket=services.NewTicket(requester=carol, subject="  No sound  ", channel=Channel.PHONE),
    ).ticket
    assert ticket.subject == "No sound"
    assert ticket.organization == carol.organization
    assert ticket.site == acme_hq
    assert ticket.status == Status.NEW
    assert ticket.created_by == alice
    assert ticket.priority == Priority.P3


def test_create_with_assignee_opens(alice, leo, carol):
    ticket = services.create_ticket(
        actor=alice,
        ticket=services.NewTicket(requester=carol, subject="X", assignee=leo, priority="p1"),
    ).ticket
    assert ticket.status == Status.OPEN
    assert ticket.assignee == leo
    assert ticket.priority == Priority.P1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"subject": "  "}, "subject"),
        ({"subject": "x" * 251}, "subject"),
        ({"priority": "P9"}, "priority"),
        ({"priority": 7}, "priority"),
        ({"type": "bug"}, "type"),
        ({"channel": "fax"}, "channel"),
        ({"tier": "L9"}, "tier"),
    ],
)
def test_create_rejects_bad_input(alice, carol, kwargs, field):
    kwargs = {"subject": "Fine", **kwargs}
    with pytest.raises(InvalidInput) as err:
        services.create_ticket(actor=alice, ticket=services.NewTicket(requester=carol, **kwargs))
    assert err.value.field == field
    assert Ticket.objects.count() == 0


def test_create_rejects_inconsistent_people_and_places(alice, carol, dave, globex, globex_site):
    with pytest.raises(InvalidInput) as err:
        services.create_ticket(
            actor=alice,
            ticket=services.NewTicket(requester=dave, organization=carol.organization, subject="X"),
        )
    assert err.value.field == "requester"
    with pytest.raises(InvalidInput) as err:
        services.create_ticket(
            actor=alice, ticket=services.NewTicket(requester=carol, site=globex_site, subject="X")
        )
    assert err.value.field == "site"
    with pytest.raises(InvalidInput) as err:
        services.create_ticket(
            actor=alice, ticket=services.NewTicket(requester=carol, assignee=dave, subject="X")
        )
    assert err.value.field == "assignee"
    with pytest.raises(InvalidInput) as err:
        services.create_ticket(
            actor=alice, ticket=services.NewTicket(requester=carol, watchers=[dave], subject="X")
        )
    assert err.value.field == "watchers"
    globex_ticket = services.create_ticket(
        actor=alice, ticket=services.NewTicket(requester=dave, subject="G")
    ).ticket
    with pytest.raises(InvalidInput) as err:
        services.create_ticket(
            actor=alice,
            ticket=services.NewTicket(requester=carol, parent=globex_ticket, subject="X"),
        )
    assert err.value.field == "parent"
    assert list(Ticket.objects.all()) == [globex_ticket]


def test_customer_creates_for_self_only(carol, olivia, dave, globex, alice, helpdesk):
    mine = services.create_ticket(
        actor=carol, ticket=services.NewTicket(requester=olivia, subject="Mine")
    ).ticket
    assert mine.requester == carol  # a plain customer cannot name someone else
    assert mine.organization == carol.organization
    assert mine.channel == Channel.WEB
    with pytest.raises(NotAllowed):
        services.create_ticket(
            actor=carol, ticket=services.NewTicket(organization=globex, subject="Theirs")
        )
    with pytest.raises(InvalidInput) as err:
        services.create_ticket(
            actor=carol, ticket=services.NewTicket(subject="Urgent", priority=Priority.P1)
        )
    assert err.value.field == "priority"
    with pytest.raises(InvalidInput) as err:
        services.create_ticket(
            actor=carol, ticket=services.NewTicket(subject="Urgent", priority="P1")
        )
    assert err.value.field == "priority"
    with pytest.raises(NotAllowed):
        services.create_ticket(
            actor=carol, ticket=services.NewTicket(subject="Mine", assignee=alice)
        )
    with pytest.raises(NotAllowed):
        services.create_ticket(
            actor=carol, ticket=services.NewTicket(subject="Mine", team=helpdesk)
        )
    with pytest.raises(NotAllowed):
        services.create_ticket(actor=carol, ticket=services.NewTicket(subject="Mine", tier=Tier.L3))
    with pytest.raises(InvalidInput) as err:
        services.create_ticket(
            actor=carol, ticket=services.NewTicket(subject="Mine", channel=Channel.PHONE)
        )
    assert err.value.field == "channel"
    assert list(Ticket.objects.all()) == [mine]


def test_org_admin_names_a_colleague_but_not_an_outsider(olivia, carol, dave):
    ticket = services.create_ticket(
        actor=olivia, ticket=services.NewTicket(requester=carol, subject="For Carol")
    ).ticket
    assert ticket.requester == carol
    with pytest.raises(InvalidInput) as err:
        services.create_ticket(
            actor=olivia, ticket=services.NewTicket(requester=dave, subject="For Dave")
        )
    assert err.value.field == "requester"


# -- permissions -------------------------------------------------------------------------------

AGENT_ONLY: dict[str, Callable] = {
    "note": lambda actor, t, other: services.add_note(actor=actor, ticket=t, body="x"),
    "assign": lambda actor, t, other: services.assign_ticket(
        actor=actor, ticket=t, assignee=None, team=None
    ),
    "escalate": lambda actor, t, other: services.escalate_ticket(
        actor=actor, ticket=t, tier=Tier.L2, symptoms="s", steps_tried="t", impact="i"
    ),
    "resolve": lambda actor, t, other: services.resolve_ticket(
        actor=actor, ticket=t, resolution="done"
    ),
    "merge": lambda actor, t, other: services.merge_tickets(actor=actor, source=other, target=t),
    "update": lambda actor, t, other: services.update_ticket(actor=actor, ticket=t, subject="y"),
    "status": lambda actor, t, other: services.set_status(
        actor=actor, ticket=t, status=Status.ON_HOLD
    ),
    "call": lambda actor, t, other: services.log_call(actor=actor, ticket=t, minutes=3, body="x"),
    "watchers": lambda actor, t, other: services.set_watchers(actor=actor, ticket=t, watchers=[]),
}

ANYONE_WHO_SEES: dict[str, Callable] = {
    "reply": lambda actor, t, other: services.add_reply(actor=actor, ticket=t, body="x"),
    "attach": lambda actor, t, other: services.add_attachments(
        actor=actor, ticket=t, files=[upload()]
    ),
    "reopen": lambda actor, t, other: services.reopen_ticket(actor=actor, ticket=t),
    "close": lambda actor, t, other: services.close_ticket(actor=actor, ticket=t),
}


def _snapshot(ticket: Ticket) -> tuple:
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.assignee_id,
        ticket.team_id,
        ticket.tier,
        ticket.subject,
        ticket.updated_at,
        list(ticket.events.values_list("pk", flat=True)),
    )


@pytest.mark.parametrize("action", sorted(AGENT_ONLY))
def test_customers_cannot_do_agent_work(action, carol, make_ticket, media):
    ticket = make_ticket(carol)
    other = make_ticket(carol, subject="Other")
    before = _snapshot(ticket), _snapshot(other)
    with pytest.raises(NotAllowed):
        AGENT_ONLY[action](carol, ticket, other)
    assert (_snapshot(ticket), _snapshot(other)) == before


@pytest.mark.parametrize("action", sorted(AGENT_ONLY | ANYONE_WHO_SEES))
def test_other_clients_customer_can_do_nothing(action, dave, carol, make_ticket, media):
    ticket = make_ticket(carol)
    other = make_ticket(carol, subject="Other")
    before = _snapshot(ticket), _snapshot(other)
    with pytest.raises(NotAllowed):
        (AGENT_ONLY | ANYONE_WHO_SEES)[action](dave, ticket, other)
    assert (_snapshot(ticket), _snapshot(other)) == before
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("action", sorted(AGENT_ONLY | ANYONE_WHO_SEES))
def test_restricted_agent_cannot_act_on_other_clients(action, rita, carol, make_ticket, media):
    ticket = make_ticket(carol)
    other = make_ticket(carol, subject="Other")
    before = _snapshot(ticket), _snapshot(other)
    with pytest.raises(NotAllowed):
        (AGENT_ONLY | ANYONE_WHO_SEES)[action](rita, ticket, other)
    assert (_snapshot(ticket), _snapshot(other)) == before


def test_restricted_agent_serves_their_clients(rita, carol, dave, make_ticket):
    acme_ticket = make_ticket(carol)
    globex_ticket = make_ticket(dave)
    assert list(visible_tickets(rita)) == [globex_ticket]
    with pytest.raises(NotAllowed):
        services.create_ticket(actor=rita, ticket=services.NewTicket(requester=carol, subject="X"))
    services.add_note(actor=rita, ticket=globex_ticket, body="checked the VPN logs")
    services.assign_ticket(actor=rita, ticket=globex_ticket, assignee=rita)
    globex_ticket.refresh_from_db()
    assert globex_ticket.assignee == rita
    assert services.create_ticket(
        actor=rita, ticket=services.NewTicket(requester=dave, subject="Y")
    ).created
    assert acme_ticket.events.count() == 1


def test_customer_may_reply_reopen_and_close_own(carol, alice, acme_ticket):
    services.add_reply(actor=carol, ticket=acme_ticket, body="Still broken")
    services.resolve_ticket(actor=alice, ticket=acme_ticket, resolution="Replaced toner")
    services.reopen_ticket(actor=carol, ticket=acme_ticket, reason="Broke again")
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.OPEN
    services.close_ticket(actor=carol, ticket=acme_ticket, reason="Never mind")
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.CLOSED


def test_org_admin_sees_but_cannot_close_a_colleagues_ticket(olivia, acme_ticket):
    services.add_reply(actor=olivia, ticket=acme_ticket, body="Any news?")
    with pytest.raises(NotAllowed):
        services.close_ticket(actor=olivia, ticket=acme_ticket)
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.NEW


def test_assignee_must_be_an_active_agent(alice, carol, acme_ticket, leo):
    with pytest.raises(InvalidInput) as err:
        services.assign_ticket(actor=alice, ticket=acme_ticket, assignee=carol)
    assert err.value.field == "assignee"
    leo.is_active = False
    leo.save()
    with pytest.raises(InvalidInput) as err:
        services.assign_ticket(actor=alice, ticket=acme_ticket, assignee=leo)
    assert err.value.field == "assignee"
    acme_ticket.refresh_from_db()
    assert acme_ticket.assignee is None


# -- attachments -------------------------------------------------------------------------------


def test_attachment_size_limit(settings, media, alice, carol, acme_ticket):
    settings.DESKSIDE_MAX_ATTACHMENT_BYTES = 10
    events_before = acme_ticket.events.count()
    for call in (
        lambda: services.add_attachments(
            actor=alice,
            ticket=acme_ticket,
            files=[upload("a.txt", b"ok"), upload("b.bin", b"x" * 11)],
        ),
        lambda: services.add_reply(
            actor=carol,
            ticket=acme_ticket,
            body="see file",
            attachments=[upload(content=b"x" * 11)],
        ),
        lambda: services.add_note(
            actor=alice,
            ticket=acme_ticket,
            body="see file",
            attachments=[upload(content=b"x" * 11)],
        ),
    ):
        with pytest.raises(InvalidInput) as err:
            call()
        assert err.value.field == "attachments"
    with pytest.raises(InvalidInput) as err:
        services.create_ticket(
            actor=carol,
            ticket=services.NewTicket(subject="With file"),
            attachments=[upload(content=b"x" * 11)],
        )
    assert err.value.field == "attachments"
    assert acme_ticket.events.count() == events_before
    assert Ticket.objects.count() == 1
    assert not Attachment.objects.exists()
    # A refused upload leaves no file behind, not even the smaller ones sent with it.
    assert not Path(media).exists() or not any(p.is_file() for p in Path(media).rglob("*"))
    exact = services.add_attachments(
        actor=alice, ticket=acme_ticket, files=[upload(content=b"x" * 10)]
    )
    assert len(exact) == 1


def test_a_create_that_rolls_back_leaves_no_file(media, carol, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(TicketSearch.objects, "create", fail)  # after the files are written

    with pytest.raises(RuntimeError):
        services.create_ticket(
            actor=carol,
            ticket=services.NewTicket(subject="Scanner"),
            attachments=[upload("a.pdf", b"%PDF-1.7")],
        )

    assert not Ticket.objects.filter(subject="Scanner").exists()
    assert [p for p in Path(media).rglob("*") if p.is_file()] == []


def test_attachments_are_stored_under_media_root(media, alice, carol, acme_ticket):
    (att,) = services.add_attachments(
        actor=carol, ticket=acme_ticket, files=[upload("../../etc/passwd", b"root")]
    )
    path = Path(att.file.path).resolve()
    assert path.is_relative_to(Path(media).resolve())
    assert path.read_bytes() == b"root"
    assert "/" not in att.filename and "\\" not in att.filename
    assert att.size == 4
    assert att.content_type == "text/plain"
    assert att.uploaded_by == carol
    assert att.event.kind == EventKind.ATTACHMENT


def test_attachment_publicity(media, alice, carol, acme_ticket):
    (note_file,) = services.add_note(
        actor=alice, ticket=acme_ticket, body="internal", attachments=[upload("n.txt")]
    ).attachments.all()
    (reply_file,) = services.add_reply(
        actor=alice, ticket=acme_ticket, body="public", attachments=[upload("r.txt")]
    ).attachments.all()
    (private_file,) = services.add_attachments(
        actor=alice, ticket=acme_ticket, files=[upload("p.txt")], public=False
    )
    (customer_file,) = services.add_attachments(
        actor=carol, ticket=acme_ticket, files=[upload("c.txt")], public=False
    )
    assert note_file.is_public is False
    assert reply_file.is_public is True
    assert private_file.is_public is False
    assert customer_file.is_public is True  # what a customer sends is always visible to them
    assert acme_ticket.events.get(kind=EventKind.ATTACHMENT, actor=carol).is_public


def test_attachment_for_checks_visibility(media, alice, carol, olivia, dave, rita, acme_ticket):
    note_file = services.add_note(
        actor=alice, ticket=acme_ticket, body="internal", attachments=[upload("n.txt")]
    ).attachments.get()
    (public_file,) = services.add_attachments(actor=carol, ticket=acme_ticket, files=[upload()])
    for user in (alice, carol, olivia):
        assert attachment_for(user, public_file.public_id) == public_file
    assert attachment_for(alice, note_file.public_id) == note_file
    for user, att in [
        (carol, note_file),
        (olivia, note_file),
        (dave, public_file),
        (dave, note_file),
        (rita, public_file),
        (alice, "no-such-id"),
    ]:
        with pytest.raises(Attachment.DoesNotExist):
            attachment_for(user, getattr(att, "public_id", att))


def test_attachments_need_a_file_and_an_open_ticket(media, alice, acme_ticket):
    with pytest.raises(InvalidInput) as err:
        services.add_attachments(actor=alice, ticket=acme_ticket, files=[])
    assert err.value.field == "file"
    services.close_ticket(actor=alice, ticket=acme_ticket)
    with pytest.raises(InvalidTransition):
        services.add_attachments(actor=alice, ticket=acme_ticket, files=[upload()])
    assert not Attachment.objects.exists()


def test_unicode_digits_are_not_ticket_numbers(db):
    assert parse_number("T-²") is None
    with pytest.raises(Ticket.DoesNotExist):
        Ticket.objects.by_number("T-１２３４５")


def test_org_admin_names_only_colleagues_as_requester(olivia, carol, alice):
    made = services.create_ticket(
        actor=olivia, ticket=services.NewTicket(requester=carol, subject="For Carol")
    ).ticket
    assert made.requester == carol
    with pytest.raises(InvalidInput) as exc:
        services.create_ticket(
            actor=olivia, ticket=services.NewTicket(requester=alice, subject="Agent as requester")
        )
    assert exc.value.field == "requester"


def test_customer_cannot_link_a_parent_they_cannot_see(carol, olivia, make_ticket):
    hidden = make_ticket(olivia, subject="Olivia's own request")
    with pytest.raises(InvalidInput) as exc:
        services.create_ticket(
            actor=carol, ticket=services.NewTicket(subject="Child", parent=hidden)
        )
    assert exc.value.field == "parent"


# -- stale copies ------------------------------------------------------------------------------


def test_a_reply_through_a_stale_copy_cannot_reopen_a_closed_ticket(alice, carol, acme_ticket):
    services.resolve_ticket(actor=alice, ticket=acme_ticket, resolution="Fixed")
    agents_copy = Ticket.objects.get(pk=acme_ticket.pk)
    customers_copy = Ticket.objects.get(pk=acme_ticket.pk)  # her page, loaded before the close
    services.close_ticket(actor=alice, ticket=agents_copy)
    with pytest.raises(InvalidTransition):
        services.add_reply(actor=carol, ticket=customers_copy, body="It broke again")
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.CLOSED
    assert not acme_ticket.events.filter(kind__in=(EventKind.REPLY, EventKind.REOPENED)).exists()
    assert customers_copy.status == Status.CLOSED  # the service reloaded the caller's copy


REFUSED_WHEN_CLOSED = sorted((AGENT_ONLY | ANYONE_WHO_SEES).keys() - {"note", "watchers"})


@pytest.mark.parametrize("action", REFUSED_WHEN_CLOSED)
def test_services_check_the_stored_ticket_not_the_callers_copy(
    action, alice, carol, make_ticket, media
):
    ticket = make_ticket(carol)
    other = make_ticket(carol, subject="Other")
    stale = Ticket.objects.get(pk=ticket.pk)
    services.close_ticket(actor=alice, ticket=ticket)
    before = _snapshot(ticket), _snapshot(other)
    with pytest.raises(InvalidTransition):
        (AGENT_ONLY | ANYONE_WHO_SEES)[action](alice, stale, other)
    assert (_snapshot(ticket), _snapshot(other)) == before
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("action", sorted(AGENT_ONLY | ANYONE_WHO_SEES))
def test_every_change_locks_its_tickets_first(
    action, monkeypatch, alice, carol, make_ticket, media
):
    ticket = make_ticket(carol)
    other = make_ticket(carol, subject="Other")
    if action == "reopen":
        services.resolve_ticket(actor=alice, ticket=ticket, resolution="Fixed")
    locked: list[int] = []
    events = TicketEvent.objects.count()

    def spy(row: Ticket) -> None:
        assert TicketEvent.objects.count() == events  # nothing written before the lock
        locked.append(row.pk)
        rules.lock(row)

    for module in (conversation, edits, intake, routing, status):
        monkeypatch.setattr(module, "lock", spy)
    with contextlib.suppress(TicketError):
        (AGENT_ONLY | ANYONE_WHO_SEES)[action](alice, ticket, other)
    # A merge locks both tickets, always in id order, so two merges cannot deadlock.
    assert locked == ([ticket.pk, other.pk] if action == "merge" else [ticket.pk])


def test_lock_reloads_and_locks_the_row(alice, carol, acme_ticket):
    stale = Ticket.objects.get(pk=acme_ticket.pk)
    services.update_ticket(actor=alice, ticket=acme_ticket, subject="Printer on fire")
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        rules.lock(stale)
    assert stale.subject == "Printer on fire"
    select = next(q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT"))
    assert ("FOR UPDATE" in select) == connection.features.has_select_for_update


# -- parent links ------------------------------------------------------------------------------


def test_parent_links_cannot_form_a_cycle(alice, carol, make_ticket):
    a, b, c = (make_ticket(carol, subject=name) for name in "ABC")
    services.update_ticket(actor=alice, ticket=b, parent=a)
    services.update_ticket(actor=alice, ticket=c, parent=b)  # a <- b <- c
    for child, ancestor in ((a, b), (a, c), (b, c)):
        with pytest.raises(InvalidInput) as err:
            services.update_ticket(actor=alice, ticket=child, parent=ancestor)
        assert err.value.field == "parent"
    with pytest.raises(InvalidInput):
        services.update_ticket(actor=alice, ticket=a, parent=a)
    assert [Ticket.objects.get(pk=t.pk).parent_id for t in (a, b, c)] == [None, a.pk, b.pk]
    # Moving a sub-tree elsewhere, or detaching it, is fine.
    d = make_ticket(carol, subject="D")
    services.update_ticket(actor=alice, ticket=b, parent=d)
    services.update_ticket(actor=alice, ticket=a, parent=c)  # d <- b <- c <- a
    services.update_ticket(actor=alice, ticket=c, parent=None)
    assert [Ticket.objects.get(pk=t.pk).parent_id for t in (a, b, c)] == [c.pk, d.pk, None]
