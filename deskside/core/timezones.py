"""Time zones by name, as users, sites and organisations store them.

A stored zone name can be empty or, after an upgrade of the zone database or a bad import,
unknown. Pages must still render, so `zone()` falls back to UTC instead of raising; input is
checked where it is written (`accounts.services.validate_timezone`), not here.
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = ZoneInfo("UTC")


def zone(name: str | None) -> ZoneInfo:
    """The time zone called `name` (an IANA name such as "Europe/Berlin"); UTC when `name` is
    empty, unknown or not a valid zone name. Never raises."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC
