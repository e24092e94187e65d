"""generate_listings: synthetic clinics, locations and therapists for benchmarks."""

import datetime
import hashlib
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Exists, F, OuterRef
from django.http import QueryDict

from therapists import demo, geo, synthetic
from therapists.filters import TherapistFilter
from therapists.models import (
    BookingLink,
    Clinic,
    Closure,
    Discipline,
    Fee,
    Language,
    Location,
    NewPatients,
    OpeningHours,
    Place,
    PlaceKind,
    Specialty,
    Therapist,
    TherapistHours,
)
from therapists.search import find_therapists

LOCATIONS = 2000
SEED = 7
TORONTO = geo.Point(43.70011, -79.4163)
WINNIPEG = geo.Point(49.8844, -97.14704)


@pytest.fixture(scope="module")
def listings(django_db_setup, django_db_blocker):
    """The gazetteer and 2,000 synthetic locations, made once for this module."""
    with django_db_blocker.unblock():
        call_command("loaddata", "gazetteer", verbosity=0)
        synthetic.generate_listings(LOCATIONS, SEED)
        yield
        synthetic.delete_listings()
        Place.objects.all().delete()


@pytest.fixture
def data(listings, db):
    return None


def digest() -> str:
    """A fingerprint of every listing, by natural keys rather than ids."""
    parts = [
        Clinic.objects.order_by("slug").values_list("slug", "name", "phone", "email", "description"),
        Clinic.payers.through.objects.order_by("clinic__slug", "payer__slug").values_list(
            "clinic__slug", "payer__slug"
        ),
        Fee.objects.order_by("clinic__slug", "kind", "minutes").values_list(
            "clinic__slug", "kind", "minutes", "price"
        ),
        Location.objects.order_by("clinic__slug", "name").values_list(
            "clinic__slug", "name", "street", "city", "province", "postal_code", "latitude", "longitude"
        ),
        Therapist.objects.order_by("slug").values_list(
            "slug", "first_name", "last_name", "discipline__slug", "credentials", "regulator", "bio"
        ),
        Therapist.objects.order_by("slug").values_list(
            "gender",
            "pronouns",
            "new_patients",
            "booking_url",
            "offers_virtual_care",
            "is_published",
            "last_verified",
        ),
        Therapist.locations.through.objects.order_by("therapist__slug", "location__clinic__slug").values_list(
            "therapist__slug", "location__clinic__slug", "location__name"
        ),
        Therapist.specialties.through.objects.order_by("therapist__slug", "specialty__slug").values_list(
            "therapist__slug", "specialty__slug"
        ),
        Therapist.languages.through.objects.order_by("therapist__slug", "language__code").values_list(
            "therapist__slug", "language__code"
        ),
    ]
    return hashlib.sha256(repr([list(part) for part in parts]).encode()).hexdigest()


def share(queryset, **condition) -> float:
    return queryset.filter(**condition).count() / queryset.count()


def test_it_creates_exactly_the_locations_asked_for_with_clinics_and_therapists(data):
    assert Location.objects.count() == LOCATIONS
    clinics = Clinic.objects.annotate(n=Count("locations"))
    assert LOCATIONS / 2.5 < clinics.count() < LOCATIONS / 1.2
    assert {clinic.n for clinic in clinics} == {1, 2, 3, 4}
    per_location = Therapist.objects.count() / LOCATIONS
    assert 1.5 < per_location < 2.2
    assert not Location.objects.filter(therapists__isnull=True).exists()


def test_about_one_therapist_in_ten_practises_at_two_locations_of_their_clinic(data):
    therapists = Therapist.objects.annotate(
        n=Count("locations"), clinics=Count("locations__clinic", distinct=True)
    )
    assert 0.05 < share(therapists, n=2) < 0.15
    assert not therapists.filter(n__gt=2).exists()
    assert not therapists.filter(clinics__gt=1).exists()


