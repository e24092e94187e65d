"""Landing pages for search engines: "Massage therapists in Winnipeg", "Back pain in Toronto".

One page per city with listings and per topic (a discipline, or a body area) that a
published therapist there covers: no empty or thin pages. The results are the patient
search's own (`search.find_therapists`), so a landing page lists what `/search/` would.

URLs are `/find/<city>/<topic>/` in English and `/fr/trouver/<city>/<topic>/` in French:
the city slug is the city and province ("winnipeg-mb", "montreal-qc"), the same in both
languages; the topic slug is in the page's language ("massage-therapists",
"massotherapeutes"). A topic slug of the other language, or an old one, redirects.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.core.cache import cache
from django.db.models import Avg, Count
from django.http import QueryDict
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy, override
from redis.exceptions import RedisError

from therapists import geo
from therapists.models import Location, Specialty, Therapist
from therapists.search import Search, find_therapists

# How many nearby cities and related searches a landing page links to.
NEARBY_CITIES = 6


@dataclass(frozen=True)
class Topic:
    """What a landing page is about: a discipline or a body area, named per language."""

    kind: str  # "discipline" or "area"
    key: str  # the search parameter's value: discipline or body area slug
    slugs: dict[str, str]  # language -> URL slug
    heading: object  # lazy text with %(city)s

    @property
    def slug(self) -> str:
        return self.slugs.get(get_language() or "en", self.slugs["en"])

    def search_query(self) -> str:
        return f"{'discipline' if self.kind == 'discipline' else 'area'}={self.key}"

    def title(self, city: str) -> str:
        return str(self.heading) % {"city": city}


TOPICS = [
    Topic(
        "discipline",
        "massage",
        {"en": "massage-therapists", "fr": "massotherapeutes"},
        gettext_lazy("Massage therapists in %(city)s"),
    ),
    Topic(
        "discipline",
        "physiotherapy",
        {"en": "physiotherapists", "fr": "physiotherapeutes"},
        gettext_lazy("Physiotherapists in %(city)s"),
    ),
    Topic(
        "discipline",
        "chiropractic",
        {"en": "chiropractors", "fr": "chiropraticiens"},
        gettext_lazy("Chiropractors in %(city)s"),
    ),
    Topic(
        "area",
        "back",
        {"en": "back-pain", "fr": "mal-de-dos"},
        gettext_lazy("Back pain treatment in %(city)s"),
    ),
    Topic(
        "area",
        "neck",
        {"en": "neck-pain", "fr": "douleur-au-cou"},
        gettext_lazy("Neck pain treatment in %(city)s"),
    ),
    Topic(
        "area",
        "shoulder",
        {"en": "shoulder-pain", "fr": "douleur-a-lepaule"},
        gettext_lazy("Shoulder pain treatment in %(city)s"),
    ),
    Topic(
        "area",
        "knee",
        {"en": "knee-pain", "fr": "douleur-au-genou"},
        gettext_lazy("Knee pain treatment in %(city)s"),
    ),
    Topic(
        "area",
        "elbow",
        {"en": "elbow-pain", "fr": "douleur-au-coude"},
        gettext_lazy("Elbow pain treatment in %(city)s"),
    ),
    Topic(
        "area",
        "hip",
        {"en": "hip-pain", "fr": "douleur-a-la-hanche"},
        gettext_lazy("Hip pain treatment in %(city)s"),
    ),
    Topic(
        "area",
        "wrist",
        {"en": "wrist-pain", "fr": "douleur-au-poignet"},
        gettext_lazy("Wrist pain treatment in %(city)s"),
    ),
    Topic(
        "area",
        "foot",
        {"en": "foot-pain", "fr": "douleur-au-pied"},
        gettext_lazy("Foot pain treatment in %(city)s"),
    ),
]
TOPIC_BY_SLUG = {slug: topic for topic in TOPICS for slug in topic.slugs.values()}

INTRODUCTIONS = {
    "discipline": gettext_lazy(
        "These registered practitioners see patients in and around %(city)s. They are listed "
        "nearest to the centre of %(city)s first, with their fees, the insurers their clinic "
        "bills directly and whether they are taking new patients. Ask any of them for a free "
        "call back: the clinic's front desk answers, not a call centre."
    ),
    "area": gettext_lazy(
        "Massage therapists, physiotherapists and chiropractors in and around %(city)s who "
        "list an area of focus that helps with this kind of pain, nearest first. This page is "
        "not medical advice: if the pain follows a fall or an accident, or comes with fever, "
        "numbness or weakness, see a doctor first."
    ),
}


@dataclass(frozen=True)
class City:
    """A city with published listings, as its locations spell it."""

    name: str
    province: str
    latitude: float
    longitude: float

    @property
    def slug(self) -> str:
        return f"{slugify(self.name)}-{self.province.lower()}"

    @property
    def label(self) -> str:
        return f"{self.name}, {self.province}"

    @property
    def point(self) -> geo.Point:
        return geo.Point(self.latitude, self.longitude)


@dataclass
class Landing:
    """One landing page: where, what, and the search it shows."""

    city: City
    topic: Topic

    def get_absolute_url(self) -> str:
        return reverse("therapists:landing", kwargs={"city": self.city.slug, "topic": self.topic.slug})

    @property
    def title(self) -> str:
        return self.topic.title(self.city.name)

    @property
    def introduction(self) -> str:
        return str(INTRODUCTIONS[self.topic.kind]) % {"city": self.city.name}

    @property
    def search_url(self) -> str:
        query = QueryDict(mutable=True)
        query["where"] = self.city.label
        return f"{reverse('therapists:search')}?{query.urlencode()}&{self.topic.search_query()}"

    @cached_property
    def search(self) -> Search:
        # From the centre of the city's listings: no gazetteer lookup that could miss.
        point = f"lat={self.city.latitude:.5f}&lng={self.city.longitude:.5f}"
        return find_therapists(QueryDict(f"{point}&{self.topic.search_query()}"))


def _published_locations():
    return Location.objects.filter(therapists__is_published=True)


# Which cities and topics have listings changes when clinics edit, not per request: it is
# read from every published listing, so it is kept for a few minutes (seconds) in the cache.
COVERAGE_CACHE_SECONDS = 600


def cities() -> dict[str, City]:
    """Every city with a published therapist, by slug (one query, then from the cache)."""
    return _cached("landing:cities", _cities)


def covered() -> set[tuple[str, str]]:
    """(city slug, topic key) of every landing page that has listings (two queries, then cached)."""
    return _cached("landing:covered", _covered)


def _cached(key, compute):
    """From the cache, or computed when it does not answer (Redis down): never a 500."""
    try:
        return cache.get_or_set(key, compute, COVERAGE_CACHE_SECONDS)
    except (RedisError, OSError):
        return compute()


def _cities() -> dict[str, City]:
    rows = (
        _published_locations()
        .values("city", "province")
        .annotate(latitude=Avg("latitude"), longitude=Avg("longitude"), n=Count("therapists", distinct=True))
        .order_by("-n", "city", "province")
    )
    found: dict[str, City] = {}
    for row in rows:
        city = City(row["city"], row["province"], row["latitude"], row["longitude"])
        found.setdefault(city.slug, city)  # the busier spelling wins a tie of slugs
    return found


def _covered() -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for city, province, discipline in (
        Therapist.objects.published()
        .values_list("locations__city", "locations__province", "discipline__slug")
        .distinct()
    ):
        if city:
            pairs.add((f"{slugify(city)}-{province.lower()}", discipline))
    for city, province, area in (
        Specialty.objects.filter(therapists__is_published=True, body_areas__isnull=False)
        .values_list("therapists__locations__city", "therapists__locations__province", "body_areas__slug")
        .distinct()
    ):
        if city:
            pairs.add((f"{slugify(city)}-{province.lower()}", area))
    return pairs


def every_landing() -> list[Landing]:
    """Every landing page with listings, for the sitemap: cities busiest first."""
    pairs = covered()
    return [
        Landing(city, topic)
        for slug, city in cities().items()
        for topic in TOPICS
        if (slug, topic.key) in pairs
    ]


def find(city_slug: str, topic_slug: str) -> tuple[Landing | None, list[Landing], list[Landing]]:
    """The landing page at these slugs (None when it has no listings), its nearby cities
    on the same topic and the other topics in the same city: a fixed number of queries."""
    topic = TOPIC_BY_SLUG.get(topic_slug)
    known = cities()
    city = known.get(city_slug)
    if topic is None or city is None:
        return None, [], []
    pairs = covered()
    if (city.slug, topic.key) not in pairs:
        return None, [], []
    others = [c for c in known.values() if c.slug != city.slug and (c.slug, topic.key) in pairs]
    others.sort(key=lambda c: geo.great_circle_km(city.point, c.point))
    nearby = [Landing(c, topic) for c in others[:NEARBY_CITIES]]
    related = [Landing(city, t) for t in TOPICS if t is not topic and (city.slug, t.key) in pairs]
    return Landing(city, topic), nearby, related


def translated_url(landing: Landing, language: str) -> str:
    with override(language):
        return landing.get_absolute_url()
