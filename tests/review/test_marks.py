"""Marking a ticket reviewed: one mark per ticket and day (the reviewer's day), a note only
on the timeline when one was given, the errors, and the pages: one click with htmx swaps the
row to "done", the history per day and per reviewer."""

from datetime import timedelta

import pytest
from django.test import Client

from deskside.core import clock
from deskside.review import services
from deskside.review.exceptions import AlreadyReviewed, InvalidInput, NotAllowed, NotFound
from deskside.review.models import ReviewMark
from deskside.tickets.models import EventKind
from tests.review.conftest import T0

pytestmark = pytest.mark.django_db


def test_a_mark_without_a_note_leaves_the_timeline_alone(opened, alice, leo):
    ticket = opened(200)
    events, updated = ticket.events.count(), ticket.updated_at
    with clock.frozen(T0):
        mark = services.mark_reviewed(actor=alice, ticket=ticket)
        assert (mark.day, mark.reviewer, mark.event) == (T0.date(), alice, None)
        with pytest.raises(AlreadyReviewed, match="already reviewed today by Alice Agent"):
            services.mark_reviewed(actor=leo, ticket=ticket, note="me too")
    ticket.refresh_from_db()
    assert (ticket.events.count(), ticket.updated_at) == (events, updated)
    assert ReviewMark.objects.count() == 1


def test_a_note_is_an_internal_note_on_the_ticket(opened, alice):
    ticket = opened(200)
    with clock.frozen(T0):
        mark = services.mark_reviewed(actor=alice, ticket=ticket, note="  Chased the vendor.  ")
    note = ticket.events.get(kind=EventKind.NOTE)
    assert (note.body, note.is_public, mark.event, mark.note) == (
        "Daily review: Chased the vendor.",
        False,
        note,
        "Chased the vendor.",
    )


def test_the_day_is_the_reviewers(opened, alice):
    """At 02:00 UTC on 10 December it is still the 9th in New York."""
    ticket = opened(1)
    alice.timezone = "America/New_York"
    with clock.frozen(T0.replace(day=10, hour=2)):
        assert services.mark_reviewed(actor=alice, ticket=ticket).day == T0.date()


def test_refusals(opened, alice, carol, admin_serving, globex):
    ticket = opened(1)
    with pytest.raises(NotAllowed):
        services.mark_reviewed(actor=carol, ticket=ticket)
    with pytest.raises(NotFound):
        services.mark_reviewed(actor=admin_serving(globex, email="g@msp.example"), ticket=ticket)
    with pytest.raises(InvalidInput) as too_long:
        services.mark_reviewed(actor=alice, ticket=ticket, note="x" * 2001)
    assert too_long.value.field == "note"
    assert not ReviewMark.objects.exists()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_one_click_with_htmx_marks_and_shows_done(opened, alice, leo, at_t0):
    ticket = opened(200)
    page = signed_in(alice).get("/review/")
    assert page.status_code == 200
    assert f"Mark {ticket.number} reviewed" in page.content.decode()
    answer = signed_in(alice).post(
        f"/review/mark/{ticket.number}/", {"group": "open_long", "note": ""}, HTTP_HX_REQUEST="true"
    )
    body = answer.content.decode()
    assert answer.status_code == 200
    assert body.startswith(f'<li class="review-row review-done" id="rv-open_long-{ticket.number}"')
    assert "Reviewed by Alice Agent" in body and "<form" not in body
    again = signed_in(leo).post(
        f"/review/mark/{ticket.number}/", {"group": "no_update"}, HTTP_HX_REQUEST="true"
    )
    assert again.status_code == 200 and "already reviewed today by Alice Agent" in again.text
    assert "Reviewed by Alice Agent" in signed_in(leo).get("/review/").content.decode()


def test_pages_without_script_and_bad_input(opened, alice, carol, at_t0):
    ticket = opened(200)
    client = signed_in(alice)
    long_note = client.post(
        f"/review/mark/{ticket.number}/", {"note": "x" * 2001}, HTTP_HX_REQUEST="true"
    )
    assert long_note.status_code == 422 and "at most 2000" in long_note.text
    plain = client.post(f"/review/mark/{ticket.number}/", {"note": "ok", "next": "/review/"})
    assert plain.status_code == 302 and ReviewMark.objects.get().note == "ok"
    assert client.get("/review/?team=nope").status_code == 404
    assert client.get("/review/?client=nope").status_code == 404
    assert client.get("/review/groups/open_long/").status_code == 200
    assert client.get("/review/groups/nope/").status_code == 404
    assert signed_in(carol).get("/review/").status_code == 302  # customers go to the portal
    assert signed_in(carol).post(f"/review/mark/{ticket.number}/").status_code == 403


def test_history_per_day_and_per_reviewer(opened, alice, leo, at_t0):
    first, second = opened(200), opened(200)
    with clock.frozen(T0 - timedelta(days=1)):
        services.mark_reviewed(actor=alice, ticket=first, note="Yesterday's look")
        services.mark_reviewed(actor=leo, ticket=second)
    services.mark_reviewed(actor=alice, ticket=first)
    client = signed_in(leo)
    days = client.get("/review/history/").content.decode()
    assert days.index("Wed 9 Dec 2026") < days.index("Tue 8 Dec 2026")
    assert "Alice Agent</a> (1), <a" in days
    day = client.get("/review/history/2026-12-08/").content.decode()
    assert "Yesterday&#x27;s look" in day and second.number in day
    only_leo = client.get(f"/review/history/2026-12-08/?reviewer={leo.public_id}").text
    assert second.number in only_leo and first.number not in only_leo
    by_alice = client.get(f"/review/reviewers/{alice.public_id}/").text
    assert by_alice.count(first.number) >= 2 and second.number not in by_alice
    assert client.get("/review/history/2026-13-01/").status_code == 404
    assert client.get("/review/reviewers/nope/").status_code == 404


def test_the_review_page_reads_a_bounded_number_of_queries(
    opened, alice, at_t0, django_assert_max_num_queries
):
    """Six groups (each its page, and a capped count when it has more), today's marks of
    every ticket shown in one read, the filters' lists: no query per ticket."""
    for _ in range(12):
        services.mark_reviewed(actor=alice, ticket=opened(200))
    client = signed_in(alice)
    with django_assert_max_num_queries(24):
        page = client.get("/review/")
    assert page.content.decode().count("Reviewed by Alice Agent") == 20  # 10 in two groups


def test_the_admin_shows_marks_read_only(opened, alice, admin, at_t0):
    services.mark_reviewed(actor=alice, ticket=opened(200), note="Seen.")
    admin.is_superuser = True  # the admin site's permissions
    admin.save()
    client = signed_in(admin)
    assert client.get("/admin/review/reviewmark/").status_code == 200
    assert "Seen." in client.get("/admin/review/reviewmark/").text
    assert client.get("/admin/review/reviewmark/add/").status_code == 403
    assert client.get("/admin/review/reviewsettings/").status_code == 200
