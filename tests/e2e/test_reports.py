"""The report page draws its charts offline: the pygal SVG is served by the desk itself, is
visible on the page, and no request leaves the server (no CDN, no font, no script)."""

from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import sign_in
from tests.reports.conftest import QUERY, desk  # noqa: F401 - the fixture the test uses

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("desk")
def test_report_charts_are_drawn_offline(alice, new_page, live_server):
    page = new_page()
    page.set_default_timeout(30_000)  # a busy machine
    local = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []

    def guard(route):
        if urlsplit(route.request.url).netloc != local:
            elsewhere.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", guard)
    sign_in(page, alice.email, "alice-pass-123")
    query = "&".join(f"{k}={v}" for k, v in QUERY.items())
    for name in ("volume", "sla", "backlog"):
        response = page.goto(f"/reports/{name}/?{query}")
        assert response is not None and response.status == 200
        page.wait_for_load_state("networkidle")
        chart = page.locator("img.report-chart")
        assert chart.is_visible()
        assert chart.evaluate("img => img.complete && img.naturalWidth > 0"), name
        box = chart.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50
        # The table under it links its counts to the queue.
        assert page.locator("table.report-table a[href^='/tickets/?queue=']").count() > 0
    assert elsewhere == []
