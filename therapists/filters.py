"""The patient search behind `GET /search/`: a django-filter FilterSet plus ranking.

Every search is a shareable URL. Filters combine with AND across facets and OR
within one (`discipline=massage&discipline=physiotherapy`). Bad input never
fails the page: a field that does not validate is left out of the search and
its message is shown, and text is cleaned before anything reaches the database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import urlencode

import django_filters
from django import forms
from django.db.models import F
from django.http import QueryDict
from django.urls import reverse

from therapists import gazetteer, geo
from therapists.models import (
    BodyArea,
    ChordSquared,
    Discipline,
    Language,
    Location,
    PlaceKind,
    Ranked,
    Specialty,
    Therapist,
)

DEFAULT_RADIUS_KM = 25
MIN_RADIUS_KM = 1
MAX_RADIUS_KM = 500
RADIUS_CHOICES_KM = [5, 10, 25, 50, 100, 250, 500]
PER_PAGE = 20
# Deeper pages are refused: nobody reads a thousand therapists, and each page
# costs more than the one before it.
MAX_PAGES = 50
# Longest value kept from any query parameter (characters); the rest is cut off.
MAX_PARAMETER_LENGTH = 200
SLUG_MARK = "slug-mark"  # stands for a slug in a reversed URL
TRUE_VALUES = {"1", "true", "on", "yes"}


class FlagInput(forms.CheckboxInput):
    """A checkbox sent as `name=1`; "1", "true", "on" or "yes" mean yes, anything else no."""

    def __init__(self):
        super().__init__(attrs={"value": "1"})

    def value_from_datadict(self, data, files, name):
        return str(data.get(name, "")).strip().lower() in TRUE_VALUES


class SelectOne(forms.Select):
    """A single-choice list that feeds a multiple-choice field, so `language=fr`
    and `language=fr&language=pa` (a shared URL) both work."""

    def value_from_datadict(self, data, files, name):
        return [value for value in data.getlist(name) if value] if hasattr(data, "getlist") else []


class FloatFilter(django_filters.Filter):
    field_class = forms.FloatField


def _ignored(kind: str) -> dict[str, str]:
    return {
        "invalid_choice": f"We don't know the {kind} “%(value)s”, so it was left out of the search.",
        "invalid_pk_value": f"We don't know the {kind} “%(pk)s”, so it was left out of the search.",
    }


def _coordinate(name: str, limit: int) -> FloatFilter:
    message = f"{name} must be a number from -{limit} to {limit}."
    return FloatFilter(
        method="apply_later",
        label=name,
        min_value=-limit,
        max_value=limit,
        widget=forms.HiddenInput,
        error_messages={"invalid": message, "min_value": message, "max_value": message},
    )


@dataclass
class Origin:
    """Where distances are measured from, and how to name it to the patient."""

    point: geo.Point
    label: str


@dataclass
class Result:
    """One therapist in the results, at the location they were ranked by."""

    therapist: Therapist
    location: Location
    url: str = ""  # the therapist's profile
    clinic_url: str = ""
    languages: list[str] = field(default_factory=list)  # names, alphabetical
    distance_km: float | None = None
    beyond_radius: bool = False


@dataclass
class Chip:
    """An active filter, with the URL of the same search without it."""

    label: str
    remove_url: str


@dataclass
class SearchResults:
    page: PageInfo
    results: list[Result]
    # Therapists that match (within the radius when there is an origin), counted
    # up to the end of this page: when `count_is_capped` there are more than `count`.
    count: int
    origin: Origin | None
    radius_km: float
    place_match: gazetteer.PlaceMatch | None
    messages: list[str] = field(default_factory=list)

    @property
    def count_is_capped(self) -> bool:
        return self.page.has_next

    @property
    def within(self) -> list[Result]:
        return [result for result in self.results if not result.beyond_radius]

    @property
    def beyond(self) -> list[Result]:
        return [result for result in self.results if result.beyond_radius]


def clean_query(data: QueryDict) -> tuple[QueryDict, list[str]]:
    """A copy of the query without blank values, NUL characters or overlong values.

    PostgreSQL rejects NUL in text, and nothing a patient types needs more than
    200 characters. Returns the copy and messages about what was changed.
    """
    cleaned = QueryDict(mutable=True)
    messages = []
    for key, values in data.lists():
        key = key.replace("\x00", "")[:MAX_PARAMETER_LENGTH]
        kept = []
        for value in values:
            value = value.replace("\x00", "")
            if len(value) > MAX_PARAMETER_LENGTH:
                value = value[:MAX_PARAMETER_LENGTH]
                messages.append(f"Your {key} was shortened to {MAX_PARAMETER_LENGTH} characters.")
            if value.strip():  # a blank "Any kind" option means no filter
                kept.append(value)
        if kept:
            cleaned.setlist(key, kept)
    return cleaned, messages


class TherapistFilter(django_filters.FilterSet):
    where = django_filters.CharFilter(method="apply_later", label="City or postal code")
    lat = _coordinate("Latitude", 90)
    lng = _coordinate("Longitude", 180)
    discipline = django_filters.ModelMultipleChoiceFilter(
        queryset=Discipline.objects.all(),
        to_field_name="slug",
        method="filter_disciplines",
        label="Kind of therapist",
        widget=forms.CheckboxSelectMultiple,
        error_messages=_ignored("kind of therapist"),
    )
    area = django_filters.ModelMultipleChoiceFilter(
        queryset=BodyArea.objects.all(),
        to_field_name="slug",
        method="filter_areas",
        label="What hurts",
        widget=forms.CheckboxSelectMultiple,
        error_messages=_ignored("body area"),
    )
    specialty = django_filters.ModelMultipleChoiceFilter(
        queryset=Specialty.objects.all(),
        to_field_name="slug",
        method="filter_specialties",
        label="Specialty",
        widget=forms.CheckboxSelectMultiple,
        error_messages=_ignored("specialty"),
    )
    language = django_filters.ModelMultipleChoiceFilter(
        queryset=Language.objects.all(),
        to_field_name="code",
        method="filter_languages",
        label="Language",
        widget=SelectOne(choices=[("", "Any language")]),
        error_messages=_ignored("language"),
    )
    q = django_filters.CharFilter(method="filter_text", label="Name, clinic or specialty")
    new_patients = django_filters.BooleanFilter(
        method="filter_new_patients", label="Accepting new patients", widget=FlagInput()
    )
    virtual = django_filters.BooleanFilter(
        method="filter_virtual", label="Offers virtual care", widget=FlagInput()
    )
    direct_billing = django_filters.BooleanFilter(
        method="apply_later", label="Bills my insurer directly", widget=FlagInput()
    )
    accessible = django_filters.BooleanFilter(
        method="apply_later", label="Wheelchair accessible", widget=FlagInput()
    )
    radius = FloatFilter(
        method="apply_later",
        label="Within",
        widget=forms.Select(choices=[(km, f"{km} km") for km in RADIUS_CHOICES_KM]),
        error_messages={"invalid": f"The distance must be a number of km; showing {DEFAULT_RADIUS_KM} km."},
    )
    sort = django_filters.ChoiceFilter(
        method="apply_later",
        label="Sort by",
        choices=[("distance", "Distance"), ("name", "Name")],
        empty_label=None,
        error_messages={"invalid_choice": "Results can be sorted by distance or name only."},
    )

    class Meta:
        model = Therapist
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        self.notices: list[str] = []
        if data is not None:
            data, self.notices = clean_query(data)
        super().__init__(data, *args, **kwargs)

    # Therapist-level filters, applied by FilterSet.filter_queryset. An empty
    # multiple choice arrives as an empty QuerySet, which django-filter does not
    # treat as "no value", hence the `if value` in each.

    def filter_disciplines(self, queryset, name, value):
        return queryset.in_disciplines(value) if value else queryset

    def filter_areas(self, queryset, name, value):
        return queryset.treating(value) if value else queryset

    def filter_specialties(self, queryset, name, value):
        return queryset.with_specialties(value) if value else queryset

    def filter_languages(self, queryset, name, value):
        return queryset.speaking(value) if value else queryset

    def filter_text(self, queryset, name, value):
        return queryset.matching(value) if value else queryset

    def filter_new_patients(self, queryset, name, value):
        return queryset.accepting_new_patients() if value else queryset

    def filter_virtual(self, queryset, name, value):
        return queryset.offering_virtual_care() if value else queryset

    def apply_later(self, queryset, name, value):
        """Location-level filters and the origin choose which location each therapist
        is ranked by, so `search()` applies them after the therapist-level ones."""
        return queryset

    # What the search needs beyond the therapist-level filters.

    def value(self, name):
        if not self.is_bound:
            return None
        self.errors  # validates the form  # noqa: B018
        return self.form.cleaned_data.get(name)

    def matching_locations(self):
        """The locations a therapist may be found at, given the location-level filters."""
        locations = Location.objects.all()
        if self.value("accessible"):
            locations = locations.wheelchair_accessible()
        if self.value("direct_billing"):
            locations = locations.direct_billing()
        return locations

    def radius_km(self) -> tuple[float, list[str]]:
        radius = self.value("radius")
        if radius is None:
            return DEFAULT_RADIUS_KM, []
        clamped = min(max(radius, MIN_RADIUS_KM), MAX_RADIUS_KM)
        if clamped != radius:
            return clamped, [
                f"The distance must be from {MIN_RADIUS_KM} to {MAX_RADIUS_KM} km; showing {clamped:g} km."
            ]
        return radius, []

    def origin(self) -> tuple[Origin | None, gazetteer.PlaceMatch | None, list[str]]:
        """Where to measure from: the place typed, else coordinates ("Use my location").

        A typed place wins so that someone who arrived from a "near me" link can
        type a city and be taken there; the location button empties the box.
        """
        where = (self.value("where") or "").strip()
        if where:
            match = gazetteer.resolve(where)
            if match.place is None:
                return None, match, []
            place = match.place
            label = str(place)
            if place.kind == PlaceKind.FSA and place.description:
                label = f"{place.name} ({place.description}, {place.province})"
            return Origin(place.point, label), match, []
        lat, lng = self.value("lat"), self.value("lng")
        if lat is not None and lng is not None:
            return Origin(geo.Point(lat, lng), "your location"), None, []
        given = [name for name in ("lat", "lng") if self.is_bound and self.data.get(name, "").strip()]
        if len(given) == 1:
            return None, None, ["Both latitude and longitude are needed to search near a point."]
        return None, None, []

    def wants_a_place(self) -> bool:
        """True when the patient tried to say where they are (a place or coordinates)."""
        return bool(
            self.is_bound and any(self.data.get(name, "").strip() for name in ("where", "lat", "lng"))
        )

    def error_messages(self) -> list[str]:
        if not self.is_bound:
            return []
        return [message for errors in self.form.errors.values() for message in errors]

    def chips(self) -> list[Chip]:
        """The active filters, each with a link that removes it."""
        if not self.is_bound:
            return []
        data = self.form.cleaned_data
        chips = []
        for name in ("discipline", "area", "specialty", "language"):
            for obj in data.get(name) or []:
                value = obj.code if name == "language" else obj.slug
                label = f"Speaks {obj.name}" if name == "language" else str(obj)
                chips.append(Chip(label, self._url_without(name, value)))
        for name in ("new_patients", "virtual", "direct_billing", "accessible"):
            if data.get(name):
                chips.append(Chip(str(self.filters[name].label), self._url_without(name)))
        if data.get("q"):
            chips.append(Chip(f"Matching “{data['q']}”", self._url_without("q")))
        return chips

    def _url_without(self, name: str, value: str | None = None) -> str:
        pairs = [
            (key, item)
            for key, items in self.data.lists()
            if key != "page"
            for item in items
            if not (key == name and (value is None or item == value))
        ]
        return "?" + urlencode(pairs)


def _page_number(raw: str | None) -> tuple[int, list[str]]:
    if not raw:
        return 1, []
    try:
        number = int(raw)
    except ValueError:
        return 1, ["The page number was not a number, so here is the first page."]
    if number < 1:
        return 1, ["Pages start at 1, so here is the first page."]
    return number, []


@dataclass
class PageInfo:
    """One page of results, found without counting every match (see `search`)."""

    number: int
    has_next: bool

    @property
    def last(self) -> int | None:
        """The number of pages, known only on the last one (None before it)."""
        return None if self.has_next else self.number

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _row_window(rows: list, number: int) -> tuple[int, list, list[str]]:
    """The page `number` of `rows`, or the last page that has rows when there is none."""
    last = max(1, math.ceil(len(rows) / PER_PAGE))
    if number > last:
        pages = "is only 1 page" if last == 1 else f"are only {last} pages"
        return last, rows[(last - 1) * PER_PAGE :], [f"There {pages} of results, so here is the last one."]
    offset = (number - 1) * PER_PAGE
    return number, rows[offset : offset + PER_PAGE], []


def search(data: QueryDict | None, page: str | None = None) -> tuple[TherapistFilter, SearchResults]:
    """Run a patient search from query parameters: the FilterSet for the form, and one page of results.

    Matches are never all counted: each search asks for one row more than it
    shows, so the page knows whether another follows. The count is exact on the
    last page and "N+" before it. Near a place, the nearest are found by
    `TherapistQuerySet.nearest`, which reads only the rows near the origin. A page
    costs a bounded number of queries however many match.
    """
    filterset = TherapistFilter(data, queryset=Therapist.objects.published())
    therapists = filterset.qs
    locations = filterset.matching_locations()
    radius, radius_messages = filterset.radius_km()
    origin, place_match, origin_messages = filterset.origin()
    requested, page_messages = _page_number(page)
    number = min(requested, MAX_PAGES)
    messages = [*filterset.notices, *filterset.error_messages(), *radius_messages, *origin_messages]
    wanted = number * PER_PAGE + 1
    by_name = filterset.value("sort") == "name"

    beyond: list[Ranked] = []
    if origin is not None:
        if by_name:
            rows = [
                Ranked(*row) for row in therapists.by_name_within(origin.point, radius, locations)[:wanted]
            ]
        else:
            rows = therapists.nearest(origin.point, wanted, radius, locations)
        number, page_rows, window_messages = _row_window(rows, number)
        if len(rows) < PER_PAGE:
            # Too few within the radius to fill a page: add the nearest beyond it.
            shown_ids = {row.therapist_id for row in rows}
            nearest = therapists.nearest(origin.point, PER_PAGE, MAX_RADIUS_KM, locations, start_km=radius)
            beyond = [row for row in nearest if row.therapist_id not in shown_ids][: PER_PAGE - len(rows)]
        located = _nearest_locations([*page_rows, *beyond], origin.point, locations)
    elif filterset.wants_a_place():
        # The place could not be found or the coordinates were unusable: say so
        # rather than list the whole country as if it were nearby.
        rows, page_rows, window_messages, located = [], [], [], {}
    else:
        listed = therapists.practising_at(locations).values_list("pk", "location_id")[:wanted]
        rows, location_ids = [], {}
        for pk, location_id in listed:
            rows.append(Ranked(pk, None))
            location_ids[pk] = location_id
        number, page_rows, window_messages = _row_window(rows, number)
        shown = Location.objects.select_related("clinic").in_bulk(
            [location_ids[r.therapist_id] for r in page_rows]
        )
        located = {row.therapist_id: shown[location_ids[row.therapist_id]] for row in page_rows}
    messages += [*page_messages, *window_messages]
    if requested > number == MAX_PAGES:
        messages.append(
            f"Only the first {MAX_PAGES} pages can be shown, so here is page {MAX_PAGES}. "
            "A filter or a smaller distance narrows the search."
        )

    results = _results([*page_rows, *beyond], located, origin, radius, len(page_rows))
    return filterset, SearchResults(
        page=PageInfo(number, has_next=len(rows) > number * PER_PAGE),
        results=results,
        count=min(len(rows), number * PER_PAGE),
        origin=origin,
        radius_km=radius,
        place_match=place_match,
        messages=messages,
    )


def _nearest_locations(rows: list[Ranked], origin: geo.Point, locations) -> dict[int, Location]:
    """Each ranked therapist's nearest location among `locations` (ties: lowest id), with its clinic.

    One query: the candidates are the therapists' locations no farther than the
    farthest of them was ranked at, with their chords computed as the ranking did.
    """
    if not rows:
        return {}
    farthest = max(row.chord_sq for row in rows)
    candidates = (
        locations.filter(therapists__in=[row.therapist_id for row in rows])
        .annotate(chord_sq=ChordSquared(origin), therapist_id=F("therapists"))
        .filter(chord_sq__lte=farthest)
        .select_related("clinic")
        .order_by()
    )
    nearest: dict[int, Location] = {}
    for location in candidates:
        best = nearest.get(location.therapist_id)
        if best is None or (location.chord_sq, location.pk) < (best.chord_sq, best.pk):
            nearest[location.therapist_id] = location
    return nearest


def _results(
    rows: list[Ranked], located: dict[int, Location], origin: Origin | None, radius: float, within: int
) -> list[Result]:
    """The page's therapists (with discipline and languages) at their locations, in `rows` order;
    rows after the first `within` are the nearest beyond the radius."""
    ids = [row.therapist_id for row in rows]
    therapists = Therapist.objects.select_related("discipline").in_bulk(ids)
    languages: dict[int, list[str]] = {pk: [] for pk in ids}
    speaks = Therapist.languages.through.objects.filter(therapist__in=ids).order_by("language__name")
    for pk, name in speaks.values_list("therapist_id", "language__name"):
        languages[pk].append(name)
    # One reverse() per kind of link rather than two per result (each costs ~0.06 ms);
    # slugs need no escaping in a path.
    profile_url = reverse("therapists:therapist-detail", args=[SLUG_MARK])
    clinic_url = reverse("therapists:clinic-detail", args=[SLUG_MARK])
    results = []
    for index, row in enumerate(rows):
        therapist, location = therapists[row.therapist_id], located[row.therapist_id]
        result = Result(
            therapist,
            location,
            url=profile_url.replace(SLUG_MARK, therapist.slug),
            clinic_url=clinic_url.replace(SLUG_MARK, location.clinic.slug),
            languages=languages[row.therapist_id],
            beyond_radius=index >= within,
        )
        if origin is not None:
            result.distance_km = geo.distance_km(origin.point, location.point)
        results.append(result)
    return results
