"""Issue 11, item 6: raising a ticket's priority never breaches it in the past, and a breach
rule escalates with triage notes through the ticket services' escalation rule.

The case from the demo (T-10330): an Acme P3 ticket opened Monday 10:00 Berlin and answered
at 10:05 is raised to P1 at 14:30. Counted from the creation, P1's 240 minutes around the
clock were up at 14:00, so the ticket used to breach the minute it was raised and the
contract's breach rule moved it to L2 with no triage notes. Now the resolution counts its
240 minutes from the change (due 18:30) and the worker writes nothing until then. See
conftest for the week, the calendars and the contracts.
"""

from datetime import datetime

import pytest
from django.urls import reverse

from deskside.accounts.models import Tier
from deskside.sla import worker
from deskside.sla.engine import FIRST_BREACHED, FIRST_WARNED
from deskside.sla.models import Contract
from deskside.tickets import services as tickets
from deskside.tickets.exceptions import InvalidInput
from deskside.tickets.models import EventKind, Priority, Ticket
from tests.conftest import client_for
from tests.sla.conftest import berlin

SLA_KINDS = (EventKind.SLA_WARNING, EventKind.SLA_BREACH)


def fresh(ticket: Ticket) -> Ticket:
    ticket.refresh_from_db()
    return ticket


def sla_events(ticket: Ticket) -> list[tuple[str, str]]:
    return list(
        ticket.events.filter(kind__in=SLA_KINDS).order_by("id").values_list("kind", "data__kind")
    )


@pytest.fixture
def answered(contracts, at, make_ticket, carol, alice):
    """Acme's P3 ticket of Monday 10:00, answered by Alice at 10:05 (first response met)."""
    at(berlin(2, 10))
    ticket = make_ticket(carol, assignee=alice)
    at(berlin(2, 10, 5))
    tickets.add_reply(actor=alice, ticket=ticket, body="Looking into it.")
    return fresh(ticket)


def test_raising_p3_to_p1_does_not_breach_in_the_past(answered, at, alice):
    at(berlin(2, 14, 30))
    tickets.update_ticket(actor=alice, ticket=answered, priority=Priority.P1)
    t = fresh(answered)
    # From the creation P1's resolution was due at 14:00, before the change: it counts its
    # 240 minutes from the change instead.
    assert t.resolution_due == berlin(2, 18, 30)
    assert t.sla_due == berlin(2, 18, 30)
    assert t.first_response_due == berlin(2, 11)  # met at 10:05 under P3: not rewritten
    assert t.sla_check_at == berlin(2, 17, 30)  # the warning, at 75 % of 240 minutes
    event = t.events.filter(kind=EventKind.CHANGED).last()
    assert event.data["changes"]["priority"] == ["P3", "P1"]


def test_the_worker_writes_no_breach_until_the_new_deadline(answered, at, alice):
    at(berlin(2, 14, 30))
    tickets.update_ticket(actor=alice, ticket=answered, priority=Priority.P1)
    assert worker.tick().breaches == 0  # the same minute: nothing
    at(berlin(2, 17, 29))
    assert worker.tick().claimed == 0
    at(berlin(2, 17, 30))
    assert (worker.tick().warnings, sla_events(answered)) == (
        1,
        [(EventKind.SLA_WARNING, "resolution")],
    )
    at(berlin(2, 18, 29))
    assert worker.tick().breaches == 0
    at(berlin(2, 18, 30))
    assert worker.tick().breaches == 1
    assert sla_events(answered)[-1] == (EventKind.SLA_BREACH, "resolution")
    assert fresh(answered).tier == Tier.L1  # Acme's test contract only notifies


def test_an_unanswered_ticket_gets_the_p1_first_response_from_the_change(
    contracts, at, make_ticket, carol, alice
):
    at(berlin(2, 10))
    t = make_ticket(carol, assignee=alice)
    at(berlin(2, 10, 30))
    tickets.update_ticket(actor=alice, ticket=t, priority=Priority.P1)
    t = fresh(t)
    assert t.first_response_due == berlin(2, 10, 45)  # 15 minutes from the change
    assert t.resolution_due == berlin(2, 14)  # still ahead from the creation: kept so
    assert worker.tick().breaches == 0
    at(berlin(2, 10, 44))
    assert worker.tick().breaches == 0
    at(berlin(2, 10, 45))
    assert worker.tick().breaches == 1
    assert sla_events(t)[-1] == (EventKind.SLA_BREACH, "first_response")


def test_a_clock_breached_before_the_change_stays_breached_once(
    contracts, at, make_ticket, carol, alice
):
    at(berlin(2, 10))
    t = make_ticket(carol, assignee=alice)
    at(berlin(2, 11))
    assert worker.tick().breaches == 1  # P3's first response, due 11:00
    at(berlin(2, 11, 30))
    tickets.update_ticket(actor=alice, ticket=t, priority=Priority.P1)
    t = fresh(t)
    assert t.first_response_due == berlin(2, 11)  # still breached, at the time it was
    assert t.sla_fired & (FIRST_WARNED | FIRST_BREACHED) == FIRST_WARNED | FIRST_BREACHED
    worker.tick()
    assert sla_events(t).count((EventKind.SLA_BREACH, "first_response")) == 1


def test_the_ticket_page_shows_the_new_due_times(answered, at, alice, client):
    at(berlin(2, 14, 30))
    tickets.update_ticket(actor=alice, ticket=answered, priority=Priority.P1)
    client.force_login(alice)
    page = client.get(reverse("tickets:detail", args=[answered.number])).content.decode()
    section = page[page.index('class="card sla-clocks"') :]
    section = section[: section.index("</section>")]
    # The resolution's due instant, four hours ahead, and the met first response.
    stamp = section.split('<time datetime="')[1].split('"')[0]
    assert datetime.fromisoformat(stamp) == berlin(2, 18, 30)
    assert "4h left" in section
    assert "met" in section and "late" not in section and "breached" not in section


