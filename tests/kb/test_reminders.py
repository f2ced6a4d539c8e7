"""The review reminder (`kb.worker.review_pass`): the owner of an article whose review falls
due is told once per due date (in the page and by mail), again after a review once it falls
due again, and never an agent who may not read the article; without an owner who may, the
administrators who may are told."""

from datetime import timedelta

import pytest
from django.core import mail

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.kb import services
from deskside.kb.models import Article, ArticleStatus
from deskside.kb.services import ArticleInput
from deskside.kb.worker import review_pass
from deskside.notifications import delivery
from deskside.notifications import services as notifications
from deskside.notifications.models import Kind, Notification, NotificationMail

PERIOD = 30


@pytest.fixture
def gina(msp, globex):
    """An agent who serves Globex only."""
    user = accounts.create_user(
        email="gina@msp.example",
        full_name="Gina Globex",
        password="gina-pass-123",
        kind="agent",
        tier=Tier.L1,
        organization=msp,
    )
    user.served_organizations.set([globex])
    return user


def write(actor, title="Printer jam", **kw):
    kw.setdefault("status", ArticleStatus.PUBLISHED)
    data = ArticleInput(title=title, body="Open tray 2.", review_every_days=PERIOD, **kw)
    return services.create_article(actor=actor, data=data)


def told(user=None):
    qs = Notification.objects.filter(kind=Kind.KB_REVIEW).order_by("id")
    return list(qs if user is None else qs.filter(recipient=user))


def days(n):
    return clock.now() + timedelta(days=n)


def test_sent_once_per_due_date(alice, admin):
    article = write(alice)
    assert review_pass(days(PERIOD - 1)).reminded == 0 and not told()
    first = review_pass(days(PERIOD))
    assert (first.reminded, first.notified) == (1, 1)
    (note,) = told()
    assert note.recipient == alice and note.ticket is None
    assert note.link == f"/kb/{article.public_id}/" and note.title == "Review due: Printer jam"
    # Mailed too by default (one person, nothing on a ticket page tells them).
    (queued,) = NotificationMail.objects.filter(kind=Kind.KB_REVIEW)
    assert queued.recipient == alice and queued.link == note.link
    assert review_pass(days(PERIOD + 1)).reminded == 0
    assert review_pass(days(PERIOD + 90)).reminded == 0
    assert len(told()) == 1
    # An edit that keeps the due date does not remind again.
    same_period = ArticleInput(
        "Printer jam", body="Tray 3.", status=ArticleStatus.PUBLISHED, review_every_days=PERIOD
    )
    services.update_article(actor=alice, article=article, data=same_period)
    assert Article.objects.get(pk=article.pk).review_remind_at is None
    assert review_pass(days(PERIOD + 2)).reminded == 0 and len(told()) == 1


def test_again_after_the_review_when_it_falls_due_again(alice):
    article = write(alice)
    review_pass(days(PERIOD))
    reviewed = days(PERIOD + 3)
    with clock.frozen(reviewed):
        services.mark_reviewed(actor=alice, article=article)
    assert review_pass(reviewed).reminded == 0  # not due before the new date
    assert review_pass(reviewed + timedelta(days=PERIOD - 1)).reminded == 0
    assert review_pass(reviewed + timedelta(days=PERIOD)).reminded == 1
    assert review_pass(reviewed + timedelta(days=PERIOD + 1)).reminded == 0
    assert [n.recipient for n in told()] == [alice, alice]


def test_drafts_wait_for_publication(alice):
    article = write(alice, status=ArticleStatus.DRAFT)
    assert review_pass(days(PERIOD + 1)).reminded == 0 and not told()
    services.update_article(
        actor=alice,
        article=article,
        data=ArticleInput("Printer jam", status=ArticleStatus.PUBLISHED, review_every_days=PERIOD),
    )
    assert review_pass(days(PERIOD + 1)).reminded == 1 and len(told(alice)) == 1


def test_never_to_an_agent_who_may_not_read_it(gina, admin, admin_serving, acme, globex):
    article = write(gina, "Fax setup")  # global: Gina wrote it and may read it
    limited_admin = admin_serving(globex, email="lim@msp.example")
    services.update_article(
        actor=admin,
        article=article,
        data=ArticleInput(
            "Fax setup", organization=acme, status=ArticleStatus.PUBLISHED, review_every_days=PERIOD
        ),
    )
    assert review_pass(days(PERIOD)).notified == 1
    # Moved to Acme: not Gina, nor the administrator who serves Globex only; the one who
    # serves every client.
    assert [n.recipient for n in told()] == [admin]
    assert not told(gina) and not told(limited_admin)


