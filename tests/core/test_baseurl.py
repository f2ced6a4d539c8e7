"""deskside.core.baseurl: where links point. The setting wins; a page may use its request's
host (checked against ALLOWED_HOSTS); a mail never uses a Host header."""

import pytest
from django.core import mail as django_mail
from django.core.exceptions import DisallowedHost
from django.test import RequestFactory
from django.urls import reverse

from deskside.core import baseurl
from deskside.core.baseurl import base_url
from deskside.mail.worker import mail_pass


@pytest.fixture
def derived(settings, tmp_path, monkeypatch):
    """No DESKSIDE_BASE_URL, nothing served or recorded yet."""
    settings.DESKSIDE_BASE_URL = ""
    settings.DATA_DIR = tmp_path
    monkeypatch.delenv(baseurl.SERVED_ENV, raising=False)


def test_default_then_recorded_then_served(derived, monkeypatch):
    assert base_url() == "http://127.0.0.1:8000"
    baseurl.record("http://desk.lan:9000")
    assert base_url() == "http://desk.lan:9000"
    monkeypatch.setenv(baseurl.SERVED_ENV, "http://127.0.0.1:9001")
    assert base_url() == "http://127.0.0.1:9001"


def test_the_setting_wins(derived, settings, monkeypatch):
    settings.DESKSIDE_BASE_URL = "https://desk.example.com"
    monkeypatch.setenv(baseurl.SERVED_ENV, "http://127.0.0.1:9001")
    request = RequestFactory().get("/", HTTP_HOST="localhost:9001")
    assert base_url() == base_url(request) == "https://desk.example.com"


def test_a_page_uses_its_own_host_only_when_allowed(derived, settings):
    settings.ALLOWED_HOSTS = ["desk.lan"]
    assert base_url(RequestFactory().get("/", HTTP_HOST="desk.lan:9000")) == "http://desk.lan:9000"
    with pytest.raises(DisallowedHost):
        base_url(RequestFactory().get("/", HTTP_HOST="evil.example"))


def test_a_forged_host_never_reaches_a_link_in_mail(derived, settings, client, alice, acme_ticket):
    """Password-reset style poisoning: even a server that answers any Host header mails the
    customer a link to the served address, not to the host the request named."""
    settings.ALLOWED_HOSTS = ["*"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    baseurl.record("http://127.0.0.1:9000")
    client.force_login(alice)
    url = reverse("tickets:act", args=[acme_ticket.number, "reply"])
    response = client.post(url, {"body": "On my way."}, HTTP_HOST="evil.example")
    assert response.status_code in (200, 302)
    mail_pass()
    [sent] = django_mail.outbox
    assert f"http://127.0.0.1:9000/portal/{acme_ticket.number}/" in sent.body
    assert "evil.example" not in sent.body


def test_record_replaces_the_previous_address(derived, tmp_path):
    baseurl.record("http://127.0.0.1:9000")
    baseurl.record("http://127.0.0.1:9001")
    assert baseurl.recorded() == "http://127.0.0.1:9001"
    assert [p.name for p in tmp_path.iterdir()] == [baseurl.RECORD_NAME]
