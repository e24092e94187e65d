"""The public JSON API under /api/v1/ (therapists.api)."""

import datetime

import pytest
from django.core.cache import cache

from therapists.models import Language, OpeningHours, Specialty, Weekday
from therapists.tests.factories import make_clinic, make_location, make_place, make_therapist

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Every test starts with no requests counted against its address."""
    cache.clear()
    yield
    cache.clear()


def test_a_therapist_profile_has_what_the_page_shows(client, django_assert_num_queries):
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
        last_verified=datetime.date(2026, 10, 1),
        specialties=[Specialty.objects.get(slug="sciatica")],
        languages=[Language.objects.get(code="fr")],
        locations=[location],
    )

    with django_assert_num_queries(6):
        response = client.get(f"/api/v1/therapists/{therapist.slug}")

    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "Anna Kowalski"
    assert data["url"] == therapist.get_absolute_url()
    assert data["discipline"]["practitioner_title"] == "Registered massage therapist"
    assert data["regulator"] == "College of Massage Therapists of Manitoba"
    assert data["last_verified"] == "2026-10-01"
    assert data["languages"] == [{"code": "fr", "name": "French"}]
    assert data["specialties"] == [{"slug": "sciatica", "name": "Sciatica"}]
    assert [area["slug"] for area in data["body_areas"]] == ["back", "hip"]
    [place] = data["locations"]
    assert place["street"] == "1 Forks Market Road"
    assert place["wheelchair_accessible"] is True
    assert place["clinic"] == {"slug": clinic.slug, "name": "Forks Physio", "direct_billing": True}
    assert place["opening_hours"] == [{"weekday": 0, "day": "Monday", "opens": "09:00", "closes": "17:00"}]


def test_an_unpublished_therapist_does_not_exist_in_the_api(client):
    therapist = make_therapist(is_published=False)

    response = client.get(f"/api/v1/therapists/{therapist.slug}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "There is nothing here.",
    }


def test_a_clinic_lists_its_published_therapists_by_name(client):
    clinic = make_clinic("Forks Physio")
    location = make_location(clinic)
    make_therapist(first_name="Zoe", last_name="Young", locations=[location])
    make_therapist(first_name="Al", last_name="Abbott", locations=[location])
    make_therapist(first_name="Hidden", last_name="Hart", locations=[location], is_published=False)

    response = client.get(f"/api/v1/clinics/{clinic.slug}")

    data = response.json()
    assert data["name"] == "Forks Physio"
    assert data["url"] == clinic.get_absolute_url()
    assert [t["name"] for t in data["therapists"]] == ["Al Abbott", "Zoe Young"]
    assert [loc["name"] for loc in data["locations"]] == [location.name]


def test_an_unknown_clinic_is_a_404_problem(client):
    response = client.get("/api/v1/clinics/no-such-clinic")

    assert response.status_code == 404
    assert response.json()["title"] == "Not Found"


def test_places_for_a_type_ahead_are_those_starting_with_the_text_biggest_first(client):
    make_place("Winkler", "MB", (49.18, -97.94), population=13_000)
    make_place("Winnipeg", "MB", (49.88, -97.15), population=750_000)
    make_place("Windsor", "ON", (42.30, -83.02), population=230_000)
    make_place("Vancouver", "BC", (49.28, -123.12), population=660_000)

    response = client.get("/api/v1/places", {"q": "win"})

    assert [place["name"] for place in response.json()] == ["Winnipeg", "Windsor", "Winkler"]
    assert response.json()[0] == {
        "name": "Winnipeg",
        "province": "MB",
        "kind": "city",
        "description": "",
        "latitude": 49.88,
        "longitude": -97.15,
        "population": 750_000,
    }


def test_a_postal_code_typed_ahead_gives_its_area(client):
    make_place("R3C", "MB", (49.89, -97.14))

    response = client.get("/api/v1/places", {"q": "r3c 4t3"})

    assert [(place["name"], place["kind"]) for place in response.json()] == [("R3C", "fsa")]


@pytest.mark.parametrize("text", ["   ", "!!!", "\x00", "zzzzzz"])
def test_a_type_ahead_with_nothing_to_match_lists_no_places(client, text):
    response = client.get("/api/v1/places", {"q": text})

    assert response.status_code == 200
    assert response.json() == []


def test_the_reference_lists_give_the_search_parameters_values(client):
    assert [d["slug"] for d in client.get("/api/v1/disciplines").json()] == [
        "chiropractic",
        "massage",
        "physiotherapy",
    ]
    assert [a["slug"] for a in client.get("/api/v1/body-areas").json()][:3] == ["back", "neck", "shoulder"]
    assert {"code": "fr", "name": "French"} in client.get("/api/v1/languages").json()
    sciatica = next(s for s in client.get("/api/v1/specialties").json() if s["slug"] == "sciatica")
    assert sciatica == {"slug": "sciatica", "name": "Sciatica", "body_areas": ["back", "hip"]}


@pytest.mark.parametrize(
    "path",
    ["/api/", "/api/v1/", "/api/v1/nothing-here", "/api/v1/therapists/", "/api/v1/disciplines/", "/api/v2/x"],
)
def test_an_unknown_api_address_is_a_404_problem_not_an_html_page(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_parameters_that_cannot_be_read_are_a_400_problem_naming_them(client):
    response = client.get("/api/v1/places", {"q": ""})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["title"] == "Bad Request"
    assert [error["name"] for error in problem["errors"]] == ["q"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_only_reads(client, method):
    response = getattr(client, method)("/api/v1/disciplines")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response["Allow"] == "GET, HEAD"


def test_head_answers_like_get_without_a_body(client):
    response = client.head("/api/v1/disciplines")

    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"] == client.get("/api/v1/disciplines")["ETag"]


def test_an_unexpected_failure_is_a_500_problem_not_an_html_page(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("therapists.gazetteer.starting_with", broken)

    response = client.get("/api/v1/places", {"q": "win"})

    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert "a bug" not in response.content.decode()


def test_answers_are_cacheable_for_a_minute_and_revalidate_with_their_etag(client):
    first = client.get("/api/v1/disciplines")

    again = client.get("/api/v1/disciplines", headers={"If-None-Match": first["ETag"]})

    assert first["Cache-Control"] == "public, max-age=60"
    assert first["ETag"]
    assert again.status_code == 304
    assert again.content == b""


def test_errors_are_not_cached(client):
    response = client.get("/api/v1/therapists/nobody")

    assert "Cache-Control" not in response
    assert "ETag" not in response


def test_any_website_may_read_the_api_from_a_browser(client):
    response = client.get("/api/v1/disciplines", headers={"Origin": "https://clinic.example"})

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


def test_a_browser_preflight_allows_reading_only(client):
    response = client.options(
        "/api/v1/search",
        headers={
            "Origin": "https://clinic.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"


def test_the_site_pages_get_no_cors_headers(client):
    response = client.get("/", headers={"Origin": "https://clinic.example"})

    assert "Access-Control-Allow-Origin" not in response


def test_an_address_that_asks_too_often_is_told_when_to_come_back(client, settings):
    settings.API_RATE_LIMIT = "2/m"
    for _ in range(2):
        assert client.get("/api/v1/languages").status_code == 200

    response = client.get("/api/v1/languages")

    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["status"] == 429


def test_the_rate_limit_counts_each_address_on_its_own(client, settings):
    settings.API_RATE_LIMIT = "1/m"
    assert client.get("/api/v1/languages", REMOTE_ADDR="192.0.2.1").status_code == 200

    response = client.get("/api/v1/languages", REMOTE_ADDR="192.0.2.2")

    assert response.status_code == 200


def test_the_api_answers_when_the_cache_that_counts_is_down(client, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr("therapists.api.get_usage", down)

    assert client.get("/api/v1/languages").status_code == 200


def test_the_schema_is_openapi_3_1_with_problem_details_for_errors(client):
    schema = client.get("/api/v1/openapi.json").json()

    assert schema["openapi"].startswith("3.1")
    assert {"/api/v1/search", "/api/v1/therapists/{slug}", "/api/v1/places"} <= set(schema["paths"])
    responses = schema["paths"]["/api/v1/therapists/{slug}"]["get"]["responses"]
    assert list(responses["404"]["content"]) == ["application/problem+json"]
    assert "Retry-After" in responses["429"]["headers"]


def test_the_docs_page_is_served_from_our_own_origin_under_our_csp(client):
    response = client.get("/api/docs")

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "img-src 'self' data:" in csp
    assert "unsafe" not in csp


def test_other_pages_keep_the_strict_csp(client):
    assert "img-src" not in client.get("/").headers["Content-Security-Policy"]


def test_a_request_without_an_address_is_counted_not_refused(client):
    response = client.get("/api/v1/languages", REMOTE_ADDR="")

    assert response.status_code == 200


def test_ipv6_clients_are_counted_by_their_network(client, settings):
    settings.API_RATE_LIMIT = "1/m"
    assert client.get("/api/v1/languages", REMOTE_ADDR="2001:db8::1").status_code == 200

    response = client.get("/api/v1/languages", REMOTE_ADDR="2001:db8::2")

    assert response.status_code == 429
