"""Free times: generated from the therapist's working hours at a location
(`therapists.hours.Calendar`: weekly hours, closures, special hours, statutory
holidays, the therapist's own days), minus the cells booked or blocked.

Slots are generated on the location's own clock (zoneinfo) and kept in UTC, so a
change to or from daylight time neither creates nor loses a slot: a 9-to-5 day has
the same times on the day the clocks change. `refresh_next_available` keeps the
precomputed `OnlineBooking.next_free_at` that searches rank by.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from booking.models import CELL, CELL_MINUTES, AppointmentType, OnlineBooking, SlotCell
from therapists import hours
from therapists.models import Closure, Location, SpecialHours, TherapistHours

UTC = datetime.UTC
FIRST_TIMES = 3  # times shown as links on a card


def _calendar(online: OnlineBooking) -> hours.Calendar:
    own = TherapistHours.objects.filter(therapist_id=online.therapist_id, location_id=online.location_id)
    return hours.Calendar.of(online.location, own)


def _local(day: datetime.date, moment: datetime.time, zone: ZoneInfo) -> datetime.datetime | None:
    """The UTC instant of a wall-clock time, or None when the clocks skip it (spring forward)."""
    local = datetime.datetime.combine(day, moment, tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def starts_in_hours(
    calendar: hours.Calendar, first_day: datetime.date, days: int, minutes: int
) -> list[datetime.datetime]:
    """Every grid start (UTC) on `days` local dates from `first_day` where an appointment
    of `minutes` fits inside the working hours. Pure: no database."""
    zone = ZoneInfo(calendar.zone)
    length = datetime.timedelta(minutes=minutes)
    starts = []
    for offset in range(days):
        day = first_day + datetime.timedelta(days=offset)
        periods, _reason = calendar.day(day)
        for opens, closes in periods:
            start, end = _local(day, opens, zone), _local(day, closes, zone)
            if start is None or end is None:
                continue
            # Start on the grid: the first whole cell at or after opening.
            start = _on_grid(start)
            while start + length <= end:
                starts.append(start)
                start += CELL
    return starts


def _on_grid(moment: datetime.datetime) -> datetime.datetime:
    moment = moment.astimezone(UTC).replace(second=0, microsecond=0)
    late = moment.minute % CELL_MINUTES
    return moment + datetime.timedelta(minutes=CELL_MINUTES - late) if late else moment


def cells_of(start: datetime.datetime, appointment_type: AppointmentType) -> list[datetime.datetime]:
    return [start + CELL * n for n in range(appointment_type.cells)]


def taken_cells(
    therapist_id: int, start: datetime.datetime, end: datetime.datetime
) -> set[datetime.datetime]:
    return set(
        SlotCell.objects.filter(therapist_id=therapist_id, cell__gte=start, cell__lt=end).values_list(
            "cell", flat=True
        )
    )


def free_slots(
    online: OnlineBooking,
    appointment_type: AppointmentType,
    now: datetime.datetime | None = None,
    limit: int | None = None,
) -> list[datetime.datetime]:
    """The free starts (UTC) for `appointment_type` with this therapist at this location,
    from the minimum notice to the end of the booking window."""
    now = now or hours.current_time()
    calendar = _calendar(online)
    earliest = now + datetime.timedelta(hours=online.notice_hours)
    today = now.astimezone(ZoneInfo(calendar.zone)).date()
    starts = starts_in_hours(calendar, today, online.window_days + 1, appointment_type.minutes)
    starts = [start for start in starts if start >= earliest]
    if not starts:
        return []
    taken = taken_cells(online.therapist_id, starts[0], starts[-1] + CELL * appointment_type.cells)
    free = []
    for start in starts:
        if not taken.intersection(cells_of(start, appointment_type)):
            free.append(start)
            if limit and len(free) >= limit:
                break
    return free


def fits_hours(online: OnlineBooking, appointment_type: AppointmentType, start: datetime.datetime) -> bool:
    """True when `start` is a slot the working hours allow today (read afresh from the
    database): a change of hours or a closure after times were shown is respected."""
    location = Location.objects.prefetch_related("opening_hours", "closures", "special_hours").get(
        pk=online.location_id
    )
    online.location = location
    calendar = _calendar(online)
    day = start.astimezone(ZoneInfo(calendar.zone)).date()
    return start in starts_in_hours(calendar, day, 1, appointment_type.minutes)


def headline_type(clinic_types: Iterable[AppointmentType]) -> AppointmentType | None:
    """The type a card's "next available" is for: the free consult, else the shortest."""
    types = [t for t in clinic_types if t.is_active]
    consults = [t for t in types if t.is_free_consult]
    return (consults or sorted(types, key=lambda t: t.minutes) or [None])[0]


def refresh_next_available(
    *, therapist=None, location=None, clinic=None, now: datetime.datetime | None = None
) -> int:
    """Recompute `next_free_at` and the first few times of the online bookings matching
    (any of `therapist`, `location`, `clinic`; none: all). Called after every booking,
    cancellation and change of hours, and by `refresh_next_available` (the window rolls).
    Returns how many were refreshed."""
    now = now or hours.current_time()
    soon = (now - datetime.timedelta(days=1)).date()
    rows = OnlineBooking.objects.select_related("location").prefetch_related(
        "location__opening_hours",
        Prefetch("location__closures", queryset=Closure.objects.filter(last_day__gte=soon)),
        Prefetch("location__special_hours", queryset=SpecialHours.objects.filter(date__gte=soon)),
        Prefetch(
            "location__clinic__appointment_types", queryset=AppointmentType.objects.filter(is_active=True)
        ),
    )
    wanted = Q()
    if therapist is not None:
        wanted &= Q(therapist=therapist)
    if location is not None:
        wanted &= Q(location=location)
    if clinic is not None:
        wanted &= Q(location__clinic=clinic)
    count = 0
    for online in rows.filter(wanted):
        kind = headline_type(online.location.clinic.appointment_types.all())
        times = free_slots(online, kind, now, limit=FIRST_TIMES) if kind and online.is_active else []
        online.next_free_at = times[0] if times else None
        online.first_times = [time.isoformat() for time in times]
        online.refreshed_at = timezone.now()
        online.latitude, online.longitude = online.location.latitude, online.location.longitude
        online.save(update_fields=["next_free_at", "first_times", "refreshed_at", "latitude", "longitude"])
        count += 1
    return count


def full_words(moment: datetime.datetime, zone: str) -> str:
    """ "Tuesday 8 December, 4:30 pm" on the location's clock (for emails and confirmations)."""
    local = moment.astimezone(ZoneInfo(zone))
    return gettext("%(day)s, %(time)s") % {
        "day": date_format(local, "l j F Y"),
        "time": hours.clock(local.time()),
    }


def in_words(moment: datetime.datetime, zone: str, now: datetime.datetime | None = None) -> str:
    """ "Tue 4:30 pm", "today 9 am", "tomorrow 2 pm" on the location's clock."""
    now = now or hours.current_time()
    local = moment.astimezone(ZoneInfo(zone))
    today = now.astimezone(ZoneInfo(zone)).date()
    if local.date() == today:
        day = gettext("today")
    elif local.date() == today + datetime.timedelta(days=1):
        day = gettext("tomorrow")
    elif local.date() < today + datetime.timedelta(days=7):
        day = date_format(local, "D")
    else:
        day = date_format(local, "D j M")
    return gettext("%(day)s %(time)s") % {"day": day, "time": hours.clock(local.time())}
