"""Reference data held by each process (therapists.catalogue): read once, not per page,
and never stale for longer than it takes another process to notice an edit."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from therapists import catalogue
from therapists.models import Language, Payer
from therapists.tests.factories import make_location, make_therapist

pytestmark = pytest.mark.django_db

REFERENCE_TABLES = re.compile(
    r'FROM "therapists_(discipline|bodyarea|specialty|language|payer|tag)"(?! ?\w)', re.IGNORECASE
)


def search_page(client, **params):
    return client.get("/search/", {"where": "Winnipeg", **params})


def test_a_search_page_reads_no_reference_data_once_the_process_holds_it(client):
    make_therapist(locations=[make_location()], languages=Language.objects.filter(code="fr"))
    search_page(client)

    with CaptureQueriesContext(connection) as captured:
        page = search_page(client, language="fr", insurer="manulife", discipline="massage")

    assert page.status_code == 200
    assert "Speaks French" in page.content.decode()
    assert [q["sql"] for q in captured if REFERENCE_TABLES.search(q["sql"])] == []


def test_a_language_added_in_the_admin_is_offered_on_the_next_page(client):
    search_page(client)

    Language.objects.create(code="xh", name="Xhosa")

    page = search_page(client, language="xh").content.decode()
    assert '<option value="xh" selected>Xhosa</option>' in page
    assert "We don't know the language" not in page


def test_an_unknown_choice_is_left_out_of_the_search_with_a_message(client):
    page = search_page(client, language="zz", insurer=["manulife", "nobody-insures"]).content.decode()

    assert "We don&#x27;t know the language “zz”" in page
    assert "We don&#x27;t know the insurer or programme “nobody-insures”" in page


def test_an_edit_made_by_another_process_shows_once_it_looks_at_the_shared_version(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(catalogue.time, "monotonic", lambda: clock[0])
    before = {payer.slug: payer.name for payer in catalogue.current().all(Payer)}
    # Another process renames an insurer: its row changes and the shared version moves on.
    Payer.objects.filter(slug="manulife").update(name="Manulife Financial")
    cache.set(catalogue.VERSION_KEY, "changed elsewhere", None)

    clock[0] += catalogue.CHECK_SECONDS / 2
    still = {payer.slug: payer.name for payer in catalogue.current().all(Payer)}
    clock[0] += catalogue.CHECK_SECONDS
    after = {payer.slug: payer.name for payer in catalogue.current().all(Payer)}

    assert before["manulife"] == still["manulife"] == "Manulife"
    assert after["manulife"] == "Manulife Financial"


def test_without_the_shared_cache_a_process_reads_its_reference_data_again_every_minute(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(catalogue.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(catalogue, "_shared_version", lambda: None)
    catalogue.current()
    Language.objects.filter(code="fr").update(name="Français")

    clock[0] += catalogue.FALLBACK_SECONDS / 2
    still = catalogue.current().by_pk[Language]
    clock[0] += catalogue.FALLBACK_SECONDS
    after = catalogue.current().by_pk[Language]

    assert "Français" not in {language.name for language in still.values()}
    assert "Français" in {language.name for language in after.values()}


def test_french_pages_list_the_languages_in_french_order(client):
    english = search_page(client).content.decode()
    french = client.get("/fr/recherche/", {"where": "Winnipeg"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    def listed(page: str) -> list[str]:
        select = page[page.index('<select name="language"') :]
        return re.findall(r'<option value="\w+"[^>]*>([^<]+)</option>', select[: select.index("</select>")])

    assert listed(english)[:2] != listed(french)[:2]
    assert listed(french) == sorted(listed(french), key=lambda name: name.replace("É", "E"))
