"""Pure-Python geography: points, distances and postal-code parsing.

No database and no network here, so everything is tested in isolation.
Coordinates are degrees (WGS 84), latitude before longitude; distances are km.
"""

import math
import re
from typing import NamedTuple

import tzfpy
from geographiclib.geodesic import Geodesic

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG), the one geopy's great_circle uses

# A Canadian postal code: forward sortation area (letter digit letter), then the
# optional local delivery unit (digit letter digit). D, F, I, O, Q, U never appear,
# and W and Z never start one.
POSTAL_CODE_RE = re.compile(
    r"^\s*([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z])[\s-]*(\d[ABCEGHJ-NPRSTV-Z]\d)?\s*$", re.I
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
    """Geodesic (WGS 84 ellipsoid) distance in km: what a patient is shown.

    The same as geopy's `geodesic(a, b).km` (geopy computes it with geographiclib),
    asking geographiclib for the distance alone, which is several times faster.
    """
    line = Geodesic.WGS84.Inverse(a[0], a[1], b[0], b[1], Geodesic.DISTANCE)
    return line["s12"] / 1000


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


# WGS 84 ellipsoid, for Earth-centred Cartesian (ECEF) coordinates in km.
WGS84_A_KM = 6378.137  # equatorial radius
WGS84_E2 = 6.69437999014e-3  # first eccentricity squared

# One degree of latitude is at least this long anywhere (km): the meridian arc
# is shortest at the equator (110.574 km), so boxes drawn with it never clip.
KM_PER_DEGREE_LATITUDE_MIN = 110.5


class Box(NamedTuple):
    """A latitude/longitude bounding box in degrees.

    `longitudes` holds one (west, east) range, or two when the box crosses the
    antimeridian, so each range can use an ordinary index range scan.
    """

    south: float
    north: float
    longitudes: tuple[tuple[float, float], ...]


def ecef_km(point: Point) -> tuple[float, float, float]:
    """Earth-centred Cartesian coordinates (x, y, z) in km of a point on the WGS 84 ellipsoid.

    The straight-line (chord) distance between two such points ranks places in the
    same order as their geodesic distance: the two differ by under 1 m at 100 km and
    by about 0.1 km at 500 km, and that difference hardly depends on direction.
    The same formula runs in the database (see `Location.ecef_x`), so ranking there
    needs only arithmetic per row.
    """
    lat, lng = math.radians(point.latitude), math.radians(point.longitude)
    n = WGS84_A_KM / math.sqrt(1 - WGS84_E2 * math.sin(lat) ** 2)  # prime vertical radius of curvature
    return (
        n * math.cos(lat) * math.cos(lng),
        n * math.cos(lat) * math.sin(lng),
        n * (1 - WGS84_E2) * math.sin(lat),
    )


def chord_km(a: Point, b: Point) -> float:
    """Straight-line distance through the Earth between two points, in km."""
    return math.dist(ecef_km(a), ecef_km(b))


def chord_for_distance_km(distance_km: float) -> float:
    """The chord (km) spanning a surface distance (km) on the mean-radius sphere.

    A search radius becomes a chord threshold with this, so "within 25 km" is a
    comparison of squared chords in SQL rather than trigonometry per row.
    """
    angle = min(distance_km / EARTH_RADIUS_KM, math.pi)
    return 2 * EARTH_RADIUS_KM * math.sin(angle / 2)


def bounding_box(origin: Point, radius_km: float) -> Box:
    """A box that contains every point within `radius_km` of `origin` (and a little more).

    Used to prefilter on the indexed latitude and longitude before the exact
    distance test. Handles the poles (the box widens to every longitude) and the
    antimeridian (two longitude ranges).
    """
    # Pad a little (0.5 %) so ellipsoid-versus-sphere differences never clip a point.
    dlat = radius_km * 1.005 / KM_PER_DEGREE_LATITUDE_MIN
    south, north = origin.latitude - dlat, origin.latitude + dlat
    if south <= -90 or north >= 90:
        return Box(max(south, -90.0), min(north, 90.0), ((-180.0, 180.0),))
    # A degree of longitude is shortest on the box edge nearest a pole.
    widest_lat = math.radians(max(abs(south), abs(north)))
    dlng = dlat / math.cos(widest_lat)
    if dlng >= 180:
        return Box(south, north, ((-180.0, 180.0),))
    west, east = origin.longitude - dlng, origin.longitude + dlng
    if west < -180:
        return Box(south, north, ((west + 360, 180.0), (-180.0, east)))
    if east > 180:
        return Box(south, north, ((west, 180.0), (-180.0, east - 360)))
    return Box(south, north, ((west, east),))


def box_contains(box: Box, point: Point) -> bool:
    """True when `point` lies in `box` (edges included)."""
    return box.south <= point.latitude <= box.north and any(
        west <= point.longitude <= east for west, east in box.longitudes
    )


# The IANA time zones of Canada (the tz database's zone.tab, country CA). A location's
# zone is one of these, found from its coordinates, never the server's TIME_ZONE.
CANADIAN_TIME_ZONES = (
    "America/St_Johns",
    "America/Halifax",
    "America/Glace_Bay",
    "America/Moncton",
    "America/Goose_Bay",
    "America/Blanc-Sablon",
    "America/Toronto",
    "America/Iqaluit",
    "America/Atikokan",
    "America/Winnipeg",
    "America/Resolute",
    "America/Rankin_Inlet",
    "America/Regina",
    "America/Swift_Current",
    "America/Edmonton",
    "America/Cambridge_Bay",
    "America/Inuvik",
    "America/Creston",
    "America/Dawson_Creek",
    "America/Fort_Nelson",
    "America/Whitehorse",
    "America/Dawson",
    "America/Vancouver",
)
# Where the coordinates fall outside Canada's zones (a point offshore or across the
# border), the zone most of the province keeps.
PROVINCE_TIME_ZONES = {
    "AB": "America/Edmonton",
    "BC": "America/Vancouver",
    "MB": "America/Winnipeg",
    "NB": "America/Moncton",
    "NL": "America/St_Johns",
    "NS": "America/Halifax",
    "NT": "America/Inuvik",
    "NU": "America/Iqaluit",
    "ON": "America/Toronto",
    "PE": "America/Halifax",
    "QC": "America/Toronto",
    "SK": "America/Regina",
    "YT": "America/Whitehorse",
}


def time_zone_at(point: Point, province: str = "") -> str:
    """The IANA time zone of a Canadian point, offline (tzfpy's zone polygons).

    Saskatchewan's America/Regina keeps no daylight time, so the zone, not an
    offset, is what a location stores.
    """
    zone = tzfpy.get_tz(point.longitude, point.latitude)
    if zone in CANADIAN_TIME_ZONES:
        return zone
    return PROVINCE_TIME_ZONES.get(province, "America/Toronto")
