"""Customer satisfaction in the browser, on the demo's data with its survey answers: a
customer follows the mail's "bad" link, confirms on the page and gets the thank-you; the
agent's report draws its pygal chart offline (an SVG from our own server); the surveys' pages
fit a 390 px screen and have no serious accessibility violations."""

import pytest

from deskside import demo
from deskside.surveys.demo import seed_demo
from deskside.surveys.links import answer_url
from deskside.surveys.models import FollowUp, Survey
from tests.e2e.conftest import sign_in
from tests.e2e.pages import ADMIN
from tests.e2e.test_narrow_screens import too_wide

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PAGES = {
    "satisfaction": "/surveys/?by=team",
    "survey answers": "/surveys/responses/",
    "survey follow-ups": "/surveys/follow-ups/",
}


@pytest.fixture
def demo_surveys(db):
    demo.load(tickets=40)
    seed_demo()


def test_a_customer_answers_from_the_mail_link(demo_surveys, new_page, axe_check):
    survey = Survey.objects.filter(answered_at__isnull=True).order_by("-resolved_at").first()
    page = new_page()
    link = answer_url(survey.public_id, "bad").split("://", 1)[1].partition("/")[2]
    page.goto("/" + link)
    assert page.get_by_label("Bad").is_checked()  # the link chose it; nothing is recorded yet
    assert axe_check(page) == []
    survey.refresh_from_db()
    assert survey.answered_at is None
    page.get_by_label("Anything to add? (optional)").fill("Still broken")
    page.get_by_role("button", name="Send my answer").click()
    page.get_by_role("heading", name="Thank you").wait_for()
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == ("bad", "Still broken")
    assert FollowUp.objects.filter(survey=survey).exists()


def test_the_report_draws_its_chart_offline(demo_surveys, new_page, axe_check, live_server):
    page = new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, ADMIN, demo.PASSWORD)
    page.goto("/surveys/?by=agent")
    chart = page.locator("img.survey-chart")
    chart.wait_for()
    assert page.evaluate("() => document.querySelector('img.survey-chart').naturalWidth") > 0
    assert axe_check(page) == []
    assert [u for u in requested if not u.startswith(live_server.url)] == []


def test_the_survey_pages_fit_a_phone(demo_surveys, browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    phone = context.new_page()
    sign_in(phone, ADMIN, demo.PASSWORD)
    assert too_wide(phone, PAGES) == {}
    context.close()
