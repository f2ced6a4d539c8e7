"""The quiet vendor-case reminder (`assets.worker.rma_pass`): who is told, once per quiet
spell; an entry moves it; a closed case is never reminded; a pass that dies before its commit
loses nothing; racing workers send it once (threads with their own connections, on whichever
database the suite runs: SQLite and PostgreSQL in CI)."""

from datetime import timedelta

import pytest

from deskside.assets import worker
from deskside.assets.models import VendorCase
from deskside.assets.services import rma
from deskside.core import clock
from deskside.notifications.models import Notification, NotificationMail, NotificationPreference
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind, TicketEvent
from tests.assets.fixtures_remote import *  # noqa: F403 (the fixtures)
from tests.assets.fixtures_remote import NOW
from tests.core.races import in_threads


def _case(actor, ticket, asset=None, days=5):
    with clock.frozen(NOW):
        return rma.open_case(
            actor=actor,
            ticket=ticket,
            vendor="Dell",
            case_number="SR-42",
            asset=asset,
            quiet_days=days,
        )


def _reminders():
    return Notification.objects.filter(title__contains="Vendor case")


def _quiet_events():
    return TicketEvent.objects.filter(kind=EventKind.VENDOR, data__action="quiet")


@pytest.mark.django_db
def test_assignee_is_told_once_when_quiet(leo, alice, acme_ticket, laptop):
    tickets.assign_ticket(actor=alice, ticket=acme_ticket, assignee=leo)
    case = _case(alice, acme_ticket, laptop)
    assert worker.rma_pass(NOW + timedelta(days=4, hours=23)).reminded == 0
    done = worker.rma_pass(NOW + timedelta(days=5))
    assert (done.reminded, done.notified) == (1, 1)
    note = _reminders().get()
    assert note.recipient == leo
    assert "Vendor case SR-42 with Dell quiet for 5 days" in note.title
    event = _quiet_events().get()
    assert not event.is_public and event.data["quiet_days"] == 5
    case.refresh_from_db()
    assert case.remind_at is None and case.reminded_at == NOW + timedelta(days=5)
    # never twice for the same quiet spell
    assert worker.rma_pass(NOW + timedelta(days=30)).reminded == 0
    assert _reminders().count() == 1


@pytest.mark.django_db
def test_unassigned_ticket_tells_the_team_and_watchers(
    alice, leo, tara, gil, desktop_team, acme_ticket
):
    tickets.assign_ticket(actor=alice, ticket=acme_ticket, assignee=None, team=desktop_team)
    tickets.set_watchers(actor=alice, ticket=acme_ticket, watchers=[tara])
    gil.teams.add(desktop_team)  # on the team, but serves Globex only
    _case(alice, acme_ticket)
    worker.rma_pass(NOW + timedelta(days=6))
    told = set(_reminders().values_list("recipient__email", flat=True))
    # Leo (the team), Tara (watching); not Gil (Globex only), nor Alice (another team)
    assert told == {"leo@msp.example", "tara@msp.example"}


@pytest.mark.django_db
def test_a_preference_for_mail_queues_a_mail(leo, alice, acme_ticket):
    tickets.assign_ticket(actor=alice, ticket=acme_ticket, assignee=leo)
    NotificationPreference.objects.create(user=leo, kind=worker.NOTIFY_KIND, channel="mail")
    _case(alice, acme_ticket)
    worker.rma_pass(NOW + timedelta(days=6))
    assert not _reminders().exists()
    assert "quiet for 6 days" in NotificationMail.objects.get(recipient=leo).subject


@pytest.mark.django_db
def test_an_entry_moves_the_reminder_and_a_new_spell_reminds_again(leo, alice, acme_ticket):
    tickets.assign_ticket(actor=alice, ticket=acme_ticket, assignee=leo)
    case = _case(alice, acme_ticket)
    with clock.frozen(NOW + timedelta(days=3)):
        rma.add_entry(actor=leo, case=case, kind="contact", what="Dell: part on order")
    assert worker.rma_pass(NOW + timedelta(days=6)).reminded == 0
    assert worker.rma_pass(NOW + timedelta(days=8)).reminded == 1
    with clock.frozen(NOW + timedelta(days=9)):
        rma.add_entry(actor=leo, case=case, kind="note", what="Chased them")
    assert worker.rma_pass(NOW + timedelta(days=14)).reminded == 1
    assert _quiet_events().count() == 2