def test_about_two_percent_of_locations_share_an_exact_address_with_another_clinic(data):
    rows = list(Location.objects.values_list("latitude", "longitude", "street", "clinic_id"))
    by_point = Counter((lat, lng) for lat, lng, _, _ in rows)
    shared = [row for row in rows if by_point[row[:2]] > 1]

    assert 0.01 < len(shared) / LOCATIONS < 0.035
    for point in {row[:2] for row in shared}:
        group = [row for row in shared if row[:2] == point]
        assert len({street for _, _, street, _ in group}) == 1
        assert len({clinic for _, _, _, clinic in group}) == len(group)


def test_every_discipline_specialty_language_and_flag_appears(data):
    used = Therapist.objects.values_list
    assert set(used("discipline__slug", flat=True)) == set(Discipline.objects.values_list("slug", flat=True))
    assert set(used("specialties__slug", flat=True)) == set(Specialty.objects.values_list("slug", flat=True))
    assert set(used("languages__code", flat=True)) == set(Language.objects.values_list("code", flat=True))
    therapists, locations, clinics = Therapist.objects.all(), Location.objects.all(), Clinic.objects.all()
    assert 0.5 < share(therapists, new_patients="accepting") < 0.7
    assert set(therapists.values_list("new_patients", flat=True)) == set(NewPatients.values)
    assert 0.3 < share(therapists.exclude(gender=""), pronouns="") < 0.8
    assert 0.15 < share(therapists, offers_virtual_care=True) < 0.35
    assert 0.9 < share(therapists, is_published=True) < 0.99
    assert 0.35 < share(locations, wheelchair_accessible=True) < 0.55
    billing = clinics.filter(
        Exists(Clinic.payers.through.objects.filter(clinic=OuterRef("pk"), payer__kind="insurer"))
    )
    assert 0.6 < billing.count() / clinics.count() < 0.8
    assert not clinics.filter(fees__isnull=True).exists()


def test_tags_and_booking_links_appear_in_realistic_proportions_and_no_photos(data):
    therapists = Therapist.objects.all()
    tagged = therapists.filter(Exists(Therapist.tags.through.objects.filter(therapist=OuterRef("pk"))))
    assert 0.4 < tagged.count() / therapists.count() < 0.8
    assert 0.1 < share(therapists, tags__slug="evening-appointments") < 0.3
    assert BookingLink.objects.exists()
    for link in BookingLink.objects.select_related("therapist")[:50]:
        assert link.therapist.booking_url and link.location in link.therapist.locations.all()
    assert not therapists.exclude(photo="").exists()


def test_specialties_belong_to_the_therapists_discipline(data):
    for discipline, slugs in demo.SPECIALTIES_BY_DISCIPLINE.items():
        used = Therapist.objects.filter(discipline__slug=discipline).values_list(
            "specialties__slug", flat=True
        )
        assert set(used) <= set(slugs)


def test_nearly_everyone_speaks_english_and_french_is_common_in_quebec(data):
    therapists = Therapist.objects.distinct()
    quebec = therapists.filter(locations__province="QC")
    elsewhere = therapists.exclude(locations__province__in=["QC", "NB"])
    assert share(quebec, languages__code="fr") > 0.85
    assert share(elsewhere, languages__code="fr") < 0.15
    assert share(elsewhere, languages__code="en") > 0.95


def test_locations_are_valid_canadian_addresses_near_their_town(data):
    towns = {}
    for place in Place.objects.filter(kind=PlaceKind.CITY):
        towns.setdefault((place.name, place.province), []).append(place.point)
    for location in Location.objects.all():
        assert 41 < location.latitude < 84 and -142 < location.longitude < -52
        assert geo.format_postal_code(location.postal_code) == location.postal_code
        km = min(
            geo.great_circle_km(location.point, town) for town in towns[location.city, location.province]
        )
        assert km < 60, (location.city, km)


