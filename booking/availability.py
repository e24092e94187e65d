"""What search reads from online booking: the soonest ranking, the "free in the next
7 days" filter and each card's "Next available: Tue 4:30 pm" with its first times.

All from the precomputed `OnlineBooking.next_free_at` and `first_times`
(`slots.refresh_next_available`), so a search page never generates slots: the
ranking is one query per circle like distance, the card data one query per page.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse

from booking import slots
from booking.models import OnlineBooking
from therapists import geo
from therapists.models import (
    NEAREST_MAX_GROWTH,
    NEAREST_START_COUNT,
    NEAREST_START_KM,
    ChordSquared,
    Ranked,
)

SOON_DAYS = 7  # `available=7`: a free slot within this many days
# More bookable rows than this in the circle's bounding box: rank "soonest" in time order.
CROWDED_BOX_ROWS = 2000
# Stand for a therapist's slug and a location's id in a URL reversed once a page.
SLUG_MARK = "slug-mark"
LOCATION_MARK = 987654321


def free_within(now: datetime.datetime, days: int = SOON_DAYS) -> datetime.datetime:
    return now + datetime.timedelta(days=days)


def with_free_time(therapists, locations, now: datetime.datetime, days: int = SOON_DAYS):
    """(therapists, locations) narrowed to a free slot with that therapist at that
    location within `days` of `now`."""
    soon = OnlineBooking.objects.free_within(free_within(now, days)).filter(next_free_at__gte=now)
    locations = locations.filter(Exists(soon.filter(location=OuterRef("pk"))))
    therapists = therapists.filter(Exists(soon.filter(therapist=OuterRef("pk"))))
    return therapists, locations


def soonest_within(therapists, origin: geo.Point, count: int, radius_km: float, locations) -> list[Ranked]:
    """The first `count` therapists within `radius_km` of `origin` by their earliest free
    slot at any of `locations` there, the nearer breaking ties, then the therapist's id;
    then, when fewer than `count` have one, the nearest of the others
    (`TherapistQuerySet.nearest`). Each row's `chord_sq` is that of the place of its
    earliest slot.

    An online booking carries its location's coordinates, so every read is of one
    index and never visits a location. When the circle's box holds few bookable rows
    (a town), they are all ranked at once (`online_booking_box`). In a city, the
    earliest slots anywhere are read in time order (`online_booking_soonest`) until a
    page's worth is inside the circle: every time before the last one read is then
    complete. Many share that last time (everyone free at the next opening), so its
    nearest are found by a growing circle at that one time, as `nearest` does.
    """
    search = _Soonest(therapists, origin, radius_km, locations)
    if not search.bookable(radius_km).order_by()[CROWDED_BOX_ROWS:].exists():
        rows = search.first(search.inside(radius_km), count)
    else:
        rows, after = [], None
        while len(rows) < count:
            wanted = count - len(rows)
            read = search.inside(radius_km, exclude=rows, after=after).order_by("next_free_at")
            read = list(read.values_list("therapist_id", "chord_sq", "next_free_at")[: wanted + SLACK])
            if not read:
                break
            last = read[-1][2]
            complete = read if len(read) < wanted + SLACK else [row for row in read if row[2] != last]
            complete.sort(key=lambda row: (row[2], row[1], row[0]))
            rows += _first_per_therapist([row[:2] for row in complete], wanted)
            if len(complete) == len(read) or len(rows) >= count:
                break
            rows += search.nearest_at(last, count - len(rows), exclude=rows)
            after = last
    rows = rows[:count]
    if len(rows) < count:
        # Every bookable therapist inside the circle is in `rows`: the others follow by distance.
        others = therapists.exclude(pk__in=[row.therapist_id for row in rows])
        rows += others.nearest(origin, count - len(rows), radius_km, locations)
    return rows


# Rows read beyond those wanted: a therapist bookable at two places inside the circle has two.
SLACK = 5


class _Soonest:
    """The reads of one soonest ranking: bookable rows inside a circle that match."""

    def __init__(self, therapists, origin: geo.Point, radius_km: float, locations):
        self.therapists = therapists
        self.origin = origin
        self.radius_km = radius_km
        self.locations = locations

    def bookable(self, radius_km: float):
        return OnlineBooking.objects.bookable().in_box(geo.bounding_box(self.origin, radius_km))

    def inside(self, radius_km: float, exclude=(), after=None):
        chord = geo.chord_for_distance_km(radius_km)
        rows = self.bookable(radius_km).annotate(chord_sq=ChordSquared(self.origin))
        rows = rows.filter(chord_sq__lte=chord * chord)
        if after is not None:
            rows = rows.filter(next_free_at__gt=after)
        if exclude:
            rows = rows.exclude(therapist__in=[row.therapist_id for row in exclude])
        # The location filters (accessible, open now with the therapist's own hours...)
        # hold for this therapist at this place; checked by id for the few rows read.
        pair = self.locations.per_therapist().filter(
            pk=OuterRef("location"), practitioner=OuterRef("therapist")
        )
        return rows.filter(Exists(pair), Exists(self.therapists.filter(pk=OuterRef("therapist"))))

    def first(self, rows, count: int) -> list[Ranked]:
        """The first `count` therapists of `rows` by time, distance and id."""
        rows = rows.order_by("next_free_at", "chord_sq", "therapist_id").values_list(
            "therapist_id", "chord_sq"
        )
        limit = count + SLACK
        while True:
            read = list(rows[:limit])
            found = _first_per_therapist(read, count)
            if len(found) >= count or len(read) < limit:
                return found
            limit *= 4

    def nearest_at(self, moment: datetime.datetime, count: int, exclude) -> list[Ranked]:
        """The `count` nearest therapists free first at `moment`, by a growing circle."""
        radius = min(NEAREST_START_KM * max(1.0, math.sqrt(count / NEAREST_START_COUNT)), self.radius_km)
        while True:
            rows = self.first(self.inside(radius, exclude=exclude).filter(next_free_at=moment), count)
            if len(rows) >= count or radius >= self.radius_km:
                return rows
            growth = math.sqrt(count / len(rows)) * 1.25 if rows else NEAREST_MAX_GROWTH
            radius = min(self.radius_km, radius * min(max(growth, 2.0), NEAREST_MAX_GROWTH))


def _first_per_therapist(rows, count: int) -> list[Ranked]:
    """Each therapist's first row of `rows` (therapist id, squared chord), up to `count`."""
    found: dict[int, Ranked] = {}
    for therapist_id, chord_sq in rows:
        if therapist_id not in found:
            found[therapist_id] = Ranked(therapist_id, chord_sq)
            if len(found) == count:
                break
    return list(found.values())


