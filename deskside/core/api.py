"""`GET /api/v1/audit`: the audit log (deskside.core.audit) for administrators.

Administrators only (active agents with the admin role, `is_staff`): any other token gets
403. The filters are the page's: `actor` (a user id, or an e-mail address or part of one),
`object_type` ("sla.contract"), `action`, `object_id` (the object's public id, slug or
number), and `since`/`until` (date-times; one without a zone is UTC; `until` excluded).
Newest first, paginated like every list: follow `next` until it is null.
"""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import AfterValidator

from deskside.core import audit
from deskside.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, MAX_PAGE, paginate

router = Router(tags=["audit"])


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here as bad input instead of failing in SQL.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


class AuditFilters(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1 to 2000.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page (max 100).")
    actor: Text | None = Field(
        None, max_length=200, description="A user id, or an e-mail address (or part of one)."
    )
    object_type: Text | None = Field(
        None, max_length=60, description='The kind of object, e.g. "sla.contract".'
    )
    action: Text | None = Field(
        None, max_length=40, description='"created", "updated", "deleted" or a service\'s verb.'
    )
    object_id: Text | None = Field(
        None, max_length=100, description="The object's public id, slug or number."
    )
    since: dt.datetime | None = Field(None, description="Entries at or after this time.")
    until: dt.datetime | None = Field(None, description="Entries before this time.")


class AuditEntryOut(Schema):
    id: int
    created_at: dt.datetime
    actor: str | None = Field(description="The actor's e-mail address; null for the system.")
    action: str
    object_type: str
    object_id: str
    object_label: str
    before: dict[str, Any] | None = Field(description="Changed fields' old values (JSON).")
    after: dict[str, Any] | None = Field(description="Changed fields' new values (JSON).")

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor_label or None


class AuditPageOut(Schema):
    """A page of the audit log. There is no total count: follow `next` until it is null."""

    items: list[AuditEntryOut]
    next: str | None = Field(description="URL of the next page; null on the last page.")
    page: int


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """`value` in UTC (one without a zone is UTC); past the calendar's ends, its end."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is before the first representable instant
        edge = dt.datetime.min if value.year == dt.MINYEAR else dt.datetime.max  # noqa: DTZ901
        return edge.replace(tzinfo=dt.UTC)


@router.get(
    "/audit",
    response=AuditPageOut,
    summary="The audit log of configuration changes (administrators)",
)
def list_audit(request: HttpRequest, params: Query[AuditFilters]) -> dict[str, object]:
    if not audit.is_admin(request.user):
        raise HttpError(403, "only administrators read the audit log")
    qs = audit.entries(
        actor=params.actor,
        object_type=params.object_type,
        action=params.action,
        object_id=params.object_id,
        since=_utc(params.since),
        until=_utc(params.until),
    )
    page = paginate(request, qs, page=params.page, limit=params.limit)
    return {"items": page.items, "next": page.next, "page": page.page}
