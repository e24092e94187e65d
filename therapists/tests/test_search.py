"""GET /search/: places, ranking by distance, filters, paging and bad input."""

import html
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from geopy.distance import geodesic

from therapists import filters
from therapists import search as search_module
from therapists.models import BodyArea, Language, Specialty
from therapists.tests.factories import (
    WINNIPEG,
    make_clinic,
    make_fee,
    make_location,
    make_place,
    make_therapist,
)

pytestmark = pytest.mark.django_db

SEARCH = reverse("therapists:search")
# Points east of Winnipeg's centre, by how far away they are (km along the parallel).
KM_PER_DEGREE_LONGITUDE = 71.7


def east_of_winnipeg(km: float) -> tuple[float, float]:
    return (WINNIPEG[0], WINNIPEG[1] + km / KM_PER_DEGREE_LONGITUDE)


@pytest.fixture
def winnipeg(db):
    return make_place("Winnipeg", "MB", WINNIPEG, population=749_607)


def search(client, **params):
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    return response


def shown(response) -> list[str]:
    """Slugs of the therapists on the page, in order."""
    return [result.therapist.slug for result in response.context["results"].results]


def data_attributes(response) -> list[dict[str, str]]:
    html = response.content.decode()
    pattern = r'data-therapist="([^"]+)" data-lat="([^"]+)" data-lng="([^"]+)" data-distance-km="([^"]+)"'
    return [
        {"slug": slug, "lat": lat, "lng": lng, "km": km} for slug, lat, lng, km in re.findall(pattern, html)
    ]


# Ranking


def test_it_lists_the_nearest_therapists_first_with_geodesic_distances(client, winnipeg):
    far = make_therapist(locations=[make_location(at=east_of_winnipeg(12))])
    near = make_therapist(locations=[make_location(at=east_of_winnipeg(2))])
    middle = make_therapist(locations=[make_location(at=(WINNIPEG[0] + 0.05, WINNIPEG[1]))])

    response = search(client, where="Winnipeg")

    assert shown(response) == [near.slug, middle.slug, far.slug]
    for row in data_attributes(response):
        expected = geodesic(WINNIPEG, (float(row["lat"]), float(row["lng"]))).km
        assert abs(float(row["km"]) - expected) < 0.01
    assert "2.0 km away" in response.content.decode()
    assert "Therapists near Winnipeg, MB" in response.content.decode()


def test_each_therapist_appears_once_at_their_nearest_location(client, winnipeg):
    close, distant = make_location(at=east_of_winnipeg(3)), make_location(at=east_of_winnipeg(9))
    therapist = make_therapist(locations=[distant, close])

    response = search(client, where="Winnipeg")

    assert shown(response) == [therapist.slug]
    assert response.context["results"].results[0].location == close
    assert response.context["results"].count == 1


def test_the_location_a_therapist_is_ranked_by_matches_the_location_filters(client, winnipeg):
    close = make_location(at=east_of_winnipeg(1), wheelchair_accessible=False)
    accessible = make_location(at=east_of_winnipeg(6), wheelchair_accessible=True)
    therapist = make_therapist(locations=[close, accessible])
    make_therapist(locations=[make_location(at=east_of_winnipeg(2), wheelchair_accessible=False)])

    response = search(client, where="Winnipeg", accessible="1")

    assert shown(response) == [therapist.slug]
    assert response.context["results"].results[0].location == accessible


def test_each_result_links_to_the_profile_at_the_location_found_and_to_the_clinic(client, winnipeg):
    clinic = make_clinic("Core Physio", slug="core-physio")
    location = make_location(clinic, at=east_of_winnipeg(2))
    therapist = make_therapist(slug="dana-moss", locations=[location, make_location(at=east_of_winnipeg(30))])

    page = search(client, where="Winnipeg").content.decode()

    assert f'<a href="{therapist.get_absolute_url()}?location={location.pk}">' in page
    assert f'<a href="{clinic.get_absolute_url()}">Core Physio</a>' in page


def test_ties_break_by_id_so_pages_never_repeat_or_skip_anyone(client, winnipeg):
    same_place = make_location(at=east_of_winnipeg(1))
    therapists = [make_therapist(locations=[same_place]) for _ in range(45)]

    pages = [shown(search(client, where="Winnipeg", page=page)) for page in (1, 2, 3)]

    assert [len(page) for page in pages] == [20, 20, 5]
    assert [slug for page in pages for slug in page] == [
        t.slug for t in sorted(therapists, key=lambda t: t.pk)
    ]