@dataclass
class NextAvailable:
    words: str  # "Tue 4:30 pm", on the location's clock
    times: list[tuple[str, str]]  # (words, booking link) for the first few free times
    url: str  # the time picker


def next_available(
    pairs: list[tuple[int, int]], now: datetime.datetime
) -> dict[tuple[int, int], NextAvailable]:
    """For (therapist id, location id) pairs, the next free times of those who take
    online bookings there, in one query."""
    if not pairs:
        return {}
    therapist_ids = {therapist for therapist, _location in pairs}
    location_ids = {location for _therapist, location in pairs}
    rows = (
        OnlineBooking.objects.active()
        .filter(therapist__in=therapist_ids, location__in=location_ids, next_free_at__isnull=False)
        .values_list("therapist_id", "therapist__slug", "location_id", "location__time_zone", "first_times")
    )
    # Reversed once a page; many cards share the same times (all free at the next opening).
    picker = reverse("booking:choose-time", args=[SLUG_MARK, LOCATION_MARK])
    details = reverse("booking:details", args=[SLUG_MARK, LOCATION_MARK])
    words: dict[tuple[datetime.datetime, str], str] = {}

    def in_words(moment: datetime.datetime, zone: str) -> str:
        if (moment, zone) not in words:
            words[moment, zone] = slots.in_words(moment, zone, now)
        return words[moment, zone]

    found = {}
    for therapist_id, slug, location_id, zone, first_times in rows:
        if (therapist_id, location_id) not in pairs:
            continue
        times = [(datetime.datetime.fromisoformat(text), text) for text in first_times]
        times = [(time, text) for time, text in times if time > now]  # precomputed a few minutes ago
        if not times:
            continue
        # The location first: a slug never holds the location mark's digits once replaced.
        at = (str(location_id), slug)
        booking = details.replace(str(LOCATION_MARK), at[0]).replace(SLUG_MARK, at[1])
        found[therapist_id, location_id] = NextAvailable(
            words=in_words(times[0][0], zone),
            times=[(in_words(time, zone), f"{booking}?start={text}") for time, text in times],
            url=picker.replace(str(LOCATION_MARK), at[0]).replace(SLUG_MARK, at[1]),
        )
    return found
