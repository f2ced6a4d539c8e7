"""Who sees which route plans, and a plan as the pages and the API show it.

A plan records the clients whose visits it considered (`params["clients"]`, a JSON list of
organisation ids); an agent sees it when they serve every one of them (an unrestricted agent
sees all). Customers see none. The test is a filter of the query (`plans_visible_to`), so the
lists page through the database: the list of ids, as text, must be made of served ids only (a
regular expression: JSON containment has no SQLite form).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet, TextField, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.http import Http404

from deskside.accounts.models import User
from deskside.accounts.queries import served_organization_ids
from deskside.field.models import RoutePlan


def _agent(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_agent)


def may_see(user: User, plan: RoutePlan) -> bool:
    if not _agent(user):
        return False
    served = served_organization_ids(user)
    return served is None or set(plan.params.get("clients", [])) <= set(served)


def _only(ids: list[int]) -> str:
    """A regular expression matching a JSON list of integers drawn from `ids` only."""
    one = "(" + "|".join(str(int(i)) for i in sorted(ids)) + ")"
    return rf"^\[ *({one} *, *)*{one}? *\]$"


def plans_visible_to(user: User) -> QuerySet[RoutePlan]:
    """The plans `user` may see, newest first (a query: page it)."""
    if not _agent(user):
        return RoutePlan.objects.none()
    plans = RoutePlan.objects.select_related("created_by", "decided_by").order_by(
        "-created_at", "-id"
    )
    served = served_organization_ids(user)
    if served is None:
        return plans
    return plans.alias(
        clients_text=Coalesce(KT("params__clients"), Value("[]"), output_field=TextField())
    ).filter(clients_text__regex=_only(served))


def visible_plan(user: User, public_id: str) -> RoutePlan:
    """The plan, or Http404 (also for a plan the user may not see: not confirmed to exist)."""
    plan = plans_visible_to(user).filter(public_id=public_id).first()
    if plan is None:
        raise Http404(f"no route plan {public_id!r}")
    return plan


def plan_detail(plan: RoutePlan) -> dict[str, Any]:
    """The plan for a page or the API: routes per technician (stops with arrival, start, end,
    the leg before it), the total travel, what was not assigned and why, the solver's notes."""
    routes: dict[int, dict[str, Any]] = {}
    stops = plan.stops.select_related(
        "technician", "visit", "visit__ticket", "visit__site", "visit__organization"
    ).order_by("technician__full_name", "technician_id", "position")
    for stop in stops:
        route = routes.setdefault(
            stop.technician_id,
            {"technician": stop.technician, "travel_minutes": 0, "stops": []},
        )
        route["travel_minutes"] += stop.travel_minutes
        visit = stop.visit
        route["stops"].append(
            {
                "position": stop.position,
                "visit": visit.public_id,
                "ticket": visit.ticket.number,
                "organization": visit.organization.name,
                "site": visit.site.name,
                "arrival": stop.arrival,
                "start": stop.start,
                "end": stop.start + timedelta(minutes=visit.duration_minutes),
                "travel_minutes": stop.travel_minutes,
                "window_start": visit.window_start,
                "window_end": visit.window_end,
            }
        )
    params = plan.params or {}
    return {
        "plan": plan,
        "public_id": plan.public_id,
        "day": plan.day,
        "status": plan.status,
        "total_travel_minutes": plan.total_travel_minutes,
        "solve_seconds": plan.solve_seconds,
        "created_at": plan.created_at,
        "created_by": plan.created_by,
        "decided_by": plan.decided_by,
        "decided_at": plan.decided_at,
        "routes": list(routes.values()),
        "unassigned": list(plan.unassigned or []),
        "notes": list(params.get("notes", [])),
        "matrix": params.get("matrix", ""),
        "stopped_by": params.get("stopped_by", ""),
        "zone": params.get("zone", "UTC"),
    }
