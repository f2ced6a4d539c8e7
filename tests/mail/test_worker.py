"""The email channel in `deskside worker`: the outbox is sent and mailboxes polled between SLA
passes, and a failing task neither stops the loop nor the other tasks."""

from django.core import mail as django_mail

from deskside.core import worker as runner
from deskside.mail import worker as mail_worker
from deskside.mail.models import OutboundMail
from deskside.sla import worker as sla_worker
from deskside.tickets import services as tickets


def test_mail_pass_sends_the_outbox(alice, acme_ticket, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    tickets.add_reply(actor=alice, ticket=acme_ticket, body="On my way.")

    mail_worker.mail_pass()

    assert [m.to for m in django_mail.outbox] == [["carol@acme.example"]]
    assert OutboundMail.objects.get().state == "sent"


def test_worker_runs_tasks_after_its_pass_and_survives_a_failing_one(db):
    calls = []

    def broken():
        calls.append("broken")
        raise RuntimeError("mail server on fire")

    def fine():
        calls.append("fine")

    assert runner.run(sla_worker.sla_pass, once=True, tasks=[broken, fine]) == 1
    assert calls == ["broken", "fine"]
