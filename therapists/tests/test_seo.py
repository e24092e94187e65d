"""What search engines read: sitemap, robots.txt, canonical and hreflang links, titles,
Open Graph and the JSON-LD of profiles, clinics and landing pages."""

import json
import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from pyld import jsonld

from therapists.models import Language
from therapists.tests.factories import make_clinic, make_fee, make_location, make_therapist

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_coverage():
    """Which cities have listings is cached (landing.COVERAGE_CACHE_SECONDS): each test starts afresh."""
    cache.clear()
    yield
    cache.clear()


SCHEMA = "https://schema.org/"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
MONTREAL = (45.50884, -73.58781)


def _offline_schema_org(url, options=None):
    """pyld's document loader, offline: schema.org's context is a vocabulary (@vocab)."""
    return {"contextUrl": None, "documentUrl": url, "document": {"@context": {"@vocab": SCHEMA}}}


class _Head(HTMLParser):
    """The <link>, <meta> and JSON-LD blocks of a page."""

    def __init__(self):
        super().__init__()
        self.links, self.metas, self.json_ld, self._in_ld = [], {}, [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            self.links.append(attrs)
        elif tag == "meta":
            self.metas[attrs.get("property") or attrs.get("name")] = attrs.get("content")
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_ld = True

    def handle_endtag(self, tag):
        self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld.append(json.loads(data))


def head(response) -> _Head:
    parsed = _Head()
    parsed.feed(response.content.decode())
    return parsed


def expanded(document) -> list[dict]:
    """The JSON-LD as schema.org IRIs, through pyld (fails on malformed JSON-LD)."""
    return jsonld.expand(document, {"documentLoader": _offline_schema_org})


def nodes_of_type(document, kind: str) -> list[dict]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            if SCHEMA + kind in node.get("@type", []):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(expanded(document))
    return found


def value(node, name):
    return node[SCHEMA + name][0].get("@value", node[SCHEMA + name][0])


@pytest.fixture
def clinic():
    clinic = make_clinic("Clinique Santé du Plateau", phone="(514) 555-0100", description="Près du parc.")
    make_fee(clinic, "80", kind="assessment")
    make_fee(clinic, "120", kind="follow-up")
    return clinic


@pytest.fixture
def physio(clinic):
    location = make_location(clinic, at=MONTREAL, city="Montréal", province="QC", postal_code="H2X 1Y4")
    location.opening_hours.create(weekday=0, opens="09:00", closes="17:00")
    therapist = make_therapist(
        first_name="Léa",
        last_name="Tremblay",
        discipline="physiotherapy",
        credentials="pht",
        regulator="Ordre professionnel de la physiothérapie du Québec",
        registration_number="QC-12345",
        languages=Language.objects.filter(code__in=["fr", "en"]),
        locations=[location],
    )
    return therapist


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_off_french_forms(client):
    text = client.get("/robots.txt").content.decode()

    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /fr/therapeutes/*/consultation/" in text
    assert "Disallow: /fr/therapeutes/*/signaler/" in text and "Disallow: /fr/reserver/" in text


def test_the_sitemap_lists_every_landing_page_in_both_languages_and_each_answers_with_results(client, physio):
    xml = ElementTree.fromstring(client.get("/sitemap.xml").content)
    urls = [loc.text for loc in xml.findall("s:url/s:loc", SITEMAP_NS)]
    landing = [url for url in urls if "/find/" in url or "/trouver/" in url]

    assert "http://testserver/find/montreal-qc/physiotherapists/" in landing
    assert "http://testserver/fr/trouver/montreal-qc/physiotherapeutes/" in landing
    for url in landing:
        response = client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200, url
        assert response.context["results"].results, url
    assert f"http://testserver/fr/therapeutes/{physio.slug}/" in urls


def test_every_sitemap_entry_has_its_hreflang_pair_and_x_default(client, physio):
    xml = ElementTree.fromstring(client.get("/sitemap.xml").content)

    for url in xml.findall("s:url", SITEMAP_NS):
        alternates = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", SITEMAP_NS)}
        assert set(alternates) == {"en", "fr", "x-default"}
        assert url.find("s:loc", SITEMAP_NS).text in (alternates["en"], alternates["fr"])
        assert alternates["x-default"] == alternates["en"]


def test_canonical_and_hreflang_links_agree_with_each_other_and_drop_filters(client, physio):
    english = head(client.get("/find/montreal-qc/physiotherapists/?page=2&sort=name"))
    french = head(client.get("/fr/trouver/montreal-qc/physiotherapeutes/"))

    def links(page):
        canonical = next(link["href"] for link in page.links if link.get("rel") == "canonical")
        pairs = {link["hreflang"]: link["href"] for link in page.links if link.get("rel") == "alternate"}
        return canonical, pairs

    (en_canonical, en_pairs), (fr_canonical, fr_pairs) = links(english), links(french)
    assert en_canonical == "http://testserver/find/montreal-qc/physiotherapists/"
    assert fr_canonical == "http://testserver/fr/trouver/montreal-qc/physiotherapeutes/"
    assert en_pairs == fr_pairs == {"en": en_canonical, "fr": fr_canonical, "x-default": en_canonical}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search/?where=Winnipeg",
        "/privacy/",
        "/guides/",
        "/guides/stiff-neck/",
        "/fr/",
        "/fr/recherche/",
    ],
)
def test_every_page_has_a_title_a_description_and_open_graph_tags(client, path):
    response = client.get(path)
    page = head(response)
    title = re.search(r"<title>(.+?)</title>", response.content.decode()).group(1)

    assert title.strip() and page.metas["description"].strip()
    assert page.metas["og:title"] and page.metas["og:description"] and page.metas["og:url"]
    assert page.metas["og:locale"] in {"en_CA", "fr_CA"}


