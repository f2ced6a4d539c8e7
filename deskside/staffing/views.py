"""The staffing calculator's pages under /staffing/: the page (form, heat map, tables), the
heat map's SVG and the CSV export, all read from the same query string.

Administrators and team leads only: anyone else (agents without the role, customers) gets a
403, anonymous visitors the sign-in page.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import wraps
from typing import Any

from csp.constants import NONE, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from deskside.accounts.models import User
from deskside.core.forms import add_domain_error
from deskside.core.timezones import zone
from deskside.staffing import chart
from deskside.staffing.calculator import WEEKDAYS, Result, calculate
from deskside.staffing.exceptions import StaffingError
from deskside.staffing.forms import StaffingForm, bound
from deskside.staffing.queries import may_use

View = Callable[..., HttpResponse]


def staffing_required(view: View) -> View:
    """Administrators and team leads; a 403 for everyone else signed in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_use(user):  # type: ignore[arg-type]
            raise PermissionDenied("the staffing calculator is for administrators and team leads")
        with timezone.override(zone(user.timezone)):  # type: ignore[union-attr]
            return view(request, *args, **kwargs)

    return wrapper


def _result(request: HttpRequest) -> tuple[StaffingForm, Result | None]:
    user: User = request.user  # type: ignore[assignment]
    form = bound(request.GET, user)
    if not form.is_valid():
        return form, None
    try:
        return form, calculate(user, form.to_request())
    except StaffingError as exc:
        add_domain_error(form, exc)
        return form, None


@require_safe
@staffing_required
def index(request: HttpRequest) -> HttpResponse:
    form, result = _result(request)
    context: dict[str, Any] = {"form": form, "result": result, "query": form.data.urlencode()}
    if result is not None:
        context.update(
            weekdays=WEEKDAYS,
            grid=[
                {"hour": f"{hour:02d}", "cells": [result.hours[d * 24 + hour] for d in range(7)]}
                for hour in range(24)
            ],
            cover=[{"day": WEEKDAYS[c.weekday], "shift": c} for c in result.cover],
            shrinkage=round(result.request.shrinkage * 100),
        )
    return render(
        request, "staffing/index.html", context, status=200 if result is not None else 400
    )


@require_safe
@staffing_required
@csp_replace({"default-src": [NONE], "style-src": [UNSAFE_INLINE], "script-src": [NONE]})
def heatmap(request: HttpRequest) -> HttpResponse:
    """The heat map as an SVG document (shown by the page in an <img>). Its own policy allows
    pygal's inline <style> and nothing else: no script, no request anywhere."""
    form, result = _result(request)
    if result is None:
        return HttpResponse("bad query", status=400, content_type="text/plain")
    response = HttpResponse(chart.heatmap(result), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


CSV_HEADER = [
    "weekday",
    "hour",
    "arrivals_per_hour",
    "aht_seconds",
    "traffic_erlangs",
    "agents",
    "agents_rostered",
    "service_level",
    "asa_seconds",
    "occupancy",
    "covered_by_shifts",
    "staffed_in_roster",
    "difference",
]


def csv_rows(result: Result) -> list[list[Any]]:
    """One row per hour of the week (Monday 00:00 first), as the CSV export writes them."""
    return [
        [
            h.label.split()[0],
            f"{h.hour:02d}:00",
            round(h.arrivals, 3),
            round(h.aht_seconds, 1),
            round(h.traffic, 3),
            h.agents,
            h.agents_rostered,
            round(h.service_level, 4),
            "" if h.asa_seconds is None else round(h.asa_seconds, 1),
            round(h.occupancy, 4),
            h.covered,
            "" if h.staffed is None else h.staffed,
            "" if h.difference is None else h.difference,
        ]
        for h in result.hours
    ]


@require_safe
@staffing_required
def export(request: HttpRequest) -> HttpResponse:
    """The hours of the week as CSV (the table of the page, one row per hour)."""
    form, result = _result(request)
    if result is None:
        return HttpResponse("bad query", status=400, content_type="text/plain")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = result.team.slug if result.team else "desk"
    response["Content-Disposition"] = (
        f'attachment; filename="staffing-{name}-{result.start:%Y%m%d}-{result.end:%Y%m%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(result))
    return response
