"""Mailboxes and the texts of outgoing mail write audit entries (deskside.core.audit) in the
transaction of the change; a mailbox password never reaches the log."""

import pytest

from deskside.core import versioning
from deskside.mail import services
from deskside.mail.exceptions import NotAllowed
from deskside.mail.models import MailKind
from tests.audit_helpers import mark, only, since, stored_text
from tests.mail.test_services import VALUES


def test_mailbox_created_updated_and_its_password_changed(admin):
    start = mark()
    mailbox = services.create_mailbox(actor=admin, values=VALUES, password="s3cret-imap-pw")
    created = only(start)
    assert (created.action, created.object_type, created.object_id) == (
        "created",
        "mail.mailbox",
        str(mailbox.pk),
    )
    assert created.after["name"] == VALUES["name"] and created.actor == admin

    start = mark()
    services.update_mailbox(actor=admin, mailbox=mailbox, values={**VALUES, "name": "Desk"})
    changed = only(start)
    assert changed.action == "updated"
    assert (changed.before, changed.after) == ({"name": VALUES["name"]}, {"name": "Desk"})

    start = mark()
    services.update_mailbox(
        actor=admin, mailbox=mailbox, values={**VALUES, "name": "Desk"}, password="n3w-pw"
    )
    assert [(e.action, e.before, e.after) for e in since(start)] == [
        ("password_changed", None, None)
    ]
    assert "s3cret-imap-pw" not in stored_text() and "n3w-pw" not in stored_text()


def test_a_refused_or_conflicting_mailbox_change_writes_no_entry(admin, alice):
    mailbox = services.create_mailbox(actor=admin, values=VALUES)
    start = mark()
    with pytest.raises(NotAllowed):
        services.update_mailbox(actor=alice, mailbox=mailbox, values={**VALUES, "name": "X"})
    with pytest.raises(versioning.VersionConflict):
        services.update_mailbox(
            actor=admin, mailbox=mailbox, values={**VALUES, "name": "Y"}, version=7
        )
    assert since(start) == []


def test_mail_texts_saved_and_reset(admin):
    kind = MailKind.ACKNOWLEDGEMENT
    start = mark()
    services.save_template(actor=admin, kind=kind, subject="[{{ ticket.number }}] New", body="Hi")
    saved = only(start)
    assert (saved.action, saved.object_type, saved.object_id) == (
        "updated",
        "mail.template",
        kind.value,
    )
    assert saved.after == {"subject": "[{{ ticket.number }}] New", "body": "Hi"}

    start = mark()
    assert services.reset_template(actor=admin, kind=kind)
    reset = only(start)
    assert reset.action == "reset" and reset.before["body"] == "Hi" and reset.after is None
