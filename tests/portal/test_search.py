"""The portal's search (issue 14, item 11): a customer searches the tickets their list shows
(an organisation admin: the organisation's; others: their own and those they watch), in the
public text only, page by page; never another customer's or organisation's ticket."""

import pytest

from deskside.portal import views as portal_views
from deskside.tickets import services

HOME = "/portal/"


def numbers(response) -> set[str]:
    return {row.ticket.number for row in response.context["rows"]}


@pytest.fixture
def tickets(make_ticket, alice, carol, erin, olivia, dave):
    """Tickets about a scanner in two organisations and for three Acme people, with internal
    text that must never be found by a customer."""
    made = {
        "carol": make_ticket(carol, subject="Scanner jams on page two"),
        "carol_other": make_ticket(carol, subject="Keyboard missing keys"),
        "erin": make_ticket(erin, subject="Scanner driver missing", description="Erin's PC"),
        "olivia": make_ticket(olivia, subject="New starter laptop"),
        "dave": make_ticket(dave, subject="Scanner at the Berlin office"),
    }
    services.add_note(actor=alice, ticket=made["carol_other"], body="zebracode internal only")
    services.add_reply(
        actor=alice, ticket=made["olivia"], body="The laptop has a zebracode sticker"
    )
    return made


def test_a_customer_finds_only_their_own_tickets(signed_in, carol, tickets):
    page = signed_in(carol).get(HOME, {"q": "scanner"})
    assert page.status_code == 200
    assert numbers(page) == {tickets["carol"].number}
    assert 'value="scanner"' in page.text
    assert "Scanner driver missing" not in page.text  # Erin's, a colleague's
    assert "Berlin" not in page.text  # another organisation's


def test_an_organisation_admin_finds_the_organisations_tickets(signed_in, olivia, tickets):
    client = signed_in(olivia)
    assert numbers(client.get(HOME, {"q": "scanner"})) == {
        tickets["carol"].number,
        tickets["erin"].number,
    }
    # Her own scope narrows the search too.
    assert numbers(client.get(HOME, {"q": "scanner", "scope": "mine"})) == set()


def test_other_organisations_never_match(signed_in, dave, tickets):
    assert numbers(signed_in(dave).get(HOME, {"q": "scanner"})) == {tickets["dave"].number}
    # Words of Acme's name find nothing of Acme's for a Globex customer.
    assert numbers(signed_in(dave).get(HOME, {"q": "acme"})) == set()


def test_internal_notes_are_never_searched(signed_in, olivia, carol, tickets):
    # "zebracode" is in an internal note on one ticket and a public reply on another.
    assert numbers(signed_in(olivia).get(HOME, {"q": "zebracode"})) == {tickets["olivia"].number}
    page = signed_in(carol).get(HOME, {"q": "zebracode"})
    assert numbers(page) == set()
    assert "No request matches" in page.text


def test_a_ticket_number_finds_only_a_ticket_of_the_list(signed_in, carol, tickets):
    client = signed_in(carol)
    assert numbers(client.get(HOME, {"q": tickets["carol"].number})) == {tickets["carol"].number}
    assert numbers(client.get(HOME, {"q": tickets["erin"].number})) == set()
    assert numbers(client.get(HOME, {"q": tickets["dave"].number})) == set()


def test_the_status_filter_keeps_the_search(signed_in, alice, carol, tickets):
    services.resolve_ticket(actor=alice, ticket=tickets["carol"], resolution="Cleaned the roller")
    client = signed_in(carol)
    assert numbers(client.get(HOME, {"q": "scanner", "status": "open"})) == set()
    resolved = client.get(HOME, {"q": "scanner", "status": "resolved"})
    assert numbers(resolved) == {tickets["carol"].number}
    # The status tabs and the form carry the search on.
    assert "q=scanner" in resolved.text and 'name="status" value="resolved"' in resolved.text


def test_results_are_paged(signed_in, make_ticket, carol, monkeypatch):
    monkeypatch.setattr(portal_views, "PAGE_SIZE", 2)
    made = [make_ticket(carol, subject=f"Monitor flicker {i}") for i in range(3)]
    make_ticket(carol, subject="Something else")
    client = signed_in(carol)
    first = client.get(HOME, {"q": "flicker"})
    assert numbers(first) == {made[2].number, made[1].number}
    assert "page=2" in first.text and "q=flicker" in first.text
    second = client.get(HOME, {"q": "flicker", "page": 2})
    assert numbers(second) == {made[0].number}


def test_agents_and_strangers_do_not_get_in(signed_in, alice, client):
    assert signed_in(alice).get(HOME, {"q": "scanner"}).status_code == 302
    response = client.get(HOME, {"q": "scanner"})
    assert response.status_code == 302 and "/login/" in response["Location"]
