"""What a report counts over: a range of local days, the zone those days are in, and the
optional client, team and priority; and the links from a count to the ticket queue.

Whose day: the viewer's (`User.timezone`) on the report pages and in the API; the client's
(`Organization.timezone`) in the monthly client report, since that report goes to the client.
`since` is 00:00 of the first day in that zone and `until` 00:00 of the day after the last,
so a ticket logged at 23:30 local on the last day is in the range, one at 00:00 the day after
is not, whatever the UTC offset (DST included).

Local days are counted by the database without a per-row time-zone function: the range's
UTC-offset changes are found in Python (a handful a year) and the offset is a CASE on
`created_at`, so a ticket's local day is (epoch seconds + offset) // 86400.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse

from deskside.accounts.models import Organization, Team
from deskside.core.timebuckets import EpochSecond
from deskside.core.timezones import zone as zone_named
from deskside.tickets.models import Priority, Ticket

BUCKETS = ("day", "week", "month")
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Scope:
    """The filters of one report. `start` and `end` are local days, both included."""

    start: date
    end: date
    zone: ZoneInfo
    organization: Organization | None = None
    team: Team | None = None
    priority: int | None = None
    bucket: str = "week"
    by: str = "channel"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(), self.zone)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(), self.zone)

    def narrow(self, qs: QuerySet[Ticket], *, dates: bool = True) -> QuerySet[Ticket]:
        """`qs` narrowed to the scope (created in the range unless `dates` is False)."""
        if dates:
            qs = qs.filter(created_at__gte=self.since, created_at__lt=self.until)
        if self.organization is not None:
            qs = qs.filter(organization=self.organization)
        if self.team is not None:
            qs = qs.filter(team=self.team)
        if self.priority is not None:
            qs = qs.filter(priority=self.priority)
        return qs

    def params(self) -> dict[str, str]:
        """The scope as the report's own query string (for the chart, CSV and links)."""
        out = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.organization is not None:
            out["client"] = self.organization.slug
        if self.team is not None:
            out["team"] = self.team.slug
        if self.priority is not None:
            out["priority"] = Priority(self.priority).label
        out["bucket"], out["by"] = self.bucket, self.by
        return out

    def link(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        dates: bool = True,
        queue: str = "all",
        **filters: Any,
    ) -> str:
        """The ticket queue showing the tickets of this scope narrowed by `filters` (queue
        parameters: organization, team, priority, tier, assignee, channel, type, flag)."""
        query: dict[str, Any] = {"queue": queue}
        if dates:
            query["created_after"] = _iso(max(since or self.since, self.since))
            query["created_before"] = _iso(min(until or self.until, self.until))
        if self.organization is not None:
            query["organization"] = self.organization.slug
        if self.team is not None:
            query["team"] = self.team.slug
        if self.priority is not None:
            query["priority"] = Priority(self.priority).label
        query.update({key: value for key, value in filters.items() if value is not None})
        return queue_url() + "?" + urlencode(query)

    def local_day(self) -> Any:
        """An expression: the local day of `created_at` as days since 1970-01-01."""
        return (EpochSecond("created_at") + self.offset_case()) / 86400

    def offset_case(self) -> Any:
        """The zone's UTC offset in seconds at `created_at`, over the range (a CASE per
        offset change in it; a constant when there is none)."""
        changes = offset_changes(self.zone, self.since, self.until)
        first = changes[0][1]
        if len(changes) == 1:
            return Value(first, output_field=IntegerField())
        whens = [
            When(Q(created_at__lt=changes[i + 1][0]), then=Value(changes[i][1]))
            for i in range(len(changes) - 1)
        ]
        return Case(*whens, default=Value(changes[-1][1]), output_field=IntegerField())


@lru_cache(maxsize=1)
def queue_url() -> str:
    return reverse("tickets:queue")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def offset_changes(zone: ZoneInfo, since: datetime, until: datetime) -> list[tuple[datetime, int]]:
    """[(from instant, offset seconds)] for [since, until): the first from `since`, then one
    at each change, found to the quarter hour (zones change on a quarter hour): a day at a
    time, then the quarter hours of a day whose end has another offset."""
    day, quarter = timedelta(days=1), timedelta(minutes=15)
    moment = since.astimezone(UTC)
    offset = _offset(zone, moment)
    out = [(moment, offset)]
    end = until.astimezone(UTC)
    while moment < end:
        if _offset(zone, moment + day) == offset:
            moment += day
            continue
        moment += quarter
        now = _offset(zone, moment)
        if now != offset:
            out.append((moment, now))
            offset = now
    return out


def _offset(zone: ZoneInfo, moment: datetime) -> int:
    delta = moment.astimezone(zone).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def day_from_index(index: int) -> date:
    return EPOCH + timedelta(days=int(index))


def bucket_of(day: date, bucket: str) -> date:
    """The first day of the day/week (Monday)/month `day` falls in."""
    if bucket == "day":
        return day
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_bucket(start: date, bucket: str) -> date:
    if bucket == "day":
        return start + timedelta(days=1)
    if bucket == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def buckets(start: date, end: date, bucket: str) -> list[date]:
    """Every bucket's first day from the one `start` falls in to the one `end` falls in."""
    out, current = [], bucket_of(start, bucket)
    while current <= end:
        out.append(current)
        current = next_bucket(current, bucket)
    return out


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone)


def client_scope(organization: Organization, month: date) -> Scope:
    """The monthly client report's scope: the client's calendar month in the client's zone."""
    first = month.replace(day=1)
    last = next_bucket(first, "month") - timedelta(days=1)
    return Scope(first, last, zone_named(organization.timezone), organization, bucket="day")
