"""The route-plan pages in a browser, on the demo's data: a dispatcher plans a day from the page
and sees the proposal. (Both pages are in tests/e2e/pages.py, so the walks at 390 px and with
axe cover them.)"""

import pytest

from deskside import demo
from tests.e2e.conftest import sign_in
from tests.e2e.pages import ADMIN, url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_plan_the_day_from_the_page(new_page):
    demo.load(tickets=10)
    page = new_page()
    sign_in(page, ADMIN, demo.PASSWORD)
    page.goto(url("/field/plans/"))
    page.get_by_role("button", name="Plan the day").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Route plan for").is_visible()
    assert page.get_by_role("heading", name="Not assigned").is_visible()
