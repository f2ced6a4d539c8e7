"""The on-call pages: agents read everything, administrators set schedules and layers up,
any agent overrides for themselves and proposes swaps, the partner accepts; customers never
reach any of it."""

from datetime import datetime

import pytest
from django.test import Client
from django.urls import reverse

from deskside.core import clock
from deskside.duty import services
from deskside.duty.models import Layer, Override, Schedule, Swap
from tests.conftest import login
from tests.duty.conftest import BERLIN, UTC

NOW = datetime(2026, 3, 4, 12, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen(NOW):
        yield


def test_index_shows_who_is_on_call_now_and_the_next_handoff(weekly, alice):
    page = login(alice).get(reverse("duty:index"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Primary" in text and "Alice Agent" in text and "Leo Field" in text
    assert "Mon 9 Mar 08:00" in text  # 09:00 in Berlin, shown in Alice's zone (UTC)


def test_schedule_page_with_calendar_layers_and_lookup(weekly, alice, leo):
    client = login(alice)
    page = client.get(reverse("duty:schedule", args=[weekly.slug]))
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('class="oc-track"') == 14  # two weeks
    assert "oc-band layer" in text
    assert weekly.feed_token in text
    assert "Weekly" in text
    four = client.get(
        reverse("duty:schedule", args=[weekly.slug]), {"weeks": 4, "start": "2026-03-09"}
    )
    assert four.content.decode().count('class="oc-track"') == 28
    assert "9 Mar – 5 Apr 2026" in four.content.decode()
    lookup = client.get(reverse("duty:schedule", args=[weekly.slug]), {"at": "2026-03-10T12:00"})
    assert 'id="at-result"' in lookup.content.decode()
    assert "<strong>Leo Field</strong>" in lookup.content.decode().split('id="at-result"')[1]


def test_band_positions_follow_the_shift(make_schedule, make_layer, alice):
    schedule = make_schedule()
    make_layer(
        schedule,
        [alice],
        datetime(2026, 3, 2, 9, tzinfo=BERLIN),
        restrictions=[{"days": [0], "start": "06:00", "end": "18:00"}],
    )
    text = (
        login(alice)
        .get(reverse("duty:schedule", args=[schedule.slug]), {"start": "2026-03-02", "weeks": 1})
        .content.decode()
    )
    # Monday: 09:00 (the layer's start) to 18:00 = 37.5% to 75% of the day, as classes of the
    # geometry scale (tenths of a percent; no style attribute under the CSP).
    assert "gx-l-375 gx-w-375" in text


def test_admin_creates_a_schedule_and_a_layer_through_the_pages(admin, alice, leo):
    client = login(admin)
    response = client.post(
        reverse("duty:schedule_new"),
        {"name": "Service desk", "timezone": "Europe/Berlin", "description": ""},
    )
    schedule = Schedule.objects.get(name="Service desk")
    assert response.status_code == 302 and response.url == reverse(
        "duty:layer_new", args=[schedule.slug]
    )
    assert client.get(response.url).status_code == 200
    response = client.post(
        reverse("duty:layer_new", args=[schedule.slug]),
        {
            "name": "Nights",
            "position": 1,
            "timezone": "",
            "starts_at": "2026-03-02T18:00",
            "shift_length": 1,
            "shift_unit": "weeks",
            "members": "leo@msp.example\nalice@msp.example",
            "restrictions": "Mon-Fri 18:00-08:00\nSat,Sun 0:00-24:00",
        },
    )
    assert response.status_code == 302, response.content.decode()
    layer = Layer.objects.get(schedule=schedule)
    assert layer.starts_at == datetime(2026, 3, 2, 18, tzinfo=BERLIN)  # read in the layer's zone
    assert [m.user for m in layer.members.all()] == [leo, alice]
    assert layer.restrictions == [
        {"days": [0, 1, 2, 3, 4], "start": "18:00", "end": "08:00"},
        {"days": [5, 6], "start": "00:00", "end": "24:00"},
    ]
    edit = client.get(reverse("duty:layer_edit", args=[schedule.slug, layer.pk]))
    assert "Mon-Fri 18:00-08:00" in edit.content.decode()
    bad = client.post(
        reverse("duty:layer_edit", args=[schedule.slug, layer.pk]),
        {
            "name": "Nights",
            "position": 1,
            "starts_at": "2026-03-02T18:00",
            "shift_length": 1,
            "shift_unit": "weeks",
            "members": "nobody@msp.example",
            "restrictions": "Someday 1-2",
        },
    )
    assert bad.status_code == 422
    assert "no agent with the address nobody@msp.example" in bad.content.decode()
    assert "line 1" in bad.content.decode()
    response = client.post(
        reverse("duty:schedule_edit", args=[schedule.slug]),
        {"name": "Desk", "slug": "desk", "timezone": "UTC"},
    )
    assert response.status_code == 302
    assert (
        client.post(
            reverse("duty:layer_edit", args=["desk", layer.pk]), {"delete": "1"}
        ).status_code
        == 302
    )
    assert not Layer.objects.exists()
    assert client.post(reverse("duty:schedule_delete", args=["desk"])).status_code == 302
    assert not Schedule.objects.exists()


def test_schedule_form_errors_stay_on_the_page(admin, weekly):
    response = login(admin).post(
        reverse("duty:schedule_new"), {"name": "Primary", "timezone": "UTC"}
    )
    assert response.status_code == 422
    assert "exists" in response.content.decode()


def test_non_admin_agents_read_but_do_not_set_up(weekly, alice):
    client = login(alice)
    layer = weekly.layers.get()
    assert client.get(reverse("duty:schedule_new")).status_code == 403
    assert client.get(reverse("duty:schedule_edit", args=[weekly.slug])).status_code == 403
    assert client.get(reverse("duty:layer_new", args=[weekly.slug])).status_code == 403
    assert (
        client.post(
            reverse("duty:layer_edit", args=[weekly.slug, layer.pk]), {"delete": "1"}
        ).status_code
        == 403
    )
    assert client.post(reverse("duty:schedule_delete", args=[weekly.slug])).status_code == 403
    assert client.post(reverse("duty:schedule_feed_reset", args=[weekly.slug])).status_code == 403
    assert Layer.objects.exists()


def test_override_and_swap_through_the_pages(weekly, alice, leo):
    client = login(alice)
    response = client.post(
        reverse("duty:override_add", args=[weekly.slug]),
        {
            "user": alice.pk,
            "starts_at": "2026-03-10T08:00",
            "ends_at": "2026-03-10T20:00",
            "reason": "swap day",
        },
    )
    assert response.status_code == 302
    override = Override.objects.get()
    assert override.starts_at == datetime(2026, 3, 10, 8, tzinfo=UTC)  # Alice's zone is UTC
    # someone else: refused on the form
    refused = client.post(
        reverse("duty:override_add", args=[weekly.slug]),
        {"user": leo.pk, "starts_at": "2026-03-10T08:00", "ends_at": "2026-03-10T20:00"},
    )
    assert refused.status_code == 422
    assert "only administrators may put someone else on call" in refused.content.decode()
    assert (
        client.post(reverse("duty:override_delete", args=[weekly.slug, override.pk])).status_code
        == 302
    )
    assert not Override.objects.exists()

    response = client.post(
        reverse("duty:swap_propose", args=[weekly.slug]),
        {"partner": leo.pk, "starts_at": "2026-03-05T00:00", "ends_at": "2026-03-06T00:00"},
    )
    assert response.status_code == 302
    swap = Swap.objects.get()
    # Alice may not accept her own proposal; Leo may.
    assert (
        client.post(reverse("duty:swap_decide", args=[weekly.slug, swap.pk, "accept"])).status_code
        == 403
    )
    page = login(leo).get(reverse("duty:schedule", args=[weekly.slug])).content.decode()
    assert reverse("duty:swap_decide", args=[weekly.slug, swap.pk, "accept"]) in page
    assert (
        login(leo)
        .post(reverse("duty:swap_decide", args=[weekly.slug, swap.pk, "accept"]))
        .status_code
        == 302
    )
    swap.refresh_from_db()
    assert swap.status == Swap.Status.ACCEPTED
    again = login(leo).post(
        reverse("duty:swap_decide", args=[weekly.slug, swap.pk, "decline"]), follow=True
    )
    assert "accepted already" in again.content.decode()
    bad = client.post(
        reverse("duty:swap_propose", args=[weekly.slug]),
        {"partner": leo.pk, "starts_at": "2026-03-06T00:00", "ends_at": "2026-03-05T00:00"},
    )
    assert bad.status_code == 422 and "the end must be after the start" in bad.content.decode()


def test_report_page_shows_gaps_and_hours(make_schedule, make_layer, alice, leo):
    schedule = make_schedule()
    make_layer(
        schedule,
        [alice, leo],
        datetime(2026, 3, 2, 9, tzinfo=BERLIN),
        shift_unit="days",
        restrictions=[{"days": [0, 1, 2, 3, 4], "start": "18:00", "end": "08:00"}],
    )
    page = login(alice).get(
        reverse("duty:report", args=[schedule.slug]), {"start": "2026-03-02", "end": "2026-03-08"}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Alice Agent" in text and "Leo Field" in text
    assert "oc-bar" in text and "No gaps" not in text
    assert "70 h" in text  # five nights of 14 hours
    report = page.context["report"]
    assert {r.user: r.hours for r in report.rows} == {alice: 42.0, leo: 28.0}
    assert report.gaps[0][0] == datetime(2026, 3, 2, tzinfo=BERLIN)
    bad = login(alice).get(
        reverse("duty:report", args=[schedule.slug]), {"start": "2026-03-08", "end": "2026-03-02"}
    )
    assert bad.status_code == 200 and "the period ends before it starts" in bad.content.decode()


@pytest.mark.parametrize("persona", ["carol", "dave", "olivia"])
def test_customers_never_reach_the_pages(weekly, persona, request):
    client = login(request.getfixturevalue(persona))
    layer = weekly.layers.get()
    for name, args in [
        ("duty:index", []),
        ("duty:schedule", [weekly.slug]),
        ("duty:report", [weekly.slug]),
        ("duty:schedule_new", []),
        ("duty:layer_edit", [weekly.slug, layer.pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and "/oncall" not in response.url
    for name, args in [
        ("duty:override_add", [weekly.slug]),
        ("duty:swap_propose", [weekly.slug]),
        ("duty:my_feed", []),
        ("duty:schedule_delete", [weekly.slug]),
    ]:
        assert client.post(reverse(name, args=args)).status_code == 403
    assert Schedule.objects.exists()


def test_anonymous_goes_to_login(weekly):
    response = Client().get(reverse("duty:index"))
    assert response.status_code == 302 and "login" in response.url


def test_calendar_and_report_count_real_hours_on_dst_days(make_schedule, make_layer, alice, leo):
    """Sunday 29 March 2026 has 23 hours in Berlin: a hand-off at 12:00 local sits 11/23 of
    the way along the day, and March has 743 hours, not 744."""
    schedule = make_schedule()
    make_layer(schedule, [alice, leo], datetime(2026, 3, 1, 12, tzinfo=BERLIN), shift_unit="days")
    client = login(alice)
    page = client.get(
        reverse("duty:schedule", args=[schedule.slug]), {"start": "2026-03-29", "weeks": 1}
    )
    first_row = page.context["days"][0]
    assert first_row.day.isoformat() == "2026-03-29"
    assert [round(b.left, 3) for b in first_row.bands] == [0, round(11 / 23 * 100, 3)]
    assert round(sum(b.width for b in first_row.bands), 2) == 100
    report = client.get(
        reverse("duty:report", args=[schedule.slug]), {"start": "2026-03-01", "end": "2026-03-31"}
    ).context["report"]
    assert report.total_hours == 743
    assert report.covered_hours == 743 - 12  # from 1 March 12:00
    assert (
        "1 Mar 2026 – 31 Mar 2026"
        in client.get(
            reverse("duty:report", args=[schedule.slug]),
            {"start": "2026-03-01", "end": "2026-03-31"},
        ).content.decode()
    )


def test_index_strip_and_swaps_awaiting_an_answer(weekly, alice, leo):
    swap = services.propose_swap(
        actor=alice,
        schedule=weekly,
        partner=leo,
        starts_at=datetime(2026, 3, 5, tzinfo=BERLIN),
        ends_at=datetime(2026, 3, 6, tzinfo=BERLIN),
    )
    page = login(leo).get(reverse("duty:index"))
    text = page.content.decode()
    assert 'id="awaiting"' in text and "Alice Agent asks you to take" in text
    strip = page.context["rows"][0].upcoming
    # Now (Wed 12:00) to next Wed 12:00: Alice until Monday 09:00, then Leo.
    assert [b.user for b in strip] == [alice, leo]
    assert round(strip[0].width, 1) == round(117 / 168 * 100, 1)
    assert 'id="awaiting"' not in login(alice).get(reverse("duty:index")).content.decode()
    services.accept_swap(actor=leo, swap=swap)
    assert 'id="awaiting"' not in login(leo).get(reverse("duty:index")).content.decode()


def test_a_first_handoff_in_the_spring_gap_is_an_error_on_the_layer_form(admin, weekly):
    response = login(admin).post(
        reverse("duty:layer_new", args=[weekly.slug]),
        {
            "name": "Nights",
            "position": 1,
            "timezone": "",
            "starts_at": "2026-03-29T02:30",
            "shift_length": 1,
            "shift_unit": "days",
            "members": "leo@msp.example",
            "restrictions": "",
        },
    )
    assert response.status_code == 422
    assert "02:30 does not exist on 29 Mar 2026 in Europe/Berlin" in response.content.decode()
    assert weekly.layers.count() == 1