def test_listings_are_denser_near_big_cities(data):
    points = [geo.Point(*row) for row in Location.objects.values_list("latitude", "longitude")]
    near_toronto = sum(geo.great_circle_km(TORONTO, point) < 50 for point in points)
    near_winnipeg = sum(geo.great_circle_km(WINNIPEG, point) < 50 for point in points)
    assert near_toronto > 3 * near_winnipeg > 0


def test_about_one_location_in_twenty_is_in_the_countryside_around_a_small_town(data):
    small_towns = {}
    for place in Place.objects.filter(
        kind=PlaceKind.CITY, population__lt=synthetic.RURAL_TOWN_MAX_POPULATION
    ):
        small_towns.setdefault((place.name, place.province), []).append(place.point)
    rural = 0
    for location in Location.objects.all():
        towns = small_towns.get((location.city, location.province))
        # Towns this small sprawl 1.5 km, so 8 km out is the countryside.
        if towns and min(geo.great_circle_km(location.point, town) for town in towns) > 7.9:
            rural += 1
    assert 0.02 < rural / LOCATIONS < 0.09


def test_the_same_seed_gives_the_same_listings_and_another_seed_others(data):
    first = digest()

    synthetic.delete_listings()
    synthetic.generate_listings(LOCATIONS, SEED)
    again = digest()
    synthetic.delete_listings()
    synthetic.generate_listings(LOCATIONS, SEED + 1)

    assert again == first
    assert digest() != first


def test_the_generated_listings_can_be_searched(data, client):
    results = find_therapists(QueryDict("where=Winnipeg"))
    assert results.count > 0 and results.results

    response = client.get("/search/", {"where": "Toronto", "discipline": "physiotherapy"})
    assert response.status_code == 200
    assert response.context["results"].results


def test_the_command_refuses_to_add_to_existing_listings(data):
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_listings", locations=10, verbosity=0)
    assert Location.objects.count() == LOCATIONS


def test_a_dry_run_counts_and_writes_nothing(data, capsys):
    call_command("generate_listings", locations=100, seed=SEED, dry_run=True)

    out = capsys.readouterr().out
    assert "Would create" in out and "100 location" in out
    assert Location.objects.count() == LOCATIONS


def test_replace_deletes_every_listing_first(data, capsys):
    call_command("generate_listings", locations=50, seed=SEED, replace=True)

    assert Location.objects.count() == 50
    assert "Deleted" in capsys.readouterr().out


@pytest.mark.parametrize("city", ["Toronto", "Winnipeg", "Vancouver", "Edmonton"])
def test_searches_of_generated_listings_equal_a_brute_force_ranking_of_every_row(data, city):
    from therapists.tests.test_nearest import CASES, oracle, within

    centre = Place.objects.get(kind=PlaceKind.CITY, name=city).point
    for case in CASES:
        ranked = oracle(centre, case)
        for radius in (5, 25):
            expected = within(ranked, radius)
            for page in (1, 2):
                params = f"lat={centre.latitude}&lng={centre.longitude}&radius={radius}&{case.query}"
                results = find_therapists(QueryDict(params), str(page))
                shown = [result.therapist.pk for result in results.within]
                if page > 1 and len(expected) <= 20:
                    continue  # no second page: the last one is shown again
                assert shown == expected[(page - 1) * 20 : page * 20], (case.query, radius, page)


def test_generated_locations_keep_their_zone_and_realistic_hours(data):
    locations = Location.objects.all()
    late = OpeningHours.objects.filter(weekday__lt=5, closes__gt=datetime.time(18)).values("location")
    saturday = OpeningHours.objects.filter(weekday=5).values("location")

    assert not locations.filter(time_zone="").exists()
    assert (
        locations.filter(province="SK")
        .exclude(time_zone__in=["America/Regina", "America/Swift_Current"])
        .count()
        <= 2
    )
    assert 0.25 < share(locations, pk__in=late) < 0.45
    assert 0.3 < share(locations, pk__in=saturday) < 0.5
    assert 0.01 < Closure.objects.count() / locations.count() < 0.06
    assert not OpeningHours.objects.filter(closes__lte=F("opens")).exists()