def test_it_shows_20_a_page_and_the_exact_count_on_the_last(client, winnipeg):
    for km in range(25):
        make_therapist(locations=[make_location(at=east_of_winnipeg(km * 0.5 + 0.1))])

    response = search(client, where="Winnipeg", page=2)

    assert len(shown(response)) == 5
    assert response.context["results"].count == 25
    assert "25 therapists within 25 km" in response.content.decode()
    assert "Page 2 of 2" in response.content.decode()


def test_before_the_last_page_the_count_says_how_many_at_least(client, winnipeg):
    for n in range(45):
        make_therapist(locations=[make_location(at=east_of_winnipeg(n * 0.1 + 0.1))])

    response = search(client, where="Winnipeg", page=2)

    assert response.context["results"].count_is_capped
    assert "40+ therapists within 25 km" in response.content.decode()
    assert "Page 2</span>" in response.content.decode()  # no "of N": not every match was counted
    assert 'rel="next"' in response.content.decode()


def test_a_page_past_the_deepest_allowed_shows_the_deepest_and_says_why(client, winnipeg, monkeypatch):
    monkeypatch.setattr(search_module, "MAX_PAGES", 2)
    for km in range(45):
        make_therapist(locations=[make_location(at=east_of_winnipeg(km * 0.5 + 0.1))])

    response = search(client, where="Winnipeg", page=7)

    assert response.context["results"].page.number == 2
    assert len(shown(response)) == 20
    assert "Only the first 2 pages can be shown" in response.content.decode()


def test_the_last_page_has_no_next_link(client, winnipeg):
    for km in range(40):
        make_therapist(locations=[make_location(at=east_of_winnipeg(km * 0.5 + 0.1))])

    first = search(client, where="Winnipeg").content.decode()
    last = search(client, where="Winnipeg", page=2).content.decode()

    assert 'rel="next"' in first
    assert 'rel="next"' not in last
    assert 'rel="prev"' in last


def test_when_few_are_within_the_radius_the_nearest_beyond_it_follow_labelled(client, winnipeg):
    inside = make_therapist(locations=[make_location(at=east_of_winnipeg(3))])
    outside_far = make_therapist(locations=[make_location(at=east_of_winnipeg(80))])
    outside_near = make_therapist(locations=[make_location(at=east_of_winnipeg(40))])
    make_therapist(locations=[make_location(at=(43.65, -79.38))])  # Toronto: beyond 500 km

    response = search(client, where="Winnipeg")

    results = response.context["results"]
    assert [r.therapist for r in results.within] == [inside]
    assert [r.therapist for r in results.beyond] == [outside_near, outside_far]
    assert results.count == 1
    assert "the nearest beyond 25 km" in response.content.decode()


def test_sorting_by_name_keeps_the_radius_and_puts_the_nearest_beyond_it_last(client, winnipeg):
    zed = make_therapist(last_name="Zed", locations=[make_location(at=east_of_winnipeg(1))])
    abe = make_therapist(last_name="Abe", locations=[make_location(at=east_of_winnipeg(5))])
    beyond = make_therapist(last_name="Aaron", locations=[make_location(at=east_of_winnipeg(60))])

    response = search(client, where="Winnipeg", sort="name")

    assert shown(response) == [abe.slug, zed.slug, beyond.slug]


def test_a_larger_radius_takes_in_more_therapists(client, winnipeg):
    make_therapist(locations=[make_location(at=east_of_winnipeg(3))])
    make_therapist(locations=[make_location(at=east_of_winnipeg(40))])

    assert search(client, where="Winnipeg", radius="50").context["results"].count == 2
    assert search(client, where="Winnipeg", radius="5").context["results"].count == 1


# Places


def test_it_searches_from_a_postal_code_area(client):
    make_place("R3C", "MB", (49.8951, -97.1384), population=None)
    therapist = make_therapist(locations=[make_location(at=(49.90, -97.14))])

    for where in ("R3C", "r3c 4t3", "R3C4T3"):
        response = search(client, where=where)
        assert shown(response) == [therapist.slug]
        assert response.context["results"].origin.point == (49.8951, -97.1384)


