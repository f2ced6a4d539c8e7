"""The ticket page's visits panel ("Request a visit") and the visit page: every button and
form, each refusal shown as a form error (400) with nothing changed; agents who serve the
client only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from deskside.accounts.models import Skill, Tier
from deskside.field.models import Visit, VisitStatus
from deskside.field.services import scheduling, visits
from deskside.mail.models import OutboundMail
from tests.field.fixtures_visits import *  # noqa: F403
from tests.field.fixtures_visits import NOW, PNG, clear


def local(moment) -> str:
    """A datetime-local value in the agent's zone (the pages read times in it)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def page(signed_in, alice):
    return signed_in(alice)


def url(visit, action=""):
    return f"/field/visits/{visit.public_id}/" + (f"{action}/" if action else "")


# -- the panel ---------------------------------------------------------------------------------


def test_the_ticket_page_loads_the_panel(page, acme_ticket):
    html = page.get(f"/tickets/{acme_ticket.number}/").content.decode()
    assert f"/field/tickets/{acme_ticket.number}/visits/" in html


def test_the_panel_lists_the_visits_and_opens_the_form_for_l2(page, visit, leo, acme):
    clear(leo, acme)
    scheduling.schedule(page_user(page), visit, leo, NOW + timedelta(hours=1))
    number = visit.ticket.number
    html = page.get(f"/field/tickets/{number}/visits/").content.decode()
    assert "Scheduled" in html and "Leo Field" in html and url(visit) in html
    assert '<details class="action">' in html  # an L1 ticket: the form folded
    ticket = visit.ticket
    ticket.tier = Tier.L2
    ticket.save(update_fields=["tier"])
    html = page.get(f"/field/tickets/{number}/visits/").content.decode()
    assert '<details class="action" open>' in html


def page_user(client):
    from django.contrib.auth import get_user  # noqa: PLC0415

    return get_user(client)


def _request_data(ticket, site, **changes):
    data = {
        "visit-site": site.pk,
        "visit-window_start": local(NOW + timedelta(days=1)),
        "visit-window_end": local(NOW + timedelta(days=1, hours=3)),
        "visit-duration_minutes": "45",
        "visit-instructions": "Bring a fuser",
    }
    data.update(changes)
    return data


def test_request_a_visit(page, acme_ticket, acme_hq):
    skill = Skill.objects.create(name="Printers")
    data = _request_data(acme_ticket, acme_hq, **{"visit-skills": [skill.pk]})
    answer = page.post(f"/field/tickets/{acme_ticket.number}/visits/new/", data)
    visit = Visit.objects.get()
    assert answer.status_code == 302 and answer["Location"] == url(visit)
    assert visit.duration_minutes == 45 and list(visit.required_skills.all()) == [skill]
    assert visit.window_start == NOW + timedelta(days=1)
    htmx = page.post(
        f"/field/tickets/{acme_ticket.number}/visits/new/", data, HTTP_HX_REQUEST="true"
    )
    assert htmx.status_code == 200 and "ticket-changed" in htmx["HX-Trigger"]
    assert Visit.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"visit-window_end": local(NOW)}, "the window ends before it starts"),
        ({"visit-duration_minutes": "0"}, "greater than or equal to 1"),
        ({"visit-window_start": "soon"}, "Enter a valid date/time"),
    ],
)
def test_request_form_errors(page, acme_ticket, acme_hq, changes, error):
    data = _request_data(acme_ticket, acme_hq, **changes)
    answer = page.post(f"/field/tickets/{acme_ticket.number}/visits/new/", data)
    assert answer.status_code == 400 and error in answer.content.decode()
    htmx = page.post(
        f"/field/tickets/{acme_ticket.number}/visits/new/", data, HTTP_HX_REQUEST="true"
    )
    assert htmx.status_code == 200 and error in htmx.content.decode()
    assert not Visit.objects.exists()


def test_a_site_of_another_client_is_not_offered(page, acme_ticket, globex_site, acme_hq):
    data = _request_data(acme_ticket, acme_hq, **{"visit-site": globex_site.pk})
    answer = page.post(f"/field/tickets/{acme_ticket.number}/visits/new/", data)
    assert answer.status_code == 400 and "Select a valid choice" in answer.content.decode()


