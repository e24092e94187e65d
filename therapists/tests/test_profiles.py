"""Therapist and clinic profile pages."""

import datetime

import pytest
from django.urls import reverse

from therapists.models import Language, OpeningHours, Specialty, Weekday
from therapists.tests.factories import make_clinic, make_location, make_therapist

pytestmark = pytest.mark.django_db


def test_a_therapist_profile_shows_what_a_patient_needs_to_choose(client):
    clinic = make_clinic("Forks Physio", direct_billing=True)
    location = make_location(
        clinic, name="Downtown", street="1 Forks Market Road", wheelchair_accessible=True
    )
    OpeningHours.objects.create(
        location=location, weekday=Weekday.MONDAY, opens=datetime.time(9), closes=datetime.time(17)
    )
    therapist = make_therapist(
        first_name="Anna",
        last_name="Kowalski",
        credentials="RMT, BKin",
        regulator="College of Massage Therapists of Manitoba",
        registration_number="MB-1234",
        bio="Twelve years treating runners.",
        accepting_new_patients=True,
        offers_virtual_care=True,
        last_verified=datetime.date(2026, 10, 1),
        specialties=[Specialty.objects.get(slug="sciatica")],
        languages=[Language.objects.get(code="fr")],
        locations=[location],
    )

    response = client.get(therapist.get_absolute_url())

    html = response.content.decode()
    for text in (
        "Anna Kowalski",
        "RMT, BKin",
        "Registered massage therapist",
        "Twelve years treating runners.",
        "College of Massage Therapists of Manitoba, registration no. MB-1234",
        "Sciatica",
        "Back, Hip",
        "French",
        "Accepting new patients",
        "Offers virtual care",
        "1 Forks Market Road",
        "09:00–17:00",
        "Wheelchair accessible.",
        "openstreetmap.org",
        "Details confirmed",
        "October 2026",
        clinic.get_absolute_url(),
    ):
        assert text in html, text


def test_a_profile_lists_every_location_the_therapist_works_at(client):
    first, second = make_location(name="North"), make_location(name="South")
    therapist = make_therapist(locations=[first, second])

    html = client.get(therapist.get_absolute_url()).content.decode()

    assert first.street in html and second.street in html


def test_unpublished_and_unknown_therapists_are_not_found(client):
    hidden = make_therapist(is_published=False)

    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(reverse("therapists:therapist-detail", args=["no-such-person"])).status_code == 404


def test_a_clinic_page_shows_its_locations_and_published_therapists(client):
    clinic = make_clinic("Corydon Massage")
    location = make_location(clinic, street="800 Corydon Avenue")
    shown = make_therapist(first_name="Shown", locations=[location])
    hidden = make_therapist(first_name="Hidden", is_published=False, locations=[location])

    response = client.get(clinic.get_absolute_url())

    html = response.content.decode()
    assert "Corydon Massage" in html and "800 Corydon Avenue" in html
    assert shown.get_absolute_url() in html
    assert hidden.get_absolute_url() not in html


def test_an_unknown_clinic_is_not_found(client):
    assert client.get(reverse("therapists:clinic-detail", args=["nowhere"])).status_code == 404


def test_profile_pages_cost_the_same_queries_however_much_they_list(client, django_assert_max_num_queries):
    # One of everything against many of everything.
    small = make_therapist(
        specialties=Specialty.objects.all()[:1],
        languages=Language.objects.all()[:1],
        locations=[make_location()],
    )
    OpeningHours.objects.create(location=small.locations.get(), weekday=0, opens="09:00", closes="17:00")
    big = make_therapist(
        specialties=Specialty.objects.all()[:6],
        languages=Language.objects.all()[:4],
        locations=[make_location() for _ in range(4)],
    )
    for location in big.locations.all():
        for day in range(7):
            OpeningHours.objects.create(location=location, weekday=day, opens="09:00", closes="17:00")

    counts = []
    for therapist in (small, big):
        with django_assert_max_num_queries(20) as captured:
            assert client.get(therapist.get_absolute_url()).status_code == 200
        counts.append(len(captured))

    assert counts[0] == counts[1]


def test_the_home_page_leads_with_the_search_form_and_popular_searches(client):
    html = client.get(reverse("therapists:home")).content.decode()

    assert 'action="/search/"' in html
    assert 'name="where"' in html and "Use my location" in html
    for city in ("Winnipeg", "Vancouver", "Edmonton", "Toronto"):
        assert f"where={city}" in html
