"""Stale edits through the services: an action based on a stale copy of the ticket is refused
(`tickets.services.versions`), with a message naming who changed what and when."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.core import clock
from deskside.tickets import services
from deskside.tickets.exceptions import StaleTicket
from deskside.tickets.models import Status
from deskside.tickets.queries import ticket_version

T0 = datetime(2026, 12, 9, 14, 2, tzinfo=UTC)


@pytest.fixture
def opened(acme_ticket, alice):
    """The ticket and the version Alice's page was rendered from."""
    return acme_ticket, ticket_version(alice, acme_ticket)


def test_a_status_change_on_a_stale_copy_is_refused_with_who_what_and_when(opened, alice, leo):
    ticket, version = opened
    with clock.frozen(T0):
        services.set_status(actor=leo, ticket=ticket, status=Status.PENDING_CUSTOMER)
    with clock.frozen(T0 + timedelta(minutes=3)), pytest.raises(StaleTicket) as refused:
        services.set_status(
            actor=alice, ticket=ticket, status=Status.ON_HOLD, expected_version=version
        )
    assert refused.value.status_code == 409
    assert refused.value.field == "version"
    assert refused.value.message == (
        "Leo Field changed this ticket at 14:02 (status → Pending customer) since you opened "
        "it; reload to see the change."
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_CUSTOMER  # nothing overwritten


def test_the_time_is_in_the_viewers_zone_with_the_day_when_not_today(opened, alice, leo):
    ticket, version = opened
    alice.timezone = "Europe/Berlin"
    with clock.frozen(T0):
        services.assign_ticket(actor=leo, ticket=ticket, assignee=leo)
    with clock.frozen(T0 + timedelta(days=2)), pytest.raises(StaleTicket) as refused:
        services.resolve_ticket(
            actor=alice, ticket=ticket, resolution="Fixed", expected_version=version
        )
    # the change and the one it made with it (assigning a new ticket opens it)
    assert "at 9 Dec 15:02 (assigned to Leo Field, status → Open)" in refused.value.message


def test_the_current_version_passes_and_none_means_no_check(opened, alice, leo):
    ticket, version = opened
    services.set_status(actor=alice, ticket=ticket, status=Status.ON_HOLD, expected_version=version)
    # without a version (mail intake, the worker, bulk actions, old pages) nothing is checked
    services.set_status(actor=leo, ticket=ticket, status=Status.OPEN)
    services.set_status(actor=alice, ticket=ticket, status=Status.PENDING_VENDOR)
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_VENDOR


def test_the_actors_own_changes_never_make_their_copy_stale(opened, alice):
    ticket, version = opened
    services.set_status(actor=alice, ticket=ticket, status=Status.ON_HOLD)
    services.update_ticket(actor=alice, ticket=ticket, priority="P2", expected_version=version)


def test_notes_and_calls_never_make_a_copy_stale_and_are_never_refused(opened, alice, leo):
    ticket, version = opened
    services.add_note(actor=leo, ticket=ticket, body="Checked the switch")
    services.log_call(actor=leo, ticket=ticket, minutes=3, body="Called Carol")
    services.set_status(actor=alice, ticket=ticket, status=Status.ON_HOLD, expected_version=version)
    # and a note is taken whatever changed since: it overwrites nothing
    services.set_status(actor=leo, ticket=ticket, status=Status.OPEN)
    services.add_note(actor=alice, ticket=ticket, body="Still looking")


@pytest.mark.parametrize(
    "action",
    [
        lambda t, a, v: services.update_ticket(
            actor=a, ticket=t, subject="New", expected_version=v
        ),
        lambda t, a, v: services.escalate_ticket(
            actor=a,
            ticket=t,
            tier="L2",
            symptoms="s",
            steps_tried="t",
            impact="i",
            expected_version=v,
        ),
        lambda t, a, v: services.close_ticket(actor=a, ticket=t, expected_version=v),
        lambda t, a, v: services.set_watchers(actor=a, ticket=t, watchers=[a], expected_version=v),
        lambda t, a, v: services.assign_ticket(actor=a, ticket=t, assignee=a, expected_version=v),
    ],
    ids=["edit", "escalate", "close", "watchers", "assign"],
)
def test_every_state_action_checks(opened, alice, leo, action):
    ticket, version = opened
    services.update_ticket(actor=leo, ticket=ticket, priority="P2")
    with pytest.raises(StaleTicket, match=r"Leo Field changed this ticket .* \(priority → P2\)"):
        action(ticket, alice, version)


def test_a_merge_checks_the_ticket_it_was_opened_from(opened, alice, leo, make_ticket, carol):
    ticket, version = opened
    target = make_ticket(carol, subject="Same printer")
    services.set_status(actor=leo, ticket=ticket, status=Status.ON_HOLD)
    with pytest.raises(StaleTicket):
        services.merge_tickets(actor=alice, source=ticket, target=target, expected_version=version)
    ticket.refresh_from_db()
    assert ticket.merged_into is None


def test_a_customer_message_makes_a_state_change_stale(opened, alice, carol):
    ticket, version = opened
    services.add_reply(actor=carol, ticket=ticket, body="It is still offline")
    with pytest.raises(StaleTicket, match="Carol Customer replied to this ticket at"):
        services.resolve_ticket(
            actor=alice, ticket=ticket, resolution="Fixed", expected_version=version
        )


def test_a_reply_is_refused_only_after_another_public_reply(opened, alice, leo):
    ticket, version = opened
    services.set_status(actor=leo, ticket=ticket, status=Status.ON_HOLD)
    services.add_note(actor=leo, ticket=ticket, body="internal")
    event = services.add_reply(actor=alice, ticket=ticket, body="On it", expected_version=version)
    assert event.body == "On it"
    version = ticket_version(alice, ticket)
    services.add_reply(actor=leo, ticket=ticket, body="I rebooted it for you")
    with pytest.raises(StaleTicket, match="Leo Field replied to this ticket"):
        services.add_reply(
            actor=alice, ticket=ticket, body="Try rebooting", expected_version=version
        )
    assert ticket.events.filter(body="Try rebooting").count() == 0


def test_a_customers_copy_is_not_stale_because_of_what_they_cannot_see(opened, carol, leo):
    ticket, _ = opened
    version = ticket_version(carol, ticket)
    services.add_note(actor=leo, ticket=ticket, body="internal")
    services.set_watchers(actor=leo, ticket=ticket, watchers=[leo])  # internal kind
    assert ticket_version(carol, ticket) == version  # their version did not move
    services.add_reply(actor=carol, ticket=ticket, body="Any news?", expected_version=version)
    version = ticket_version(carol, ticket)
    services.set_status(actor=leo, ticket=ticket, status=Status.PENDING_CUSTOMER)
    services.add_reply(actor=leo, ticket=ticket, body="Please restart it")
    with pytest.raises(StaleTicket, match="Leo Field replied"):
        services.add_reply(actor=carol, ticket=ticket, body="Hello?", expected_version=version)
