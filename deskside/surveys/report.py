"""The CSAT report: surveys per client, agent or team over a period (one grouped query).

Definitions (docs/reports-csat.md):

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
    # by: (the key column, the label column, the column a link filters on)
    "client": ("organization_id", "organization__name", "organization__slug"),
    "agent": ("agent_id", "agent__full_name", "agent__public_id"),
    "team": ("team_id", "team__name", "team__slug"),
}
FILTER_PARAM = {"client": "client", "agent": "agent", "team": "team"}
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
    key, label, link = GROUPS[by]
    since, until = bounds(start, end, tz)
    qs = surveys_visible_to(user).filter(resolved_at__gte=since, resolved_at__lt=until)
    if organization is not None:
        qs = qs.filter(organization=organization)
    if team is not None:
        qs = qs.filter(team=team)
    if agent is not None:
        qs = qs.filter(agent=agent)
    answered = Q(answered_at__isnull=False)
    grouped = (
        qs.order_by()
        .values(key, label, link, "agent__email" if by == "agent" else key)
        .annotate(
            sent=Count("id"),
            answered=Count("id", filter=answered),
            good=Count("id", filter=Q(rating=Rating.GOOD)),
            okay=Count("id", filter=Q(rating=Rating.OKAY)),
            bad=Count("id", filter=Q(rating=Rating.BAD)),
        )
    )
    report = Report(by=by, start=start, end=end, zone=str(tz))
    for values in grouped:
        name = values[label] or (values.get("agent__email") if by == "agent" else "")
        row = Row(
            key=values[link] or "",
            label=name or NONE_LABEL[by],
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
