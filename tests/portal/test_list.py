"""The portal's ticket list: whose tickets, filters, paging, query count, who may enter."""

import html
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deskside.tickets import services
from deskside.tickets.models import Ticket

HOME = "/portal/"


def numbers(response) -> set[str]:
    return {row.ticket.number for row in response.context["rows"]}


def test_portal_urls():
    assert reverse("portal:home") == HOME
    assert reverse("portal:new") == "/portal/new/"
    assert reverse("portal:detail", args=["T-10001"]) == "/portal/T-10001/"


def test_each_customer_sees_only_what_they_may(
    signed_in, make_ticket, carol, erin, olivia, dave, acme_ticket, globex_ticket
):
    erins = make_ticket(erin, subject="Erin's monitor flickers")

    carol_page = signed_in(carol).get(HOME)
    assert carol_page.status_code == 200
    assert numbers(carol_page) == {acme_ticket.number}
    assert "Erin&#x27;s monitor" not in carol_page.text
    assert "VPN drops" not in carol_page.text

    olivia_page = signed_in(olivia).get(HOME)
    assert numbers(olivia_page) == {acme_ticket.number, erins.number}
    assert "Carol Customer" in olivia_page.text  # the org view names the requester

    dave_page = signed_in(dave).get(HOME)
    assert numbers(dave_page) == {globex_ticket.number}
    assert acme_ticket.number not in dave_page.text
    assert "Printer offline" not in dave_page.text


def test_watched_ticket_is_listed_for_a_colleague(signed_in, alice, erin, acme_ticket):
    services.set_watchers(actor=alice, ticket=acme_ticket, watchers=[erin])
    assert numbers(signed_in(erin).get(HOME)) == {acme_ticket.number}


def test_org_admin_can_narrow_to_her_own(signed_in, make_ticket, olivia, acme_ticket):
    hers = make_ticket(olivia, subject="Olivia needs a new laptop")
    client = signed_in(olivia)
    assert numbers(client.get(HOME, {"scope": "org"})) == {acme_ticket.number, hers.number}
    mine = client.get(HOME, {"scope": "mine"})
    assert numbers(mine) == {hers.number}
    assert "Mine" in mine.text and "Whole organisation" in mine.text


def test_plain_customer_cannot_widen_the_scope(signed_in, make_ticket, carol, erin, acme_ticket):
    make_ticket(erin, subject="Erin's ticket")
    page = signed_in(carol).get(HOME, {"scope": "org"})
    assert numbers(page) == {acme_ticket.number}
    assert "Whole organisation" not in page.text


def test_status_filter(signed_in, alice, make_ticket, carol, acme_ticket):
    done = make_ticket(carol, subject="Mouse is dead")
    services.resolve_ticket(actor=alice, ticket=done, resolution="Replaced the mouse")
    gone = make_ticket(carol, subject="Old request")
    services.close_ticket(actor=alice, ticket=gone)
    client = signed_in(carol)
    assert numbers(client.get(HOME, {"status": "open"})) == {acme_ticket.number}
    assert numbers(client.get(HOME, {"status": "resolved"})) == {done.number}
    assert numbers(client.get(HOME, {"status": "closed"})) == {gone.number}
    assert numbers(client.get(HOME, {"status": "all"})) == {
        acme_ticket.number,
        done.number,
        gone.number,
    }
    assert numbers(client.get(HOME, {"status": "bogus"})) == numbers(client.get(HOME))
    resolved_page = client.get(HOME, {"status": "resolved"})
    assert "Resolved" in resolved_page.text


def test_pages_without_count(signed_in, make_ticket, carol):
    made = [make_ticket(carol, subject=f"Request {i}") for i in range(27)]
    client = signed_in(carol)
    first = client.get(HOME)
    assert len(first.context["rows"]) == 25
    assert first.context["next_page"] == 2
    assert first.context["previous_page"] is None
    assert "page=2" in first.text
    second = client.get(HOME, {"page": "2"})
    assert numbers(second) == {made[1].number, made[0].number}  # the oldest two
    assert second.context["next_page"] is None
    assert second.context["previous_page"] == 1
    assert numbers(client.get(HOME, {"page": "x"})) == numbers(first)
    with CaptureQueriesContext(connection) as ctx:
        client.get(HOME)
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)


def link(response, text: str) -> str:
    """The href of the rendered link whose text is `text`, resolved against the page's path
    the way a browser resolves it."""
    found = re.search(rf'<a [^>]*href="([^"]*)"[^>]*>{re.escape(text)}</a>', response.text)
    assert found, f"no link {text!r} on the page"
    href = html.unescape(found.group(1))
    assert href.startswith("?") and not href.startswith("??"), href
    return HOME + href


def test_rendered_pager_and_tab_links_work(signed_in, alice, make_ticket, carol):
    made = [make_ticket(carol, subject=f"Request {i}") for i in range(27)]
    services.resolve_ticket(actor=alice, ticket=made[0], resolution="Done")
    client = signed_in(carol)
    first = client.get(HOME)

    second = client.get(link(first, "Older"))
    assert second.context["page"] == 2
    assert numbers(second) == {made[1].number, made[0].number}
    back = client.get(link(second, "Newer"))
    assert back.context["page"] == 1
    assert numbers(back) == numbers(first)

    # A status tab keeps nothing of the page number: it starts at the first page.
    resolved = client.get(link(second, "Resolved"))
    assert resolved.context["status"] == "resolved" and resolved.context["page"] == 1
    assert numbers(resolved) == {made[0].number}
    assert "page=" not in link(second, "Resolved")


def test_rendered_scope_tab_links_work(signed_in, make_ticket, olivia, acme_ticket):
    hers = make_ticket(olivia, subject="Olivia needs a new laptop")
    client = signed_in(olivia)
    mine = client.get(link(client.get(HOME), "Mine"))
    assert mine.context["scope"] == "mine"
    assert numbers(mine) == {hers.number}
    whole = client.get(link(mine, "Whole organisation"))
    assert numbers(whole) == {acme_ticket.number, hers.number}


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(HOME).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_tickets(
    signed_in, alice, make_ticket, carol, olivia, django_assert_max_num_queries
):
    for i in range(5):
        services.assign_ticket(
            actor=alice, ticket=make_ticket(carol, subject=f"Ticket {i}"), assignee=alice
        )
    carol_client, olivia_client = signed_in(carol), signed_in(olivia)
    carol_five = _list_queries(carol_client)
    olivia_five = _list_queries(olivia_client)
    for i in range(15):
        services.assign_ticket(
            actor=alice, ticket=make_ticket(carol, subject=f"More {i}"), assignee=alice
        )
    assert Ticket.objects.count() == 20
    with django_assert_max_num_queries(carol_five):
        page = carol_client.get(HOME)
    assert len(page.context["rows"]) == 20
    assert "Alice" in page.text  # the assignee's first name, read through select_related
    with django_assert_max_num_queries(olivia_five):
        assert len(olivia_client.get(HOME).context["rows"]) == 20


def test_agent_is_sent_to_the_queue(signed_in, alice):
    for path in (HOME, "/portal/new/", "/portal/T-10001/"):
        response = signed_in(alice).get(path)
        assert response.status_code == 302
        assert response["Location"] == reverse("tickets:queue")


def test_anonymous_is_sent_to_login(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_then_list(client, carol, acme_ticket):
    response = client.post(
        reverse("login"),
        {"username": "carol@acme.example", "password": "carol-pass-123"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == HOME
    assert acme_ticket.number in response.text
