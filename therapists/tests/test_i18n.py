"""French and English: the catalogue, the URLs, the switcher, formats and translated data."""

import re
import shutil
from decimal import Decimal
from html import unescape
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from therapists import fees, leads
from therapists.forms import started_token
from therapists.models import ConsultRequest, Discipline, Tag
from therapists.templatetags.listings import about_km, km
from therapists.tests.factories import make_clinic, make_location, make_online_booking, make_therapist
from therapists.tests.test_booking import PATIENT, TUESDAY, at, clock  # noqa: F401  (clock: a fixture)
from therapists.tests.test_leads import form_data

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def _key(entry: polib.POEntry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def test_the_french_catalogue_has_every_message_of_the_code_and_templates(tmp_path, monkeypatch, settings):
    """Fails when a string was added or changed without `make messages` and a translation."""
    copy = tmp_path / "fr" / "LC_MESSAGES" / "django.po"
    copy.parent.mkdir(parents=True)
    shutil.copy(CATALOGUE, copy)
    settings.LOCALE_PATHS = [tmp_path]
    monkeypatch.chdir(settings.BASE_DIR)

    # "locale" ignored: the walk must not find the committed folder and write there.
    call_command("makemessages", locale=["fr"], ignore_patterns=["locale"], verbosity=0)

    extracted = {_key(entry) for entry in polib.pofile(str(copy)) if not entry.obsolete}
    committed = {_key(entry) for entry in polib.pofile(str(CATALOGUE)) if not entry.obsolete}
    missing = sorted(msgid for _ctxt, msgid, _plural in extracted - committed)
    assert not missing, f"run `make messages` and translate: {missing}"


def test_every_french_message_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(CATALOGUE))

    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert (untranslated, fuzzy) == ([], [])
    assert not catalogue.metadata_is_fuzzy


def test_english_stays_at_the_plain_paths_and_french_is_under_fr_with_french_words():
    with translation.override("fr"):
        search, privacy = reverse("therapists:search"), reverse("therapists:privacy")
        profile = reverse("therapists:therapist-detail", args=["dana-reyes"])

    assert reverse("therapists:search") == "/search/"
    assert (search, privacy, profile) == (
        "/fr/recherche/",
        "/fr/confidentialite/",
        "/fr/therapeutes/dana-reyes/",
    )


def test_the_french_home_page_is_in_french(client):
    html = client.get("/fr/").content.decode()

    assert '<html lang="fr-CA">' in html
    assert "Trouver un thérapeute près de chez vous" in html
    assert "Massothérapie" in html  # reference data, from the *_fr columns


def test_the_tags_a_clinic_declares_read_in_french_in_the_filters_and_on_the_cards(client):
    evening = Tag.objects.get(slug="evening-appointments")
    make_therapist(last_name="Abbott", locations=[make_location()]).tags.add(evening)

    french = client.get("/fr/recherche/", {"lat": "49.8844", "lng": "-97.14704"}).content.decode()
    english = client.get("/search/", {"lat": "49.8844", "lng": "-97.14704"}).content.decode()

    assert french.count("Rendez-vous en soirée") == 2  # the filter, and Abbott's card
    assert "Evening appointments" not in french
    assert english.count("Evening appointments") == 2


