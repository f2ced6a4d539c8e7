"""Managing macros (who may, the audit entry) and applying them through the ticket services:
each step its own event, one transaction, the use counted."""

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import User
from deskside.core import clock
from deskside.macros import services
from deskside.macros.exceptions import Inactive, InvalidInput, NotAllowed
from deskside.macros.models import Macro
from deskside.macros.queries import macros_usable_by
from deskside.tickets import services as tickets
from deskside.tickets.exceptions import InvalidInput as TicketInput
from deskside.tickets.exceptions import InvalidTransition
from deskside.tickets.exceptions import NotAllowed as TicketNotAllowed
from deskside.tickets.models import EventKind, Priority, Status
from tests import audit_helpers

# -- who manages -------------------------------------------------------------------------------


def test_only_administrators_create_global_macros(alice, tara):
    for agent in (alice, tara):
        with pytest.raises(NotAllowed) as refused:
            services.create_macro(actor=agent, name="Hello", body="Hi")
        assert refused.value.field == "team"
    assert not Macro.objects.exists()


def test_a_team_lead_manages_their_team_macros_only(tara, network_team, helpdesk, network_macro):
    with pytest.raises(NotAllowed):
        services.create_macro(actor=tara, name="Hi", body="Hi", team=helpdesk)
    with pytest.raises(NotAllowed):  # moving it out of her team
        services.update_macro(actor=tara, macro=network_macro, team=helpdesk)
    services.update_macro(actor=tara, macro=network_macro, name="Firewall rules checked")
    network_macro.refresh_from_db()
    assert (network_macro.name, network_macro.team) == ("Firewall rules checked", network_team)


def test_a_member_who_is_not_lead_cannot_change_the_team_macro(msp, network_team, network_macro):
    member = accounts.create_user(
        email="nina@msp.example", kind="agent", tier="L3", organization=msp, teams=[network_team]
    )
    with pytest.raises(NotAllowed):
        services.update_macro(actor=member, macro=network_macro, body="changed")
    with pytest.raises(NotAllowed):
        services.delete_macro(actor=member, macro=network_macro)
    assert macros_usable_by(member).filter(pk=network_macro.pk).exists()  # but may use it


def test_agents_use_global_macros_and_their_teams_only(
    alice, leo, tara, admin, waiting_macro, network_macro
):
    assert set(macros_usable_by(alice)) == {waiting_macro}
    assert set(macros_usable_by(leo)) == {waiting_macro}
    assert set(macros_usable_by(tara)) == {waiting_macro, network_macro}
    assert set(macros_usable_by(admin)) == {waiting_macro, network_macro}


def test_a_deactivated_macro_is_not_offered(admin, alice, waiting_macro):
    services.update_macro(actor=admin, macro=waiting_macro, is_active=False)
    assert not macros_usable_by(alice).exists()


def test_customers_see_no_macros(carol, waiting_macro):
    assert not macros_usable_by(carol).exists()


def test_a_resolving_macro_must_be_a_public_reply(admin):
    with pytest.raises(InvalidInput) as refused:
        services.create_macro(
            actor=admin, name="Done", body="Fixed.", reply_kind="note", set_status="resolved"
        )
    assert refused.value.field == "set_status"


def test_closing_is_not_an_action_of_a_macro(admin):
    with pytest.raises(InvalidInput) as refused:
        services.create_macro(actor=admin, name="Bye", body="Bye", set_status="closed")
    assert refused.value.field == "set_status"


def test_the_watcher_must_be_an_agent(admin, carol):
    with pytest.raises(InvalidInput) as refused:
        services.create_macro(actor=admin, name="CC", body="Hi", add_watcher=carol)
    assert refused.value.field == "add_watcher"


# -- audit -------------------------------------------------------------------------------------


