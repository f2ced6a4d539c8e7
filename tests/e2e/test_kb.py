"""The knowledge base in a browser: an agent logging a call sees a suggested article while
typing the subject, and links it on resolving; a customer in the portal is deflected by a
suggested public article ("This solved it")."""

import pytest
from playwright.sync_api import expect

from deskside.kb import services as kb
from deskside.kb.models import ArticleStatus, Deflection, SolvedWith, Visibility
from deskside.kb.services import ArticleInput
from tests.e2e.conftest import sign_in
from tests.e2e.test_tier_flow import open_action

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def outlook(admin):
    return kb.create_article(
        actor=admin,
        data=ArticleInput(
            title="Outlook keeps asking for password",
            body="Remove the cached credentials in **Credential Manager**, restart Outlook.",
            status=ArticleStatus.PUBLISHED,
        ),
    )


@pytest.fixture
def reset(admin):
    return kb.create_article(
        actor=admin,
        data=ArticleInput(
            title="Reset your password",
            body="Open the self-service page and choose *Forgot password*.",
            visibility=Visibility.PUBLIC,
            status=ArticleStatus.PUBLISHED,
        ),
    )


def test_an_agent_sees_a_suggestion_and_links_it_on_resolving(
    new_page, alice, carol, make_ticket, outlook
):
    page = new_page()
    sign_in(page, alice.email, "alice-pass-123")
    page.goto("/tickets/new/")
    page.locator("#id_subject").press_sequentially("Outlook asks for the pass", delay=20)
    results = page.locator("#kb-suggest-results")
    expect(results).to_contain_text("Outlook keeps asking for password")
    expect(results).to_contain_text("Credential Manager")

    ticket = make_ticket(carol, subject="Outlook asks for my password every hour")
    page.goto(ticket.get_absolute_url())
    resolve = open_action(page, "resolve")
    resolve.get_by_label("Resolution").fill("Cleared the cached credentials.")
    resolve.get_by_role("button", name="Resolve").click()
    panel = page.locator(".kb-panel")
    expect(panel).to_contain_text("Draft article from this ticket")
    panel.get_by_role("button", name="Solved with this: Outlook keeps asking for password").click()
    expect(page.locator(".kb-panel .kb-linked")).to_contain_text(outlook.title)
    expect(page.locator("#timeline")).to_contain_text(f"knowledge-base article {outlook.public_id}")
    assert SolvedWith.objects.get().ticket == ticket


def test_a_customer_is_deflected_in_the_portal(new_page, carol, reset, outlook):
    page = new_page()
    sign_in(page, carol.email, "carol-pass-123")
    page.goto("/portal/new/")
    page.locator("#id_subject").press_sequentially("forgot my password", delay=20)
    results = page.locator("#kb-suggest-results")
    expect(results).to_contain_text("Reset your password")
    expect(results).not_to_contain_text("Outlook")  # internal: never suggested to a customer
    results.get_by_role("button", name="This solved it: Reset your password").click()
    expect(page.locator("#kb-suggest")).to_contain_text("you need not send this request")
    deflection = Deflection.objects.get()
    assert (deflection.article, deflection.user) == (reset, carol)
    assert deflection.text == "forgot my password"
