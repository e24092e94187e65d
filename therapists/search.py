"""The patient search: `find_therapists(params, page)` and what it returns.

The search page and the JSON API both call `find_therapists`, so they list the
same therapists in the same order. It reads the query through the search form
(`filters.TherapistFilter`), resolves where the patient is, ranks by distance
in the database, tops a thin page up with the nearest beyond the radius, and
builds one page of result rows.

Matches are never all counted: each search asks for one row more than it shows,
so the page knows whether another follows. The count is exact on the last page
and "N+" before it. Near a place, the nearest are found by
`TherapistQuerySet.nearest`, which reads only the rows near the origin. A page
costs a bounded number of queries however many match.
"""

from __future__ import annotations

import datetime
import functools
import math
import unicodedata
from dataclasses import dataclass, field

from django.db.models import F
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from booking import availability
from finder import metrics
from therapists import cards, catalogue, fees, gazetteer, geo, hours, photos
from therapists.filters import (
    DEFAULT_RADIUS_KM,
    MAX_RADIUS_KM,
    MIN_RADIUS_KM,
    Chip,
    TherapistFilter,
)
from therapists.models import (
    ChordSquared,
    Discipline,
    Fee,
    Language,
    Location,
    Payer,
    PayerKind,
    Place,
    Province,
    Ranked,
    Tag,
    Therapist,
)

CARD_PHOTO_PX = 80  # CSS pixels a card shows the headshot at

PER_PAGE = 20
# Beyond the radius, the nearest are offered up to this far (km): a therapist farther
# away is no longer "near", so the page says how far the nearest is and offers virtual
# care instead of listing people hundreds of kilometres away.
REACH_KM = 100
# How far to look for the nearest therapist when none is within reach (km): all of Canada.
FARTHEST_KM = 6000
# Deeper pages are refused: nobody reads a thousand therapists, and each page
# costs more than the one before it.
MAX_PAGES = 50
SLUG_MARK = "slug-mark"  # stands for a slug in a reversed URL


@dataclass
class Origin:
    """Where distances are measured from, and how to name it to the patient."""

    point: geo.Point
    label: str
    place: Place | None = None  # None for coordinates ("Use my location")


@dataclass
class Result:
    """One therapist in the results, at the location they were ranked by."""

    therapist: Therapist
    location: Location
    url: str = ""  # the therapist's profile, at this location
    clinic_url: str = ""
    languages: list[str] = field(default_factory=list)  # names, alphabetical
    distance_km: float | None = None
    beyond_radius: bool = False
    hours_now: hours.Status | None = None  # open or closed at the moment of the search
    fees: list[Fee] = field(default_factory=list)  # at this location's clinic, shortest first
    insurers: list[Payer] = field(default_factory=list)  # the clinic bills them directly
    programmes: list[Payer] = field(default_factory=list)  # the clinic accepts them
    tags: list[Tag] = field(default_factory=list)  # declared by the clinic, in list order
    booking_url: str = ""  # book online with the therapist at this location; empty when none

    @functools.cached_property
    def photo(self) -> photos.Picture | None:
        """The headshot's `<img>` attributes, or None (the card shows initials)."""
        return photos.picture(self.therapist.photo, photos.HEADSHOT, CARD_PHOTO_PX)

    # "Next available: Tue 4:30 pm" when the therapist takes online bookings there.
    next_available: availability.NextAvailable | None = None

    @functools.cached_property
    def fee(self) -> Fee | None:
        """The fee the card shows (see `fees.headline`)."""
        return fees.headline(self.fees)

    @functools.cached_property
    def fee_line(self) -> str:
        fee = self.fee
        return fees.fee_line(fee) if fee else ""


@dataclass
class PageInfo:
    """One page of results, found without counting every match."""

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


