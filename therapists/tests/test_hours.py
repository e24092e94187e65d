import dataclasses
import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from therapists import geo, hours
from therapists.models import Closure, Location, OpeningHours, SpecialHours, TherapistHours
from therapists.tests.factories import make_location, make_therapist

T = datetime.time
UTC = datetime.UTC
NINE_TO_FIVE = {day: [(T(9), T(17))] for day in range(5)}

REGINA = (50.4452, -104.6189)
ST_JOHNS = (47.5615, -52.7126)
WHITEHORSE = (60.7212, -135.0568)
WINNIPEG = (49.8844, -97.14704)


def at(zone: str, *args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=ZoneInfo(zone))


def calendar(zone="America/Winnipeg", province="MB", weekly=None, **fields) -> hours.Calendar:
    return hours.Calendar(
        zone=zone, province=province, weekly=NINE_TO_FIVE if weekly is None else weekly, **fields
    )


# Time zones from coordinates


@pytest.mark.parametrize(
    "point, province, zone",
    [
        (REGINA, "SK", "America/Regina"),
        (WINNIPEG, "MB", "America/Winnipeg"),
        (ST_JOHNS, "NL", "America/St_Johns"),
        (WHITEHORSE, "YT", "America/Whitehorse"),
        ((49.2827, -123.1207), "BC", "America/Vancouver"),
        ((0.0, -30.0), "NS", "America/Halifax"),  # mid-ocean: the province's zone
    ],
)
def test_a_point_gets_its_own_time_zone_offline(point, province, zone):
    assert geo.time_zone_at(geo.Point(*point), province) == zone


@pytest.mark.django_db
def test_a_location_stores_the_zone_of_its_coordinates_whatever_the_server_keeps(settings):
    settings.TIME_ZONE = "UTC"
    location = make_location(at=REGINA, province="SK")

    assert Location.objects.get(pk=location.pk).time_zone == "America/Regina"

    location.latitude, location.longitude = ST_JOHNS
    location.save(update_fields=["latitude", "longitude"])
    assert Location.objects.get(pk=location.pk).time_zone == "America/St_Johns"


# Words, across zones and daylight time


def test_a_location_open_now_says_until_when():
    assert hours.status(calendar(), at("America/Winnipeg", 2026, 11, 24, 10)).words == "Open now, until 5 pm"


def test_a_closed_location_says_when_it_opens_next():
    tuesday_evening = at("America/Winnipeg", 2026, 11, 24, 19)
    friday_evening = at("America/Winnipeg", 2026, 11, 27, 19)
    early = at("America/Winnipeg", 2026, 11, 24, 7, 30)
    weekly = {**NINE_TO_FIVE, 5: [(T(9), T(13))]}

    assert hours.status(calendar(), tuesday_evening).words == "Closed, opens tomorrow 9 am"
    assert hours.status(calendar(weekly=weekly), friday_evening).words == "Closed, opens tomorrow 9 am"
    assert hours.status(calendar(), friday_evening).words == "Closed, opens Monday 9 am"
    assert hours.status(calendar(), early).words == "Closed, opens at 9 am"


def test_saskatchewan_keeps_no_daylight_time_while_winnipeg_does():
    # 15:30 UTC: 9:30 in Regina all year; in Winnipeg 10:30 in summer, 9:30 in winter.
    summer = datetime.datetime(2026, 7, 7, 15, 30, tzinfo=UTC)
    winter = datetime.datetime(2026, 1, 6, 15, 30, tzinfo=UTC)
    early = datetime.datetime(2026, 7, 7, 14, 30, tzinfo=UTC)  # 8:30 Regina, 9:30 Winnipeg

    assert hours.status(calendar("America/Regina", "SK"), summer).is_open
    assert hours.status(calendar("America/Regina", "SK"), winter).is_open
    assert not hours.status(calendar("America/Regina", "SK"), early).is_open
    assert hours.status(calendar("America/Winnipeg"), early).is_open


def test_st_johns_half_hour_zone_and_whitehorse_are_read_on_their_own_clocks():
    moment = datetime.datetime(2026, 3, 10, 12, 45, tzinfo=UTC)  # 10:15 NDT in St. John's, 5:45 in Whitehorse

    assert hours.status(calendar("America/St_Johns", "NL"), moment).words == "Open now, until 5 pm"
    assert hours.status(calendar("America/Whitehorse", "YT"), moment).words == "Closed, opens at 9 am"


def test_the_morning_after_daylight_time_starts_is_read_on_the_new_clock():
    # Sunday 8 March 2026 clocks go forward in Winnipeg; Monday 14:30 UTC is 9:30 CDT (8:30 CST).
    monday = datetime.datetime(2026, 3, 9, 14, 30, tzinfo=UTC)
    monday_before = datetime.datetime(2026, 3, 2, 14, 30, tzinfo=UTC)  # 8:30 CST

    assert hours.status(calendar(), monday).is_open
    assert not hours.status(calendar(), monday_before).is_open