@pytest.mark.django_db
def test_closed_cases_are_never_reminded(leo, alice, acme_ticket):
    case = _case(alice, acme_ticket)
    with clock.frozen(NOW + timedelta(days=1)):
        rma.close_case(actor=leo, case=case)
    assert worker.rma_pass(NOW + timedelta(days=30)).due == 0
    assert not _quiet_events().exists()


@pytest.mark.django_db
def test_a_pass_that_dies_before_commit_loses_nothing(leo, alice, acme_ticket, monkeypatch):
    tickets.assign_ticket(actor=alice, ticket=acme_ticket, assignee=leo)
    case = _case(alice, acme_ticket)

    def crash(*args, **kwargs):
        raise RuntimeError("killed mid-pass")

    monkeypatch.setattr(worker, "remind", crash)
    assert worker.rma_pass(NOW + timedelta(days=6)).failed == 1  # logged, not raised
    case.refresh_from_db()
    assert case.remind_at is not None and case.reminded_at is None  # the claim rolled back
    monkeypatch.undo()
    # after a restart, days later: reminded once
    assert worker.rma_pass(NOW + timedelta(days=9)).reminded == 1
    assert worker.rma_pass(NOW + timedelta(days=9, minutes=1)).reminded == 0
    assert _reminders().filter(recipient=leo).count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_workers_remind_each_case_once(leo, alice, make_ticket, carol):
    made = []
    for i in range(12):
        ticket = make_ticket(carol, subject=f"Broken screen {i}")
        tickets.assign_ticket(actor=alice, ticket=ticket, assignee=leo)
        made.append(_case(alice, ticket))
    at = NOW + timedelta(days=7)
    results, errors = in_threads(*[lambda: worker.rma_pass(at, limit=5) for _ in range(4)])
    assert not errors, errors
    # passes of 5 each: run again until all are claimed, as the lane would
    while VendorCase.objects.filter(remind_at__isnull=False).exists():
        results.append(worker.rma_pass(at))
    assert sum(r.reminded for r in results) == 12
    assert _quiet_events().count() == 12
    per_case = list(_quiet_events().values_list("data__case", flat=True))
    assert sorted(per_case) == sorted(c.public_id for c in made)
    assert _reminders().filter(recipient=leo).count() == 12


@pytest.mark.django_db
def test_one_failing_case_does_not_block_the_others(
    leo, alice, make_ticket, carol, monkeypatch, caplog
):
    cases = []
    for i in range(3):
        ticket = make_ticket(carol, subject=f"Broken screen {i}")
        tickets.assign_ticket(actor=alice, ticket=ticket, assignee=leo)
        cases.append(_case(alice, ticket, days=5 + i))  # the first is due first
    real = worker.remind

    def flaky(case, at):
        if case.pk == cases[0].pk:
            raise RuntimeError("a broken reminder")
        return real(case, at)

    monkeypatch.setattr(worker, "remind", flaky)
    for day in (8, 9):  # every pass, not just the first
        done = worker.rma_pass(NOW + timedelta(days=day))
        assert done.failed == 1
    assert sorted(_quiet_events().values_list("data__case", flat=True)) == sorted(
        c.public_id for c in cases[1:]
    )
    assert "a broken reminder" in caplog.text
    first = VendorCase.objects.get(pk=cases[0].pk)
    assert first.remind_at is not None and first.reminded_at is None  # still due, retried


@pytest.mark.django_db
def test_a_case_on_a_closed_ticket_is_unarmed_not_reminded(leo, alice, acme_ticket):
    tickets.assign_ticket(actor=alice, ticket=acme_ticket, assignee=leo)
    case = _case(alice, acme_ticket)
    with clock.frozen(NOW + timedelta(days=1)):
        tickets.close_ticket(actor=alice, ticket=acme_ticket, reason="Replaced by the client")
    done = worker.rma_pass(NOW + timedelta(days=6))
    assert (done.due, done.skipped, done.reminded) == (1, 1, 0)
    assert not _quiet_events().exists() and not _reminders().exists()
    case.refresh_from_db()
    assert case.remind_at is None and case.reminded_at is None
    assert worker.rma_pass(NOW + timedelta(days=30)).due == 0
