"""The problem pages: the list with the recurring clusters, a cluster, opening a problem from
it, dismissing, editing, linking from the problem page and from the ticket page, the detect
button (administrators); customers are sent to the portal."""

import pytest

from deskside.kb import services as kb
from deskside.problems.models import Cluster, Problem, ProblemTicket
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_the_index_shows_the_cluster(cluster, alice):
    page = login(alice).get("/problems/")
    text = page.content.decode()
    assert page.status_code == 200
    assert f"Recurring at Acme Corp (HQ): 4 tickets in 14 days: {cluster.label}" in text
    assert "Detect now" not in text
    assert login(alice).get(f"/problems/clusters/{cluster.public_id}/").status_code == 200


def test_open_a_problem_from_a_cluster_then_edit_it(cluster, alice):
    web = login(alice)
    answer = web.post(f"/problems/clusters/{cluster.public_id}/problem/")
    problem = Problem.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/problems/{problem.number}/"
    page = web.get(f"/problems/{problem.number}/").content.decode()
    assert problem.title in page and "Linked incidents" in page
    refused = web.post(
        f"/problems/{problem.number}/edit/", {"title": "Outlook", "status": "known_error"}
    )
    assert (
        refused.status_code == 422
        and "a known error needs its workaround" in refused.content.decode()
    )
    saved = web.post(
        f"/problems/{problem.number}/edit/",
        {"title": "Outlook", "status": "known_error", "workaround": "Clear the credentials."},
    )
    assert saved.status_code == 302
    problem.refresh_from_db()
    assert problem.status == "known_error" and problem.workaround == "Clear the credentials."


def test_dismiss(cluster, alice):
    assert login(alice).post(f"/problems/clusters/{cluster.public_id}/dismiss/").status_code == 302
    assert not Cluster.objects.exists()


def test_link_from_the_ticket_page_and_unlink(problem, alice, planted):
    web = login(alice)
    ticket = planted["other"][0]
    page = web.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Link to problem" in page and problem.number in page
    web.post(f"/problems/ticket/{ticket.number}/link/", {"problem": problem.number})
    assert ProblemTicket.objects.filter(problem=problem, ticket=ticket).exists()
    page = web.get(f"/tickets/{ticket.number}/").content.decode()
    assert f"Linked to problem {problem.number}" in page
    web.post(f"/problems/{problem.number}/unlink/{ticket.number}/", {"next": "ticket"})
    assert not ProblemTicket.objects.filter(problem=problem, ticket=ticket).exists()
    web.post(f"/problems/{problem.number}/link/", {"tickets": f"{ticket.number}, T-999999"})
    assert not ProblemTicket.objects.filter(problem=problem, ticket=ticket).exists()
    web.post(f"/problems/{problem.number}/link/", {"tickets": ticket.number})
    assert ProblemTicket.objects.filter(problem=problem, ticket=ticket).exists()


def test_new_problem_from_a_ticket(alice, planted):
    ticket = planted["other"][1]
    web = login(alice)
    assert web.get(f"/problems/new/?ticket={ticket.number}").status_code == 200
    web.post(f"/problems/new/?ticket={ticket.number}", {"title": "Laptops", "status": "open"})
    problem = Problem.objects.get()
    assert problem.organization == ticket.organization and list(problem.tickets.all()) == [ticket]


def test_the_detect_button_is_for_admins(planted, admin, alice):
    assert "Detect now" in login(admin).get("/problems/").content.decode()
    login(alice).post("/problems/detect/")
    assert not Cluster.objects.exists()
    login(admin).post("/problems/detect/")
    assert Cluster.objects.count() == 1


def test_customers_and_other_clients(cluster, problem, carol, admin_serving, globex):
    web = login(carol)
    assert web.get("/problems/").status_code == 302
    assert web.post(f"/problems/{problem.number}/link/", {"tickets": "T-1"}).status_code == 403
    other = login(admin_serving(globex, email="g@msp.example"))
    assert other.get(f"/problems/{problem.number}/").status_code == 404
    assert problem.title not in other.get("/problems/").content.decode()


def test_the_article_choices_are_what_the_agent_may_read(
    admin, admin_serving, acme, globex, signed_in
):
    from_acme = kb.create_article(
        actor=admin, data=kb.ArticleInput(title="Acme night runbook", organization=acme)
    )
    shared = kb.create_article(actor=admin, data=kb.ArticleInput(title="Global Outlook fix"))
    limited = admin_serving(globex, email="gina@msp.example")
    page = signed_in(limited).get("/problems/new/").content.decode()
    assert shared.public_id in page and from_acme.public_id not in page
    everyone = signed_in(admin).get("/problems/new/").content.decode()
    assert shared.public_id in everyone and from_acme.public_id in everyone
