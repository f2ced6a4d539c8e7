"""The directory in a browser at 390 px wide (a phone): the contact search updates the list as
the agent types (htmx, under the CSP), a new contact is added through the form, and no
directory page scrolls sideways."""

import pytest
from playwright.sync_api import expect

from deskside import demo
from deskside.accounts.models import User
from tests.e2e.conftest import sign_in
from tests.e2e.test_narrow_screens import STICKING_OUT

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_directory_on_a_phone(browser, live_server):
    demo.load(tickets=10)
    carol = User.objects.get(email="carol@acme.example")
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, "admin@deskside.example", demo.PASSWORD)
        page.goto("/directory/")
        assert page.locator(f"#contact-{carol.public_id}").is_visible()
        page.fill("#id_q", "zzz-nobody")
        page.wait_for_selector("text=No contacts match.")
        assert "q=zzz-nobody" in page.url  # the search is in the address (hx-push-url)
        page.fill("#id_q", "carol")
        page.wait_for_selector(f"#contact-{carol.public_id}")

        page.goto("/directory/contacts/new/")
        page.fill("#id_full_name", "Phone Caller")
        page.fill("#id_email", "phone.caller@acme.example")
        page.fill("#id_phone", "(555) 010-0199")
        page.select_option("#id_organization", "globex")  # its sites are fetched (htmx)
        # Only that client's sites remain, named without their client ("Acme / HQ" before).
        # (A locator, not wait_for_function: a polled string would be eval, which CSP refuses.)
        expect(page.locator("#id_site option", has_text="/")).to_have_count(0)
        page.select_option("#id_organization", "acme")
        page.click("button[type=submit].primary")
        page.wait_for_selector("h1:has-text('Phone Caller')")
        made = User.objects.get(email="phone.caller@acme.example")
        assert made.phone_e164 == "+15550100199"

        wide = {}
        for url in (
            "/directory/",
            f"/directory/contacts/{carol.public_id}/",
            f"/directory/contacts/{carol.public_id}/edit/",
            "/directory/clients/",
            "/directory/clients/acme/",
            "/directory/contacts/import/",
            "/directory/agents/",
            "/directory/teams/",
        ):
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                wide[url] = (width, page.evaluate(STICKING_OUT))
        assert wide == {}, f"pages wider than 390 px: {wide}"
    finally:
        context.close()
