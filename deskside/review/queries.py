"""Read side of the daily review: what needs a look today (the groups), who already looked
(the marks) and the review's history. Every query starts from `tickets.queries.visible_tickets`
so an agent limited to some clients sees only theirs.

Whose day: the viewer's. "Today" runs from midnight to midnight in the viewer's own time zone
(`User.timezone`), so an agent in Berlin and one in New York each see their own day; the
marks carry the reviewer's day the same way.

Every group is a query over the open tickets that an index leads (status, priority + status,
or the SLA due time) and is read a page at a time; its count stops at COUNT_CAP so that a desk
with 100,000 open tickets does not count them all on every page view ("1000+").
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import In, LessThan

from deskside.accounts.models import Organization, Team, User
from deskside.accounts.queries import organizations_visible_to
from deskside.core import clock
from deskside.core.indexing import NotIndexed
from deskside.core.timezones import zone
from deskside.review.models import ReviewMark, ReviewSettings
from deskside.tickets.models import (
    HAS_SLA,
    OPEN_STATUSES,
    EventKind,
    Priority,
    Status,
    TicketEvent,
    TicketQuerySet,
)
from deskside.tickets.queries import LIST_RELATED, visible_tickets

COUNT_CAP = 1000
NO_UPDATE = timedelta(hours=24)
VENDOR_DAYS = 3

GROUPS: dict[str, str] = {
    "open_long": "Open beyond {days} days",
    "no_update": "No update in 24 hours",
    "vendor": "Pending a vendor beyond 3 days",
    "sla_today": "SLA due by the end of today",
    "reopened": "Reopened",
    "unassigned": "P1/P2 without an assignee",
}


def viewer_day(user: User, now: datetime | None = None) -> date:
    """The viewer's calendar day at `now` (default: the clock), in their own time zone."""
    return (now or clock.now()).astimezone(zone(user.timezone)).date()


def day_bounds(day: date, zone_name: str) -> tuple[datetime, datetime]:
    """[start, end) of `day` in the zone `zone_name` (23 or 25 hours on a DST change)."""
    tz = zone(zone_name)
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


@dataclass(frozen=True)
class Scope:
    """One viewer's review: their day, its bounds, the filters and the set-up, all read once."""

    viewer: User
    now: datetime
    day: date
    start: datetime  # the viewer's midnight
    end: datetime  # the next midnight
    open_days: int
    reopened_since: datetime
    team: Team | None = None
    client: Organization | None = None

    def label(self, group: str) -> str:
        return GROUPS[group].format(days=self.open_days)


def last_review_day(before: date) -> date | None:
    """The latest day before `before` on which anyone marked a ticket reviewed."""
    return (
        ReviewMark.objects.filter(day__lt=before)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )


def scope_for(
    viewer: User, *, team: Team | None = None, client: Organization | None = None
) -> Scope:
    """The review of `viewer` now (two reads: the setting and the last review day)."""
    now = clock.now()
    day = viewer_day(viewer, now)
    start, end = day_bounds(day, viewer.timezone)
    previous = last_review_day(day) or day - timedelta(days=1)
    since, _ = day_bounds(previous, viewer.timezone)
    return Scope(
        viewer=viewer,
        now=now,
        day=day,
        start=start,
        end=end,
        open_days=ReviewSettings.current().open_days,
        reopened_since=since,
        team=team,
        client=client,
    )


def open_tickets(scope: Scope, *, by_status: bool = True) -> TicketQuerySet:
    """The open tickets the viewer may see, narrowed to the scope's team and client.

    `by_status=False` keeps SQLite (no statistics) off the status indexes, for a group that
    another index narrows to far fewer rows (the tickets updated since a day)."""
    is_open = Q(status__in=OPEN_STATUSES) if by_status else In(NotIndexed("status"), OPEN_STATUSES)
    qs = visible_tickets(scope.viewer).filter(is_open)
    if scope.team is not None:
        qs = qs.filter(team=scope.team)
    if scope.client is not None:
        qs = qs.filter(organization=scope.client)
    return qs


def _vendor_since() -> Subquery:
    # When the ticket last changed status: the STATUS event that put it in pending_vendor
    # (the ticket is pending_vendor now, so its latest STATUS event is the one that set it).
    # Read backwards along the event_ticket_id index of the one ticket.
    latest = (
        TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=EventKind.STATUS)
        .order_by("-id")
        .values("created_at")[:1]
    )
    return Subquery(latest, output_field=DateTimeField())


