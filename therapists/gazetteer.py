"""Resolve what a patient types ("Winnipeg", "Quebec City", "St. Vital, Winnipeg",
"Toronto ON M5V", "R3C 4T3") to a Place.

Everything resolves from our own Place and PlaceName tables (built offline, see
`build_gazetteer`): no network geocoder at run time. A name is looked up among the
names of cities, towns, neighbourhoods and boroughs and their other names in one
indexed query; a qualifier ("St. Boniface, Winnipeg", "London ON") narrows; a bare
name picks the most populous place and offers the others.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import F, Q
from django.utils.translation import override

from therapists import geo
from therapists.models import Place, PlaceKind, PlaceName, Province

# Province names and abbreviations a person might type after a comma, normalized.
_PROVINCE_ALIASES = {
    "alta": "AB",
    "bc": "BC",
    "b c": "BC",
    "man": "MB",
    "nfld": "NL",
    "nf": "NL",
    "nwt": "NT",
    "ont": "ON",
    "pei": "PE",
    "p e i": "PE",
    "que": "QC",
    "pq": "QC",
    "quebec": "QC",
    "sask": "SK",
    "yukon": "YT",
    "yk": "YT",
    # The French names, whatever the page's language ("Moncton, Nouveau-Brunswick").
    "colombie britannique": "BC",
    "nouveau brunswick": "NB",
    "terre neuve et labrador": "NL",
    "terre neuve": "NL",
    "nouvelle ecosse": "NS",
    "territoires du nord ouest": "NT",
    "ile du prince edouard": "PE",
    "ipe": "PE",
    "i p e": "PE",
}
_WORD_ALIASES = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}
MAX_QUERY_LENGTH = 120
# A place found by one of its other names ranks as if half as populous as one found
# by its own name, so an old or foreign name never hides a real town called that.
OTHER_NAME_WEIGHT = 0.5
# "Kanata, Ottawa": a place counts as in the qualifying city within this many km of it.
QUALIFIER_REACH_KM = 40
# Close spellings: offered from this similarity (0-1), taken as meant from the next.
SUGGEST_CUTOFF = 0.75
CORRECT_CUTOFF = 0.8
# A postal code at the end of the text, whole or partial: "Toronto ON M5V", "R3C4", "r3c 4t3".
POSTAL_AT_END_RE = re.compile(
    r"(?:^|[\s,])([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z])(?:[\s-]*\d(?:[ABCEGHJ-NPRSTV-Z]\d?)?)?\s*$", re.I
)
_COUNTRY_RE = re.compile(r"[\s,]*\bcanada\s*$", re.I)


def normalize(text: str) -> str:
    """Case-folded, accent-free words: "Saint-Jérôme" and "st jerome" both give "saint jerome"."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"['’`]", "", text)  # "St. John's" -> "st johns"
    words = re.sub(r"[^\w]+|_", " ", text).split()
    return " ".join(_WORD_ALIASES.get(word, word) for word in words)


def province_code(text: str) -> str | None:
    """ "mb", "Manitoba", "Qué." -> the two-letter code, or None."""
    key = normalize(text)
    with override("en"):  # the English names; French ones are among the aliases
        for code, label in Province.choices:
            if key in (code.lower(), normalize(str(label))):
                return code
    return _PROVINCE_ALIASES.get(key)


@dataclass
class PlaceMatch:
    """The outcome of resolving a typed place.

    `place` is the best match (None when nothing matched); `alternatives` are other
    places of that name, most populous first; `suggestions` are close spellings (or
    the same name elsewhere) when nothing matched. `corrected` is True when `place`
    was taken from a close spelling ("Winipeg").
    """

    query: str
    place: Place | None = None
    alternatives: list[Place] = field(default_factory=list)
    suggestions: list[Place] = field(default_factory=list)
    corrected: bool = False


@dataclass
class _Reading:
    """One way to read the text: a name, maybe a province, maybe a city it is in."""

    name: str
    province: str | None = None
    qualifier: str | None = None


def _readings(query: str) -> list[_Reading]:
    """Ways to read what was typed, most specific first: "St. Boniface, Winnipeg, MB",
    "London ON" as (name, province), then the whole text as a name (some names end
    in a word like "Man")."""
    parts = [part.strip() for part in query.split(",") if part.strip()]
    if not parts:
        return []
    province = province_code(parts[-1]) if len(parts) > 1 else None
    if province:
        parts = parts[:-1]
    if len(parts) > 1:
        return [_Reading(parts[0], province, parts[1]), _Reading(parts[0], province)]
    readings = []
    words = parts[0].split()
    if province is None:
        for size in (3, 2, 1):  # "Prince Edward Island", "British Columbia", "MB"
            if len(words) > size:
                code = province_code(" ".join(words[-size:]))
                if code:
                    readings.append(_Reading(" ".join(words[:-size]), code))
                    words = words[:-size]
                    break
    readings.append(_Reading(parts[0], province))
    # "St. Boniface Winnipeg": the last word or two may name the city.
    for size in (1, 2):
        if len(words) > size:
            readings.append(_Reading(" ".join(words[:-size]), province, " ".join(words[-size:])))
    return readings


def _named(key: str) -> list[Place]:
    """Cities, towns and city parts called `key` (normalized) by their own name or
    another, most likely first (see OTHER_NAME_WEIGHT). One query on two indexes."""
    if not key:
        return []
    other_names = PlaceName.objects.filter(search_name=key).values("place")
    places = list(Place.objects.filter(Q(search_name=key) | Q(pk__in=other_names)).order_by())
    for place in places:
        place.weight = (place.population or 0) * (1 if place.search_name == key else OTHER_NAME_WEIGHT)
    named = [place for place in places if place.kind != PlaceKind.FSA]
    return sorted(named, key=lambda place: (-place.weight, place.code))


def _in_city(places: list[Place], qualifier: str) -> list[Place]:
    """The places that are in (or within QUALIFIER_REACH_KM of) the city `qualifier` names."""
    cities = [place for place in _named(normalize(qualifier)) if place.kind == PlaceKind.CITY]
    names = {normalize(qualifier)} | {city.search_name for city in cities}
    return [
        place
        for place in places
        if (place.kind == PlaceKind.AREA and normalize(place.description) in names)
        or any(
            geo.distance_km(place.point, city.point) <= QUALIFIER_REACH_KM and place.pk != city.pk
            for city in cities
        )
    ]


def resolve(query: str) -> PlaceMatch:
    """Resolve a city, town, neighbourhood or borough (by any of its names, with a
    province or city after it), an FSA or a postal code, whole or partial, to a Place.

    A postal code anywhere at the end wins ("Toronto ON M5V"). An ambiguous name picks
    the most likely place and lists the others; a name only found elsewhere lists
    those places; an unknown one takes a very close spelling or lists close ones.
    """
    query = (query or "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
    match = PlaceMatch(query=query)
    text = _COUNTRY_RE.sub("", query).strip(" ,") or query
    if not text:
        return match

    postal = POSTAL_AT_END_RE.search(text)
    if postal:
        fsa = postal.group(1).lower()
        areas = Place.objects.filter(search_name=fsa).order_by()  # the search_name index
        match.place = next((place for place in areas if place.kind == PlaceKind.FSA), None)
        rest = text[: postal.start()].strip(" ,")
        if match.place is not None or not rest:
            return match
        text = rest

    elsewhere: list[Place] = []
    for reading in _readings(text):
        places = _named(normalize(reading.name))
        if reading.province:
            in_province = [place for place in places if place.province == reading.province]
            elsewhere = elsewhere or [place for place in places if place.province != reading.province]
            places = in_province
        if reading.qualifier and places:
            places = _in_city(places, reading.qualifier)
        if places:
            match.place, match.alternatives = places[0], places[1:]
            return match

    key = normalize(_readings(text)[0].name)
    if key.startswith("downtown ") or key.endswith(" downtown"):
        # "downtown Regina": a city's own point is its centre.
        downtown = lookup(key.removeprefix("downtown ").removesuffix(" downtown"))
        if downtown is not None:
            match.place = downtown
            return match
    if elsewhere:
        match.suggestions = elsewhere[:5]
        return match
    first = _readings(text)[0]
    if first.qualifier:
        # "123 Main Street, Winnipeg": an address or a place we do not know, in a city we do.
        cities = [place for place in _named(normalize(first.qualifier)) if place.kind == PlaceKind.CITY]
        cities = [city for city in cities if first.province in (None, city.province)]
        if cities:
            match.place, match.corrected = cities[0], True
            return match
    close = [(place, ratio) for place, ratio in _close_spellings(normalize(first.name))]
    if first.province:
        close = [(place, ratio) for place, ratio in close if place.province == first.province]
    if close and close[0][1] >= CORRECT_CUTOFF:
        match.place, match.corrected = close[0][0], True
        match.alternatives = [place for place, _ in close[1:]]
        return match
    match.suggestions = [place for place, _ in close]
    return match


def lookup(query: str) -> Place | None:
    """The best Place for what was typed, or None; never a guess from a close spelling,
    so an address (see `geocoding.locate`) is placed only where it says."""
    match = resolve(query)
    return None if match.corrected else match.place


def _close_spellings(key: str, limit: int = 5) -> list[tuple[Place, float]]:
    """Places named close to `key` (normalized), with how close (0-1), closest first."""
    if not key or len(key) > 60:
        return []
    names = set(Place.objects.exclude(kind=PlaceKind.FSA).values_list("search_name", flat=True))
    names |= set(PlaceName.objects.values_list("search_name", flat=True))
    close = difflib.get_close_matches(key, names, n=limit, cutoff=SUGGEST_CUTOFF)
    found: dict[int, tuple[Place, float]] = {}
    for name in close:
        ratio = difflib.SequenceMatcher(None, key, name).ratio()
        for place in _named(name):
            if place.pk not in found:
                found[place.pk] = (place, ratio)
    return sorted(found.values(), key=lambda item: (-item[1], -item[0].weight))[:limit]


def suggest(key: str, limit: int = 5) -> list[Place]:
    """Places whose names are spelled close to `key` (already normalized), closest first."""
    return [place for place, _ in _close_spellings(key, limit)]


def province_at(point: geo.Point) -> str | None:
    """The province of the postal-code area whose centre is nearest `point` ("Use my
    location" names no place), or None when no FSA is within 300 km (at sea, abroad).

    Reads the FSA centres (some 1,650 rows) once per call: only a search with no one
    within reach asks.
    """
    nearest = min(
        Place.objects.filter(kind=PlaceKind.FSA).order_by().values_list("latitude", "longitude", "province"),
        key=lambda row: geo.great_circle_km(point, geo.Point(row[0], row[1])),
        default=None,
    )
    if nearest is None or geo.great_circle_km(point, geo.Point(nearest[0], nearest[1])) > 300:
        return None
    return nearest[2]


def label(place: Place) -> str:
    """How a heading names a place: "Winnipeg, MB", "St. Vital, Winnipeg, MB", and a
    postal-code area plainly, with two of the neighbourhoods it covers:
    "R3C, Winnipeg (Broadway, The Forks)"."""
    if place.kind != PlaceKind.FSA or not place.description:
        return str(place)
    area, _, inside = place.description.partition(" (")
    parts = [part.strip() for part in inside.rstrip(")").split("/") if part.strip()]
    if parts:
        area = f"{area} ({', '.join(parts[:2])})"
    return f"{place.name}, {area}"


def starting_with(text: str, limit: int = 8) -> list[Place]:
    """The `limit` places whose names (their own or another) start with `text` ("win"
    -> Winnipeg, Windsor...; "quebec c" -> Québec), most populous first, then
    postal-code areas, for a type-ahead; a whole postal code gives its area.

    Ranges on `search_name` (the `place_search_name` and `place_name_search_name`
    indexes) find the prefix without reading every name; `startswith` keeps it exact
    under any collation.
    """
    text = (text or "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
    postal = geo.parse_postal_code(text)
    key = postal[0].lower() if postal else normalize(text)
    if not key:
        return []
    after = key[:-1] + chr(ord(key[-1]) + 1)
    prefix = Q(search_name__gte=key, search_name__lt=after, search_name__startswith=key)
    other_names = PlaceName.objects.filter(prefix).values("place")
    places = Place.objects.filter(prefix | Q(pk__in=other_names))
    return list(places.order_by(F("population").desc(nulls_last=True), "search_name", "province")[:limit])
