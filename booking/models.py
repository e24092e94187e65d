"""Online booking: what a clinic lets patients book, and the bookings themselves.

A therapist takes bookings at a location when the clinic adds an `OnlineBooking`
for that pair (Therapist.locations stays a plain many-to-many). What can be booked
is the clinic's `AppointmentType`s. A `Booking` is a patient's appointment or time
a clinic blocked; the `SlotCell`s it claims (15-minute cells of the therapist's
time, unique per therapist) are what makes a double booking impossible: the
database refuses a second claim on any cell, on SQLite and PostgreSQL alike.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from therapists import geo
from therapists.models import Clinic, Fee, Location, Therapist, ecef_expressions, in_box, new_reference

_ECEF = ecef_expressions()

# The grid every booking is claimed on (minutes). Appointment starts fall on it and
# lengths with their buffer are rounded up to whole cells.
CELL_MINUTES = 15
CELL = datetime.timedelta(minutes=CELL_MINUTES)


class MeetingKind(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone call")
    VIDEO = "video", _("Online video")


class AppointmentType(models.Model):
    """Something a clinic lets patients book: the free consult, or a paid visit from its fees."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="appointment_types")
    name = models.CharField(_("name"), max_length=80, help_text=_("e.g. “Free consult”."))
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=15)
    buffer_minutes = models.PositiveSmallIntegerField(
        _("buffer after (minutes)"), default=0, help_text=_("Time kept free after it, e.g. to clean up.")
    )
    meeting = models.CharField(
        _("how"), max_length=10, choices=MeetingKind.choices, default=MeetingKind.PHONE
    )
    is_free_consult = models.BooleanField(_("free consult"), default=False)
    fee = models.ForeignKey(
        Fee,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment_types",
        verbose_name=_("fee"),
        help_text=_("For a paid appointment: the fee it costs, from the clinic's fee list."),
    )
    is_active = models.BooleanField(_("bookable"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["clinic", "position", "minutes", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=5, minutes__lte=480), name="appointment_type_length_sane"
            ),
            models.CheckConstraint(condition=Q(buffer_minutes__lte=120), name="appointment_type_buffer_sane"),
        ]

    def __str__(self):
        return f"{self.name} ({self.minutes} min)"

    @property
    def cells(self) -> int:
        """How many grid cells a booking of this type claims (length and buffer, rounded up)."""
        return -(-(self.minutes + self.buffer_minutes) // CELL_MINUTES)


class OnlineBookingQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def bookable(self):
        """Those taking bookings that have a free time (the rows of the soonest indexes)."""
        return self.filter(is_active=True, next_free_at__isnull=False)

    def in_box(self, box: geo.Box):
        """Those whose location is inside a bounding box (from the copied coordinates)."""
        return self.filter(in_box(box))

    def free_within(self, until: datetime.datetime):
        """Those with a free slot before `until` (from the precomputed `next_free_at`)."""
        return self.active().filter(next_free_at__lt=until)


class OnlineBooking(models.Model):
    """A therapist takes online bookings at a location, with the clinic's rules for it.

    `next_free_at` and `first_times` are precomputed by `slots.refresh_next_available`
    on every booking, cancellation and change of hours, so searches never generate slots.
    """

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="online_bookings")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="online_bookings")
    is_active = models.BooleanField(_("takes online bookings"), default=True)
    window_days = models.PositiveSmallIntegerField(
        _("bookable ahead (days)"), default=28, help_text=_("How far ahead patients can book.")
    )
    notice_hours = models.PositiveSmallIntegerField(
        _("minimum notice (hours)"), default=2, help_text=_("The soonest a patient can book from now.")
    )
    cutoff_hours = models.PositiveSmallIntegerField(
        _("cancel or change up to (hours before)"),
        default=24,
        help_text=_("Patients can cancel or reschedule online until this many hours before."),
    )
    next_free_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_times = models.JSONField(default=list, blank=True, editable=False)
    refreshed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The location's coordinates, copied with `next_free_at` (a location that moves is
    # refreshed), so "soonest" reads one index in time order without visiting locations.
    latitude = models.FloatField(null=True, blank=True, editable=False)
    longitude = models.FloatField(null=True, blank=True, editable=False)
    ecef_x = models.GeneratedField(expression=_ECEF["x"], output_field=models.FloatField(), db_persist=True)
    ecef_y = models.GeneratedField(expression=_ECEF["y"], output_field=models.FloatField(), db_persist=True)
    ecef_z = models.GeneratedField(expression=_ECEF["z"], output_field=models.FloatField(), db_persist=True)

    objects = OnlineBookingQuerySet.as_manager()

    class Meta:
        ordering = ["location", "therapist"]
        constraints = [
            models.UniqueConstraint(fields=["therapist", "location"], name="online_booking_once_per_place"),
            models.CheckConstraint(condition=Q(window_days__gte=1, window_days__lte=180), name="window_sane"),
        ]
        indexes = [
            models.Index(fields=["next_free_at", "location"], name="online_booking_next_free"),
            models.Index(fields=["location", "therapist", "next_free_at"], name="online_booking_place"),
            # `availability.soonest_within`: bookable rows in time order, or in a box, each
            # answering "is it inside the circle?" from the index alone.
            models.Index(
                fields=["next_free_at", "latitude", "longitude", "ecef_x", "ecef_y", "ecef_z", "therapist"],
                condition=Q(is_active=True, next_free_at__isnull=False),
                name="online_booking_soonest",
            ),
            models.Index(
                fields=["latitude", "longitude", "ecef_x", "ecef_y", "ecef_z", "next_free_at", "therapist"],
                condition=Q(is_active=True, next_free_at__isnull=False),
                name="online_booking_box",
            ),
        ]

    def __str__(self):
        return f"{self.therapist} at {self.location}"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


