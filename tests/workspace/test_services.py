"""Saved views through their services and queries: who sees and manages which view, the audit
of shared ones, the default views, counts under tenancy."""

import pytest

from deskside.core.models import AuditEntry
from deskside.tickets import services as tickets
from deskside.tickets.models import Priority
from deskside.workspace import services
from deskside.workspace.exceptions import InvalidInput, NotAllowed
from deskside.workspace.models import SavedView
from deskside.workspace.queries import (
    shown_count,
    view_counts,
    view_tickets,
    view_url,
    views_visible_to,
)

DEFAULT_NAMES = ["Assigned to me", "My teams", "Unassigned", "All open", "All tickets"]


def names(user):
    return [v.name for v in views_visible_to(user)]


def test_the_default_views_come_first_for_every_agent(alice, leo, carol):
    assert names(alice) == DEFAULT_NAMES
    assert names(leo) == DEFAULT_NAMES
    assert names(carol) == []
    mine = SavedView.objects.get(name="Assigned to me")
    assert view_url(mine) == f"/tickets/?queue=mine&view={mine.public_id}"


def test_default_views_cannot_be_changed_or_deleted(admin):
    view = SavedView.objects.get(name="All open")
    with pytest.raises(NotAllowed):
        services.update_view(actor=admin, view=view, name="Mine now")
    with pytest.raises(NotAllowed):
        services.delete_view(actor=admin, view=view)
    assert SavedView.objects.filter(is_default=True).count() == 5


def test_personal_view_is_its_owners_only(alice, leo):
    view = services.create_view(
        actor=alice, name="My P1s", filters={"queue": "open", "priority": "P1"}, sort="due"
    )
    assert names(alice) == [*DEFAULT_NAMES, "My P1s"]
    assert "My P1s" not in names(leo)
    assert not AuditEntry.objects.filter(object_type="workspace.savedview").exists()
    with pytest.raises(NotAllowed):
        services.update_view(actor=leo, view=view, name="Stolen")
    assert view_url(view) == f"/tickets/?queue=open&priority=P1&sort=due&view={view.public_id}"


def test_shared_view_is_seen_by_the_team_and_audited(alice, leo, tara, helpdesk, admin):
    view = services.create_view(
        actor=alice, name="Desk P2", filters={"priority": "P2"}, team=helpdesk
    )
    assert "Desk P2" not in names(leo)
    leo.teams.add(helpdesk)
    assert "Desk P2" in names(leo)
    with pytest.raises(NotAllowed):  # a member sees it; only who shared it or an admin manages
        services.delete_view(actor=leo, view=view)
    services.update_view(actor=admin, view=view, name="Help desk P2")
    entries = AuditEntry.objects.filter(object_type="workspace.savedview", object_id=view.public_id)
    assert [e.action for e in entries.order_by("id")] == ["created", "updated"]
    assert entries.order_by("id").last().after == {"name": "Help desk P2"}
    services.delete_view(actor=alice, view=view)
    assert entries.filter(action="deleted").exists()


def test_sharing_needs_membership_unless_admin(alice, network_team, admin):
    with pytest.raises(NotAllowed):
        services.create_view(actor=alice, name="Net", filters={}, team=network_team)
    view = services.create_view(actor=admin, name="Net", filters={}, team=network_team)
    assert view.team == network_team


def test_making_a_shared_view_personal_again(alice, helpdesk):
    view = services.create_view(actor=alice, name="Mine", filters={}, team=helpdesk)
    services.update_view(actor=alice, view=view, team=None)
    view.refresh_from_db()
    assert view.team is None
    assert AuditEntry.objects.filter(object_id=view.public_id, action="updated").exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": " "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"filters": {"colour": "red"}}, "filters"),
        ({"filters": {"queue": "everything"}}, "filters"),
        ({"sort": "random"}, "sort"),
        ({"columns": ["number", "mood"]}, "columns"),
    ],
)
def test_invalid_input_names_the_field(alice, kwargs, field):
    args = {"name": "A view", "filters": {}, **kwargs}
    with pytest.raises(InvalidInput) as caught:
        services.create_view(actor=alice, **args)
    assert caught.value.field == field


def test_customers_keep_no_views(carol):
    with pytest.raises(NotAllowed):
        services.create_view(actor=carol, name="Mine", filters={})


def test_columns_always_start_with_the_number(alice):
    view = services.create_view(
        actor=alice, name="Short", filters={}, columns=["subject", "status", "number"]
    )
    assert view.columns == ["number", "subject", "status"]


def test_shared_view_counts_only_the_clients_a_member_serves(
    alice, restricted, helpdesk, make_ticket, carol, dave
):
    for _ in range(2):
        make_ticket(carol, priority=Priority.P2)
    for _ in range(3):
        make_ticket(dave, priority=Priority.P2)
    view = services.create_view(
        actor=alice, name="Desk P2", filters={"queue": "open", "priority": "P2"}, team=helpdesk
    )
    assert view_counts(alice, [view]) == {view.pk: 5}
    assert view_counts(restricted, [view]) == {view.pk: 2}
    assert {t.organization.slug for t in view_tickets(restricted, view)} == {"acme"}


def test_a_view_of_a_client_the_viewer_does_not_serve_is_empty(
    alice, restricted, helpdesk, make_ticket, carol, dave
):
    make_ticket(carol)
    make_ticket(dave)
    view = services.create_view(
        actor=alice, name="Globex", filters={"organization": "globex"}, team=helpdesk
    )
    assert view_counts(alice, [view]) == {view.pk: 1}
    assert view_counts(restricted, [view]) == {view.pk: 0}  # not widened to every client


def test_counts_are_capped(alice, make_ticket, carol):
    for _ in range(4):
        make_ticket(carol)
    view = SavedView.objects.get(name="All open")
    assert view_counts(alice, [view], cap=3) == {view.pk: 4}
    assert shown_count(4, cap=3) == "3+"
    assert shown_count(3, cap=3) == "3"


def test_default_view_counts_follow_the_queue(alice, make_ticket, carol):
    ticket = make_ticket(carol)
    tickets.assign_ticket(actor=alice, ticket=ticket, assignee=alice)
    make_ticket(carol)
    views = {v.name: v for v in views_visible_to(alice)}
    counts = view_counts(alice, list(views.values()))
    assert counts[views["Assigned to me"].pk] == 1
    assert counts[views["Unassigned"].pk] == 1
    assert counts[views["All open"].pk] == 2
