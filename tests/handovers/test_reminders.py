"""Reminders with a frozen clock: the incoming agents at +15 minutes, the lead at +30, none
once acknowledged; each reminder and each notice goes out once, across a worker killed between
its claim and its send, and with workers racing."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction

from deskside.handovers import delivery, services, worker
from deskside.handovers.models import Notice, Reminder
from deskside.handovers.worker import handovers_pass
from tests.core.races import in_threads
from tests.handovers.conftest import T0


def mailed_at(at, minute: int) -> list[str]:
    """Run the pass at T0 + minute; the addresses mailed by it."""
    before = len(mail.outbox)
    at(T0 + timedelta(minutes=minute))
    handovers_pass()
    return sorted(address for m in mail.outbox[before:] for address in m.to)


@pytest.mark.django_db
def test_incoming_at_15_minutes_then_the_lead_at_30(handover, at, lena):
    assert mailed_at(at, 14) == []
    assert mailed_at(at, 15) == ["bob@msp.example"]
    assert "acknowledge" in mail.outbox[-1].subject.lower()
    assert handover.public_id in mail.outbox[-1].body
    assert mailed_at(at, 16) == []
    assert mailed_at(at, 29) == []
    assert mailed_at(at, 30) == ["lena@msp.example"]
    assert "not acknowledged" in mail.outbox[-1].subject
    assert mailed_at(at, 90) == []
    assert set(handover.reminders.values_list("state", flat=True)) == {Reminder.State.SENT}


@pytest.mark.django_db
def test_nobody_is_reminded_of_an_acknowledged_handover(handover, at, alice, bob, lena):
    at(T0 + timedelta(minutes=3))
    services.sign_off(actor=alice, handover=handover)
    assert mailed_at(at, 10) == []
    services.acknowledge(actor=bob, handover=handover)
    assert mailed_at(at, 15) == []
    assert mailed_at(at, 30) == []


@pytest.mark.django_db
def test_acknowledged_after_the_first_reminder_the_lead_is_spared(handover, at, alice, bob, lena):
    assert mailed_at(at, 15) == ["bob@msp.example"]
    services.sign_off(actor=alice, handover=handover)
    services.acknowledge(actor=bob, handover=handover)
    assert mailed_at(at, 30) == []


@pytest.mark.django_db
def test_a_worker_killed_before_its_claim_commits_leaves_the_reminder_for_the_next(
    handover, at, lena
):
    class Killed(Exception):
        pass

    at(T0 + timedelta(minutes=15))
    with pytest.raises(Killed), transaction.atomic():
        assert delivery.remind_due().reminded == 1
        raise Killed
    assert not Notice.objects.exists()
    assert handover.reminders.get(stage="incoming").state == Reminder.State.PENDING
    handovers_pass()
    handovers_pass()
    assert [m.to for m in mail.outbox] == [["bob@msp.example"]]


@pytest.mark.django_db
def test_a_notice_claimed_by_a_worker_killed_before_sending_is_never_sent_twice(handover, at):
    at(T0 + timedelta(minutes=15))
    delivery.remind_due()
    mine, lost = delivery.claim(T0, 50)  # the worker claims, then dies
    assert (len(mine), lost) == (1, 0)
    handovers_pass()
    handovers_pass()
    assert mail.outbox == []
    assert Notice.objects.get().state == Notice.State.SENDING  # visible in the admin


@pytest.mark.django_db
def test_a_worker_killed_after_sending_before_recording_it_sends_nothing_again(handover, at):
    at(T0 + timedelta(minutes=15))
    delivery.remind_due()
    (pk,), _ = delivery.claim(T0, 50)
    notice = Notice.objects.select_related("recipient").get(pk=pk)
    delivery._mail(notice.recipient.email, notice)  # sent; the worker dies before "sent"
    handovers_pass()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_failed_transport_is_recorded_not_retried(handover, at, settings):
    settings.EMAIL_BACKEND = "tests.handovers.test_reminders.Refusing"
    at(T0 + timedelta(minutes=15))
    handovers_pass()
    notice = Notice.objects.get()
    assert notice.state == Notice.State.FAILED
    assert "refused" in notice.error
    handovers_pass()
    assert Notice.objects.get().state == Notice.State.FAILED


class Refusing:
    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        raise OSError("refused by the test")


@pytest.mark.django_db(transaction=True)
def test_racing_workers_remind_and_send_once(roster, helpdesk, lena, at):
    at(T0 + timedelta(minutes=1))
    worker.open_due()  # the day's earlier hand-offs too: several handovers, each with reminders
    count = Reminder.objects.filter(due_at__lte=T0 + timedelta(minutes=31)).count()
    at(T0 + timedelta(minutes=31))
    results, errors = in_threads(delivery.remind_due, delivery.remind_due, delivery.remind_due)
    assert errors == []
    assert sum(r.reminded for r in results) == count
    queued = Notice.objects.count()
    results, errors = in_threads(delivery.send_due, delivery.send_due, delivery.send_due)
    assert errors == []
    assert sum(r.sent for r in results) == queued == len(mail.outbox)
    assert Notice.objects.exclude(state="sent").count() == 0
    assert (
        Reminder.objects.filter(state="pending", due_at__lte=T0 + timedelta(minutes=31)).count()
        == 0
    )
