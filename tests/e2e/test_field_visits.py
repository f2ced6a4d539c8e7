"""The visit pages in a browser: the visit page (agents) and the mailed sign-off link's page fit
390 px and pass axe; a requester draws a signature on the link's page (field/signature.js) and
signs, and the visit shows it."""

import pytest

from deskside import demo
from deskside.field.models import Visit
from tests.e2e.conftest import sign_in
from tests.e2e.pages import ADMIN, AGENT_PAGES, CUSTOMER_PAGES, url
from tests.e2e.test_narrow_screens import FITS, STICKING_OUT

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_visit_pages_fit_and_pass_axe(browser, live_server, axe_check, width):
    demo.load(tickets=10)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 844}, is_mobile=width < 500
    )
    context.set_default_timeout(30_000)  # a loaded shared machine
    page = context.new_page()
    problems = {}
    # the link's page first, signed out: the link is the authority
    for name, address in (
        ("visit sign-off", url(CUSTOMER_PAGES["visit sign-off"])),
        ("field visit", None),
    ):
        if address is None:
            sign_in(page, ADMIN, demo.PASSWORD)
            address = url(AGENT_PAGES[name])
        response = page.goto(address)
        assert response is not None and response.status == 200, name
        page.wait_for_load_state("networkidle")
        if not page.evaluate(FITS):
            problems[name] = ("too wide", page.evaluate(STICKING_OUT))
        if found := axe_check(page):
            problems[name] = [str(p) for p in found]
    context.close()
    assert problems == {}


def test_a_requester_draws_and_signs_on_a_phone(browser, live_server):
    demo.load(tickets=10)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.set_default_timeout(30_000)  # a loaded shared machine
    page = context.new_page()
    address = url(CUSTOMER_PAGES["visit sign-off"])
    public_id = address.split("/")[3]
    page.goto(address)
    page.fill("#id_name", "Olivia Admin")
    pad = page.locator("canvas[data-signature-for=id_signature]")
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 60)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 20, box["y"] + 60 + (-1) ** step * 25)
    page.mouse.up()
    assert page.input_value("#id_signature").startswith("data:image/png;base64,")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Thank you")
    context.close()
    visit = Visit.objects.get(public_id=public_id)
    assert visit.signed_via == "link" and visit.signed_name == "Olivia Admin"
