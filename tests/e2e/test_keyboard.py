"""Keyboard shortcuts (issue 14, item 9; deskside/static/deskside/keys.js): j/k move through a
queue, o and Enter open, r/n/a/e reach the ticket page's reply, note, assign and escalate
forms, / the search box, ? a dialog of the keys that Escape closes. Keys do nothing while
typing or with a modifier held; every control is also reached by Tab with a visible focus."""

import re

import pytest

from deskside import demo
from deskside.accounts.models import User
from deskside.tickets.models import OPEN_STATUSES, Tier
from deskside.tickets.queries import visible_tickets
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ACTIVE = """() => {
  const e = document.activeElement;
  const box = e && e.closest('details');
  return {tag: e.tagName, name: e.getAttribute('name'), details: box ? box.id : null,
          open: box ? box.open : null, row: e.closest('tr') ? e.closest('tr').className : null};
}"""
SELECTED = """() => [...document.querySelectorAll('table.tickets tbody tr')]
  .findIndex(r => r.classList.contains('key-selected'))"""


@pytest.fixture
def agent(new_page):
    demo.load(tickets=40)
    page = new_page()
    sign_in(page, "admin@deskside.example", demo.PASSWORD)
    return page


def test_j_and_k_move_through_the_queue_and_o_opens(agent):
    agent.goto("/tickets/?queue=all")
    agent.wait_for_load_state("networkidle")
    agent.keyboard.press("j")
    assert agent.evaluate(SELECTED) == 0
    focused = agent.evaluate(ACTIVE)
    assert focused["tag"] == "A" and "key-selected" in focused["row"]
    agent.keyboard.press("j")
    agent.keyboard.press("j")
    assert agent.evaluate(SELECTED) == 2
    agent.keyboard.press("k")
    assert agent.evaluate(SELECTED) == 1
    # A modifier held: the browser's key, not ours.
    agent.keyboard.press("Control+j")
    assert agent.evaluate(SELECTED) == 1
    number = agent.locator("table.tickets tbody tr.key-selected a").first.inner_text()
    agent.keyboard.press("o")
    agent.wait_for_url(f"**/tickets/{number}/")
    # Enter on the selected row opens it too (its link has the focus).
    agent.go_back()
    agent.wait_for_load_state("networkidle")
    agent.keyboard.press("j")
    number = agent.locator("table.tickets tbody tr.key-selected a").first.inner_text()
    agent.keyboard.press("Enter")
    agent.wait_for_url(f"**/tickets/{number}/")


def test_the_search_page_rows_move_too(agent):
    agent.goto("/tickets/search/?q=printer")
    agent.locator("body").click(position={"x": 5, "y": 300})  # out of the autofocused box
    agent.keyboard.press("j")
    assert agent.evaluate(SELECTED) == 0


def test_r_n_a_e_reach_the_ticket_forms(agent):
    ticket = (
        visible_tickets(User.objects.get(email="admin@deskside.example"))
        .filter(status__in=OPEN_STATUSES, tier=Tier.L1)
        .order_by("-id")
        .first()
    )
    agent.goto(f"/tickets/{ticket.number}/")
    agent.wait_for_load_state("networkidle")
    for key, box, tag in (
        ("r", "action-reply", "TEXTAREA"),
        ("n", "action-note", "TEXTAREA"),
        ("a", "action-assign", "SELECT"),
        ("e", "action-escalate", "SELECT"),
    ):
        agent.locator("h1").click()  # the focus out of the last form
        agent.keyboard.press(key)
        focused = agent.evaluate(ACTIVE)
        assert (focused["details"], focused["open"], focused["tag"]) == (box, True, tag), key
    # Typing in a box types: "n" in the reply is a letter, not a jump to the note.
    agent.locator("h1").click()
    agent.keyboard.press("r")
    agent.keyboard.type("on my way")
    reply = agent.locator("#action-reply textarea")
    assert reply.input_value() == "on my way"
    assert agent.evaluate(ACTIVE)["details"] == "action-reply"


def test_slash_searches_and_question_mark_lists_the_keys(agent):
    agent.goto("/tickets/?queue=all")
    agent.wait_for_load_state("networkidle")
    agent.keyboard.press("/")
    search = agent.get_by_role("searchbox", name="Search tickets")
    assert search.evaluate("e => e === document.activeElement")
    agent.keyboard.type("printer")  # the "/" was not typed into the box
    assert search.input_value() == "printer"
    agent.locator("h1").click()
    agent.keyboard.press("?")
    dialog = agent.get_by_role("dialog", name="Keyboard shortcuts")
    assert dialog.is_visible()
    assert dialog.get_by_role("row", name=re.compile(r"^j Select the next ticket")).is_visible()
    # The dialog is modal: letters do nothing behind it; Escape closes it.
    agent.keyboard.press("j")
    assert agent.evaluate(SELECTED) == -1
    agent.keyboard.press("Escape")
    assert not dialog.is_visible()
    # Its Close button closes it too.
    agent.keyboard.press("?")
    dialog.get_by_role("button", name="Close").click()
    assert not dialog.is_visible()


def test_tab_shows_where_the_focus_is(agent):
    agent.goto("/tickets/?queue=all")
    agent.wait_for_load_state("networkidle")
    outlines = []
    for _ in range(6):
        agent.keyboard.press("Tab")
        outlines.append(
            agent.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return [document.activeElement.tagName, s.outlineStyle, s.outlineWidth]; }"
            )
        )
    assert all(style != "none" and width != "0px" for _, style, width in outlines), outlines


def test_the_portal_list_moves_and_slash_finds_its_search_box(new_page):
    demo.load(tickets=40)
    page = new_page()
    sign_in(page, "olivia@acme.example", demo.PASSWORD)
    page.goto("/portal/")
    page.keyboard.press("j")
    page.keyboard.press("j")
    selected = page.locator("table.portal-list tbody tr.key-selected a").first
    number = selected.inner_text()
    assert page.locator("table.portal-list tbody tr").nth(1).locator("a").first.inner_text() == (
        number
    )
    page.keyboard.press("/")
    search = page.get_by_role("searchbox", name="Search your requests")
    assert search.evaluate("e => e === document.activeElement")
    page.keyboard.type(number)
    page.keyboard.press("Enter")
    page.wait_for_url("**/portal/?q=*")
    assert page.locator("table.portal-list tbody tr").count() == 1
    page.locator("h1").click()
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url(f"**/portal/{number}/")
