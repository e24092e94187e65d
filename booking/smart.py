"""Our clinics' free times as SMART Scheduling Links, so insurers and other directories
can show them: a `$bulk-publish` manifest and NDJSON files of FHIR `Location`,
`Schedule` and `Slot` resources (FHIR R4B models from `fhir.resources`, which
validates every resource as it is built). Each slot links back to our booking page.

Spec: https://github.com/smart-on-fhir/smart-scheduling-links (slots are published
for the headline appointment type, the free consult, over each booking window).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from fhir.resources.R4B.location import Location as FhirLocation
from fhir.resources.R4B.schedule import Schedule as FhirSchedule
from fhir.resources.R4B.slot import Slot as FhirSlot

from booking import slots
from booking.models import AppointmentType, OnlineBooking
from therapists import hours
from therapists.models import Location

DEEP_LINK = "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-deep-link"
BOOKING_PHONE = "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-phone"
FILES = ("Location", "Schedule", "Slot")


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def manifest(now: datetime.datetime) -> dict:
    return {
        "transactionTime": now.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "request": _site(reverse("smart-manifest")),
        "output": [{"type": kind, "url": _site(reverse("smart-file", args=[kind]))} for kind in FILES],
        "error": [],
    }


def _onlines():
    return (
        OnlineBooking.objects.active()
        .filter(therapist__is_published=True)
        .select_related("therapist__discipline", "location__clinic")
        .prefetch_related(
            "location__opening_hours",
            "location__closures",
            "location__special_hours",
            Prefetch(
                "location__clinic__appointment_types", queryset=AppointmentType.objects.filter(is_active=True)
            ),
        )
        .order_by("pk")
    )


def location_resource(location: Location) -> FhirLocation:
    telecom = [{"system": "phone", "value": location.phone or location.clinic.phone}]
    if location.clinic.website:
        telecom.append({"system": "url", "value": location.clinic.website})
    return FhirLocation.model_validate(
        {
            "resourceType": "Location",
            "id": str(location.pk),
            "name": f"{location.clinic.name} – {location.name}",
            "telecom": [t for t in telecom if t["value"]],
            "address": {
                "line": [location.street],
                "city": location.city,
                "state": location.province,
                "postalCode": location.postal_code,
                "country": "CA",
            },
            "position": {"latitude": float(location.latitude), "longitude": float(location.longitude)},
            "description": location.clinic.name,
        }
    )


def schedule_resource(online: OnlineBooking) -> FhirSchedule:
    return FhirSchedule.model_validate(
        {
            "resourceType": "Schedule",
            "id": str(online.pk),
            "serviceType": [
                {"text": online.therapist.discipline.name},
            ],
            "actor": [
                {"reference": f"Location/{online.location_id}"},
                {"display": online.therapist.name},
            ],
        }
    )


def slot_resources(online: OnlineBooking, now: datetime.datetime) -> Iterator[FhirSlot]:
    kind = slots.headline_type(online.location.clinic.appointment_types.all())
    if kind is None:
        return
    details = _site(reverse("booking:details", args=[online.therapist.slug, online.location_id]))
    phone = online.location.phone or online.location.clinic.phone
    for start in slots.free_slots(online, kind, now):
        extensions = [{"url": DEEP_LINK, "valueUrl": f"{details}?type={kind.pk}&start={start.isoformat()}"}]
        if phone:
            extensions.append({"url": BOOKING_PHONE, "valueString": phone})
        yield FhirSlot.model_validate(
            {
                "resourceType": "Slot",
                "id": f"{online.pk}-{int(start.timestamp())}",
                "schedule": {"reference": f"Schedule/{online.pk}"},
                "status": "free",
                "start": start.isoformat(),
                "end": (start + datetime.timedelta(minutes=kind.minutes)).isoformat(),
                "extension": extensions,
            }
        )


def ndjson(kind: str, now: datetime.datetime | None = None) -> Iterator[str]:
    """One NDJSON file of the bulk publication, line by line."""
    now = now or hours.current_time()
    onlines = list(_onlines())
    if kind == "Location":
        seen = {}
        for online in onlines:
            seen.setdefault(online.location_id, online.location)
        resources = (location_resource(location) for location in seen.values())
    elif kind == "Schedule":
        resources = (schedule_resource(online) for online in onlines)
    else:
        resources = (slot for online in onlines for slot in slot_resources(online, now))
    for resource in resources:
        yield resource.model_dump_json(exclude_none=True) + "\n"
