"""The status machine and the tiered flow (L1 intake, escalation with triage notes, FCR)."""

import itertools

import pytest

from deskside.accounts.models import Tier
from deskside.tickets import services
from deskside.tickets.exceptions import InvalidInput, InvalidTransition
from deskside.tickets.models import TRANSITIONS, Channel, EventKind, Status, Ticket
from deskside.tickets.queries import latest_escalation


def move(actor, ticket: Ticket, target: str) -> None:
    """Ask for `target` through the operation a person would use for it."""
    if target == Status.RESOLVED:
        services.resolve_ticket(actor=actor, ticket=ticket, resolution="Fixed")
    elif target == Status.CLOSED:
        services.close_ticket(actor=actor, ticket=ticket)
    elif target == Status.OPEN and ticket.status == Status.RESOLVED:
        services.reopen_ticket(actor=actor, ticket=ticket)
    else:
        services.set_status(actor=actor, ticket=ticket, status=target)


def bring_to(actor, ticket: Ticket, status: str) -> None:
    """From new, every status is one step away."""
    if status != Status.NEW:
        move(actor, ticket, status)


ALL = list(Status.values)
ALLOWED = [(a, b) for a in ALL for b in sorted(TRANSITIONS[a])]
REFUSED = [(a, b) for a, b in itertools.product(ALL, ALL) if b not in TRANSITIONS[a]]


def test_closed_is_final_and_new_is_never_a_target():
    assert TRANSITIONS[Status.CLOSED] == frozenset()
    assert all(Status.NEW not in targets for targets in TRANSITIONS.values())


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_allowed_transitions(alice, acme_ticket, source, target):
    bring_to(alice, acme_ticket, source)
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == source
    move(alice, acme_ticket, target)
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == target
    if target == Status.CLOSED:
        assert acme_ticket.closed_at is not None
    if target == Status.RESOLVED:
        assert acme_ticket.resolved_at is not None
    if source == Status.RESOLVED and target == Status.OPEN:
        assert acme_ticket.resolved_at is None


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_refused_transitions(alice, acme_ticket, source, target):
    bring_to(alice, acme_ticket, source)
    acme_ticket.refresh_from_db()
    events = acme_ticket.events.count()
    with pytest.raises(InvalidTransition) as err:
        move(alice, acme_ticket, target)
    assert err.value.field == "status"
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == source
    assert acme_ticket.events.count() == events


def test_reopen_only_from_resolved(alice, carol, acme_ticket):
    for status in (Status.NEW, Status.PENDING_VENDOR):
        bring_to(alice, acme_ticket, status)
        with pytest.raises(InvalidTransition):
            services.reopen_ticket(actor=carol, ticket=acme_ticket)


def test_set_status_refuses_unknown_and_points_to_the_actions(alice, acme_ticket):
    with pytest.raises(InvalidInput) as err:
        services.set_status(actor=alice, ticket=acme_ticket, status="bogus")
    assert err.value.field == "status"
    for status in (Status.RESOLVED, Status.CLOSED):
        with pytest.raises(InvalidInput):
            services.set_status(actor=alice, ticket=acme_ticket, status=status)
    services.resolve_ticket(actor=alice, ticket=acme_ticket, resolution="x")
    with pytest.raises(InvalidInput):
        services.set_status(actor=alice, ticket=acme_ticket, status=Status.OPEN)


