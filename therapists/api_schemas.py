"""The shapes of the JSON API's answers (therapists.api), which its OpenAPI schema publishes.

Each schema reads the model objects the search and the pages already use, so
the API shows what the pages show and nothing more: no unpublished therapist,
no consult request, no staff data. Links are paths on this site.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Schema

from therapists import fees, photos


class Problem(Schema):
    """An error, as RFC 9457 problem details (served as application/problem+json)."""

    type: str = Field("about:blank", description="Always about:blank: the status says what went wrong.")
    title: str = Field(description="The HTTP status phrase, e.g. Not Found.")
    status: int
    detail: str = Field(description="What went wrong, for a person to read.")
    errors: list[ParameterError] | None = Field(None, description="On 400: each parameter that was refused.")


class ParameterError(Schema):
    name: str = Field(description="The query parameter, e.g. lat.")
    message: str


class DisciplineOut(Schema):
    slug: str
    name: str
    practitioner_title: str
    abbreviation: str
    description: str


class DisciplineRef(Schema):
    slug: str
    name: str
    practitioner_title: str


class BodyAreaOut(Schema):
    slug: str
    name: str


class SpecialtyRef(Schema):
    slug: str
    name: str


class SpecialtyOut(Schema):
    slug: str
    name: str
    body_areas: list[str] = Field(description="Slugs of the body areas it helps.")

    @staticmethod
    def resolve_body_areas(specialty) -> list[str]:
        return [area.slug for area in specialty.body_areas.all()]


class LanguageOut(Schema):
    code: str = Field(description="ISO 639-1 code, the `language` search parameter.")
    name: str


class PlaceOut(Schema):
    name: str = Field(
        description="A city or town, a neighbourhood or borough of a city, or a forward sortation area (R3C)."
    )
    province: str
    kind: Literal["city", "area", "fsa"]
    description: str = Field(
        description="For an FSA, the area it covers; for a neighbourhood or borough, the city it is part of."
    )
    latitude: float
    longitude: float
    population: int | None = Field(
        description="For a neighbourhood or borough, an estimate: 20,000 for each postal-code area it spans."
    )


class OriginOut(Schema):
    """Where distances are measured from."""

    name: str = Field(description="How the search page names it, e.g. Winnipeg, MB.")
    province: str | None = Field(description="None for coordinates.")
    kind: Literal["city", "area", "fsa", "coordinates"]
    latitude: float
    longitude: float


class PlaceMatchOut(Schema):
    """How the `where` text was read: the place chosen, others of the same name, or
    close spellings when nothing matched (the page's "Did you mean")."""

    query: str
    place: PlaceOut | None
    corrected: bool = Field(
        description="True when `place` is a close spelling of what was typed (Winipeg: Winnipeg), "
        "which the page announces."
    )
    alternatives: list[PlaceOut]
    suggestions: list[PlaceOut]


class PayerOut(Schema):
    slug: str = Field(description="The `insurer` search parameter.")
    name: str
    kind: Literal["insurer", "programme"] = Field(
        description="insurer: an extended health insurer the clinic bills directly; "
        "programme: a public or third-party programme it accepts (ICBC, WSIB...)."
    )


class TagOut(Schema):
    slug: str = Field(description="The `tag` search parameter.")
    name: str


class RenditionOut(Schema):
    url: str = Field(description="A JPEG on this site (or its photo storage).")
    width: int = Field(description="Pixels.")
    height: int = Field(description="Pixels.")


class PhotoOut(Schema):
    alt: str = Field(description="What the photo shows, for people who cannot see it.")
    renditions: list[RenditionOut] = Field(description="The same photo in each size, smallest first.")


def headshot(therapist) -> dict | None:
    if not therapist.photo:
        return None
    return {"alt": therapist.photo_alt, "renditions": photos.renditions_of(therapist.photo, photos.HEADSHOT)}


class FeeOut(Schema):
    kind: Literal["assessment", "follow-up", "massage", "adjustment", "other"]
    service: str = Field(description="The kind, in words, with the clinic's description.")
    minutes: int
    price: str = Field(description="CAD, e.g. 95.00.")
    taxable: bool = Field(description="GST/HST is added to the price.")

    @staticmethod
    def resolve_service(fee) -> str:
        kind = str(fee.get_kind_display())
        return f"{kind}, {fee.description}" if fee.description else kind

    @staticmethod
    def resolve_price(fee) -> str:
        return f"{fee.price:.2f}"


class ClinicRef(Schema):
    slug: str
    name: str
    direct_billing: bool = Field(description="Bills at least one insurer directly.")
    payers: list[PayerOut] = Field(description="Insurers it bills directly and programmes it accepts.")

    @staticmethod
    def resolve_payers(clinic):
        return clinic.all_payers


class AddressOut(Schema):
    """What every answer says of a location: where it is and how to reach it."""

    name: str
    street: str
    city: str
    province: str
    postal_code: str
    address: str
    phone: str
    latitude: float
    longitude: float
    wheelchair_accessible: bool


class LocationOut(AddressOut):
    clinic: ClinicRef


class OpeningHoursOut(Schema):
    weekday: int = Field(ge=0, le=6, description="0 is Monday.")
    day: str
    opens: str = Field(description="HH:MM, local time.")
    closes: str

    @staticmethod
    def resolve_day(hours) -> str:
        return str(hours.get_weekday_display())

    @staticmethod
    def resolve_opens(hours) -> str:
        return hours.opens.strftime("%H:%M")

    @staticmethod
    def resolve_closes(hours) -> str:
        return hours.closes.strftime("%H:%M")


class LocationWithHoursOut(LocationOut):
    opening_hours: list[OpeningHoursOut]


class TherapistRef(Schema):
    slug: str
    name: str
    first_name: str
    last_name: str
    credentials: str
    discipline: DisciplineRef
    accepting_new_patients: bool = Field(description="True when new_patients is accepting.")
    new_patients: Literal["accepting", "waitlist", "existing", "not-accepting"]
    new_patients_as_of: date | None = Field(description="When the clinic last set new_patients.")
    offers_virtual_care: bool
    pronouns: str
    booking_url: str = Field(description="Book online with the clinic's booking system; empty when none.")
    photo: PhotoOut | None = Field(description="The headshot (square); None when there is none.")

    @staticmethod
    def resolve_photo(therapist) -> dict | None:
        return headshot(therapist)


class TherapistListed(TherapistRef):
    url: str = Field(description="The profile page.")

    @staticmethod
    def resolve_url(therapist) -> str:
        return therapist.get_absolute_url()


class PriceListOut(Schema):
    clinic: str = Field(description="The clinic's slug.")
    fees: list[FeeOut] = Field(description="What the therapist charges there, shortest first.")

    @staticmethod
    def resolve_clinic(price_list) -> str:
        return price_list.clinic.slug


class BookingLinkOut(Schema):
    location: int = Field(description="The location's id.")
    url: str = Field(description="Book online with the therapist at that location.")


class TherapistOut(TherapistListed):
    tags: list[TagOut] = Field(description="Declared by the clinic, e.g. trauma-informed.")
    booking_links: list[BookingLinkOut] = Field(
        description="Where to book at each location; a location without one uses `booking_url`."
    )
    bio: str
    regulator: str
    registration_number: str
    last_verified: date | None = Field(description="When the clinic last confirmed the listing.")
    languages: list[LanguageOut]
    specialties: list[SpecialtyRef]
    body_areas: list[BodyAreaOut] = Field(description="What its specialties help, in list order.")
    locations: list[LocationWithHoursOut]
    price_lists: list[PriceListOut] = Field(description="One per clinic the therapist practises at.")

    @staticmethod
    def resolve_tags(therapist):
        return therapist.tags.all()

    @staticmethod
    def resolve_booking_links(therapist):
        links = ((location.pk, therapist.booking_url_at(location)) for location in therapist.locations.all())
        return [{"location": pk, "url": url} for pk, url in links if url]

    @staticmethod
    def resolve_price_lists(therapist):
        return fees.price_lists(therapist, therapist.locations.all())

    @staticmethod
    def resolve_languages(therapist):
        return therapist.languages.all()

    @staticmethod
    def resolve_specialties(therapist):
        return therapist.specialties.all()

    @staticmethod
    def resolve_body_areas(therapist):
        areas = {area for specialty in therapist.specialties.all() for area in specialty.body_areas.all()}
        return sorted(areas, key=lambda area: (area.position, area.name))

    @staticmethod
    def resolve_locations(therapist):
        return therapist.locations.all()


class ClinicLocationOut(AddressOut):
    opening_hours: list[OpeningHoursOut]

    @staticmethod
    def resolve_opening_hours(location):
        return location.opening_hours.all()


class ClinicOut(Schema):
    slug: str
    name: str
    url: str = Field(description="The clinic's page.")
    phone: str
    email: str
    website: str
    description: str
    direct_billing: bool = Field(description="Bills at least one insurer directly.")
    payers: list[PayerOut] = Field(description="Insurers it bills directly and programmes it accepts.")
    fees: list[FeeOut] = Field(description="Its price list for every therapist, shortest first.")
    locations: list[ClinicLocationOut]
    therapists: list[TherapistListed] = Field(description="Its published therapists, by name.")
    photos: list[PhotoOut] = Field(description="Photos of the clinic (4:3), in the clinic's order.")

    @staticmethod
    def resolve_photos(clinic):
        return [
            {"alt": photo.alt_text, "renditions": photos.renditions_of(photo.photo, photos.CLINIC_PHOTO)}
            for photo in clinic.photos.all()
        ]

    @staticmethod
    def resolve_url(clinic) -> str:
        return clinic.get_absolute_url()

    @staticmethod
    def resolve_locations(clinic):
        return clinic.locations.all()

    @staticmethod
    def resolve_payers(clinic):
        return clinic.all_payers

    @staticmethod
    def resolve_fees(clinic):
        return [fee for fee in clinic.fees.all() if fee.therapist_id is None]


class ResultOut(Schema):
    """One therapist in the results, at the location they were ranked by."""

    therapist: TherapistRef
    url: str = Field(description="The therapist's profile page.")
    location: LocationOut
    clinic_url: str = Field(description="The clinic's page.")
    distance_km: float | None = Field(description="Geodesic km from the origin; None without one.")
    beyond_radius: bool = Field(description="One of the nearest beyond the radius, added to a thin page.")
    languages: list[str] = Field(description="Names, alphabetical.")
    hours_now: str = Field(description='At the time of the request, e.g. "Open now, until 8 pm".')
    open_now: bool = Field(description="Open at the time of the request, in the location's time zone.")

    @staticmethod
    def resolve_hours_now(result) -> str:
        return result.hours_now.words if result.hours_now else ""

    @staticmethod
    def resolve_open_now(result) -> bool:
        return bool(result.hours_now and result.hours_now.is_open)

    booking_url: str = Field(description="Book online with the therapist at this location; empty when none.")
    tags: list[TagOut] = Field(description="Declared by the clinic, e.g. trauma-informed.")
    fee_line: str = Field(description="The card's fee, e.g. 60 min from $95; empty when none is listed.")
    fees: list[FeeOut] = Field(description="The therapist's fees at this location's clinic, shortest first.")


class PageOut(Schema):
    number: int
    has_next: bool
    has_previous: bool
    last: int | None = Field(description="The number of pages, known on the last page only (None before).")


class SearchOut(Schema):
    origin: OriginOut | None = Field(description="None when no place was given or it was not found.")
    place_match: PlaceMatchOut | None = Field(description="How `where` was read; None without `where`.")
    radius_km: float
    count: int = Field(description="Matches counted up to the end of this page.")
    count_is_capped: bool = Field(description="True when there are more than `count` (the page's 40+).")
    page: PageOut
    messages: list[str] = Field(description="Notices the page shows, e.g. a radius brought into range.")
    results: list[ResultOut]


Problem.model_rebuild()
