"""What search reads from online booking: the soonest ranking, the "free in the next
7 days" filter and each card's "Next available: Tue 4:30 pm" with its first times.

All from the precomputed `OnlineBooking.next_free_at` and `first_times`
(`slots.refresh_next_available`), so a search page never generates slots: the
ranking is one query per circle like distance, the card data one query per page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, F, Min, OuterRef, Q
from django.urls import reverse

from booking import slots
from booking.models import OnlineBooking
from therapists import geo
from therapists.models import ChordSquared, Ranked

SOON_DAYS = 7  # `available=7`: a free slot within this many days


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
    slot at any of `locations` there, distance breaking ties; then, when fewer than
    `count` have one, the nearest of the others (`TherapistQuerySet.nearest`).

    Reads only the online bookings inside the circle's bounding box (through the
    location box index), never every location within the radius: the rest come from
    the bounded nearest search.
    """
    box = geo.bounding_box(origin, radius_km)
    chord = geo.chord_for_distance_km(radius_km)
    longitudes = Q()
    for west, east in box.longitudes:
        longitudes |= Q(location__longitude__gte=west, location__longitude__lte=east)
    # The distance to the booking's location, computed as `LocationQuerySet.within` does.
    chord_sq = ChordSquared(origin)
    chord_sq.set_source_expressions([F(f"location__ecef_{axis}") for axis in "xyz"])
    bookable = OnlineBooking.objects.active().filter(
        longitudes, location__latitude__gte=box.south, location__latitude__lte=box.north
    )
    if locations.query.where:  # location filters (accessible, open now...) apply too
        bookable = bookable.filter(location__in=locations)
    bookable = (
        bookable.filter(next_free_at__isnull=False)
        .filter(Exists(therapists.filter(pk=OuterRef("therapist"))))
        .annotate(chord_sq=chord_sq)
        .filter(chord_sq__lte=chord * chord)
        .values("therapist_id")
        .annotate(soonest=Min("next_free_at"), nearest_chord_sq=Min("chord_sq"))
        .order_by("soonest", "nearest_chord_sq", "therapist_id")
        .values_list("therapist_id", "nearest_chord_sq")
    )
    rows = [Ranked(*row) for row in bookable[:count]]
    if len(rows) < count:
        # Every bookable therapist inside the circle is in `rows`: the others follow by distance.
        others = therapists.exclude(pk__in=[row.therapist_id for row in rows])
        rows += others.nearest(origin, count - len(rows), radius_km, locations)
    return rows


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
    found = {}
    for therapist_id, slug, location_id, zone, first_times in rows:
        if (therapist_id, location_id) not in pairs:
            continue
        times = [datetime.datetime.fromisoformat(text) for text in first_times]
        times = [time for time in times if time > now]  # the precomputed times may be a few minutes old
        if not times:
            continue
        picker = reverse("booking:choose-time", args=[slug, location_id])
        details = reverse("booking:details", args=[slug, location_id])
        found[therapist_id, location_id] = NextAvailable(
            words=slots.in_words(times[0], zone, now),
            times=[
                (slots.in_words(time, zone, now), f"{details}?start={time.isoformat()}") for time in times
            ],
            url=picker,
        )
    return found
