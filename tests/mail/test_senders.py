"""Sender verification (issue 12 item 1): a forged From: line gets nothing.

Real signed mail: messages signed here with dkimpy and a key generated here, whose public key
is published through the stub DNS resolver (tests/dnsstub.py; no test asks the real network);
unsigned, mis-signed and DMARC-misaligned ones; SPF checked by `deskside smtpd` in a real SMTP
session; trusted and untrusted Authentication-Results headers."""

import base64
import smtplib
from email.message import EmailMessage

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.urls import reverse

from deskside.cli import main
from deskside.mail import senders, smtpd
from deskside.mail.models import InboundMessage, Mailbox, OutboundMail, Outcome
from deskside.mail.pipeline import Policy, receive, reprocess
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind, Status, Ticket
from tests.mail.test_smtp_e2e import free_port
from tests.mailauth import TRUSTED_MTA, arrived_verified


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def publish(dns_stub, key, domain: str, selector: str = "s1") -> None:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    dns_stub.txt(
        f"{selector}._domainkey.{domain}", f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"
    )


def message(
    *,
    sender="Carol Customer <carol@acme.example>",
    subject="Printer on floor 2 jams",
    body="The printer jams on every page.\n",
    message_id="<m1@acme.example>",
    **headers,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "help@desk.example"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes().replace(b"\n", b"\r\n")


def signed(raw: bytes, key, domain: str, selector: str = "s1") -> bytes:
    signature = dkim.sign(
        raw,
        selector.encode(),
        domain.encode(),
        private_pem(key),
        include_headers=[b"from", b"to", b"subject", b"message-id"],
    )
    return signature + raw


@pytest.fixture
def policy(acme):
    return Policy(organization=acme, unknown_senders="create")


@pytest.fixture
def note_policy(acme):
    return Policy(organization=acme, unknown_senders="create", unverified_mail="note")


# -- the verdict -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_message_signed_by_its_from_domain_passes(dns_stub, key):
    publish(dns_stub, key, "acme.example")

    verdict = senders.check(signed(message(), key, "acme.example"), source="imap")

    assert verdict == senders.Verdict(
        "pass", "DKIM signature of acme.example verified (DKIM check)", "acme.example"
    )


@pytest.mark.django_db
def test_a_subdomain_signature_is_aligned_by_the_organisational_domain(dns_stub, key):
    publish(dns_stub, key, "mail.acme.example")
    raw = signed(message(), key, "mail.acme.example")

    assert senders.check(raw, source="imap").result == "pass"
    dns_stub.txt("_dmarc.acme.example", "v=DMARC1; p=reject; adkim=s")
    strict = senders.check(raw, source="imap")
    assert strict.result == "fail" and "p=reject" in strict.reason


@pytest.mark.django_db
def test_an_unsigned_message_is_none(dns_stub):
    verdict = senders.check(message(), source="imap")

    assert verdict.result == "none"
    assert "no DKIM signature" in verdict.reason
    assert ("_dmarc.acme.example", "TXT") in dns_stub.asked  # asked the stub, not the network


@pytest.mark.django_db
def test_a_body_altered_after_signing_fails(dns_stub, key):
    publish(dns_stub, key, "acme.example")
    raw = signed(message(), key, "acme.example").replace(b"every page", b"every PAGE")

    verdict = senders.check(raw, source="imap")

    assert verdict.result == "fail"
    assert verdict.reason == "DKIM signature of acme.example failed: body hash mismatch"


@pytest.mark.django_db
def test_a_subject_altered_after_signing_fails(dns_stub, key):
    publish(dns_stub, key, "acme.example")
    raw = signed(message(), key, "acme.example").replace(b"floor 2", b"floor 3")

    verdict = senders.check(raw, source="imap")

    assert verdict.result == "fail"
    assert "DKIM signature of acme.example failed: it does not match" in verdict.reason


@pytest.mark.django_db
def test_a_valid_signature_of_another_domain_fails_dmarc_with_p_reject(dns_stub, key):
    publish(dns_stub, key, "mallory.example")
    dns_stub.txt("_dmarc.acme.example", "v=DMARC1; p=reject; rua=mailto:d@acme.example")

    verdict = senders.check(signed(message(), key, "mallory.example"), source="imap")

    assert verdict.result == "fail"
    assert "DMARC policy is p=reject" in verdict.reason
    assert "mallory.example" in verdict.reason


@pytest.mark.django_db
def test_without_a_dmarc_record_a_foreign_signature_is_none(dns_stub, key):
    publish(dns_stub, key, "mailer.example")

    verdict = senders.check(signed(message(), key, "mailer.example"), source="imap")

    assert verdict.result == "none"
    assert "mailer.example" in verdict.reason


@pytest.mark.django_db
def test_a_dns_timeout_is_not_a_pass(dns_stub, key):
    dns_stub.fail("s1._domainkey.acme.example")
    dns_stub.fail("_dmarc.acme.example")

    verdict = senders.check(signed(message(), key, "acme.example"), source="imap")

    assert verdict.result == "none"  # unknown, not forged: still not verified
    assert "the DKIM key of acme.example could not be looked up" in verdict.reason
    assert "the DMARC record could not be looked up" in verdict.reason


@pytest.mark.django_db
def test_a_signature_without_a_published_key_fails(key):
    verdict = senders.check(signed(message(), key, "acme.example"), source="imap")

    assert verdict.result == "fail"
    assert "DKIM signature of acme.example failed: no usable key" in verdict.reason


@pytest.mark.django_db
def test_a_trusted_mtas_authentication_results_decide(settings):
    passed = arrived_verified(message())
    assert senders.check(passed, source="imap") == senders.Verdict(
        "pass", f"dmarc=pass by {TRUSTED_MTA}", "acme.example"
    )
    failed = f"Authentication-Results: {TRUSTED_MTA}; dmarc=fail header.from=acme.example\r\n"
    assert senders.check(failed.encode() + message(), source="imap").result == "fail"
    dkim_only = f"Authentication-Results: {TRUSTED_MTA}; dkim=pass header.d=acme.example\r\n"
    assert senders.check(dkim_only.encode() + message(), source="imap").result == "pass"
    # A DMARC pass for another From domain says nothing about this message.
    other = f"Authentication-Results: {TRUSTED_MTA}; dmarc=pass header.from=evil.example\r\n"
    assert senders.check(other.encode() + message(), source="imap").result == "none"


@pytest.mark.django_db
def test_authentication_results_of_any_other_mta_are_ignored(settings):
    forged = b"Authentication-Results: mx.evil.example; dmarc=pass header.from=acme.example\r\n"
    assert senders.check(forged + message(), source="imap").result == "none"
    # Our own smtpd's id counts only as the first line of mail smtpd received itself.
    own = settings.DESKSIDE_MAIL_AUTHSERV_ID
    header = f"Authentication-Results: {own}; spf=pass smtp.mailfrom=carol@acme.example\r\n"
    assert senders.check(header.encode() + message(), source="smtp").result == "pass"
    for source in ("imap", "api", "import"):
        assert senders.check(header.encode() + message(), source=source).result == "none"
    buried = b"Received: from somewhere\r\n" + header.encode()
    assert senders.check(buried + message(), source="smtp").result == "none"


def test_a_verdict_about_another_domain_than_the_senders_is_not_a_pass(carol, policy, monkeypatch):
    """Belt and braces: the verdict is about the From domain senders.check read; should the
    pipeline's parser read another sender, the message is not verified."""
    other = senders.Verdict("pass", "dmarc=pass by mx", "evil.example")
    monkeypatch.setattr(senders, "check", lambda raw, source: other)

    result = receive(message(), source="imap", policy=policy)

    assert result.outcome == Outcome.QUARANTINED
    assert result.message.sender_check == "none"
    assert "evil.example was verified, not the sender's domain acme.example" in (
        result.message.sender_check_reason
    )


@pytest.mark.django_db
def test_a_message_without_one_from_address_is_none():
    raw = message().replace(b"From: Carol Customer <carol@acme.example>", b"From: a@x, b@y")
    assert senders.check(raw, source="imap").result == "none"


# -- what the pipeline does with it ------------------------------------------------------------


def test_a_signed_message_opens_a_ticket_marked_verified(carol, policy, dns_stub, key):
    publish(dns_stub, key, "acme.example")

    result = receive(signed(message(), key, "acme.example"), source="imap", policy=policy)

    assert result.outcome == Outcome.CREATED
    assert result.message.sender_check == "pass"
    created = result.ticket.events.get(kind=EventKind.CREATED)
    assert created.data["sender_check"] == "pass"
    assert OutboundMail.objects.filter(kind="acknowledgement").count() == 1


def test_unverified_mail_is_held_by_default(carol, policy):
    result = receive(message(), source="imap", policy=policy)

    assert result.outcome == Outcome.QUARANTINED
    held = result.message
    assert held.reason == "unverified_sender"
    assert held.sender_check == "none"
    assert "could not be verified" in held.detail
    assert not Ticket.objects.exists() and not OutboundMail.objects.exists()


def test_reprocess_checks_again_and_a_mended_dns_lets_it_through(
    carol, admin, policy, dns_stub, key
):
    raw = signed(message(), key, "acme.example")
    held = receive(raw, source="imap", policy=policy).message
    assert held.sender_check == "fail"  # the key is not published yet

    again = reprocess(held, actor=admin)
    assert again.outcome == Outcome.QUARANTINED and again.message.reason == "unverified_sender"

    publish(dns_stub, key, "acme.example")
    mended = reprocess(held, actor=admin)
    assert mended.outcome == Outcome.CREATED
    held.refresh_from_db()
    assert held.sender_check == "pass"


def test_unverified_customer_mail_under_the_note_policy_opens_a_quiet_ticket(carol, note_policy):
    result = receive(message(), source="imap", policy=note_policy)

    assert result.outcome == Outcome.CREATED
    assert result.message.reason == "unverified_sender"
    ticket = result.ticket
    assert ticket.requester == carol
    assert "unverified sender" in ticket.description
    assert "jams on every page" not in ticket.description  # customer-visible: not the text
    note = ticket.events.get(kind=EventKind.NOTE)
    assert not note.is_public and note.actor is None
    assert note.body == "The printer jams on every page."
    assert note.data["sender_check"] == "none"
    assert not OutboundMail.objects.exists()  # no acknowledgement: no backscatter


def test_an_unverified_customer_reply_is_an_internal_note_and_changes_nothing(
    carol, alice, policy, note_policy, acme_ticket
):
    tickets.add_reply(actor=alice, ticket=acme_ticket, body="Is it fixed?")
    acme_ticket.refresh_from_db()
    tickets.set_status(actor=alice, ticket=acme_ticket, status=Status.PENDING_CUSTOMER)
    OutboundMail.objects.all().delete()
    raw = message(subject=f"Re: [{acme_ticket.number}] Printer", body="Yes, thanks.\n")

    result = receive(raw, source="imap", policy=note_policy)

    assert result.outcome == Outcome.APPENDED and result.ticket == acme_ticket
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.PENDING_CUSTOMER  # not "the customer replied"
    assert not acme_ticket.events.filter(kind=EventKind.REPLY, actor=carol).exists()
    assert result.message.event.kind == EventKind.NOTE and not result.message.event.is_public


@pytest.mark.parametrize("unverified_mail", ["quarantine", "note"])
def test_a_forged_agent_reply_is_never_the_agents(
    carol, alice, acme, acme_ticket, unverified_mail, dns_stub
):
    """The attack of the issue: a plain message "from" an agent's address onto a customer's
    ticket. It must not become Alice's public reply, mail the customer, open the ticket or
    count as a first response, whatever the mailbox's policy."""
    dns_stub.txt("_dmarc.msp.example", "v=DMARC1; p=none")
    before = acme_ticket.events.count()
    status, responded = acme_ticket.status, acme_ticket.first_responded_at
    policy = Policy(organization=acme, unverified_mail=unverified_mail)
    forged = message(
        sender="Alice Agent <alice@msp.example>",
        subject=f"Re: [{acme_ticket.number}] Printer offline",
        body="Please send me your password so I can fix it.\n",
    )

    result = receive(forged, source="smtp", policy=policy)

    acme_ticket.refresh_from_db()
    assert (acme_ticket.status, acme_ticket.first_responded_at) == (status, responded)
    assert not acme_ticket.events.filter(kind=EventKind.REPLY).exists()
    assert not acme_ticket.events.filter(is_public=True).exclude(kind=EventKind.CREATED).exists()
    assert not OutboundMail.objects.exists()
    assert result.message.sender_check == "fail"
    if unverified_mail == "quarantine":
        assert result.outcome == Outcome.QUARANTINED
        assert acme_ticket.events.count() == before
    else:
        assert result.outcome == Outcome.APPENDED
        note = acme_ticket.events.get(kind=EventKind.NOTE)
        assert note.actor is None and not note.is_public
        assert note.data["from"] == "alice@msp.example"


def test_a_forged_agent_mail_opens_no_ticket_even_under_the_note_policy(alice, acme, msp):
    forged = message(sender="alice@msp.example", subject="New request")

    result = receive(
        forged, source="imap", policy=Policy(organization=acme, unverified_mail="note")
    )

    assert result.outcome == Outcome.QUARANTINED
    assert result.message.reason == "unverified_sender"
    assert not Ticket.objects.exists()


def test_a_verified_agent_reply_is_the_agents(carol, alice, acme, acme_ticket, dns_stub, key):
    publish(dns_stub, key, "msp.example")
    raw = message(
        sender="Alice Agent <alice@msp.example>",
        subject=f"Re: [{acme_ticket.number}] Printer offline",
        body="I restarted the spooler.\n",
    )

    result = receive(
        signed(raw, key, "msp.example"), source="imap", policy=Policy(organization=acme)
    )

    assert result.outcome == Outcome.APPENDED
    reply = acme_ticket.events.get(kind=EventKind.REPLY)
    assert reply.actor == alice and reply.is_public
    assert reply.data["sender_check"] == "pass"


def test_the_inbound_api_verifies_too(msp, alice, admin, acme, dns_stub):
    from tests.conftest import client_for  # noqa: PLC0415
    from tests.mail.test_api import raw_post  # noqa: PLC0415

    Mailbox.objects.create(
        name="Help", address="help@msp.example", protocol="delivery", organization=acme
    )
    dns_stub.txt("_dmarc.msp.example", "v=DMARC1; p=none")
    forged = message(sender="alice@msp.example", subject="New request")

    response = raw_post(client_for(admin), "/api/v1/mail/inbound?mailbox=Help", forged)

    assert response.status_code == 200
    assert response.json()["outcome"] == "quarantined"
    assert response.json()["message"]["sender_check"] == "fail"  # (msp.example: p=none below)
    assert InboundMessage.objects.get().reason == "unverified_sender"


def test_an_operator_import_may_vouch_for_its_senders(carol, acme, tmp_path, capsys):
    path = tmp_path / "old.eml"
    path.write_bytes(message())

    code = main(["mail", "import", str(path), "--organization", acme.slug, "--senders-verified"])

    assert code == 0, capsys.readouterr().err
    imported = InboundMessage.objects.get()
    assert imported.outcome == Outcome.CREATED
    assert imported.sender_check == "pass" and "vouched" in imported.sender_check_reason


# -- SPF in a real SMTP session with deskside smtpd ---------------------------------------------


@pytest.fixture
def receiver(settings):
    settings.DESKSIDE_SMTPD_RELAYS = []  # the test client on loopback stands for the internet
    server = smtpd.controller("127.0.0.1", free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def helpbox(acme):
    return Mailbox.objects.create(
        name="Help",
        address="help@msp.example",
        protocol=Mailbox.Protocol.DELIVERY,
        organization=acme,
        unknown_senders=Mailbox.UnknownSenders.CREATE,
    )


def smtp_send(server, raw: bytes, mail_from: str) -> None:
    with smtplib.SMTP(
        server.hostname, server.port, timeout=10, local_hostname="mx.acme.example"
    ) as client:
        client.sendmail(mail_from, ["help@msp.example"], raw)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("record", "outcome", "check"),
    [
        ("v=spf1 ip4:127.0.0.0/8 -all", Outcome.CREATED, "pass"),
        ("v=spf1 ip4:192.0.2.0/24 -all", Outcome.QUARANTINED, "fail"),
    ],
)
def test_spf_is_checked_by_smtpd_and_kept_with_the_original(
    carol, helpbox, receiver, dns_stub, settings, record, outcome, check
):
    dns_stub.txt("acme.example", record)

    smtp_send(receiver, message(), "carol@acme.example")

    received = InboundMessage.objects.get()
    assert received.outcome == outcome
    assert received.sender_check == check
    with received.raw.open("rb") as fh:
        first = fh.readline().decode()
    assert first.startswith(f"Authentication-Results: {settings.DESKSIDE_MAIL_AUTHSERV_ID}; ")
    assert f"spf={check}" in first and "smtp.mailfrom=carol@acme.example" in first
    assert "smtp.helo=mx.acme.example" in first


@pytest.mark.django_db(transaction=True)
def test_smtpd_checks_no_spf_for_its_relay_and_a_forged_own_header_counts_for_nothing(
    carol, helpbox, settings, dns_stub
):
    dns_stub.txt("acme.example", "v=spf1 ip4:127.0.0.0/8 -all")
    server = smtpd.controller("127.0.0.1", free_port())  # loopback is a relay by default
    server.start()
    own = settings.DESKSIDE_MAIL_AUTHSERV_ID
    forged = f"Authentication-Results: {own}; spf=pass smtp.mailfrom=carol@acme.example\r\n"
    try:
        smtp_send(server, forged.encode() + message(), "carol@acme.example")
    finally:
        server.stop()

    received = InboundMessage.objects.get()
    assert received.sender_check == "none"
    assert received.outcome == Outcome.QUARANTINED
    assert ("acme.example", "TXT") not in dns_stub.asked  # no SPF check for the relay


# -- the pages ---------------------------------------------------------------------------------


def test_the_pages_say_whether_the_sender_was_verified(carol, admin, alice, policy, note_policy):
    verified = receive(arrived_verified(message()), source="imap", policy=policy)
    receive(message(message_id="<m2@acme.example>"), source="imap", policy=note_policy)
    receive(message(message_id="<m3@acme.example>"), source="imap", policy=policy)
    client = Client()
    client.force_login(admin)

    page = client.get(reverse("tickets:detail", args=[verified.ticket.number])).content.decode()
    assert "Sender verified" in page
    unverified = Ticket.objects.exclude(pk=verified.ticket.pk).get()
    page = client.get(reverse("tickets:detail", args=[unverified.number])).content.decode()
    assert "Sender not verified: no DKIM signature" in page
    received = client.get(reverse("mail:received")).content.decode()
    assert "sender verified" in received and "sender not verified" in received
    quarantine = client.get(reverse("mail:quarantine")).content.decode()
    assert "sender not verified: no DKIM signature" in quarantine


def test_an_admin_accepts_a_held_unverified_message_as_an_internal_note(carol, admin, policy):
    held = receive(message(), source="imap", policy=policy).message
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("mail:quarantine")).content.decode()
    assert "Accept as internal note" in page

    client.post(reverse("mail:reprocess", args=[held.public_id]), {"as_note": "1"})

    held.refresh_from_db()
    assert held.outcome == Outcome.CREATED and held.reason == "unverified_sender"
    note = held.ticket.events.get(kind=EventKind.NOTE)
    assert not note.is_public and note.data["sender_check"] == "none"
    assert not OutboundMail.objects.exists()
    # A plain reprocess of another held one leaves it held: the sender is still unproven.
    other = receive(message(message_id="<m9@acme.example>"), source="imap", policy=policy).message
    client.post(reverse("mail:reprocess", args=[other.public_id]))
    other.refresh_from_db()
    assert other.outcome == Outcome.QUARANTINED