# Closures, special hours, holidays, temporary closure


def test_a_statutory_holiday_closes_a_location_and_says_which():
    boxing_day = at("America/Toronto", 2025, 12, 26, 10)  # a Friday

    assert hours.status(calendar("America/Toronto", "ON"), boxing_day).words == "Closed today (Boxing Day)"


def test_special_hours_open_a_location_on_a_holiday():
    boxing_day = at("America/Toronto", 2025, 12, 26, 10)
    special = {datetime.date(2025, 12, 26): [(T(10), T(14))]}

    assert hours.status(calendar("America/Toronto", "ON", special=special), boxing_day).words == (
        "Open now, until 2 pm"
    )


def test_a_closure_closes_every_day_of_its_range():
    closures = [(datetime.date(2026, 12, 24), datetime.date(2027, 1, 2), "Holidays")]
    cal = calendar(closures=closures)

    assert hours.status(cal, at("America/Winnipeg", 2026, 12, 29, 10)).words == "Closed today (Holidays)"
    assert hours.status(cal, at("America/Winnipeg", 2026, 12, 23, 10)).is_open


def test_a_temporary_closure_says_until_when():
    cal = calendar(closed_until=datetime.date(2027, 1, 6), closed_reason="Renovations")

    status = hours.status(cal, at("America/Winnipeg", 2026, 12, 1, 10))

    assert status.words == "Temporarily closed until 6 January (Renovations)"
    assert hours.status(cal, at("America/Winnipeg", 2027, 1, 6, 10)).is_open


def test_a_therapist_works_only_their_own_days_at_a_location():
    own = {1: [(T(12), T(20))]}  # Tuesdays, noon to 8 pm
    cal = calendar(weekly={**NINE_TO_FIVE, 1: [(T(9), T(21))]}, own=own)

    assert hours.status(cal, at("America/Winnipeg", 2026, 11, 24, 19)).words == "Open now, until 8 pm"
    assert hours.status(cal, at("America/Winnipeg", 2026, 11, 24, 10)).words == "Closed, opens at noon"
    assert not hours.status(cal, at("America/Winnipeg", 2026, 11, 25, 10)).is_open


# The database's "open now" agrees with the Python rules


ZONES = {"MB": WINNIPEG, "SK": REGINA, "NL": ST_JOHNS, "YT": WHITEHORSE}


@pytest.fixture
def locations(db):
    """Locations in four zones with varied weekly tables, a closure, a holiday opening
    and a temporary closure."""
    made = []
    for n, (province, point) in enumerate(ZONES.items()):
        for variant in range(3):
            location = make_location(at=point, province=province, name=f"L{n}-{variant}")
            for day in range(7):
                if (day + variant) % 3:
                    OpeningHours.objects.create(
                        location=location, weekday=day, opens=T(8 + variant), closes=T(12)
                    )
                    OpeningHours.objects.create(
                        location=location, weekday=day, opens=T(13), closes=T(18 + variant)
                    )
            made.append(location)
    Closure.objects.create(
        location=made[0], first_day=datetime.date(2026, 12, 24), last_day=datetime.date(2027, 1, 2)
    )
    SpecialHours.objects.create(location=made[1], date=datetime.date(2026, 12, 25), opens=T(10), closes=T(16))
    made[2].closed_until = datetime.date(2026, 12, 20)
    made[2].save()
    return made


def brute_force_open(now: datetime.datetime) -> set[int]:
    locations = Location.objects.prefetch_related("opening_hours", "closures", "special_hours")
    return {location.pk for location in locations if hours.is_open(hours.Calendar.of(location), now)}


def database_open(now: datetime.datetime) -> set[int]:
    return set(Location.objects.filter(hours.open_at(now)).values_list("pk", flat=True))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    moment=st.datetimes(
        min_value=datetime.datetime(2026, 1, 1),
        max_value=datetime.datetime(2027, 12, 31),
        timezones=st.just(UTC),
    )
)
def test_open_now_in_the_database_agrees_with_the_weekly_table_at_random_times(locations, moment):
    assert database_open(moment) == brute_force_open(moment)


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 12, 25, 17, 0, tzinfo=UTC),  # Christmas: one opens specially
        datetime.datetime(2026, 12, 29, 16, 0, tzinfo=UTC),  # inside the closure
        datetime.datetime(2026, 3, 8, 8, 30, tzinfo=UTC),  # daylight time starts
        datetime.datetime(2026, 11, 1, 7, 30, tzinfo=UTC),  # daylight time ends
        datetime.datetime(2026, 7, 1, 15, 0, tzinfo=UTC),  # Canada Day
    ],
)
def test_open_now_in_the_database_agrees_on_awkward_days(locations, moment):
    assert database_open(moment) == brute_force_open(moment)