def test_without_an_owner_the_administrators(alice, admin, leo):
    article = write(alice)
    Article.objects.filter(pk=article.pk).update(created_by=None)
    accounts_admin = accounts.create_user(
        email="second@msp.example",
        full_name="Second Admin",
        password="second-pass-123",
        kind="agent",
        tier=Tier.L3,
        organization=admin.organization,
        is_staff=True,
    )
    review_pass(days(PERIOD))
    assert {n.recipient for n in told()} == {admin, accounts_admin}
    assert not told(alice) and not told(leo)


def test_the_mail_and_the_notification_centre_lead_to_the_article(alice, signed_in):
    article = write(alice)
    review_pass(days(PERIOD))
    mail.outbox.clear()
    assert delivery.send_due().sent == 1
    (sent,) = mail.outbox
    assert sent.to == [alice.email] and sent.subject == "[KB] Review due: Printer jam"
    assert f"/kb/{article.public_id}/" in sent.body and "Open the ticket" not in sent.body
    client = signed_in(alice)
    assert "Review due: Printer jam" in client.get("/notifications/").content.decode()
    (note,) = told(alice)
    opened = client.get(f"/notifications/{note.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == f"/kb/{article.public_id}/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_the_api_lists_it_without_a_ticket(alice, api_as):
    article = write(alice)
    review_pass(days(PERIOD))
    (item,) = api_as(alice).get("/api/v1/notifications").json()["items"]
    assert item["kind"] == "kb_review" and item["ticket"] is None
    assert item["link"] == f"/kb/{article.public_id}/"


def test_a_page_only_preference_sends_no_mail(alice):
    notifications.set_preferences(actor=alice, channels={Kind.KB_REVIEW: "page"})
    write(alice)
    review_pass(days(PERIOD))
    assert len(told(alice)) == 1 and not NotificationMail.objects.exists()


def test_an_agent_who_stops_serving_the_client_no_longer_sees_its_reminder(
    gina, acme, globex, api_as, signed_in
):
    write(gina, "Globex fax", organization=globex)
    write(gina)  # global: nobody's data
    assert review_pass(days(PERIOD)).notified == 2
    runbook, common = sorted(told(gina), key=lambda n: n.title)
    assert (runbook.organization, common.organization) == (globex, None)
    api = api_as(gina)
    assert api.get("/api/v1/notifications/count").json() == {"unread": 2}
    gina.served_organizations.set([acme])
    # The runbook's reminder is gone from the count, the list, the centre and its link; the
    # global article's stays.
    assert api.get("/api/v1/notifications/count").json() == {"unread": 1}
    items = api.get("/api/v1/notifications").json()["items"]
    assert [i["title"] for i in items] == ["Review due: Printer jam"]
    client = signed_in(gina)
    html = client.get("/notifications/").content.decode()
    assert "Review due: Printer jam" in html and "Globex fax" not in html
    assert client.get(f"/notifications/{runbook.pk}/open/").status_code == 404
    assert client.get(f"/notifications/{common.pk}/open/").status_code == 302
    # Serving the client again (or every client) shows it again.
    gina.served_organizations.set([])
    assert api.get("/api/v1/notifications/count").json() == {"unread": 1}  # common now read
    assert {i["title"] for i in api.get("/api/v1/notifications").json()["items"]} == {
        "Review due: Globex fax",
        "Review due: Printer jam",
    }


def test_nobody_to_tell_is_logged(alice, caplog):
    article = write(alice)
    Article.objects.filter(pk=article.pk).update(created_by=None)  # and no administrator
    with caplog.at_level("WARNING", logger="deskside.kb.worker"):
        result = review_pass(days(PERIOD))
    assert (result.reminded, result.notified) == (1, 0) and not told()
    assert Article.objects.get(pk=article.pk).review_remind_at is None
    (record,) = [r for r in caplog.records if r.levelname == "WARNING"]
    assert article.public_id in record.getMessage()
    assert "nobody to remind" in record.getMessage()
