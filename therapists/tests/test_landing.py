"""Landing pages ("Massage therapists in Winnipeg") and guides."""

import pytest
from django.core.cache import cache
from django.utils import translation

from therapists import landing
from therapists.models import Language, Specialty
from therapists.tests.factories import make_location, make_therapist

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_coverage():
    """Which cities have listings is cached (landing.COVERAGE_CACHE_SECONDS): each test starts afresh."""
    cache.clear()
    yield
    cache.clear()


MONTREAL = (45.50884, -73.58781)
LAVAL = (45.56995, -73.692)


def at_montreal(**fields):
    return make_location(at=MONTREAL, city="Montréal", province="QC", postal_code="H2X 1Y4", **fields)


def test_a_city_with_massage_therapists_has_a_landing_page_in_both_languages(client):
    make_therapist(first_name="Léa", locations=[at_montreal()])

    english = client.get("/find/montreal-qc/massage-therapists/")
    french = client.get("/fr/trouver/montreal-qc/massotherapeutes/")

    assert english.status_code == french.status_code == 200
    assert '<h1 id="landing-heading">Massage therapists in Montréal</h1>' in english.content.decode()
    assert "Massothérapeutes à Montréal" in french.content.decode()
    assert "Léa" in french.content.decode()


def test_no_landing_page_exists_without_listings(client):
    make_therapist(discipline="massage", locations=[at_montreal()])
    make_therapist(discipline="chiropractic", is_published=False, locations=[at_montreal()])

    assert client.get("/find/montreal-qc/chiropractors/").status_code == 404
    assert client.get("/find/winnipeg-mb/massage-therapists/").status_code == 404
    assert client.get("/find/montreal-qc/nothing/").status_code == 404


def test_the_other_language_s_topic_slug_redirects_to_this_language_s(client):
    make_therapist(locations=[at_montreal()])

    response = client.get("/find/montreal-qc/massotherapeutes/")

    assert response.status_code == 301 and response["Location"] == "/find/montreal-qc/massage-therapists/"


def test_a_body_area_page_lists_therapists_with_a_matching_area_of_focus(client):
    back = Specialty.objects.get(slug="low-back-pain")
    make_therapist(first_name="Noé", specialties=[back], locations=[at_montreal()])

    html = client.get("/find/montreal-qc/back-pain/").content.decode()

    assert "Back pain treatment in Montréal" in html and "Noé" in html
    assert client.get("/find/montreal-qc/knee-pain/").status_code == 404


def test_a_landing_page_links_nearby_cities_and_related_searches(client):
    back = Specialty.objects.get(slug="low-back-pain")
    make_therapist(specialties=[back], locations=[at_montreal()])
    make_therapist(locations=[make_location(at=LAVAL, city="Laval", province="QC")])

    html = client.get("/find/montreal-qc/massage-therapists/").content.decode()

    assert 'href="/find/laval-qc/massage-therapists/"' in html
    assert 'href="/find/montreal-qc/back-pain/"' in html


def test_every_landing_page_is_listed_once_per_topic_and_city():
    make_therapist(locations=[at_montreal()])
    make_therapist(
        discipline="physiotherapy", locations=[at_montreal(), make_location(at=LAVAL, city="Laval")]
    )

    pages = {page.get_absolute_url() for page in landing.every_landing()}
    with translation.override("fr"):
        french = {page.get_absolute_url() for page in landing.every_landing()}

    assert pages == {
        "/find/montreal-qc/massage-therapists/",
        "/find/montreal-qc/physiotherapists/",
        "/find/laval-mb/physiotherapists/",
    }
    assert "/fr/trouver/montreal-qc/massotherapeutes/" in french


@pytest.mark.parametrize("count", [2, 14])
def test_a_landing_page_costs_a_bounded_number_of_queries_however_many_listings(
    client, count, django_assert_max_num_queries
):
    """Three queries of its own (cities, topics covered) on top of the patient search's
    bounded number (its nearest-first rounds; tags, booking links and next free times
    included)."""
    make_therapist(locations=[make_location(at=LAVAL, city="Laval", province="QC")])
    for _ in range(count):
        make_therapist(locations=[at_montreal()], languages=Language.objects.filter(code="fr"))
    client.get("/")  # warm the per-process caches

    with django_assert_max_num_queries(27):
        response = client.get("/find/montreal-qc/massage-therapists/")

    assert len(response.context["results"].results) == count + 1


def test_the_back_knot_guide_leads_into_a_back_pain_search(client):
    english = client.get("/guides/muscle-knot-in-your-back/").content.decode()
    french = client.get("/fr/guides/noeud-musculaire-dans-le-dos/").content.decode()

    assert "when to see a massage therapist or physiotherapist" in english
    assert 'action="/search/"' in english and 'name="area" value="back"' in english
    assert "Nœud musculaire dans le dos" in french and 'action="/fr/recherche/"' in french
    assert client.get("/guides/no-such-guide/").status_code == 404


def test_every_guide_answers_in_both_languages(client):
    from therapists.guides import GUIDES

    for guide in GUIDES:
        for language in ("en", "fr"):
            with translation.override(language):
                url = guide.get_absolute_url()
            assert client.get(url).status_code == 200, url
