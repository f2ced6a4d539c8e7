"""The macro picker on the ticket page: `{% macro_picker ticket %}` (in
macros/_reply_box.html, which tickets/detail.html includes in its reply box), so the tickets
app knows nothing of macros but a template name."""

from typing import Any

from django import template

from deskside.macros.queries import macros_usable_by

register = template.Library()


@register.inclusion_tag("macros/_picker.html", takes_context=True)
def macro_picker(context: Any, ticket: Any) -> dict[str, Any]:
    """The macros the signed-in agent may use, for a select that asks for a preview."""
    user = context["request"].user
    return {
        "ticket": ticket,
        "macros": list(macros_usable_by(user).select_related("team")),
        "csrf_token": context.get("csrf_token"),
    }
