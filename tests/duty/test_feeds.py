"""The iCalendar feeds: they parse with `icalendar`, carry one event per shift with stable UIDs
and UTC times, need no login but the right token (else 404), and a person's feed holds only
that person's shifts across schedules."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from deskside.core import clock
from deskside.duty import services
from deskside.duty.models import PersonFeed
from tests.conftest import login
from tests.duty.conftest import BERLIN

NOW = datetime(2026, 3, 11, 12, tzinfo=BERLIN)


def fetch(url):
    response = Client().get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events(cal):
    return [c for c in cal.walk("VEVENT")]


def test_schedule_feed_has_every_shift_in_utc_with_stable_uids(weekly, alice, leo, tara):
    url = reverse("duty:schedule_feed", args=[weekly.public_id, weekly.feed_token])
    with clock.frozen(NOW):
        cal = fetch(url)
        again = fetch(url)
    assert str(cal["X-WR-CALNAME"]) == "On call: Primary"
    assert "REFRESH-INTERVAL" in cal and "X-PUBLISHED-TTL" in cal
    found = events(cal)
    # The layer starts 2 March (9 days back); 90 days ahead is 9 June: weeks from 2
    # March to 8 June, the last one cut at the window's end.
    assert len(found) == 15
    assert found[-1].decoded("DTEND") == datetime(2026, 6, 10, tzinfo=UTC)  # the midnight after
    first = found[0]
    assert str(first["SUMMARY"]) == "Alice Agent on call"
    assert first.decoded("DTSTART") == datetime(2026, 3, 2, 8, tzinfo=UTC)
    assert first.decoded("DTSTART").tzinfo is not None
    assert first.decoded("DTSTART").utcoffset() == timedelta(0)
    assert "DTSTART:20260302T080000Z" in cal.to_ical().decode()
    assert [str(e["UID"]) for e in found] == [str(e["UID"]) for e in events(again)]
    assert len({str(e["UID"]) for e in found}) == len(found)
    names = [str(e["SUMMARY"]) for e in found[:4]]
    assert names == [
        "Alice Agent on call",
        "Leo Field on call",
        "Tara Lead on call",
        "Alice Agent on call",
    ]


def test_overrides_show_in_the_feed(weekly, admin, dora):
    with clock.frozen(NOW):
        services.create_override(
            actor=admin,
            schedule=weekly,
            user=dora,
            starts_at=datetime(2026, 3, 12, 9, tzinfo=BERLIN),
            ends_at=datetime(2026, 3, 12, 17, tzinfo=BERLIN),
        )
        cal = fetch(reverse("duty:schedule_feed", args=[weekly.public_id, weekly.feed_token]))
    dora_events = [e for e in events(cal) if "Dora" in str(e["SUMMARY"])]
    assert len(dora_events) == 1
    assert dora_events[0].decoded("DTEND") == datetime(2026, 3, 12, 16, tzinfo=UTC)


def test_wrong_or_old_token_is_404(weekly, admin):
    assert (
        Client().get(reverse("duty:schedule_feed", args=[weekly.public_id, "nope"])).status_code
        == 404
    )
    assert (
        Client()
        .get(reverse("duty:schedule_feed", args=["nosuchid", weekly.feed_token]))
        .status_code
        == 404
    )
    old = weekly.feed_token
    services.regenerate_schedule_feed(actor=admin, schedule=weekly)
    assert (
        Client().get(reverse("duty:schedule_feed", args=[weekly.public_id, old])).status_code == 404
    )
    assert Client().get(reverse("duty:person_feed", args=["nope"])).status_code == 404


def test_person_feed_across_schedules(weekly, make_schedule, make_layer, admin, alice, leo):
    other = make_schedule("Network", "UTC")
    make_layer(other, [leo, alice], datetime(2026, 3, 2, tzinfo=UTC), shift_unit="days")
    client = login(alice)
    with clock.frozen(NOW):
        assert client.post(reverse("duty:my_feed")).status_code == 302
        feed = PersonFeed.objects.get(user=alice)
        page = client.get(reverse("duty:index")).content.decode()
        assert feed.token in page
        cal = fetch(reverse("duty:person_feed", args=[feed.token]))
    found = events(cal)
    summaries = {str(e["SUMMARY"]) for e in found}
    assert summaries == {"On call: Primary", "On call: Network"}
    assert str(cal["X-WR-CALNAME"]) == "Alice Agent on call"
    starts = [e.decoded("DTSTART") for e in found]
    assert starts == sorted(starts)
    # Alice has every other day on Network and every third week on Primary.
    assert all("Alice" in str(e["DESCRIPTION"]) for e in found)
    old = feed.token
    with clock.frozen(NOW):
        client.post(reverse("duty:my_feed"), {"regenerate": "1"})
    assert Client().get(reverse("duty:person_feed", args=[old])).status_code == 404


@pytest.mark.parametrize("persona", ["carol", "dave"])
def test_customers_cannot_get_a_feed(weekly, persona, request):
    client = login(request.getfixturevalue(persona))
    assert client.post(reverse("duty:my_feed")).status_code == 403
    assert not PersonFeed.objects.exists()


def test_uids_stay_the_same_as_the_window_moves(weekly):
    """A shift running across "30 days ago" keeps its true start (and UID) between fetches
    an hour or a day apart; the last one ends at a midnight, not at the second of the fetch."""
    url = reverse("duty:schedule_feed", args=[weekly.public_id, weekly.feed_token])
    later = datetime(2026, 5, 20, 10, 17, tzinfo=UTC)
    with clock.frozen(later):
        first = events(fetch(url))
    with clock.frozen(later + timedelta(hours=1, minutes=3)):
        second = events(fetch(url))
    with clock.frozen(later + timedelta(days=1)):
        third = events(fetch(url))
    assert [str(e["UID"]) for e in first] == [str(e["UID"]) for e in second]
    assert str(first[0]["UID"]) == str(third[0]["UID"])
    # 30 days before 20 May 10:17 is 20 April 10:17, inside the week from Monday 20 April.
    assert first[0].decoded("DTSTART") == datetime(2026, 4, 20, 7, tzinfo=UTC)
    assert first[-1].decoded("DTEND") == datetime(2026, 8, 19, tzinfo=UTC)


def _monday_0900_berlin(instant: datetime) -> bool:
    local = instant.astimezone(BERLIN)
    return (local.weekday(), local.hour, local.minute) == (0, 9, 0)


def test_one_member_layer_gives_an_event_per_turn_at_real_handoffs(
    make_schedule, make_layer, alice
):
    """A one-member weekly layer used to come out as one event starting at the feed's
    cut-off, with a UID that changed every month. Each turn is now its own event, starting at
    its real Monday 09:00 hand-off, with the same UID a month later."""
    schedule = make_schedule("Solo", "Europe/Berlin")
    make_layer(schedule, [alice], datetime(2026, 3, 2, 9, tzinfo=BERLIN), shift_unit="weeks")
    url = reverse("duty:schedule_feed", args=[schedule.public_id, schedule.feed_token])
    june = datetime(2026, 6, 10, 12, tzinfo=UTC)
    with clock.frozen(june):
        before = events(fetch(url))
    with clock.frozen(june + timedelta(days=31)):
        after = events(fetch(url))
    assert all(_monday_0900_berlin(e.decoded("DTSTART")) for e in before + after)
    # 30 days before 10 June 12:00 UTC is Monday 11 May, after its 09:00 hand-off.
    assert before[0].decoded("DTSTART") == datetime(2026, 5, 11, 7, tzinfo=UTC)
    assert after[0].decoded("DTSTART") == datetime(2026, 6, 8, 7, tzinfo=UTC)
    assert all(e.decoded("DTEND") - e.decoded("DTSTART") == timedelta(weeks=1) for e in before[:-1])
    uids_before = {e.decoded("DTSTART"): str(e["UID"]) for e in before}
    uids_after = {e.decoded("DTSTART"): str(e["UID"]) for e in after}
    common = set(uids_before) & set(uids_after)
    assert len(common) >= 12
    assert all(uids_before[start] == uids_after[start] for start in common)
    assert len(set(uids_before.values())) == len(before)


def test_a_member_listed_twice_in_a_row_gives_two_events(make_schedule, make_layer, alice, leo):
    schedule = make_schedule("Twice", "Europe/Berlin")
    make_layer(schedule, [alice, alice, leo], datetime(2026, 3, 2, 9, tzinfo=BERLIN))
    url = reverse("duty:schedule_feed", args=[schedule.public_id, schedule.feed_token])
    with clock.frozen(NOW):
        found = events(fetch(url))
    starts = [e.decoded("DTSTART") for e in found[:3]]
    assert starts == [datetime(2026, 3, d, 8, tzinfo=UTC) for d in (2, 9, 16)]
    assert [str(e["SUMMARY"]) for e in found[:3]] == [
        "Alice Agent on call",
        "Alice Agent on call",
        "Leo Field on call",
    ]


def test_a_long_override_keeps_its_real_start_and_uid(weekly, admin, dora):
    """An override of 100 days running across "30 days ago": DTSTART is its own start, not
    the feed's cut-off, and its UID does not change as the window moves."""
    start = datetime(2026, 3, 12, 9, tzinfo=BERLIN)
    with clock.frozen(NOW):
        services.create_override(
            actor=admin,
            schedule=weekly,
            user=dora,
            starts_at=start,
            ends_at=start + timedelta(days=100),
        )
    url = reverse("duty:schedule_feed", args=[weekly.public_id, weekly.feed_token])
    uids = set()
    for moment in (datetime(2026, 4, 14, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)):
        with clock.frozen(moment):
            dora_events = [e for e in events(fetch(url)) if "Dora" in str(e["SUMMARY"])]
        assert [e.decoded("DTSTART") for e in dora_events] == [start]
        uids.add(str(dora_events[0]["UID"]))
    assert len(uids) == 1


