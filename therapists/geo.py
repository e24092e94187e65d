"""Pure-Python geography: points, distances and postal-code parsing.

No database and no network here, so everything is tested in isolation.
Coordinates are degrees (WGS 84), latitude before longitude; distances are km.
"""

import math
import re
from typing import NamedTuple

from geopy.distance import geodesic

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG), the one geopy's great_circle uses

# A Canadian postal code: forward sortation area (letter digit letter), then the
# optional local delivery unit (digit letter digit). D, F, I, O, Q, U never appear,
# and W and Z never start one.
POSTAL_CODE_RE = re.compile(
    r"^\s*([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z])\s*(\d[ABCEGHJ-NPRSTV-Z]\d)?\s*$", re.I
)


class Point(NamedTuple):
    latitude: float
    longitude: float


def is_valid_coordinate(latitude: float, longitude: float) -> bool:
    """True for finite degrees within [-90, 90] and [-180, 180]."""
    return (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    )


def distance_km(a: Point, b: Point) -> float:
    """Geodesic (WGS 84 ellipsoid) distance in km: what a patient is shown."""
    return geodesic(a, b).km


def great_circle_km(a: Point, b: Point) -> float:
    """Haversine distance on the mean-radius sphere, in km."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def parse_postal_code(text: str) -> tuple[str, str] | None:
    """Split "r3c 4t3" into ("R3C", "4T3"), or "R3C" into ("R3C", ""); None if not one."""
    match = POSTAL_CODE_RE.match(text or "")
    if not match:
        return None
    return match.group(1).upper(), (match.group(2) or "").upper()


def format_postal_code(text: str) -> str | None:
    """A full postal code in its normal form, "R3C 4T3", or None if not one."""
    parsed = parse_postal_code(text)
    if parsed is None or not parsed[1]:
        return None
    return f"{parsed[0]} {parsed[1]}"
