"""The CSAT report: surveys per client, agent or team over a period (one grouped query).

Definitions (docs/reports.md):

- a survey counts in the period of its (latest) resolution, `Survey.resolved_at`, in days of
  the viewer's time zone: `start` 00:00 to the end of `end`, both days included;
- sent: surveys of the period (one per resolved ticket whose requester is a customer);
- answered: those with an answer (whenever it came, within the 30-day window);
- CSAT % = good / answered * 100 (okay is not satisfied); None when nothing was answered;
- response rate % = answered / sent * 100;
- agent: the assignee when the ticket was resolved (else who resolved it); team: the ticket's
  team then. Rows are what the viewer may see (`queries.surveys_visible_to`).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q

from deskside.accounts.models import Organization, Team, User
from deskside.surveys.models import Rating
from deskside.surveys.queries import surveys_visible_to

GROUPS = {
    # by: (the key column, the model of its label, the label's fields, the link's field)
    "client": ("organization_id", Organization, ("name",), "slug"),
    "agent": ("agent_id", User, ("full_name", "email"), "public_id"),
    "team": ("team_id", Team, ("name",), "slug"),
}
NONE_LABEL = {"client": "(none)", "agent": "(unassigned)", "team": "(no team)"}


@dataclass
class Row:
    key: str = ""
    label: str = ""
    sent: int = 0
    answered: int = 0
    good: int = 0
    okay: int = 0
    bad: int = 0

    @property
    def csat(self) -> float | None:
        return round(self.good * 100 / self.answered, 1) if self.answered else None

    @property
    def response_rate(self) -> float | None:
        return round(self.answered * 100 / self.sent, 1) if self.sent else None

    def add(self, other: "Row") -> None:
        for name in ("sent", "answered", "good", "okay", "bad"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Report:
    by: str
    start: date
    end: date
    zone: str
    rows: list[Row] = field(default_factory=list)
    total: Row = field(default_factory=lambda: Row(label="All"))


def bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in `tz`, as aware datetimes (DST-safe: each
    midnight is made in the zone, not by adding 24 hours)."""
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def build(
    user: User,
    *,
    start: date,
    end: date,
    by: str,
    tz: ZoneInfo,
    organization: Organization | None = None,
    team: Team | None = None,
    agent: User | None = None,
) -> Report:
    """The report for `user` (see the module docstring); rows sorted by label."""
    key, model, label_fields, link = GROUPS[by]
    since, until = bounds(start, end, tz)
    qs = surveys_visible_to(user).filter(resolved_at__gte=since, resolved_at__lt=until)
    if organization is not None:
        qs = qs.filter(organization=organization)
    if team is not None:
        qs = qs.filter(team=team)
    if agent is not None:
        qs = qs.filter(agent=agent)
    # One grouped scan of the covering index survey_report (no join: the few labels are read
    # after). Counting resolved_at, a column of that index, keeps it an index-only read.
    counted = "resolved_at"
    grouped = list(
        qs.order_by()
        .values(key)
        .annotate(
            sent=Count(counted),
            answered=Count(counted, filter=Q(answered_at__isnull=False)),
            good=Count(counted, filter=Q(rating=Rating.GOOD)),
            okay=Count(counted, filter=Q(rating=Rating.OKAY)),
            bad=Count(counted, filter=Q(rating=Rating.BAD)),
        )
    )
    ids = [values[key] for values in grouped if values[key] is not None]
    names = {
        row["pk"]: row for row in model.objects.filter(pk__in=ids).values("pk", link, *label_fields)
    }
    report = Report(by=by, start=start, end=end, zone=str(tz))
    for values in grouped:
        named = names.get(values[key])
        label = next((named[f] for f in label_fields if named[f]), "") if named else ""
        row = Row(
            key=named[link] if named else "",
            label=label or NONE_LABEL[by],
            sent=values["sent"],
            answered=values["answered"],
            good=values["good"],
            okay=values["okay"],
            bad=values["bad"],
        )
        report.rows.append(row)
        report.total.add(row)
    report.rows.sort(key=lambda r: (r.label.lower(), r.key))
    return report
