"""PostgreSQL row locks: the worker running a chain step and an acknowledgement arriving at the
same moment must not deadlock (both take the ticket's row first, then the Escalation), and of
two people acknowledging at once one wins and the other gets 409.

SQLite is skipped: it takes the database's write lock when a transaction begins (IMMEDIATE),
so its writers are serialised and there are no row locks to order."""

import threading
import time

import pytest
from django.db import connection, transaction

from deskside.paging import services, worker
from deskside.paging.models import Escalation, Page
from tests.conftest import client_for
from tests.paging.conftest import T0

WAIT = 10  # seconds: only a hung test ever waits this long


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-lock ordering is PostgreSQL's; SQLite serialises writing transactions")


def _someone_waits_for_a_row_lock() -> bool:
    """Whether another session of this test database is blocked on a lock (read afresh:
    pg_stat_activity is otherwise a snapshot for the whole transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def _run(target, errors: list) -> threading.Thread:
    def body():
        try:
            target()
        except BaseException as exc:  # asserted by the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=body)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_the_worker_and_an_acknowledgement_at_once_do_not_deadlock(
    postgres_only, p1, at, alice, monkeypatch
):
    """The interleaving of the deadlock: the worker has claimed the chain (its step is
    running) when the acknowledgement takes the ticket's row; the worker's page and event
    inserts then need the ticket (their foreign keys take FOR KEY SHARE) while the
    acknowledgement waits for the Escalation. With the ticket locked first by both, the
    acknowledgement simply waits for the step to commit and then wins."""
    escalation = Escalation.objects.select_related("ticket").get(ticket=p1)
    claimed = threading.Event()  # the worker's step has claimed the chain
    ack_has_ticket = threading.Event()  # acknowledge() holds the ticket's row

    real_lock = services.lock

    def lock_then_tell(ticket):
        real_lock(ticket)
        ack_has_ticket.set()

    real_methods = worker._methods

    def after_the_claim(user_ids):
        claimed.set()
        # Go on once the acknowledgement holds the ticket (the deadlock's interleaving) or is
        # blocked waiting for it (the worker locked the ticket first).
        deadline = time.monotonic() + WAIT
        while not ack_has_ticket.is_set() and not _someone_waits_for_a_row_lock():
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        return real_methods(user_ids)

    monkeypatch.setattr(services, "lock", lock_then_tell)
    monkeypatch.setattr(worker, "_methods", after_the_claim)

    def step():
        with transaction.atomic():
            worker.run_step(
                escalation.pk,
                escalation.step,
                escalation.cycle,
                escalation.next_at,
                T0,
                worker.PassResult(),
            )

    def acknowledge():
        assert claimed.wait(WAIT)
        services.acknowledge(actor=alice, escalation=escalation, via=Escalation.Via.PAGE)

    errors: list[BaseException] = []
    threads = [_run(step, errors), _run(acknowledge, errors)]
    for thread in threads:
        thread.join(WAIT * 3)
    assert errors == []  # no "deadlock detected"
    escalation.refresh_from_db()
    assert escalation.status == "acknowledged" and escalation.acknowledged_by == alice
    page = Page.objects.get(escalation=escalation)  # the step's page was written, then cancelled
    assert page.user == alice and page.status == "cancelled"


@pytest.mark.django_db(transaction=True)
def test_two_acknowledgements_at_once_one_wins_the_other_gets_409(postgres_only, p1, alice, leo):
    worker.paging_pass()
    clients = {alice: client_for(alice), leo: client_for(leo)}
    barrier = threading.Barrier(2)
    answers: dict[str, int] = {}

    def ack(user):
        def go():
            barrier.wait()
            response = clients[user].post(f"/api/v1/tickets/{p1.number}/acknowledge")
            answers[user.email] = response.status_code

        return go

    errors: list[BaseException] = []
    threads = [_run(ack(alice), errors), _run(ack(leo), errors)]
    for thread in threads:
        thread.join(WAIT * 3)
    assert errors == []
    assert sorted(answers.values()) == [200, 409]
    winner = next(email for email, code in answers.items() if code == 200)
    escalation = Escalation.objects.get(ticket=p1)
    assert escalation.status == "acknowledged" and escalation.acknowledged_by.email == winner
    assert p1.events.filter(kind="acknowledged").count() == 1
    p1.refresh_from_db()
    assert p1.assignee.email == winner
