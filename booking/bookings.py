"""Bookings: claiming a slot safely, telling the patient and the clinic, cancelling.

A slot is claimed in one transaction by inserting the booking and its grid cells;
the database's unique (therapist, cell) rule refuses a second claim, so two
patients racing for the same time get one booking and one `SlotTaken`, never two
bookings (no check-then-write in Python). The working hours are read again inside
the claim, so times shown before a change of hours or a closure cannot be booked.

Consent follows the consult request's rules (`therapists.leads`): express, naming
the clinic, stored with its exact wording. Emails carry no health details.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from icalendar import Calendar, Event, vCalAddress, vText

from booking import slots
from booking.models import (
    HOLDING,
    AppointmentType,
    Booking,
    BookingKind,
    BookingStatus,
    OnlineBooking,
    SlotCell,
)
from therapists import leads

logger = logging.getLogger(__name__)

CONSENT_VERSION = "2026-12-booking-v1"
# Marked for `make messages`; translated when shown, so the stored consent is in the
# words the patient read.
CONSENT_TEXT = gettext_noop(
    "I agree that %(recipient)s will receive my booking, with my name and contact details, "
    "and may contact me by phone or email about it. Nobody else receives it. I can cancel "
    "and ask for my details to be deleted at any time."
)
MANAGE_SALT = "booking.manage"


class SlotTaken(Exception):
    """The time was claimed by someone else, or is no longer within working hours."""


def consent_text(online: OnlineBooking) -> str:
    """The exact consent wording for booking this therapist at this location's clinic."""
    recipient = _("%(clinic)s and %(therapist)s") % {
        "clinic": online.location.clinic.name,
        "therapist": online.therapist.name,
    }
    return _(CONSENT_TEXT) % {"recipient": recipient}


def _claim(booking: Booking, appointment_type: AppointmentType) -> None:
    """Insert the booking and its cells; IntegrityError when any cell is taken."""
    booking.save()
    SlotCell.objects.bulk_create(
        SlotCell(therapist_id=booking.therapist_id, booking=booking, cell=cell)
        for cell in slots.cells_of(booking.start, appointment_type)
    )


def book(
    online: OnlineBooking,
    appointment_type: AppointmentType,
    start: datetime.datetime,
    details: dict,
    *,
    by_staff: bool = False,
) -> Booking:
    """Claim `start` for a patient (`details`: name, email, phone); SlotTaken when the
    time is gone or outside the working hours now."""
    if appointment_type.clinic_id != online.location.clinic_id:
        raise ValueError("The appointment type is not the location's clinic's.")
    if not slots.fits_hours(online, appointment_type, start):
        raise SlotTaken
    booking = Booking(
        kind=BookingKind.APPOINTMENT,
        therapist_id=online.therapist_id,
        location_id=online.location_id,
        appointment_type=appointment_type,
        start=start,
        end=start + datetime.timedelta(minutes=appointment_type.minutes),
        booked_by_staff=by_staff,
        consent_at=timezone.now(),
        consent_version=CONSENT_VERSION if not by_staff else "staff",
        consent_text=consent_text(online)
        if not by_staff
        else _("Booked by the clinic on the patient's behalf."),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        **details,
    )
    try:
        with transaction.atomic():
            _claim(booking, appointment_type)
    except IntegrityError:
        raise SlotTaken from None
    logger.info("booking %s claimed for therapist %s", booking.pk, online.therapist_id)
    slots.refresh_next_available(therapist=online.therapist_id)
    return booking


def block(online: OnlineBooking, start: datetime.datetime, end: datetime.datetime, note: str = "") -> Booking:
    """Staff block the therapist's time (on the grid, rounded out to whole cells)."""
    start = start.replace(minute=start.minute - start.minute % slots.CELL_MINUTES, second=0, microsecond=0)
    booking = Booking(
        kind=BookingKind.BLOCK,
        therapist_id=online.therapist_id,
        location_id=online.location_id,
        start=start,
        end=end,
        note=note,
        booked_by_staff=True,
    )
    cells = []
    cell = start
    while cell < end:
        cells.append(cell)
        cell += slots.CELL
    try:
        with transaction.atomic():
            booking.save()
            SlotCell.objects.bulk_create(
                SlotCell(therapist_id=booking.therapist_id, booking=booking, cell=c) for c in cells
            )
    except IntegrityError:
        raise SlotTaken from None
    slots.refresh_next_available(therapist=online.therapist_id)
    return booking


def set_status(booking: Booking, status: str) -> None:
    """Confirm, mark a no-show, or cancel (which frees the time) in one transaction."""
    with transaction.atomic():
        Booking.objects.filter(pk=booking.pk).update(status=status, updated_at=timezone.now())
        if status not in HOLDING:
            SlotCell.objects.filter(booking=booking).delete()
    booking.status = status
    if status not in HOLDING:
        logger.info("booking %s cancelled", booking.pk)
        slots.refresh_next_available(therapist=booking.therapist_id)


