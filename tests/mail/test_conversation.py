"""Who may join a ticket by mail (issue 12, item 2): only people its conversation already
includes (requester, watchers, the client's organisation admins, addresses the desk wrote to
about it, addresses in To/Cc of a message on it). A colleague of the same client who names the
ticket (by its subject tag, a Message-ID of ours, or a reply to our mail) gets a new ticket
linked to it, is not made a watcher, and still cannot see the first ticket."""

import pytest
from django.core import mail as django_mail

from deskside.accounts import services as accounts
from deskside.mail import outbound
from deskside.mail.conversation import in_conversation
from deskside.mail.models import Mailbox, MailParticipant, MessageRef, OutboundMail, Outcome
from deskside.mail.pipeline import Policy, receive
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind
from deskside.tickets.queries import visible_tickets
from tests.mail.test_pipeline import raw_mail


@pytest.fixture
def policy(acme):
    return Policy(organization=acme, unknown_senders="create")


@pytest.fixture
def pat(acme):
    """A colleague of Carol at Acme: not an organisation admin."""
    return accounts.create_user(
        email="pat@acme.example",
        full_name="Pat Colleague",
        password="pat-pass-123",
        organization=acme,
    )


@pytest.fixture
def first(carol, policy):
    """Carol's ticket, opened by mail."""
    return receive(raw_mail(), source="import", policy=policy).ticket


def colleague_mail(ticket, how, **headers):
    """Pat's message naming `ticket` by `how`: the subject tag, a reply to our acknowledgement
    (a Message-ID we recorded), or a Message-ID of ours made up with the ticket's number."""
    subject = f"Re: [{ticket.number}] Printer on floor 2 jams" if how == "tag" else "Re: printer"
    if how == "reply":
        headers["In_Reply_To"] = "<m1@acme.example>"
    elif how == "our_id":
        headers["In_Reply_To"] = f"<deskside.{ticket.number}.made-up@{outbound.domain()}>"
    return raw_mail(
        sender="pat@acme.example",
        subject=subject,
        message_id="<pat1@acme.example>",
        body="What is the status of this? Send me the attachments.\n",
        **headers,
    )


@pytest.mark.parametrize("how", ["tag", "reply", "our_id"])
def test_a_colleague_naming_the_ticket_gets_a_new_linked_ticket(first, pat, policy, client, how):
    result = receive(colleague_mail(first, how), source="import", policy=policy)

    assert result.outcome == Outcome.CREATED
    assert result.message.reason == "not_in_conversation"
    new = result.ticket
    assert new != first
    assert new.requester == pat and new.organization == first.organization
    assert new.subject == ("Printer on floor 2 jams" if how == "tag" else "printer")
    assert f"[{first.number}]" not in new.subject
    # linked both ways, by internal events (the agent decides; the requester is told nothing)
    there = first.events.get(kind=EventKind.LINKED)
    here = new.events.get(kind=EventKind.LINKED)
    assert there.data["linked"] == new.number and not there.is_public
    assert here.data["linked"] == first.number and not here.is_public
    # nothing reached the first ticket, and Pat did not join it
    assert not first.events.filter(kind__in=[EventKind.REPLY, EventKind.WATCHERS]).exists()
    assert pat not in first.watchers.all()
    assert not visible_tickets(pat).filter(pk=first.pk).exists()
    client.force_login(pat)
    assert client.get(f"/portal/{first.number}/").status_code == 404
    assert client.get(f"/portal/{new.number}/").status_code == 200


def test_a_second_mail_from_the_colleague_threads_onto_their_own_ticket(first, pat, policy):
    new = receive(colleague_mail(first, "tag"), source="import", policy=policy).ticket
    again = raw_mail(
        sender="pat@acme.example",
        subject=f"Re: [{first.number}] still?",
        message_id="<pat2@acme.example>",
        In_Reply_To="<pat1@acme.example>",
    )

    result = receive(again, source="import", policy=policy)

    assert result.outcome == Outcome.APPENDED and result.ticket == new
    assert not first.events.filter(kind=EventKind.REPLY).exists()


