"""Preferences per kind (page, mail, both, none) decide where a notification goes; mail is an
outbox row sent by the worker's pass, at most once."""

from django.core import mail

from deskside.core.audit import entries
from deskside.notifications import delivery, services
from deskside.notifications.models import Kind, NotificationMail
from deskside.notifications.queries import preferences_of
from deskside.notifications.worker import notifications_pass
from deskside.tickets import services as tickets
from tests.notifications.conftest import told


def test_defaults_show_everything_and_mail_mentions(leo):
    prefs = preferences_of(leo)
    assert prefs == {
        "assigned": "page",
        "escalated": "page",
        "replied": "page",
        "mentioned": "both",
        "sla": "page",
        "paged": "page",
        "vendor": "page",
        "kb_review": "both",
    }


def test_none_tells_nothing_mail_only_mails(alice, leo, acme_ticket):
    services.set_preferences(actor=leo, channels={"assigned": "none", "mentioned": "mail"})
    tickets.assign_ticket(actor=alice, ticket=acme_ticket, assignee=leo)
    tickets.add_note(actor=alice, ticket=acme_ticket, body="@leo please")
    assert told(leo) == []
    [queued] = NotificationMail.objects.all()
    assert (queued.recipient_id, queued.kind, queued.state) == (leo.pk, Kind.MENTIONED, "queued")
    assert (
        queued.subject
        == f"[{acme_ticket.number}] Alice Agent mentioned you on {acme_ticket.number}"
    )


def test_both_shows_and_mails_and_the_worker_sends_once(alice, leo, acme_ticket):
    tickets.add_note(actor=alice, ticket=acme_ticket, body="@leo please go on site")
    assert [n.kind for n in told(leo)] == [Kind.MENTIONED]
    notifications_pass()
    [sent] = mail.outbox
    assert sent.to == ["leo@msp.example"]
    assert "@leo please go on site" in sent.body
    assert f"/tickets/{acme_ticket.number}/" in sent.body
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    row = NotificationMail.objects.get()
    assert row.state == "sent" and row.sent_at is not None
    notifications_pass()
    assert len(mail.outbox) == 1  # never twice


def test_a_claimed_mail_is_not_sent_by_another_worker(alice, leo, acme_ticket):
    tickets.add_note(actor=alice, ticket=acme_ticket, body="@leo")
    row = NotificationMail.objects.get()
    NotificationMail.objects.filter(pk=row.pk).update(state="sending")  # another worker's claim
    result = delivery.send_due()
    assert (result.sent, result.lost) == (0, 0)
    assert mail.outbox == []


def test_a_refused_mail_fails_and_is_not_retried(settings, alice, leo, acme_ticket):
    settings.EMAIL_BACKEND = "tests.notifications.test_preferences_and_mail.Refusing"
    tickets.add_note(actor=alice, ticket=acme_ticket, body="@leo")
    assert delivery.send_due().failed == 1
    row = NotificationMail.objects.get()
    assert row.state == "failed" and "refused" in row.last_error
    assert delivery.send_due().failed == 0


class Refusing:
    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        pass

    def close(self):
        pass

    def send_messages(self, messages):
        raise OSError("refused by the test")


def test_setting_preferences_is_audited_and_checked(leo):
    import pytest  # noqa: PLC0415

    from deskside.notifications.exceptions import InvalidInput  # noqa: PLC0415

    services.set_preferences(actor=leo, channels={"sla": "both"})
    [entry] = entries(object_type="notification_preferences")
    assert (entry.actor_id, entry.before, entry.after) == (leo.pk, {"sla": "page"}, {"sla": "both"})
    with pytest.raises(InvalidInput) as error:
        services.set_preferences(actor=leo, channels={"sla": "pigeon"})
    assert error.value.field == "sla"
    with pytest.raises(InvalidInput):
        services.set_preferences(actor=leo, channels={"weather": "page"})
    assert preferences_of(leo)["sla"] == "both"
