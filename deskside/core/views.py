"""The audit log page (/audit/): configuration changes, newest first, for administrators.

Administrators are active agents with the admin role (`is_staff`, `audit.is_admin`); anyone
else signed in gets 403, and a signed-out visitor the sign-in page. The filters are the API's
(`GET /api/v1/audit`): actor (an e-mail address or part of one, or a user id), object type,
action, object id and a date range (`since` and `until`, whole days in UTC, both included).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from deskside.core import audit
from deskside.core.pagination import clamp_page, fetch_page

PAGE_SIZE = 50
FILTERS = ("actor", "object_type", "action", "object_id", "since", "until")


@dataclass(frozen=True)
class AuditPage:
    rows: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def _page_number(value: str | None) -> int:
    try:
        return clamp_page(int(value or 1))
    except ValueError:
        return 1


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log, filtered and paginated (see the module docstring)."""
    if not audit.is_admin(request.user):
        raise PermissionDenied("only administrators read the audit log")
    given = {k: request.GET.get(k, "").replace("\x00", "").strip()[:200] for k in FILTERS}
    since, until = _day(given["since"]), _day(given["until"])
    qs = audit.entries(
        actor=given["actor"] or None,
        object_type=given["object_type"] or None,
        action=given["action"] or None,
        object_id=given["object_id"] or None,
        since=dt.datetime.combine(since, dt.time(), dt.UTC) if since else None,
        until=dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC)
        if until and until < dt.date.max
        else None,
    )
    number = _page_number(request.GET.get("page"))
    rows, has_next = fetch_page(qs, page=number, limit=PAGE_SIZE)
    return render(
        request,
        "core/audit_log.html",
        {
            "page": AuditPage([(e, audit.diff_rows(e)) for e in rows], number, has_next),
            "filters": given,
            "query": urlencode({k: v for k, v in given.items() if v}),
            "object_types": audit.object_types(),
            "actions": [audit.CREATED, audit.UPDATED, audit.DELETED, *audit.OTHER_ACTIONS],
        },
    )
