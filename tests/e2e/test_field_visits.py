"""A requester draws a signature on the mailed sign-off link's page (field/signature.js) on a
phone and signs, and the visit shows it. (The visit page and the link's page are in
tests/e2e/pages.py, so the walks at 390 px and with axe cover them.)"""

import pytest

from deskside import demo
from deskside.field.models import Visit
from tests.e2e.pages import CUSTOMER_PAGES, url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


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
