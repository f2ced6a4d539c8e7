"""`{% mentions_of_me ticket as mentioned %}`: the viewer's mention notifications on a ticket,
for the "mentions of you" panel the ticket page includes (notifications/_mentions.html)."""

from typing import Any

from django import template

from deskside.notifications.models import Notification
from deskside.notifications.queries import mentions_of

register = template.Library()


@register.simple_tag(takes_context=True)
def mentions_of_me(context: dict[str, Any], ticket: Any) -> list[Notification]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or ticket is None:
        return []
    return list(mentions_of(user, ticket)[:20])
