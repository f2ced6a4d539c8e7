"""The mail pages: an administrator works the quarantine (reprocess, discard), edits mailboxes
and the texts of outgoing mail and retries failed mail; another agent reads them and gets 403
on every write; a customer never reaches them. The original of a received message is served
to who may see it and to nobody else (404), across clients above all."""

import base64
from email.message import EmailMessage

import pytest
from django.test import Client
from django.urls import reverse

from deskside.accounts import services as accounts
from deskside.accounts.models import User
from deskside.core import clock
from deskside.mail import templates
from deskside.mail.models import InboundMessage, Mailbox, MailTemplate, OutboundMail, Outcome
from deskside.mail.pipeline import Policy, receive
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind
from deskside.tickets.timeline import write_event
from tests.conftest import login
from tests.mail.test_pipeline import raw_mail
from tests.mailauth import arrived_verified

# A 1x1 PNG.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def html_mail(*, sender="carol@acme.example", message_id="<html@acme.example>"):
    """A message with a text and an HTML part, the HTML showing an inline image."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["Subject"] = "Screenshot"
    msg["Message-ID"] = message_id
    msg.set_content("See the screenshot.")
    msg.add_alternative(
        '<p>See <b>this</b>:</p><img src="cid:shot@acme.example" alt="shot">'
        '<img src="https://tracker.example/pixel.gif"><script>alert(1)</script>',
        subtype="html",
    )
    msg.get_payload()[1].add_related(PIXEL, "image", "png", cid="<shot@acme.example>")
    return arrived_verified(msg.as_bytes())


@pytest.fixture
def policy(acme):
    return Policy(organization=acme, unknown_senders="create")


@pytest.fixture
def held(acme):
    """Mail from a stranger, held because the mailbox's rule says so."""
    result = receive(
        raw_mail(sender="Nina New <nina@nowhere.example>", message_id="<held@nowhere.example>"),
        source="import",
        policy=Policy(organization=acme, unknown_senders="quarantine"),
    )
    assert result.outcome == Outcome.QUARANTINED
    return result.message


@pytest.fixture
def from_carol(carol, policy):
    """Carol's mail that opened an Acme ticket."""
    return receive(raw_mail(), source="import", policy=policy).message


@pytest.fixture
def from_dave(dave, globex):
    """Dave's mail that opened a Globex ticket."""
    return receive(
        raw_mail(sender="dave@globex.example", subject="VPN drops", message_id="<d1@globex>"),
        source="import",
        policy=Policy(organization=globex),
    ).message


MAILBOX = {
    "name": "Help desk",
    "address": "help@desk.example",
    "is_active": "on",
    "protocol": "imaps",
    "host": "imap.desk.example",
    "port": "",
    "username": "help",
    "password": "s3cret-imap-pw",
    "password_env": "",
    "folder": "INBOX",
    "after_import": "flag",
    "processed_folder": "Deskside",
    "organization": "",
    "team": "",
    "priority": "3",
    "unknown_senders": "quarantine",
    "unverified_mail": "quarantine",
    "reopen_days": "14",
    "poll_seconds": "60",
}


# -- who reaches what --------------------------------------------------------------------------


def _pages(message=None, mailbox=None):
    urls = [
        reverse("mail:quarantine"),
        reverse("mail:received"),
        reverse("mail:outbox"),
        reverse("mail:mailboxes"),
        reverse("mail:templates"),
        reverse("mail:template", args=["reply"]),
    ]
    if mailbox is not None:
        urls.append(reverse("mail:mailbox", args=[mailbox.pk]))
    return urls


@pytest.fixture
def mailbox(db):
    box = Mailbox.objects.create(name="Help desk", address="help@desk.example", host="imap.x")
    box.set_password("stored-pw-123")
    box.save()
    return box


