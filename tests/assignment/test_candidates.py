"""Who may get a ticket (deskside.assignment.candidates): the open-ticket load read from the
partial index, and the short memory of "who works" that never outlives a shift end."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.assignment import candidates
from deskside.tickets import services as tickets
from deskside.tickets.models import Priority
from tests.assignment.conftest import day_roster

pytestmark = pytest.mark.django_db


def test_open_load_counts_open_tickets_by_priority(admin, five, new_ticket):
    ann, ben = five[0], five[1]
    for priority, who in [
        (Priority.P1, ann),
        (Priority.P3, ann),
        (Priority.P3, ann),
        (Priority.OPS, ben),
    ]:
        ticket = new_ticket(priority=priority)
        tickets.assign_ticket(actor=admin, ticket=ticket, assignee=who)
    done = new_ticket()
    tickets.assign_ticket(actor=admin, ticket=done, assignee=ben)
    tickets.resolve_ticket(actor=admin, ticket=done, resolution="Fixed")
    load = {k: sorted(v) for k, v in candidates.open_load([ann.pk, ben.pk, five[2].pk]).items()}
    assert load == {ann.pk: [(1, 1), (3, 2)], ben.pk: [(4, 1)]}


def test_who_works_is_remembered_but_never_past_the_shift_end(settings, five, desk):
    settings.DESKSIDE_ASSIGNMENT_WORKING_TTL = 3600
    day_roster(desk, early=[five[0]], late=[five[1]])
    before = datetime(2026, 12, 9, 13, 30, tzinfo=UTC)
    assert candidates.who_works(desk, before) == (None, frozenset({five[0].pk}))
    desk.roster.lines.all().delete()  # remembered: the same answer until the shift ends
    assert candidates.who_works(desk, before + timedelta(minutes=20)) == (
        None,
        frozenset({five[0].pk}),
    )
    after = datetime(2026, 12, 9, 14, 0, tzinfo=UTC)  # Early ended: asked again
    assert candidates.who_works(desk, after) == (None, frozenset())
    candidates.forget()
    assert candidates.who_works(desk, before) == (None, frozenset())
