"""Travel-time matrices for the route solver, in minutes (floats; the solver rounds to seconds).

- `plane(points)`: Euclidean distance as minutes (benchmark instances such as Solomon's, whose
  travel time is the distance);
- `estimate(points)`: on the globe, the great-circle distance times the road factor at the
  average speed (settings DESKSIDE_FIELD_ROAD_FACTOR_PERCENT, DESKSIDE_FIELD_SPEED_KMH), the
  same estimate as `field.travel.minutes` but not rounded up per leg;
- `osrm(url, points)`: an OSRM server's table service
  (`/table/v1/driving/lon,lat;lon,lat...?annotations=duration`), through the outbound guard
  (`core.netguard`): an OSRM server on the MSP's own network must be listed in
  DESKSIDE_OUTBOUND_ALLOW, like any internal host Deskside connects to;
- `travel_matrix(points)`: what the planner uses: OSRM when DESKSIDE_FIELD_OSRM_URL is set,
  else the estimate; when OSRM fails (unreachable, refused, an answer without a duration) the
  estimate is used and `Matrix.note` says so, for the plan to show.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import requests
from django.conf import settings

from deskside.core import netguard
from deskside.field.travel import Point, great_circle_km

OSRM_TIMEOUT_SECONDS = 10


class OsrmError(Exception):
    """The OSRM server gave no usable matrix (the message says why, for a person)."""


@dataclass(frozen=True)
class Matrix:
    minutes: list[list[float]]
    source: str  # "estimate" | "osrm" | "plane" | "given"
    note: str = ""


def plane(points: Sequence[tuple[float, float]]) -> list[list[float]]:
    return [[math.dist(a, b) for b in points] for a in points]


def estimate(points: Sequence[Point]) -> list[list[float]]:
    factor = settings.DESKSIDE_FIELD_ROAD_FACTOR_PERCENT / 100
    per_km = 60 / settings.DESKSIDE_FIELD_SPEED_KMH
    return [[great_circle_km(a, b) * factor * per_km for b in points] for a in points]


def osrm(url: str, points: Sequence[Point], *, timeout: float = OSRM_TIMEOUT_SECONDS):
    """The driving durations between all `points` from the OSRM server at `url`, in minutes.
    OsrmError when the server cannot be reached, refuses, or leaves a pair without a route."""
    coordinates = ";".join(f"{p.longitude:.6f},{p.latitude:.6f}" for p in points)
    address = f"{url.rstrip('/')}/table/v1/driving/{coordinates}"
    try:
        with netguard.guarded():
            response = requests.get(address, params={"annotations": "duration"}, timeout=timeout)
    except requests.RequestException as exc:
        raise OsrmError(f"cannot reach the OSRM server: {exc.__class__.__name__}") from exc
    except OSError as exc:  # netguard.Refused: an internal address not allowed
        raise OsrmError(f"cannot reach the OSRM server: {exc}") from exc
    if response.status_code != 200:
        raise OsrmError(f"the OSRM server answered HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError as exc:
        raise OsrmError("the OSRM server's answer is not JSON") from exc
    if not isinstance(body, dict) or body.get("code") != "Ok":
        code = body.get("code") if isinstance(body, dict) else None
        raise OsrmError(f"the OSRM server refused the table ({code or 'no code'})")
    durations = body.get("durations")
    n = len(points)
    if not isinstance(durations, list) or len(durations) != n:
        raise OsrmError("the OSRM answer has no duration table of the right size")
    out: list[list[float]] = []
    for row in durations:
        if not isinstance(row, list) or len(row) != n:
            raise OsrmError("the OSRM answer has no duration table of the right size")
        if any(not isinstance(x, int | float) or not math.isfinite(x) or x < 0 for x in row):
            raise OsrmError("the OSRM server found no route between two of the places")
        out.append([x / 60 for x in row])
    return out


def travel_matrix(points: Sequence[Point]) -> Matrix:
    """The planner's matrix (see the module's docstring)."""
    url = settings.DESKSIDE_FIELD_OSRM_URL
    if url and len(points) > 1:
        try:
            return Matrix(osrm(url, points), "osrm")
        except OsrmError as exc:
            return Matrix(
                estimate(points),
                "estimate",
                f"OSRM failed ({exc}): travel times are estimated from the distance",
            )
    return Matrix(estimate(points), "estimate")
