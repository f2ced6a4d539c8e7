"""`{% load assets_remote %}{% remote_sessions asset %}`: the asset page's remote sessions
(newest first, the last 20), for agents serving the client."""

from typing import Any

from django import template

from deskside.assets.models import Asset
from deskside.assets.queries import remote as reads

register = template.Library()
SHOWN = 20


@register.inclusion_tag("assets/remote_asset_sessions.html", takes_context=True)
def remote_sessions(context: Any, asset: Asset) -> dict[str, Any]:
    user = context["request"].user
    rows = reads.sessions_visible_to(user).filter(asset=asset).order_by("-started_at", "-id")
    return {"asset": asset, "sessions": list(rows[:SHOWN])}
