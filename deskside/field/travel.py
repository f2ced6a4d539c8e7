"""Travel time between two places, in whole minutes: the great-circle distance times a road
factor at an average speed (settings DESKSIDE_FIELD_ROAD_FACTOR_PERCENT and
DESKSIDE_FIELD_SPEED_KMH). The board's warnings, backfill's distances and the route planner
all ask here; the planner may take a whole matrix from elsewhere (an OSRM server).

A place is a `Point(latitude, longitude)`; a site or base without coordinates gives None, and
the callers say so ("no coordinates: travel unknown") rather than guess.
"""

import math
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings

EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)


class Point(NamedTuple):
    latitude: float
    longitude: float


def point(latitude: Decimal | float | None, longitude: Decimal | float | None) -> Point | None:
    """A Point from a row's two columns, or None when either is empty."""
    if latitude is None or longitude is None:
        return None
    return Point(float(latitude), float(longitude))


def site_point(site) -> Point | None:
    return point(site.latitude, site.longitude)


def base_point(technician) -> Point | None:
    """Where a technician's day starts (`field.models.Technician`), or None."""
    return point(technician.base_latitude, technician.base_longitude)


def great_circle_km(a: Point, b: Point) -> float:
    """The haversine distance in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def road_km(a: Point, b: Point) -> float:
    return great_circle_km(a, b) * settings.DESKSIDE_FIELD_ROAD_FACTOR_PERCENT / 100


def minutes(a: Point | None, b: Point | None) -> int | None:
    """Estimated driving minutes from `a` to `b` (rounded up), or None when a place is unknown."""
    if a is None or b is None:
        return None
    return math.ceil(road_km(a, b) / settings.DESKSIDE_FIELD_SPEED_KMH * 60)
