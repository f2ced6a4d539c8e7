"""Racing creations never break the rule: threads with their own connections open tickets
into one team at once (the rule row is locked per decision on PostgreSQL; SQLite's IMMEDIATE
transactions serialise them); racing workers handle a hand-off once."""

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.db import connections

from deskside.assignment.models import Mode
from deskside.assignment.worker import assignment_pass
from deskside.core import clock
from deskside.tickets.models import EventKind, Ticket, TicketEvent
from tests.assignment.conftest import day_roster

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


def in_threads(n: int, work: Callable[[int], object]) -> tuple[list, list[BaseException]]:
    barrier = threading.Barrier(n)
    results: list = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work(i))
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results, errors


def test_racing_creations_keep_round_robin_fair(frozen, five, rule, new_ticket):
    rule(Mode.ROUND_ROBIN)

    def work(_i: int) -> list[int]:
        return [new_ticket().assignee_id for _ in range(5)]

    results, errors = in_threads(THREADS, work)
    assert not errors, errors
    counts = Counter(Ticket.objects.values_list("assignee", flat=True))
    assert sum(counts.values()) == THREADS * 5
    assert sorted(counts.values()) == [THREADS] * 5  # 40 tickets, 5 agents: 8 each


def test_racing_creations_never_pass_the_cap(frozen, five, rule, new_ticket):
    rule(Mode.LEAST_LOADED, cap=3)

    def work(_i: int) -> None:
        for _ in range(3):
            new_ticket()

    _results, errors = in_threads(THREADS, work)
    assert not errors, errors
    counts = Counter(Ticket.objects.exclude(assignee=None).values_list("assignee", flat=True))
    assert sorted(counts.values()) == [3] * 5
    assert Ticket.objects.filter(assignee=None).count() == THREADS * 3 - 15


def test_racing_workers_move_a_ticket_once(five, desk, rule, new_ticket):
    day_roster(desk, early=[five[0]], late=[five[1], five[2]])
    rule(Mode.ROUND_ROBIN)
    with clock.frozen(datetime(2026, 12, 9, 13, tzinfo=UTC)):
        made = [new_ticket() for _ in range(3)]
    assert {t.assignee for t in made} == {five[0]}
    with clock.frozen(datetime(2026, 12, 9, 14, 5, tzinfo=UTC)):
        results, errors = in_threads(4, lambda _i: assignment_pass())
    assert not errors, errors
    assert sum(results) == 3
    moved = TicketEvent.objects.filter(kind=EventKind.ASSIGNED, data__handoff__isnull=False)
    assert moved.count() == 3
    assert set(Ticket.objects.values_list("assignee", flat=True)) <= {five[1].pk, five[2].pk}
