"""What search engines read: each page's language alternates and its JSON-LD (schema.org).

The JSON-LD holds only what we hold about a listing: no invented ratings, no guessed
fields. Clinics are `MedicalClinic` (`Physiotherapy` when every therapist listed there is a
physiotherapist), one node per location with its address, coordinates, telephone,
weekly hours, price range and whether anyone there takes new patients; a therapist is a
`Person` with the credential their regulator recognizes, the clinics they work for and
the languages they treat in.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Max, Min
from django.urls import translate_url
from django.utils.translation import override

from therapists.fees import money
from therapists.models import Fee, NewPatients, Weekday

# English day names for schema.org whatever the page's language.
SCHEMA_DAYS = {
    Weekday.MONDAY: "https://schema.org/Monday",
    Weekday.TUESDAY: "https://schema.org/Tuesday",
    Weekday.WEDNESDAY: "https://schema.org/Wednesday",
    Weekday.THURSDAY: "https://schema.org/Thursday",
    Weekday.FRIDAY: "https://schema.org/Friday",
    Weekday.SATURDAY: "https://schema.org/Saturday",
    Weekday.SUNDAY: "https://schema.org/Sunday",
}


def alternates_of(obj) -> dict[str, str]:
    """{language: path} of an object whose URL differs by language (`get_absolute_url`)."""
    urls = {}
    for code, _name in settings.LANGUAGES:
        with override(code):
            urls[code] = obj.get_absolute_url()
    return urls


def page_alternates(request, alternates: dict[str, str] | None = None) -> dict[str, str]:
    """{language: path} of the current page: the view's own, else the same URL pattern
    in each language (Django's `translate_url`)."""
    if alternates:
        return alternates
    return {code: translate_url(request.path, code) for code, _name in settings.LANGUAGES}


def _address(location) -> dict:
    return {
        "@type": "PostalAddress",
        "streetAddress": location.street,
        "addressLocality": location.city,
        "addressRegion": location.province,
        "postalCode": location.postal_code,
        "addressCountry": "CA",
    }


def _hours(location) -> list[dict]:
    return [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": SCHEMA_DAYS[Weekday(period.weekday)],
            "opens": f"{period.opens:%H:%M}",
            "closes": f"{period.closes:%H:%M}",
        }
        for period in location.opening_hours.all()
    ]


def _price_range(clinic) -> str | None:
    prices = Fee.objects.filter(clinic=clinic).aggregate(low=Min("price"), high=Max("price"))
    if prices["low"] is None:
        return None
    if prices["low"] == prices["high"]:
        return money(prices["low"])
    return f"{money(prices['low'])}–{money(prices['high'])}"


def _clinic_type(therapists) -> str:
    disciplines = {therapist.discipline.slug for therapist in therapists}
    return "Physiotherapy" if disciplines == {"physiotherapy"} else "MedicalClinic"


def _location_node(request, clinic, location, *, kind: str, accepting: bool, price_range: str | None) -> dict:
    node = {
        "@type": kind,
        "name": f"{clinic.name} – {location.name}" if location.name else clinic.name,
        "url": request.build_absolute_uri(clinic.get_absolute_url()),
        "address": _address(location),
        "geo": {"@type": "GeoCoordinates", "latitude": location.latitude, "longitude": location.longitude},
        "isAcceptingNewPatients": accepting,
    }
    phone = location.phone or clinic.phone
    if phone:
        node["telephone"] = phone
    hours = _hours(location)
    if hours:
        node["openingHoursSpecification"] = hours
    if price_range:
        node["priceRange"] = price_range
    return node


def clinic_data(request, clinic, therapists) -> dict:
    """A clinic page's JSON-LD: one node per location (locations and their hours prefetched)."""
    accepting = any(therapist.new_patients == NewPatients.ACCEPTING for therapist in therapists)
    kind, price_range = _clinic_type(therapists), _price_range(clinic)
    nodes = [
        _location_node(request, clinic, location, kind=kind, accepting=accepting, price_range=price_range)
        for location in clinic.locations.all()
    ]
    if clinic.description:
        for node in nodes:
            node["description"] = clinic.description
    return {"@context": "https://schema.org", "@graph": nodes}


def therapist_data(request, therapist, locations) -> dict:
    """A profile's JSON-LD: the therapist as a Person working for their clinics."""
    accepting = therapist.new_patients == NewPatients.ACCEPTING
    person = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": therapist.name,
        "url": request.build_absolute_uri(therapist.get_absolute_url()),
        "jobTitle": therapist.discipline.practitioner_title,
        "knowsLanguage": [
            {"@type": "Language", "name": language.name, "alternateName": language.code}
            for language in therapist.languages.all()
        ],
        "worksFor": [
            _location_node(
                request,
                location.clinic,
                location,
                kind="MedicalClinic",
                accepting=accepting,
                price_range=None,
            )
            for location in locations
        ],
    }
    if therapist.bio:
        person["description"] = therapist.bio
    if therapist.regulator:
        credential = {
            "@type": "EducationalOccupationalCredential",
            "credentialCategory": "license",
            "name": therapist.credentials or therapist.discipline.practitioner_title,
            "recognizedBy": {"@type": "Organization", "name": therapist.regulator},
        }
        if therapist.registration_number:
            credential["identifier"] = therapist.registration_number
        person["hasCredential"] = credential
    return person


def landing_data(request, landing) -> dict:
    """A landing page's JSON-LD: the list of therapists it shows, in order."""
    return {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": landing.title,
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "url": request.build_absolute_uri(result.url),
                "name": result.therapist.name,
            }
            for position, result in enumerate(landing.search.results, start=1)
        ],
    }