def test_agents_read_every_page_and_only_admins_see_the_buttons(web_admin, alice, held, mailbox):
    for url in _pages(mailbox=mailbox):
        assert web_admin.get(url).status_code == 200, url
        assert login(alice).get(url).status_code == 200, url
    admin_page = web_admin.get(reverse("mail:quarantine")).content.decode()
    agent_page = login(alice).get(reverse("mail:quarantine")).content.decode()
    for page in (admin_page, agent_page):
        assert "nina@nowhere.example" in page and "unknown_sender" in page
        assert "create the contact" in page  # the detail says what to do
    assert reverse("mail:reprocess", args=[held.public_id]) in admin_page
    assert reverse("mail:discard", args=[held.public_id]) in admin_page
    assert reverse("mail:raw", args=[held.public_id]) in admin_page
    assert reverse("mail:reprocess", args=[held.public_id]) not in agent_page
    assert reverse("mail:raw", args=[held.public_id]) not in agent_page  # they would get 404
    assert "read-only" in agent_page
    box = login(alice).get(reverse("mail:mailbox", args=[mailbox.pk]))
    assert box.context["form"].fields["host"].disabled and b"read-only" in box.content
    template = login(alice).get(reverse("mail:template", args=["reply"]))
    assert template.context["form"].fields["body"].disabled


