"""Filling a location's coordinates: gazetteer first, the network geocoder only when enabled."""

import pytest
from django.urls import reverse
from geopy.exc import GeocoderServiceError

from therapists import geocoding
from therapists.geo import Point
from therapists.models import Location
from therapists.tests.factories import make_clinic, make_manager, make_place

pytestmark = pytest.mark.django_db

R3C = (49.8955, -97.1385)  # FSA centroid, degrees
BRANDON = (49.8485, -99.9501)


@pytest.fixture(autouse=True)
def no_network(settings, monkeypatch):
    settings.GEOCODING_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def refuse(query):
        raise AssertionError(f"the network geocoder was asked for {query!r}")

    monkeypatch.setattr(geocoding, "geocode_online", refuse)


@pytest.fixture
def places():
    make_place("R3C", "MB", R3C)
    make_place("Brandon", "MB", BRANDON, population=51_313)


def test_it_places_an_address_at_its_postal_code_area(places):
    found = geocoding.locate(street="1 Main St", city="Nowhere", province="MB", postal_code="r3c 4t3")

    assert found.point == Point(*R3C)
    assert "R3C" in found.source


def test_it_falls_back_to_the_city_when_the_postal_code_area_is_unknown(places):
    found = geocoding.locate(street="1 Rosser Ave", city="brandon", province="MB", postal_code="R7A 1A1")

    assert found.point == Point(*BRANDON)
    assert "Brandon, MB" in found.source


def test_it_places_nothing_it_cannot_find_offline(places):
    assert geocoding.locate(street="1 Main St", city="Atlantis", province="MB", postal_code="X0X") is None
    assert geocoding.locate() is None


def test_it_asks_the_network_geocoder_only_when_enabled_and_the_gazetteer_fails(
    places, settings, monkeypatch
):
    asked = []
    monkeypatch.setattr(geocoding, "geocode_online", lambda query: asked.append(query) or Point(50.0, -97.0))
    settings.GEOCODING_ENABLED = True

    from_gazetteer = geocoding.locate(
        street="1 Main St", city="Winnipeg", province="MB", postal_code="R3C 4T3"
    )
    from_network = geocoding.locate(street="9 Lake Rd", city="Atlantis", province="MB", postal_code="")

    assert from_gazetteer.point == Point(*R3C)
    assert from_network.point == Point(50.0, -97.0)
    assert asked == ["9 Lake Rd, Atlantis, MB, Canada"]


def test_it_survives_a_network_geocoder_outage(monkeypatch):
    monkeypatch.undo()  # the real geocode_online, with a failing geocoder behind it

    def outage(query, **kwargs):
        raise GeocoderServiceError("503")

    monkeypatch.setattr(geocoding, "_rate_limited_geocode", lambda: outage)

    assert geocoding.geocode_online("1 Main St, Winnipeg, MB, Canada") is None


def test_it_identifies_itself_and_waits_a_second_between_network_requests(settings):
    settings.GEOCODER_USER_AGENT = "finder-tests/1.0"
    geocoding._rate_limited_geocode.cache_clear()
    try:
        limiter = geocoding._rate_limited_geocode()
    finally:
        geocoding._rate_limited_geocode.cache_clear()

    assert limiter.min_delay_seconds == 1
    assert limiter.func.__self__.headers["User-Agent"] == "finder-tests/1.0"


def test_it_links_to_the_spot_on_openstreetmap():
    assert geocoding.map_url(Point(49.8955, -97.1385)) == (
        "https://www.openstreetmap.org/?mlat=49.89550&mlon=-97.13850#map=17/49.89550/-97.13850"
    )


# In the admin.


@pytest.fixture
def alice(places):
    clinic = make_clinic("Alpha Physio", slug="alpha-physio")
    return make_manager("alice", clinic), clinic


def new_location(clinic, **fields):
    return {
        "clinic": clinic.pk,
        "name": "Downtown",
        "street": "300 Portage Ave",
        "city": "Winnipeg",
        "province": "MB",
        "postal_code": "r3c 4t3",
        "latitude": "",
        "longitude": "",
        "opening_hours-TOTAL_FORMS": "0",
        "opening_hours-INITIAL_FORMS": "0",
        **fields,
    }


