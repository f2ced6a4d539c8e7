"""Rate limit of the test sends a person may ask for (a contact method's test page, a webhook
ping, a mailbox connection test): each one makes the server open a connection to an address
someone typed, so at most LIMIT in WINDOW per person, whatever the kind.

Counted in the database (`TrialSend` rows), not in process memory, so every server process
and thread shares one count; the person's row is locked while counting (FOR UPDATE on
PostgreSQL; SQLite's write transactions are serialised anyway), so two simultaneous requests
cannot both take the last slot. A refused attempt raises `Limited`: the API answers 429 with
`Retry-After`, the pages show its message. Rows older than the window are deleted as the
person's next attempt is counted.
"""

import math
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from deskside.core import clock
from deskside.core.models import TrialSend

LIMIT = 5
WINDOW = timedelta(minutes=10)


class Limited(Exception):
    """Too many test sends: `retry_after` seconds until the next one is allowed."""

    status_code = 429

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        self.message = (
            f"too many test sends: at most {LIMIT} in {int(WINDOW.total_seconds() // 60)} "
            f"minutes; try again in {retry_after} seconds"
        )
        self.field = None
        super().__init__(self.message)


def count_test_send(user: object, kind: str) -> None:
    """Count one test send by `user` (a saved user); raises Limited when over the limit."""
    _count(user, kind, limit=LIMIT, window=WINDOW, same_kind=False)


RESET_KIND = "password reset mail"
RESET_LIMIT = 3
RESET_WINDOW = timedelta(hours=1)


def allow_reset_mail(user: object) -> bool:
    """Whether one more password-reset mail may go to `user` (at most RESET_LIMIT in
    RESET_WINDOW, counted with the test sends' table): the reset form must not be a way to
    flood someone's inbox. Counted when allowed."""
    try:
        _count(user, RESET_KIND, limit=RESET_LIMIT, window=RESET_WINDOW, same_kind=True)
    except Limited:
        return False
    return True


@transaction.atomic
def _count(user: object, kind: str, *, limit: int, window: timedelta, same_kind: bool) -> None:
    now = clock.now()
    since = now - window
    # The person's row, locked until the count is written: one request counts at a time.
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))  # type: ignore[attr-defined]
    rows = TrialSend.objects.filter(user_id=user.pk)  # type: ignore[attr-defined]
    rows = rows.filter(kind=kind) if same_kind else rows.exclude(kind=RESET_KIND)
    rows.filter(created_at__lte=since).delete()
    recent = list(rows.filter(created_at__gt=since).order_by("created_at")[:limit])
    if len(recent) >= limit:
        wait = (recent[0].created_at + window - now).total_seconds()
        raise Limited(max(1, math.ceil(wait)))
    TrialSend.objects.create(user_id=user.pk, kind=kind, created_at=now)  # type: ignore[attr-defined]
