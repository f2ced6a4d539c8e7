"""Giving new tickets out by the team's rule (deskside.assignment.services), through the
ticket service as the desk opens them: who is a candidate (working, not on leave, active,
serving the client, under the cap), the timeline's reasons, support duty, moves to a team."""

from collections import Counter
from datetime import date, timedelta

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.assignment import services
from deskside.assignment.exceptions import InvalidInput, NotAllowed
from deskside.assignment.models import AssignmentRule, Mode
from deskside.core.models import AuditEntry
from deskside.rosters.models import Leave, SupportDuty, SupportDutyMember
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind, Priority, Status, Ticket
from tests.assignment.conftest import day_roster

pytestmark = pytest.mark.django_db


def last_event(ticket, kind):
    return ticket.events.filter(kind=kind).order_by("-id").first()


def test_round_robin_assigns_a_new_ticket_with_the_reason_on_its_timeline(
    frozen, five, rule, new_ticket
):
    rule(Mode.ROUND_ROBIN)
    first, second = new_ticket(), new_ticket()
    assert (first.assignee, second.assignee) == (five[0], five[1])
    event = last_event(second, EventKind.ASSIGNED)
    assert event.actor is None
    assert event.data["rule"] == "assignment.round_robin"
    assert event.data["reason"] == "round-robin: next after Ann Agent"
    assert event.data["to"] == "Ben Agent"
    assert "round-robin: next after Ann Agent" in event.body
    second.refresh_from_db()
    assert second.assignee == five[1]
    assert second.status == Status.NEW  # assigned, not yet picked up


def test_round_robin_over_1000_tickets_and_5_agents_differs_by_at_most_one(
    frozen, five, rule, new_ticket
):
    rule(Mode.ROUND_ROBIN)
    for _ in range(1000):
        new_ticket()
    counts = Counter(Ticket.objects.values_list("assignee", flat=True))
    assert set(counts) == {u.pk for u in five}
    assert max(counts.values()) - min(counts.values()) <= 1


def test_rule_off_leaves_the_ticket_unassigned_and_writes_nothing(frozen, five, rule, new_ticket):
    rule(Mode.OFF)
    ticket = new_ticket()
    assert ticket.assignee is None
    assert list(ticket.events.values_list("kind", flat=True)) == [EventKind.CREATED]


def test_a_ticket_without_a_team_or_with_an_assignee_is_left_alone(
    frozen, admin, five, rule, carol
):
    rule(Mode.ROUND_ROBIN)
    plain = tickets.create_ticket(
        actor=admin, ticket=tickets.NewTicket(requester=carol, subject="No team")
    ).ticket
    given = tickets.create_ticket(
        actor=admin,
        ticket=tickets.NewTicket(
            requester=carol, subject="Mine", team=five[0].teams.get(), assignee=five[3]
        ),
    ).ticket
    assert plain.assignee is None
    assert given.assignee == five[3]
    assert not AssignmentRule.objects.get().last_user


def test_least_loaded_weighs_open_tickets_by_priority(frozen, five, rule, new_ticket):
    ann, ben = five[0], five[1]
    for person in five[2:]:
        person.is_active = False
        person.save()
    rule(Mode.LEAST_LOADED)
    new_ticket(priority=Priority.P1)  # Ann (tie: lower id): 1 open, weighted 4
    second = new_ticket(priority=Priority.P3)  # Ben: 0 < 4
    assert second.assignee == ben
    third = new_ticket(priority=Priority.P3)  # Ben 2 vs Ann 4
    assert third.assignee == ben
    fourth = new_ticket()  # Ben 2 open (weighted 4) vs Ann 1 open (weighted 4): Ann
    assert fourth.assignee == ann
    reason = last_event(third, EventKind.ASSIGNED).data["reason"]
    assert reason == "least-loaded: 1 open (weighted 2) vs Ann Agent 1 open (weighted 4)"


def test_least_loaded_never_exceeds_the_cap_and_says_why_when_all_are_full(
    frozen, five, rule, new_ticket
):
    rule(Mode.LEAST_LOADED, cap=2)
    made = [new_ticket() for _ in range(12)]
    counts = Counter(t.assignee_id for t in made if t.assignee_id)
    assert sorted(counts.values()) == [2] * 5
    left = [t for t in made if t.assignee_id is None]
    assert len(left) == 2
    note = last_event(left[0], EventKind.NOTE)
    assert note.actor is None
    assert note.body == (
        "Not assigned automatically: least-loaded: all 5 working agents are at the cap of 2 "
        "open tickets."
    )


