"""Opening hours that tell the truth: is a location (or a therapist there) open at a
moment, in the location's own time zone, and how to say it in words.

A day's hours come from, in order: a temporary closure ("closed until"), a closure
for a range of dates, one-off special hours, the province's statutory holidays
(closed unless special hours say it opens), and last the weekly table. A therapist
with their own weekly hours at a location works within those, on the days the
location is open.

`Calendar` and `status` are pure Python (tested without a database); `open_at`,
`open_evenings` and `open_weekends` are the same rules as database conditions on
locations, so searches filter and still rank nearest first in the database.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.translation import gettext, gettext_lazy

from therapists import geo, page_cache
from therapists.models import Closure, Location, OpeningHours, Province, SpecialHours, TherapistHours

Period = tuple[datetime.time, datetime.time]  # opens, closes (closes after opens, same day)
EVENING = datetime.time(18, 0)  # "evenings": open after 6 pm
SATURDAY = 5
# How far ahead "opens ..." looks for the next opening (days).
LOOKAHEAD_DAYS = 14


def current_time() -> datetime.datetime:
    """The moment a page is computed for (tests replace it for a fixed clock)."""
    return timezone.now()


@functools.cache
def _holidays(province: str, year: int) -> dict[datetime.date, str]:
    return dict(holidays.country_holidays("CA", subdiv=province, years=year))


def holiday_name(province: str, day: datetime.date) -> str:
    """The name of the statutory holiday of `province` on `day`, or ""."""
    return _holidays(province, day.year).get(day, "")


@dataclass
class Calendar:
    """Everything that decides one location's hours (and one therapist's there)."""

    zone: str
    province: str
    weekly: dict[int, list[Period]] = field(default_factory=dict)
    closures: list[tuple[datetime.date, datetime.date, str]] = field(default_factory=list)
    special: dict[datetime.date, list[Period]] = field(default_factory=dict)
    closed_until: datetime.date | None = None
    closed_reason: str = ""
    # The therapist's own weekly hours at the location; None: the location's.
    own: dict[int, list[Period]] | None = None

    @classmethod
    def of(cls, location: Location, own: Iterable[TherapistHours] | None = None) -> Calendar:
        """From a location with `opening_hours`, `closures` and `special_hours` prefetched."""
        return cls.of_rows(
            location,
            weekly=[(p.weekday, p.opens, p.closes) for p in location.opening_hours.all()],
            closures=[(c.first_day, c.last_day, c.reason) for c in location.closures.all()],
            special=[(s.date, s.opens, s.closes) for s in location.special_hours.all()],
            own=[(p.weekday, p.opens, p.closes) for p in own or []],
        )

    @classmethod
    def of_rows(
        cls,
        location: Location,
        weekly: Iterable[tuple[int, datetime.time, datetime.time]],
        closures: Iterable[tuple[datetime.date, datetime.date, str]] = (),
        special: Iterable[tuple[datetime.date, datetime.time, datetime.time]] = (),
        own: Iterable[tuple[int, datetime.time, datetime.time]] = (),
    ) -> Calendar:
        """From a location's rows as tuples: (weekday, opens, closes) of its weekly hours,
        (first day, last day, reason) of its closures, (date, opens, closes) of its special
        hours, and (weekday, opens, closes) of the therapist's own hours there (none: the
        location's)."""
        calendar = cls(
            zone=location.time_zone or geo.time_zone_at(location.point, location.province),
            province=location.province,
            closed_until=location.closed_until,
            closed_reason=location.closed_reason,
            closures=list(closures),
        )
        for weekday, opens, closes in weekly:
            calendar.weekly.setdefault(weekday, []).append((opens, closes))
        for date, opens, closes in special:
            calendar.special.setdefault(date, []).append((opens, closes))
        for weekday, opens, closes in own:
            calendar.own = {} if calendar.own is None else calendar.own
            calendar.own.setdefault(weekday, []).append((opens, closes))
        return calendar

    def day(self, day: datetime.date) -> tuple[list[Period], str]:
        """The periods open on `day` (local date), sorted, and why it is closed if it is."""
        if self.closed_until and day < self.closed_until:
            return [], self.closed_reason or gettext("temporarily closed")
        for first, last, reason in self.closures:
            if first <= day <= last:
                return [], reason or gettext("closed")
        if day in self.special:
            periods = self.special[day]
        else:
            holiday = holiday_name(self.province, day)
            if holiday:
                return [], holiday
            periods = self.weekly.get(day.weekday(), [])
        if self.own is not None:
            periods = _overlap(periods, self.own.get(day.weekday(), []))
        return sorted(periods), ""


def _weekly_periods(calendar: Calendar, weekday: int) -> list[Period]:
    """The periods of the weekly table on `weekday`, narrowed to the therapist's own."""
    periods = calendar.weekly.get(weekday, [])
    return periods if calendar.own is None else _overlap(periods, calendar.own.get(weekday, []))


