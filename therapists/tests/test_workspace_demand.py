"""Where patients find nobody, and how often listings are seen: weekly counters, one
write per search page, nothing that identifies a patient."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from therapists import demand
from therapists.models import ListingWeek, SearchGap
from therapists.tests.factories import (
    WINNIPEG,
    make_clinic,
    make_location,
    make_manager,
    make_place,
    make_therapist,
    make_user,
)

pytestmark = pytest.mark.django_db

SEARCH = reverse("therapists:search")
BRANDON = (49.8485, -99.9501)  # about 200 km west of Winnipeg, degrees


@pytest.fixture
def places(db):
    make_place("Winnipeg", "MB", WINNIPEG, population=749_607)
    make_place("Brandon", "MB", BRANDON, population=51_313)


def test_a_search_that_finds_nobody_is_counted_by_week_place_and_filters(client, places):
    make_therapist(locations=[make_location()])  # in Winnipeg, far from Brandon

    for _ in range(2):
        client.get(SEARCH, {"where": "Brandon", "discipline": "massage", "q": "Jane Doe"})
    client.get(SEARCH, {"where": "Brandon"})

    rows = sorted(SearchGap.objects.values_list("place", "province", "filters", "searches"))
    assert rows == [("Brandon", "MB", "", 1), ("Brandon", "MB", "discipline=massage", 2)]
    assert rows[0][0] == "Brandon"


def test_the_gap_counter_keeps_no_free_text_and_no_coordinates(client, places):
    client.get(SEARCH, {"lat": "49.84851", "lng": "-99.95012", "q": "Jane Doe"})

    gap = SearchGap.objects.get()
    stored = " ".join(str(value) for value in SearchGap.objects.values_list().get())
    assert gap.place == demand.NEAR_A_DEVICE
    assert "Jane" not in stored
    assert "49.8" not in stored


def test_a_search_that_finds_someone_counts_the_listings_shown(client, places):
    amy = make_therapist(locations=[make_location()])

    client.get(SEARCH, {"where": "Winnipeg"})
    client.get(SEARCH, {"where": "Winnipeg"})
    client.get(amy.get_absolute_url())

    week = ListingWeek.objects.get(therapist=amy)
    assert (week.shown, week.opened) == (2, 1)
    assert not SearchGap.objects.exists()


@pytest.mark.parametrize("found", [1, 8])
def test_counting_adds_exactly_one_query_to_a_search_page(client, places, found):
    for _ in range(found):
        make_therapist(locations=[make_location()])
    client.get(SEARCH, {"where": "Winnipeg"})

    with CaptureQueriesContext(connection) as queries:
        client.get(SEARCH, {"where": "Winnipeg"})

    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("INSERT")]
    assert len(writes) == 1


def test_a_manager_sees_only_their_listings_counters_and_never_the_gaps(client):
    alpha, bravo = make_clinic("Alpha"), make_clinic("Bravo")
    amy = make_therapist(first_name="Amy", last_name="Alphason", locations=[make_location(alpha)])
    ben = make_therapist(first_name="Ben", last_name="Bravoman", locations=[make_location(bravo)])
    ListingWeek.objects.create(therapist=amy, week=demand.week_of(), shown=5, opened=2)
    ListingWeek.objects.create(therapist=ben, week=demand.week_of(), shown=9, opened=4)
    client.force_login(make_manager("alice", alpha))

    listing = client.get(reverse("admin:therapists_listingweek_changelist"))
    gaps = client.get(reverse("admin:therapists_searchgap_changelist"))

    assert "Alphason" in listing.content.decode()
    assert "Bravoman" not in listing.content.decode()
    assert gaps.status_code == 403


def test_the_operator_sees_where_patients_find_nobody(client):
    SearchGap.objects.create(week=demand.week_of(), place="Brandon", province="MB", searches=7)
    client.force_login(make_user("olivia", superuser=True))

    html = client.get(reverse("admin:therapists_searchgap_changelist")).content.decode()

    assert "Brandon" in html
