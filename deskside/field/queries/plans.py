"""Who sees which route plans, and a plan as the pages and the API show it.

A plan records the clients whose visits it considered (`params["clients"]`); an agent sees it
when they serve every one of them (an unrestricted agent sees all). Customers see none.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import Http404

from deskside.accounts.models import User
from deskside.accounts.queries import served_organization_ids
from deskside.field.models import RoutePlan

RECENT = 100


def _agent(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_agent)


def may_see(user: User, plan: RoutePlan) -> bool:
    if not _agent(user):
        return False
    served = served_organization_ids(user)
    return served is None or set(plan.params.get("clients", [])) <= set(served)


def plans_visible_to(user: User, *, limit: int = RECENT) -> list[RoutePlan]:
    """The recent plans `user` may see, newest first."""
    if not _agent(user):
        return []
    served = served_organization_ids(user)
    plans = list(RoutePlan.objects.select_related("created_by", "decided_by")[: limit * 4])
    if served is not None:
        plans = [p for p in plans if set(p.params.get("clients", [])) <= set(served)]
    return plans[:limit]


def visible_plan(user: User, public_id: str) -> RoutePlan:
    """The plan, or Http404 (also for a plan the user may not see: not confirmed to exist)."""
    plan = (
        RoutePlan.objects.select_related("created_by", "decided_by")
        .filter(public_id=public_id)
        .first()
    )
    if plan is None or not may_see(user, plan):
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