@dataclass
class Search:
    """One page of a patient search, with the form that read it."""

    filterset: TherapistFilter
    page: PageInfo
    results: list[Result]
    # Therapists that match (within the radius when there is an origin), counted
    # up to the end of this page: when `count_is_capped` there are more than `count`.
    count: int
    origin: Origin | None
    radius_km: float
    place_match: gazetteer.PlaceMatch | None
    messages: list[str] = field(default_factory=list)
    # When no one is within reach: the nearest who matches, however far, and the
    # therapists registered in the origin's province who offer virtual care.
    nearest_far: Result | None = None
    virtual_care: list[Result] = field(default_factory=list)
    province: str | None = None  # the origin's, when no one is within reach

    @property
    def province_name(self) -> str:
        return Province(self.province).label if self.province else ""

    @property
    def form(self):
        return self.filterset.form

    @property
    def chips(self) -> list[Chip]:
        return self.filterset.chips()

    @property
    def clear_filters_url(self) -> str:
        return self.filterset.clear_filters_url()

    @property
    def count_is_capped(self) -> bool:
        return self.page.has_next

    @property
    def within(self) -> list[Result]:
        return [result for result in self.results if not result.beyond_radius]

    @property
    def beyond(self) -> list[Result]:
        return [result for result in self.results if result.beyond_radius]


@metrics.SEARCH_SECONDS.time()
def find_therapists(params: QueryDict | None, page: str | None = None) -> Search:
    """Run a patient search from query parameters (those of `/search/`) for one page."""
    filterset = TherapistFilter(params)
    therapists = filterset.qs
    now = hours.current_time()
    locations = _matching_locations(filterset, now)
    if filterset.value("available"):
        therapists, locations = availability.with_free_time(therapists, locations, now)
    radius, radius_messages = _radius_km(filterset)
    origin, place_match, origin_messages = _origin(filterset)
    requested, page_messages = _page_number(page)
    number = min(requested, MAX_PAGES)
    messages = [*filterset.notices, *filterset.error_messages(), *radius_messages, *origin_messages]
    wanted = number * PER_PAGE + 1
    by_name = filterset.value("sort") == "name"
    soonest = filterset.value("sort") == "soonest"

    beyond: list[Ranked] = []
    far: list[Ranked] = []
    virtual_care: list[Result] = []
    province = None
    if origin is not None:
        if by_name:
            rows = therapists.by_name_within(origin.point, wanted, radius, locations)
        elif soonest:
            rows = availability.soonest_within(therapists, origin.point, wanted, radius, locations)
        else:
            rows = therapists.nearest(origin.point, wanted, radius, locations)
        number, page_rows, window_messages = _row_window(rows, number)
        if len(rows) < PER_PAGE and radius < REACH_KM:
            # Too few within the radius to fill a page: add the nearest beyond it, within reach.
            shown_ids = {row.therapist_id for row in rows}
            nearest = therapists.nearest(origin.point, PER_PAGE, REACH_KM, locations, start_km=radius)
            beyond = [row for row in nearest if row.therapist_id not in shown_ids][: PER_PAGE - len(rows)]
        if not rows and not beyond:
            start = max(radius, REACH_KM)
            far = therapists.nearest(origin.point, 1, max(FARTHEST_KM, start), locations, start_km=start)
            province = origin.place.province if origin.place else gazetteer.province_at(origin.point)
            virtual_care = _virtual_care(therapists, province) if province else []
        located = _nearest_locations([*page_rows, *beyond, *far], origin.point, locations)
    elif _wants_a_place(filterset):
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
            gettext(
                "Only the first %(pages)d pages can be shown, so here is page %(pages)d. "
                "A filter or a smaller distance narrows the search."
            )
            % {"pages": MAX_PAGES}
        )

    return Search(
        filterset=filterset,
        page=PageInfo(number, has_next=len(rows) > number * PER_PAGE),
        results=_with_next_available(
            _results([*page_rows, *beyond], located, origin, len(page_rows), now), now
        ),
        count=min(len(rows), number * PER_PAGE),
        origin=origin,
        radius_km=radius,
        place_match=place_match,
        messages=messages,
        nearest_far=_results(far, located, origin, 0, now)[0] if far else None,
        virtual_care=virtual_care,
        province=province,
    )


def _matching_locations(filterset: TherapistFilter, now: datetime.datetime):
    """The locations a therapist may be found at, given the location-level filters."""
    locations = Location.objects.per_therapist()
    if filterset.value("accessible"):
        locations = locations.wheelchair_accessible()
    if filterset.value("direct_billing"):
        locations = locations.direct_billing()
    if filterset.value("open_now"):
        locations = locations.filter(hours.open_at(now, working=True))
    if filterset.value("evenings"):
        locations = locations.filter(hours.open_evenings(working=True))
    if filterset.value("weekends"):
        locations = locations.filter(hours.open_weekends(working=True))
    if filterset.value("insurer"):
        locations = locations.paid_by(filterset.value("insurer"))
    return locations


