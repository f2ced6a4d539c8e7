"""Bulk actions (deskside.tickets.services.bulk): each ticket through its one-ticket service,
its own event and transaction; refusals per ticket with the service's reason; tenancy; the API
(POST /api/v1/tickets/bulk) and the queue page's form."""

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.tickets import hooks
from deskside.tickets import services as tickets
from deskside.tickets.exceptions import InvalidInput, NotAllowed
from deskside.tickets.models import EventKind, Priority, Status, Ticket
from deskside.tickets.queries import queue
from deskside.tickets.services import bulk as bulk_module
from deskside.tickets.timeline import ALL, on_event


@pytest.fixture
def three(make_ticket, carol):
    return [make_ticket(carol, subject=f"Printer {i}") for i in range(3)]


@pytest.fixture
def restricted(msp, acme):
    """An L1 agent who serves Acme only."""
    user = accounts.create_user(
        email="rita@msp.example",
        full_name="Rita Restricted",
        kind="agent",
        tier=Tier.L1,
        organization=msp,
    )
    user.served_organizations.set([acme])
    return user


def numbers(rows):
    return [t.number for t in rows]


def test_assign_each_ticket_its_own_event_through_the_hook(alice, leo, three):
    heard = []
    on_event(ALL, heard.append, name="test.bulk")
    try:
        result = tickets.bulk_apply(
            actor=alice, tickets=[t.pk for t in three], action="assign", assignee=leo
        )
    finally:
        hooks.remove("test.bulk")
    assert result.done == numbers(three)
    assert result.refused == []
    assert result.summary() == "Assigned 3 tickets to Leo Field"
    for t in three:
        t.refresh_from_db()
        assert t.assignee == leo
        assert t.events.filter(kind=EventKind.ASSIGNED).count() == 1
    assigned = [h for h in heard if h.kind == EventKind.ASSIGNED]
    assert sorted(h.ticket.pk for h in assigned) == sorted(t.pk for t in three)


def test_a_refusal_does_not_undo_the_others(alice, leo, three):
    tickets.close_ticket(actor=alice, ticket=three[1])
    result = tickets.bulk_apply(actor=alice, tickets=numbers(three), action="assign", assignee=leo)
    assert result.done == [three[0].number, three[2].number]
    assert result.refused == [bulk_module.Refusal(three[1].number, f"{three[1].number} is closed")]
    assert result.summary().startswith(
        f"Assigned 2 tickets to Leo Field; 1 refused: {three[1].number} "
    )
    three[1].refresh_from_db()
    assert three[1].assignee is None
    assert not three[1].events.filter(kind=EventKind.ASSIGNED).exists()


def test_set_status_follows_the_transition_rules(alice, three):
    tickets.resolve_ticket(actor=alice, ticket=three[0], resolution="Fixed")
    result = tickets.bulk_apply(
        actor=alice, tickets=[t.pk for t in three], action="status", status=Status.ON_HOLD
    )
    assert result.done == numbers(three[1:])
    assert [r.number for r in result.refused] == [three[0].number]
    assert "cannot become on hold" in result.refused[0].reason
    assert Ticket.objects.get(pk=three[1].pk).status == Status.ON_HOLD


def test_set_status_refuses_resolved_as_the_one_ticket_service_does(alice, three):
    result = tickets.bulk_apply(
        actor=alice, tickets=[three[0].pk], action="status", status=Status.RESOLVED
    )
    assert result.refused[0].reason == "use the resolved action instead"


def test_priority_and_nothing_to_change(alice, three):
    tickets.update_ticket(actor=alice, ticket=three[0], priority=Priority.P1)
    result = tickets.bulk_apply(
        actor=alice, tickets=[t.pk for t in three], action="priority", priority="P1"
    )
    assert result.done == numbers(three[1:])
    assert result.refused == [bulk_module.Refusal(three[0].number, "nothing to change")]
    assert result.headline == "Set 2 tickets to P1"
    assert {t.priority for t in Ticket.objects.filter(pk__in=[t.pk for t in three])} == {1}