def test_the_api_shows_the_new_due_time(answered, at, alice):
    at(berlin(2, 14, 30))
    tickets.update_ticket(actor=alice, ticket=answered, priority=Priority.P1)
    got = client_for(alice).get(f"/api/v1/tickets/{answered.number}").json()
    assert datetime.fromisoformat(got["sla_due"].replace("Z", "+00:00")) == berlin(2, 18, 30)
    assert got["sla_state"] == "ok"


# -- the breach rule escalates with triage notes ------------------------------------------------


@pytest.fixture
def raising(contracts):
    """Acme's contract raises a breached ticket one tier."""
    Contract.objects.filter(pk=contracts[0].pk).update(on_breach=Contract.OnBreach.RAISE_TIER)
    return contracts[0]


def test_an_automatic_breach_escalation_carries_triage_notes_on_the_ticket_page(
    raising, at, make_ticket, carol, alice, leo, client
):
    at(berlin(2, 10))
    t = make_ticket(carol, description="The floor 2 printer shows offline since this morning.")
    at(berlin(2, 10, 20))
    tickets.add_note(actor=alice, ticket=t, body="Power-cycled it; still offline. Cable OK.")
    at(berlin(2, 10, 40))
    tickets.add_reply(actor=carol, ticket=t, body="Now nobody on floor 2 can print.")
    at(berlin(2, 11))
    result = worker.tick()
    assert (result.breaches, result.raised) == (1, 1)
    t = fresh(t)
    assert t.tier == Tier.L2
    escalated = t.events.get(kind=EventKind.ESCALATED)
    notes = escalated.data
    assert "Printer offline on floor 2" in notes["symptoms"]
    assert "shows offline since this morning" in notes["symptoms"]
    assert "Now nobody on floor 2 can print." in notes["symptoms"]
    assert "Power-cycled it; still offline." in notes["steps_tried"]
    assert "Alice Agent" in notes["steps_tried"]
    assert "first response target of 60 working minutes (P3" in notes["impact"]
    assert "due Mon 02 Mar 2026 11:00 CET" in notes["impact"]
    # The L2 technician opening the ticket sees them first, escalated by Deskside.
    client.force_login(leo)
    page = client.get(reverse("tickets:detail", args=[t.number])).content.decode()
    triage = page[page.index('class="triage"') :]
    triage = triage[: triage.index("</section>")]
    assert "escalated L1 → L2 by Deskside" in triage
    assert "Power-cycled it; still offline." in triage
    assert "first response target of 60 working minutes" in triage


def test_a_breach_before_anything_was_tried_says_so(raising, at, make_ticket, carol):
    at(berlin(2, 10))
    t = make_ticket(carol)
    at(berlin(2, 11))
    worker.tick()
    notes = fresh(t).events.get(kind=EventKind.ESCALATED).data
    assert notes["steps_tried"].startswith("Nothing recorded before the breach")


def test_the_issue_case_raised_to_p1_escalates_only_at_the_new_deadline(
    raising, answered, at, alice
):
    at(berlin(2, 14, 30))
    tickets.update_ticket(actor=alice, ticket=answered, priority=Priority.P1)
    assert worker.tick().raised == 0
    assert fresh(answered).tier == Tier.L1
    at(berlin(2, 18, 30))
    assert worker.tick().raised == 1
    t = fresh(answered)
    assert t.tier == Tier.L2
    notes = t.events.get(kind=EventKind.ESCALATED).data
    assert "resolution target of 240 working minutes (P1" in notes["impact"]
    assert "Looking into it." in notes["steps_tried"]  # Alice's reply at 10:05


def test_a_refused_breach_rule_is_written_on_the_timeline_and_keeps_the_claim(
    raising, at, make_ticket, carol, monkeypatch
):
    at(berlin(2, 10))
    refused, other = make_ticket(carol, subject="Refused"), make_ticket(carol, subject="Other")

    def escalate(**kwargs):
        if kwargs["ticket"].pk == refused.pk:
            raise InvalidInput("the symptoms are required", field="symptoms")
        return real(**kwargs)

    real = tickets.escalate_by_rule
    monkeypatch.setattr(tickets, "escalate_by_rule", escalate)
    at(berlin(2, 11))
    result = worker.tick()
    assert (result.breaches, result.raised, result.refused) == (2, 1, 1)
    assert fresh(refused).tier == Tier.L1
    assert fresh(other).tier == Tier.L2
    note = refused.events.get(kind=EventKind.SLA)
    assert note.body == "SLA breach rule not applied: the symptoms are required"
    assert sla_events(refused) == [(EventKind.SLA_BREACH, "first_response")]
    assert worker.tick().breaches == 0  # claimed once, not retried every pass


def test_escalate_by_rule_keeps_the_escalation_rule(acme_ticket, network_team):
    with pytest.raises(InvalidInput) as error:
        tickets.escalate_by_rule(
            ticket=acme_ticket,
            rule="sla_breach",
            tier=Tier.L2,
            symptoms="x",
            steps_tried=" ",
            impact="y",
        )
    assert error.value.field == "steps_tried"
    with pytest.raises(InvalidInput) as error:
        tickets.escalate_by_rule(
            ticket=acme_ticket,
            rule="sla_breach",
            tier=Tier.L2,
            team=network_team,  # an L3 team
            symptoms="x",
            steps_tried="y",
            impact="z",
        )
    assert error.value.field == "team"
    assert fresh(acme_ticket).tier == Tier.L1
    assert not acme_ticket.events.filter(kind=EventKind.ESCALATED).exists()
