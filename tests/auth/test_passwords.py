"""Password validators, reset by mail and change (issue 12 item 6)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from user_sessions.models import Session

from deskside.core import clock
from deskside.core.ratelimit import RESET_LIMIT, RESET_WINDOW

pytestmark = pytest.mark.django_db

STRONG = "Tangerine-Harbour-47"


@pytest.mark.parametrize(
    "password",
    ["short1!", "password123", "12345678901", "alice@msp.example", "AliceAgent1"],
    ids=["too short", "common", "all digits", "like the email", "like the name"],
)
def test_django_four_validators_refuse_weak_passwords(alice, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=alice)


def test_a_strong_password_passes(alice):
    validate_password(STRONG, user=alice)


def reset_link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/password/reset/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def test_reset_by_mail_sets_a_new_password_and_ends_every_session(client, carol, settings):
    settings.DESKSIDE_BASE_URL = "https://desk.example.com"
    other = Client()
    other.force_login(carol)
    assert Session.objects.filter(user=carol).count() == 1

    page = client.get("/login/")
    assert b'href="/password/reset/"' in page.content
    response = client.post("/password/reset/", {"email": "CAROL@acme.example"})
    assert response.status_code == 302 and response["Location"] == "/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["carol@acme.example"]
    assert "https://desk.example.com/password/reset/" in message.body

    link = reset_link(message.body)
    form = client.get(link, follow=True)
    assert b"Choose a new password" in form.content
    set_url = form.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 200 and b"too common" in weak.content
    done = client.post(set_url, {"new_password1": STRONG, "new_password2": STRONG})
    assert done.status_code == 302 and done["Location"] == "/password/reset/done/"

    carol.refresh_from_db()
    assert carol.check_password(STRONG)
    assert not Session.objects.filter(user=carol).exists()  # the other browser is signed out
    assert other.get("/portal/").status_code == 302
    # The link works once.
    assert b"does not work any more" in client.get(link, follow=True).content


def test_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client):
    response = client.post("/password/reset/", {"email": "nobody@nowhere.example"})
    assert response.status_code == 302 and response["Location"] == "/password/reset/sent/"
    assert mail.outbox == []


def test_reset_mails_to_one_person_are_limited_and_the_page_does_not_tell(client, carol, alice):
    """The form must not be a way to flood someone's inbox: three mails an hour per person."""
    answers = [
        client.post("/password/reset/", {"email": carol.email}) for _ in range(RESET_LIMIT + 2)
    ]
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, "/password/reset/sent/")}
    assert len(mail.outbox) == RESET_LIMIT
    client.post("/password/reset/", {"email": alice.email})  # another person's count is theirs
    assert len(mail.outbox) == RESET_LIMIT + 1
    with clock.frozen(clock.now() + RESET_WINDOW + timedelta(minutes=1)):
        client.post("/password/reset/", {"email": carol.email})
    assert len(mail.outbox) == RESET_LIMIT + 2


def test_reset_link_ignores_a_forged_host_header(client, carol, settings):
    settings.DESKSIDE_BASE_URL = "https://desk.example.com"
    settings.ALLOWED_HOSTS = ["*"]
    client.post("/password/reset/", {"email": carol.email}, HTTP_HOST="evil.example")
    assert "evil.example" not in mail.outbox[0].body


def test_password_change_keeps_this_session_and_ends_the_others(client, alice):
    laptop, phone = Client(), Client()
    laptop.force_login(alice)
    phone.force_login(alice)
    client.force_login(alice)
    page = client.get("/account/")
    assert b'href="/account/password/"' in page.content

    wrong = client.post(
        "/account/password/",
        {"old_password": "nope", "new_password1": STRONG, "new_password2": STRONG},
    )
    assert wrong.status_code == 200 and b"incorrectly" in wrong.content
    ok = client.post(
        "/account/password/",
        {"old_password": "alice-pass-123", "new_password1": STRONG, "new_password2": STRONG},
    )
    assert ok.status_code == 302 and ok["Location"] == "/account/password/done/"
    assert client.get("/tickets/").status_code == 200  # still signed in here
    assert Session.objects.filter(user=alice).count() == 1
    assert laptop.get("/tickets/").status_code == 302
    assert phone.get("/tickets/").status_code == 302


def test_customers_change_their_password_too(client, carol):
    client.force_login(carol)
    response = client.post(
        "/account/password/",
        {"old_password": "carol-pass-123", "new_password1": STRONG, "new_password2": STRONG},
    )
    assert response.status_code == 302
    carol.refresh_from_db()
    assert carol.check_password(STRONG)


def test_the_user_menu_links_to_the_account_page(client, carol):
    client.force_login(carol)
    assert b'href="/account/"' in client.get("/portal/").content