def group(scope: Scope, name: str) -> TicketQuerySet:
    """The tickets of group `name` (one of GROUPS) in `scope`, in a stable order.

    Definitions (docs/reports.md says the same):
    - open_long: open, created more than `open_days` days before now; oldest first.
    - no_update: open, `updated_at` more than 24 hours before now. `updated_at` is set by every
      ticket service that writes the timeline (a reply, note, call, status change, assignment,
      escalation, edit, a customer's mail); the SLA worker's warnings, mails sent and pages do
      not touch it: they are no one's update of the ticket. Stalest first.
    - vendor: status pending_vendor, set (its latest STATUS event) more than 3 days ago.
    - sla_today: a running SLA clock (not paused) whose earliest due time is before the end
      of the viewer's day, including those already breached; soonest due first.
    - reopened: open, with a REOPENED event since the start of the last review day (the last
      day before today with any mark; yesterday when there is none), so Monday's review sees
      Saturday's reopenings. Most recently updated first.
    - unassigned: P1 or P2, open, no assignee; P1 first.
    """
    now = scope.now
    qs = open_tickets(scope, by_status=name != "reopened")
    if name == "open_long":
        # Not through the (organization, created_at) index: SQLite would read every old
        # ticket of every client and sort them; the open ones in id order are the few to read.
        old = LessThan(NotIndexed("created_at"), now - timedelta(days=scope.open_days))
        qs = qs.filter(old).order_by("id")
    elif name == "no_update":
        qs = qs.filter(updated_at__lt=now - NO_UPDATE).order_by("updated_at", "id")
    elif name == "vendor":
        qs = (
            qs.filter(status=Status.PENDING_VENDOR)
            .annotate(status_since=Coalesce(_vendor_since(), "created_at"))
            .filter(status_since__lt=now - timedelta(days=VENDOR_DAYS))
            .order_by("status_since", "id")
        )
    elif name == "sla_today":
        qs = qs.filter(HAS_SLA, sla_paused_at__isnull=True, sla_due__lt=scope.end).order_by(
            "sla_due", "id"
        )
    elif name == "reopened":
        since = scope.reopened_since
        reopened = TicketEvent.objects.filter(
            ticket=OuterRef("pk"), kind=EventKind.REOPENED, created_at__gte=since
        )
        # A reopening touches the ticket: the tickets updated since (the ticket_updated index,
        # read in its order) are the candidates, each checked along its own timeline.
        qs = qs.filter(Exists(reopened), updated_at__gte=since).order_by("-updated_at", "-id")
    elif name == "unassigned":
        qs = qs.filter(priority__in=(Priority.P1, Priority.P2), assignee__isnull=True).order_by(
            "priority", "id"
        )
    else:
        raise KeyError(name)
    return qs.select_related(*LIST_RELATED)


def capped_count(qs: QuerySet) -> int:
    """How many rows `qs` has, counting at most COUNT_CAP + 1 (more shows as "1000+")."""
    return qs.order_by()[: COUNT_CAP + 1].count()


def marks_for(day: date, ticket_ids: list[int]) -> dict[int, ReviewMark]:
    """Today's marks of the tickets on the page, by ticket id (one query)."""
    if not ticket_ids:
        return {}
    marks = ReviewMark.objects.filter(day=day, ticket_id__in=ticket_ids).select_related("reviewer")
    return {m.ticket_id: m for m in marks}


def marks_visible_to(user: User) -> QuerySet[ReviewMark]:
    """Marks of the tickets `user` may see (an agent limited to some clients: theirs)."""
    return ReviewMark.objects.filter(ticket__in=visible_tickets(user).values("pk"))


def history_days(user: User) -> QuerySet:
    """The review's days newest first: how many tickets were marked and by how many people."""
    return (
        marks_visible_to(user)
        .values("day")
        .annotate(marks=Count("id"), reviewers=Count("reviewer", distinct=True))
        .order_by("-day")
    )


def day_reviewers(user: User, days: list[date]) -> dict[date, list[tuple[str, str, int]]]:
    """For each of `days`: (reviewer name, public id, marks) of its reviewers (one query)."""
    rows = (
        marks_visible_to(user)
        .filter(day__in=days)
        .values("day", "reviewer__full_name", "reviewer__public_id")
        .annotate(marks=Count("id"))
        .order_by("day", "-marks", "reviewer__full_name")
    )
    found: dict[date, list[tuple[str, str, int]]] = {}
    for row in rows:
        found.setdefault(row["day"], []).append(
            (row["reviewer__full_name"], row["reviewer__public_id"], row["marks"])
        )
    return found


def marks(
    user: User, *, day: date | None = None, reviewer: User | None = None
) -> QuerySet[ReviewMark]:
    """Marks visible to `user`, of one day and/or one reviewer, newest first."""
    qs = marks_visible_to(user)
    if day is not None:
        qs = qs.filter(day=day)
    if reviewer is not None:
        qs = qs.filter(reviewer=reviewer)
    return qs.select_related("reviewer", "ticket", "ticket__organization").order_by("-day", "-id")


def reviewers(user: User) -> QuerySet[User]:
    """Agents who ever marked a ticket the viewer may see (the history's reviewer filter)."""
    ids = marks_visible_to(user).values("reviewer_id")
    return User.objects.filter(pk__in=ids).order_by("full_name")


def team_by_slug(slug: str | None) -> Team | None:
    return Team.objects.filter(slug=slug).first() if slug else None


def client_by_slug(user: User, slug: str | None) -> Organization | None:
    """The client `slug` if `user` serves it (else None, as for one that does not exist)."""
    return organizations_visible_to(user).filter(slug=slug).first() if slug else None
