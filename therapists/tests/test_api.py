"""The public JSON API under /api/v1/ (therapists.api)."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from therapists.models import Language, OpeningHours, Specialty, Weekday
from therapists.tests.factories import WINNIPEG, make_clinic, make_location, make_place, make_therapist

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

    with django_assert_num_queries(10):  # with the clinic's payers, the therapist's fees, tags, links
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
    assert place["clinic"] == {
        "slug": clinic.slug,
        "name": "Forks Physio",
        "direct_billing": True,
        "payers": [{"slug": "manulife", "name": "Manulife", "kind": "insurer"}],
    }
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


@pytest.mark.parametrize("therapists", [1, 6])
def test_a_clinic_costs_the_same_queries_however_many_therapists_it_has(
    client, django_assert_num_queries, therapists
):
    clinic = make_clinic()
    for location in [make_location(clinic), make_location(clinic)]:
        OpeningHours.objects.create(
            location=location, weekday=Weekday.MONDAY, opens=datetime.time(9), closes=datetime.time(17)
        )
        for _ in range(therapists):
            make_therapist(locations=[location])

    with django_assert_num_queries(7):  # with its payers, fees and photos
        response = client.get(f"/api/v1/clinics/{clinic.slug}")

    assert len(response.json()["therapists"]) == 2 * therapists


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
    csp = client.get("/").headers["Content-Security-Policy"]

    assert "img-src" not in csp  # images from default-src: our own origin only
    assert "data:" not in csp


def test_a_request_without_an_address_is_counted_not_refused(client):
    response = client.get("/api/v1/languages", REMOTE_ADDR="")

    assert response.status_code == 200


def test_ipv6_clients_are_counted_by_their_network(client, settings):
    settings.API_RATE_LIMIT = "1/m"
    assert client.get("/api/v1/languages", REMOTE_ADDR="2001:db8::1").status_code == 200

    response = client.get("/api/v1/languages", REMOTE_ADDR="2001:db8::2")

    assert response.status_code == 429


# Search: the page's search, as JSON.

KM_PER_DEGREE_LONGITUDE = 71.7


def east_of_winnipeg(km: float) -> tuple[float, float]:
    return (WINNIPEG[0], WINNIPEG[1] + km / KM_PER_DEGREE_LONGITUDE)


@pytest.fixture
def winnipeg(db):
    return make_place("Winnipeg", "MB", WINNIPEG, population=749_607)


def test_winnipeg_massage_therapists_come_nearest_first_with_the_origin(client, winnipeg):
    far = make_therapist(locations=[make_location(at=east_of_winnipeg(12))])
    near = make_therapist(
        locations=[make_location(at=east_of_winnipeg(2))], languages=[Language.objects.get(code="fr")]
    )
    make_therapist(discipline="physiotherapy", locations=[make_location(at=east_of_winnipeg(1))])

    response = client.get("/api/v1/search", {"where": "Winnipeg", "discipline": "massage"})

    assert response.status_code == 200
    data = response.json()
    assert data["origin"] == {
        "name": "Winnipeg, MB",
        "province": "MB",
        "kind": "city",
        "latitude": WINNIPEG[0],
        "longitude": WINNIPEG[1],
    }
    assert [result["therapist"]["slug"] for result in data["results"]] == [near.slug, far.slug]
    first = data["results"][0]
    assert first["distance_km"] == pytest.approx(2.0, abs=0.01)
    assert first["url"].startswith(near.get_absolute_url())
    assert first["languages"] == ["French"]
    assert first["location"]["latitude"] == east_of_winnipeg(2)[0]
    assert first["location"]["clinic"]["slug"] == near.locations.get().clinic.slug
    assert first["beyond_radius"] is False
    assert data["count"] == 2
    assert data["count_is_capped"] is False
    assert data["page"] == {"number": 1, "has_next": False, "has_previous": False, "last": 1}
    assert data["radius_km"] == 25


def test_the_nearest_beyond_the_radius_follow_a_thin_page_marked_as_such(client, winnipeg):
    inside = make_therapist(locations=[make_location(at=east_of_winnipeg(3))])
    outside = make_therapist(locations=[make_location(at=east_of_winnipeg(40))])

    results = client.get("/api/v1/search", {"where": "Winnipeg", "radius": "10"}).json()["results"]

    assert [(r["therapist"]["slug"], r["beyond_radius"]) for r in results] == [
        (inside.slug, False),
        (outside.slug, True),
    ]


def test_a_point_is_an_origin_of_its_own_kind(client, db):
    make_therapist(locations=[make_location(at=east_of_winnipeg(1))])

    origin = client.get("/api/v1/search", {"lat": "49.9", "lng": "-97.1"}).json()["origin"]

    assert origin["kind"] == "coordinates"
    assert origin["province"] is None
    assert (origin["latitude"], origin["longitude"]) == (49.9, -97.1)


def test_an_ambiguous_place_gives_the_same_alternatives_as_the_page(client, db):
    make_place("London", "ON", (42.98, -81.25), population=400_000)
    make_place("London", "BC", (49.10, -122.70), population=100)

    data = client.get("/api/v1/search", {"where": "London"}).json()

    assert data["origin"]["name"] == "London, ON"
    assert data["place_match"]["place"]["province"] == "ON"
    assert [(p["name"], p["province"]) for p in data["place_match"]["alternatives"]] == [("London", "BC")]


def test_an_unknown_place_gives_suggestions_and_no_results(client, winnipeg):
    make_therapist(locations=[make_location()])

    data = client.get("/api/v1/search", {"where": "Wnpeg"}).json()

    assert data["origin"] is None
    assert data["results"] == []
    assert data["place_match"]["place"] is None
    assert [p["name"] for p in data["place_match"]["suggestions"]] == ["Winnipeg"]


def test_a_misspelt_place_is_searched_as_the_place_meant_and_says_so(client, winnipeg):
    near = make_therapist(locations=[make_location()])

    data = client.get("/api/v1/search", {"where": "Winipeg"}).json()

    assert data["origin"]["name"] == "Winnipeg, MB"
    assert data["place_match"]["corrected"] is True
    assert [r["therapist"]["slug"] for r in data["results"]] == [near.slug]


def test_blank_parameters_as_the_page_form_sends_them_mean_no_filter(client, winnipeg):
    therapist = make_therapist(locations=[make_location()])

    response = client.get(
        "/api/v1/search?where=Winnipeg&lat=&lng=&radius=&sort=&page=&new_patients=&discipline="
    )

    assert response.status_code == 200
    assert [r["therapist"]["slug"] for r in response.json()["results"]] == [therapist.slug]


@pytest.mark.parametrize(
    "query, refused",
    [
        ("discipline=astrology", "discipline"),
        ("where=Winnipeg&language=xx", "language"),
        ("lat=100&lng=0", "lat"),
        ("lat=north&lng=0", "lat"),
        ("lat=49&lng=-181", "lng"),
        ("sort=cheapest", "sort"),
        ("page=last", "page"),
        ("radius=far", "radius"),
        ("new_patients=maybe", "new_patients"),
    ],
)
def test_search_parameters_that_cannot_be_read_are_a_400_naming_them(client, winnipeg, query, refused):
    response = client.get(f"/api/v1/search?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert refused in [error["name"] for error in response.json()["errors"]]


def test_values_the_page_adjusts_are_adjusted_with_a_notice(client, winnipeg):
    make_therapist(locations=[make_location()])

    data = client.get("/api/v1/search", {"where": "Winnipeg", "radius": "900", "page": "7"}).json()

    assert data["radius_km"] == 500
    assert data["page"]["number"] == 1
    assert len(data["messages"]) == 2


def test_nasty_search_text_is_answered_not_failed(client, winnipeg):
    for text in ["\x00", "'; drop table therapists_therapist; --", "é" * 500, "%", "_", "\\"]:
        response = client.get("/api/v1/search", {"where": text, "q": text})

        assert response.status_code in (200, 400)
        assert response["Content-Type"].startswith("application/")


def test_a_search_costs_no_more_queries_than_the_page_and_a_bounded_number(client, winnipeg):
    for km in range(25):
        make_therapist(locations=[make_location(at=east_of_winnipeg(km))])
    query = "where=Winnipeg&language=fr&area=back&page=2"

    with CaptureQueriesContext(connection) as page:
        client.get(f"/search/?{query}")
    with CaptureQueriesContext(connection) as api:
        response = client.get(f"/api/v1/search?{query}")

    assert response.status_code == 200
    assert len(api) <= len(page) <= 20


# Parity: the API lists what the search page lists, in the same order.


@pytest.fixture
def city_of_therapists(winnipeg):
    """70 therapists east of Winnipeg (one every 300 m, enough for three pages), with every
    kind of filter spread among them, and five far outside the default radius."""
    make_place("R3C", "MB", (49.8951, -97.1384))
    make_place("London", "ON", (42.98, -81.25), population=400_000)
    make_place("London", "BC", (49.10, -122.70), population=100)
    disciplines = ["massage", "physiotherapy", "chiropractic"]
    languages = list(Language.objects.filter(code__in=["en", "fr", "pa"]))
    specialties = list(Specialty.objects.filter(slug__in=["sciatica", "sports-injuries", "dry-needling"]))
    billing, plain = make_clinic("Billing Clinic", direct_billing=True), make_clinic("Plain Clinic")
    for n in range(75):
        km = 0.3 * n if n < 70 else 30 + 10 * (n - 70)
        location = make_location(
            billing if n % 4 == 0 else plain, at=east_of_winnipeg(km), wheelchair_accessible=n % 3 == 0
        )
        make_therapist(
            discipline=disciplines[n % 3],
            last_name=f"Tester{(n * 37) % 75:02d}",  # names in another order than distances
            locations=[location],
            languages=[languages[n % 3]],
            specialties=[specialties[n % 3]] if n % 2 else [],
            accepting_new_patients=n % 5 != 0,
            offers_virtual_care=n % 2 == 0,
        )


PARITY_QUERIES = [
    "where=Winnipeg",
    "where=Winnipeg&page=3",
    "where=R3C",
    "where=r3c+4t3&page=2",
    "lat=49.8951&lng=-97.1384",
    "lat=49.8951&lng=-97.1384&page=3",
    "where=Winnipeg&radius=5",  # a thin page topped up beyond the radius
    "where=Winnipeg&radius=1&discipline=chiropractic",
    "where=Winnipeg&radius=500&page=4",
    "where=Winnipeg&discipline=physiotherapy",
    "where=Winnipeg&discipline=massage&discipline=chiropractic&page=2",
    "where=Winnipeg&area=back",
    "where=Winnipeg&specialty=sports-injuries",
    "where=Winnipeg&language=pa",
    "where=Winnipeg&q=Tester1",
    "where=Winnipeg&new_patients=1",
    "where=Winnipeg&virtual=1",
    "where=Winnipeg&direct_billing=1",
    "where=Winnipeg&accessible=1",
    "where=Winnipeg&sort=name",
    "where=Winnipeg&sort=name&page=3",
    "where=Winnipeg&discipline=massage&language=en&virtual=1&accessible=1&radius=10",
    "where=London",
    "where=Winipeg",  # a close spelling, taken as Winnipeg
    "where=Wnpeg",  # too far from any name: suggestions only
    "where=Winnipeg&radius=900&page=60",  # adjusted by both, with notices
    "discipline=massage",  # no place: by name
    "page=3",
    "",
]


NOBODY_NEAR = {"where=London", "where=Wnpeg"}  # far away, and not a place


def listed(page, api) -> tuple[list, list]:
    """What the page and the API answers list, side by side, in the same terms."""
    found, data = page.context["results"], api.json()
    on_page = [
        (r.therapist.slug, r.location.latitude, r.location.longitude, r.distance_km, r.beyond_radius)
        for r in found.results
    ]
    in_api = [
        (
            r["therapist"]["slug"],
            r["location"]["latitude"],
            r["location"]["longitude"],
            r["distance_km"],
            r["beyond_radius"],
        )
        for r in data["results"]
    ]
    page_facts = (found.count, found.count_is_capped, found.page.number, [str(m) for m in found.messages])
    api_facts = (data["count"], data["count_is_capped"], data["page"]["number"], data["messages"])
    return [on_page, page_facts], [in_api, api_facts]


def test_the_api_lists_the_same_therapists_in_the_same_order_as_the_page(client, city_of_therapists):
    # One set of listings for every query: building it is the slow part.
    differences = []
    for query in PARITY_QUERIES:
        page, api = client.get(f"/search/?{query}"), client.get(f"/api/v1/search?{query}")
        assert page.status_code == api.status_code == 200, query
        on_page, in_api = listed(page, api)
        assert on_page[0] or query in NOBODY_NEAR, f"{query} lists nobody: a weak check"
        if on_page != in_api:
            differences.append((query, on_page, in_api))

    assert differences == []
