"""Problem records: from a cluster, the status path, the known error's workaround, linking and
unlinking with the tickets' timeline and the problem's history, tenancy."""

import pytest

from deskside.problems import services
from deskside.problems.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.problems.models import Cluster, ProblemStatus
from deskside.tickets.exceptions import TicketError
from deskside.tickets.models import EventKind

pytestmark = pytest.mark.django_db


def test_a_problem_from_a_cluster_links_its_tickets(cluster, alice, planted):
    problem = services.problem_from_cluster(actor=alice, cluster=cluster)
    assert problem.number == f"PRB-{problem.pk}" and problem.organization.slug == "acme"
    assert problem.title == cluster.label and "Recurring: 4 tickets in 14 days" in problem.statement
    assert set(problem.tickets.all()) == set(planted["acme"])
    assert not Cluster.objects.exists()
    event = planted["acme"][0].events.filter(kind=EventKind.LINKED).get()
    assert event.body.startswith(f"Linked to problem {problem.number}")
    assert not event.is_public and event.actor == alice
    actions = list(problem.changes.order_by("id").values_list("action", flat=True))
    assert actions == ["created", "linked", "linked", "linked", "linked"]


def test_the_status_path_and_the_history(problem, alice, leo):
    assert problem.status == ProblemStatus.KNOWN_ERROR
    change = problem.changes.order_by("-id").first()
    assert change.actor == alice and change.changes["status"] == ["open", "known_error"]
    services.update_problem(actor=leo, problem=problem, status="resolved", owner=leo)
    problem.refresh_from_db()
    assert problem.resolved_at is not None and problem.owner == leo
    with pytest.raises(InvalidTransition):
        services.update_problem(actor=leo, problem=problem, status="open")
    services.update_problem(actor=leo, problem=problem, status="closed")
    with pytest.raises(InvalidTransition):
        services.update_problem(actor=leo, problem=problem, status="investigating")
    assert services.update_problem(actor=leo, problem=problem, title=problem.title)


def test_a_known_error_needs_a_workaround(alice, acme):
    problem = services.create_problem(actor=alice, title="Slow logons", organization_id=acme.pk)
    with pytest.raises(InvalidInput) as err:
        services.update_problem(actor=alice, problem=problem, status="known_error")
    assert err.value.field == "workaround"
    with pytest.raises(InvalidInput):
        services.create_problem(actor=alice, title="  ", organization_id=acme.pk)


def test_link_and_unlink_write_the_timeline(problem, alice, make_ticket, carol, dave):
    extra = make_ticket(carol, subject="Outlook password again")
    assert services.link_tickets(actor=alice, problem=problem, tickets=[extra]) == 1
    assert services.link_tickets(actor=alice, problem=problem, tickets=[extra]) == 0
    assert services.unlink_ticket(actor=alice, problem=problem, ticket=extra)
    assert not services.unlink_ticket(actor=alice, problem=problem, ticket=extra)
    bodies = list(extra.events.filter(kind=EventKind.LINKED).values_list("body", flat=True))
    assert bodies[0].startswith("Linked to") and bodies[1].startswith("Unlinked from")
    other = make_ticket(dave, subject="Outlook password")
    with pytest.raises(InvalidInput) as err:
        services.link_tickets(actor=alice, problem=problem, tickets=[other])
    assert err.value.field == "ticket"
    assert not other.events.filter(kind=EventKind.LINKED).exists()


def test_agents_serving_one_client_and_customers(problem, admin_serving, globex, carol, acme):
    globex_only = admin_serving(globex, email="g@msp.example")
    with pytest.raises(NotAllowed):
        services.update_problem(actor=globex_only, problem=problem, title="Mine now")
    with pytest.raises(NotAllowed):
        services.create_problem(actor=globex_only, title="Across clients")
    with pytest.raises(NotAllowed):
        services.create_problem(actor=carol, title="Mine", organization_id=acme.pk)


def test_a_ticket_the_agent_may_not_see(alice, acme, admin_serving, globex, make_ticket, carol):
    problem = services.create_problem(actor=alice, title="Across clients")
    ticket = make_ticket(carol)
    globex_only = admin_serving(globex, email="g@msp.example")
    with pytest.raises(TicketError):
        services.link_tickets(actor=globex_only, problem=problem, tickets=[ticket])
