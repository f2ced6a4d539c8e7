"""Time buckets counted by the database: `EpochHour("created_at")` is the whole hours since
1970-01-01 00:00 UTC of a datetime column, as an integer.

A report that counts rows per local hour (the staffing calculator: arrivals per hour of the
week) groups by this and turns each of the few thousand buckets into local time in Python.
Django's `TruncHour(..., tzinfo=zone)` does the same in one step, but on SQLite it calls a
Python function per row (5.7 s for a year of 330,000 tickets); this is SQLite's own
`strftime('%s')` there (0.9 s) and `EXTRACT(EPOCH ...)` on PostgreSQL. Each backend's SQL is
one method below (`as_sqlite`, `as_postgresql`), the form Django itself uses per backend.

A bucket is a UTC hour: local time zones with a whole-hour offset (and their DST changes) map
each bucket to one local hour exactly; a zone with a half-hour offset (India, parts of
Australia) files a bucket under the local hour its start falls in.
"""

from typing import Any

from django.db.models import BigIntegerField, DateField, Func


class EpochHour(Func):
    """floor(seconds since the epoch / 3600) of a datetime expression, an integer."""

    output_field = BigIntegerField()
    arity = 1

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        # Django stores datetimes on SQLite as UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]".
        # The fraction is cut off first (substr): strftime works in milliseconds and would
        # round 13:59:59.9999 up into the next hour. Its "%s" is written "%%%%s": the
        # template's formatting halves the percent signs, the query's placeholders again.
        return self.as_sql(
            compiler,
            connection,
            template="(CAST(strftime('%%%%s', substr(%(expressions)s, 1, 19)) AS INTEGER) / 3600)",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return self.as_sql(
            compiler,
            connection,
            template="FLOOR(EXTRACT(EPOCH FROM %(expressions)s) / 3600)::bigint",
            **extra,
        )


class EpochSecond(Func):
    """Whole seconds since the epoch of a datetime expression, an integer: the difference of
    two is a duration in seconds, summed and averaged by the database on both backends (a
    DurationField subtraction is a Python function per row on SQLite)."""

    output_field = BigIntegerField()
    arity = 1

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        # unixepoch() (SQLite 3.38+) gives the same whole seconds (the fraction dropped) at
        # about half the cost per row of strftime: it counts in the year-long reports.
        if connection.Database.sqlite_version_info >= (3, 38):
            template = "unixepoch(%(expressions)s)"
        else:
            template = "CAST(strftime('%%%%s', substr(%(expressions)s, 1, 19)) AS INTEGER)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return self.as_sql(
            compiler,
            connection,
            template="FLOOR(EXTRACT(EPOCH FROM %(expressions)s))::bigint",
            **extra,
        )


class UtcMonth(Func):
    """The first day of the UTC month of a datetime expression, a date (the same bucket on
    both backends, whatever the connection's time zone)."""

    output_field = DateField()
    arity = 1

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        # Stored as UTC text: its first 7 characters are the month.
        return self.as_sql(
            compiler, connection, template="(substr(%(expressions)s, 1, 7) || '-01')", **extra
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return self.as_sql(
            compiler,
            connection,
            template="date_trunc('month', %(expressions)s AT TIME ZONE 'UTC')::date",
            **extra,
        )