def test_panel_and_request_for_agents_who_see_the_ticket_only(
    signed_in, visit, carol, globex_only, acme_hq
):
    number = visit.ticket.number
    assert signed_in(globex_only).get(f"/field/tickets/{number}/visits/").status_code == 404
    data = _request_data(visit.ticket, acme_hq)
    assert (
        signed_in(globex_only).post(f"/field/tickets/{number}/visits/new/", data).status_code == 404
    )
    customer = signed_in(carol).get(f"/field/tickets/{number}/visits/")
    assert customer.status_code == 302 and "/field/" not in customer["Location"]
    assert signed_in(carol).post(f"/field/tickets/{number}/visits/new/", data).status_code == 403
    assert Visit.objects.count() == 1


# -- the visit page ----------------------------------------------------------------------------


def test_the_visit_page_shows_the_details(page, visit):
    html = page.get(url(visit)).content.decode()
    assert "key is with reception" in html and "HQ" in html and "Not signed yet" in html
    assert 'action="' + url(visit, "schedule") + '"' in html
    assert url(visit, "set-out") not in html  # not scheduled yet


def test_the_visit_page_for_agents_serving_the_client_only(
    signed_in, visit, acme_only, globex_only, carol
):
    assert signed_in(acme_only).get(url(visit)).status_code == 200
    assert signed_in(globex_only).get(url(visit)).status_code == 404
    assert signed_in(globex_only).post(url(visit, "cancel"), {"reason": "x"}).status_code == 404
    assert signed_in(carol).get(url(visit)).status_code == 302
    assert signed_in(carol).post(url(visit, "cancel"), {"reason": "x"}).status_code == 403
    visit.refresh_from_db()
    assert visit.status == VisitStatus.UNSCHEDULED


def test_schedule_refused_by_the_clearance_rule_then_allowed(page, visit, leo, tara, acme):
    data = {"technician": leo.pk, "start": local(NOW + timedelta(hours=1))}
    answer = page.post(url(visit, "schedule"), data)
    assert answer.status_code == 400 and "not cleared for Acme Corp" in answer.content.decode()
    clear(tara, acme)
    data.update(second=tara.pk, shadowing="on")
    answer = page.post(url(visit, "schedule"), data)
    assert answer.status_code == 302
    visit.refresh_from_db()
    assert (visit.technician, visit.second_technician, visit.second_is_shadowing) == (
        leo,
        tara,
        True,
    )
    assert visit.scheduled_start == NOW + timedelta(hours=1)


def test_schedule_form_errors(page, visit, leo, acme):
    clear(leo, acme)
    outside = page.post(
        url(visit, "schedule"), {"technician": leo.pk, "start": local(NOW + timedelta(days=2))}
    )
    assert (
        outside.status_code == 400
        and "outside the customer&#x27;s window" in outside.content.decode()
    )
    same = page.post(
        url(visit, "schedule"), {"technician": leo.pk, "second": leo.pk, "start": local(NOW)}
    )
    assert same.status_code == 400 and "same person" in same.content.decode()
    missing = page.post(url(visit, "schedule"), {"start": local(NOW)})
    assert missing.status_code == 400 and "This field is required" in missing.content.decode()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.UNSCHEDULED


def test_the_day_through_the_buttons(page, visit, alice, leo, acme):
    clear(leo, acme)
    assert (
        page.post(url(visit, "schedule"), {"technician": leo.pk, "start": local(NOW)}).status_code
        == 302
    )
    assert (
        page.post(url(visit, "checklist"), {"text": "Swap the toner", "required": "on"}).status_code
        == 302
    )
    assert page.post(url(visit, "set-out")).status_code == 302
    assert page.post(url(visit, "check-in")).status_code == 302
    item = visit.checklist.get()
    early = page.post(url(visit, "check-out"), {"outcome": "done", "summary": "Fixed"})
    assert early.status_code == 400 and "Swap the toner" in early.content.decode()
    assert page.post(url(visit, "tick"), {"item": item.pk, "done": "on"}).status_code == 302
    part = {"description": "Toner", "part_number": "TN-1", "serial": "", "quantity": "2"}
    assert page.post(url(visit, "part"), part).status_code == 302
    html = page.get(url(visit)).content.decode()
    assert "Mail the sign-off link" in html and "2 × Toner" in html
    assert page.post(url(visit, "signoff-link")).status_code == 302
    assert OutboundMail.objects.count() == 1
    assert (
        page.post(url(visit, "check-out"), {"outcome": "done", "summary": "Fixed"}).status_code
        == 302
    )
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE and visit.work_summary == "Fixed"
    html = page.get(url(visit)).content.decode()
    assert "Nothing more to do" not in html  # the sign-off link may still be sent
    assert url(visit, "check-out") not in html


