"""Coordinates for a clinic location's address.

Offline first, from our own gazetteer: the postal code's forward sortation area
(FSA) centroid, then the city. Only when `settings.GEOCODING_ENABLED` is on, a
network geocoder (OpenStreetMap's Nominatim through geopy, at most one request
per second) is asked for the full address. Everything network-bound sits behind
`geocode_online()`, the one function tests replace.

Coordinates are degrees (WGS 84), latitude before longitude.
"""

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from therapists import gazetteer, geo
from therapists.models import PlaceKind

logger = logging.getLogger(__name__)

# Nominatim's usage policy: no more than one request per second.
MIN_SECONDS_BETWEEN_REQUESTS = 1.0

# What the admin and the CSV import say when an address cannot be placed.
INVALID_POSTAL_CODE = "Enter a Canadian postal code like R3C 4T3."
HALF_A_COORDINATE = "Give both latitude and longitude, or leave both empty to fill them from the address."
ADDRESS_NOT_FOUND = (
    "We could not find this postal code or city, so the location has no coordinates. "
    "Check the postal code and city, or type the latitude and longitude "
    "(degrees, e.g. 49.8951 and -97.1384 for downtown Winnipeg)."
)


@dataclass(frozen=True)
class Geocode:
    """Where an address was placed, and from what (shown to the person who saved it)."""

    point: geo.Point
    source: str


def locate(*, street: str = "", city: str = "", province: str = "", postal_code: str = "") -> Geocode | None:
    """Coordinates for an address: FSA centroid, then city, then (if enabled) the network.

    None when nothing resolves; the caller asks for coordinates to be typed.
    """
    postal = geo.parse_postal_code(postal_code or "")
    if postal:
        place = gazetteer.lookup(postal[0])
        if place is not None and place.kind == PlaceKind.FSA:
            return Geocode(place.point, f"the centre of postal code area {place.name}")

    city = (city or "").strip()
    if city:
        place = gazetteer.lookup(f"{city}, {province}" if province else city)
        if place is not None:
            return Geocode(place.point, f"the centre of {place.name}, {place.province}")

    if settings.GEOCODING_ENABLED:
        query = ", ".join(part.strip() for part in (street, city, province, postal_code, "Canada") if part)
        point = geocode_online(query)
        if point is not None:
            return Geocode(point, "OpenStreetMap's Nominatim geocoder")
    return None


class NotPlaced(ValueError):
    """A location that cannot be placed: `field` ("latitude" or "longitude") and why."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def place(
    latitude: float | None,
    longitude: float | None,
    *,
    street: str = "",
    city: str = "",
    province: str = "",
    postal_code: str = "",
) -> tuple[geo.Point, Geocode | None]:
    """Where a clinic location is: its coordinates as typed when both are given, else
    from its address (`locate`). Returns the point and, when it was filled in, where it
    came from. Raises NotPlaced for half a coordinate or an address nothing resolves.
    The admin's location form and the CSV import both place locations through here.
    """
    if latitude is not None and longitude is not None:
        return geo.Point(latitude, longitude), None
    if (latitude is None) != (longitude is None):
        raise NotPlaced("latitude" if latitude is None else "longitude", HALF_A_COORDINATE)
    found = locate(street=street, city=city, province=province, postal_code=postal_code)
    if found is None:
        raise NotPlaced("latitude", ADDRESS_NOT_FOUND)
    return found.point, found


def geocode_online(query: str) -> geo.Point | None:
    """Ask the network geocoder for a Canadian address; None on no match or any failure.

    Blocks for up to a second to respect the rate limit.
    """
    try:
        location = _rate_limited_geocode()(query, exactly_one=True, country_codes="ca")
    except Exception:  # a geocoder outage must never break saving a location
        logger.warning("Geocoding failed for %r", query, exc_info=True)
        return None
    if location is None or not geo.is_valid_coordinate(location.latitude, location.longitude):
        return None
    return geo.Point(location.latitude, location.longitude)


def map_url(point: geo.Point) -> str:
    """A link to the point on OpenStreetMap, so a wrong pin is easy to spot."""
    latitude, longitude = point
    return (
        f"https://www.openstreetmap.org/?mlat={latitude:.5f}&mlon={longitude:.5f}"
        f"#map=17/{latitude:.5f}/{longitude:.5f}"
    )


@functools.cache
def _rate_limited_geocode() -> Callable:
    # One geocoder per process so the rate limiter sees every request.
    geocoder = Nominatim(user_agent=settings.GEOCODER_USER_AGENT, timeout=settings.GEOCODER_TIMEOUT)
    # No retries: a person is waiting for the admin page.
    return RateLimiter(geocoder.geocode, min_delay_seconds=MIN_SECONDS_BETWEEN_REQUESTS, max_retries=0)