@pytest.mark.parametrize("who", ["requester", "watcher", "org_admin"])
def test_the_requester_a_watcher_and_an_org_admin_still_append(
    first, carol, olivia, pat, alice, policy, who
):
    sender = {"requester": carol, "watcher": pat, "org_admin": olivia}[who]
    if who == "watcher":
        tickets.set_watchers(actor=alice, ticket=first, watchers=[pat])
    reply = raw_mail(
        sender=sender.email,
        subject=f"Re: [{first.number}] Printer on floor 2 jams",
        message_id="<r1@acme.example>",
        body="Any news?\n",
    )

    result = receive(reply, source="import", policy=policy)

    assert result.outcome == Outcome.APPENDED and result.ticket == first
    assert first.events.get(kind=EventKind.REPLY).actor == sender


def test_an_address_in_copy_of_the_original_may_reply_and_append(carol, pat, policy):
    first = receive(
        raw_mail(Cc="Pat <PAT@acme.example>, help@desk.example"), source="import", policy=policy
    ).ticket
    recorded = MailParticipant.objects.filter(ticket=first).values_list("address", flat=True)
    assert "pat@acme.example" in recorded
    assert in_conversation(pat, first)

    result = receive(colleague_mail(first, "tag"), source="import", policy=policy)

    assert result.outcome == Outcome.APPENDED and result.ticket == first
    assert pat in first.watchers.all()  # in copy, now following it in the portal