def test_closed_ticket_refuses_conversation_and_changes(
    alice, carol, leo, acme_ticket, make_ticket
):
    services.close_ticket(actor=alice, ticket=acme_ticket)
    other = make_ticket(carol)
    calls = [
        lambda: services.add_reply(actor=carol, ticket=acme_ticket, body="hello?"),
        lambda: services.add_reply(actor=alice, ticket=acme_ticket, body="hello?"),
        lambda: services.log_call(actor=alice, ticket=acme_ticket, minutes=1, body="x"),
        lambda: services.assign_ticket(actor=alice, ticket=acme_ticket, assignee=leo),
        lambda: services.escalate_ticket(
            actor=alice,
            ticket=acme_ticket,
            tier=Tier.L2,
            symptoms="s",
            steps_tried="t",
            impact="i",
        ),
        lambda: services.update_ticket(actor=alice, ticket=acme_ticket, subject="new"),
        lambda: services.merge_tickets(actor=alice, source=acme_ticket, target=other),
        lambda: services.merge_tickets(actor=alice, source=other, target=acme_ticket),
    ]
    for call in calls:
        with pytest.raises(InvalidTransition):
            call()
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.CLOSED
    assert acme_ticket.events.count() == 2


# -- replies move the status -------------------------------------------------------------------


def test_agent_reply_opens_a_new_ticket(alice, acme_ticket):
    services.add_reply(actor=alice, ticket=acme_ticket, body="Looking into it")
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.OPEN


def test_customer_reply_leaves_new_ticket_new(carol, acme_ticket):
    services.add_reply(actor=carol, ticket=acme_ticket, body="More detail")
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.NEW


@pytest.mark.parametrize("waiting", [Status.PENDING_CUSTOMER, Status.ON_HOLD])
def test_customer_reply_returns_waiting_ticket_to_open(alice, carol, acme_ticket, waiting):
    services.set_status(actor=alice, ticket=acme_ticket, status=waiting)
    services.add_reply(actor=carol, ticket=acme_ticket, body="Here is the info")
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.OPEN


def test_customer_reply_leaves_vendor_wait_alone(alice, carol, acme_ticket):
    services.set_status(actor=alice, ticket=acme_ticket, status=Status.PENDING_VENDOR)
    services.add_reply(actor=carol, ticket=acme_ticket, body="Any news?")
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.PENDING_VENDOR


def test_customer_reply_reopens_resolved(alice, carol, acme_ticket):
    services.resolve_ticket(actor=alice, ticket=acme_ticket, resolution="Rebooted")
    services.add_reply(actor=carol, ticket=acme_ticket, body="It broke again")
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.OPEN
    assert acme_ticket.resolved_at is None
    assert acme_ticket.events.last().kind == EventKind.REOPENED


def test_agent_reply_keeps_resolved(alice, acme_ticket):
    services.resolve_ticket(actor=alice, ticket=acme_ticket, resolution="Rebooted")
    services.add_reply(actor=alice, ticket=acme_ticket, body="Let us know if it recurs")
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.RESOLVED


def test_inbound_call_returns_pending_customer_to_open(alice, acme_ticket):
    services.set_status(actor=alice, ticket=acme_ticket, status=Status.PENDING_CUSTOMER)
    services.log_call(actor=alice, ticket=acme_ticket, minutes=0, body="Outbound", inbound=False)
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.PENDING_CUSTOMER
    services.log_call(actor=alice, ticket=acme_ticket, minutes=4, body="Customer called back")
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.OPEN


@pytest.mark.parametrize("minutes", [-1, 1441, 2.5, "5", None])
def test_log_call_needs_sane_minutes(alice, acme_ticket, minutes):
    with pytest.raises(InvalidInput) as err:
        services.log_call(actor=alice, ticket=acme_ticket, minutes=minutes, body="x")
    assert err.value.field == "minutes"


def test_log_call_needs_a_summary(alice, acme_ticket):
    with pytest.raises(InvalidInput) as err:
        services.log_call(actor=alice, ticket=acme_ticket, minutes=3, body="  ")
    assert err.value.field == "body"


# -- tiered flow and first-contact resolution --------------------------------------------------


def intake(alice, carol, **kwargs):
    kwargs.setdefault("minutes", 7)
    return services.intake_call(
        actor=alice,
        organization=carol.organization,
        requester=carol,
        subject="Outlook keeps asking for a password",
        description="Prompt loops after the update",
        **kwargs,
    )


