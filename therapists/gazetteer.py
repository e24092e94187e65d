"""Resolve what a patient types ("Winnipeg", "montreal, qc", "R3C 4T3") to a Place.

Everything resolves from our own Place table: no network geocoder at run time.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import F

from therapists import geo
from therapists.models import Place, PlaceKind, Province

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
}
_WORD_ALIASES = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}
MAX_QUERY_LENGTH = 120


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
    for code, label in Province.choices:
        if key in (code.lower(), normalize(label)):
            return code
    return _PROVINCE_ALIASES.get(key)


@dataclass
class PlaceMatch:
    """The outcome of resolving a typed place.

    `place` is the best match (None when nothing matched); `alternatives` are other
    places with the same name, most populous first; `suggestions` are close
    spellings when nothing matched.
    """

    query: str
    place: Place | None = None
    alternatives: list[Place] = field(default_factory=list)
    suggestions: list[Place] = field(default_factory=list)


def _readings(query: str):
    """Ways to read what was typed: "Winnipeg, MB" or "London ON" as (name, province),
    then the whole text as a name (some names end in a word like "Man")."""
    if "," in query:
        name, _, tail = query.rpartition(",")
        code = province_code(tail)
        if code:
            yield name, code
    words = query.split()
    for size in (3, 2, 1):  # "Prince Edward Island", "British Columbia", "MB"
        if len(words) > size:
            code = province_code(" ".join(words[-size:]))
            if code:
                yield " ".join(words[:-size]), code
                break
    yield query, None


def resolve(query: str) -> PlaceMatch:
    """Resolve a city, "City, PROV", an FSA or a full postal code to a Place.

    An ambiguous name picks the most populous place and lists the others; an
    unknown one lists close spellings.
    """
    query = (query or "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
    match = PlaceMatch(query=query)
    if not query:
        return match

    postal = geo.parse_postal_code(query)
    if postal:
        match.place = Place.objects.filter(kind=PlaceKind.FSA, name=postal[0]).first()
        return match

    for name, province in _readings(query):
        key = normalize(name)
        if not key:
            continue
        candidates = Place.objects.filter(kind=PlaceKind.CITY, search_name=key)
        if province:
            candidates = candidates.filter(province=province)
        places = list(candidates.order_by("-population", "code"))
        if places:
            match.place, match.alternatives = places[0], places[1:]
            return match
    match.suggestions = suggest(normalize(next(_readings(query))[0]))
    return match


def lookup(query: str) -> Place | None:
    """The best Place for what was typed, or None."""
    return resolve(query).place


def suggest(key: str, limit: int = 5) -> list[Place]:
    """Places whose names are spelled close to `key` (already normalized), biggest first."""
    names = Place.objects.filter(kind=PlaceKind.CITY).values_list("search_name", flat=True).distinct()
    close = difflib.get_close_matches(key, list(names), n=limit, cutoff=0.75)
    if not close:
        return []
    places = Place.objects.filter(kind=PlaceKind.CITY, search_name__in=close).order_by("-population", "code")
    return list(places[:limit])


def starting_with(text: str, limit: int = 8) -> list[Place]:
    """The `limit` places whose names start with `text` ("win" -> Winnipeg, Windsor...),
    most populous first, then postal-code areas, for a type-ahead; a whole postal
    code gives its area.

    A range on `search_name` (the `place_search_name` index) finds the prefix
    without reading every place; `startswith` keeps it exact under any collation.
    """
    text = (text or "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
    postal = geo.parse_postal_code(text)
    key = postal[0].lower() if postal else normalize(text)
    if not key:
        return []
    after = key[:-1] + chr(ord(key[-1]) + 1)
    places = Place.objects.filter(search_name__gte=key, search_name__lt=after, search_name__startswith=key)
    return list(places.order_by(F("population").desc(nulls_last=True), "search_name", "province")[:limit])
