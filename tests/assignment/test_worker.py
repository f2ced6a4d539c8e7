"""The shift's end (deskside.assignment.worker): new tickets still unacknowledged by an agent
who went off shift move to the incoming shift by the team's rule, once per hand-off."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.assignment.models import HandoffMark, Mode
from deskside.assignment.worker import assignment_pass
from deskside.core import clock
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind, Status
from tests.assignment.conftest import day_roster

pytestmark = pytest.mark.django_db
ONE_PM = datetime(2026, 12, 9, 13, 0, tzinfo=UTC)
AFTER_TWO = datetime(2026, 12, 9, 14, 5, tzinfo=UTC)


@pytest.fixture
def shifts(five, desk, rule):
    """Ann on Early (06-14), Ben on Late (14-22), round-robin."""
    day_roster(desk, early=[five[0]], late=[five[1]])
    rule(Mode.ROUND_ROBIN)
    return five


def moves(ticket):
    return list(ticket.events.filter(kind=EventKind.ASSIGNED, data__handoff__isnull=False))


def test_an_unacknowledged_new_ticket_moves_to_the_incoming_shift(shifts, new_ticket):
    ann, ben = shifts[0], shifts[1]
    with clock.frozen(ONE_PM):
        ticket = new_ticket()
    assert ticket.assignee == ann
    with clock.frozen(AFTER_TWO):
        assert assignment_pass() == 1
    ticket.refresh_from_db()
    assert ticket.assignee == ben
    assert ticket.status == Status.NEW
    [event] = moves(ticket)
    assert event.actor is None
    assert event.data["handoff"] == "Early → Late"
    assert event.data["from"] == "Ann Agent"
    assert event.data["to"] == "Ben Agent"
    assert event.body == (
        "Moved at the end of Ann Agent's shift (Early → Late), not acknowledged: "
        "round-robin: next after Ann Agent."
    )


def test_each_hand_off_is_handled_once(shifts, new_ticket, desk):
    with clock.frozen(ONE_PM):
        ticket = new_ticket()
    with clock.frozen(AFTER_TWO):
        assignment_pass()
        assert assignment_pass() == 0
    with clock.frozen(AFTER_TWO + timedelta(minutes=10)):
        assert assignment_pass() == 0
    assert len(moves(ticket)) == 1
    assert HandoffMark.objects.get(team=desk).done_until == AFTER_TWO + timedelta(minutes=10)


def test_a_ticket_the_agent_acted_on_stays(shifts, new_ticket):
    ann = shifts[0]
    with clock.frozen(ONE_PM):
        noted = new_ticket()
        tickets.add_note(actor=ann, ticket=noted, body="Calling the user back")
        opened = new_ticket()
        tickets.set_status(actor=shifts[2], ticket=opened, status=Status.OPEN)
    with clock.frozen(AFTER_TWO):
        assert assignment_pass() == 0
    noted.refresh_from_db()
    assert noted.assignee == ann


def test_before_the_shift_end_nothing_moves(shifts, new_ticket):
    with clock.frozen(ONE_PM):
        ticket = new_ticket()
        assert assignment_pass() == 0
    with clock.frozen(ONE_PM + timedelta(minutes=50)):
        assert assignment_pass() == 0
    ticket.refresh_from_db()
    assert ticket.assignee == shifts[0]


def test_with_nobody_incoming_who_can_take_it_the_ticket_stays_with_a_note(
    five, desk, rule, new_ticket, globex
):
    day_roster(desk, early=[five[0]], late=[five[2]])
    five[2].served_organizations.set([globex])  # Cat, on Late, serves only Globex
    rule(Mode.ROUND_ROBIN)
    with clock.frozen(ONE_PM):
        ticket = new_ticket()
    with clock.frozen(AFTER_TWO):
        assert assignment_pass() == 0
    ticket.refresh_from_db()
    assert ticket.assignee == five[0]
    note = ticket.events.filter(kind=EventKind.NOTE).get()
    assert note.body == (
        "Not moved at the end of Ann Agent's shift (Early → Late), not acknowledged: "
        "round-robin: nobody working serves this client."
    )
