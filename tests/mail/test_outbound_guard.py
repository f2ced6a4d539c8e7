"""Mailboxes never reach an internal address, and never send another environment variable's
value as their password.

- The IMAP host is refused on save (the mail page and the Django admin, on the host field)
  and when polling or testing, when its name resolves internally then (DNS rebinding): the
  connection test and the poll say so and no connection is attempted. A public host is
  connected to exactly as checked; the allow-list permits an on-premises server.
- Only DESKSIDE_MAILBOX_* variables may hold a password: refused on save, and rows saved
  before that rule stop at their next connection with a clear error, before any connection.
- Connection tests are rate-limited per person.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from deskside.core import ratelimit
from deskside.core.clock import frozen
from deskside.mail import imap
from deskside.mail.models import Mailbox
from tests.conftest import INTERNAL_NAMES, PUBLIC_ADDRESS
from tests.mail.test_views import MAILBOX
from tests.paging.conftest import T0

REBIND = "imap.rebind.example.net"
FORM = MAILBOX  # the mailbox form of the mail pages


def login(user) -> Client:
    user.is_superuser = True  # the Django admin's add page too
    user.save()
    client = Client()
    client.force_login(user)
    return client


def make(host: str = REBIND, **fields) -> Mailbox:
    mailbox = Mailbox(name="Help desk", address="help@desk.example", host=host, username="help")
    for key, value in fields.items():
        setattr(mailbox, key, value)
    mailbox.set_password("s3cret-imap-pw")
    mailbox.save()
    return mailbox


@pytest.mark.parametrize("name", sorted(INTERNAL_NAMES))
def test_a_host_that_turns_internal_is_refused_when_connecting(connects, stub_dns, db, name):
    stub_dns.names[REBIND] = [PUBLIC_ADDRESS]
    mailbox = make()
    stub_dns.names[REBIND] = stub_dns.names[name]

    error = imap.check(mailbox)
    assert error.startswith(f"connecting to {REBIND}:993: {REBIND} points at an internal address")
    result = imap.poll(mailbox)
    assert "points at an internal address" in result.error
    mailbox.refresh_from_db()
    assert "points at an internal address" in mailbox.last_error
    assert connects == []


@pytest.mark.parametrize("protocol", ["imaps", "starttls", "imap"])
def test_a_public_host_is_connected_to_as_checked(connects, db, protocol):
    mailbox = make("public.example.net", protocol=protocol)
    error = imap.check(mailbox)
    assert error.startswith("connecting to public.example.net:")
    assert "internal" not in error
    assert connects == [(PUBLIC_ADDRESS, 993 if protocol == "imaps" else 143)]


def test_the_allow_list_permits_an_on_premises_server(connects, settings, db):
    settings.DESKSIDE_OUTBOUND_ALLOW = ["172.16.0.0/12"]
    imap.check(make("corp172.example.net", port=1993))
    assert connects == [("172.16.5.4", 1993)]


def test_the_connection_test_page_reports_a_refusal(connects, stub_dns, admin):
    stub_dns.names[REBIND] = ["169.254.169.254"]
    mailbox = make()
    response = login(admin).post(reverse("mail:mailbox_test", args=[mailbox.pk]), follow=True)
    assert response.status_code == 200
    assert "points at an internal address" in response.content.decode()
    assert connects == []


@pytest.mark.parametrize("host", ["127.0.0.1", "10.0.0.8", "::1", "fe80::1", "ten.example.net"])
def test_an_internal_host_is_refused_on_save(connects, admin, host):
    for url in (reverse("mail:mailbox_new"),):  # the Django admin adds none (read-only)
        response = login(admin).post(url, {**FORM, "host": host})
        assert response.status_code in (200, 422)  # the admin answers 200 with its errors
        errors = (
            response.context["adminform"].form.errors
            if "adminform" in response.context
            else response.context["form"].errors
        )
        assert "points at an internal address" in " ".join(errors["host"])
    assert not Mailbox.objects.exists() and connects == []


# -- passwords from the environment ------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["DESKSIDE_SECRET_KEY", "DATABASE_URL", "HOME", "DESKSIDE_MAILBOX_"]
)
def test_only_deskside_mailbox_variables_may_be_named(admin, name):
    for url in (reverse("mail:mailbox_new"),):  # the Django admin adds none (read-only)
        response = login(admin).post(url, {**FORM, "password": "", "password_env": name})
        form = (
            response.context["adminform"].form
            if "adminform" in response.context
            else response.context["form"]
        )
        assert "DESKSIDE_MAILBOX_" in " ".join(form.errors["password_env"])
    assert not Mailbox.objects.exists()


def test_a_prefixed_variable_is_accepted(admin, connects):
    response = login(admin).post(
        reverse("mail:mailbox_new"),
        {
            **FORM,
            "host": "public.example.net",
            "password": "",
            "password_env": "DESKSIDE_MAILBOX_HELP",
        },
    )
    assert response.status_code == 302
    assert Mailbox.objects.get().password_env == "DESKSIDE_MAILBOX_HELP"


def test_an_old_row_naming_another_variable_stops_with_a_clear_error(connects, monkeypatch, db):
    monkeypatch.setenv("DESKSIDE_SECRET_KEY", "the-real-secret-key")
    mailbox = make("public.example.net")
    Mailbox.objects.filter(pk=mailbox.pk).update(password_env="DESKSIDE_SECRET_KEY")
    mailbox.refresh_from_db()

    with pytest.raises(ValueError, match="DESKSIDE_SECRET_KEY may not be used"):
        mailbox.password()
    error = imap.check(mailbox)
    assert error.startswith("no password: the environment variable DESKSIDE_SECRET_KEY may not")
    assert "DESKSIDE_MAILBOX_" in error and "the-real-secret-key" not in error
    assert connects == []  # nothing was sent anywhere


def test_a_prefixed_variable_is_read_at_use(monkeypatch, db):
    monkeypatch.setenv("DESKSIDE_MAILBOX_HELP", "from-the-env")
    mailbox = make()
    Mailbox.objects.filter(pk=mailbox.pk).update(password_env="DESKSIDE_MAILBOX_HELP")
    mailbox.refresh_from_db()
    assert mailbox.password() == "from-the-env"


# -- rate limit --------------------------------------------------------------------------------


def test_connection_tests_are_rate_limited_per_person(connects, admin):
    mailbox = make("public.example.net")
    client = login(admin)
    url = reverse("mail:mailbox_test", args=[mailbox.pk])
    with frozen(T0):
        for _ in range(ratelimit.LIMIT):
            client.post(url)
        response = client.post(url, follow=True)
    assert "too many test sends" in response.content.decode()
    assert len(connects) == ratelimit.LIMIT
    with frozen(T0 + ratelimit.WINDOW + timedelta(seconds=1)):
        client.post(url)
    assert len(connects) == ratelimit.LIMIT + 1