def test_create_edit_delete_each_write_an_audit_entry(admin, leo):
    start = audit_helpers.mark()
    macro = services.create_macro(actor=admin, name="Hello", body="Hi {{requester.first_name}}")
    created = audit_helpers.only(start)
    assert (created.action, created.object_type, created.object_id) == (
        "created",
        "macros.macro",
        macro.public_id,
    )
    assert created.after["body"] == "Hi {{requester.first_name}}"
    assert created.actor == admin

    start = audit_helpers.mark()
    services.update_macro(actor=admin, macro=macro, set_status="pending_customer", add_watcher=leo)
    updated = audit_helpers.only(start)
    assert updated.action == "updated"
    assert updated.before == {"set_status": "", "add_watcher": None}
    assert updated.after == {"set_status": "pending_customer", "add_watcher": leo.email}

    start = audit_helpers.mark()
    services.update_macro(actor=admin, macro=macro, is_active=False)
    assert audit_helpers.only(start).after == {"is_active": False}

    start = audit_helpers.mark()
    services.delete_macro(actor=admin, macro=macro)
    deleted = audit_helpers.only(start)
    assert (deleted.action, deleted.before["name"]) == ("deleted", "Hello")
    assert not Macro.objects.exists()


def test_a_refused_change_writes_no_audit_entry(tara, waiting_macro):
    start = audit_helpers.mark()
    with pytest.raises(NotAllowed):
        services.update_macro(actor=tara, macro=waiting_macro, name="Mine now")
    assert audit_helpers.since(start) == []


# -- preview and apply -------------------------------------------------------------------------


def test_the_preview_shows_the_text_and_actions_and_changes_nothing(
    alice, acme_ticket, waiting_macro
):
    count = acme_ticket.events.count()
    preview = services.preview_macro(actor=alice, ticket=acme_ticket, macro=waiting_macro)
    assert preview.text == (f"Hi Carol, about {acme_ticket.number}: could you tell us more? Alice")
    assert [s.label for s in preview.steps] == [
        "set status Pending customer",
        "add watcher Leo Field",
    ]
    assert preview.posted_as == "a public reply"
    assert acme_ticket.events.count() == count
    waiting_macro.refresh_from_db()
    assert waiting_macro.usage_count == 0


def test_apply_writes_each_step_as_its_own_event_and_counts_one_use(
    alice, leo, acme_ticket, waiting_macro
):
    now = clock.now()
    with clock.frozen(now):
        events = services.apply_macro(actor=alice, ticket=acme_ticket, macro=waiting_macro)
    assert [e.kind for e in events] == [
        EventKind.REPLY,
        EventKind.STATUS,  # new -> open by the agent's reply
        EventKind.STATUS,  # open -> pending customer by the macro
        EventKind.WATCHERS,
    ]
    assert events[0].body.startswith("Hi Carol, about T-")
    assert events[0].is_public and events[0].actor == alice
    assert events[2].data == {"from": "open", "to": "pending_customer"}
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.PENDING_CUSTOMER
    assert leo in acme_ticket.watchers.all()
    waiting_macro.refresh_from_db()
    assert (waiting_macro.usage_count, waiting_macro.last_used_at) == (1, now)
    services.apply_macro(actor=alice, ticket=acme_ticket, macro=waiting_macro, body="Again?")
    waiting_macro.refresh_from_db()
    assert waiting_macro.usage_count == 2
    assert acme_ticket.events.filter(kind=EventKind.REPLY).last().body == "Again?"


def test_a_note_macro_writes_an_internal_note(tara, acme_ticket, network_macro):
    (event,) = services.apply_macro(actor=tara, ticket=acme_ticket, macro=network_macro)
    assert event.kind == EventKind.NOTE and not event.is_public
    assert event.body == "Checked the firewall rules for Acme Corp at HQ."