def test_it_searches_from_latitude_and_longitude(client):
    near = make_therapist(locations=[make_location(at=(49.90, -97.20))])
    far = make_therapist(locations=[make_location(at=(49.95, -97.10))])

    response = search(client, lat="49.9", lng="-97.2")

    assert shown(response) == [near.slug, far.slug]
    assert "Therapists near your location" in response.content.decode()


def test_a_typed_place_wins_over_coordinates_left_from_an_earlier_search(client, winnipeg):
    make_place("Toronto", "ON", (43.70011, -79.4163), population=2_600_000)
    toronto = make_therapist(locations=[make_location(at=(43.70, -79.41))])

    response = search(client, where="Toronto", lat="49.88", lng="-97.14")

    assert shown(response) == [toronto.slug]


def test_an_ambiguous_place_picks_the_most_populous_and_offers_the_others(client):
    make_place("London", "ON", (42.98339, -81.23304), population=346_765)
    make_place("London", "NL", (47.5, -53.0), population=1_000)

    response = search(client, where="london")

    assert response.context["results"].origin.label == "London, ON"
    assert "Did you mean" in response.content.decode()
    assert "where=London%2C+NL" in response.content.decode()


def test_an_unknown_place_says_so_and_suggests_close_spellings(client, winnipeg):
    make_therapist(locations=[make_location(at=east_of_winnipeg(1))])

    response = search(client, where="Wnpeg")

    html = response.content.decode()
    assert "couldn't find a place called “Wnpeg”" in html
    assert "where=Winnipeg%2C+MB" in html
    assert shown(response) == []


def test_a_misspelt_place_is_searched_as_the_place_meant_and_says_so(client, winnipeg):
    near = make_therapist(locations=[make_location(at=east_of_winnipeg(1))])

    response = search(client, where="Winipeg")

    assert "We found no place called “Winipeg”, so here is Winnipeg, MB." in response.content.decode()
    assert shown(response) == [near.slug]


def test_without_a_place_it_lists_everyone_by_name_and_asks_where(client):
    b = make_therapist(last_name="Bravo")
    a = make_therapist(last_name="Alpha")

    response = search(client)

    assert shown(response) == [a.slug, b.slug]
    assert "Enter a city or postal code" in response.content.decode()


# Filters


def test_unpublished_therapists_are_never_found(client, winnipeg):
    hidden = make_therapist(is_published=False, locations=[make_location(at=east_of_winnipeg(1))])

    assert hidden.slug not in shown(search(client, where="Winnipeg"))
    assert hidden.slug not in shown(search(client))
    assert hidden.slug not in shown(search(client, q=hidden.last_name))


def test_disciplines_combine_with_or(client, winnipeg):
    massage = make_therapist(discipline="massage", locations=[make_location(at=east_of_winnipeg(1))])
    physio = make_therapist(discipline="physiotherapy", locations=[make_location(at=east_of_winnipeg(2))])
    make_therapist(discipline="chiropractic", locations=[make_location(at=east_of_winnipeg(3))])

    response = client.get(SEARCH, {"where": "Winnipeg", "discipline": ["massage", "physiotherapy"]})

    assert shown(response) == [massage.slug, physio.slug]


def test_filters_combine_with_and_across_facets(client, winnipeg):
    french = Language.objects.get(code="fr")
    match = make_therapist(
        discipline="massage", languages=[french], locations=[make_location(at=east_of_winnipeg(4))]
    )
    make_therapist(discipline="massage", locations=[make_location(at=east_of_winnipeg(1))])
    make_therapist(
        discipline="physiotherapy", languages=[french], locations=[make_location(at=east_of_winnipeg(2))]
    )

    response = search(client, where="Winnipeg", discipline="massage", language="fr")

    assert shown(response) == [match.slug]


def test_it_finds_therapists_by_what_hurts_and_by_specialty(client, winnipeg):
    sciatica = Specialty.objects.get(slug="sciatica")
    tmj = Specialty.objects.get(slug="tmj-dysfunction")
    back = make_therapist(specialties=[sciatica], locations=[make_location(at=east_of_winnipeg(1))])
    jaw = make_therapist(specialties=[tmj], locations=[make_location(at=east_of_winnipeg(2))])

    assert shown(search(client, where="Winnipeg", area="back")) == [back.slug]
    assert shown(search(client, where="Winnipeg", area="neck")) == [jaw.slug]
    assert shown(search(client, where="Winnipeg", specialty="tmj-dysfunction")) == [jaw.slug]
    assert BodyArea.objects.filter(slug="back").exists()


