import pytest
from django.db import IntegrityError, transaction

from therapists.models import Discipline, Location, OpeningHours, Place
from therapists.tests.factories import make_clinic, make_location, make_place, make_therapist

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(90.5, -97.1), (-90.01, -97.1), (49.9, 180.5), (49.9, -181)],
)
def test_a_location_outside_the_globe_is_refused_by_the_database(latitude, longitude):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_location(at=(latitude, longitude))


def test_a_location_on_the_edge_of_the_coordinate_ranges_is_accepted():
    make_location(at=(90, 180))
    make_location(at=(-90, -180))

    assert Location.objects.count() == 2


@pytest.mark.parametrize(("latitude", "longitude"), [(91, 0), (0, -181)])
def test_a_place_outside_the_globe_is_refused_by_the_database(latitude, longitude):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_place("Nowhere", "MB", (latitude, longitude))


def test_two_clinics_cannot_share_a_slug():
    make_clinic("Forks Physio", slug="forks-physio")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_clinic("Forks Physiotherapy", slug="forks-physio")


def test_two_therapists_cannot_share_a_slug():
    make_therapist(slug="jo-smith")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_therapist(slug="jo-smith")


def test_one_clinic_cannot_have_two_locations_with_the_same_name():
    clinic = make_clinic()
    make_location(clinic, name="Downtown")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_location(clinic, name="Downtown")


def test_two_clinics_can_each_have_a_downtown_location():
    make_location(make_clinic(), name="Downtown")
    make_location(make_clinic(), name="Downtown")

    assert Location.objects.filter(name="Downtown").count() == 2


def test_opening_hours_must_close_after_they_open():
    location = make_location()

    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningHours.objects.create(location=location, weekday=0, opens="17:00", closes="09:00")


def test_the_three_disciplines_exist_with_their_search_slugs():
    assert set(Discipline.objects.values_list("slug", flat=True)) >= {
        "massage",
        "physiotherapy",
        "chiropractic",
    }


def test_a_therapist_can_practise_at_locations_of_several_clinics():
    first, second = make_location(make_clinic()), make_location(make_clinic())

    therapist = make_therapist(locations=[first, second])

    assert set(therapist.locations.values_list("clinic", flat=True)) == {first.clinic_id, second.clinic_id}


def test_profiles_have_readable_names_and_urls():
    therapist = make_therapist(first_name="Jo", last_name="Smith", slug="jo-smith")
    clinic = therapist.locations.get().clinic

    assert str(therapist) == "Jo Smith"
    assert therapist.get_absolute_url() == "/therapists/jo-smith/"
    assert clinic.get_absolute_url() == f"/clinics/{clinic.slug}/"


def test_places_are_found_by_their_natural_key():
    place = make_place("Gimli", "MB", (50.63, -96.99))

    assert Place.objects.get_by_natural_key(place.code) == place