def cancel(booking: Booking) -> None:
    set_status(booking, BookingStatus.CANCELLED)


def reschedule(booking: Booking, start: datetime.datetime) -> Booking:
    """Move a booking to `start`: the new time is claimed and the old one freed in one
    transaction; SlotTaken (and nothing changed) when the new time is gone."""
    online = OnlineBooking.objects.select_related("location__clinic", "therapist").get(
        therapist=booking.therapist_id, location=booking.location_id
    )
    kind = booking.appointment_type
    if not slots.fits_hours(online, kind, start):
        raise SlotTaken
    moved = Booking(
        kind=booking.kind,
        therapist_id=booking.therapist_id,
        location_id=booking.location_id,
        appointment_type=kind,
        start=start,
        end=start + datetime.timedelta(minutes=kind.minutes),
        name=booking.name,
        email=booking.email,
        phone=booking.phone,
        consent_at=booking.consent_at,
        consent_version=booking.consent_version,
        consent_text=booking.consent_text,
    )
    try:
        with transaction.atomic():
            SlotCell.objects.filter(booking=booking).delete()
            Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED)
            _claim(moved, kind)
    except IntegrityError:
        raise SlotTaken from None
    slots.refresh_next_available(therapist=booking.therapist_id)
    return moved


# Signed links for the patient.


def manage_token(booking: Booking) -> str:
    return signing.dumps(booking.reference, salt=MANAGE_SALT)


def from_token(token: str) -> Booking | None:
    """The booking a cancel/reschedule link is for, if the link is genuine."""
    try:
        reference = signing.loads(token, salt=MANAGE_SALT, max_age=datetime.timedelta(days=365))
    except signing.BadSignature:
        return None
    return (
        Booking.objects.select_related("location__clinic", "therapist", "appointment_type")
        .filter(reference=reference, kind=BookingKind.APPOINTMENT)
        .first()
    )


def changeable(booking: Booking, now: datetime.datetime | None = None) -> bool:
    """May the patient still cancel or reschedule online (before the clinic's cut-off)?"""
    if booking.status not in (BookingStatus.BOOKED, BookingStatus.CONFIRMED):
        return False
    online = OnlineBooking.objects.filter(
        therapist=booking.therapist_id, location=booking.location_id
    ).first()
    cutoff = datetime.timedelta(hours=online.cutoff_hours if online else 24)
    return (now or timezone.now()) < booking.start - cutoff