# Statuses that hold the therapist's time.
HOLDING = [BookingStatus.BOOKED, BookingStatus.CONFIRMED, BookingStatus.NO_SHOW]


class BookingKind(models.TextChoices):
    APPOINTMENT = "appointment", _("Appointment")
    BLOCK = "block", _("Blocked time")


class BookingQuerySet(models.QuerySet):
    def holding(self):
        """Bookings that hold the therapist's time (not cancelled)."""
        return self.filter(status__in=HOLDING)

    def appointments(self):
        return self.filter(kind=BookingKind.APPOINTMENT)

    def between(self, start: datetime.datetime, end: datetime.datetime):
        return self.filter(start__lt=end, end__gt=start)

    def to_remind(self, now: datetime.datetime):
        """Appointments starting within the next day that were not reminded yet."""
        return (
            self.appointments()
            .filter(status__in=[BookingStatus.BOOKED, BookingStatus.CONFIRMED], reminded_at__isnull=True)
            .filter(start__gt=now, start__lte=now + datetime.timedelta(days=1))
        )


class Booking(models.Model):
    """A patient's appointment (or time the clinic blocked), with the consent given."""

    kind = models.CharField(max_length=12, choices=BookingKind.choices, default=BookingKind.APPOINTMENT)
    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="bookings")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="bookings")
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    reference = models.CharField(max_length=9, unique=True, default=new_reference, editable=False)
    name = models.CharField(_("patient's name"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("Staff only, e.g. why the time is blocked.")
    )
    booked_by_staff = models.BooleanField(default=False, editable=False)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_version = models.CharField(max_length=40, blank=True)
    consent_text = models.TextField(blank=True)
    # The language the patient booked in: the reminder (sent later, by cron) speaks it too.
    language = models.CharField(max_length=8, default="en", editable=False)
    notified_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            # A second line of defence beside the cells: one live booking per start.
            models.UniqueConstraint(
                fields=["therapist", "start"],
                condition=Q(status__in=HOLDING),
                name="booking_one_per_start",
            ),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="booking_ends_after_start"),
            models.CheckConstraint(
                condition=Q(kind=BookingKind.BLOCK) | ~Q(consent_version=""), name="booking_has_consent"
            ),
        ]
        indexes = [
            models.Index(fields=["location", "start"], name="booking_location_start"),
            models.Index(fields=["email"], name="booking_email"),
            models.Index(fields=["start"], condition=Q(reminded_at__isnull=True), name="booking_to_remind"),
        ]

    def __str__(self):
        if self.kind == BookingKind.BLOCK:
            return gettext("Blocked %(start)s (%(therapist)s)") % {
                "start": f"{self.start:%Y-%m-%d %H:%M}",
                "therapist": self.therapist,
            }
        return gettext("Booking %(reference)s (%(status)s)") % {
            "reference": self.reference,
            "status": self.get_status_display(),
        }


class SlotCell(models.Model):
    """One 15-minute cell of a therapist's time, claimed by a live booking.

    The unique (therapist, cell) rule is what refuses a double booking; a cancelled
    booking's cells are deleted in the same transaction that cancels it.
    """

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="+")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="cells")
    cell = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["therapist", "cell"], name="slot_cell_claimed_once")]

    def __str__(self):
        return f"{self.therapist_id} {self.cell:%Y-%m-%d %H:%M}"