def test_other_agents_get_403_on_every_write(alice, held, mailbox):
    client = login(alice)
    assert client.get(reverse("mail:mailbox_new")).status_code == 403
    mail = OutboundMail.objects.create(
        ticket=tickets_for_outbox(alice), kind="reply", recipients="x@y", message_id="m@x"
    )
    posts = [
        (reverse("mail:reprocess", args=[held.public_id]), {}),
        (reverse("mail:discard", args=[held.public_id]), {}),
        (reverse("mail:mailbox_new"), MAILBOX),
        (reverse("mail:mailbox", args=[mailbox.pk]), {**MAILBOX, "name": "Mine"}),
        (reverse("mail:mailbox_test", args=[mailbox.pk]), {}),
        (reverse("mail:template", args=["reply"]), {"subject": "x", "body": "y"}),
        (reverse("mail:template_reset", args=["reply"]), {}),
        (reverse("mail:retry", args=[mail.public_id]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    held.refresh_from_db()
    mailbox.refresh_from_db()
    assert held.outcome == Outcome.QUARANTINED and mailbox.name == "Help desk"
    assert not MailTemplate.objects.exists()


def tickets_for_outbox(agent):
    org = accounts.create_organization(name="Initech", slug="initech")
    customer = accounts.create_user(email="pat@initech.example", organization=org)
    return tickets.create_ticket(
        actor=agent,
        ticket=tickets.NewTicket(
            requester=customer, organization=org, subject="Stapler", description="Gone."
        ),
    ).ticket


def test_customers_and_anonymous_never_reach_the_mail_pages(carol, held, mailbox):
    client = login(carol)
    for url in _pages(mailbox=mailbox):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("portal:home"), url
    assert client.post(reverse("mail:reprocess", args=[held.public_id])).status_code == 403
    assert client.post(reverse("mail:discard", args=[held.public_id])).status_code == 403
    assert client.post(reverse("mail:mailbox_new"), MAILBOX).status_code == 403
    for url in _pages(mailbox=mailbox):
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and reverse("login") in anonymous.url, url
    held.refresh_from_db()
    assert held.outcome == Outcome.QUARANTINED


def test_nav_links_the_mail_pages_for_agents_only(alice, carol):
    assert reverse("mail:quarantine").encode() in login(alice).get(reverse("tickets:queue")).content
    assert (
        reverse("mail:quarantine").encode() not in login(carol).get(reverse("portal:home")).content
    )


# -- quarantine --------------------------------------------------------------------------------


def test_reprocess_succeeds_once_the_contact_exists(web_admin, admin, acme, held):
    url = reverse("mail:reprocess", args=[held.public_id])
    # Still unknown: it stays held, and the page says so.
    response = web_admin.post(url, follow=True)
    assert "still held" in response.content.decode()
    held.refresh_from_db()
    assert held.outcome == Outcome.QUARANTINED and held.handled_by == admin

    nina = accounts.create_user(email="nina@nowhere.example", organization=acme)
    response = web_admin.post(url, {"next": reverse("mail:quarantine")})

    assert response.status_code == 302 and response.url == reverse("mail:quarantine")
    held.refresh_from_db()
    assert held.outcome == Outcome.CREATED and held.ticket is not None
    assert held.ticket.requester == nina
    page = web_admin.get(reverse("mail:quarantine")).content.decode()
    assert held.ticket.number in page  # the success message names the ticket
    assert "nina@nowhere.example" not in page.split("<table")[1]  # no longer held


def test_reprocess_that_fails_again_keeps_its_new_error(web_admin, acme, held):
    nina = accounts.create_user(email="nina@nowhere.example", organization=acme)
    User.objects.filter(pk=nina.pk).update(is_active=False)

    response = web_admin.post(reverse("mail:reprocess", args=[held.public_id]), follow=True)

    held.refresh_from_db()
    assert held.outcome == Outcome.QUARANTINED
    assert held.reason == "inactive_sender"
    assert "deactivated" in response.content.decode()
    assert InboundMessage.objects.count() == 1


def test_discard_drops_a_held_message(web_admin, admin, held):
    response = web_admin.post(reverse("mail:discard", args=[held.public_id]), follow=True)

    assert response.status_code == 200 and "discarded" in response.content.decode()
    held.refresh_from_db()
    assert held.outcome == Outcome.DISCARDED and held.handled_by == admin
    # Discarded is final: reprocessing it does nothing.
    web_admin.post(reverse("mail:reprocess", args=[held.public_id]))
    held.refresh_from_db()
    assert held.outcome == Outcome.DISCARDED and held.ticket is None


def test_received_mail_shows_every_message_and_filters_by_outcome(
    web_admin, held, from_carol, from_dave
):
    page = web_admin.get(reverse("mail:received")).content.decode()
    for message in (held, from_carol, from_dave):
        assert f'id="message-{message.public_id}"' in page
    assert reverse("tickets:detail", args=[from_carol.ticket.number]) in page

    created = web_admin.get(reverse("mail:received"), {"outcome": "created"}).content.decode()
    assert f"message-{from_carol.public_id}" in created
    assert f"message-{held.public_id}" not in created
    by_sender = web_admin.get(reverse("mail:received"), {"sender": "globex"}).content.decode()
    assert f"message-{from_dave.public_id}" in by_sender
    assert f"message-{from_carol.public_id}" not in by_sender


def test_a_restricted_agent_sees_only_their_clients_mail(alice, acme, from_carol, from_dave):
    alice.served_organizations.set([acme])
    page = login(alice).get(reverse("mail:received")).content.decode()
    assert f"message-{from_carol.public_id}" in page
    assert f"message-{from_dave.public_id}" not in page
    assert login(alice).get(reverse("mail:raw", args=[from_dave.public_id])).status_code == 404


# -- the original of a message -----------------------------------------------------------------


def test_raw_download_for_who_may_see_it(alice, admin, carol, olivia, from_carol, held):
    url = reverse("mail:raw", args=[from_carol.public_id])
    for user in (alice, admin, carol):
        response = login(user).get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "message/rfc822"
        assert "attachment" in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == raw_mail()
    # Olivia sees the ticket, but it is not her mail.
    assert login(olivia).get(url).status_code == 404
    # A held message has no ticket: administrators only.
    held_url = reverse("mail:raw", args=[held.public_id])
    assert login(admin).get(held_url).status_code == 200
    assert login(alice).get(held_url).status_code == 404
    assert login(carol).get(held_url).status_code == 404
    assert login(carol).get(reverse("mail:raw", args=["nosuchid"])).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and reverse("login") in anonymous.url


def test_raw_download_never_crosses_clients(carol, dave, from_carol, from_dave):
    # Carol (client A) and Dave (client B) each get their own mail, never the other's.
    assert login(carol).get(reverse("mail:raw", args=[from_carol.public_id])).status_code == 200
    assert login(carol).get(reverse("mail:raw", args=[from_dave.public_id])).status_code == 404
    assert login(carol).get(reverse("mail:html", args=[from_dave.public_id])).status_code == 404
    assert login(dave).get(reverse("mail:raw", args=[from_carol.public_id])).status_code == 404
    assert login(dave).get(reverse("mail:raw", args=[from_dave.public_id])).status_code == 200


def test_a_customer_does_not_get_a_colleagues_mail_on_a_shared_ticket(carol, olivia, policy):
    ticket = receive(raw_mail(), source="import", policy=policy).ticket
    reply = receive(
        raw_mail(
            sender="olivia@acme.example",
            subject=f"Re: [{ticket.number}] Printer",
            message_id="<o1@acme.example>",
        ),
        source="import",
        policy=policy,
    ).message
    assert reply.ticket == ticket
    url = reverse("mail:raw", args=[reply.public_id])
    assert login(olivia).get(url).status_code == 200
    assert login(carol).get(url).status_code == 404


def test_html_is_served_sanitised_with_a_strict_policy(alice, carol, dave, policy):
    message = receive(html_mail(), source="import", policy=policy).message
    url = reverse("mail:html", args=[message.public_id])

    response = login(alice).get(url)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == (
        "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
    )
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    page = response.content.decode()
    assert "<b>this</b>" in page and "<script" not in page
    # The inline image is in the page; the remote one stays blocked by the policy.
    assert "data:image/png;base64," + base64.b64encode(PIXEL).decode() in page
    assert "cid:" not in page
    assert login(carol).get(url).status_code == 200
    assert login(dave).get(url).status_code == 404
    # A message without HTML has no such page.
    text_only = receive(raw_mail(message_id="<t@x>"), source="import", policy=policy).message
    assert login(alice).get(reverse("mail:html", args=[text_only.public_id])).status_code == 404


def test_the_received_list_links_the_html_only_when_there_is_some(web_admin, policy, carol):
    with_html = receive(html_mail(), source="import", policy=policy).message
    text_only = receive(raw_mail(message_id="<t@x>"), source="import", policy=policy).message
    page = web_admin.get(reverse("mail:received")).content.decode()
    assert reverse("mail:html", args=[with_html.public_id]) in page
    assert reverse("mail:html", args=[text_only.public_id]) not in page


# -- timeline ----------------------------------------------------------------------------------


def test_the_ticket_page_links_the_original_and_renders_mail_events(alice, carol, from_carol):
    ticket = from_carol.ticket
    write_event(
        ticket,
        EventKind.MAIL_SENT,
        None,
        body="To: carol@acme.example\nSubject: [T] x",
        data={"mail": "m1", "kind": "acknowledgement", "to": ["carol@acme.example"]},
    )
    write_event(ticket, EventKind.MAIL_FAILED, None, body="could not", data={"mail": "m2"})
    write_event(
        ticket,
        EventKind.MAIL_AUTO,
        None,
        body="I am away.",
        data={
            "via": "email",
            "message": from_carol.public_id,
            "reason": "out of office",
            "from": "carol@acme.example",
        },
    )
    page = login(alice).get(reverse("tickets:detail", args=[ticket.number])).content.decode()

    assert reverse("mail:raw", args=[from_carol.public_id]) in page
    assert "Mail sent to carol@acme.example" in page
    assert "Mail not delivered" in page
    assert "Automatic mail from carol@acme.example (out of office)" in page


def test_a_follow_up_links_both_tickets(alice, carol, policy):
    ticket = receive(raw_mail(), source="import", policy=policy).ticket
    tickets.resolve_ticket(actor=alice, ticket=ticket, resolution="New toner.")
    tickets.close_ticket(actor=alice, ticket=ticket)
    follow_up = receive(
        raw_mail(subject=f"Re: [{ticket.number}] Printer", message_id="<late@x>"),
        source="import",
        policy=policy,
    ).ticket
    assert follow_up != ticket

    client = login(alice)
    old = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    new = client.get(reverse("tickets:detail", args=[follow_up.number])).content.decode()
    assert f'href="{reverse("tickets:detail", args=[follow_up.number])}"' in old
    assert f'href="{reverse("tickets:detail", args=[ticket.number])}"' in new


def test_the_portal_links_the_customers_own_mail_only(carol, olivia, from_carol):
    url = reverse("mail:raw", args=[from_carol.public_id])
    detail = reverse("portal:detail", args=[from_carol.ticket.number])
    assert url in login(carol).get(detail).content.decode()
    assert url not in login(olivia).get(detail).content.decode()


# -- mailboxes ---------------------------------------------------------------------------------


def test_admin_creates_a_mailbox_with_a_write_only_password(web_admin):
    page = web_admin.get(reverse("mail:mailbox_new"))
    assert page.status_code == 200 and b"993" in page.content  # the default port, as help

    response = web_admin.post(reverse("mail:mailbox_new"), MAILBOX)

    mailbox = Mailbox.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("mail:mailbox", args=[mailbox.pk])
    assert mailbox.password() == "s3cret-imap-pw"
    assert "s3cret-imap-pw" not in mailbox.password_encrypted
    page = web_admin.get(response.url).content.decode()
    assert "s3cret-imap-pw" not in page and "A password is stored" in page
    assert mailbox.password_encrypted not in page
    listing = web_admin.get(reverse("mail:mailboxes")).content.decode()
    assert "imap.desk.example:993" in listing and "s3cret" not in listing


def test_a_blank_password_keeps_the_stored_one_and_clear_removes_it(web_admin, mailbox):
    url = reverse("mail:mailbox", args=[mailbox.pk])
    data = {**MAILBOX, "password": "", "name": "Renamed"}

    assert web_admin.post(url, data).status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.name == "Renamed" and mailbox.password() == "stored-pw-123"

    assert web_admin.post(url, {**data, "password": "new-pw-456"}).status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.password() == "new-pw-456"

    assert web_admin.post(url, {**data, "clear_password": "on"}).status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.password_encrypted == "" and mailbox.password() == ""


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"host": ""}, "host", "required"),
        ({"after_import": "move", "processed_folder": ""}, "processed_folder", "moved to"),
        ({"password_env": "DESKSIDE_MAILBOX_IMAP_PW"}, "password_env", "not both"),
        ({"password_env": "not a name"}, "password_env", "letters, digits"),
        ({"password_env": "DESKSIDE_SECRET_KEY"}, "password_env", "DESKSIDE_MAILBOX_..."),
        ({"password_env": "DATABASE_URL"}, "password_env", "DESKSIDE_MAILBOX_..."),
        ({"host": "10.0.0.8"}, "host", "points at an internal address"),
        ({"port": "70000"}, "port", "65535"),
        ({"poll_seconds": "1"}, "poll_seconds", "10 seconds"),
        ({"unknown_senders": "create"}, "organization", "client"),
        ({"address": "not an address"}, "address", "valid email"),
    ],
)
def test_mailbox_errors_show_on_their_field_and_never_echo_the_password(
    web_admin, changes, field, says
):
    response = web_admin.post(reverse("mail:mailbox_new"), {**MAILBOX, **changes})

    assert response.status_code == 422
    assert says in " ".join(response.context["form"].errors[field])
    assert b"s3cret-imap-pw" not in response.content
    assert b"Help desk" in response.content  # the rest of the input is kept
    assert not Mailbox.objects.exists()


