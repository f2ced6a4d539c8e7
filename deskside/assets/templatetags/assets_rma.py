"""`{% load assets_rma %}{% rma_history asset %}`: the asset page's RMA history (every vendor
case of the asset with its entries, newest first), for agents serving the client."""

from typing import Any

from django import template

from deskside.assets.models import Asset
from deskside.assets.queries import rma as reads

register = template.Library()


@register.inclusion_tag("assets/rma_history.html", takes_context=True)
def rma_history(context: Any, asset: Asset) -> dict[str, Any]:
    user = context["request"].user
    return {"asset": asset, "cases": list(reads.asset_history(user, asset))}