@pytest.mark.parametrize(
    ("action", "data", "error"),
    [
        ("set-out", {}, "not scheduled"),
        ("check-in", {}, "the visit is unscheduled"),
        ("unschedule", {}, "only a scheduled visit"),
        ("tick", {"item": 0}, ""),
        ("part", {"description": "Toner", "quantity": "1"}, "parts are recorded on site"),
        ("part", {"description": "", "quantity": "1"}, "This field is required"),
        ("checklist", {"text": ""}, "This field is required"),
        ("check-out", {"outcome": "done", "summary": "x"}, "check in on site"),
        ("check-out", {"outcome": "gone"}, "Select a valid choice"),
        ("cancel", {"reason": ""}, "This field is required"),
        ("signoff-link", {}, "once the technician is on site"),
    ],
)
def test_button_errors_on_an_unscheduled_visit(page, visit, action, data, error):
    answer = page.post(url(visit, action), data)
    if action == "tick":
        assert answer.status_code == 404  # no such item
        return
    assert answer.status_code == 400, answer.content.decode()[:300]
    assert error in answer.content.decode().replace("&#x27;", "'")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.UNSCHEDULED and not visit.parts.exists()
    assert not OutboundMail.objects.exists()


def test_tick_refused_off_site_is_a_form_error(page, visit, alice):
    item = visits.add_checklist_item(alice, visit, "Swap the toner")
    answer = page.post(url(visit, "tick"), {"item": item.pk, "done": "on"})
    assert answer.status_code == 400 and "check in first" in answer.content.decode()


def test_check_out_no_access_needs_a_note_and_needs_another_makes_a_follow_up(page, on_site):
    answer = page.post(url(on_site, "check-out"), {"outcome": "no_access"})
    assert answer.status_code == 400 and "say why there was no access" in answer.content.decode()
    answer = page.post(
        url(on_site, "check-out"),
        {"outcome": "needs_another", "summary": "Diagnosed", "note": "Order a board"},
    )
    assert answer.status_code == 302
    on_site.refresh_from_db()
    assert on_site.status == VisitStatus.NEEDS_ANOTHER and on_site.follow_up is not None
    assert url(on_site.follow_up) in page.get(url(on_site)).content.decode()


def test_unschedule_and_cancel(page, visit, alice, leo, acme):
    clear(leo, acme)
    scheduling.schedule(alice, visit, leo, NOW)
    assert page.post(url(visit, "unschedule")).status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.UNSCHEDULED and visit.technician is None
    assert page.post(url(visit, "cancel"), {"reason": "Fixed by phone"}).status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED
    assert "Nothing more to do" in page.get(url(visit)).content.decode()


def test_an_unknown_action_is_404(page, visit):
    assert page.post(url(visit, "explode")).status_code == 404  # not one of the page's paths
    assert page.get(url(visit, "cancel")).status_code == 405


def test_the_signature_is_shown_through_the_attachment_view(page, on_site, leo):
    visits.sign_on_phone(leo, on_site, "Carol Customer", PNG)
    on_site.refresh_from_db()
    html = page.get(url(on_site)).content.decode()
    src = f"/tickets/files/{on_site.signature.public_id}/"
    assert "Signed by <strong>Carol Customer</strong>" in html and src in html
    assert "Mail the sign-off link" not in html
    image = page.get(src)
    assert image.status_code == 200 and b"".join(image.streaming_content) == PNG


def test_the_timeline_reads_visit_events(page, on_site):
    html = page.get(f"/tickets/{on_site.ticket.number}/").content.decode()
    assert f'href="/field/visits/{on_site.public_id}/">Visit {on_site.public_id}</a>' in html
    assert "On-site visit requested at HQ" in html and "arrived at HQ" in html