def test_a_delivery_mailbox_needs_no_host(web_admin):
    data = {**MAILBOX, "protocol": "delivery", "host": "", "password": ""}
    assert web_admin.post(reverse("mail:mailbox_new"), data).status_code == 302
    assert not Mailbox.objects.get().polls


def test_an_environment_password_replaces_a_stored_one_only_when_cleared(web_admin, mailbox):
    url = reverse("mail:mailbox", args=[mailbox.pk])
    data = {**MAILBOX, "password": "", "password_env": "DESKSIDE_MAILBOX_IMAP_PW"}

    response = web_admin.post(url, data)
    assert response.status_code == 422
    assert "clear" in response.context["form"].errors["password_env"][0]

    assert web_admin.post(url, {**data, "clear_password": "on"}).status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.password_env == "DESKSIDE_MAILBOX_IMAP_PW" and mailbox.password_encrypted == ""


def test_test_connection_shows_the_result(web_admin, mailbox, monkeypatch):
    from deskside.mail import imap  # noqa: PLC0415

    url = reverse("mail:mailbox_test", args=[mailbox.pk])
    page = web_admin.get(reverse("mail:mailbox", args=[mailbox.pk])).content.decode()
    assert url in page

    monkeypatch.setattr(imap, "check", lambda box: "logging in as help: authentication failed")
    response = web_admin.post(url, follow=True)
    assert "failed: logging in as help: authentication failed" in response.content.decode()

    monkeypatch.setattr(imap, "check", lambda box: "")
    response = web_admin.post(url, follow=True)
    assert "logged in to imap.x" in response.content.decode()


