"""The recurring pages: the list per client, create and edit with the preview of the next
occurrences (htmx fragment and the no-JavaScript button), the schedule page with its history
and pause/resume; form errors naming the field; tenancy (another client's schedule is a 404,
customers go to the portal or get 403)."""

from datetime import UTC, datetime

import pytest

from deskside.core import clock
from deskside.recurring import worker
from deskside.recurring.models import Schedule
from tests.recurring.conftest import PATCHING

pytestmark = pytest.mark.django_db


def form(acme, **extra):
    return {
        "organization": acme.pk,
        "name": "Patching",
        "rule": PATCHING,
        "starts_at_local": "2026-01-01T22:00",
        "timezone": "",
        "missed_policy": "catch_up_once",
        "subject": "Monthly patching",
        "priority": "4",
        "requester": "carol@acme.example",
        "action": "save",
        **extra,
    }


def test_create_with_preview_then_the_schedule_page(now, signed_in, alice, acme, carol):
    web = signed_in(alice)
    page = web.get("/recurring/new/?client=acme")
    assert page.status_code == 200 and b"The next occurrences" in page.content
    fragment = web.post("/recurring/preview/", form(acme))
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert "Tue 12 Jan 2027, 22:00 EST" in text and "13 Jan 2027, 03:00 UTC" in text
    assert text.count("<tr>") == 6  # the header and five occurrences
    bad = web.post("/recurring/preview/", form(acme, rule="FREQ=MINUTELY"))
    assert "too frequent" in bad.content.decode()
    no_js = web.post("/recurring/new/", form(acme, action="preview"))
    assert no_js.status_code == 200 and "Tue 12 Jan 2027, 22:00 EST" in no_js.content.decode()
    assert not Schedule.objects.exists()  # a preview saves nothing
    saved = web.post("/recurring/new/", form(acme))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    schedule = Schedule.objects.get()
    assert saved["Location"] == f"/recurring/{schedule.public_id}/"
    assert schedule.timezone == "America/New_York" and schedule.created_by == alice
    shown = web.get(saved["Location"]).content.decode()
    assert "Monthly, 2nd Tuesday at 22:00" in shown and "Tue 12 Jan 2027, 22:00 EST" in shown


def test_form_errors_name_the_field(now, signed_in, alice, acme, carol, dave):
    web = signed_in(alice)
    for extra, field, words in [
        ({"rule": "FREQ=HOURLY;BYMINUTE=0,15"}, "rule", "an hour apart"),
        ({"timezone": "Atlantis/Capital"}, "timezone", "not a known time zone"),
        ({"starts_at_local": "soon"}, "starts_at_local", "Enter a date and time"),
        ({"requester": "dave@globex.example"}, "requester", "not a contact of Acme"),
        ({"requester": "nobody@x.example"}, "requester", "No person"),
        ({"name": ""}, "name", "required"),
    ]:
        answer = web.post("/recurring/new/", form(acme, **extra))
        assert answer.status_code in (400, 422), (field, answer.status_code)
        errors = answer.context["form"].errors
        assert field in errors and words in " ".join(errors[field]), (field, errors)
    assert not Schedule.objects.exists()


def test_list_edit_pause_resume_and_history(now, signed_in, alice, acme, make_schedule):
    schedule = make_schedule()
    with clock.frozen(datetime(2027, 4, 1, tzinfo=UTC)):
        worker.recurring_pass()
    web = signed_in(alice)
    listing = web.get("/recurring/").content.decode()
    assert "Acme Corp" in listing and "Patching" in listing
    assert "Tue 13 Apr 2027, 22:00" in listing  # the next run in the client's time
    ticket = schedule.occurrences.exclude(ticket=None).get().ticket
    assert ticket.number in listing
    page = web.get(f"/recurring/{schedule.public_id}/").content.decode()
    assert f"/tickets/{ticket.number}/" in page and page.count("Skipped") == 2
    edit = web.get(f"/recurring/{schedule.public_id}/edit/")
    assert edit.status_code == 200 and PATCHING in edit.content.decode()
    saved = web.post(
        f"/recurring/{schedule.public_id}/edit/",
        form(acme, name="Patching night", organization=""),
    )
    assert saved.status_code == 302
    schedule.refresh_from_db()
    assert schedule.name == "Patching night" and schedule.organization == acme
    assert web.post(f"/recurring/{schedule.public_id}/pause/").status_code == 302
    schedule.refresh_from_db()
    assert not schedule.is_active
    again = web.post(f"/recurring/{schedule.public_id}/pause/")
    assert again.status_code == 409 and "paused already" in again.content.decode()
    assert web.post(f"/recurring/{schedule.public_id}/resume/").status_code == 302
    assert web.post(f"/recurring/{schedule.public_id}/explode/").status_code == 404


def test_a_system_pause_shows_its_reason(now, signed_in, alice, leo, make_schedule):
    schedule = make_schedule(actor=leo)
    leo.is_active = False
    leo.save()
    with clock.frozen(datetime(2027, 1, 13, 3, 1, tzinfo=UTC)):
        worker.recurring_pass()
    page = signed_in(alice).get(f"/recurring/{schedule.public_id}/").content.decode()
    assert "Paused by the system" in page and "deactivated" in page


def test_tenancy(now, signed_in, make_schedule, globex, globex_only, carol, dave, acme):
    schedule = make_schedule()
    gil = signed_in(globex_only(globex))
    assert "Patching" not in gil.get("/recurring/").content.decode()
    assert gil.get(f"/recurring/{schedule.public_id}/").status_code == 404
    assert gil.get(f"/recurring/{schedule.public_id}/edit/").status_code == 404
    assert gil.post(f"/recurring/{schedule.public_id}/pause/").status_code == 404
    made = gil.post("/recurring/new/", form(acme))
    assert made.status_code == 400 and "organization" in made.context["form"].errors
    for customer in (carol, dave):
        web = signed_in(customer)
        assert web.get("/recurring/").status_code == 302  # to the portal
        assert web.get(f"/recurring/{schedule.public_id}/").status_code == 302
        assert web.post(f"/recurring/{schedule.public_id}/pause/").status_code == 403
        assert web.post("/recurring/new/", form(acme)).status_code == 403
        assert web.post("/recurring/preview/", form(acme)).status_code == 403
    schedule.refresh_from_db()
    assert schedule.is_active and Schedule.objects.count() == 1


def test_the_admin_shows_schedules_read_only(now, signed_in, admin, make_schedule):
    schedule = make_schedule()
    with clock.frozen(datetime(2027, 1, 13, 3, 1, tzinfo=UTC)):
        worker.recurring_pass()
    admin.is_superuser = True
    admin.save()
    web = signed_in(admin)
    assert web.get("/admin/recurring/schedule/").status_code == 200
    page = web.get(f"/admin/recurring/schedule/{schedule.pk}/change/").content.decode()
    assert "Patching" in page and 'name="_save"' not in page
    assert web.get("/admin/recurring/occurrence/").status_code == 200
    assert web.get("/admin/recurring/schedule/add/").status_code == 403
