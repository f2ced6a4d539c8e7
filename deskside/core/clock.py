"""The one clock. Everything that asks "what time is it" asks here, so tests can move time.

`now()` returns an aware datetime in UTC. Tests use `frozen(dt)` (a context manager) or
`set_now()`; production never touches the override.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_override: datetime | None = None


def now() -> datetime:
    """Return the current instant, aware, in UTC (or the frozen instant in a test)."""
    if _override is not None:
        return _override
    return datetime.now(UTC)


def override() -> datetime | None:
    """The frozen instant, or None while the clock runs. For code that moves the clock itself
    (the demo's history) and must put a caller's frozen instant back when it is done."""
    return _override


def set_now(value: datetime | None) -> None:
    """Freeze the clock at `value` (aware; read back in UTC), or let it run again with None."""
    global _override
    if value is not None and value.tzinfo is None:
        raise ValueError("the clock only takes aware datetimes")
    _override = value.astimezone(UTC) if value is not None else None


@contextmanager
def frozen(value: datetime) -> Iterator[None]:
    """Freeze the clock at `value` for the duration of a `with` block."""
    previous = _override
    set_now(value)
    try:
        yield
    finally:
        set_now(previous)
