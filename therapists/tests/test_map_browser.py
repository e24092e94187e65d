"""The map of results in a real browser, against a tile server the test starts on
loopback: numbered pins that match the list, operable from the keyboard, no tile
before the patient opens the map, and nothing contacted but our site and the tiles.

The `chromium`, `page` and `reference_data` fixtures are in conftest.py.
"""

import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from therapists.tests.factories import WINNIPEG, make_clinic, make_location, make_place, make_therapist

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png(size: int = 256, rgb: tuple[int, int, int] = (222, 232, 214)) -> bytes:
    """A plain square PNG, made without an imaging library."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


class TileServer:
    """Serves the same generated tile for every /{z}/{x}/{y}.png and notes each request."""

    def __init__(self):
        tile, requested = png(), []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                requested.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(tile)))
                self.end_headers()
                self.wfile.write(tile)

            def log_message(self, *args):
                pass

        self.requested = requested
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tile_server(settings):
    with TileServer() as server:
        settings.MAP_TILES_URL = server.origin + "/{z}/{x}/{y}.png"
        settings.MAP_TILES_ATTRIBUTION = "Test tiles"
        yield server


@pytest.fixture
def results(reference_data):
    """Four therapists east of Winnipeg's centre; two of them at one address."""
    make_place("Winnipeg", "MB", WINNIPEG, population=749_607)

    def at(km):
        return make_location(make_clinic(), at=(WINNIPEG[0], WINNIPEG[1] + km / 71.7))

    shared = at(2)
    return [
        make_therapist(first_name="Nina", last_name="Near", locations=[at(1)]),
        make_therapist(first_name="Sam", last_name="Shared", locations=[shared]),
        make_therapist(first_name="Tess", last_name="Together", locations=[shared]),
        make_therapist(first_name="Faye", last_name="Far", locations=[at(6)]),
    ]


def open_search(page, live_server, tile_server):
    """The Winnipeg search, with every request the page makes noted."""
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(reverse("therapists:search") + "?where=Winnipeg")
    return requested


def outside(requested, live_server, tile_server) -> list[str]:
    return [url for url in requested if not url.startswith((live_server.url + "/", tile_server.origin + "/"))]


def test_the_map_stays_closed_and_asks_the_tile_server_nothing_until_opened(
    page, live_server, tile_server, results
):
    requested = open_search(page, live_server, tile_server)

    button = page.get_by_role("button", name="Show map")
    button.wait_for()
    page.wait_for_load_state("networkidle")

    assert button.get_attribute("aria-expanded") == "false"
    assert page.locator("[data-map-canvas]").is_hidden()
    assert tile_server.requested == []
    assert not [url for url in requested if url.startswith(tile_server.origin)]
    assert page.get_by_text("opening the map sends them the area you are looking at").is_visible()
    # The list is complete and numbered as the pins will be.
    assert page.locator(".result .result-number").all_inner_texts() == ["1", "2", "3", "4"]


def test_opening_the_map_shows_numbered_pins_that_match_the_list(page, live_server, tile_server, results):
    requested = open_search(page, live_server, tile_server)

    page.get_by_role("button", name="Show map").click()
    pins = page.locator(".map-pin")
    pins.first.wait_for()
    page.wait_for_load_state("networkidle")

    # One pin per address: the two at one address share pin "2, 3".
    assert pins.all_inner_texts() == ["1", "2, 3", "4"]
    names = [pin.get_attribute("aria-label") for pin in pins.all()]
    assert names[0] == "1: Nina Near, 1.0 km away"
    assert names[1] == "2, 3: Sam Shared, Tess Together, 2.0 km away"
    assert page.locator(".map-origin[role=img]").get_attribute("aria-label") == "Search centre: Winnipeg, MB"
    assert page.get_by_role("button", name="Hide map").get_attribute("aria-expanded") == "true"
    assert tile_server.requested  # the tiles came from the configured server
    assert outside(requested, live_server, tile_server) == []


def test_the_french_map_speaks_french_with_decimal_commas(page, live_server, tile_server, results):
    page.goto("/fr/recherche/?where=Winnipeg")

    page.get_by_role("button", name="Afficher la carte").click()
    pins = page.locator(".map-pin")
    pins.first.wait_for()

    assert pins.first.get_attribute("aria-label") == "1 : Nina Near, à 1,0 km"
    assert page.get_by_role("button", name="Masquer la carte").get_attribute("aria-expanded") == "true"


def test_a_pin_chosen_with_the_keyboard_highlights_its_cards_and_a_card_its_pin(
    page, live_server, tile_server, results
):
    open_search(page, live_server, tile_server)
    page.get_by_role("button", name="Show map").click()
    shared = page.get_by_role("button", name="2, 3: Sam Shared, Tess Together, 2.0 km away")

    shared.focus()
    page.keyboard.press("Enter")

    selected = page.locator("article.result.is-selected h3 a")
    assert selected.all_inner_texts() == ["Sam Shared", "Tess Together"]
    assert "is-selected" in shared.get_attribute("class")
    assert "Sam Shared" in page.locator("[data-map-status]").inner_text()

    page.get_by_role("link", name="Faye Far", exact=True).focus()

    assert page.locator("article.result.is-selected h3 a").all_inner_texts() == ["Faye Far"]
    assert "is-selected" in page.locator(".map-pin", has_text="4").get_attribute("class")
    assert "is-selected" not in shared.get_attribute("class")


def test_without_a_tile_server_there_is_no_map_button(page, live_server, results, settings):
    settings.MAP_TILES_URL = ""

    page.goto(reverse("therapists:search") + "?where=Winnipeg")
    page.wait_for_load_state("networkidle")

    assert page.get_by_role("button", name="Show map").count() == 0
    assert page.locator(".result").count() == 4


def test_the_results_page_with_the_map_open_has_no_serious_accessibility_violation(
    page, live_server, tile_server, results
):
    from axe_playwright_python.sync_playwright import Axe

    open_search(page, live_server, tile_server)
    page.get_by_role("button", name="Show map").click()
    page.locator(".map-pin").first.wait_for()
    page.wait_for_load_state("networkidle")

    violations = Axe().run(page).response["violations"]

    serious = [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['html'][:200]}"
        for v in violations
        if v["impact"] in ("critical", "serious")
    ]
    assert serious == []