def test_closed_tickets_do_not_count_towards_the_cap(frozen, admin, five, rule, new_ticket):
    rule(Mode.ROUND_ROBIN, cap=1)
    for person in five[1:]:
        person.is_active = False
        person.save()
    first = new_ticket()
    assert new_ticket().assignee is None
    tickets.resolve_ticket(actor=admin, ticket=first, resolution="Restarted it")
    assert new_ticket().assignee == five[0]


def test_skills_first_gives_the_ticket_to_who_has_its_skills(
    frozen, admin, five, rule, new_ticket, skill, carol
):
    exchange = skill("Exchange")
    five[3].skills.add(exchange)
    rule(Mode.SKILLS_FIRST)
    ticket = new_ticket()
    assert ticket.assignee == five[0]  # no skill required: least-loaded, lowest id
    tickets.assign_ticket(actor=admin, ticket=ticket, assignee=None)  # back to the queue
    services.set_required_skills(actor=admin, ticket=ticket, skills=[exchange])
    skilled = new_ticket()
    services.set_required_skills(actor=admin, ticket=skilled, skills=[exchange])
    assert services.preview(team=ticket.team, ticket=skilled).user_id == five[3].pk
    reason = services.preview(team=ticket.team, ticket=skilled).reason
    assert reason.startswith("skills-first: has Exchange; least-loaded")


def test_only_agents_working_now_get_tickets(frozen, five, rule, new_ticket, desk):
    day_roster(desk, early=five[:2], late=five[2:4])  # Eve works no shift; noon is Early
    rule(Mode.ROUND_ROBIN)
    got = {new_ticket().assignee for _ in range(4)}
    assert got == {five[0], five[1]}


def test_agents_on_leave_inactive_or_not_serving_the_client_get_none(
    frozen, admin, five, rule, new_ticket, globex, dave
):
    rule(Mode.ROUND_ROBIN)
    Leave.objects.create(
        user=five[0],
        starts_at=frozen - timedelta(hours=1),
        ends_at=frozen + timedelta(days=1),
        reason="Holiday",
    )
    five[1].is_active = False
    five[1].save()
    five[2].served_organizations.set([globex])  # Cat serves only Globex
    got = {new_ticket().assignee for _ in range(4)}
    assert got == {five[3], five[4]}
    assert new_ticket(dave).assignee in {five[2], five[3], five[4]}


def test_nobody_working_leaves_the_ticket_unassigned_with_a_note(
    frozen, five, rule, new_ticket, desk
):
    day_roster(desk, early=[], late=five[:2])  # nobody on the Early shift at noon
    rule(Mode.ROUND_ROBIN)
    ticket = new_ticket()
    assert ticket.assignee is None
    assert last_event(ticket, EventKind.NOTE).body == (
        "Not assigned automatically: round-robin: nobody is on shift now."
    )


def test_nobody_serving_the_client(frozen, five, rule, new_ticket, globex):
    for person in five:
        person.served_organizations.set([globex])
    rule(Mode.LEAST_LOADED)
    ticket = new_ticket()
    assert ticket.assignee is None
    assert "nobody working serves this client" in last_event(ticket, EventKind.NOTE).body


def support_duty(team, mode, people, **fields):
    duty = SupportDuty.objects.create(
        team=team, mode=mode, starts_on=date(2026, 12, 7), timezone="UTC", **fields
    )
    for position, person in enumerate(people):
        SupportDutyMember.objects.create(duty=duty, user=person, position=position)
    return duty


def test_a_fixed_service_desk_gets_the_tickets_in_turn_even_with_the_rule_off(
    frozen, five, new_ticket, desk
):
    support_duty(desk, SupportDuty.Mode.FIXED, [five[2], five[4]])
    made = [new_ticket() for _ in range(4)]
    assert [t.assignee for t in made] == [five[2], five[4], five[2], five[4]]
    reason = last_event(made[1], EventKind.ASSIGNED).data["reason"]
    assert reason == "support duty, round-robin: next after Cat Agent"