def test_a_first_visit_follows_a_french_browser(client):
    response = client.get("/search/?where=Winnipeg", HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9,en;q=0.5")

    assert response.status_code == 302
    assert response["Location"] == "/fr/recherche/?where=Winnipeg"
    assert "Accept-Language" in response["Vary"]


def test_an_english_browser_and_a_crawler_get_english(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-CA,en;q=0.9").status_code == 200
    assert client.get("/").status_code == 200


def test_the_language_chosen_with_the_switcher_sticks(client):
    response = client.post(
        reverse("set_language"),
        {"language": "en", "next": "/search/?where=Winnipeg"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    assert response.status_code == 302 and response["Location"] == "/search/?where=Winnipeg"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr").status_code == 200  # stays in English
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert client.get("/")["Location"] == "/fr/"


def test_the_switcher_keeps_the_page_and_its_query(client):
    html = client.get("/search/", {"where": "Winnipeg", "discipline": "massage"}).content.decode()
    french = client.get("/fr/recherche/", {"where": "Winnipeg"}).content.decode()

    assert 'name="next" value="/fr/recherche/?where=Winnipeg&amp;discipline=massage"' in html
    assert 'name="language" value="fr"' in html
    assert 'name="next" value="/search/?where=Winnipeg"' in french


def test_prices_and_distances_follow_the_language():
    with translation.override("fr"):
        french = (fees.money(Decimal("95")), fees.money(Decimal("1092.50")), km(2.345), about_km(1480))

    assert (fees.money(Decimal("95")), km(2.345)) == ("$95", "2.3 km")
    assert french == ("95 $", "1\xa0092,50 $", "2,3 km", "environ 1\xa0480 km")


def test_a_therapist_s_french_bio_shows_on_the_french_profile_only():
    therapist = make_therapist(
        bio_en="Sees runners.", bio_fr="Reçoit des coureurs.", locations=[make_location()]
    )
    plain = make_therapist(bio_en="Only in English.", locations=[make_location()])

    with translation.override("fr"):
        french = therapist.bio, plain.bio

    assert french == ("Reçoit des coureurs.", "Only in English.")
    assert therapist.bio == "Sees runners."


def test_the_french_profile_shows_the_french_bio_and_discipline(client):
    therapist = make_therapist(
        bio_en="Sees runners.", bio_fr="Reçoit des coureurs.", locations=[make_location()]
    )

    with translation.override("fr"):
        url = therapist.get_absolute_url()
    html = client.get(url).content.decode()

    assert "Reçoit des coureurs." in html and "Sees runners." not in html
    assert "Massothérapeute" in html


def test_reference_data_has_a_french_name_for_every_discipline():
    with translation.override("fr"):
        names = sorted(Discipline.objects.values_list("name", flat=True))

    assert names == ["Chiropratique", "Massothérapie", "Physiothérapie"]


def test_a_request_sent_in_french_stores_the_french_consent_and_its_version(client):
    cache.clear()
    clinic = make_clinic("Clinique du Parc", email="accueil@parc.example")
    therapist = make_therapist(first_name="Léa", locations=[make_location(clinic)])
    with translation.override("fr"):
        url = reverse("therapists:therapist-consult", args=[therapist.slug])

    response = client.post(url, form_data(location=str(therapist.locations.get().pk), marketing="yes"))

    consult = ConsultRequest.objects.get()
    assert response.status_code == 302 and response["Location"].startswith("/fr/consultation/envoyee/")
    assert consult.consent_text.startswith("J'accepte que Clinique du Parc")
    assert consult.consent_version == leads.CONSENT_VERSIONS["fr"] != leads.CONSENT_VERSION
    assert consult.marketing_text.startswith("M'envoyer aussi")


def test_french_province_names_are_understood_in_both_languages():
    from therapists import gazetteer

    with translation.override("fr"):
        french_page = gazetteer.province_code("Nouveau-Brunswick"), gazetteer.province_code("Manitoba")

    assert french_page == ("NB", "MB")
    assert gazetteer.province_code("Île-du-Prince-Édouard") == "PE"


def test_free_text_search_ignores_accents_and_case_in_both_languages(client):
    from therapists.models import Specialty, Therapist

    clinic = make_clinic("Clinique Montréal Santé")
    therese = make_therapist(first_name="Thérèse", locations=[make_location(clinic)])
    sciatica = make_therapist(
        specialties=[Specialty.objects.get(slug="sciatica")], locations=[make_location(make_clinic("Plain"))]
    )
    published = Therapist.objects.published()

    assert list(published.matching("montreal")) == [therese]
    assert list(published.matching("MONTRÉAL therese")) == [therese]
    assert list(published.matching("sciatique")) == [sciatica]  # the French name, on any page
    assert list(published.matching("Sciatica")) == [sciatica]
    assert list(published.matching("a.b*c(")) == []  # typed symbols are literal


def _english_left_in(html: str) -> list[str]:
    """The catalogue's English sentences (two words or more, no placeholder) still on a page."""
    html = re.sub(r"<script.*?</script>|<style.*?</style>|<head.*?</head>", " ", html, flags=re.S)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    return sorted(
        entry.msgid
        for entry in polib.pofile(str(CATALOGUE))
        if " " in entry.msgid
        and "%" not in entry.msgid
        and "/" not in entry.msgid
        and entry.msgstr != entry.msgid
        and re.search(r"(?<![\w'])" + re.escape(entry.msgid) + r"(?![\w'])", text)
    )


def test_booking_a_consult_in_french_shows_no_english_from_search_to_confirmation(client, clock, settings):  # noqa: F811
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    online = make_online_booking(location=make_location(make_clinic(email="desk@example.com")))
    consult = online.location.clinic.appointment_types.get()
    with translation.override("fr"):
        choose = reverse("booking:choose-time", args=[online.therapist.slug, online.location_id])
        details = reverse("booking:details", args=[online.therapist.slug, online.location_id])
    when = {"type": consult.pk, "start": at(TUESDAY, 10).isoformat()}

    home = client.get("/fr/")
    search = client.get("/fr/recherche/", {"lat": "49.8844", "lng": "-97.14704", "available": "7"})
    times = client.get(choose)
    form = client.get(details, when)
    booked = client.post(details, {**when, **PATIENT, "consent": "yes", "started": started_token(ready=True)})
    done = client.get(booked["Location"])

    assert booked.status_code == 302 and booked["Location"].startswith("/fr/")
    pages = {"home": home, "search": search, "times": times, "form": form, "done": done}
    assert {name: _english_left_in(page.content.decode()) for name, page in pages.items()} == {
        name: [] for name in pages
    }
    assert "Réserver avec" in times.content.decode()
    assert "J'accepte que" in unescape(form.content.decode())
    assert "Votre rendez-vous est réservé" in unescape(done.content.decode())
    patient_mail = next(m for m in mail.outbox if m.to == [PATIENT["email"]])
    assert patient_mail.subject.startswith("Réservé") and "/fr/reservation/annuler/" in patient_mail.body