def _radius_km(filterset: TherapistFilter) -> tuple[float, list[str]]:
    radius = filterset.value("radius")
    if radius is None:
        return DEFAULT_RADIUS_KM, []
    clamped = min(max(radius, MIN_RADIUS_KM), MAX_RADIUS_KM)
    if clamped != radius:
        message = gettext("The distance must be from %(min)s to %(max)s km; showing %(km)s km.") % {
            "min": MIN_RADIUS_KM,
            "max": MAX_RADIUS_KM,
            "km": f"{clamped:g}",
        }
        return clamped, [message]
    return radius, []


def _origin(filterset: TherapistFilter) -> tuple[Origin | None, gazetteer.PlaceMatch | None, list[str]]:
    """Where to measure from: the place typed, else coordinates ("Use my location").

    A typed place wins so that someone who arrived from a "near me" link can
    type a city and be taken there; the location button empties the box.
    """
    where = (filterset.value("where") or "").strip()
    if where:
        match = gazetteer.resolve(where)
        if match.place is None:
            return None, match, []
        return Origin(match.place.point, gazetteer.label(match.place), match.place), match, []
    lat, lng = filterset.value("lat"), filterset.value("lng")
    if lat is not None and lng is not None:
        return Origin(geo.Point(lat, lng), gettext("your location")), None, []
    given = [name for name in ("lat", "lng") if filterset.given(name)]
    if len(given) == 1:
        return None, None, [gettext("Both latitude and longitude are needed to search near a point.")]
    return None, None, []


def _virtual_care(therapists, province: str) -> list[Result]:
    """The first page, by name, of therapists who offer virtual care to patients in
    `province` (see `TherapistQuerySet.registered_in`), each shown at a location of
    theirs there."""
    ids = list(
        therapists.offering_virtual_care()
        .registered_in(province)
        .order_by("last_name", "first_name", "pk")
        .values_list("pk", flat=True)[:PER_PAGE]
    )
    there = Location.objects.filter(therapists__in=ids, province=province).select_related("clinic")
    located: dict[int, Location] = {}
    for location in there.annotate(therapist_id=F("therapists")).order_by("pk"):
        located.setdefault(location.therapist_id, location)
    # No distance: care online is as near from anywhere in the province.
    return _results([Ranked(pk, 0.0) for pk in ids], located, None, len(ids), hours.current_time())


def _wants_a_place(filterset: TherapistFilter) -> bool:
    """True when the patient tried to say where they are (a place or coordinates)."""
    return any(filterset.given(name) for name in ("where", "lat", "lng"))


def _page_number(raw: str | None) -> tuple[int, list[str]]:
    if not raw:
        return 1, []
    try:
        number = int(raw)
    except ValueError:
        return 1, [gettext("The page number was not a number, so here is the first page.")]
    if number < 1:
        return 1, [gettext("Pages start at 1, so here is the first page.")]
    return number, []


def _row_window(rows: list, number: int) -> tuple[int, list, list[str]]:
    """The page `number` of `rows`, or the last page that has rows when there is none."""
    last = max(1, math.ceil(len(rows) / PER_PAGE))
    if number > last:
        message = ngettext(
            "There is only %(count)d page of results, so here is the last one.",
            "There are only %(count)d pages of results, so here is the last one.",
            last,
        ) % {"count": last}
        return last, rows[(last - 1) * PER_PAGE :], [message]
    offset = (number - 1) * PER_PAGE
    return number, rows[offset : offset + PER_PAGE], []


def _nearest_locations(rows: list[Ranked], origin: geo.Point, locations) -> dict[int, Location]:
    """Each ranked therapist's location among `locations` at the distance they were ranked
    by (the nearest; by soonest, the place of the earliest free time), else the nearest;
    ties: lowest id. With its clinic.

    One query: the candidates are the therapists' locations no farther than the
    farthest of them was ranked at, with their chords computed as the ranking did.
    """
    if not rows:
        return {}
    ranked_at = {row.therapist_id: row.chord_sq for row in rows}
    candidates = (
        locations.annotate(chord_sq=ChordSquared(origin), therapist_id=F("practitioner"))
        .filter(therapist_id__in=list(ranked_at))
        .filter(chord_sq__lte=max(ranked_at.values()))
        .select_related("clinic")
        .order_by()
    )
    chosen: dict[int, tuple] = {}
    for location in candidates:
        key = (location.chord_sq != ranked_at[location.therapist_id], location.chord_sq, location.pk)
        if location.therapist_id not in chosen or key < chosen[location.therapist_id][0]:
            chosen[location.therapist_id] = (key, location)
    return {therapist_id: location for therapist_id, (_key, location) in chosen.items()}


