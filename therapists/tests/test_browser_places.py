"""The place box in a real browser: suggestions from our own API, driven by the keyboard,
announced to screen readers, and a plain text box without JavaScript."""

import pytest

from therapists.gazetteer import normalize
from therapists.models import Place, PlaceKind
from therapists.tests.factories import WINNIPEG, make_location, make_place, make_therapist
from therapists.tests.test_browser import page, reference_data  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def places(reference_data):  # noqa: F811
    make_place("Winnipeg", "MB", WINNIPEG, population=749_607)
    make_place("Windsor", "ON", (42.30, -83.02), population=217_188)
    make_place("Winkler", "MB", (49.18, -97.94), population=10_670)
    Place.objects.create(
        code="area:MB:winnipeg:saint-vital",
        kind=PlaceKind.AREA,
        name="St. Vital",
        search_name=normalize("St. Vital"),
        province="MB",
        description="Winnipeg",
        latitude=49.83,
        longitude=-97.10,
        population=60_000,
    )
    make_therapist(first_name="Vera", last_name="Vital", locations=[make_location(at=(49.835, -97.10))])


def test_the_place_box_suggests_places_and_the_keyboard_chooses_one(page, places, live_server):  # noqa: F811
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/")
    box = page.get_by_role("combobox", name="City or postal code")

    box.press_sequentially("win", delay=50)

    listbox = page.get_by_role("listbox", name="Suggested places")
    listbox.wait_for()
    options = listbox.get_by_role("option")
    assert options.all_inner_texts() == ["Winnipeg, MB", "Windsor, ON", "Winkler, MB"]
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-controls") == listbox.get_attribute("id")
    status = page.locator(".place-box [role=status]")
    assert status.inner_text() == "3 places suggested. Use the up and down arrows to choose one."

    box.press("ArrowDown")
    box.press("ArrowDown")
    second = options.nth(1)
    assert box.get_attribute("aria-activedescendant") == second.get_attribute("id")
    assert second.get_attribute("aria-selected") == "true"
    box.press("ArrowUp")
    box.press("ArrowUp")  # wraps round to the last
    assert box.get_attribute("aria-activedescendant") == options.nth(2).get_attribute("id")

    box.press("Enter")
    assert box.input_value() == "Winkler, MB"
    assert box.get_attribute("aria-expanded") == "false"
    assert listbox.is_hidden()
    assert page.url.endswith("/")  # choosing is not searching yet

    box.press("Enter")
    page.wait_for_url("**/search/?*")
    assert page.get_by_role("heading", level=1).inner_text() == "Therapists near Winkler, MB"
    assert all(url.startswith(live_server.url) for url in requested)


def test_a_neighbourhood_is_suggested_by_its_name_and_searched_where_it_is(page, places):  # noqa: F811
    page.goto("/")
    box = page.get_by_role("combobox", name="City or postal code")

    box.press_sequentially("st vi", delay=50)
    page.get_by_role("option", name="St. Vital, Winnipeg, MB").wait_for()
    box.press("ArrowDown")
    box.press("Enter")
    box.press("Enter")

    page.wait_for_url("**/search/?*")
    assert page.get_by_role("heading", level=1).inner_text() == "Therapists near St. Vital, Winnipeg, MB"
    assert page.get_by_role("link", name="Vera Vital", exact=True).is_visible()


def test_escape_closes_the_suggestions_and_a_click_chooses_one(page, places):  # noqa: F811
    page.goto("/search/")
    box = page.get_by_role("combobox", name="City or postal code")

    box.press_sequentially("wi", delay=50)
    listbox = page.get_by_role("listbox", name="Suggested places")
    listbox.wait_for()
    box.press("Escape")
    assert listbox.is_hidden() and box.input_value() == "wi"

    box.press("ArrowDown")  # opens them again
    page.get_by_role("option", name="Windsor, ON").click()
    assert box.input_value() == "Windsor, ON"
    assert box.evaluate("element => element === document.activeElement")


def test_without_javascript_the_place_box_is_a_plain_text_box(chromium, live_server, places):  # noqa: F811
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/")
        box = page.get_by_label("City or postal code")
        assert box.get_attribute("role") is None
        assert page.get_by_role("listbox").count() == 0

        box.fill("St. Vital, Winnipeg")
        page.get_by_role("button", name="Search").click()

        page.wait_for_url("**/search/?*")
        assert page.get_by_role("heading", level=1).inner_text() == "Therapists near St. Vital, Winnipeg, MB"
    finally:
        context.close()
