"""The days the field pages and the API take (`?date=`, `?day=`, a backfill period).

A day far off (0001-01-01, 9999-12-31) overflows a day's UTC bounds, its week's Monday or its
previous / next links; every entry point checks its days here first, so such a day is a 400
(pages) or 422 (API) naming the field, never an OverflowError.
"""

from datetime import date

from deskside.field.exceptions import InvalidInput

FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9000, 12, 31)


def check_day(value: date | None, field: str, *, status: int | None = None) -> date | None:
    """`value` when it is None or from FIRST_DAY to LAST_DAY; else InvalidInput naming `field`
    (status 422, or `status` for a page)."""
    if value is not None and not FIRST_DAY <= value <= LAST_DAY:
        raise InvalidInput(
            f"the date is {FIRST_DAY:%Y} to {LAST_DAY:%Y}", field=field, status=status
        )
    return value


def parse_day(text: str | None, field: str, *, status: int | None = None) -> date | None:
    """The day written YYYY-MM-DD (None for nothing written), checked by `check_day`."""
    if not text:
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("give the date as YYYY-MM-DD", field=field, status=status) from None
    return check_day(value, field, status=status)
