"""Search pages for anonymous visitors from the shared cache (therapists.page_cache)."""

import datetime

import pytest
from django.conf import settings
from django.core.cache import cache
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from finder import routers
from therapists import page_cache
from therapists.models import Therapist
from therapists.tests.factories import (
    WINNIPEG,
    make_consult_request,
    make_location,
    make_place,
    make_therapist,
    make_user,
)
from therapists.tests.test_admin import form_data

pytestmark = pytest.mark.django_db

SEARCH = reverse("therapists:search")
seconds_to_keep = page_cache.seconds_to_keep  # the tests below replace it with a whole minute


@pytest.fixture(autouse=True)
def page_cache_on(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 60
    # A whole minute to keep each page, whenever in the minute the test runs.
    monkeypatch.setattr(page_cache, "seconds_to_keep", lambda now=None: 60)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def winnipeg_massage(db):
    make_place("Winnipeg", "MB", WINNIPEG, population=749_607)
    return [make_therapist(last_name=name, locations=[make_location()]) for name in ("Abbott", "Baker")]


def test_a_second_identical_anonymous_search_makes_no_database_queries(
    client, winnipeg_massage, django_assert_num_queries
):
    first = client.get(SEARCH, {"where": "Winnipeg", "discipline": "massage"})

    with django_assert_num_queries(0):
        second = client.get(SEARCH, {"where": "Winnipeg", "discipline": "massage"})

    assert second.status_code == 200
    assert second.content == first.content
    assert "Abbott" in second.content.decode()


def test_the_same_search_written_differently_is_the_same_page(
    client, winnipeg_massage, django_assert_num_queries
):
    client.get(f"{SEARCH}?where=Winnipeg&discipline=massage")

    with django_assert_num_queries(0):
        client.get(f"{SEARCH}?discipline=massage&where=%20Winnipeg%20%20")


def test_another_search_is_another_page(client, winnipeg_massage):
    client.get(SEARCH, {"where": "Winnipeg", "discipline": "massage"})

    other = client.get(SEARCH, {"where": "Winnipeg", "discipline": "chiropractic"})

    assert "Abbott" not in other.content.decode()


def test_an_edit_in_the_admin_shows_at_once(client, winnipeg_massage):
    abbott = winnipeg_massage[0]
    client.get(SEARCH, {"where": "Winnipeg"})
    staff = type(client)()
    staff.force_login(make_user("olivia", superuser=True))
    change = reverse("admin:therapists_therapist_change", args=[abbott.pk])
    data = form_data(staff.get(change))
    data["last_name"] = "Abernathy"

    assert staff.post(change, data).status_code == 302
    page = client.get(SEARCH, {"where": "Winnipeg"}).content.decode()

    assert "Abernathy" in page
    assert "Abbott" not in page


def test_unpublishing_in_bulk_in_the_admin_shows_at_once(client, winnipeg_massage):
    client.get(SEARCH, {"where": "Winnipeg"})
    staff = type(client)()
    staff.force_login(make_user("olivia", superuser=True))

    staff.post(
        reverse("admin:therapists_therapist_changelist"),
        {"action": "unpublish", "_selected_action": [winnipeg_massage[0].pk]},
    )
    page = client.get(SEARCH, {"where": "Winnipeg"}).content.decode()

    assert "Abbott" not in page
    assert "Baker" in page


def test_logged_in_staff_are_never_served_a_cached_page(client, winnipeg_massage):
    client.get(SEARCH, {"where": "Winnipeg"})
    # Changed behind every signal's back: the cached page still shows the old name.
    Therapist.objects.filter(pk=winnipeg_massage[0].pk).update(last_name="Quietlychanged")
    staff = type(client)()
    staff.force_login(make_user("olivia", superuser=True))

    for_staff = staff.get(SEARCH, {"where": "Winnipeg"}).content.decode()
    for_public = client.get(SEARCH, {"where": "Winnipeg"}).content.decode()

    assert "Quietlychanged" in for_staff
    assert "Quietlychanged" not in for_public


def test_a_page_made_for_staff_is_never_served_to_the_public(client, winnipeg_massage):
    staff = type(client)()
    staff.force_login(make_user("olivia", superuser=True))
    staff.get(SEARCH, {"where": "Winnipeg"})
    Therapist.objects.filter(pk=winnipeg_massage[0].pk).update(last_name="Quietlychanged")

    for_public = client.get(SEARCH, {"where": "Winnipeg"}).content.decode()

    assert "Quietlychanged" in for_public


def test_a_browser_pinned_after_its_own_write_gets_a_fresh_page(client, winnipeg_massage):
    client.get(SEARCH, {"where": "Winnipeg"})
    Therapist.objects.filter(pk=winnipeg_massage[0].pk).update(last_name="Quietlychanged")
    client.cookies[routers.PIN_COOKIE] = "1"

    page = client.get(SEARCH, {"where": "Winnipeg"}).content.decode()

    assert "Quietlychanged" in page


def test_a_cached_page_carries_nothing_personal(client, winnipeg_massage):
    client.get(SEARCH, {"where": "Winnipeg"})

    cached = client.get(SEARCH, {"where": "Winnipeg"})

    assert "csrfmiddlewaretoken" not in cached.content.decode()
    assert not cached.cookies


@pytest.mark.parametrize(
    "query",
    [
        "where=%00%FF&discipline=massage",
        "where=" + "x" * 5000,
        "page=-1&page=99999999999999999999",
        "radius=nan&lat=1e999&lng=-inf",
        "where=Winnipeg&discipline=<script>",
    ],
)
def test_nasty_queries_are_answered_the_same_from_the_cache(client, winnipeg_massage, query):
    first = client.get(f"{SEARCH}?{query}")
    second = client.get(f"{SEARCH}?{query}")

    assert first.status_code < 500
    assert (second.status_code, second.content) == (first.status_code, first.content)


def test_the_key_ignores_parameter_order_and_the_places_spacing_but_keeps_its_case():
    same = page_cache.normalised_query(QueryDict("where=%20St.%20%20John%27s&area=neck&area=back"))

    assert same == page_cache.normalised_query(QueryDict("area=back&where=St.+John%27s&area=neck"))
    assert same != page_cache.normalised_query(QueryDict("area=back&where=st.+john%27s&area=neck"))


def test_a_page_is_never_kept_past_the_end_of_its_minute(settings):
    settings.PAGE_CACHE_SECONDS = 60
    at = datetime.datetime(2026, 3, 2, 14, 59, 50, 500_000, tzinfo=datetime.UTC)

    assert seconds_to_keep(at) == 9
    assert seconds_to_keep(at.replace(second=0, microsecond=0)) == 60


def test_a_shorter_setting_keeps_pages_for_less(settings):
    settings.PAGE_CACHE_SECONDS = 20
    at = datetime.datetime(2026, 3, 2, 15, 0, 0, tzinfo=datetime.UTC)

    assert seconds_to_keep(at) == 20


def test_with_the_page_cache_off_every_page_is_made_afresh(client, settings, winnipeg_massage):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(SEARCH, {"where": "Winnipeg"})
    Therapist.objects.filter(pk=winnipeg_massage[0].pk).update(last_name="Quietlychanged")

    page = client.get(SEARCH, {"where": "Winnipeg"}).content.decode()

    assert "Quietlychanged" in page


def test_a_transaction_forgets_the_pages_once_more_when_it_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_therapist()
        make_therapist()
        during = page_cache.listings_version()

    assert callbacks.count(page_cache._new_version) == 1
    assert page_cache.listings_version() != during


def test_consult_requests_leave_the_cached_pages_alone(client, winnipeg_massage):
    before = page_cache.listings_version()

    make_consult_request(winnipeg_massage[0].locations.first().clinic, winnipeg_massage[0])

    assert page_cache.listings_version() == before


def test_a_cached_page_still_lets_the_map_load_its_tiles(client, settings, winnipeg_massage):
    settings.MAP_TILES_URL = "https://tiles.example.net/{z}/{x}/{y}.png"
    client.get(SEARCH, {"where": "Winnipeg"})

    second = client.get(SEARCH, {"where": "Winnipeg"})

    assert "https://tiles.example.net" in second["Content-Security-Policy"]


def test_a_search_page_with_the_language_switcher_is_kept_and_still_switches(
    winnipeg_massage, django_assert_num_queries
):
    """The switcher posts without a CSRF token, so the page sets no cookie and is kept."""
    client = Client(enforce_csrf_checks=True)
    first = client.get(SEARCH, {"where": "Winnipeg"})
    assert 'class="language-switcher"' in first.content.decode() and not first.cookies

    with django_assert_num_queries(0):
        second = client.get(SEARCH, {"where": "Winnipeg"})
    switched = client.post(
        reverse("set_language"), {"language": "fr", "next": "/fr/recherche/?where=Winnipeg"}
    )

    assert second.content == first.content
    assert 'name="next" value="/fr/recherche/?where=Winnipeg"' in second.content.decode()
    assert switched.status_code == 302 and switched["Location"] == "/fr/recherche/?where=Winnipeg"
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert client.get(SEARCH, {"where": "Winnipeg"})["Location"] == "/fr/recherche/?where=Winnipeg"
