"""Cards and profiles with photos, clinic-declared tags and booking links per location;
the same in the API; and the demo data every city page is judged on."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from therapists import photos
from therapists.models import BookingLink
from therapists.tests.factories import make_clinic, make_fee, make_location, make_place, make_therapist

pytestmark = pytest.mark.django_db

TORONTO = (43.70011, -79.4163)


@pytest.fixture
def toronto():
    return make_place("Toronto", "ON", TORONTO, population=2_800_000)


def at_toronto(clinic=None, **fields):
    return make_location(clinic, city="Toronto", province="ON", postal_code="M5V 2T6", at=TORONTO, **fields)


def test_a_card_without_a_photo_shows_the_initials_and_one_with_a_photo_shows_it(client, toronto):
    make_therapist(first_name="Ann", last_name="Avatar", locations=[at_toronto()])
    make_therapist(
        first_name="Pia",
        last_name="Pictured",
        locations=[at_toronto()],
        photo="photos/headshots/abc-320.jpg",
        photo_alt="Pia at the front desk",
    )

    page = client.get("/search/", {"where": "Toronto"}).content.decode()

    assert '<span class="avatar" aria-hidden="true">AA</span>' in page
    assert 'src="/media/photos/headshots/abc-80.jpg"' in page
    assert "/media/photos/headshots/abc-160.jpg 160w" in page
    assert 'alt="Pia at the front desk"' in page and 'loading="lazy"' in page


def test_tags_are_labelled_as_declared_by_the_clinic_on_cards_and_profiles(client, toronto):
    therapist = make_therapist(locations=[at_toronto()], tags=["trauma-informed", "lgbtq2s-affirming"])

    card = client.get("/search/", {"where": "Toronto"}).content.decode()
    profile = client.get(therapist.get_absolute_url()).content.decode()

    for page in (card, profile):
        assert "Declared by the clinic:" in page
        # In the operator's list order, not alphabetical.
        assert page.index("LGBTQ2S+-affirming") < page.index("Trauma-informed")


def test_the_tag_filter_alone_and_repeated_keeps_any_of_the_tags(client, toronto):
    trauma = make_therapist(slug="trauma", locations=[at_toronto()], tags=["trauma-informed"])
    kids = make_therapist(slug="kids", locations=[at_toronto()], tags=["paediatric"])
    make_therapist(slug="none", locations=[at_toronto()])

    one = client.get("/search/", {"where": "Toronto", "tag": "trauma-informed"}).context["results"]
    both = client.get("/search/", {"where": "Toronto", "tag": ["trauma-informed", "paediatric"]})

    assert [r.therapist for r in one.results] == [trauma]
    assert {r.therapist for r in both.context["results"].results} == {trauma, kids}
    chips = [chip.label for chip in both.context["chips"]]
    assert chips == ["Trauma-informed", "Paediatric"]
    assert both.context["results"].clear_filters_url == "?where=Toronto"


def test_an_unknown_tag_is_left_out_on_the_page_and_refused_by_the_api(client, toronto):
    make_therapist(locations=[at_toronto()])

    page = client.get("/search/", {"where": "Toronto", "tag": "<script>"})
    api = client.get("/api/v1/search", {"where": "Toronto", "tag": "nope"})

    assert page.status_code == 200 and len(page.context["results"].results) == 1
    assert "left out of the search" in page.content.decode()
    assert api.status_code == 400 and api["Content-Type"] == "application/problem+json"


def test_toronto_manulife_women_up_to_120_with_a_tag_in_the_page_and_the_api(client, toronto):
    billing = make_clinic(payers=["manulife"])
    make_fee(billing, "100")
    match = make_therapist(
        slug="match",
        gender="woman",
        locations=[at_toronto(billing)],
        tags=["prenatal-and-postpartum"],
        photo="photos/headshots/m-320.jpg",
        photo_alt="Drawing",
        booking_url="https://billing.example/book/match",
    )
    make_therapist(slug="untagged", gender="woman", locations=[at_toronto(billing)])
    query = {"where": "Toronto", "insurer": "manulife", "gender": "woman", "max_price": "120"}

    page = client.get("/search/", query).context["results"]
    tagged = client.get("/search/", {**query, "tag": "prenatal-and-postpartum"}).context["results"]
    api = client.get("/api/v1/search", {**query, "tag": "prenatal-and-postpartum"}).json()

    assert {r.therapist.slug for r in page.results} == {"match", "untagged"}
    assert [r.therapist for r in tagged.results] == [match]
    [result] = api["results"]
    assert result["tags"] == [{"slug": "prenatal-and-postpartum", "name": "Prenatal and postpartum"}]
    assert result["booking_url"] == "https://billing.example/book/match"
    assert result["therapist"]["photo"] == {
        "alt": "Drawing",
        "renditions": [
            {"url": "/media/photos/headshots/m-80.jpg", "width": 80, "height": 80},
            {"url": "/media/photos/headshots/m-160.jpg", "width": 160, "height": 160},
            {"url": "/media/photos/headshots/m-320.jpg", "width": 320, "height": 320},
        ],
    }


def test_book_online_opens_the_booking_system_of_the_location_the_therapist_was_found_at(client, toronto):
    near, far = at_toronto(make_clinic()), make_location(make_clinic(), at=(43.9, -79.2))
    therapist = make_therapist(locations=[near, far], booking_url="https://own.example/book")
    BookingLink.objects.create(therapist=therapist, location=near, url="https://near.example/book")

    card = client.get("/search/", {"where": "Toronto"})
    at_far = client.get(therapist.get_absolute_url(), {"location": far.pk}).content.decode()
    api = client.get(f"/api/v1/therapists/{therapist.slug}").json()

    assert card.context["results"].results[0].booking_url == "https://near.example/book"
    assert 'class="button primary" href="https://near.example/book"' in card.content.decode()
    # The profile at the other location books there, and lists each location's own link.
    assert 'class="button primary" href="https://own.example/book"' in at_far
    assert 'href="https://near.example/book"' in at_far
    assert sorted((link["location"], link["url"]) for link in api["booking_links"]) == sorted(
        [(near.pk, "https://near.example/book"), (far.pk, "https://own.example/book")]
    )


def test_a_page_of_cards_costs_the_same_queries_however_many_photos_tags_and_links(client, toronto):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get("/search/", {"where": "Toronto", "tag": ["trauma-informed", "paediatric"]})
        return len(captured)

    def add(count: int) -> None:
        for n in range(count):
            location = at_toronto()
            therapist = make_therapist(
                locations=[location],
                tags=["trauma-informed", "paediatric", "seniors"][: 1 + n % 3],
                photo=f"photos/headshots/t{n}-320.jpg",
                photo_alt="A drawing",
            )
            BookingLink.objects.create(therapist=therapist, location=location, url="https://x.example/b")

    add(21)  # a full page, so that neither search tops up from beyond the radius
    queries()  # the process reads its reference data once (therapists.catalogue)
    few = queries()
    add(40)

    assert queries() == few


def test_on_the_demo_data_every_card_in_the_four_cities_has_a_photo_a_fee_and_its_insurers(client):
    call_command("load_demo", "--force", verbosity=0)

    for city in ("Winnipeg", "Vancouver", "Edmonton", "Toronto"):
        page = 1
        while True:
            results = client.get("/search/", {"where": city, "page": page}).context["results"]
            for result in results.within:
                assert result.photo is not None, (city, result.therapist.slug)
                assert result.fee_line and result.insurers, (city, result.therapist.slug)
            if not results.page.has_next:
                break
            page += 1
        # The drawn placeholders exist, in every size.
        name = results.results[0].therapist.photo
        assert all(
            photos.default_storage.exists(photos.rendition_name(name, w)) for w in photos.HEADSHOT.widths
        )