def test_a_rotational_duty_gives_the_tickets_to_the_person_on_duty(
    frozen, five, rule, new_ticket, desk
):
    rule(Mode.LEAST_LOADED)
    # Daily hand-off at 09:00 from Monday 7 Dec: Wednesday's turn is the third member's.
    support_duty(
        desk,
        SupportDuty.Mode.ROTATIONAL,
        [five[0], five[1], five[3]],
        period="daily",
        handoff_time="09:00",
    )
    assert {new_ticket().assignee for _ in range(3)} == {five[3]}


def test_a_ticket_handed_to_another_team_unassigned_is_given_out_there(
    frozen, admin, five, rule, new_ticket, helpdesk, alice
):
    rule(Mode.ROUND_ROBIN)
    ticket = new_ticket(team=helpdesk)  # the help desk has no rule
    assert ticket.assignee is None
    tickets.assign_ticket(actor=admin, ticket=ticket, assignee=None, team=five[0].teams.get())
    ticket.refresh_from_db()
    assert ticket.assignee == five[0]
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds == [EventKind.CREATED, EventKind.ASSIGNED, EventKind.ASSIGNED]


def test_an_agent_unassigning_a_ticket_within_its_team_is_left_alone(
    frozen, five, rule, new_ticket
):
    rule(Mode.ROUND_ROBIN)
    ticket = new_ticket()
    tickets.assign_ticket(actor=five[0], ticket=ticket, assignee=None)
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_set_rule_is_for_admins_and_the_team_lead_and_is_audited(admin, alice, tara, desk):
    with pytest.raises(NotAllowed):
        services.set_rule(actor=alice, team=desk, mode=Mode.ROUND_ROBIN, cap=None)
    desk.lead = alice
    desk.save()
    services.set_rule(actor=alice, team=desk, mode=Mode.ROUND_ROBIN, cap=5)
    services.set_rule(actor=admin, team=desk, mode=Mode.LEAST_LOADED, cap=5)
    entries = AuditEntry.objects.filter(object_type="assignment.rule").order_by("id")
    assert [(e.action, e.after) for e in entries] == [
        ("created", {"mode": "round_robin", "cap": 5}),
        ("updated", {"mode": "least_loaded"}),
    ]
    with pytest.raises(InvalidInput) as bad:
        services.set_rule(actor=admin, team=desk, mode="random", cap=5)
    assert bad.value.field == "mode"
    with pytest.raises(InvalidInput) as bad:
        services.set_rule(actor=admin, team=desk, mode=Mode.OFF, cap=0)
    assert bad.value.field == "cap"


def test_required_skills_write_a_change_on_the_timeline(admin, acme_ticket, skill, tara):
    vpn = skill("VPN")
    assert services.set_required_skills(actor=admin, ticket=acme_ticket, skills=[vpn]) == ["VPN"]
    event = last_event(acme_ticket, EventKind.CHANGED)
    assert event.data["changes"] == {"required skills": [None, "VPN"]}
    services.set_required_skills(actor=admin, ticket=acme_ticket, skills=[vpn])  # no change
    assert acme_ticket.events.filter(kind=EventKind.CHANGED).count() == 1


def test_required_skills_respect_tenancy(admin_serving, acme_ticket, globex, skill):
    other = admin_serving(globex, email="g@msp.example")
    with pytest.raises(Exception, match="cannot see"):
        services.set_required_skills(actor=other, ticket=acme_ticket, skills=[skill("VPN")])


def test_an_escalation_to_a_team_is_given_out_there(frozen, admin, five, rule, carol, desk):
    l2 = accounts.create_team(name="Desktop L2", tier=Tier.L2)
    five[4].teams.add(l2)
    five[4].tier = Tier.L2
    five[4].save()
    rule(Mode.ROUND_ROBIN, team=l2)
    ticket = tickets.create_ticket(
        actor=admin, ticket=tickets.NewTicket(requester=carol, subject="Screen broken")
    ).ticket
    tickets.escalate_ticket(
        actor=admin,
        ticket=ticket,
        tier=Tier.L2,
        symptoms="Cracked",
        steps_tried="None",
        impact="One user",
        team=l2,
    )
    ticket.refresh_from_db()
    assert ticket.assignee == five[4]