def test_some_generated_therapists_keep_their_own_days_at_a_location(data):
    pairs = Therapist.locations.through.objects.count()
    own = TherapistHours.objects.values("therapist", "location").distinct().count()

    assert 0.15 < own / pairs < 0.35
    # Their days are at a location of theirs.
    assert not TherapistHours.objects.exclude(
        Exists(
            Therapist.locations.through.objects.filter(
                therapist=OuterRef("therapist"), location=OuterRef("location")
            )
        )
    ).exists()


def test_a_quarter_of_clinics_take_online_bookings_with_their_next_free_times_worked_out(data):
    from booking import slots
    from booking.models import AppointmentType, OnlineBooking

    booking_clinics = AppointmentType.objects.values("clinic").distinct().count()
    pairs = Therapist.locations.through.objects.count()
    online = OnlineBooking.objects.select_related("location__clinic")

    assert 0.18 < booking_clinics / Clinic.objects.count() < 0.32
    assert 0.07 < online.count() / pairs < 0.2
    # Those with a booking system of their own keep their link; unpublished ones are not booked.
    assert not online.exclude(therapist__booking_url="").exists()
    assert not online.filter(therapist__is_published=False).exists()
    # What `refresh_next_available` would work out from the hours in the database, at that moment.
    sample = list(online.order_by("pk"))[::7][:60]
    for row in sample:
        consult = AppointmentType.objects.get(clinic=row.location.clinic, is_free_consult=True)
        expected = slots.free_slots(row, consult, now=row.refreshed_at, limit=slots.FIRST_TIMES)
        assert row.next_free_at == (expected[0] if expected else None)
        assert row.first_times == [time.isoformat() for time in expected]
        assert (row.latitude, row.longitude) == (row.location.latitude, row.location.longitude)


@pytest.mark.parametrize("crowded_box_rows", [0, 10**9])
@pytest.mark.parametrize("city", ["Toronto", "Winnipeg", "Vancouver"])
def test_soonest_searches_of_generated_listings_equal_a_brute_force_ranking(
    data, city, crowded_box_rows, monkeypatch
):
    """Both ways of ranking by soonest (every row in the box, or in time order with a
    growing circle at the last time) give the order of ranking every bookable row:
    earliest free time, then distance, then id."""
    from booking import availability
    from booking.models import OnlineBooking

    monkeypatch.setattr(availability, "CROWDED_BOX_ROWS", crowded_box_rows)
    centre = Place.objects.get(kind=PlaceKind.CITY, name=city).point
    origin = geo.ecef_km(centre)
    for query in ["", "discipline=massage", "language=fr&accessible=1"]:
        filterset = TherapistFilter(QueryDict(query))
        matching = set(filterset.qs.values_list("pk", flat=True))
        locations = Location.objects.per_therapist()
        if "accessible" in query:
            locations = locations.wheelchair_accessible()
        allowed = set(locations.values_list("pk", flat=True))
        for radius in (5, 25):
            limit = geo.chord_for_distance_km(radius) ** 2
            best = {}
            rows = OnlineBooking.objects.bookable().values_list(
                "therapist", "location", "next_free_at", "ecef_x", "ecef_y", "ecef_z"
            )
            for therapist, location, moment, *xyz in rows:
                chord_sq = sum((a - b) * (a - b) for a, b in zip(xyz, origin, strict=True))
                if therapist in matching and location in allowed and chord_sq <= limit:
                    best[therapist] = min(
                        best.get(therapist, (moment, chord_sq, therapist)), (moment, chord_sq, therapist)
                    )
            expected = [key[2] for key in sorted(best.values())][:30]

            ranked = availability.soonest_within(filterset.qs, centre, 30, radius, locations)

            assert [row.therapist_id for row in ranked][: len(expected)] == expected, (query, radius)