def test_an_address_the_desk_wrote_to_may_reply_and_append(first, pat, alice, policy, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    tickets.set_watchers(actor=alice, ticket=first, watchers=[pat])
    tickets.add_reply(actor=alice, ticket=first, body="Please restart it.")
    outbound.send_due()
    assert any("pat@acme.example" in m.to for m in django_mail.outbox)
    first.watchers.clear()  # no longer a watcher, but no agent took them off

    result = receive(colleague_mail(first, "tag"), source="import", policy=policy)

    assert result.outcome == Outcome.APPENDED and result.ticket == first


def test_someone_an_agent_removed_from_the_watchers_does_not_get_back_in_by_mail(
    first, pat, alice, two_mails, policy
):
    """Found in review: the desk's old mail to them (or its reply token) would otherwise let
    them back in as a watcher, with the portal's view of the ticket and its files."""
    _, to_pat = two_mails
    tickets.set_watchers(actor=alice, ticket=first, watchers=[])  # the agent's decision

    assert not in_conversation(pat, first)
    by_tag = receive(colleague_mail(first, "tag"), source="import", policy=policy)
    by_token = receive(token_reply("pat@acme.example", to_pat), source="import", policy=policy)

    for result in (by_tag, by_token):
        assert result.ticket != first
    assert pat not in first.watchers.all()
    assert not first.events.filter(kind=EventKind.REPLY, actor=pat).exists()
    # Added again by an agent, they are back in the conversation.
    tickets.set_watchers(actor=alice, ticket=first, watchers=[pat])
    first.watchers.clear()
    assert in_conversation(pat, first)


def test_a_colleague_of_another_ticket_in_copy_is_not_in_this_ones_conversation(
    first, carol, pat, make_ticket, policy
):
    other = make_ticket(carol, subject="Another")
    receive(
        raw_mail(
            subject=f"Re: [{other.number}] Another",
            message_id="<c5@acme.example>",
            Cc="pat@acme.example",
        ),
        source="import",
        policy=policy,
    )

    assert in_conversation(pat, other)
    assert not in_conversation(pat, first)


def test_the_copy_list_of_an_unverified_message_is_not_recorded(first, carol, pat, acme):
    policy = Policy(
        organization=acme, unknown_senders="create", unverified_mail=Mailbox.UnverifiedMail.NOTE
    )
    forged = raw_mail(
        subject=f"Re: [{first.number}] x",
        message_id="<f1@acme.example>",
        Cc="pat@acme.example",
        verified=False,
    )

    result = receive(forged, source="import", policy=policy)

    assert result.ticket == first and result.message.reason == "unverified_sender"
    assert not in_conversation(pat, first)
    assert receive(colleague_mail(first, "tag"), source="import", policy=policy).ticket != first


def test_a_customer_of_another_client_is_never_in_the_conversation(first, dave):
    MailParticipant.objects.create(ticket=first, address=dave.email)

    assert not in_conversation(dave, first)


# -- reply tokens (issue 12, item 1) -----------------------------------------------------------


@pytest.fixture
def two_mails(first, pat, alice, settings):
    """An agent's reply to Carol's ticket, which Pat watches: one mail each, sent."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    outbound.send_due()  # the acknowledgement, to Carol
    tickets.set_watchers(actor=alice, ticket=first, watchers=[pat])
    tickets.add_reply(actor=alice, ticket=first, body="Please restart it.")
    outbound.send_due()
    sent = {m.to[0]: m.extra_headers["Message-ID"] for m in django_mail.outbox[1:]}
    return sent["carol@acme.example"], sent["pat@acme.example"]


def token_reply(sender, in_reply_to, message_id="<t1@acme.example>"):
    return raw_mail(
        sender=sender,
        subject="Re: printer",  # no ticket tag: only the quoted Message-ID names the ticket
        message_id=message_id,
        body="Done, it prints.\n",
        In_Reply_To=in_reply_to,
    )


def test_each_recipient_gets_a_mail_with_a_message_id_of_their_own(first, two_mails):
    to_carol, to_pat = two_mails

    assert len(django_mail.outbox) == 3
    assert [m.to for m in django_mail.outbox[1:]] == [["carol@acme.example"], ["pat@acme.example"]]
    assert to_carol != to_pat
    token = outbound.reply_token(first.number, "pat@acme.example")
    assert to_pat.strip("<>").rpartition("@")[0].endswith("." + token)
    assert outbound.token_matches(to_pat.strip("<>"), "PAT@acme.example")
    assert not outbound.token_matches(to_pat.strip("<>"), "carol@acme.example")
    assert outbound.is_ours(to_pat.strip("<>"))


def test_a_reply_quoting_the_senders_own_token_appends(first, pat, alice, two_mails, policy):
    _, to_pat = two_mails
    OutboundMail.objects.all().delete()  # the token alone proves the desk wrote to Pat
    first.watchers.clear()  # not a watcher any more (no agent took them off)

    assert not in_conversation(pat, first)
    result = receive(token_reply("pat@acme.example", to_pat), source="import", policy=policy)

    assert result.outcome == Outcome.APPENDED and result.ticket == first
    assert first.events.filter(kind=EventKind.REPLY, actor=pat).count() == 1


def test_a_token_made_for_another_recipient_gives_nothing(first, pat, two_mails, policy):
    to_carol, _ = two_mails
    quinn = accounts.create_user(email="quinn@acme.example", organization=first.organization)

    result = receive(token_reply(quinn.email, to_carol), source="import", policy=policy)

    assert result.outcome == Outcome.CREATED and result.ticket != first
    assert result.ticket.requester == quinn
    assert not first.events.filter(kind=EventKind.REPLY, actor=quinn).exists()
    assert quinn not in first.watchers.all()
    assert not first.events.filter(kind=EventKind.LINKED).exists()  # it named nothing


def test_an_altered_token_gives_nothing(first, carol, two_mails, policy):
    to_carol, _ = two_mails
    local, _, host = to_carol.strip("<>").rpartition("@")
    altered = local[:-1] + ("0" if local[-1] != "0" else "1")

    result = receive(
        token_reply(carol.email, f"<{altered}@{host}>"), source="import", policy=policy
    )

    assert result.outcome == Outcome.CREATED and result.ticket != first
    assert not first.events.filter(kind=EventKind.REPLY, actor=carol).exists()


def test_an_old_message_id_without_a_token_still_threads_for_the_conversation(
    first, carol, pat, policy
):
    old = f"deskside.{first.number}.oldstyle1234@{outbound.domain()}"
    MessageRef.objects.create(message_id=old, ticket=first, outbound=True)

    mine = receive(token_reply(carol.email, f"<{old}>"), source="import", policy=policy)
    theirs = receive(
        token_reply(pat.email, f"<{old}>", message_id="<t2@acme.example>"),
        source="import",
        policy=policy,
    )

    assert mine.outcome == Outcome.APPENDED and mine.ticket == first
    assert theirs.ticket != first and theirs.message.reason == "not_in_conversation"