# Emails.


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def ics(booking: Booking) -> bytes:
    """The booking as an iCalendar file (one event, in UTC, no health details)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Therapist Finder//booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{booking.reference}@therapist-finder")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", booking.start)
    event.add("dtend", booking.end)
    event.add(
        "summary",
        _("%(what)s with %(therapist)s")
        % {"what": booking.appointment_type.name, "therapist": booking.therapist.name},
    )
    event["location"] = vText(f"{booking.location.clinic.name}, {booking.location.address}")
    organizer = vCalAddress(f"mailto:{booking.location.clinic.email or settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText(booking.location.clinic.name)
    event["organizer"] = organizer
    event.add("description", _("Reference %(reference)s") % {"reference": booking.reference})
    if booking.status == BookingStatus.CANCELLED:
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    return calendar.to_ical()


def when_in_words(booking: Booking) -> str:
    return slots.full_words(booking.start, booking.location.time_zone)


def confirm_to_patient(booking: Booking) -> bool:
    """The confirmation email with the .ics file, the address and the manage link."""
    token = manage_token(booking)
    values = {
        "clinic": booking.location.clinic.name,
        "therapist": booking.therapist.name,
        "what": booking.appointment_type.name,
        "when": when_in_words(booking),
        "address": booking.location.address,
        "reference": booking.reference,
        "cancel": _site(reverse("booking:cancel", args=[token])),
        "reschedule": _site(reverse("booking:reschedule", args=[token])),
    }
    body = _(
        "You are booked: %(what)s with %(therapist)s at %(clinic)s.\n\n"
        "When: %(when)s\nWhere: %(address)s\nReference: %(reference)s\n\n"
        "The calendar file attached adds it to your calendar.\n\n"
        "Need to change it? Reschedule: %(reschedule)s\nCancel: %(cancel)s\n\n"
        "Only %(clinic)s receives your details."
    )
    message = EmailMessage(
        subject=leads.one_line(_("Booked: %(what)s at %(clinic)s (%(reference)s)") % values),
        body=body % values,
        to=[booking.email],
    )
    message.attach(f"booking-{booking.reference}.ics", ics(booking), "text/calendar")
    try:
        message.send()
    except Exception as exc:  # the booking stands; the patient has the confirmation page
        logger.warning("booking %s: confirming to the patient failed (%s)", booking.pk, type(exc).__name__)
        return False
    return True


# The clinic's email for each piece of news (`news` is one of these keys).
CLINIC_NEWS = {
    "New": (
        gettext_lazy("New online booking %(reference)s for %(therapist)s"),
        gettext_lazy("%(clinic)s has a new online booking for %(therapist)s at %(location)s."),
    ),
    "Cancelled": (
        gettext_lazy("Cancelled online booking %(reference)s for %(therapist)s"),
        gettext_lazy("%(clinic)s has a cancelled online booking for %(therapist)s at %(location)s."),
    ),
    "Rescheduled": (
        gettext_lazy("Rescheduled online booking %(reference)s for %(therapist)s"),
        gettext_lazy("%(clinic)s has a rescheduled online booking for %(therapist)s at %(location)s."),
    ),
}


def notify_clinic(booking: Booking, news: str = "New") -> bool:
    """Email the clinic a link to the booking in the admin (no patient details)."""
    to = leads.recipients(booking.location.clinic)
    if not to:
        return False
    subject, opening = CLINIC_NEWS[news]
    values = {
        "reference": booking.reference,
        "clinic": booking.location.clinic.name,
        "therapist": booking.therapist.name,
        "location": booking.location.name,
        "link": _site(reverse("admin:booking_booking_change", args=[booking.pk])),
    }
    body = _(
        "%(opening)s\n\n%(link)s\n\n"
        "For the patient's privacy this email contains no personal or health details."
    )
    try:
        EmailMessage(
            subject=leads.one_line(str(subject) % values),
            body=body % {"opening": str(opening) % values, "link": values["link"]},
            to=to,
        ).send()
    except Exception as exc:
        logger.warning("booking %s: notifying the clinic failed (%s)", booking.pk, type(exc).__name__)
        return False
    Booking.objects.filter(pk=booking.pk).update(notified_at=timezone.now())
    return True


def send_reminders(now: datetime.datetime | None = None, dry_run: bool = False) -> int:
    """Remind patients of tomorrow's appointments (no health details). Returns how many."""
    now = now or timezone.now()
    sent = 0
    due = Booking.objects.to_remind(now).select_related("location__clinic", "therapist", "appointment_type")
    for booking in due:
        if dry_run:
            sent += 1
            continue
        # In the language the patient booked in: words, dates and the cancel link's path.
        with translation.override(booking.language):
            values = {
                "clinic": booking.location.clinic.name,
                "therapist": booking.therapist.name,
                "when": when_in_words(booking),
                "address": booking.location.address,
                "cancel": _site(reverse("booking:cancel", args=[manage_token(booking)])),
            }
            try:
                EmailMessage(
                    subject=leads.one_line(_("Reminder: your appointment at %(clinic)s") % values),
                    body=_(
                        "A reminder of your appointment with %(therapist)s at %(clinic)s.\n\n"
                        "When: %(when)s\nWhere: %(address)s\n\nCannot make it? %(cancel)s"
                    )
                    % values,
                    to=[booking.email],
                ).send()
            except Exception as exc:
                logger.warning("booking %s: reminder failed (%s)", booking.pk, type(exc).__name__)
                continue
        Booking.objects.filter(pk=booking.pk).update(reminded_at=timezone.now())
        sent += 1
    return sent


# Privacy duties (with the consult requests' in `therapists.leads`).


def bookings_of(email: str):
    """Every booking made with this email address, for access and erasure requests."""
    return Booking.objects.filter(email=email.strip().lower()).select_related(
        "location__clinic", "therapist", "appointment_type"
    )


def export_person(email: str) -> list[dict]:
    return [
        {
            "reference": booking.reference,
            "clinic": booking.location.clinic.name,
            "therapist": booking.therapist.name,
            "what": booking.appointment_type.name if booking.appointment_type else "",
            "start": booking.start.isoformat(),
            "status": booking.status,
            "name": booking.name,
            "email": booking.email,
            "phone": booking.phone,
            "consent_text": booking.consent_text,
            "consent_at": booking.consent_at.isoformat() if booking.consent_at else None,
            "created_at": booking.created_at.isoformat(),
        }
        for booking in bookings_of(email).order_by("created_at", "pk")
    ]


def erase_person(email: str) -> int:
    """Delete this person's bookings (their held times are freed); returns how many."""
    found = list(bookings_of(email))
    therapists = {booking.therapist_id for booking in found}
    with transaction.atomic():
        Booking.objects.filter(pk__in=[booking.pk for booking in found]).delete()
    for therapist in therapists:
        slots.refresh_next_available(therapist=therapist)
    return len(found)