def test_a_physiotherapy_clinic_s_json_ld_is_schema_org_with_what_we_hold(client, clinic, physio):
    page = head(client.get(clinic.get_absolute_url()))

    (document,) = page.json_ld
    (node,) = nodes_of_type(document, "Physiotherapy")
    address = node[SCHEMA + "address"][0]
    assert value(node, "telephone") == "(514) 555-0100"
    assert value(address, "addressLocality") == "Montréal" and value(address, "postalCode") == "H2X 1Y4"
    assert value(node[SCHEMA + "geo"][0], "latitude") == pytest.approx(MONTREAL[0])
    assert value(node, "isAcceptingNewPatients") is True
    assert value(node, "priceRange") == "$80–$120"
    (hours,) = node[SCHEMA + "openingHoursSpecification"]
    assert hours[SCHEMA + "dayOfWeek"][0]["@value"] == "https://schema.org/Monday"
    assert (value(hours, "opens"), value(hours, "closes")) == ("09:00", "17:00")


def test_a_profile_s_json_ld_is_a_person_with_credential_employer_and_languages(client, clinic, physio):
    page = head(client.get(physio.get_absolute_url()))

    (document,) = page.json_ld
    (person,) = nodes_of_type(document, "Person")
    assert value(person, "name") == "Léa Tremblay"
    credential = person[SCHEMA + "hasCredential"][0]
    assert value(credential[SCHEMA + "recognizedBy"][0], "name").startswith("Ordre professionnel")
    assert value(person[SCHEMA + "worksFor"][0], "name").startswith("Clinique Santé du Plateau")
    languages = {value(language, "alternateName") for language in person[SCHEMA + "knowsLanguage"]}
    assert languages == {"fr", "en"}


def test_a_landing_page_s_json_ld_lists_the_therapists_it_shows(client, physio):
    response = client.get("/fr/trouver/montreal-qc/physiotherapeutes/")

    (document,) = head(response).json_ld
    (item_list,) = nodes_of_type(document, "ItemList")
    items = item_list[SCHEMA + "itemListElement"]
    assert [value(item, "name") for item in items] == [
        r.therapist.name for r in response.context["results"].results
    ]


def test_json_ld_cannot_close_its_script_block(client):
    clinic = make_clinic("</script><script>alert(1)</script>", description="<b>&")
    make_therapist(locations=[make_location(clinic)])

    html = client.get(clinic.get_absolute_url()).content.decode()

    block = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in block and "\\u003C/script\\u003E" in block
    assert json.loads(block)["@graph"][0]["name"].startswith("</script>")
