"""Demo data of route planning: a proposed plan for a day of the demo week, made after the
field demo (`deskside.field.demo`) seeded technicians, clearances and a week of visits.

The day is the first one, from today on, with an unscheduled visit (today when there is
none); the planner is the demo's administrator (or the first agent who serves every client).
Idempotent: a proposed plan already there is returned as it is. It writes no timeline event
(proposing schedules nothing; accepting in the demo is the visitor's to do).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from deskside.accounts.models import User
from deskside.core import clock
from deskside.field.models import RoutePlan, RoutePlanStatus, Visit, VisitStatus
from deskside.field.services import planning

DEMO_ADMIN = "admin@deskside.example"


def _planner() -> User | None:
    agents = User.objects.filter(kind=User.Kind.AGENT, is_active=True)
    return (
        agents.filter(email=DEMO_ADMIN, served_organizations=None).first()
        or agents.filter(served_organizations=None).order_by("id").first()
    )


def seed_demo() -> RoutePlan | None:
    """The demo's proposed plan (made now if there is none); None without any agent."""
    existing = RoutePlan.objects.filter(status=RoutePlanStatus.PROPOSED).first()
    if existing is not None:
        return existing
    planner = _planner()
    if planner is None:
        return None
    now = clock.now()
    zone = planning.day_scope(planner, now.date()).zone
    first = (
        Visit.objects.filter(status=VisitStatus.UNSCHEDULED, window_end__gte=now)
        .order_by("window_start")
        .first()
    )
    at = max(first.window_start, now) if first is not None else now
    return planning.plan_day(planner, at.astimezone(ZoneInfo(zone)).date())