def test_priority_and_team_actions_go_through_the_ticket_services(
    admin, alice, acme_ticket, helpdesk
):
    macro = services.create_macro(
        actor=admin, name="Urgent", body="On it.", set_priority=Priority.P2, set_team=helpdesk
    )
    events = services.apply_macro(actor=alice, ticket=acme_ticket, macro=macro)
    kinds = [e.kind for e in events]
    assert kinds == [EventKind.REPLY, EventKind.STATUS, EventKind.CHANGED, EventKind.ASSIGNED]
    assert events[2].data["changes"]["priority"] == ["P3", "P2"]
    acme_ticket.refresh_from_db()
    assert (acme_ticket.priority, acme_ticket.team) == (Priority.P2, helpdesk)


def test_a_resolving_macro_posts_its_text_as_the_resolution(admin, alice, acme_ticket):
    macro = services.create_macro(
        actor=admin,
        name="Password reset done",
        body="Hi {{requester.first_name}}, your password was reset.",
        set_status="resolved",
    )
    events = services.apply_macro(actor=alice, ticket=acme_ticket, macro=macro)
    assert [e.kind for e in events] == [EventKind.RESOLVED]
    assert events[0].body == "Hi Carol, your password was reset." and events[0].is_public
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.RESOLVED


def test_a_refused_transition_leaves_nothing_done(alice, acme_ticket, waiting_macro):
    tickets.resolve_ticket(actor=alice, ticket=acme_ticket, resolution="Fixed.")
    before = list(acme_ticket.events.values_list("id", flat=True))
    with pytest.raises(InvalidTransition):  # resolved cannot become pending customer
        services.apply_macro(actor=alice, ticket=acme_ticket, macro=waiting_macro)
    assert list(acme_ticket.events.values_list("id", flat=True)) == before  # no reply either
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.RESOLVED
    assert not acme_ticket.watchers.exists()
    waiting_macro.refresh_from_db()
    assert waiting_macro.usage_count == 0


def test_a_watcher_who_does_not_serve_the_client_rolls_everything_back(
    admin, alice, leo, acme_ticket, globex, waiting_macro
):
    leo.served_organizations.set([globex])
    waiting_macro = Macro.objects.get(pk=waiting_macro.pk)  # Leo as stored now
    count = acme_ticket.events.count()
    with pytest.raises(TicketInput) as refused:
        services.apply_macro(actor=alice, ticket=acme_ticket, macro=waiting_macro)
    assert "does not serve" in refused.value.message
    assert acme_ticket.events.count() == count
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.NEW


def test_a_team_of_a_higher_tier_is_refused_as_an_escalation(
    admin, alice, acme_ticket, desktop_team
):
    macro = services.create_macro(
        actor=admin, name="Dispatch", body="Sending", set_team=desktop_team
    )
    count = acme_ticket.events.count()
    with pytest.raises(InvalidInput) as refused:
        services.apply_macro(actor=alice, ticket=acme_ticket, macro=macro)
    assert refused.value.field == "set_team" and "escalate" in refused.value.message
    assert acme_ticket.events.count() == count


def test_a_closed_ticket_takes_no_macro(alice, acme_ticket, waiting_macro):
    tickets.close_ticket(actor=alice, ticket=acme_ticket)
    with pytest.raises(InvalidTransition):
        services.apply_macro(actor=alice, ticket=acme_ticket, macro=waiting_macro)


def test_another_teams_macro_cannot_be_applied(alice, acme_ticket, network_macro):
    with pytest.raises(NotAllowed):
        services.apply_macro(actor=alice, ticket=acme_ticket, macro=network_macro)


def test_a_deactivated_macro_cannot_be_applied(admin, alice, acme_ticket, waiting_macro):
    services.update_macro(actor=admin, macro=waiting_macro, is_active=False)
    with pytest.raises(Inactive):
        services.apply_macro(actor=alice, ticket=acme_ticket, macro=waiting_macro)


def test_an_agent_limited_to_other_clients_cannot_apply_to_this_ticket(
    alice, acme_ticket, globex, waiting_macro
):
    alice.served_organizations.set([globex])
    alice = User.objects.get(pk=alice.pk)  # served clients are cached on the object
    with pytest.raises(TicketNotAllowed):
        services.apply_macro(actor=alice, ticket=acme_ticket, macro=waiting_macro)