def test_the_yes_no_filters_each_narrow_the_results(client, winnipeg):
    billing_clinic = make_clinic(direct_billing=True)
    everything = make_therapist(
        accepting_new_patients=True,
        offers_virtual_care=True,
        locations=[make_location(billing_clinic, at=east_of_winnipeg(5), wheelchair_accessible=True)],
    )
    nothing = make_therapist(
        accepting_new_patients=False,
        offers_virtual_care=False,
        locations=[make_location(at=east_of_winnipeg(1), wheelchair_accessible=False)],
    )

    for flag in ("new_patients", "virtual", "direct_billing", "accessible"):
        assert shown(search(client, where="Winnipeg", **{flag: "1"})) == [everything.slug], flag
        assert shown(search(client, where="Winnipeg", **{flag: "0"})) == [nothing.slug, everything.slug], flag


def test_free_text_matches_therapist_clinic_and_specialty_names_word_by_word(client, winnipeg):
    clinic = make_clinic("Osborne Village Physio")
    anna = make_therapist(
        first_name="Anna",
        last_name="Kowalski",
        specialties=[Specialty.objects.get(slug="dry-needling")],
        locations=[make_location(clinic, at=east_of_winnipeg(2))],
    )
    make_therapist(first_name="Ben", locations=[make_location(at=east_of_winnipeg(1))])

    for q in ("kowalski", "Anna Kowalski", "osborne", "DRY needling", "anna osborne"):
        assert shown(search(client, where="Winnipeg", q=q)) == [anna.slug], q
    assert shown(search(client, where="Winnipeg", q="anna zzz")) == []


def test_active_filters_show_as_chips_that_remove_themselves(client, winnipeg):
    make_therapist(locations=[make_location(at=east_of_winnipeg(1))])

    response = client.get(
        SEARCH,
        {"where": "Winnipeg", "discipline": ["massage", "physiotherapy"], "new_patients": "1", "page": "1"},
    )

    chips = {chip.label: chip.remove_url for chip in response.context["chips"]}
    assert set(chips) == {"Massage therapy", "Physiotherapy", "Accepting new patients"}
    assert chips["Massage therapy"] == "?where=Winnipeg&discipline=physiotherapy&new_patients=1"
    assert chips["Accepting new patients"] == "?where=Winnipeg&discipline=massage&discipline=physiotherapy"


def test_clear_every_filter_removes_each_filter_that_has_a_chip_and_keeps_the_place(client, winnipeg):
    make_therapist(discipline="massage", locations=[make_location(at=east_of_winnipeg(1))])
    every_filter = {
        "discipline": "chiropractic",
        "area": "back",
        "specialty": "sciatica",
        "language": "fr",
        "new_patients": "1",
        "virtual": "1",
        "direct_billing": "1",
        "accessible": "1",
        "q": "zzz",
    }

    response = search(client, where="Winnipeg", radius="50", sort="name", page="1", **every_filter)

    results = response.context["results"]
    assert len(results.chips) == len(every_filter)
    assert results.clear_filters_url == "?where=Winnipeg&radius=50&sort=name"
    assert f'href="{html.escape(results.clear_filters_url)}">clear every filter' in response.content.decode()


def test_the_filtersets_queryset_applies_every_filter_it_declares():
    """Anyone who trusts `TherapistFilter.qs` (django-filter's users do) gets what it says:
    each declared filter narrows it; where and how to rank are `find_therapists`' job."""
    fluent = make_therapist(
        discipline="physiotherapy",
        first_name="Zed",
        languages=[Language.objects.get(code="fr")],
        specialties=[Specialty.objects.get(slug="sciatica")],
        accepting_new_patients=True,
        offers_virtual_care=True,
        gender="woman",
        tags=["trauma-informed"],
    )
    make_fee(fluent.locations.get().clinic, "80", kind="assessment")  # a physiotherapist: not a massage
    other = make_therapist(discipline="massage", accepting_new_patients=False, offers_virtual_care=False)
    make_fee(other.locations.get().clinic, "150")
    one_each = {
        "discipline": "physiotherapy",
        "area": "back",
        "specialty": "sciatica",
        "language": "fr",
        "q": "zed",
        "new_patients": "1",
        "virtual": "1",
        "gender": "woman",
        "tag": "trauma-informed",
        "max_price": "100",
    }

    for name, value in one_each.items():
        assert list(filters.TherapistFilter(QueryDict(f"{name}={value}")).qs) == [fluent], name
    assert set(filters.TherapistFilter.base_filters) == set(one_each)


