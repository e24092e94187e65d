"""Online booking in the demo: at least one clinic in each of Winnipeg, Vancouver,
Edmonton and Toronto takes bookings, with a few booked patients and a blocked hour.

Made when the demo is loaded (`load_demo`), not kept in fixtures/demo.json: the
times are relative to the moment of loading, so the demo has free slots, "next
available" and a busy admin calendar whenever it is loaded. Running it twice
changes nothing.
"""

import datetime

from booking import bookings, slots
from booking.models import AppointmentType, Booking, MeetingKind, OnlineBooking
from therapists.models import Clinic, Fee, Location

# The clinics that take online bookings (the demo managers manage the first and the last).
BOOKING_CLINICS = [
    "corydon-massage-therapy",
    "forks-physiotherapy-sport-clinic",
    "main-street-massage-studio",
    "cambie-village-physiotherapy",
    "124-street-massage-therapy",
    "river-valley-physiotherapy",
    "annex-massage-therapy",
    "queen-west-physiotherapy",
]
DEMO_PATIENTS = [
    ("Alex Demo", "alex.demo@example.com", "+12045550101"),
    ("Jordan Sample", "jordan.sample@example.com", "+12045550102"),
    ("Riley Example", "riley.example@example.com", "+12045550103"),
]


def enable_online_booking() -> int:
    """Turn on online booking at the demo clinics; returns how many therapist-locations take it."""
    for clinic in Clinic.objects.filter(slug__in=BOOKING_CLINICS):
        AppointmentType.objects.get_or_create(
            clinic=clinic,
            is_free_consult=True,
            defaults={"name": "Free consult", "minutes": 15, "meeting": MeetingKind.PHONE},
        )
        fee = Fee.objects.filter(clinic=clinic, therapist__isnull=True).order_by("minutes").last()
        if fee is not None:
            AppointmentType.objects.get_or_create(
                clinic=clinic,
                fee=fee,
                defaults={
                    "name": fee.get_kind_display(),
                    "minutes": fee.minutes,
                    "buffer_minutes": 15,
                    "meeting": MeetingKind.IN_PERSON,
                    "position": 1,
                },
            )
        for location in Location.objects.filter(clinic=clinic):
            for therapist in location.therapists.filter(is_published=True, booking_url=""):
                OnlineBooking.objects.get_or_create(therapist=therapist, location=location)
    return OnlineBooking.objects.count()


def book_demo_patients() -> int:
    """A few bookings and a blocked hour at a Winnipeg clinic (winnipeg-manager's), from tomorrow on."""
    if Booking.objects.exists():
        return 0
    onlines = list(
        OnlineBooking.objects.filter(
            location__clinic__slug="forks-physiotherapy-sport-clinic"
        ).select_related("location__clinic", "therapist")
    )
    made = 0
    for online in onlines[:2]:
        consult = AppointmentType.objects.filter(clinic=online.location.clinic, is_free_consult=True).first()
        free = slots.free_slots(online, consult)
        tomorrow = [t for t in free if t - free[0] >= datetime.timedelta(hours=20)] if free else []
        for (name, email, phone), start in zip(DEMO_PATIENTS, tomorrow[::5], strict=False):
            try:
                bookings.book(online, consult, start, {"name": name, "email": email, "phone": phone})
                made += 1
            except bookings.SlotTaken:
                continue
        if len(tomorrow) > 40:
            try:
                start = tomorrow[24]
                bookings.block(online, start, start + datetime.timedelta(hours=1), "Team meeting")
            except bookings.SlotTaken:
                pass
    return made


def load() -> str:
    count = enable_online_booking()
    made = book_demo_patients()
    slots.refresh_next_available()
    return f"{count} therapist-locations take online bookings; {made} demo bookings"
