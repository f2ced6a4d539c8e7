"""Known errors on new tickets: a match row written when a matching ticket is created (the
event hook), shown on the ticket page to agents with the workaround, never to customers."""

import pytest

from deskside.kb import services as kb
from deskside.problems import services
from deskside.problems.models import KnownErrorMatch
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_a_new_matching_ticket_gets_the_known_error(problem, make_ticket, carol, alice):
    ticket = make_ticket(
        carol, subject="Outlook asking for password all the time", description="Outlook again."
    )
    match = KnownErrorMatch.objects.get(ticket=ticket)
    assert match.problem == problem and match.score >= 0.35
    page = login(alice).get(f"/tickets/{ticket.number}/")
    text = page.content.decode()
    assert f'Known error <a href="/problems/{problem.number}/">{problem.number}</a>' in text
    assert "delete the Outlook credentials" in text


def test_an_unrelated_ticket_and_another_client_get_nothing(problem, make_ticket, carol, dave):
    unrelated = make_ticket(carol, subject="Projector bulb broken", description="Boardroom.")
    other = make_ticket(dave, subject="Outlook keeps asking for my password")
    assert not KnownErrorMatch.objects.filter(ticket__in=[unrelated, other]).exists()


def test_customers_never_see_it(problem, make_ticket, carol):
    ticket = make_ticket(carol, subject="Outlook keeps asking for my password")
    assert KnownErrorMatch.objects.filter(ticket=ticket).exists()
    page = login(carol).get(f"/portal/{ticket.number}/")
    assert page.status_code == 200
    assert (
        "Known error" not in page.content.decode() and problem.number not in page.content.decode()
    )


def test_not_matched_once_the_problem_moves_on(problem, make_ticket, carol, alice):
    services.update_problem(actor=alice, problem=problem, status="resolved")
    ticket = make_ticket(carol, subject="Outlook keeps asking for my password")
    assert not KnownErrorMatch.objects.filter(ticket=ticket).exists()


def test_the_known_errors_article_is_a_link(problem, make_ticket, carol, alice, admin, acme):
    data = kb.ArticleInput(
        title="Acme: Outlook credential reset", body="Sign out of Office first.", organization=acme
    )
    article = kb.create_article(actor=admin, data=data)
    services.update_problem(actor=alice, problem=problem, article=article)
    ticket = make_ticket(
        carol, subject="Outlook asking for password all the time", description="Outlook again."
    )
    text = login(alice).get(f"/tickets/{ticket.number}/").content.decode()
    assert "delete the Outlook credentials" in text
    link = f'<a class="kb-article" href="/kb/{article.public_id}/">{article.title}</a>'
    assert f"Article: {link}" in text
    detail = login(alice).get(f"/problems/{problem.number}/").content.decode()
    assert f'<a href="/kb/{article.public_id}/">{article.title}</a>' in detail
