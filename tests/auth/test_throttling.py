"""Failed sign-ins are throttled per account and per address (django-axes, in the database)."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import RequestFactory

from deskside.accounts.clientip import client_ip

pytestmark = pytest.mark.django_db

LOCKED = b"Too many failed sign-ins for this account or from this address"


def sign_in(client, email, password, ip="198.51.100.7", **extra):
    return client.post(
        "/login/", {"username": email, "password": password}, REMOTE_ADDR=ip, **extra
    )


def test_five_failures_lock_the_account_even_from_new_addresses(client, alice, admin, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for n in range(5):
        response = sign_in(client, alice.email, "wrong", ip=f"198.51.100.{n + 1}")
        assert response.status_code in (200, 429)
    # The right password, from an address never seen: refused while the account is locked.
    response = sign_in(client, alice.email, "alice-pass-123", ip="203.0.113.50")
    assert response.status_code == 429
    assert LOCKED in response.content
    assert "_auth_user_id" not in client.session
    # Another account from another address signs in.
    assert (
        sign_in(client, "root@msp.example", "root-pass-123", ip="203.0.113.51").status_code == 302
    )


def test_failures_from_one_address_lock_that_address_for_every_account(client, alice, leo):
    for n in range(5):
        sign_in(client, f"guess{n}@msp.example", "wrong", ip="198.51.100.9")
    response = sign_in(client, leo.email, "leo-pass-123", ip="198.51.100.9")
    assert response.status_code == 429
    assert sign_in(client, leo.email, "leo-pass-123", ip="198.51.100.10").status_code == 302


def test_the_message_does_not_tell_whether_the_account_exists(client, alice):
    for _ in range(5):
        sign_in(client, alice.email, "wrong", ip="198.51.100.1")
        sign_in(client, "ghost@msp.example", "wrong", ip="198.51.100.2")
    real = sign_in(client, alice.email, "wrong", ip="198.51.100.1")
    ghost = sign_in(client, "ghost@msp.example", "wrong", ip="198.51.100.2")
    assert real.status_code == ghost.status_code == 429
    assert LOCKED in real.content and LOCKED in ghost.content


def test_a_failure_below_the_limit_shows_the_usual_message(client, alice):
    response = sign_in(client, alice.email, "wrong")
    assert response.status_code == 200
    assert b"do not match" in response.content and LOCKED not in response.content


def test_a_success_clears_the_account_s_failures(client, alice):
    for _ in range(4):
        sign_in(client, alice.email, "wrong")
    assert sign_in(client, alice.email, "alice-pass-123").status_code == 302
    assert not AccessAttempt.objects.filter(username=alice.email).exists()


def test_the_lock_ends_after_the_cool_off(client, alice, settings):
    for _ in range(5):
        sign_in(client, alice.email, "wrong")
    assert sign_in(client, alice.email, "alice-pass-123").status_code == 429
    # django-axes stamps attempts with Django's clock: age them past the cool-off.
    past = settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - past)
    assert sign_in(client, alice.email, "alice-pass-123").status_code == 302


def test_an_admin_unlocks_an_account(client, alice):
    for n in range(5):
        sign_in(client, alice.email, "wrong", ip=f"198.51.100.{n + 1}")
    assert sign_in(client, alice.email, "alice-pass-123", ip="203.0.113.9").status_code == 429
    call_command("axes_reset_username", alice.email)
    assert sign_in(client, alice.email, "alice-pass-123", ip="203.0.113.9").status_code == 302


def test_the_django_admin_lists_and_deletes_lockouts(client, admin, alice):
    for _ in range(5):
        sign_in(client, alice.email, "wrong", ip="198.51.100.3")
    attempt = AccessAttempt.objects.get(username=alice.email)
    admin.is_superuser = True  # the Django admin's own permission check
    admin.save()
    client.force_login(admin)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and alice.email.encode() in listing.content
    client.post(
        f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}, REMOTE_ADDR="10.9.9.9"
    )
    assert not AccessAttempt.objects.filter(username=alice.email).exists()


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(client, alice):
    for n in range(5):
        sign_in(
            client, f"g{n}@x.example", "wrong", ip="198.51.100.4", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}"
        )
    assert sign_in(client, alice.email, "alice-pass-123", ip="198.51.100.4").status_code == 429


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("198.51.100.4", "1.2.3.4", [], "198.51.100.4"),  # no proxy configured: header ignored
        ("198.51.100.4", "1.2.3.4", ["10.0.0.0/8"], "198.51.100.4"),  # peer is not the proxy
        ("10.0.0.2", "203.0.113.5", ["10.0.0.0/8"], "203.0.113.5"),
        # A client's own X-Forwarded-For comes first; the proxy appends the real peer.
        ("10.0.0.2", "1.1.1.1, 203.0.113.5", ["10.0.0.0/8"], "203.0.113.5"),
        # Two proxies of ours: skip both.
        ("10.0.0.2", "1.1.1.1, 203.0.113.5, 10.0.0.3", ["10.0.0.0/8"], "203.0.113.5"),
        ("10.0.0.2", "", ["10.0.0.0/8"], "10.0.0.2"),
        ("10.0.0.2", "not-an-ip", ["10.0.0.0/8"], "10.0.0.2"),
        ("::1", "2001:db8::7", ["::1"], "2001:db8::7"),
    ],
)
def test_client_address_behind_trusted_proxies(settings, remote, forwarded, trusted, expected):
    settings.DESKSIDE_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_the_proxy_each_client_address_is_counted(client, alice, settings):
    settings.DESKSIDE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    for n in range(5):
        sign_in(
            client, f"g{n}@x.example", "wrong", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5"
        )
    # The proxy's address is not locked: another client behind it signs in.
    other = sign_in(
        client, alice.email, "alice-pass-123", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.6"
    )
    assert other.status_code == 302
    assert AccessAttempt.objects.filter(ip_address="203.0.113.5").exists()


def test_a_bad_trusted_proxy_stops_the_start(tmp_path):

    env = {
        **os.environ,
        "DESKSIDE_DATA_DIR": str(tmp_path),
        "DESKSIDE_TRUSTED_PROXIES": "10.0.0.1,proxy.example",
    }
    result = subprocess.run(  # our own interpreter and settings module
        [sys.executable, "-c", "import deskside.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "DESKSIDE_TRUSTED_PROXIES='proxy.example': expected addresses or networks" in (
        result.stderr
    )