def test_person_feed_starts_at_real_handoffs(make_schedule, make_layer, alice):
    schedule = make_schedule("Solo", "Europe/Berlin")
    make_layer(schedule, [alice], datetime(2026, 3, 2, 9, tzinfo=BERLIN))
    client = login(alice)
    with clock.frozen(datetime(2026, 6, 10, 12, tzinfo=UTC)):
        client.post(reverse("duty:my_feed"))
        found = events(fetch(reverse("duty:person_feed", args=[alice.oncall_feed.token])))
    assert found[0].decoded("DTSTART") == datetime(2026, 5, 11, 7, tzinfo=UTC)
    assert all(_monday_0900_berlin(e.decoded("DTSTART")) for e in found)


def test_head_answers_like_get_without_a_body(weekly):
    """Calendar apps and uptime monitors probe a feed with HEAD; it used to answer 405 HTML."""
    url = reverse("duty:schedule_feed", args=[weekly.public_id, weekly.feed_token])
    with clock.frozen(NOW):
        get = Client().get(url)
        head = Client().head(url)
    assert head.status_code == 200
    assert head.content == b""
    for header in ("Content-Type", "Content-Disposition", "Cache-Control"):
        assert head[header] == get[header]
    assert (
        Client().head(reverse("duty:schedule_feed", args=[weekly.public_id, "nope"])).status_code
        == 404
    )


def test_head_on_a_person_feed(weekly, alice):
    feed = services.person_feed(actor=alice)
    with clock.frozen(NOW):
        head = Client().head(reverse("duty:person_feed", args=[feed.token]))
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Type"].startswith("text/calendar")
    assert Client().post(reverse("duty:person_feed", args=[feed.token])).status_code == 405


def test_feed_addresses_on_the_page_follow_the_request_or_the_setting(
    weekly, alice, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    settings.DESKSIDE_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["desk.lan"]
    feed = services.person_feed(actor=alice)
    path = reverse("duty:person_feed", args=[feed.token])
    client = login(alice)
    with clock.frozen(NOW):
        page = client.get(reverse("duty:index"), HTTP_HOST="desk.lan:9000").content.decode()
        assert f"http://desk.lan:9000{path}" in page
        assert f"webcal://desk.lan:9000{path}" in page
        settings.DESKSIDE_BASE_URL = "https://desk.example.com"
        page = client.get(reverse("duty:index"), HTTP_HOST="desk.lan:9000").content.decode()
    assert f"https://desk.example.com{path}" in page