def test_intake_call_logs_the_call(alice, carol):
    ticket = intake(alice, carol)
    assert ticket.channel == Channel.PHONE
    assert ticket.assignee == alice
    assert ticket.status == Status.OPEN
    assert ticket.tier == Tier.L1
    call = ticket.events.get(kind=EventKind.CALL)
    assert call.data == {"minutes": 7, "inbound": True}
    assert call.body == "Prompt loops after the update"
    assert call.actor == alice
    assert call.is_public is False


def test_intake_call_without_assigning(alice, carol):
    ticket = intake(alice, carol, assign_to_me=False, channel=Channel.WALK_UP)
    assert ticket.assignee is None
    assert ticket.status == Status.NEW
    assert ticket.channel == Channel.WALK_UP


def test_intake_call_refuses_other_channels(alice, carol):
    with pytest.raises(InvalidInput) as err:
        intake(alice, carol, channel=Channel.EMAIL)
    assert err.value.field == "channel"
    assert not Ticket.objects.exists()


def test_resolved_on_the_call_is_first_contact_resolution(alice, carol):
    ticket = intake(alice, carol, resolution="Cleared the cached credentials")
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert ticket.first_contact_resolution is True
    assert ticket.events.get(kind=EventKind.RESOLVED).data == {"first_contact": True}


def test_escalated_then_resolved_is_not_fcr(alice, leo, carol, desktop_team):
    ticket = intake(alice, carol)
    services.escalate_ticket(
        actor=alice,
        ticket=ticket,
        tier=Tier.L2,
        team=desktop_team,
        assignee=leo,
        symptoms="Password prompt loops",
        steps_tried="Cleared credentials",
        impact="One user",
    )
    services.resolve_ticket(actor=leo, ticket=ticket, resolution="Rebuilt the profile")
    ticket.refresh_from_db()
    assert ticket.first_contact_resolution is False


def test_reopened_is_not_fcr(alice, carol):
    ticket = intake(alice, carol, resolution="Cleared the cached credentials")
    services.reopen_ticket(actor=carol, ticket=ticket, reason="Back again")
    ticket.refresh_from_db()
    assert ticket.first_contact_resolution is False
    services.resolve_ticket(actor=alice, ticket=ticket, resolution="Reset the password")
    ticket.refresh_from_db()
    assert ticket.first_contact_resolution is False


def test_second_inbound_call_is_not_fcr(alice, carol):
    ticket = intake(alice, carol)
    services.log_call(actor=alice, ticket=ticket, minutes=5, body="Customer called again")
    services.resolve_ticket(actor=alice, ticket=ticket, resolution="Fixed")
    ticket.refresh_from_db()
    assert ticket.first_contact_resolution is False


def test_outbound_follow_up_call_is_a_second_contact(alice, carol):
    ticket = intake(alice, carol)
    services.log_call(
        actor=alice, ticket=ticket, minutes=2, body="Called to confirm", inbound=False
    )
    services.resolve_ticket(actor=alice, ticket=ticket, resolution="Fixed")
    ticket.refresh_from_db()
    assert ticket.first_contact_resolution is False


def test_internal_notes_are_no_contact(alice, carol):
    ticket = intake(alice, carol)
    services.add_note(actor=alice, ticket=ticket, body="Checked the mail server logs")
    services.resolve_ticket(actor=alice, ticket=ticket, resolution="Fixed")
    ticket.refresh_from_db()
    assert ticket.first_contact_resolution is True


def web_ticket(carol) -> Ticket:
    return services.create_ticket(
        actor=carol, ticket=services.NewTicket(subject="Shared drive is slow", channel=Channel.WEB)
    ).ticket


def test_web_ticket_resolved_straight_away_is_fcr(alice, carol):
    ticket = web_ticket(carol)
    services.resolve_ticket(actor=alice, ticket=ticket, resolution="Remapped the drive")
    ticket.refresh_from_db()
    assert ticket.first_contact_resolution is True


