"""Under the Content-Security-Policy (issue 12 item 7) the pages work in Chromium with no
violation: the agent's pages with their charts and htmx panels, a ticket, the customer portal,
the Django admin, Swagger UI at /api/v1/docs (from the installed package) and an error page.
Each page is watched for `securitypolicyviolation` events and console errors, which is how a
browser reports an inline style, inline script or eval it refused."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page

from deskside import demo
from deskside.accounts.models import User
from deskside.core import clock
from deskside.duty import services as duty
from deskside.paging import worker as paging_worker
from deskside.tickets.models import Ticket
from deskside.webhooks import services as webhooks
from deskside.webhooks.models import Webhook
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Runs before any script of the page (Playwright injects it outside the page's policy).
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(
    e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile
    + ':' + e.lineNumber + ' ' + (e.sample || ''));
});
"""


class Watcher:
    """What went wrong on each page: policy violations and console errors, by page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(WATCH)
        page.on(
            "console",
            lambda message: self.console.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: self.console.append(f"uncaught: {error}"))

    def visit(self, url: str, *, status: int = 200, ready: str | None = None) -> list[str]:
        self.console.clear()
        response = self.page.goto(url)
        assert response is not None and response.status == status, (url, response)
        self.page.wait_for_load_state("networkidle")  # htmx panels, Swagger UI's fetch
        if ready:
            self.page.wait_for_selector(ready)
        violations = self.page.evaluate("window.__violations")
        # A 404 page's own status is logged as a console error by Chromium: not a problem.
        errors = [c for c in self.console if "status of 404" not in c]
        return violations + errors


def agent_pages() -> dict[str, tuple[str, str | None]]:
    admin = User.objects.get(email="admin@deskside.example")
    schedule = duty.create_schedule(actor=admin, name="Primary", timezone="Europe/Berlin")
    agents = list(User.objects.filter(email__in=["ana@deskside.example", "leo@deskside.example"]))
    duty.create_layer(
        actor=admin,
        schedule=schedule,
        members=agents,
        starts_at=clock.now() - timedelta(days=3),
        name="Daily",
        shift_unit="days",
    )
    hook = webhooks.create_webhook(
        actor=admin,
        name="Chat",
        url="https://hooks.example.com/deskside",
        events=["ticket.created"],
    )
    ticket = Ticket.objects.order_by("id").first()
    return {
        "queue": ("/tickets/?queue=all", ".workload-chart"),  # the chart htmx loads
        "ticket": (f"/tickets/{ticket.number}/", None),
        "on call": ("/oncall/", None),
        "schedule": (f"/oncall/{schedule.slug}/", ".oc-band"),
        "schedule report": (f"/oncall/{schedule.slug}/report/", ".oc-bar"),
        "alerts": ("/alerts/", None),
        "SLA report": ("/sla/clients/acme/", None),
        "webhook": (f"/webhooks/{hook.public_id}/", ".webhook-chart"),
        "staffing": ("/staffing/", ".staffing-heatmap"),  # the pygal SVG in an <img>
        "admin": ("/admin/", None),
        "admin list": ("/admin/accounts/user/", None),
        "admin change": (f"/admin/accounts/user/{admin.pk}/change/", None),
        "API docs": ("/api/v1/docs", ".swagger-ui .opblock"),  # the operations were drawn
    }


def test_pages_have_no_policy_violation(browser, live_server):
    demo.load(tickets=20)
    paging_worker.paging_pass()
    pages = agent_pages()
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    watcher = Watcher(page)
    try:
        sign_in(page, "admin@deskside.example", demo.PASSWORD)
        problems = {}
        for name, (url, ready) in pages.items():
            if found := watcher.visit(url, ready=ready):
                problems[name] = found
        if found := watcher.visit("/no/such/page/", status=404):
            problems["404"] = found
        assert problems == {}, problems
        # The chart geometry came from the style sheet, not from style attributes.
        band = page.goto(pages["schedule"][0]) and page.locator(".oc-band").first
        assert band.evaluate("e => getComputedStyle(e).position") == "absolute"
        assert float(band.evaluate("e => getComputedStyle(e).width").rstrip("px")) > 0
        # The watch sees what the policy refuses: an inline style and an inline script.
        page.evaluate(
            """() => {
              document.body.insertAdjacentHTML('beforeend', '<i style="color: red">x</i>');
              const s = document.createElement('script');
              s.textContent = 'window.__ran = true';
              document.body.append(s);
            }"""
        )
        page.wait_for_function("window.__violations.length >= 2")
        assert page.evaluate("window.__ran") is None
        refused = " ".join(page.evaluate("window.__violations"))
        assert "style-src-attr" in refused and "script-src-elem" in refused, refused
    finally:
        context.close()


def test_portal_has_no_policy_violation(browser, live_server):
    demo.load(tickets=20)
    carol = User.objects.get(email="carol@acme.example")
    ticket = Ticket.objects.filter(requester=carol).order_by("id").first()
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    watcher = Watcher(page)
    try:
        sign_in(page, "carol@acme.example", demo.PASSWORD)
        problems = {}
        for name, url in {
            "portal": "/portal/",
            "portal ticket": f"/portal/{ticket.number}/",
        }.items():
            if found := watcher.visit(url):
                problems[name] = found
        assert problems == {}, problems
    finally:
        context.close()


def test_confirm_prompts_work_without_inline_handlers(browser, live_server):
    """The delete buttons' prompts come from deskside.js (data-confirm): cancelled, nothing
    happens; accepted, the form is sent."""
    demo.load(tickets=0)
    admin = User.objects.get(email="admin@deskside.example")
    hook = webhooks.create_webhook(
        actor=admin, name="Chat", url="https://hooks.example.com/x", events=["ticket.created"]
    )
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    watcher = Watcher(page)
    try:
        sign_in(page, "admin@deskside.example", demo.PASSWORD)
        assert watcher.visit(f"/webhooks/{hook.public_id}/") == []
        questions = []

        def dismiss(dialog):
            questions.append(dialog.message)
            dialog.dismiss()

        page.once("dialog", dismiss)
        page.get_by_role("button", name="Delete").click()
        page.wait_for_timeout(300)
        assert questions == ["Delete this webhook? It sends nothing more."]
        assert page.url.endswith(f"/webhooks/{hook.public_id}/")
        assert Webhook.objects.get(pk=hook.pk).deleted_at is None

        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Delete").click()
        page.wait_for_url("**/webhooks/")
        assert Webhook.objects.get(pk=hook.pk).deleted_at is not None
        assert page.evaluate("window.__violations") == []
    finally:
        context.close()