def _results(
    rows: list[Ranked],
    located: dict[int, Location],
    origin: Origin | None,
    within: int,
    now: datetime.datetime,
) -> list[Result]:
    """The page's therapists at their locations, in `rows` order, with what their cards
    show; rows after the first `within` are the nearest beyond the radius.

    Three queries for any number of rows: the therapists, their fees, and the rest of
    the cards' facts (`cards.read`); names come from the reference data in memory.
    """
    if not rows:
        return []
    ids = [row.therapist_id for row in rows]
    reference = catalogue.current()
    therapists = Therapist.objects.in_bulk(ids)
    for therapist in therapists.values():
        therapist.discipline = reference.get(Discipline, therapist.discipline_id)
    clinics = [located[pk].clinic for pk in ids]
    # Yesterday in UTC is at most today anywhere: closures and special hours from then on.
    soon = (now - datetime.timedelta(days=1)).date()
    facts = cards.read(ids, {located[pk].pk for pk in ids}, {clinic.pk for clinic in clinics}, soon)
    price_lists = fees.fees_for((therapists[pk], located[pk].clinic_id) for pk in ids)
    # Each clinic's payers, in the reference data's order (Clinic.all_payers).
    for clinic in clinics:
        paid_by = facts.payers.get(clinic.pk, ())
        clinic.listed_payers = [payer for payer in reference.all(Payer) if payer.pk in paid_by]

    # One reverse() per kind of link rather than two per result (each costs ~0.06 ms);
    # slugs need no escaping in a path. The profile link names the location the
    # therapist was found at, so a consult request from it reaches that clinic.
    profile_url = reverse("therapists:therapist-detail", args=[SLUG_MARK])
    clinic_url = reverse("therapists:clinic-detail", args=[SLUG_MARK])
    results = []
    for index, row in enumerate(rows):
        therapist, location = therapists[row.therapist_id], located[row.therapist_id]
        result = Result(
            therapist,
            location,
            url=f"{profile_url.replace(SLUG_MARK, therapist.slug)}?location={location.pk}",
            clinic_url=clinic_url.replace(SLUG_MARK, location.clinic.slug),
            languages=sorted(
                (str(reference.get(Language, pk).name) for pk in facts.languages.get(therapist.pk, ())),
                key=alphabetical,
            ),
            beyond_radius=index >= within,
            fees=price_lists[therapist.pk, location.clinic_id],
            insurers=[payer for payer in location.clinic.listed_payers if payer.kind == PayerKind.INSURER],
            programmes=[
                payer for payer in location.clinic.listed_payers if payer.kind == PayerKind.PROGRAMME
            ],
            tags=sorted(
                (reference.get(Tag, pk) for pk in facts.tags.get(therapist.pk, ())),
                key=lambda tag: (tag.position, tag.name),
            ),
            booking_url=facts.booking_links.get((therapist.pk, location.pk)) or therapist.booking_url,
            hours_now=hours.status(
                hours.Calendar.of_rows(
                    location,
                    facts.weekly.get(location.pk, ()),
                    facts.closures.get(location.pk, ()),
                    facts.special.get(location.pk, ()),
                    facts.own_hours.get((therapist.pk, location.pk), ()),
                ),
                now,
            ),
        )
        if origin is not None:
            result.distance_km = geo.distance_km(origin.point, location.point)
        results.append(result)
    return results


def alphabetical(name: str) -> tuple[str, str]:
    """A sort key that files "Éwé" under E, whatever the database's collation."""
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    return folded.casefold(), name


def _with_next_available(results: list[Result], now: datetime.datetime) -> list[Result]:
    """Each result's next free time with that therapist at that location (one query)."""
    found = availability.next_available([(r.therapist.pk, r.location.pk) for r in results], now)
    for result in results:
        result.next_available = found.get((result.therapist.pk, result.location.pk))
    return results