def test_it_fills_a_new_locations_coordinates_from_its_postal_code(client, alice):
    user, clinic = alice
    client.force_login(user)

    response = client.post(reverse("admin:therapists_location_add"), new_location(clinic), follow=True)

    location = Location.objects.get(name="Downtown")
    assert (location.latitude, location.longitude) == R3C
    assert location.postal_code == "R3C 4T3"
    assert "postal code area R3C" in response.content.decode()
    assert "openstreetmap.org/?mlat=49.89550" in response.content.decode()


def test_it_fills_a_new_locations_coordinates_from_its_city(client, alice):
    user, clinic = alice
    client.force_login(user)

    client.post(
        reverse("admin:therapists_location_add"),
        new_location(clinic, city="Brandon", street="1 Rosser Ave", postal_code="R7A 1A1"),
    )

    location = Location.objects.get(name="Downtown")
    assert (location.latitude, location.longitude) == BRANDON


def test_it_asks_for_coordinates_when_the_address_cannot_be_placed_and_keeps_the_form(client, alice):
    user, clinic = alice
    client.force_login(user)

    response = client.post(
        reverse("admin:therapists_location_add"),
        new_location(clinic, city="Atlantis", postal_code="X0X 0X0", street="77 Sunken Lane"),
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "We could not find this postal code or city" in text
    assert 'value="77 Sunken Lane"' in text
    assert 'value="Atlantis"' in text
    assert not Location.objects.exists()


def test_it_saves_coordinates_the_manager_typed_for_an_unknown_place(client, alice):
    user, clinic = alice
    client.force_login(user)

    response = client.post(
        reverse("admin:therapists_location_add"),
        new_location(clinic, city="Atlantis", postal_code="X0X 0X0", latitude="62.45", longitude="-114.37"),
    )

    assert response.status_code == 302
    location = Location.objects.get(name="Downtown")
    assert (location.latitude, location.longitude) == (62.45, -114.37)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"postal_code": "12345"}, "Enter a Canadian postal code like R3C 4T3."),
        ({"latitude": "49.9"}, "Give both latitude and longitude"),
        ({"latitude": "91", "longitude": "-97"}, "less than or equal to 90"),
        ({"latitude": "49", "longitude": "-197"}, "greater than or equal to -180"),
        ({"latitude": "north", "longitude": "-97"}, "Enter a number."),
    ],
)
def test_it_explains_bad_coordinates_and_postal_codes(client, alice, fields, message):
    user, clinic = alice
    client.force_login(user)

    response = client.post(reverse("admin:therapists_location_add"), new_location(clinic, **fields))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Location.objects.exists()


def test_it_fills_coordinates_of_a_location_added_on_the_clinic_page(client, alice):
    user, clinic = alice
    client.force_login(user)
    data = {
        "name": clinic.name,
        "phone": "",
        "email": "",
        "website": "",
        "description": "",
        "locations-TOTAL_FORMS": "1",
        "locations-INITIAL_FORMS": "0",
        "locations-0-name": "Exchange",
        "locations-0-street": "100 Princess St",
        "locations-0-city": "Winnipeg",
        "locations-0-province": "MB",
        "locations-0-postal_code": "R3C 1A1",
        "fees-TOTAL_FORMS": "0",
        "fees-INITIAL_FORMS": "0",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
    }

    response = client.post(reverse("admin:therapists_clinic_change", args=[clinic.pk]), data)

    assert response.status_code == 302
    location = clinic.locations.get()
    assert (location.latitude, location.longitude) == R3C


# One way to place a location, for the admin form and the CSV import alike.


def test_place_keeps_typed_coordinates_without_looking_anything_up():
    assert geocoding.place(49.9, -97.1, city="Brandon", province="MB") == (Point(49.9, -97.1), None)


def test_place_fills_empty_coordinates_from_the_address(places):
    point, found = geocoding.place(None, None, city="Brandon", province="MB", postal_code="")

    assert point == Point(*BRANDON)
    assert "Brandon" in found.source


@pytest.mark.parametrize(
    "latitude, longitude, field, message",
    [
        (None, -97.1, "latitude", geocoding.HALF_A_COORDINATE),
        (49.9, None, "longitude", geocoding.HALF_A_COORDINATE),
        (None, None, "latitude", geocoding.ADDRESS_NOT_FOUND),
    ],
)
def test_place_says_which_coordinate_is_missing_and_why(places, latitude, longitude, field, message):
    with pytest.raises(geocoding.NotPlaced) as raised:
        geocoding.place(latitude, longitude, city="Atlantis", province="MB", postal_code="X0X")

    assert (raised.value.field, raised.value.message) == (field, message)