# -- texts of outgoing mail --------------------------------------------------------------------


def test_template_edit_preview_and_reset(web_admin, admin):
    listing = web_admin.get(reverse("mail:templates")).content.decode()
    assert 'class="badge">edited' not in listing and listing.count(">default<") == 3
    url = reverse("mail:template", args=["reply"])
    page = web_admin.get(url).content.decode()
    assert "requester_name" in page and "ticket_url" in page  # the variables
    assert "We replaced the fuser unit" in page  # the default's preview, with sample values

    broken = web_admin.post(url, {"subject": "Re: {{ ticket.number }}", "body": "{% if %}"})
    assert broken.status_code == 422
    assert broken.context["form"].errors["body"]
    assert not MailTemplate.objects.exists()

    text = {
        "subject": "Answer on {{ ticket.number }}",
        "body": "Hi,\n{{ body }}\n-- {{ agent_name }}",
    }
    preview = web_admin.post(url, {**text, "action": "preview"})
    assert preview.status_code == 200
    assert "Answer on T-10423" in preview.content.decode()
    assert "-- Sam Agent" in preview.content.decode()
    assert not MailTemplate.objects.exists()  # a preview saves nothing

    assert web_admin.post(url, {**text, "action": "save"}).status_code == 302
    row = MailTemplate.objects.get(kind="reply")
    assert (row.subject, row.updated_by) == (text["subject"], admin)
    assert templates.current("reply").body == text["body"]
    assert 'class="badge">edited' in web_admin.get(reverse("mail:templates")).content.decode()

    assert web_admin.post(reverse("mail:template_reset", args=["reply"])).status_code == 302
    assert not MailTemplate.objects.exists()
    assert templates.current("reply") == templates.DEFAULTS["reply"]


