"""Concurrent edits of mail settings (issue 12, item 9): a mailbox or a mail text saved from a
page drawn before someone else's change is a conflict (409, the current values shown, the
input kept), never a silent undo; a mailbox deleted meanwhile is a 404 and is not re-inserted;
saving a mailbox never writes the poller's fields back."""

import pytest
from django.urls import reverse

from deskside.core import clock, versioning
from deskside.mail import services
from deskside.mail.forms import MailboxForm
from deskside.mail.models import Mailbox, MailKind, MailTemplate
from tests.conftest import login
from tests.core.races import in_threads
from tests.mail.test_views import MAILBOX

KIND = MailKind.values[0]


@pytest.fixture
def mailbox(db):
    return Mailbox.objects.create(name="Help desk", address="help@desk.example", host="imap.x")


def test_stale_mailbox_save_is_a_conflict_that_keeps_the_input(admin, mailbox):
    client = login(admin)
    url = reverse("mail:mailbox", args=[mailbox.pk])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    first = client.post(url, {**MAILBOX, "name": "Renamed elsewhere", "version": "1"})
    assert first.status_code == 302
    stale = client.post(url, {**MAILBOX, "name": "My edit", "folder": "Support", "version": "1"})
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "changed by someone else since you opened it" in html
    assert "Renamed elsewhere" in html
    assert 'value="My edit"' in html
    assert 'name="version" value="2"' in html
    assert Mailbox.objects.get().name == "Renamed elsewhere"
    again = client.post(url, {**MAILBOX, "name": "My edit", "version": "2"})
    assert again.status_code == 302
    assert Mailbox.objects.get().name == "My edit"


def test_mailbox_save_after_delete_is_404_and_nothing_comes_back(admin, mailbox):
    form = MailboxForm({**MAILBOX, "version": "1"}, instance=mailbox, user=admin)
    assert form.is_valid(), form.errors
    Mailbox.objects.all().delete()
    with pytest.raises(versioning.Gone):
        services.update_mailbox(
            actor=admin,
            mailbox=mailbox,
            values=form.values(),
            password=form.new_password(),
            version=form.cleaned_data["version"],
        )
    assert not Mailbox.objects.exists()


def test_mailbox_save_keeps_the_pollers_fields(admin, mailbox):
    client = login(admin)
    url = reverse("mail:mailbox", args=[mailbox.pk])
    polled = clock.now()
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=polled, last_error="timeout")
    assert client.post(url, {**MAILBOX, "version": "1"}).status_code == 302
    row = Mailbox.objects.get()
    assert row.last_polled_at == polled and row.last_error == "timeout"


def test_stale_template_save_is_a_conflict(admin):
    client = login(admin)
    url = reverse("mail:template", args=[KIND])
    assert 'name="version" value="0"' in client.get(url).content.decode()
    services.save_template(actor=admin, kind=KIND, subject="Theirs", body="Their text", version=0)
    response = client.post(url, {"subject": "Mine", "body": "My text", "version": "0"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else since you opened it" in html
    assert "Their text" in html and "My text" in html
    assert 'name="version" value="1"' in html
    assert MailTemplate.objects.get().subject == "Theirs"
    assert (
        client.post(url, {"subject": "Mine", "body": "My text", "version": "1"}).status_code == 302
    )
    assert MailTemplate.objects.get().subject == "Mine"
    assert MailTemplate.objects.get().version == 2


def test_template_reset_meanwhile_is_a_conflict_not_a_silent_return(admin):
    services.save_template(actor=admin, kind=KIND, subject="Edited", body="Edited text", version=0)
    services.reset_template(actor=admin, kind=KIND)
    with pytest.raises(versioning.VersionConflict) as caught:
        services.save_template(actor=admin, kind=KIND, subject="Mine", body="x", version=1)
    assert caught.value.current == 0
    assert not MailTemplate.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_first_edits_of_a_text_one_wins_one_conflicts(admin):
    def save(text: str) -> None:
        services.save_template(actor=admin, kind=KIND, subject=text, body=f"{text} text", version=0)

    _, errors = in_threads(lambda: save("A"), lambda: save("B"))
    assert [type(e) for e in errors] == [versioning.VersionConflict], errors
    assert MailTemplate.objects.count() == 1
