"""Searching by hours: open now, evenings and weekends keep nearest-first ranking exact,
and each card says in words whether it is open at the moment of the search."""

import dataclasses
import datetime
import random
import re

import pytest
from django.http import QueryDict
from django.urls import reverse

from therapists import geo, hours, search
from therapists.models import Closure, Location, OpeningHours, Therapist, TherapistHours
from therapists.tests import test_nearest
from therapists.tests.factories import WINNIPEG, make_location, make_place, make_therapist

pytestmark = pytest.mark.django_db

T = datetime.time
# Tuesday 24 November 2026, 7 pm in Winnipeg (CST, UTC-6).
TUESDAY_7PM_WINNIPEG = datetime.datetime(2026, 11, 25, 1, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(hours, "current_time", lambda: TUESDAY_7PM_WINNIPEG)
    return TUESDAY_7PM_WINNIPEG


def add_hours(seed: int = 11) -> None:
    """Realistic weekly tables for every location: some open evenings, some weekends, a few closed."""
    rng = random.Random(seed)
    rows, closures = [], []
    for location in Location.objects.order_by("pk"):
        Location.objects.filter(pk=location.pk).update(
            time_zone=geo.time_zone_at(location.point, location.province)
        )
        evening, weekend = rng.random() < 0.4, rng.random() < 0.3
        for day in range(7):
            if day < 5 and rng.random() < 0.85:
                rows.append(
                    OpeningHours(location=location, weekday=day, opens=T(9), closes=T(20 if evening else 17))
                )
            elif day >= 5 and weekend:
                rows.append(OpeningHours(location=location, weekday=day, opens=T(10), closes=T(14)))
        if rng.random() < 0.05:
            closures.append(
                Closure(
                    location=location,
                    first_day=datetime.date(2026, 11, 20),
                    last_day=datetime.date(2026, 11, 30),
                )
            )
    OpeningHours.objects.bulk_create(rows)
    Closure.objects.bulk_create(closures)


def add_therapist_days(seed: int = 13) -> None:
    """About a third of the therapists keep their own days at a location: some
    afternoons into the evening, some a Saturday, some mornings only."""
    rng = random.Random(seed)
    own = []
    pairs = Therapist.locations.through.objects.order_by("pk").values_list("therapist_id", "location_id")
    for therapist_id, location_id in pairs:
        if rng.random() < 0.35:
            for day in rng.sample(range(7), rng.randint(1, 3)):
                opens, closes = rng.choice([(T(9), T(12)), (T(15), T(21)), (T(10), T(13))])
                own.append(
                    TherapistHours(
                        therapist_id=therapist_id,
                        location_id=location_id,
                        weekday=day,
                        opens=opens,
                        closes=closes,
                    )
                )
    TherapistHours.objects.bulk_create(own)


def calendars() -> dict[tuple[int, int], hours.Calendar]:
    """Every (therapist, location) pair's calendar, from every row."""
    locations = Location.objects.prefetch_related("opening_hours", "closures", "special_hours").in_bulk()
    own: dict[tuple[int, int], list[TherapistHours]] = {}
    for period in TherapistHours.objects.all():
        own.setdefault((period.therapist_id, period.location_id), []).append(period)
    pairs = Therapist.locations.through.objects.values_list("therapist_id", "location_id")
    return {(t, loc): hours.Calendar.of(locations[loc], own.get((t, loc))) for t, loc in pairs}


@pytest.fixture
def generated(db):
    test_nearest.generate()
    add_hours()
    add_therapist_days()


def ids_with(condition) -> set[int]:
    return set(Location.objects.filter(condition).values_list("pk", flat=True))


@pytest.mark.parametrize(
    "query, moment",
    [
        ("evenings=1", TUESDAY_7PM_WINNIPEG),
        ("weekends=1&discipline=massage", TUESDAY_7PM_WINNIPEG),
        ("evenings=1&weekends=1", TUESDAY_7PM_WINNIPEG),
        ("open_now=1", TUESDAY_7PM_WINNIPEG),
        ("open_now=1&accessible=1", datetime.datetime(2026, 11, 24, 17, 0, tzinfo=datetime.UTC)),
        ("open_now=1&evenings=1", datetime.datetime(2026, 11, 28, 17, 0, tzinfo=datetime.UTC)),  # Saturday
        ("open_now=1&weekends=1&sort=name", datetime.datetime(2026, 11, 28, 17, 0, tzinfo=datetime.UTC)),
    ],
)
def test_hours_filters_keep_the_ranking_equal_to_a_brute_force_one(generated, monkeypatch, query, moment):
    """Each therapist counts at a location only when they work there then: their own days
    when they keep any, else the location's hours."""
    monkeypatch.setattr(hours, "current_time", lambda: moment)
    pairs = calendars()
    wanted = dict(QueryDict(query).items())

    def works(therapist, location) -> bool:
        calendar = pairs[therapist.pk, location.pk]
        return (
            ("open_now" not in wanted or hours.is_open(calendar, moment))
            and ("evenings" not in wanted or hours.opens_evenings(calendar))
            and ("weekends" not in wanted or hours.opens_weekends(calendar))
        )

    case = test_nearest.Case(
        query,
        therapist_ok=lambda t: "discipline" not in wanted or t.discipline.slug == wanted["discipline"],
        location_ok=lambda loc: "accessible" not in wanted or loc.wheelchair_accessible,
        pair_ok=works,
    )
    # Own days change the answer for some pairs, so the test tells the two rules apart.
    location_only = [c for c in pairs.values() if c.own is not None]
    assert any(
        hours.opens_evenings(c) != hours.opens_evenings(dataclasses.replace(c, own=None))
        for c in location_only
    )
    for origin in test_nearest.ORIGINS[:3]:
        ranked = test_nearest.oracle(origin, case)
        assert ranked
        for radius in (25, 500):
            expected = test_nearest.within(ranked, radius)
            if "sort" in wanted:
                by_name = Therapist.objects.filter(pk__in=expected).order_by("last_name", "first_name", "pk")
                expected = list(by_name.values_list("pk", flat=True))
            params = f"lat={origin.latitude}&lng={origin.longitude}&radius={radius}&{query}"
            results = search.find_therapists(QueryDict(params))
            assert [r.therapist.pk for r in results.within] == expected[: search.PER_PAGE], (query, radius)
            for result in results.within:
                assert works(result.therapist, result.location), (query, result.therapist.pk)


def test_the_open_now_filter_checks_the_database_against_the_python_rules(generated):
    moment = TUESDAY_7PM_WINNIPEG
    calendars = Location.objects.prefetch_related("opening_hours", "closures", "special_hours")

    assert ids_with(hours.open_at(moment)) == {
        loc.pk for loc in calendars if hours.is_open(hours.Calendar.of(loc), moment)
    }


# What a patient reads at a fixed clock


@pytest.fixture
def winnipeg(db):
    return make_place("Winnipeg", "MB", WINNIPEG, population=749_607)


def cards(response) -> dict[str, str]:
    """Each card's therapist slug and its "open now" words."""
    page = response.content.decode()
    found = re.findall(r'data-therapist="([^"]+)".*?<p class="hours-now[^"]*">([^<]+)</p>', page, re.S)
    return dict(found)


def test_a_winnipeg_search_at_7pm_on_a_tuesday_says_who_is_open_in_words(client, winnipeg, clock):
    late = make_location(name="Late")
    early = make_location(name="Early", at=(WINNIPEG[0], WINNIPEG[1] + 0.01))
    holiday = make_location(name="Away", at=(WINNIPEG[0], WINNIPEG[1] + 0.02))
    for day in range(5):
        OpeningHours.objects.create(location=late, weekday=day, opens=T(9), closes=T(20))
        OpeningHours.objects.create(location=early, weekday=day, opens=T(9), closes=T(17))
    OpeningHours.objects.create(location=early, weekday=5, opens=T(9), closes=T(13))
    OpeningHours.objects.create(location=holiday, weekday=1, opens=T(9), closes=T(21))
    holiday.closed_until, holiday.closed_reason = datetime.date(2027, 1, 6), ""
    holiday.save()
    therapists = [make_therapist(locations=[loc]) for loc in (late, early, holiday)]
    part_timer = make_therapist(locations=[late])
    TherapistHours.objects.create(therapist=part_timer, location=late, weekday=3, opens=T(12), closes=T(18))

    words = cards(client.get(reverse("therapists:search"), {"where": "Winnipeg"}))

    assert words == {
        therapists[0].slug: "Open now, until 8 pm",
        part_timer.slug: "Closed, opens Thursday noon",
        therapists[1].slug: "Closed, opens tomorrow 9 am",
        therapists[2].slug: "Temporarily closed until 6 January",
    }


def test_evenings_and_weekends_together_list_only_locations_open_both(client, winnipeg, clock):
    both = make_location(name="Both")
    evenings_only = make_location(name="Evenings", at=(WINNIPEG[0], WINNIPEG[1] + 0.01))
    OpeningHours.objects.create(location=both, weekday=2, opens=T(12), closes=T(21))
    OpeningHours.objects.create(location=both, weekday=6, opens=T(10), closes=T(14))
    OpeningHours.objects.create(location=evenings_only, weekday=2, opens=T(12), closes=T(21))
    open_both = make_therapist(locations=[both])
    make_therapist(locations=[evenings_only])

    response = client.get(
        reverse("therapists:search"), {"where": "Winnipeg", "evenings": "1", "weekends": "1"}
    )

    assert list(cards(response)) == [open_both.slug]
    assert "Open weekends" in response.content.decode()  # its chip


def test_the_api_takes_the_hours_filters_and_says_open_now(client, winnipeg, clock):
    late = make_location()
    OpeningHours.objects.create(location=late, weekday=1, opens=T(9), closes=T(20))
    therapist = make_therapist(locations=[late])
    make_therapist(locations=[make_location(at=(WINNIPEG[0], WINNIPEG[1] + 0.01))])

    data = client.get("/api/v1/search", {"where": "Winnipeg", "open_now": "1"}).json()

    assert [(r["therapist"]["slug"], r["open_now"], r["hours_now"]) for r in data["results"]] == [
        (therapist.slug, True, "Open now, until 8 pm")
    ]


def test_a_profile_says_whether_each_location_is_open_and_when_the_therapist_works_there(client, clock):
    location = make_location()
    OpeningHours.objects.create(location=location, weekday=1, opens=T(9), closes=T(20))
    therapist = make_therapist(locations=[location])
    TherapistHours.objects.create(
        therapist=therapist, location=location, weekday=1, opens=T(12), closes=T(18)
    )

    page = client.get(therapist.get_absolute_url()).content.decode()

    assert "Closed, opens Tuesday 1 December noon" in page
    assert f"When {therapist.first_name} works here" in page


@pytest.mark.parametrize("page", ["search", "profile", "clinic"])
def test_pages_that_say_open_now_are_never_kept_by_a_browser_or_proxy(client, winnipeg, clock, page):
    therapist = make_therapist(locations=[make_location()])
    url = {
        "search": reverse("therapists:search") + "?where=Winnipeg",
        "profile": therapist.get_absolute_url(),
        "clinic": therapist.locations.get().clinic.get_absolute_url(),
    }[page]

    response = client.get(url)

    assert response.status_code == 200
    assert set(response["Cache-Control"].replace(" ", "").split(",")) == {"private", "no-cache"}


def search_page_with(client, count: int, django_assert_max_num_queries, limit: int) -> str:
    for n in range(count):
        location = make_location(at=(WINNIPEG[0], WINNIPEG[1] + n / 500))
        OpeningHours.objects.create(location=location, weekday=1, opens=T(9), closes=T(20))
        Closure.objects.create(
            location=location, first_day=datetime.date(2026, 12, 24), last_day=datetime.date(2026, 12, 26)
        )
        therapist = make_therapist(locations=[location])
        TherapistHours.objects.create(
            therapist=therapist, location=location, weekday=1, opens=T(12), closes=T(20)
        )
    with django_assert_max_num_queries(limit) as counted:
        page = client.get(
            reverse("therapists:search"), {"where": "Winnipeg", "open_now": "1"}
        ).content.decode()
    assert page.count("Open now, until 8 pm") == min(count, search.PER_PAGE)
    return len(counted)


def test_the_hours_words_cost_the_same_queries_for_a_few_results_or_a_full_page(
    client, winnipeg, clock, django_assert_max_num_queries
):
    client.get(reverse("therapists:search"), {"where": "Winnipeg", "open_now": "1"})  # warm reference data

    few = search_page_with(client, 2, django_assert_max_num_queries, 40)
    Location.objects.all().delete()
    many = search_page_with(client, 25, django_assert_max_num_queries, few)

    # A full page costs no more than two results (fewer rounds of the growing circle).
    assert many <= few