def test_the_mailbox_form_sets_the_policy_for_unverified_mail(admin, acme):
    box = Mailbox.objects.create(
        name="Help", address="help@msp.example", protocol="delivery", organization=acme
    )
    assert box.unverified_mail == "quarantine"  # the default
    client = Client()
    client.force_login(admin)
    url = reverse("mail:mailbox", args=[box.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(unverified_mail="note", organization=acme.pk, team="")

    response = client.post(url, data)

    assert response.status_code in (200, 302)
    box.refresh_from_db()
    assert box.unverified_mail == "note", (
        getattr(response, "context", {}) and response.context["form"].errors
    )
    assert Policy.of(box).unverified_mail == "note"


# -- found in review: text smuggled into smtpd's own line, replayed signatures -----------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("helo", "mail_from"),
    [
        ("x@y; dmarc=pass header.from=msp.example", "someone@mallory.example"),
        ("mx.mallory.example", "a;dmarc=pass@msp.example"),
        ("x@y; spf=pass smtp.mailfrom=alice@msp.example", ""),
    ],
)
def test_a_helo_name_or_envelope_sender_cannot_smuggle_a_result_into_smtpds_line(
    settings, helo, mail_from
):
    """A client connecting to smtpd directly (not a relay) chooses its HELO name and MAIL FROM:
    neither may put a DMARC or SPF pass into the line smtpd writes and later believes."""
    line = senders.smtp_header(ip="203.0.113.9", helo=helo, mail_from=mail_from)
    assert b"dmarc=pass" not in line and b"spf=pass" not in line
    raw = line + message(sender="Alice Agent <alice@msp.example>")
    assert senders.check(raw, source="smtp").result != "pass"


@pytest.mark.django_db
def test_only_the_spf_result_of_smtpds_own_line_counts(settings):
    own = settings.DESKSIDE_MAIL_AUTHSERV_ID
    line = (
        f"Authentication-Results: {own}; spf=none smtp.helo=mx.mallory.example;"
        " dmarc=pass header.from=acme.example; spf=pass smtp.mailfrom=carol@acme.example\r\n"
    )
    assert senders.check(line.encode() + message(), source="smtp").result == "none"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Subject", "References", "From"])
def test_a_signed_message_with_a_second_copy_of_a_header_is_not_verified(dns_stub, key, name):
    """dkimpy verifies the last copy of a header, a reader may take the first: an old signed
    mail with a new Subject or References on top must not pass as a reply to another ticket."""
    publish(dns_stub, key, "acme.example")
    raw = signed(message(References="<old@acme.example>"), key, "acme.example")
    value = {
        "Subject": "[T-00042] re",
        "References": "<deskside.T-00042.x@desk.example>",
        "From": "carol@acme.example",
    }[name]
    replayed = f"{name}: {value}\r\n".encode() + raw

    verdict = senders.check(replayed, source="imap")

    assert verdict.result == "none" and name in verdict.reason


@pytest.mark.django_db
def test_a_signature_that_leaves_out_a_threading_header_or_part_of_the_body_proves_too_little(
    dns_stub, key
):
    publish(dns_stub, key, "acme.example")
    # References added after signing, by anyone: the signature does not cover it.
    raw = signed(message(), key, "acme.example")
    added = b"References: <deskside.T-00042.x@desk.example>\r\n" + raw
    verdict = senders.check(added, source="imap")
    assert verdict.result != "pass" and "does not cover references" in verdict.reason
    # A body length limit (l=): text appended after the signed part would count as signed.
    limited = dkim.sign(
        message(),
        b"s1",
        b"acme.example",
        private_pem(key),
        include_headers=[b"from", b"to", b"subject", b"message-id"],
        length=True,
    )
    verdict = senders.check(limited + message(), source="imap")
    assert verdict.result != "pass" and "l=" in verdict.reason
