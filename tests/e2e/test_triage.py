"""Triage suggestions in a browser: an agent logging a call types the subject, sees the
model's suggestions beside the form (the team only among those serving the client), and
fills the priority in one click."""

import pytest
from playwright.sync_api import expect

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.triage import training
from tests.e2e.conftest import sign_in
from tests.triage.history import write_history

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_agent_uses_a_suggestion_while_logging_a_call(
    new_page, alice, leo, tara, helpdesk, desktop_team, network_team, globex, dave, carol
):
    servers = accounts.create_team(name="Servers L3", tier=Tier.L3)
    teams = {t.name: t for t in (helpdesk, desktop_team, network_team, servers)}
    write_history(teams, [(carol.organization, carol), (globex, dave)], 400)
    training.train()
    training.forget()

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