def opens_evenings(calendar: Calendar) -> bool:
    """Open after 6 pm on some weekday, by the weekly table (the `evenings` filter)."""
    return any(closes > EVENING for day in range(SATURDAY) for _, closes in _weekly_periods(calendar, day))


def opens_weekends(calendar: Calendar) -> bool:
    """Open on Saturday or Sunday, by the weekly table (the `weekends` filter)."""
    return any(_weekly_periods(calendar, day) for day in (SATURDAY, SATURDAY + 1))


def _overlap(these: list[Period], those: list[Period]) -> list[Period]:
    return [(max(a, c), min(b, d)) for a, b in these for c, d in those if max(a, c) < min(b, d)]


@dataclass
class Status:
    is_open: bool
    words: str


def clock(moment: datetime.time) -> str:
    """ "9 am", "8:30 pm", "noon"; on a 24-hour clock (French) "9 h", "20 h 30"."""
    if get_format("TIME_FORMAT").startswith("H"):
        return f"{moment.hour} h {moment.minute:02d}" if moment.minute else f"{moment.hour} h"
    if moment == datetime.time(12, 0):
        return gettext("noon")
    hour = moment.hour % 12 or 12
    text = f"{hour}:{moment.minute:02d}" if moment.minute else str(hour)
    return (gettext("%(time)s am") if moment.hour < 12 else gettext("%(time)s pm")) % {"time": text}


def local_now(zone: str, now: datetime.datetime) -> datetime.datetime:
    """`now` on the clocks of `zone`, to the second (hours are kept to the minute)."""
    return now.astimezone(ZoneInfo(zone)).replace(microsecond=0)


def status(calendar: Calendar, now: datetime.datetime) -> Status:
    """Open or not at `now`, in words, in the location's own zone."""
    local = local_now(calendar.zone, now)
    today, moment = local.date(), local.time()
    if calendar.closed_until and today < calendar.closed_until:
        words = gettext("Temporarily closed until %(date)s") % {
            "date": date_format(calendar.closed_until, "j F")
        }
        if calendar.closed_reason:
            words += f" ({calendar.closed_reason})"
        return Status(False, words)
    periods, reason = calendar.day(today)
    for opens, closes in periods:
        if opens <= moment < closes:
            return Status(True, gettext("Open now, until %(time)s") % {"time": clock(closes)})
    later = [opens for opens, closes in periods if opens > moment]
    if later:
        return Status(False, gettext("Closed, opens at %(time)s") % {"time": clock(later[0])})
    if reason:
        return Status(False, gettext("Closed today (%(reason)s)") % {"reason": reason})
    for ahead in range(1, LOOKAHEAD_DAYS + 1):
        day = today + datetime.timedelta(days=ahead)
        periods, _ = calendar.day(day)
        if periods:
            when = gettext("tomorrow") if ahead == 1 else date_format(day, "l" if ahead < 7 else "l j F")
            return Status(
                False,
                gettext("Closed, opens %(day)s %(time)s") % {"day": when, "time": clock(periods[0][0])},
            )
    return Status(False, gettext("Closed"))


def is_open(calendar: Calendar, now: datetime.datetime) -> bool:
    return status(calendar, now).is_open


def mark_now(locations: Iterable[Location], therapist=None, now: datetime.datetime | None = None) -> None:
    """Set `hours_now` (a Status) on each location, and `own_hours` (the therapist's own
    weekly periods there, by weekday) when `therapist` is given. Uses prefetched
    `opening_hours`, `closures`, `special_hours` and the therapist's `working_hours`."""
    now = now or current_time()
    own: dict[int, list[TherapistHours]] = {}
    if therapist is not None:
        for period in therapist.working_hours.all():
            own.setdefault(period.location_id, []).append(period)
    for location in locations:
        location.own_hours = own.get(location.pk, [])
        location.hours_now = status(Calendar.of(location, location.own_hours), now)


def copy_monday_to_weekdays(location: Location) -> None:
    """Tuesday to Friday get Monday's opening hours (the admin's "copy Monday")."""
    monday = list(location.opening_hours.filter(weekday=0))
    with transaction.atomic():
        location.opening_hours.filter(weekday__in=range(1, 5)).delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(location=location, weekday=day, opens=period.opens, closes=period.closes)
            for day in range(1, 5)
            for period in monday
        )
        page_cache.listings_changed()  # bulk_create sends no signals


# The weekly table as one line of text, for CSV files: "Mon 09:00-17:00; Tue 09:00-12:00, 13:00-17:00".
DAY_CODES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
BAD_WEEK = gettext_lazy(
    "Write hours as days and times, e.g. “Mon 09:00-17:00; Sat 10:00-14:00” (%(problem)s)."
)


def format_week(periods: Iterable[OpeningHours]) -> str:
    by_day: dict[int, list[str]] = {}
    for period in sorted(periods, key=lambda p: (p.weekday, p.opens)):
        by_day.setdefault(period.weekday, []).append(f"{period.opens:%H:%M}-{period.closes:%H:%M}")
    return "; ".join(f"{DAY_CODES[day]} {', '.join(times)}" for day, times in by_day.items())


