"""The knowledge base's share of `deskside worker`: the review reminder (`review_pass`, a lane
every 5 minutes: a review is due on a day, so minutes are fine-grained enough).

An article is due when it is published and `review_remind_at <= now` (an indexed column that
`kb.services` arms with `review_due_at` whenever the due date changes: on creation, on an edit
that changes the period, on "mark reviewed"). Each due article is claimed with one conditional
UPDATE (`review_remind_at` set to NULL, only while it is still published and due): on any
database, one worker wins. The claim and the notification rows are one transaction, so:

- one reminder per due date: a second worker's UPDATE matches no row; the next pass finds
  the article disarmed; an edit that keeps the due date does not re-arm it;
- again after a review: "mark reviewed" moves the due date and re-arms it, so the owner is
  reminded once more when that date comes;
- never lost: a worker killed before the commit leaves the article armed, and one that was
  down for days reminds each article once, not once per day missed;
- an article that fails is logged and rolled back alone; the others are reminded;
- a draft or an archived article is not reminded (it stays armed: publishing it makes it due).

Who is told (decided where the issue is silent): the article's owner, which the model records
as its writer (`created_by`), when they are an active agent who may still read the article
(`kb.queries.visible_articles`: an agent limited to Globex is never told of an article moved to
Acme). Otherwise (no writer, writer gone or no longer able to read it), the knowledge base's
administrators: the active staff agents who may read it. The notification is of its own kind
`Kind.KB_REVIEW` in the notifications app (in the page, and by mail by default: it is
addressed to one person about something no ticket shows them), linking to the article; each
person changes that in their notification settings. The notification carries the article's
client (`Notification.organization`, None for a global article), so an agent who later stops
serving that client no longer sees it. Nobody to tell at all (no administrator who may read
it either): the article is disarmed all the same (until its due date changes) and a warning
is logged.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse

from deskside.core import clock
from deskside.kb.models import Article, ArticleStatus
from deskside.kb.queries import visible_articles
from deskside.notifications.fanout import Message, audience, write
from deskside.notifications.models import Kind

log = logging.getLogger(__name__)
BATCH = 100
NOTIFY_KIND = Kind.KB_REVIEW
INTERVAL_SECONDS = 300.0


@dataclass
class ReviewPassResult:
    due: int = 0  # armed and due when the pass looked
    reminded: int = 0  # claimed and reminded by this pass
    notified: int = 0  # people told
    failed: int = 0  # raised: logged, left armed for the next pass


def review_pass(now: datetime | None = None, *, limit: int = BATCH) -> ReviewPassResult:
    """Remind the owners of the published articles whose review is due at `now` (default: the
    clock), up to `limit` per pass. Returns what it did (see the module docstring)."""
    at = now or clock.now()
    result = ReviewPassResult()
    due = list(_due(at).order_by("review_remind_at", "id").values_list("pk", flat=True)[:limit])
    result.due = len(due)
    for pk in due:
        try:
            with transaction.atomic():
                _one(pk, at, result)
        except Exception:
            # A bug or the database: logged, the claim rolled back (the article stays armed
            # and is tried again next pass); the others go on.
            log.exception("kb article %s: the review reminder failed", pk)
            result.failed += 1
    if result.reminded:
        log.info("kb: %d review reminders", result.reminded)
    return result


def _due(at: datetime) -> QuerySet[Article]:
    return Article.objects.filter(status=ArticleStatus.PUBLISHED, review_remind_at__lte=at)


def _one(pk: int, at: datetime, result: ReviewPassResult) -> None:
    """Claim and remind one due article (inside the caller's transaction)."""
    if not _due(at).filter(pk=pk).update(review_remind_at=None):
        return  # another worker took it, or it was reviewed or unpublished meanwhile
    article = Article.objects.select_related("created_by").get(pk=pk)
    result.notified += remind(article, at)
    result.reminded += 1


def remind(article: Article, at: datetime) -> int:
    """Write the reminder's notifications (and mails) for a claimed article. Returns how many
    people were told. Call inside the claim's transaction."""
    channels = recipients(article)
    if not channels:
        # Claimed (disarmed until the due date moves) with nobody to tell: say so, or the
        # article's review would be skipped without a trace.
        log.warning(
            "kb article %s: review due but nobody to remind (no owner or administrator "
            "who may read it); disarmed until its due date changes",
            article.public_id,
        )
        return 0
    link = reverse("kb:detail", args=[article.public_id])
    title = f"Review due: {article.title}"[:200]
    due = article.review_due_at
    text = f"Due {due:%Y-%m-%d}: is it still right? Edit it or mark it reviewed." if due else ""
    write(
        channels,
        Message(
            kind=NOTIFY_KIND,
            title=title,
            text=text,
            subject=f"[KB] {title}",
            body=f"The knowledge-base article “{article.title}” is due for review.\n\n{text}",
            created_at=at,
            link=link,
            # The client whose runbook it is (None: a global article), so an agent who stops
            # serving that client stops seeing the reminder (notifications.queries).
            organization_id=article.organization_id,
        ),
    )
    return len(channels)


def recipients(article: Article) -> list[tuple[int, str]]:
    """(user id, channel) of who is reminded of `article` (see the module docstring), with
    their preference for NOTIFY_KIND. One query (two with an owner)."""
    owner = article.created_by
    if owner is not None and visible_articles(owner).filter(pk=article.pk).exists():
        who = Q(pk=owner.pk)
    else:
        who = Q(is_staff=True)
    # Those who may read it: for a client's runbook, the agents who serve that client.
    return audience(who, NOTIFY_KIND, organization_id=article.organization_id)