def test_team_keeps_the_assignee(alice, desktop_team, three):
    tickets.assign_ticket(actor=alice, ticket=three[0], assignee=alice)
    result = tickets.bulk_apply(
        actor=alice, tickets=[three[0].pk], action="team", team=desktop_team
    )
    assert result.done == [three[0].number]
    t = Ticket.objects.get(pk=three[0].pk)
    assert (t.team, t.assignee) == (desktop_team, alice)


def test_escalate_needs_the_triage_notes(alice, desktop_team, three):
    result = tickets.bulk_apply(
        actor=alice,
        tickets=[three[0].pk],
        action="escalate",
        tier=Tier.L2,
        symptoms="Offline",
        steps_tried="",
        impact="One",
    )
    assert result.refused[0].reason == "the steps already tried is required"
    result = tickets.bulk_apply(
        actor=alice,
        tickets=[t.pk for t in three],
        action="escalate",
        tier=Tier.L2,
        symptoms="Offline",
        steps_tried="Power cycled",
        impact="Floor 2",
        team=desktop_team,
    )
    assert result.done == numbers(three)
    assert {t.tier for t in Ticket.objects.filter(pk__in=[t.pk for t in three])} == {Tier.L2}
    again = tickets.bulk_apply(
        actor=alice,
        tickets=[three[0].pk],
        action="escalate",
        tier=Tier.L2,
        symptoms="x",
        steps_tried="y",
        impact="z",
    )
    assert "escalate to a higher tier" in again.refused[0].reason


def test_watch_adds_one_watcher_and_skips_those_who_watch(alice, leo, three):
    tickets.set_watchers(actor=alice, ticket=three[0], watchers=[leo])
    result = tickets.bulk_apply(
        actor=alice, tickets=[t.pk for t in three], action="watch", watcher=leo
    )
    assert result.done == numbers(three[1:])
    assert result.refused == [bulk_module.Refusal(three[0].number, "nothing to change")]
    for t in three:
        assert list(t.watchers.all()) == [leo]


def test_watch_refuses_an_agent_who_does_not_serve_the_client(alice, restricted, globex_ticket):
    result = tickets.bulk_apply(
        actor=alice, tickets=[globex_ticket.pk], action="watch", watcher=restricted
    )
    assert result.done == []
    assert "does not serve" in result.refused[0].reason


def test_merge_into_the_survivor(alice, three, globex_ticket):
    survivor = three[0]
    ids = [t.pk for t in three] + [globex_ticket.pk]
    result = tickets.bulk_apply(actor=alice, tickets=ids, action="merge", into=survivor.number)
    assert result.done == numbers(three[1:])
    assert result.refused == [
        bulk_module.Refusal(globex_ticket.number, "tickets of different clients cannot be merged")
    ]
    assert result.headline == f"Merged 2 tickets into {survivor.number}"
    for t in three[1:]:
        t.refresh_from_db()
        assert (t.status, t.merged_into) == (Status.CLOSED, survivor)
    survivor.refresh_from_db()
    assert survivor.status != Status.CLOSED


def test_merge_target_must_be_visible(restricted, acme_ticket, globex_ticket):
    with pytest.raises(InvalidInput) as caught:
        tickets.bulk_apply(
            actor=restricted, tickets=[acme_ticket.pk], action="merge", into=globex_ticket.number
        )
    assert caught.value.field == "into"


def test_close_and_close_again(alice, three):
    result = tickets.bulk_apply(
        actor=alice, tickets=[t.pk for t in three], action="close", reason="Duplicate"
    )
    assert result.summary() == "Closed 3 tickets"
    again = tickets.bulk_apply(actor=alice, tickets=[three[0].pk], action="close")
    assert "cannot become closed" in again.refused[0].reason
    assert three[0].events.filter(kind=EventKind.CLOSED).count() == 1


def test_other_clients_tickets_are_not_found_and_untouched(
    restricted, leo, acme_ticket, globex_ticket
):
    result = tickets.bulk_apply(
        actor=restricted,
        tickets=[acme_ticket.number, globex_ticket.number, "T-99999", "junk"],
        action="priority",
        priority="P2",
    )
    assert result.done == [acme_ticket.number]
    assert sorted((r.number, r.reason) for r in result.refused) == sorted(
        [
            ("junk", "not found"),
            (globex_ticket.number, "not found"),
            ("T-99999", "not found"),
        ]
    )
    globex_ticket.refresh_from_db()
    assert globex_ticket.priority == Priority.P3
    assert not globex_ticket.events.filter(kind=EventKind.CHANGED).exists()