def parse_week(text: str) -> list[tuple[int, datetime.time, datetime.time]]:
    """(weekday, opens, closes) from `format_week`'s text; ValueError with a message to show."""
    week = []
    for part in filter(None, (part.strip() for part in (text or "").split(";"))):
        code, _, times = part.partition(" ")
        if code.title() not in DAY_CODES:
            raise ValueError(BAD_WEEK % {"problem": gettext("unknown day “%(day)s”") % {"day": code[:10]}})
        for span in filter(None, (span.strip() for span in times.split(","))):
            try:
                opens, closes = (datetime.time.fromisoformat(t.strip()) for t in span.split("-"))
            except ValueError:
                raise ValueError(BAD_WEEK % {"problem": span[:20]}) from None
            if closes <= opens:
                raise ValueError(
                    BAD_WEEK % {"problem": gettext("closes before it opens: %(span)s") % {"span": span}}
                )
            week.append((DAY_CODES.index(code.title()), opens, closes))
    return week


def replace_week(location: Location, week: list[tuple[int, datetime.time, datetime.time]]) -> None:
    """The location's weekly hours become `week` (from `parse_week`)."""
    with transaction.atomic():
        location.opening_hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(location=location, weekday=day, opens=opens, closes=closes)
            for day, opens, closes in week
        )
        page_cache.listings_changed()  # bulk_create sends no signals


# The same rules as database conditions on Location rows.


def open_at(now: datetime.datetime, working: bool = False) -> Q:
    """Locations open at `now`, each on its own zone's clock.

    Zones that read the same local date and time at `now` share one condition, so
    the SQL has a handful of branches (one per distinct clock), not one per zone.
    With `working`, the rows are a location joined to a therapist who practises there
    (`practitioner`, see `LocationQuerySet.per_therapist`), who must be working then too.
    """
    clocks: dict[tuple[datetime.date, datetime.time], list[str]] = defaultdict(list)
    for zone in geo.CANADIAN_TIME_ZONES:
        local = local_now(zone, now)
        clocks[(local.date(), local.time())].append(zone)
    condition = Q(pk__in=[])
    for (day, moment), zones in clocks.items():
        here = {"location": OuterRef("pk")}
        weekly = OpeningHours.objects.filter(
            **here, weekday=day.weekday(), opens__lte=moment, closes__gt=moment
        )
        special = SpecialHours.objects.filter(**here, date=day)
        special_open = special.filter(opens__lte=moment, closes__gt=moment)
        closed = Closure.objects.filter(**here, first_day__lte=day, last_day__gte=day)
        on_holiday = [province for province in Province.values if holiday_name(province, day)]
        branch = (
            Q(time_zone__in=zones)
            & ~Q(closed_until__gt=day)
            & ~Exists(closed)
            & (Exists(special_open) | (~Exists(special) & ~Q(province__in=on_holiday) & Exists(weekly)))
        )
        if working:
            branch &= _working(weekday=day.weekday(), opens__lte=moment, closes__gt=moment)
        condition |= branch
    return condition


def open_evenings(working: bool = False) -> Q:
    """Locations open after 6 pm on at least one weekday (Monday to Friday); with
    `working`, the therapist joined to each (`practitioner`) works there then too."""
    return _weekly(working, weekday__lt=SATURDAY, closes__gt=EVENING)


def open_weekends(working: bool = False) -> Q:
    """Locations open on Saturday or Sunday; with `working`, the therapist joined to
    each (`practitioner`) works there on one of those days too."""
    return _weekly(working, weekday__gte=SATURDAY)


# A therapist's own hours at a location narrow its hours (`Calendar.day`): these read
# the therapist from the `practitioner` of the Location rows being filtered
# (`LocationQuerySet.per_therapist`), so a search filters (therapist, location) pairs
# and still ranks them in the database.


def _own_hours():
    return TherapistHours.objects.filter(therapist=OuterRef("practitioner"), location=OuterRef("pk"))


def _working(**period) -> Q:
    """The therapist keeps no hours of their own at the location, or one of theirs matches `period`."""
    return ~Exists(_own_hours()) | Exists(_own_hours().filter(**period))


def _weekly(working: bool, **period) -> Q:
    """The location has a weekly period matching `period`; with `working`, when the
    therapist keeps hours of their own there, one of theirs matching `period` overlaps
    such a location period on the same day (so the hours they share match too)."""
    weekly = Q(Exists(OpeningHours.objects.filter(location=OuterRef("pk"), **period)))
    if not working:
        return weekly
    overlapping = OpeningHours.objects.filter(
        location=OuterRef("location"),
        weekday=OuterRef("weekday"),
        opens__lt=OuterRef("closes"),
        closes__gt=OuterRef("opens"),
    ).filter(**period)
    return (weekly & ~Exists(_own_hours())) | Exists(
        _own_hours().filter(**period).filter(Exists(overlapping))
    )
