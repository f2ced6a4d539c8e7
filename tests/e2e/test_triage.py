"""Triage suggestions in a browser: an agent logging a call types the subject, sees the
model's suggestions beside the form (the team only among those serving the client), and
fills the priority in one click."""

import pytest
from playwright.sync_api import expect

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.triage import suggestions, training
from tests.e2e.conftest import sign_in
from tests.e2e.test_narrow_screens import FITS, STICKING_OUT
from tests.triage.history import write_history
from tests.triage.test_services import new_ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def trained(alice, leo, tara, helpdesk, desktop_team, network_team, globex, dave, carol):
    servers = accounts.create_team(name="Servers L3", tier=Tier.L3)
    teams = {t.name: t for t in (helpdesk, desktop_team, network_team, servers)}
    write_history(teams, [(carol.organization, carol), (globex, dave)], 400)
    suggestions.forget()
    yield training.train()
    suggestions.forget()


def test_an_agent_uses_a_suggestion_while_logging_a_call(new_page, trained, alice):
    page = new_page()
    sign_in(page, alice.email, "alice-pass-123")
    page.goto("/tickets/new/")
    page.locator("#id_organization").select_option(label="Globex")
    page.locator("#id_subject").fill("")
    page.locator("#id_subject").press_sequentially("VPN drops every hour", delay=20)
    panel = page.locator("#triage-suggestions")
    expect(panel).to_contain_text("Network L3")
    expect(panel).to_contain_text("Priority: P2")
    panel.get_by_role("button", name="Use priority P2").click()
    expect(page.locator("#id_priority")).to_have_value("P2")


def test_the_triage_pages_fit_a_phone_and_pass_axe(
    browser, live_server, axe_check, trained, admin, alice, carol
):
    ticket = new_ticket(alice, carol, "Printer on floor 2 offline", "toner")
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, admin.email, "root-pass-123")
    for address in ("/triage/", ticket.get_absolute_url()):
        page.goto(address)
        page.wait_for_load_state("networkidle")
        assert page.evaluate(FITS), (address, page.evaluate(STICKING_OUT))
        assert not axe_check(page), address
    expect(page.locator(".triage-suggestions")).to_contain_text("Desktop Support L2")
    context.close()