def test_all_matching_under_a_restricted_agent(restricted, make_ticket, carol, dave):
    mine = [make_ticket(carol) for _ in range(2)]
    other = make_ticket(dave)
    result = tickets.bulk_apply(
        actor=restricted,
        tickets=queue(restricted, "open"),
        action="status",
        status=Status.ON_HOLD,
    )
    assert sorted(result.done) == sorted(numbers(mine))
    other.refresh_from_db()
    assert other.status != Status.ON_HOLD


def test_all_matching_is_capped(alice, three, monkeypatch):
    monkeypatch.setattr(bulk_module, "MAX_BULK", 2)
    with pytest.raises(InvalidInput) as caught:
        tickets.bulk_apply(actor=alice, tickets=queue(alice, "all"), action="close")
    assert "narrow the filter" in caught.value.message
    assert not Ticket.objects.filter(status=Status.CLOSED).exists()


def test_customers_and_unknown_actions_are_refused_whole(carol, alice, three):
    with pytest.raises(NotAllowed):
        tickets.bulk_apply(actor=carol, tickets=[three[0].pk], action="close")
    with pytest.raises(InvalidInput):
        tickets.bulk_apply(actor=alice, tickets=[three[0].pk], action="explode")
    with pytest.raises(InvalidInput):
        tickets.bulk_apply(actor=alice, tickets=[three[0].pk], action="status")


# -- the API -----------------------------------------------------------------------------------


def test_api_assign_by_ids(as_alice, leo, three):
    body = {"action": "assign", "ids": numbers(three), "args": {"assignee": leo.public_id}}
    response = as_alice.post("/api/v1/tickets/bulk", body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["done"] == numbers(three)
    assert data["refused"] == []
    assert data["summary"] == "Assigned 3 tickets to Leo Field"


def test_api_by_filter_with_refusals(as_alice, alice, three):
    tickets.close_ticket(actor=alice, ticket=three[0])
    body = {"action": "close", "filter": {"queue": "all", "organization": "acme"}}
    response = as_alice.post("/api/v1/tickets/bulk", body)
    assert response.status_code == 200
    data = response.json()
    assert sorted(data["done"]) == sorted(numbers(three[1:]))
    assert data["refused"] == [
        {
            "number": three[0].number,
            "reason": f"{three[0].number} is closed and cannot become closed",
        }
    ]


def test_api_tenancy(api_as, restricted, acme_ticket, globex_ticket):
    client = api_as(restricted)
    response = client.post(
        "/api/v1/tickets/bulk", {"action": "close", "ids": [globex_ticket.number]}
    )
    assert response.json() == {
        "done": [],
        "refused": [{"number": globex_ticket.number, "reason": "not found"}],
        "summary": f"Closed 0 tickets; 1 refused: {globex_ticket.number} not found",
    }
    response = client.post(
        "/api/v1/tickets/bulk", {"action": "close", "filter": {"organization": "globex"}}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "organization"
    response = client.post("/api/v1/tickets/bulk", {"action": "close", "filter": {"queue": "all"}})
    assert response.json()["done"] == [acme_ticket.number]
    globex_ticket.refresh_from_db()
    assert globex_ticket.status != Status.CLOSED


def test_api_refuses_customers_and_bad_input(as_carol, as_alice, acme_ticket):
    response = as_carol.post(
        "/api/v1/tickets/bulk", {"action": "close", "ids": [acme_ticket.number]}
    )
    assert response.status_code == 403
    response = as_alice.post("/api/v1/tickets/bulk", {"action": "close"})
    assert response.status_code == 422
    assert response.json()["field"] == "ids"
    response = as_alice.post("/api/v1/tickets/bulk", {"action": "fly", "ids": []})
    assert response.status_code == 422
    response = as_alice.post(
        "/api/v1/tickets/bulk", {"action": "assign", "ids": [], "args": {"assignee": "nobody"}}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "assignee"
