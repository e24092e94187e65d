"""The map of results on the server side: shown only with a tile server configured,
the tile server's origin allowed by the search page's CSP only, and the pins' data
taken from the page itself. The map in a browser: test_map_browser.py."""

import json
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from therapists import maps
from therapists.tests.factories import WINNIPEG, make_location, make_place, make_therapist

TILES = "https://tiles.example.org/{z}/{x}/{y}.png"


@pytest.fixture
def winnipeg(db):
    make_place("Winnipeg", "MB", WINNIPEG, population=749_607)
    return [
        make_therapist(locations=[make_location(at=(WINNIPEG[0], WINNIPEG[1] + n / 100))]) for n in range(3)
    ]


def search(client):
    return client.get(reverse("therapists:search"), {"where": "Winnipeg"})


@pytest.mark.parametrize(
    "url, origin",
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tiles.example.org/v1/{z}/{x}/{y}{r}.png?key=abc", "https://*.tiles.example.org"),
        ("http://127.0.0.1:8123/{z}/{x}/{y}.png", "http://127.0.0.1:8123"),
    ],
)
def test_the_csp_source_is_the_tile_urls_origin(url, origin):
    assert maps.tiles_origin(url) == origin


@pytest.mark.parametrize(
    "url", ["tiles.example.org/{z}/{x}/{y}.png", "javascript:alert(1)//{z}", "https://x.org/a.png"]
)
def test_a_tile_url_that_is_not_an_http_template_is_refused(url):
    with pytest.raises(ImproperlyConfigured):
        maps.tiles_origin(url)


def test_a_malformed_tile_url_is_a_system_check_error(settings):
    settings.MAP_TILES_URL = "ftp://tiles.example.org/{z}/{x}/{y}.png"

    assert [error.id for error in maps.check_tiles()] == ["therapists.E101"]


def test_without_a_tile_server_there_is_no_map_and_no_extra_image_source(client, winnipeg, settings):
    settings.MAP_TILES_URL = ""

    response = search(client)

    page = response.content.decode()
    assert "data-results-map" not in page
    assert "leaflet" not in page
    assert "map.js" not in page
    assert "img-src" not in response["Content-Security-Policy"]  # default-src 'self' holds


def test_with_a_tile_server_the_page_offers_the_map_and_says_what_opening_it_sends(
    client, winnipeg, settings
):
    settings.MAP_TILES_URL = TILES
    settings.MAP_TILES_ATTRIBUTION = "© Example Maps"

    response = search(client)

    page = response.content.decode()
    assert "data-results-map hidden" in page  # shown by the script, which adds the button
    assert "tiles.example.org: opening the map sends them the area you are looking at" in page
    config = re.search(r'<script id="map-tiles" type="application/json">(.*?)</script>', page).group(1)
    assert json.loads(config) == {"url": TILES, "attribution": "© Example Maps"}
    assert "img-src 'self' https://tiles.example.org" in response["Content-Security-Policy"]
    # The pins come from the cards: coordinates and distance on each, the origin on the list.
    assert page.count('data-lat="') == len(winnipeg)
    assert 'data-origin-lat="49.884400"' in page


def test_other_pages_never_allow_the_tile_server(client, winnipeg, settings):
    settings.MAP_TILES_URL = TILES

    response = client.get(winnipeg[0].get_absolute_url())

    assert "tiles.example.org" not in response["Content-Security-Policy"]


def test_a_search_with_no_results_offers_no_map(client, db, settings):
    settings.MAP_TILES_URL = TILES
    make_place("Winnipeg", "MB", WINNIPEG, population=749_607)

    response = search(client)

    assert "data-results-map" not in response.content.decode()
    assert "tiles.example.org" not in response["Content-Security-Policy"]


def test_the_map_costs_the_results_page_no_query(client, winnipeg, settings, django_assert_max_num_queries):
    settings.MAP_TILES_URL = ""
    search(client)  # warm the gazetteer and reference data
    with django_assert_max_num_queries(40) as without_map:
        search(client)
    settings.MAP_TILES_URL = TILES

    with django_assert_max_num_queries(len(without_map)):
        search(client)
