"""The patient search behind `GET /search/`: a django-filter FilterSet plus ranking.

Every search is a shareable URL. Filters combine with AND across facets and OR
within one (`discipline=massage&discipline=physiotherapy`). Bad input never
fails the page: a field that does not validate is left out of the search and
its message is shown, and text is cleaned before anything reaches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

import django_filters
from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Case, ExpressionWrapper, Q, When
from django.http import QueryDict

from therapists import gazetteer, geo
from therapists.models import BodyArea, Discipline, Language, Location, PlaceKind, Specialty, Therapist

DEFAULT_RADIUS_KM = 25
MIN_RADIUS_KM = 1
MAX_RADIUS_KM = 500
RADIUS_CHOICES_KM = [5, 10, 25, 50, 100, 250, 500]
PER_PAGE = 20
# Longest value kept from any query parameter (characters); the rest is cut off.
MAX_PARAMETER_LENGTH = 200
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
    distance_km: float | None = None
    beyond_radius: bool = False


@dataclass
class Chip:
    """An active filter, with the URL of the same search without it."""

    label: str
    remove_url: str


@dataclass
class SearchResults:
    page: Page
    results: list[Result]
    # Therapists that match: within the radius when there is an origin.
    count: int
    origin: Origin | None
    radius_km: float
    place_match: gazetteer.PlaceMatch | None
    messages: list[str] = field(default_factory=list)

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
        self.form.fields["language"].widget.choices = [
            ("", "Any language"),
            *((lang.code, lang.name) for lang in self.form.fields["language"].queryset),
        ]

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


def _page_number(raw: str | None, num_pages: int) -> tuple[int, list[str]]:
    if not raw:
        return 1, []
    try:
        number = int(raw)
    except ValueError:
        return 1, ["The page number was not a number, so here is the first page."]
    if number < 1:
        return 1, ["Pages start at 1, so here is the first page."]
    if number > num_pages:
        pages = "is only 1 page" if num_pages == 1 else f"are only {num_pages} pages"
        return num_pages, [f"There {pages} of results, so here is the last one."]
    return number, []


def search(data: QueryDict | None, page: str | None = None) -> tuple[TherapistFilter, SearchResults]:
    """Run a patient search from query parameters: the FilterSet for the form, and one page of results.

    A results page costs the same number of queries however many therapists match:
    a count, the page's therapists (with their discipline), their languages and
    their locations with clinics, plus resolving the place and the form's choices.
    """
    filterset = TherapistFilter(data, queryset=Therapist.objects.published())
    therapists = filterset.qs.select_related("discipline").prefetch_related("languages")
    locations = filterset.matching_locations()
    radius, radius_messages = filterset.radius_km()
    origin, place_match, origin_messages = filterset.origin()
    messages = [*filterset.notices, *filterset.error_messages(), *radius_messages, *origin_messages]

    by_name = ("last_name", "first_name", "pk")
    if origin is not None:
        chord = geo.chord_for_distance_km(radius)
        nearby = therapists.near(origin.point, MAX_RADIUS_KM, locations).annotate(
            beyond=ExpressionWrapper(Q(chord_sq__gt=chord * chord), output_field=BooleanField())
        )
        within = nearby.filter(beyond=False)
        if filterset.value("sort") == "name":
            within = within.order_by(*by_name)
        paginator = Paginator(within, PER_PAGE)
        number, page_messages = _page_number(page, paginator.num_pages)
        messages += page_messages
        if paginator.count < PER_PAGE:
            # Too few within the radius to fill a page: add the nearest beyond it.
            # Still one query: those within come first, in the order asked for.
            if filterset.value("sort") == "name":
                order = ("beyond", Case(When(beyond=True, then="chord_sq")), *by_name)
            else:
                order = ("beyond", "chord_sq", "pk")
            rows = list(nearby.order_by(*order)[:PER_PAGE])
            page_obj = paginator.page(1)
        else:
            page_obj = paginator.page(number)
            rows = list(page_obj.object_list)
    elif filterset.wants_a_place():
        # The place could not be found or the coordinates were unusable: say so
        # rather than list the whole country as if it were nearby.
        paginator = Paginator(therapists.none(), PER_PAGE)
        page_obj, rows = paginator.page(1), []
    else:
        paginator = Paginator(therapists.practising_at(locations), PER_PAGE)
        number, page_messages = _page_number(page, paginator.num_pages)
        messages += page_messages
        page_obj = paginator.page(number)
        rows = list(page_obj.object_list)

    shown_locations = Location.objects.select_related("clinic").in_bulk([row.location_id for row in rows])
    results = []
    for therapist in rows:
        location = shown_locations[therapist.location_id]
        result = Result(therapist, location)
        if origin is not None:
            result.distance_km = geo.distance_km(origin.point, location.point)
            result.beyond_radius = therapist.beyond
        results.append(result)
    return filterset, SearchResults(
        page=page_obj,
        results=results,
        count=paginator.count,
        origin=origin,
        radius_km=radius,
        place_match=place_match,
        messages=messages,
    )
