"""Two-factor sign-in for agents (django-otp): enrolment, sign-in with a code, recovery codes,
the admins' requirement and reset (issue 12 item 6)."""

import base64
import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from user_sessions.models import Session

from deskside.accounts import mfa
from deskside.accounts import services as accounts
from deskside.accounts.models import SecurityPolicy

pytestmark = pytest.mark.django_db


def code_for(key: bytes, offset: int = 0) -> str:
    return f"{totp(key, t0=0, step=30, digits=6, drift=offset):06d}"


def key_from_page(html: str) -> bytes:
    shown = re.search(r'data-testid="totp-key">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    return base64.b32decode(shown + "=" * (-len(shown) % 8))


def sign_in(email: str, password: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": email, "password": password})
    assert response.status_code == 302, response.content[:500]
    return client


def enrol(client: Client) -> tuple[bytes, list[str]]:
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    key = key_from_page(page.content.decode())
    done = client.post("/account/two-factor/", {"code": code_for(key)})
    assert done.status_code == 200, done.content[:500]
    codes = re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())
    return key, codes


def test_enrolment_shows_a_qr_code_and_key_then_recovery_codes_once(alice):
    client = sign_in(alice.email, "alice-pass-123")
    page = client.get("/account/two-factor/")
    html = page.content.decode()
    assert "<svg" in html and "<path" in html  # the QR code, drawn on the server
    key = key_from_page(html)
    device = TOTPDevice.objects.get(user=alice)
    assert device.bin_key == key and not device.confirmed
    assert "otpauth://" not in html.split("<svg", 1)[0]  # no external QR service or link

    wrong = client.post("/account/two-factor/", {"code": "000000"})
    assert wrong.status_code == 400 and b"not right" in wrong.content
    assert not mfa.has_device(alice)

    device.throttle_reset()
    key, codes = enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert mfa.has_device(alice)
    assert StaticToken.objects.filter(device__user=alice).count() == 10
    # The codes are not shown again.
    assert not any(c.encode() in client.get("/account/").content for c in codes)
    assert b"Two-factor sign-in" in client.get("/account/").content


def test_sign_in_asks_for_the_code_after_the_password(alice):
    key, _ = enrol(sign_in(alice.email, "alice-pass-123"))
    device = TOTPDevice.objects.get(user=alice)
    client = sign_in(alice.email, "alice-pass-123")
    # Everything else waits for the code.
    held = client.get("/tickets/")
    assert held.status_code == 302 and held["Location"] == "/login/code/?next=%2Ftickets%2F"
    assert client.get("/account/").status_code == 302
    form = client.get("/login/code/?next=/tickets/")
    assert form.status_code == 200 and b"Sign-in code" in form.content
    # The gate page has no navigation, so none of its polls; a poll from a page opened
    # before is told to load the gate page, not handed the page to swap into its fragment.
    assert b"notif-count" not in form.content and b'href="/tickets/new/"' not in form.content
    poll = client.get("/notifications/count/", headers={"HX-Request": "true"})
    assert poll.status_code == 200 and poll["HX-Redirect"] == "/login/code/"
    assert poll.content == b""

    wrong = client.post("/login/code/", {"code": "123456", "next": "/tickets/"})
    assert wrong.status_code == 400 and b"not right" in wrong.content
    device.refresh_from_db()
    device.throttle_reset()
    device.last_t = -1  # the enrolment used this window's code; a new window's code is needed
    device.save()
    ok = client.post("/login/code/", {"code": code_for(key), "next": "/tickets/"})
    assert ok.status_code == 302 and ok["Location"] == "/tickets/"
    assert client.get("/tickets/").status_code == 200


def test_a_wrong_code_slows_the_next_try_down(alice):
    key, _ = enrol(sign_in(alice.email, "alice-pass-123"))
    TOTPDevice.objects.filter(user=alice).update(last_t=-1)
    client = sign_in(alice.email, "alice-pass-123")
    assert client.post("/login/code/", {"code": "999999"}).status_code == 400
    # Straight after a failure even the right code is refused (django-otp's throttling).
    assert client.post("/login/code/", {"code": code_for(key)}).status_code == 400
    assert client.get("/tickets/").status_code == 302


def test_a_next_address_elsewhere_is_not_followed(alice):
    key, _ = enrol(sign_in(alice.email, "alice-pass-123"))
    TOTPDevice.objects.filter(user=alice).update(last_t=-1)
    client = sign_in(alice.email, "alice-pass-123")
    response = client.post("/login/code/", {"code": code_for(key), "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_recovery_code_signs_in_once(alice):
    _, codes = enrol(sign_in(alice.email, "alice-pass-123"))
    first = sign_in(alice.email, "alice-pass-123")
    assert first.post("/login/code/", {"code": codes[0]}).status_code == 302
    assert first.get("/tickets/").status_code == 200
    second = sign_in(alice.email, "alice-pass-123")
    assert second.post("/login/code/", {"code": codes[0]}).status_code == 400
    assert StaticToken.objects.filter(device__user=alice).count() == 9


def test_admins_require_two_factor_and_agents_without_one_must_enrol(client, admin, alice, carol):
    client.force_login(admin)
    page = client.get("/account/security/")
    assert page.status_code == 200 and b"Require two-factor sign-in" in page.content
    assert client.post("/account/security/", {"require_agent_mfa": "on"}).status_code == 302
    policy = SecurityPolicy.current()
    assert policy.require_agent_mfa and policy.updated_by == admin

    agent = sign_in(alice.email, "alice-pass-123")
    held = agent.get("/tickets/")
    assert held.status_code == 302 and held["Location"] == "/account/two-factor/"
    assert agent.get("/account/").status_code == 302
    assert agent.get("/admin/").status_code == 302
    enrol(agent)
    assert agent.get("/tickets/").status_code == 200
    # Customers are not asked.
    customer = sign_in(carol.email, "carol-pass-123")
    assert customer.get("/portal/").status_code == 200


def test_api_tokens_are_not_affected(admin, alice):
    SecurityPolicy.objects.create(pk=1, require_agent_mfa=True)
    raw = accounts.create_api_token(user=alice, name="script")
    response = Client().get("/api/v1/tickets", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


def test_only_admins_change_the_policy(client, alice):
    client.force_login(alice)
    assert client.get("/account/security/").status_code == 403
    assert client.post("/account/security/", {"require_agent_mfa": "on"}).status_code == 403
    assert not SecurityPolicy.current().require_agent_mfa


def test_an_admin_resets_a_lost_device(client, admin, alice):
    enrol(sign_in(alice.email, "alice-pass-123"))
    assert Session.objects.filter(user=alice).exists()
    client.force_login(admin)
    page = client.get("/account/security/").content.decode()
    assert f"Reset two-factor for {alice.email}" in page
    assert client.post(f"/account/security/reset/{alice.pk}/").status_code == 302
    assert not mfa.has_device(alice)
    assert not Session.objects.filter(user=alice).exists()  # signed out everywhere
    # Signing in with the password works again (and asks for no code).
    assert sign_in(alice.email, "alice-pass-123").get("/tickets/").status_code == 200


def test_an_agent_turns_two_factor_off_only_when_not_required(alice):
    client = sign_in(alice.email, "alice-pass-123")
    enrol(client)
    SecurityPolicy.objects.create(pk=1, require_agent_mfa=True)
    client.post("/account/two-factor/off/")
    assert mfa.has_device(alice)
    SecurityPolicy.objects.filter(pk=1).update(require_agent_mfa=False)
    client.post("/account/two-factor/off/")
    assert not mfa.has_device(alice)


def test_customers_have_no_enrolment(client, carol):
    client.force_login(carol)
    assert client.get("/account/two-factor/").status_code == 403


def test_the_django_admin_resets_a_lost_device(client, admin, alice):
    enrol(sign_in(alice.email, "alice-pass-123"))
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [alice.pk]},
    )
    assert response.status_code == 302
    assert not mfa.has_device(alice)
