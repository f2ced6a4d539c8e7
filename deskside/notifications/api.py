"""Notifications under /api/v1/ (the caller's own only; agents only, a customer gets 403):

    GET  /notifications?unread=true&page=&limit=   newest first (paginated)
    GET  /notifications/count                      {"unread": n}
    POST /notifications/{id}/read                  mark one read
    POST /notifications/read-all                   mark every unread one read
    GET  /notifications/preferences                every kind with its channel
    PUT  /notifications/preferences                set the channels of the kinds sent

Someone else's notification id is 404, as one that does not exist. Notifications are
addressed by their integer id: they are personal rows, never in a URL a customer sees.
"""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from deskside.accounts.models import User
from deskside.accounts.schemas import UserRef
from deskside.core.api import PageOut, PageParams, page_out
from deskside.core.pagination import paginate
from deskside.notifications import services
from deskside.notifications.exceptions import NotAllowed
from deskside.notifications.models import Kind, Notification
from deskside.notifications.queries import notifications_of, preferences_of, unread_count

router = Router(tags=["notifications"])

KindName = Literal["assigned", "escalated", "replied", "mentioned", "sla", "paged", "kb_review"]
ChannelName = Literal["page", "mail", "both", "none"]


class NotificationOut(Schema):
    id: int
    kind: str
    ticket: str | None = Field(
        description="The ticket's number (T-10423); null when it is about something else."
    )
    link: str = Field(description="Where it leads when it is not about a ticket (a path).")
    title: str
    text: str
    actor: UserRef | None
    created_at: datetime
    read_at: datetime | None
    unread: bool

    @staticmethod
    def resolve_ticket(obj: Notification) -> str | None:
        return obj.ticket_number or None

    @staticmethod
    def resolve_unread(obj: Notification) -> bool:
        return obj.read_at is None


class UnreadCountOut(Schema):
    unread: int


class ReadAllOut(Schema):
    marked: int = Field(description="How many notifications were unread and are now read.")


class PreferenceOut(Schema):
    kind: str
    label: str
    channel: str


class PreferenceIn(Schema):
    kind: KindName
    channel: ChannelName


class PreferencesIn(Schema):
    preferences: list[PreferenceIn] = Field(
        description="The kinds to change; the others keep their channel."
    )


class NotificationFilters(PageParams):
    unread: bool = Field(False, description="Only the unread ones.")


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed("notifications are for agents")
    return user


def _preferences(channels: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"kind": kind, "label": Kind(kind).label, "channel": channels[kind]} for kind in Kind.values
    ]


@router.get("/notifications", response=PageOut[NotificationOut], summary="My notifications")
def list_notifications(
    request: HttpRequest, params: Query[NotificationFilters]
) -> dict[str, object]:
    qs = notifications_of(_agent(request), unread=params.unread)
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.get("/notifications/count", response=UnreadCountOut, summary="How many are unread")
def count(request: HttpRequest) -> dict[str, int]:
    return {"unread": unread_count(_agent(request))}


@router.post("/notifications/read-all", response=ReadAllOut, summary="Mark all read")
def read_all(request: HttpRequest) -> dict[str, int]:
    return {"marked": services.mark_all_read(actor=_agent(request))}


@router.get("/notifications/preferences", response=list[PreferenceOut], summary="My preferences")
def get_preferences(request: HttpRequest) -> list[dict[str, str]]:
    return _preferences(preferences_of(_agent(request)))


@router.put(
    "/notifications/preferences", response=list[PreferenceOut], summary="Set my preferences"
)
def put_preferences(request: HttpRequest, payload: PreferencesIn) -> list[dict[str, str]]:
    channels = {p.kind: p.channel for p in payload.preferences}
    return _preferences(services.set_preferences(actor=_agent(request), channels=channels))


@router.post("/notifications/{notification_id}/read", response=NotificationOut, summary="Read")
def read(request: HttpRequest, notification_id: int) -> Notification:
    return services.mark_read(actor=_agent(request), notification_id=notification_id)
