"""Template filters of the time pages: minutes as hours and minutes, an entry's amount."""

from decimal import Decimal

from django import template

from deskside.field.services.time import amount

register = template.Library()


@register.filter
def hm(minutes: int | None) -> str:
    """90 -> "1 h 30 min"; 45 -> "45 min"; 0 or None -> "0 min"."""
    minutes = int(minutes or 0)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


@register.filter
def entry_amount(entry: object) -> Decimal:
    """The amount of a time entry (billed minutes at its rate)."""
    return amount(getattr(entry, "billed_minutes", 0), getattr(entry, "rate", None))