def test_web_ticket_answered_once_is_fcr(alice, carol):
    ticket = web_ticket(carol)
    services.add_reply(actor=alice, ticket=ticket, body="Remapped the drive; try it now")
    services.resolve_ticket(actor=alice, ticket=ticket, resolution="Remapped the drive")
    ticket.refresh_from_db()
    assert ticket.first_contact_resolution is True


def test_web_ticket_with_two_follow_ups_is_not_fcr(alice, carol):
    ticket = web_ticket(carol)
    services.add_reply(actor=alice, ticket=ticket, body="Looking into it")
    services.add_reply(actor=alice, ticket=ticket, body="Still looking; the vendor is on it")
    services.resolve_ticket(actor=alice, ticket=ticket, resolution="The vendor patched it")
    ticket.refresh_from_db()
    assert ticket.first_contact_resolution is False


def test_web_ticket_with_a_reply_and_a_call_is_not_fcr(alice, carol):
    ticket = web_ticket(carol)
    services.add_reply(actor=alice, ticket=ticket, body="Looking into it")
    services.log_call(actor=alice, ticket=ticket, minutes=3, body="Walked her through it")
    services.resolve_ticket(actor=alice, ticket=ticket, resolution="Fixed")
    ticket.refresh_from_db()
    assert ticket.first_contact_resolution is False


def test_phone_ticket_answered_in_writing_is_a_second_contact(alice, carol):
    # Opened by phone without the call logged: the intake call still counts as a contact.
    ticket = services.create_ticket(
        actor=alice,
        ticket=services.NewTicket(
            requester=carol, subject="Printer offline", channel=Channel.PHONE
        ),
    ).ticket
    services.add_reply(actor=alice, ticket=ticket, body="Try turning it off and on")
    services.resolve_ticket(actor=alice, ticket=ticket, resolution="Fixed")
    ticket.refresh_from_db()
    assert ticket.first_contact_resolution is False


def test_waiting_on_the_customer_is_not_fcr(alice, carol):
    ticket = web_ticket(carol)
    services.set_status(
        actor=alice, ticket=ticket, status=Status.PENDING_CUSTOMER, reason="Which drive letter?"
    )
    services.set_status(actor=alice, ticket=ticket, status=Status.OPEN)
    services.resolve_ticket(actor=alice, ticket=ticket, resolution="Remapped the drive")
    ticket.refresh_from_db()
    assert ticket.first_contact_resolution is False


def test_waiting_on_a_vendor_keeps_fcr(alice, carol):
    ticket = web_ticket(carol)
    services.set_status(actor=alice, ticket=ticket, status=Status.PENDING_VENDOR)
    services.resolve_ticket(actor=alice, ticket=ticket, resolution="The vendor patched it")
    ticket.refresh_from_db()
    assert ticket.first_contact_resolution is True


def test_customer_coming_back_by_reply_is_not_fcr(alice, carol):
    ticket = intake(alice, carol)
    services.add_reply(actor=carol, ticket=ticket, body="Still asking")
    services.resolve_ticket(actor=alice, ticket=ticket, resolution="Fixed")
    ticket.refresh_from_db()
    assert ticket.first_contact_resolution is False


def test_failed_intake_leaves_nothing(alice, carol):
    with pytest.raises(InvalidInput) as err:
        intake(alice, carol, minutes=-5, resolution="Fixed")
    assert err.value.field == "minutes"
    assert not Ticket.objects.exists()


# -- escalation --------------------------------------------------------------------------------

NOTES = {"symptoms": "Switch port flapping", "steps_tried": "Swapped cable", "impact": "Floor 2"}