def test_a_template_that_fails_to_render_is_rejected(web_admin):
    url = reverse("mail:template", args=["acknowledgement"])
    response = web_admin.post(url, {"subject": "Hi", "body": '{% include "nothing.txt" %}'})
    assert response.status_code == 422
    assert not MailTemplate.objects.exists()
    assert web_admin.get(reverse("mail:template", args=["nosuchkind"])).status_code == 404


# -- outbox ------------------------------------------------------------------------------------


def test_outbox_lists_mail_and_admins_retry_a_failed_one(web_admin, alice, from_carol):
    mail = OutboundMail.objects.get(ticket=from_carol.ticket)  # the acknowledgement
    OutboundMail.objects.filter(pk=mail.pk).update(
        state=OutboundMail.State.FAILED, attempts=6, last_error="SMTPServerDisconnected: gone"
    )
    page = login(alice).get(reverse("mail:outbox")).content.decode()
    assert "SMTPServerDisconnected: gone" in page and from_carol.ticket.number in page
    assert reverse("mail:retry", args=[mail.public_id]) not in page
    failed = web_admin.get(reverse("mail:outbox"), {"state": "failed"}).content.decode()
    assert reverse("mail:retry", args=[mail.public_id]) in failed
    assert "Nothing" not in failed

    before = clock.now()
    response = web_admin.post(reverse("mail:retry", args=[mail.public_id]))

    assert response.status_code == 302 and response.url == reverse("mail:outbox")
    mail.refresh_from_db()
    assert mail.state == OutboundMail.State.QUEUED and mail.attempts == 0
    assert mail.next_attempt_at >= before
    # Only a failed mail can be retried.
    web_admin.post(reverse("mail:retry", args=[mail.public_id]))
    mail.refresh_from_db()
    assert mail.state == OutboundMail.State.QUEUED


def test_django_admin_only_shows_mailboxes_and_records(admin, from_carol):
    """Mailboxes and texts are changed on the mail pages (host check, encrypted password,
    audit); the Django admin shows them and the records, and changes nothing."""
    admin.is_superuser = True
    admin.save()
    client = login(admin)
    assert client.get(reverse("admin:mail_inboundmessage_changelist")).status_code == 200
    assert client.get(reverse("admin:mail_outboundmail_changelist")).status_code == 200
    assert client.get(reverse("admin:mail_inboundmessage_add")).status_code == 403
    assert client.get(reverse("admin:mail_mailbox_add")).status_code == 403
    assert client.post(reverse("admin:mail_mailbox_add"), MAILBOX).status_code == 403
    assert client.get(reverse("admin:mail_mailtemplate_add")).status_code == 403
    assert not Mailbox.objects.exists()
    login(admin).post(reverse("mail:mailbox_new"), MAILBOX)
    mailbox = Mailbox.objects.get()
    assert mailbox.password() == "s3cret-imap-pw"
    change = client.get(reverse("admin:mail_mailbox_change", args=[mailbox.pk]))
    assert change.status_code == 200 and b"s3cret-imap-pw" not in change.content
    assert mailbox.password_encrypted.encode() not in change.content
    assert 'name="_save"' not in change.content.decode()  # a view, not a form
    changed = client.post(
        reverse("admin:mail_mailbox_change", args=[mailbox.pk]), {**MAILBOX, "name": "Changed"}
    )
    assert changed.status_code == 403
    mailbox.refresh_from_db()
    assert mailbox.name == MAILBOX["name"]
    assert User.objects.filter(is_superuser=True).count() == 1