def test_evenings_and_weekends_are_read_from_the_weekly_table(locations):
    evening = set(Location.objects.filter(hours.open_evenings()).values_list("pk", flat=True))
    weekend = set(Location.objects.filter(hours.open_weekends()).values_list("pk", flat=True))

    for location in Location.objects.prefetch_related("opening_hours"):
        periods = location.opening_hours.all()
        assert (location.pk in evening) == any(p.weekday < 5 and p.closes > T(18) for p in periods)
        assert (location.pk in weekend) == any(p.weekday >= 5 for p in periods)


@pytest.mark.django_db
def test_a_calendar_reads_a_therapists_own_hours():
    location = make_location()
    OpeningHours.objects.create(location=location, weekday=1, opens=T(9), closes=T(21))
    therapist = make_therapist(locations=[location])
    own = [
        TherapistHours.objects.create(
            therapist=therapist, location=location, weekday=1, opens=T(17), closes=T(21)
        )
    ]
    location = Location.objects.prefetch_related("opening_hours", "closures", "special_hours").get(
        pk=location.pk
    )

    cal = hours.Calendar.of(location, own)

    assert hours.status(cal, at("America/Winnipeg", 2026, 11, 24, 10)).words == "Closed, opens at 5 pm"


# A therapist's own days: the database conditions on (location, therapist) pairs agree
# with `Calendar` at random times, in every zone, across closures and holidays.


@pytest.fixture
def therapist_days(locations):
    """At each location: one therapist on its hours, one on their own days (an evening,
    a Saturday morning), and one whose own days never meet the location's."""
    for n, location in enumerate(locations):
        make_therapist(locations=[location])
        own_days = make_therapist(locations=[location])
        TherapistHours.objects.create(
            therapist=own_days, location=location, weekday=n % 5, opens=T(15), closes=T(21)
        )
        TherapistHours.objects.create(
            therapist=own_days, location=location, weekday=5, opens=T(9), closes=T(11)
        )
        never = make_therapist(locations=[location])
        TherapistHours.objects.create(
            therapist=never, location=location, weekday=n % 7, opens=T(6), closes=T(7)
        )
    return locations


def brute_force_pairs(test) -> set[tuple[int, int]]:
    locations = Location.objects.prefetch_related("opening_hours", "closures", "special_hours").in_bulk()
    own: dict[tuple[int, int], list[TherapistHours]] = {}
    for period in TherapistHours.objects.all():
        own.setdefault((period.location_id, period.therapist_id), []).append(period)
    found = set()
    for location in locations.values():
        for therapist_id in location.therapists.values_list("pk", flat=True):
            if test(hours.Calendar.of(location, own.get((location.pk, therapist_id)))):
                found.add((location.pk, therapist_id))
    return found


def database_pairs(condition) -> set[tuple[int, int]]:
    rows = Location.objects.per_therapist().filter(condition).annotate(therapist=F("practitioner"))
    return set(rows.values_list("pk", "therapist"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    moment=st.datetimes(
        min_value=datetime.datetime(2026, 1, 1),
        max_value=datetime.datetime(2027, 12, 31),
        timezones=st.just(UTC),
    )
)
def test_a_therapist_is_open_now_in_the_database_exactly_when_their_calendar_says(therapist_days, moment):
    expected = brute_force_pairs(lambda calendar: hours.is_open(calendar, moment))

    assert database_pairs(hours.open_at(moment, working=True)) == expected


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 11, 25, 0, 30, tzinfo=UTC),  # Tuesday evening in Winnipeg and Regina
        datetime.datetime(2026, 11, 28, 13, 0, tzinfo=UTC),  # Saturday morning in St. John's
        datetime.datetime(2026, 12, 25, 17, 0, tzinfo=UTC),  # Christmas
        datetime.datetime(2026, 3, 8, 8, 30, tzinfo=UTC),  # daylight time starts
    ],
)
def test_a_therapist_is_open_now_in_the_database_on_awkward_days(therapist_days, moment):
    expected = brute_force_pairs(lambda calendar: hours.is_open(calendar, moment))

    assert database_pairs(hours.open_at(moment, working=True)) == expected


def test_a_therapists_evenings_and_weekends_are_their_own_days_within_the_locations(therapist_days):
    evenings = database_pairs(hours.open_evenings(working=True))
    weekends = database_pairs(hours.open_weekends(working=True))

    assert evenings == brute_force_pairs(hours.opens_evenings)
    assert weekends == brute_force_pairs(hours.opens_weekends)
    # Own days change the answer: some pairs differ from their location's.
    assert evenings != brute_force_pairs(
        lambda calendar: hours.opens_evenings(dataclasses.replace(calendar, own=None))
    )