@pytest.mark.parametrize("missing", sorted(NOTES))
@pytest.mark.parametrize("blank", ["", "   ", None])
def test_escalation_requires_each_triage_note(alice, acme_ticket, missing, blank):
    notes = {**NOTES, missing: blank}
    with pytest.raises(InvalidInput) as err:
        services.escalate_ticket(actor=alice, ticket=acme_ticket, tier=Tier.L2, **notes)
    assert err.value.field == missing
    acme_ticket.refresh_from_db()
    assert acme_ticket.tier == Tier.L1
    assert acme_ticket.escalation_count == 0
    assert latest_escalation(acme_ticket) is None


def test_escalation_goes_up_only(alice, acme_ticket, leo, desktop_team):
    for tier in (Tier.L1, "L9"):
        with pytest.raises(InvalidInput) as err:
            services.escalate_ticket(actor=alice, ticket=acme_ticket, tier=tier, **NOTES)
        assert err.value.field == "tier"
    services.escalate_ticket(actor=alice, ticket=acme_ticket, tier=Tier.L2, **NOTES)
    for tier in (Tier.L1, Tier.L2):
        with pytest.raises(InvalidInput) as err:
            services.escalate_ticket(actor=leo, ticket=acme_ticket, tier=tier, **NOTES)
        assert err.value.field == "tier"


def test_escalation_team_and_assignee_must_fit_the_tier(
    alice, leo, carol, acme_ticket, network_team, desktop_team
):
    with pytest.raises(InvalidInput) as err:
        services.escalate_ticket(
            actor=alice, ticket=acme_ticket, tier=Tier.L2, team=network_team, **NOTES
        )
    assert err.value.field == "team"
    with pytest.raises(InvalidInput) as err:
        services.escalate_ticket(
            actor=alice,
            ticket=acme_ticket,
            tier=Tier.L3,
            team=network_team,
            assignee=leo,
            **NOTES,
        )
    assert err.value.field == "assignee"
    with pytest.raises(InvalidInput) as err:
        services.escalate_ticket(
            actor=alice, ticket=acme_ticket, tier=Tier.L2, assignee=carol, **NOTES
        )
    assert err.value.field == "assignee"
    acme_ticket.refresh_from_db()
    assert (acme_ticket.tier, acme_ticket.team, acme_ticket.escalation_count) == (Tier.L1, None, 0)


def test_escalation_routes_the_ticket(alice, leo, tara, carol, desktop_team, network_team):
    ticket = intake(alice, carol)
    event = services.escalate_ticket(
        actor=alice, ticket=ticket, tier=Tier.L2, team=desktop_team, assignee=leo, **NOTES
    )
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.team, ticket.assignee) == (Tier.L2, desktop_team, leo)
    assert ticket.escalation_count == 1
    assert event.data["from_tier"] == Tier.L1
    assert event.data["to_tier"] == Tier.L2
    assert latest_escalation(ticket) == event
    for key, value in NOTES.items():
        assert event.data[key] == value
        assert value in event.body
    assert event.is_public is False

    second = services.escalate_ticket(
        actor=leo,
        ticket=ticket,
        tier=Tier.L3,
        team=network_team,
        symptoms="Port errors on the core switch",
        steps_tried="Replaced the patch lead",
        impact="Whole floor",
    )
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.team, ticket.assignee) == (Tier.L3, network_team, None)
    assert ticket.escalation_count == 2
    assert latest_escalation(ticket) == second
    assert latest_escalation(ticket).data["symptoms"] == "Port errors on the core switch"


def test_escalating_a_new_ticket_opens_it(alice, acme_ticket):
    services.escalate_ticket(actor=alice, ticket=acme_ticket, tier=Tier.L3, **NOTES)
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.OPEN
    assert acme_ticket.tier == Tier.L3


def test_resolved_ticket_cannot_be_escalated(alice, acme_ticket):
    services.resolve_ticket(actor=alice, ticket=acme_ticket, resolution="x")
    with pytest.raises(InvalidTransition):
        services.escalate_ticket(actor=alice, ticket=acme_ticket, tier=Tier.L2, **NOTES)