def test_an_empty_result_says_why_and_how_to_widen_the_search(client, winnipeg):
    make_therapist(discipline="massage", locations=[make_location(at=east_of_winnipeg(1))])

    response = search(client, where="Winnipeg", discipline="chiropractic")

    html = response.content.decode()
    assert "No therapists within 25 km of Winnipeg, MB match these filters." in html
    assert "Nothing matches anywhere near Winnipeg, MB." in html
    assert "remove “Chiropractic”" in html


# Bad input: never a 500, always a clear message or a safe default.

BAD_INPUTS = [
    ({"lat": "abc", "lng": "-97.1"}, "Latitude must be a number from -90 to 90."),
    ({"lat": "91", "lng": "-97.1"}, "Latitude must be a number from -90 to 90."),
    ({"lat": "49.9", "lng": "-181"}, "Longitude must be a number from -180 to 180."),
    ({"lat": "nan", "lng": "inf"}, "Latitude must be a number from -90 to 90."),
    ({"lat": "49.9"}, "Both latitude and longitude are needed"),
    (
        {"where": "Winnipeg", "discipline": "acupuncturist"},
        "We don't know the kind of therapist “acupuncturist”",
    ),
    ({"where": "Winnipeg", "specialty": "nope"}, "We don't know the area of focus “nope”"),
    ({"where": "Winnipeg", "insurer": "nope"}, "We don't know the insurer or programme “nope”"),
    ({"where": "Winnipeg", "gender": "nope"}, "We don't know the gender “nope”"),
    ({"where": "Winnipeg", "max_price": "cheap"}, "The price must be a number of dollars, e.g. 120."),
    ({"where": "Winnipeg", "max_price": "-5"}, "The price must be a number of dollars, e.g. 120."),
    ({"where": "Winnipeg", "max_price": "1e400"}, "The price must be a number of dollars, e.g. 120."),
    ({"where": "Winnipeg", "area": "ear"}, "We don't know the body area “ear”"),
    ({"where": "Winnipeg", "language": "xx"}, "We don't know the language “xx”"),
    ({"where": "Winnipeg", "radius": "0"}, "showing 1 km"),
    ({"where": "Winnipeg", "radius": "10000"}, "showing 500 km"),
    ({"where": "Winnipeg", "radius": "-5"}, "showing 1 km"),
    ({"where": "Winnipeg", "radius": "far"}, "The distance must be a number of km"),
    ({"where": "Winnipeg", "sort": "price"}, "soonest available or name only"),
    ({"where": "Winnipeg", "page": "0"}, "Pages start at 1"),
    ({"where": "Winnipeg", "page": "1000000000"}, "There is only 1 page of results"),
    ({"where": "Winnipeg", "page": "-1"}, "Pages start at 1"),
    ({"where": "Winnipeg", "page": "two"}, "was not a number"),
    ({"where": "Winnipeg", "q": "back " * 2000}, "Your q was shortened to 200 characters."),
    ({"where": "W" * 10_000}, "Your where was shortened to 200 characters."),
]


@pytest.mark.parametrize(("params", "message"), BAD_INPUTS)
def test_bad_input_gets_a_clear_message_not_an_error(client, winnipeg, params, message):
    make_therapist(locations=[make_location(at=east_of_winnipeg(1))])

    response = search(client, **params)

    assert message in html.unescape(response.content.decode())


def test_nul_bytes_in_any_parameter_are_removed_before_searching(client, winnipeg):
    therapist = make_therapist(locations=[make_location(at=east_of_winnipeg(1))])
    params = {
        "where": "Winni\x00peg",
        "discipline": "mas\x00sage",
        "q": "\x00",
        "lat": "4\x009",
        "language": "\x00",
        "radius": "2\x005",
        "page": "\x00",
        "sort": "dis\x00tance",
        "new_patients\x00": "1",
    }

    response = search(client, **params)

    assert shown(response) == [therapist.slug]


def test_mixed_scripts_and_symbols_are_searched_safely(client, winnipeg):
    make_therapist(first_name="Мария", locations=[make_location(at=east_of_winnipeg(1))])

    assert len(shown(search(client, where="Winnipeg", q="мария 田中 💆 %_'\";--"))) == 0
    assert len(shown(search(client, where="Winnipeg", q="Мария"))) == 1
    response = search(client, where="Виннипег 東京")
    assert "couldn't find a place" in response.content.decode()


