"""Pages never reach an internal address: an Apprise URL pointing at one is refused on save
(page and API, naming the field), and at send time when its name turned internal after
saving (DNS rebinding), for HTTP plugins and the SMTP (mailto://) one alike: the page fails
with the reason, the chain goes on, and no connection is attempted. A test send that is
refused answers normally (never a 500). Agents set their own contact methods only (admins
anyone's); test sends are rate-limited per person."""

from datetime import timedelta

import pytest
from django.urls import reverse

from deskside.core import ratelimit
from deskside.core.clock import frozen
from deskside.paging import services
from deskside.paging.exceptions import InvalidInput, NotAllowed
from deskside.paging.models import ContactMethod, Page
from deskside.paging.worker import paging_pass
from deskside.tickets.models import EventKind
from tests.conftest import INTERNAL_NAMES, PUBLIC_ADDRESS, client_for, login
from tests.paging.conftest import T0

REBIND = "notify.rebind.example.net"
API = "/api/v1/paging/contact-methods"

# Apprise URLs whose host is the user's to choose: HTTP plugins and SMTP.
URLS = {
    "json": (f"json://{REBIND}/hook", 80),
    "ntfy": (f"ntfy://{REBIND}/alerts", 80),
    "gotify": (f"gotify://{REBIND}/AbCdEfGhIjKlMnO", 80),
    "mailto": (f"mailto://pager:pw@{REBIND}?to=oncall@example.com&from=desk@example.com", 25),
}


@pytest.mark.parametrize("plugin", sorted(URLS))
@pytest.mark.parametrize("name", ["ten.example.net", "metadata.example.net", "v6ula.example.net"])
def test_a_name_that_turns_internal_is_refused_at_send_time(
    connects, stub_dns, p1, at, alice, leo, plugin, name
):
    url, _ = URLS[plugin]
    stub_dns.names[REBIND] = [PUBLIC_ADDRESS]
    services.add_contact_method(actor=alice, user=alice, kind="apprise", address=url)
    stub_dns.names[REBIND] = stub_dns.names[name]

    paging_pass()

    assert connects == []
    page = Page.objects.get(ticket=p1)
    assert page.status == "failed"
    assert page.error.startswith(f"not sent: {REBIND} points at an internal address")
    assert p1.events.filter(kind=EventKind.PAGE_FAILED).exists()
    at(T0 + timedelta(minutes=5))
    paging_pass()  # the chain goes on to the next step
    assert Page.objects.filter(ticket=p1, user=leo).exists()


@pytest.mark.parametrize("plugin", sorted(URLS))
def test_a_public_host_is_connected_to_as_checked(connects, stub_dns, p1, alice, plugin):
    url, port = URLS[plugin]
    stub_dns.names[REBIND] = [PUBLIC_ADDRESS]
    services.add_contact_method(actor=alice, user=alice, kind="apprise", address=url)
    paging_pass()
    assert connects and set(connects) == {(PUBLIC_ADDRESS, port)}
    page = Page.objects.get(ticket=p1)
    assert page.status == "failed" and "internal" not in page.error


def test_the_allow_list_permits_an_internal_ntfy(connects, settings, p1, alice):
    settings.DESKSIDE_OUTBOUND_ALLOW = ["*.example.net"]
    services.add_contact_method(
        actor=alice, user=alice, kind="apprise", address="ntfy://home.example.net/pages"
    )
    paging_pass()
    assert set(connects) == {("192.168.1.20", 80)}


@pytest.mark.parametrize(
    "url",
    [
        "json://127.0.0.1:8000/admin",
        "json://169.254.169.254/latest",
        "ntfy://10.0.0.5/alerts",
        "gotify://[fe80::1]/AbCdEfGhIjKlMnO",
        "mailto://u:p@192.168.1.2?to=a@example.com",
        *(f"json://{name}/x" for name in sorted(INTERNAL_NAMES)),
    ],
)
def test_an_internal_apprise_url_is_refused_on_save(connects, alice, url):
    with pytest.raises(InvalidInput, match="points at an internal address") as caught:
        services.add_contact_method(actor=alice, user=alice, kind="apprise", address=url)
    assert caught.value.field == "address"
    assert not ContactMethod.objects.exists() and connects == []


