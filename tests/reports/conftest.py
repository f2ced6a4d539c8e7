"""A fixed small desk for the reports, viewed from New York (Alice's zone), the week of Monday
2 to Sunday 8 March 2026; Sunday 8 March is the night the US moves its clocks to summer time.
"Now" is Tuesday 10 March 12:00 New York.

    T1  Mon 2  09:00  Acme    phone  P3 incident  L1  Alice: answered +10 min, resolved +30 min
                                                      on the call: first contact
    T2  Mon 2  10:00  Acme    email  P2 incident  answered +60 min; escalated to L2 (Leo) at
                                                      12:00, resolved Tue 3 10:00, reopened Wed 4
                                                      09:00, resolved again Wed 4 12:00 (+50 h)
    T3  Tue 3  14:00  Globex  web    P3 service request, Alice, answered +30 min, open
    T4  Sun 8  23:30  Acme    phone  P1 incident  Leo, open: the last minutes of the range
    T5  Mon 9  00:10  Acme    phone  P3  Alice, open: the range's next day (not counted)
    T6  Sun 1  23:30  Acme    phone  P3  open, unassigned: the day before (not counted)

SLA due times are written directly (the desk has no contract): T1 answer due +1 h, resolution
+8 h (both met); T2 answer +30 min (breached), resolution +24 h (breached); T3 answer +1 h
(met), resolution +24 h (open past it: breached); T4 answer +1 h (not answered, past:
breached), resolution +30 days (running).
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.tickets import services as tickets
from deskside.tickets.models import Channel, Priority, Ticket, TicketType

NY = ZoneInfo("America/New_York")
START, END = date(2026, 3, 2), date(2026, 3, 8)
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=NY)
QUERY = {"from": "2026-03-02", "to": "2026-03-08"}


def ny(*args) -> datetime:
    return datetime(*args, tzinfo=NY)


@pytest.fixture
def desk(alice, leo, carol, dave, helpdesk, desktop_team, make_ticket):
    alice.timezone = "America/New_York"
    alice.save(update_fields=["timezone"])

    def at(moment, requester, **kwargs):
        with clock.frozen(moment):
            return make_ticket(requester, team=kwargs.pop("team", helpdesk), **kwargs)

    def assign(ticket, who, moment):
        with clock.frozen(moment):
            tickets.assign_ticket(actor=alice, ticket=ticket, assignee=who)

    def resolve(ticket, who, moment):
        with clock.frozen(moment):
            tickets.resolve_ticket(
                actor=who, ticket=Ticket.objects.get(pk=ticket.pk), resolution="Fixed."
            )

    t1 = at(ny(2026, 3, 2, 9, 0), carol, channel=Channel.PHONE)
    assign(t1, alice, ny(2026, 3, 2, 9, 1))
    resolve(t1, alice, ny(2026, 3, 2, 9, 30))

    t2 = at(ny(2026, 3, 2, 10, 0), carol, channel=Channel.EMAIL, priority=Priority.P2)
    with clock.frozen(ny(2026, 3, 2, 12, 0)):
        tickets.escalate_ticket(
            actor=alice,
            ticket=Ticket.objects.get(pk=t2.pk),
            tier=Tier.L2,
            symptoms="No mail since the update.",
            steps_tried="Restarted Outlook.",
            impact="One user.",
            team=desktop_team,
            assignee=leo,
        )
    resolve(t2, leo, ny(2026, 3, 3, 10, 0))
    with clock.frozen(ny(2026, 3, 4, 9, 0)):
        tickets.reopen_ticket(actor=leo, ticket=Ticket.objects.get(pk=t2.pk), reason="Back again.")
    resolve(t2, leo, ny(2026, 3, 4, 12, 0))

    t3 = at(ny(2026, 3, 3, 14, 0), dave, channel=Channel.WEB, type=TicketType.SERVICE_REQUEST)
    assign(t3, alice, ny(2026, 3, 3, 14, 5))
    t4 = at(ny(2026, 3, 8, 23, 30), carol, channel=Channel.PHONE, priority=Priority.P1)
    assign(t4, leo, ny(2026, 3, 8, 23, 31))
    t5 = at(ny(2026, 3, 9, 0, 10), carol, channel=Channel.PHONE)
    assign(t5, alice, ny(2026, 3, 9, 0, 11))
    t6 = at(ny(2026, 3, 1, 23, 30), carol, channel=Channel.PHONE)

    minutes = timedelta(minutes=1)
    for ticket, answered, fr_due, res_due in (
        (t1, 10, 60, 8 * 60),
        (t2, 60, 30, 24 * 60),
        (t3, 30, 60, 24 * 60),
        (t4, None, 60, 30 * 24 * 60),
    ):
        Ticket.objects.filter(pk=ticket.pk).update(
            first_responded_at=ticket.created_at + answered * minutes if answered else None,
            first_response_due=ticket.created_at + fr_due * minutes,
            resolution_due=ticket.created_at + res_due * minutes,
        )
    Ticket.objects.filter(pk__in=[t5.pk, t6.pk]).update(first_responded_at=None)
    return {
        n: Ticket.objects.get(pk=t.pk)
        for n, t in zip(("t1", "t2", "t3", "t4", "t5", "t6"), (t1, t2, t3, t4, t5, t6), strict=True)
    }


@pytest.fixture
def now():
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture
def escalated(desk, alice, carol, desktop_team, network_team, make_ticket):
    """Two operational tickets more on Thursday 5 March: T7 logged at L1 and escalated to L2
    then L3; T8 logged straight at L2 and escalated to L3."""

    def escalate(ticket, tier, team):
        tickets.escalate_ticket(
            actor=alice,
            ticket=Ticket.objects.get(pk=ticket.pk),
            tier=tier,
            symptoms="Backups fail.",
            steps_tried="Re-ran the job.",
            impact="No backup tonight.",
            team=team,
            assignee=None,
        )

    with clock.frozen(datetime(2026, 3, 5, 10, 0, tzinfo=NY)):
        t7 = make_ticket(carol, type=TicketType.OPERATIONAL)
        t8 = make_ticket(carol, type=TicketType.OPERATIONAL, tier=Tier.L2, team=desktop_team)
        escalate(t7, Tier.L2, desktop_team)
        escalate(t7, Tier.L3, network_team)
        escalate(t8, Tier.L3, network_team)
    return {**desk, "t7": Ticket.objects.get(pk=t7.pk), "t8": Ticket.objects.get(pk=t8.pk)}
