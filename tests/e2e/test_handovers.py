# ruff: noqa: F811 - the handover fixtures are imported by name, then requested by it
"""A shift handover in the browser: the outgoing agent ticks the checklist (htmx) and signs
off; the incoming agent acknowledges; at the next hand-off nobody does, and the lead is
reminded (by mail, and the handover page shows the reminder sent)."""

from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import expect

from deskside.handovers import services
from deskside.handovers.models import Handover
from deskside.handovers.worker import handovers_pass
from tests.e2e.conftest import sign_in
from tests.handovers.conftest import (  # noqa: F401 - the handover fixtures
    T0,
    at,
    bob,
    handover,
    lena,
    nina,
    roster,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-123-pass"  # tests/handovers/conftest.py's agents


@pytest.fixture
def frozen(at):
    at(T0 + timedelta(minutes=2))
    return at


def test_sign_off_acknowledge_and_the_lead_reminded(
    new_page, handover, frozen, alice, bob, lena, helpdesk
):
    services.add_checklist_item(
        actor=lena, team=helpdesk, phase="post", text="Log out of the phones"
    )
    out = new_page()
    sign_in(out, alice.email, "alice-pass-123")
    out.goto("/handovers/")
    out.get_by_role("link", name="Help Desk L1: Early → Late").click()
    expect(out.locator("#missing")).to_contain_text("Log out of the phones")
    out.get_by_label("Notes for the next shift").fill("Quiet shift. @bob the printer on 3 again.")
    out.get_by_role("button", name="Save notes").click()
    expect(out.locator("#notes")).to_contain_text("Quiet shift")
    out.get_by_role("button", name="Mark done").click()
    expect(out.locator("#checklist")).to_contain_text("✓ Done")
    out.get_by_role("button", name="Sign off").click()
    expect(out.locator("#handover-status")).to_have_text("Signed off")

    incoming = new_page()
    sign_in(incoming, bob.email, PASSWORD)
    incoming.goto(f"/handovers/{handover.public_id}/")
    expect(incoming.locator("#notes")).to_contain_text("the printer on 3 again")
    incoming.get_by_role("button", name="Acknowledge").click()
    expect(incoming.locator("#sign-off")).to_contain_text("Acknowledged by Bob Late")
    incoming.get_by_label("Feedback", exact=True).fill("Thanks, all picked up.")
    incoming.get_by_role("button", name="Send feedback").click()
    expect(incoming.locator("#feedback")).to_contain_text("Thanks, all picked up.")
    assert Handover.objects.get(pk=handover.pk).status == "acknowledged"

    # The next hand-off (Late -> Night, 22:00): nobody signs off or acknowledges.
    frozen(T0 + timedelta(hours=8, minutes=1))
    handovers_pass()
    late = Handover.objects.get(team=helpdesk, at=T0 + timedelta(hours=8))
    frozen(T0 + timedelta(hours=8, minutes=31))
    mail.outbox.clear()
    handovers_pass()
    assert sorted(address for m in mail.outbox for address in m.to) == [
        "lena@msp.example",
        "nina@msp.example",
    ]
    lead = new_page()
    sign_in(lead, lena.email, PASSWORD)
    lead.goto(f"/handovers/{late.public_id}/")
    expect(lead.locator("header dl")).to_contain_text("Team lead")
    expect(lead.locator("header dl")).to_contain_text("(sent)")
