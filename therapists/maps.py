"""The map of search results: whether there is one, and what the page and its Content
Security Policy need to know about the tile server.

The list of results is the page; the map is an enhancement a patient opens
(`static/js/map.js`). Opening it sends the area being viewed to the tile server, so
nothing is fetched from there before, and with no tile server configured
(`MAP_TILES_URL`) there is no map at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Tiles:
    url: str  # a Leaflet URL template: {z}/{x}/{y}, optionally {s} and {r}
    attribution: str  # HTML, the credit the tile server asks for
    origin: str  # what the CSP img-src needs, e.g. https://*.tile.example.org

    @property
    def host(self) -> str:
        """The tile server's host name, to tell the patient who gets the viewing area."""
        return (urlsplit(self.url).hostname or "").removeprefix("{s}.")

    def as_json(self) -> dict[str, str]:
        return {"url": self.url, "attribution": self.attribution}


def tiles_origin(url: str) -> str:
    """The CSP source for a tile URL template: its scheme and host (and port), with a
    {s} subdomain as a wildcard. ImproperlyConfigured when it is not an http(s) URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or "{z}" not in url:
        raise ImproperlyConfigured(
            f"MAP_TILES_URL must be an http(s) URL template with {{z}}/{{x}}/{{y}}, not {url!r}"
        )
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


def tiles() -> Tiles | None:
    """The configured tile server, or None: no map."""
    url = settings.MAP_TILES_URL
    if not url:
        return None
    return Tiles(url=url, attribution=settings.MAP_TILES_ATTRIBUTION, origin=tiles_origin(url))


@checks.register(checks.Tags.compatibility)
def check_tiles(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A malformed MAP_TILES_URL is found at start-up, not on the first search."""
    try:
        tiles()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="therapists.E101")]
    return []
