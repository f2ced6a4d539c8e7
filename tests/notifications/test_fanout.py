"""Who is told what: each kind through the real action that causes it (assign, escalate, a
customer's reply in the portal and by mail, a note with a mention, the SLA worker's warning,
the paging worker's page). Never the actor; never an agent who does not serve the client."""

import pytest
from django.db import transaction

from deskside.notifications.models import Kind, Notification
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind
from tests.notifications.conftest import kinds_of, told


def escalate(actor, ticket, **kwargs):
    kwargs.setdefault("tier", "L2")
    return tickets.escalate_ticket(
        actor=actor,
        ticket=ticket,
        symptoms="No network",
        steps_tried="Rebooted the switch",
        impact="Whole floor",
        **kwargs,
    )


def test_assigning_tells_the_assignee_not_the_actor(alice, leo, acme_ticket):
    event = tickets.assign_ticket(actor=alice, ticket=acme_ticket, assignee=leo)
    [n] = told(leo)
    assert (n.kind, n.ticket_id, n.event_id, n.actor_id) == (
        Kind.ASSIGNED,
        acme_ticket.pk,
        event.pk,
        alice.pk,
    )
    assert n.title == f"{acme_ticket.number} assigned to you by Alice Agent"
    assert n.text == acme_ticket.subject and n.read_at is None
    tickets.assign_ticket(actor=leo, ticket=acme_ticket, assignee=alice)
    assert kinds_of(alice) == [Kind.ASSIGNED]
    # Taking a ticket oneself tells nobody.
    tickets.assign_ticket(actor=leo, ticket=acme_ticket, assignee=leo)
    assert len(told(leo)) == 1


def test_an_escalation_to_a_team_tells_its_members_who_serve_the_client(
    alice, leo, lena, gus, tara, desktop_team, acme_ticket
):
    escalate(alice, acme_ticket, team=desktop_team)
    assert kinds_of(leo) == [Kind.ESCALATED]
    assert kinds_of(lena) == [Kind.ESCALATED]
    assert told(gus) == []  # on the team, but serves Globex only: cannot open the ticket
    assert told(tara) == [] and told(alice) == []  # another team; the actor
    n = told(leo)[0]
    assert n.title == f"{acme_ticket.number} escalated to L2, Desktop Support L2 by Alice Agent"


def test_an_escalation_to_a_tier_only_tells_the_agents_of_that_tier(
    alice, leo, lena, tara, acme_ticket
):
    escalate(alice, acme_ticket, tier="L3")
    assert kinds_of(tara) == [Kind.ESCALATED]  # L3
    assert told(leo) == [] and told(lena) == []


def test_an_escalation_to_a_named_assignee_tells_them_once(alice, leo, desktop_team, acme_ticket):
    escalate(alice, acme_ticket, team=desktop_team, assignee=leo)
    assert kinds_of(leo) == [Kind.ESCALATED]


def test_a_customer_reply_in_the_portal_tells_the_assignee_and_agent_watchers(
    signed_in, alice, leo, tara, carol, acme_ticket
):
    tickets.assign_ticket(actor=alice, ticket=acme_ticket, assignee=leo)
    tickets.set_watchers(actor=alice, ticket=acme_ticket, watchers=[tara])
    response = signed_in(carol).post(
        f"/portal/{acme_ticket.number}/reply/", {"body": "Still broken"}
    )
    assert response.status_code == 302
    assert kinds_of(leo) == [Kind.ASSIGNED, Kind.REPLIED]
    assert kinds_of(tara) == [Kind.REPLIED]
    n = told(leo, Kind.REPLIED)[0]
    assert n.title == f"Carol Customer replied on {acme_ticket.number}"
    assert n.text == "Still broken"
    # An agent's reply tells nobody.
    tickets.add_reply(actor=alice, ticket=acme_ticket, body="On it")
    assert kinds_of(tara) == [Kind.REPLIED]


def test_a_customer_reply_by_mail_tells_the_assignee(alice, leo, carol, acme, acme_ticket):
    from deskside.mail.pipeline import Policy, receive  # noqa: PLC0415 - mail only here
    from tests.mail.test_pipeline import raw_mail  # noqa: PLC0415 - its raw message builder

    tickets.assign_ticket(actor=alice, ticket=acme_ticket, assignee=leo)
    raw = raw_mail(subject=f"Re: [{acme_ticket.number}] Printer", body="It jams again.\n")
    receive(raw, source="api", policy=Policy(organization=acme, unknown_senders="create"))
    assert acme_ticket.events.filter(kind=EventKind.REPLY, actor=carol).exists()
    assert kinds_of(leo) == [Kind.ASSIGNED, Kind.REPLIED]


def test_a_mention_in_a_note_tells_that_agent(alice, leo, tara, carol, acme_ticket):
    event = tickets.add_note(
        actor=alice, ticket=acme_ticket, body="@Leo can you go on site? cc @tara."
    )
    [n] = told(leo)
    assert (n.kind, n.event_id) == (Kind.MENTIONED, event.pk)
    assert n.title == f"Alice Agent mentioned you on {acme_ticket.number}"
    assert n.text == "@Leo can you go on site? cc @tara."
    assert kinds_of(tara) == [Kind.MENTIONED]


@pytest.mark.parametrize(
    "body",
    [
        "@carol please call back",  # a customer
        "@nobody here",  # unknown
        "mail leo at leo@msp.example",  # an address, not a mention
        "@alice note to self",  # the actor
    ],
)
def test_a_mention_of_nobody_tells_nobody_and_the_note_is_saved(
    alice, leo, carol, body, acme_ticket
):
    event = tickets.add_note(actor=alice, ticket=acme_ticket, body=body)
    assert event.pk and event.body == body
    assert Notification.objects.count() == 0


def test_an_ambiguous_mention_tells_nobody(alice, leo, msp, acme_ticket):
    from deskside.accounts import services as accounts  # noqa: PLC0415

    accounts.create_user(email="leo@partner.example", kind="agent", tier="L2", organization=msp)
    tickets.add_note(actor=alice, ticket=acme_ticket, body="@leo?")
    assert Notification.objects.count() == 0


def test_a_mention_of_an_agent_who_does_not_serve_the_client_tells_nobody(
    alice, gus, acme_ticket, globex_ticket
):
    tickets.add_note(actor=alice, ticket=acme_ticket, body="@gus look")
    assert told(gus) == []
    tickets.add_note(actor=alice, ticket=globex_ticket, body="@gus look")
    assert kinds_of(gus) == [Kind.MENTIONED]


def test_a_rolled_back_note_leaves_no_notification(alice, leo, acme_ticket):
    with pytest.raises(RuntimeError), transaction.atomic():
        tickets.add_note(actor=alice, ticket=acme_ticket, body="@leo")
        assert len(told(leo)) == 1
        raise RuntimeError("the request failed later")
    assert told(leo) == []


def test_an_inactive_agent_is_not_told(alice, leo, acme_ticket):
    leo.is_active = False
    leo.save()
    tickets.add_note(actor=alice, ticket=acme_ticket, body="@leo")
    assert told(leo) == []