def test_token_only_urls_send_no_token_to_dns(connects, stub_dns, alice):
    services.add_contact_method(
        actor=alice, user=alice, kind="apprise", address="tgram://123456789:AAbbCCddEE/12345"
    )
    assert stub_dns.asked == []


def test_the_api_and_the_page_name_the_field(connects, alice):
    response = client_for(alice).post(
        API, {"kind": "apprise", "address": "json://metadata.example.net/"}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "address"
    assert "points at an internal address" in response.json()["detail"]

    page = login(alice).post(
        reverse("paging:contacts"), {"kind": "apprise", "address": "json://10.1.1.1/", "label": ""}
    )
    assert page.status_code == 422
    assert b"points at an internal address" in page.content


def test_a_refused_test_send_is_an_answer_not_an_error(connects, stub_dns, alice):
    stub_dns.names[REBIND] = [PUBLIC_ADDRESS]
    method = services.add_contact_method(
        actor=alice, user=alice, kind="apprise", address=f"json://{REBIND}/x"
    )
    stub_dns.names[REBIND] = ["127.0.0.1"]
    response = client_for(alice).post(f"{API}/{method.public_id}/test")
    assert response.status_code == 200
    assert response.json()["delivered"] is False
    assert "points at an internal address" in response.json()["detail"]

    page = login(alice).post(
        reverse("paging:contact_action", args=[method.public_id]), {"action": "test"}, follow=True
    )
    assert page.status_code == 200 and b"points at an internal address" in page.content
    assert connects == []


# -- whose contact methods ---------------------------------------------------------------------


@pytest.fixture
def alices(alice):
    return services.add_contact_method(
        actor=alice, user=alice, kind="email", address="alice.pager@example.com"
    )


def test_an_agent_cannot_touch_another_agents_contact_methods(connects, alices, alice, leo):
    api = client_for(leo)
    url = f"{API}/{alices.public_id}"
    assert api.patch(url, {"address": "json://evil.example.net/"}).status_code == 404
    assert api.delete(url).status_code == 404
    assert api.post(f"{url}/test").status_code == 404
    assert [m["id"] for m in api.get(API).json()] == []

    page = login(leo)
    for action in ("delete", "toggle", "test", "up"):
        response = page.post(
            reverse("paging:contact_action", args=[alices.public_id]), {"action": action}
        )
        assert response.status_code == 404
    alices.refresh_from_db()
    assert alices.address == "alice.pager@example.com" and alices.is_active

    with pytest.raises(NotAllowed):
        services.add_contact_method(actor=leo, user=alice, kind="email", address="x@example.com")
    with pytest.raises(NotAllowed):
        services.update_contact_method(actor=leo, method=alices, address="x@example.com")
    assert connects == []


def test_an_admin_may_change_anyones_contact_methods(alices, admin, alice):
    response = client_for(admin).patch(f"{API}/{alices.public_id}", {"label": "Pager"})
    assert response.status_code == 200
    alices.refresh_from_db()
    assert alices.label == "Pager"


# -- rate limit of test sends ------------------------------------------------------------------


def test_test_sends_are_rate_limited_per_person(connects, stub_dns, alice, leo):
    stub_dns.names[REBIND] = [PUBLIC_ADDRESS]
    method = services.add_contact_method(
        actor=alice, user=alice, kind="apprise", address=f"json://{REBIND}/x"
    )
    api = client_for(alice)
    url = f"{API}/{method.public_id}/test"
    start = T0
    with frozen(start):
        for _ in range(ratelimit.LIMIT):
            assert api.post(url).status_code == 200
        refused = api.post(url)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(int(ratelimit.WINDOW.total_seconds()))
    assert "too many test sends" in refused.json()["detail"]
    sent = len(connects)
    with frozen(start + timedelta(minutes=1)):
        page = login(alice).post(
            reverse("paging:contact_action", args=[method.public_id]),
            {"action": "test"},
            follow=True,
        )
    assert b"too many test sends" in page.content
    assert len(connects) == sent  # nothing sent while limited

    # Another person has their own count.
    leos = services.add_contact_method(
        actor=leo, user=leo, kind="apprise", address=f"json://{REBIND}/y"
    )
    with frozen(start + timedelta(minutes=1)):
        assert client_for(leo).post(f"{API}/{leos.public_id}/test").status_code == 200
    with frozen(start + ratelimit.WINDOW):
        assert api.post(url).status_code == 200