def test_unknown_filter_values_are_left_out_and_the_rest_still_applies(client, winnipeg):
    physio = make_therapist(discipline="physiotherapy", locations=[make_location(at=east_of_winnipeg(2))])
    make_therapist(
        discipline="massage", accepting_new_patients=False, locations=[make_location(at=east_of_winnipeg(1))]
    )

    response = search(client, where="Winnipeg", area="ear", new_patients="1")

    assert shown(response) == [physio.slug]


# Query counts


def count_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = search(client, **params)
    return len(queries), len(shown(response))


# Fixed queries of a place search: the place, the form's six lists of choices, the
# page's locations, therapists, languages, tags, booking links, fees and clinics' payers, and the four that
# say whether each is open now (weekly hours, closures, special hours, therapists' own
# hours), and one write to the weekly counters (therapists.demand). Ranking adds one query
# per round of its growing circle, at most 12 (1 km doubling to 500 km and a top-up).
FIXED_QUERIES = 19
MOST_RANKING_ROUNDS = 12


@pytest.mark.parametrize("sort", ["distance", "name"])
def test_a_results_page_costs_no_more_queries_when_ten_times_as_many_match(client, winnipeg, sort):
    params = {"where": "Winnipeg", "discipline": "massage", "sort": sort, "language": "en"}
    english = Language.objects.get(code="en")
    places = [make_location(at=east_of_winnipeg(n * 0.3)) for n in range(45)]
    for location in places:
        make_therapist(languages=[english], locations=[location])
    few, shown_few = count_queries(client, **params)

    for location in places:
        for _ in range(9):
            make_therapist(languages=[english], locations=[location])
    many, shown_many = count_queries(client, **params)

    assert (shown_few, shown_many) == (20, 20)
    assert many <= few <= FIXED_QUERIES + MOST_RANKING_ROUNDS


def test_a_page_topped_up_from_beyond_the_radius_costs_a_bounded_number_of_queries(client, winnipeg):
    for n in range(3):
        make_therapist(locations=[make_location(at=east_of_winnipeg(n + 1))])
        make_therapist(locations=[make_location(at=east_of_winnipeg(n + 40))])
    with CaptureQueriesContext(connection) as queries:
        response = search(client, where="Winnipeg")

    assert len(shown(response)) == 6
    assert len(queries) <= FIXED_QUERIES + MOST_RANKING_ROUNDS


def test_a_dense_city_page_is_ranked_in_one_or_two_queries(client, winnipeg):
    for n in range(150):
        make_therapist(locations=[make_location(at=east_of_winnipeg(n * 0.01))])
    with CaptureQueriesContext(connection) as queries:
        response = search(client, where="Winnipeg")

    assert len(shown(response)) == 20
    assert len(queries) <= FIXED_QUERIES + 2


# The demo data: the "done when"


DEMO_SEARCHES = [
    {"where": "Winnipeg", "discipline": "massage"},
    {"where": "Vancouver", "discipline": "physiotherapy"},
    {"where": "Edmonton", "discipline": "chiropractic"},
    {"where": "Toronto", "discipline": "massage"},
    {"where": "R3C 4T3"},
    {"where": "m5v", "discipline": "physiotherapy"},
    {"lat": "53.5461", "lng": "-113.4938", "discipline": "massage"},
]


def test_on_the_demo_data_searches_list_the_nearest_first_with_geodesic_distances(client):
    call_command("loaddata", "gazetteer", "demo", verbosity=0)

    for params in DEMO_SEARCHES:
        response = search(client, **params)

        results = response.context["results"]
        origin = results.origin.point
        rows = data_attributes(response)
        assert len(rows) >= 8, params
        distances = [float(row["km"]) for row in rows]
        within = distances[: len(results.within)]
        assert within == sorted(within), params
        assert all(d <= 25 for d in within) and all(d > 25 for d in distances[len(within) :]), params
        for row in rows:
            expected = geodesic(origin, (float(row["lat"]), float(row["lng"]))).km
            assert abs(float(row["km"]) - expected) < 0.05, params
        # What a patient reads, "2.3 km away", is geopy's distance to one decimal.
        first = results.results[0]
        assert f"{geodesic(origin, first.location.point).km:.1f} km away" in response.content.decode()
        if "discipline" in params:
            assert {r.therapist.discipline.slug for r in results.results} == {params["discipline"]}, params
