"""Plain `make_*` functions that build test data: each returns a saved object
with sensible defaults, and any field can be overridden by keyword."""

import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from therapists.gazetteer import normalize
from therapists.models import (
    BodyArea,
    Clinic,
    Discipline,
    Fee,
    Location,
    NewPatients,
    Payer,
    Place,
    PlaceKind,
    Tag,
    Therapist,
)

_serial = itertools.count(1)

WINNIPEG = (49.8844, -97.14704)  # city centre in the gazetteer, degrees


def make_user(username: str, *, staff: bool = True, superuser: bool = False, **fields):
    return get_user_model().objects.create_user(
        username=username,
        password="pw-for-tests-only",
        is_staff=staff or superuser,
        is_superuser=superuser,
        **fields,
    )


def make_clinic(name: str | None = None, *, payers=(), direct_billing: bool = False, **fields) -> Clinic:
    """`payers`: slugs of insurers billed directly and programmes accepted;
    `direct_billing=True` alone means it bills Manulife directly."""
    n = next(_serial)
    name = name or f"Clinic {n}"
    fields.setdefault("slug", f"clinic-{n}")
    clinic = Clinic.objects.create(name=name, **fields)
    if direct_billing and not payers:
        payers = ["manulife"]
    clinic.payers.set(Payer.objects.filter(slug__in=payers))
    return clinic


def make_fee(clinic: Clinic, price="95", *, minutes: int = 60, kind: str = "massage", **fields) -> Fee:
    return Fee.objects.create(clinic=clinic, price=Decimal(price), minutes=minutes, kind=kind, **fields)


def make_location(clinic: Clinic | None = None, *, at: tuple[float, float] = WINNIPEG, **fields) -> Location:
    n = next(_serial)
    fields.setdefault("name", f"Location {n}")
    fields.setdefault("street", f"{n} Main Street")
    fields.setdefault("city", "Winnipeg")
    fields.setdefault("province", "MB")
    fields.setdefault("postal_code", "R3C 4T3")
    return Location.objects.create(clinic=clinic or make_clinic(), latitude=at[0], longitude=at[1], **fields)


def make_therapist(
    *,
    discipline: str = "massage",
    locations: list[Location] | None = None,
    specialties=(),
    languages=(),
    tags=(),
    **fields,
) -> Therapist:
    """`tags`: slugs of the tags the clinic declares."""
    n = next(_serial)
    fields.setdefault("first_name", "Pat")
    fields.setdefault("last_name", f"Tester{n}")
    fields.setdefault("slug", f"pat-tester-{n}")
    fields.setdefault("is_published", True)
    if "accepting_new_patients" in fields:  # the yes/no most tests need
        accepting = fields.pop("accepting_new_patients")
        fields["new_patients"] = NewPatients.ACCEPTING if accepting else NewPatients.NOT_ACCEPTING
    therapist = Therapist.objects.create(discipline=Discipline.objects.get(slug=discipline), **fields)
    therapist.locations.set(locations if locations is not None else [make_location()])
    therapist.specialties.set(specialties)
    therapist.languages.set(languages)
    therapist.tags.set(Tag.objects.filter(slug__in=tags))
    return therapist


def make_image_bytes(size=(640, 480), image_format: str = "JPEG", *, exif=None, colour="teal") -> bytes:
    """An image file's bytes drawn with Pillow, optionally carrying EXIF data (a PIL Exif)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, colour).save(buffer, image_format, **options)
    return buffer.getvalue()


def make_place(
    name: str, province: str, at: tuple[float, float], *, population: int | None = 10_000
) -> Place:
    kind = PlaceKind.FSA if len(name) == 3 and name[1].isdigit() else PlaceKind.CITY
    return Place.objects.create(
        code=f"{kind}:{name}:{province}",
        kind=kind,
        name=name,
        search_name=normalize(name),
        province=province,
        latitude=at[0],
        longitude=at[1],
        population=population if kind == PlaceKind.CITY else None,
    )


def make_manager(username: str, *clinics: Clinic, **fields):
    """A staff user in the "Clinic managers" group (migration 0003) who manages `clinics`."""
    user = make_user(username, **fields)
    user.groups.add(Group.objects.get(name="Clinic managers"))
    for clinic in clinics:
        clinic.managers.add(user)
    return user


def make_consult_request(clinic, therapist=None, **fields):
    from django.utils import timezone

    from therapists.models import ConsultRequest

    fields.setdefault("name", "Pat Patient")
    fields.setdefault("email", f"patient{next(_serial)}@example.com")
    fields.setdefault("phone", "+12045550199")
    fields.setdefault("area", BodyArea.objects.get(slug="back"))
    fields.setdefault("meeting", "phone")
    fields.setdefault("preferred_times", "weekday mornings")
    fields.setdefault("consent_at", timezone.now())
    fields.setdefault("consent_version", "test")
    fields.setdefault("consent_text", f"I agree that {clinic.name} will receive this request.")
    return ConsultRequest.objects.create(clinic=clinic, therapist=therapist, **fields)


def make_online_booking(
    therapist: Therapist | None = None,
    location: Location | None = None,
    *,
    opens: str = "09:00",
    closes: str = "17:00",
    days=range(7),
    consult_minutes: int = 15,
    **fields,
):
    """A therapist taking online bookings at a location open `opens`-`closes` on `days`,
    whose clinic offers a free consult of `consult_minutes`."""
    import datetime

    from booking.models import AppointmentType, OnlineBooking
    from therapists.models import OpeningHours

    location = location or make_location()
    therapist = therapist or make_therapist(locations=[location])
    for day in days:
        OpeningHours.objects.get_or_create(
            location=location,
            weekday=day,
            opens=datetime.time.fromisoformat(opens),
            closes=datetime.time.fromisoformat(closes),
        )
    if not AppointmentType.objects.filter(clinic=location.clinic_id, is_free_consult=True).exists():
        AppointmentType.objects.create(
            clinic=location.clinic, name="Free consult", minutes=consult_minutes, is_free_consult=True
        )
    return OnlineBooking.objects.create(therapist=therapist, location=location, **fields)


def make_appointment_type(clinic: Clinic, minutes: int = 60, **fields):
    from booking.models import AppointmentType

    fields.setdefault("name", f"Treatment {minutes} min")
    return AppointmentType.objects.create(clinic=clinic, minutes=minutes, **fields)
