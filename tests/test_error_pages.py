"""The 400, 403, 404 and 500 pages (issue 11: they were Django's bare defaults). 403 and 404
carry the site's navigation for the signed-in person; 400 and 500 are rendered by Django
without a request, and 500 must show even when the database is what failed: static pages,
styled with the site's stylesheet, with a link home."""

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import Client, RequestFactory
from django.urls import path
from django.views.defaults import bad_request, server_error

from deskside.urls import urlpatterns as site_urls

CSS = b'<link rel="stylesheet" href="/static/deskside/deskside.css">'


def _boom(request):
    raise RuntimeError("the database went away")


# This module is also the URLconf of the 500 test: the site's pages plus one that fails.
urlpatterns = [path("boom/", _boom), *site_urls]


def test_404_has_the_navigation_of_an_agent(client, alice):
    client.force_login(alice)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content
    assert CSS in html and b"Page not found" in html
    assert b'href="/tickets/"' in html and b">Queues</a>" in html  # the agent's navigation
    assert b"/no/such/page/" in html


def test_404_of_a_ticket_that_does_not_exist(client, alice):
    client.force_login(alice)
    response = client.get("/tickets/T-99999/")
    assert response.status_code == 404
    assert b"Page not found" in response.content and b">Queues</a>" in response.content


def test_404_for_a_customer_and_for_nobody(client, carol):
    anonymous = client.get("/no/such/page/")
    assert anonymous.status_code == 404
    assert CSS in anonymous.content and b">Queues</a>" not in anonymous.content
    client.force_login(carol)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b">My tickets</a>" in response.content and b">Queues</a>" not in response.content


def test_403_has_the_navigation(client, carol, acme_ticket):
    client.force_login(carol)
    response = client.post(f"/tickets/{acme_ticket.number}/note/", {"body": "hi"})
    assert response.status_code == 403
    html = response.content
    assert CSS in html and b"Not allowed" in html and b">My tickets</a>" in html
    assert b"carol@" in html


def test_400_is_styled_without_a_request():
    response = bad_request(RequestFactory().get("/"), SuspiciousOperation("bad"))
    assert response.status_code == 400
    assert CSS in response.content and b"Bad request" in response.content
    assert b'href="/"' in response.content


def test_500_renders_without_the_database():
    """No `db` fixture: pytest-django refuses any database access here."""
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert CSS in response.content and b"Something went wrong" in response.content
    assert b'href="/"' in response.content


@pytest.mark.urls("tests.test_error_pages")
def test_a_failing_view_gets_the_500_page(db):
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert CSS in response.content and b"Something went wrong" in response.content
    assert b"the database went away" not in response.content
