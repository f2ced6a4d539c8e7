"""Sessions: idle expiry, the list of one's sessions, ending them, sign-out server-side."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from user_sessions.models import Session

from deskside.accounts.views import session_handle
from deskside.core import clock

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def sign_in(email, password, *, ip, agent):
    client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    response = client.post("/login/", {"username": email, "password": password})
    assert response.status_code == 302
    return client


def test_a_signed_in_session_records_user_address_and_browser(alice):
    client = sign_in(alice.email, "alice-pass-123", ip="198.51.100.20", agent=FIREFOX)
    row = Session.objects.get(user=alice)
    assert row.ip == "198.51.100.20" and row.user_agent == FIREFOX
    assert row.session_key == client.session.session_key


def test_an_agent_sees_and_ends_their_other_sessions(alice, leo):
    laptop = sign_in(alice.email, "alice-pass-123", ip="198.51.100.20", agent=FIREFOX)
    phone = sign_in(alice.email, "alice-pass-123", ip="203.0.113.8", agent=SAFARI)
    sign_in(leo.email, "leo-pass-123", ip="198.51.100.30", agent=FIREFOX)

    page = laptop.get("/account/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "198.51.100.20" in html and "203.0.113.8" in html
    assert "198.51.100.30" not in html  # Leo's session is not Alice's business
    assert "Firefox" in html and "Safari" in html and "This session" in html

    phone_key = phone.session.session_key
    leo_key = Session.objects.get(user=leo).session_key
    # The page names sessions by a handle, never by their keys (a key is a credential).
    assert phone_key not in html and laptop.session.session_key not in html
    assert session_handle(phone_key) in html
    # Nobody ends another user's session, nor one named by its raw key.
    assert laptop.post(f"/account/sessions/{session_handle(leo_key)}/end/").status_code == 404
    assert laptop.post(f"/account/sessions/{phone_key}/end/").status_code == 404
    assert Session.objects.filter(session_key=leo_key).exists()

    ended = laptop.post(f"/account/sessions/{session_handle(phone_key)}/end/")
    assert ended.status_code == 302
    assert not Session.objects.filter(session_key=phone_key).exists()
    assert phone.get("/tickets/").status_code == 302  # back to the sign-in page
    assert laptop.get("/tickets/").status_code == 200


def test_end_all_other_sessions(alice):
    laptop = sign_in(alice.email, "alice-pass-123", ip="198.51.100.20", agent=FIREFOX)
    others = [
        sign_in(alice.email, "alice-pass-123", ip=f"203.0.113.{n}", agent=SAFARI) for n in (1, 2)
    ]
    laptop.post("/account/sessions/others/end/")
    assert Session.objects.filter(user=alice).count() == 1
    assert all(o.get("/tickets/").status_code == 302 for o in others)
    assert laptop.get("/tickets/").status_code == 200


def test_ending_this_session_signs_out(alice):
    laptop = sign_in(alice.email, "alice-pass-123", ip="198.51.100.20", agent=FIREFOX)
    key = laptop.session.session_key
    response = laptop.post(f"/account/sessions/{session_handle(key)}/end/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert not Session.objects.filter(user=alice).exists()


def test_sign_out_ends_the_session_on_the_server(alice):
    laptop = sign_in(alice.email, "alice-pass-123", ip="198.51.100.20", agent=FIREFOX)
    stolen_cookie = laptop.cookies[django_settings.SESSION_COOKIE_NAME].value
    laptop.post("/logout/")
    assert not Session.objects.filter(user=alice).exists()
    thief = Client()
    thief.cookies[django_settings.SESSION_COOKIE_NAME] = stolen_cookie
    assert thief.get("/tickets/").status_code == 302


def test_an_idle_session_expires(alice, settings):
    laptop = sign_in(alice.email, "alice-pass-123", ip="198.51.100.20", agent=FIREFOX)
    row = Session.objects.get(user=alice)
    age = (row.expire_date - timezone.now()).total_seconds()
    assert abs(age - settings.SESSION_COOKIE_AGE) < 30
    # Idle past the limit (the expiry is stamped with Django's clock).
    Session.objects.filter(pk=row.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert laptop.get("/tickets/").status_code == 302


def test_use_moves_the_expiry_forward_at_most_once_a_minute(alice, settings):
    start = clock.now()
    with clock.frozen(start):
        laptop = sign_in(alice.email, "alice-pass-123", ip="198.51.100.20", agent=FIREFOX)
    soon = timezone.now() + timedelta(minutes=5)
    Session.objects.filter(user=alice).update(expire_date=soon)
    with clock.frozen(start + timedelta(seconds=30)):
        assert laptop.get("/tickets/").status_code == 200
    assert Session.objects.get(user=alice).expire_date == soon  # no write within the minute
    with clock.frozen(start + timedelta(seconds=90)):
        assert laptop.get("/tickets/").status_code == 200
    moved = Session.objects.get(user=alice).expire_date
    assert moved - timezone.now() > timedelta(seconds=settings.SESSION_COOKIE_AGE - 30)


def test_an_invented_session_cookie_writes_nothing(client):
    client.cookies[django_settings.SESSION_COOKIE_NAME] = "x" * 32
    for _ in range(3):
        assert client.get("/login/").status_code == 200
    assert Session.objects.count() == 0
