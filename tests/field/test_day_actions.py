# ruff: noqa: F811 - the day's fixtures are imported by name, then requested by it
"""The buttons of the technician's day: start, arrive, tick, add a step, add a part, sign,
finish, no access; each answered with the updated card (htmx) or a redirect back to the day,
and each refusal shown on the card (422); another technician's visit refused."""

import base64
from datetime import timedelta

import pytest

from deskside.field.models import Visit, VisitStatus
from deskside.tickets.models import Attachment, EventKind
from tests.field.fixtures_day import (  # noqa: F401 - the fixtures
    NOW,
    PNG,
    cleared,
    escalated,
    frozen,
    hq,
    leo_web,
    plan,
    reachable_carol,
    tara_web,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
DATA_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()


@pytest.fixture
def visit(plan, escalated, leo):
    return plan(escalated, leo, NOW, items=["Swap the fuser"])


def _url(visit, action):
    return f"/field/day/{visit.public_id}/{action}/"


def _status(visit):
    return Visit.objects.get(pk=visit.pk).status


def test_start_then_arrive_answer_the_card_to_htmx(visit, leo_web):
    response = leo_web.post(_url(visit, "start"), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(
        f'<article class="card day-card status-en_route" id="visit-{visit.public_id}"'
    )
    assert "Arrive · check in" in html and "Start · on my way" not in html
    assert _status(visit) == VisitStatus.EN_ROUTE
    response = leo_web.post(_url(visit, "arrive"), **HTMX)
    assert response.status_code == 200 and "Finish · check out" in response.content.decode()
    assert _status(visit) == VisitStatus.ON_SITE


def test_without_script_an_action_redirects_to_the_day(visit, leo_web):
    response = leo_web.post(_url(visit, "arrive"))
    assert response.status_code == 302
    assert response.url == f"/field/day/?date=2026-12-09#visit-{visit.public_id}"


def test_a_refused_step_shows_its_error_on_the_card(visit, leo_web):
    leo_web.post(_url(visit, "arrive"))
    response = leo_web.post(_url(visit, "start"), **HTMX)
    assert response.status_code == 422
    assert "the visit is on site, not scheduled" in response.content.decode()
    # Without script: the whole day, the error on the card.
    page = leo_web.post(_url(visit, "start"))
    assert (
        page.status_code == 422 and "the visit is on site, not scheduled" in page.content.decode()
    )


def test_ticking_the_checklist_and_finishing_needs_every_required_item(visit, leo_web):
    item = visit.checklist.get()
    tick = f"/field/day/{visit.public_id}/checklist/{item.pk}/"
    refused = leo_web.post(tick, {"done": "1"}, **HTMX)
    assert refused.status_code == 422 and "check in first" in refused.content.decode()
    leo_web.post(_url(visit, "arrive"))
    prefix = f"finish-{visit.public_id}"
    finish = {f"{prefix}-outcome": "done", f"{prefix}-summary": "Fuser replaced"}
    response = leo_web.post(_url(visit, "finish"), finish, **HTMX)
    assert response.status_code == 422
    assert "required checklist items are open: Swap the fuser" in response.content.decode()
    assert "Fuser replaced" in response.content.decode()  # what was typed stays
    response = leo_web.post(tick, {"done": "1"}, **HTMX)
    assert response.status_code == 200 and " checked" in response.content.decode()
    item.refresh_from_db()
    assert item.done_at == NOW
    leo_web.post(tick, {}, **HTMX)  # unticked
    item.refresh_from_db()
    assert item.done_at is None
    leo_web.post(tick, {"done": "1"}, **HTMX)
    response = leo_web.post(_url(visit, "finish"), finish, **HTMX)
    assert response.status_code == 200
    assert _status(visit) == VisitStatus.DONE
    event = visit.ticket.events.get(kind=EventKind.VISIT, data__action="checked_out")
    assert event.is_public and "Fuser replaced" in event.body


def test_finish_done_needs_a_summary(visit, leo_web):
    leo_web.post(_url(visit, "arrive"))
    prefix = f"finish-{visit.public_id}"
    response = leo_web.post(_url(visit, "finish"), {f"{prefix}-outcome": "done"}, **HTMX)
    assert response.status_code == 422 and "write what was done" in response.content.decode()
    response = leo_web.post(_url(visit, "finish"), {f"{prefix}-outcome": "gone"}, **HTMX)
    assert response.status_code == 422 and "not one of the available choices" in (
        response.content.decode()
    )


def test_needs_another_visit_from_the_day(visit, leo_web):
    leo_web.post(_url(visit, "arrive"))
    prefix = f"finish-{visit.public_id}"
    data = {f"{prefix}-outcome": "needs_another", f"{prefix}-summary": "Diagnosed"}
    response = leo_web.post(_url(visit, "finish"), data, **HTMX)
    assert response.status_code == 422 and "say what the next visit is to do" in (
        response.content.decode()
    )
    data[f"{prefix}-note"] = "Bring a fuser"
    assert leo_web.post(_url(visit, "finish"), data, **HTMX).status_code == 200
    assert Visit.objects.get(pk=visit.pk).follow_up.status == VisitStatus.UNSCHEDULED


def test_no_access_needs_a_reason(visit, leo_web):
    prefix = f"no_access-{visit.public_id}"
    response = leo_web.post(_url(visit, "no-access"), {f"{prefix}-note": ""}, **HTMX)
    assert response.status_code == 422 and "This field is required" in response.content.decode()
    response = leo_web.post(_url(visit, "no-access"), {f"{prefix}-note": "Locked"}, **HTMX)
    assert response.status_code == 200 and "No access" in response.content.decode()
    assert _status(visit) == VisitStatus.NO_ACCESS


def test_parts_are_added_on_site_with_a_quantity(visit, leo_web):
    prefix = f"part-{visit.public_id}"
    part = {f"{prefix}-description": "Fuser unit", f"{prefix}-quantity": "1"}
    refused = leo_web.post(_url(visit, "parts"), part, **HTMX)
    assert refused.status_code == 422 and "parts are recorded on site" in refused.content.decode()
    leo_web.post(_url(visit, "arrive"))
    bad = leo_web.post(_url(visit, "parts"), {**part, f"{prefix}-quantity": "0"}, **HTMX)
    assert bad.status_code == 422 and "greater than or equal to 1" in bad.content.decode()
    response = leo_web.post(_url(visit, "parts"), {**part, f"{prefix}-serial": "SN1"}, **HTMX)
    assert response.status_code == 200 and "1 × Fuser unit" in response.content.decode()
    assert visit.parts.get().serial == "SN1"


def test_a_step_is_added_to_the_checklist(visit, leo_web):
    prefix = f"item-{visit.public_id}"
    response = leo_web.post(_url(visit, "checklist"), {f"{prefix}-text": "Clean rollers"}, **HTMX)
    assert response.status_code == 200 and "Clean rollers" in response.content.decode()
    assert leo_web.post(_url(visit, "checklist"), {f"{prefix}-text": ""}, **HTMX).status_code == 422


def test_the_signature_is_a_png_data_url_stored_as_an_attachment(visit, leo_web):
    prefix = f"sign-{visit.public_id}"
    sign = {f"{prefix}-name": "Carol Customer", f"{prefix}-signature": DATA_URL}
    refused = leo_web.post(_url(visit, "sign"), sign, **HTMX)
    assert refused.status_code == 422 and "on site" in refused.content.decode()
    leo_web.post(_url(visit, "arrive"))
    no_drawing = leo_web.post(_url(visit, "sign"), {f"{prefix}-name": "Carol"}, **HTMX)
    assert no_drawing.status_code == 422
    assert "draw the signature in the box" in no_drawing.content.decode()
    gif = {**sign, f"{prefix}-signature": "data:image/gif;base64,R0lGODlh"}
    assert "not a PNG image" in leo_web.post(_url(visit, "sign"), gif, **HTMX).content.decode()
    response = leo_web.post(_url(visit, "sign"), sign, **HTMX)
    assert response.status_code == 200
    assert "Signed by <strong>Carol Customer</strong>" in response.content.decode()
    signed = Visit.objects.get(pk=visit.pk)
    assert signed.signed_via == "phone"
    assert Attachment.objects.get(pk=signed.signature_id).content_type == "image/png"


def test_another_technicians_visit_is_refused(plan, escalated, tara, leo, visit, tara_web):
    # Tara serves Acme (every agent may dispatch) but is not on Leo's visit.
    for action in ("start", "arrive", "finish", "sign", "parts", "no-access", "checklist"):
        assert tara_web.post(_url(visit, action), **HTMX).status_code == 403, action
    item = visit.checklist.get()
    assert tara_web.post(f"/field/day/{visit.public_id}/checklist/{item.pk}/").status_code == 403
    assert _status(visit) == VisitStatus.SCHEDULED
    # As the second technician she may act.
    shared = plan(escalated, leo, NOW + timedelta(hours=2), second=tara)
    assert tara_web.post(_url(shared, "start"), **HTMX).status_code == 200


def test_a_checklist_item_of_another_visit_is_not_found(plan, escalated, leo, visit, leo_web):
    other = plan(escalated, leo, NOW + timedelta(hours=2), items=["Other"])
    item = other.checklist.get()
    assert leo_web.post(f"/field/day/{visit.public_id}/checklist/{item.pk}/").status_code == 404


def test_an_unknown_visit_is_not_found_and_a_get_not_allowed(visit, leo_web):
    assert leo_web.post("/field/day/nope/start/").status_code == 404
    assert leo_web.get(_url(visit, "start")).status_code == 405
