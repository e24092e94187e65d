"""A francophone patient's whole journey in a real browser, from /fr/ to a sent consult
request, without meeting an English word; and axe-core on the French pages.

SHOTS=<folder> saves screenshots of each page at 390 and 1280 px wide."""

import importlib
import os
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core import mail
from django.core.cache import cache

from booking.models import AppointmentType, Booking
from therapists.models import ConsultRequest, Language
from therapists.tests.factories import (
    WINNIPEG,
    make_clinic,
    make_fee,
    make_location,
    make_place,
    make_therapist,
)
from therapists.tests.test_browser import serious_accessibility_violations
from therapists.tests.test_browser_booking import winnipeg  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fresh_coverage():
    """Which cities have listings is cached (landing.COVERAGE_CACHE_SECONDS): each test starts afresh."""
    cache.clear()
    yield
    cache.clear()


SHOTS = os.environ.get("SHOTS")
# Words that give away an untranslated English string on a French page.
ENGLISH_GIVEAWAYS = [
    "Search",
    "Therapist",
    "Request",
    "Book",
    "Send",
    "Your ",
    "Phone",
    "Email",
    "Privacy",
    "Closed",
    "Open now",
    "Accepting",
    "within",
    " away",
    "Monday",
    "Where",
    "Location",
    "Wheelchair",
    "Massage therap",
    "Fees",
    "Price",
    "the ",
    " and ",
]
# The switcher names the other language in that language, on purpose.
ALLOWED = ["English"]


def english_words(page) -> list[str]:
    text = page.locator("body").inner_text()
    for allowed in ALLOWED:
        text = text.replace(allowed, "")
    return [word for word in ENGLISH_GIVEAWAYS if word in text]


def shoot(page, name: str) -> None:
    if not SHOTS:
        return
    folder = Path(SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"fr-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1200, "height": 900})


@pytest.fixture
def french_listings(reference_data, settings):
    """Reference data with its French names (migration 0016), and a francophone clinic
    in Saint-Boniface with one therapist who writes a French bio."""
    importlib.import_module("therapists.migrations.0016_reference_data_in_french").fill_translations(
        apps, None
    )
    settings.CONSULT_MIN_FILL_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_place("Winnipeg", "MB", WINNIPEG, population=749_607)
    clinic = make_clinic(
        "Clinique Provencher",
        email="accueil@provencher.example",
        phone="(204) 555-0142",
        payers=["blue-cross"],
    )
    make_fee(clinic, "95", kind="massage")
    location = make_location(
        clinic, name="Saint-Boniface", street="200, boulevard Provencher", at=(49.8892, -97.1150)
    )
    location.opening_hours.create(weekday=0, opens="09:00", closes="17:00")
    return make_therapist(
        first_name="Élise",
        last_name="Gagnon",
        slug="elise-gagnon",
        bio_en="Élise treats neck and back pain.",
        bio_fr="Élise traite les douleurs au cou et au dos, en français.",
        languages=Language.objects.filter(code="fr"),
        locations=[location],
    )


def test_a_francophone_patient_goes_from_fr_to_a_sent_request_without_an_english_word(page, french_listings):
    seen = {}
    page.goto("/fr/")
    seen["home"] = english_words(page)
    shoot(page, "home")

    page.get_by_label("Ville ou code postal").fill("Winnipeg")
    page.get_by_label("Type de thérapeute").select_option("massage")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/fr/recherche/?*")
    assert "Élise Gagnon" in page.locator(".result-list").inner_text()
    assert re.search(r"\d,\d km", page.locator(".result-list").inner_text())
    assert "95 $" in page.locator(".result-list").inner_text()
    seen["search"] = english_words(page)
    shoot(page, "search")

    page.get_by_role("link", name="Élise Gagnon", exact=True).click()
    page.wait_for_url("**/fr/therapeutes/elise-gagnon/**")
    assert "en français" in page.locator("main").inner_text()
    seen["profile"] = english_words(page)
    shoot(page, "profile")

    form = page.locator("form.consult-form")
    form.get_by_label("Votre nom").fill("Mireille Patiente")
    form.get_by_label("Courriel", exact=True).fill("mireille@example.com")
    form.get_by_label("Téléphone", exact=True).fill("204 555 0187")
    form.get_by_label("Où avez-vous mal?").select_option("back")
    form.get_by_label("Appel téléphonique").check()
    form.get_by_label("Quel est le meilleur moment pour vous joindre?").fill("le matin")
    form.locator("#id_consent").check()
    shoot(page, "consult-form")
    form.get_by_role("button", name="Envoyer ma demande").click()

    page.wait_for_url("**/fr/consultation/envoyee/?ref=*")
    assert page.get_by_role("heading", name="Votre demande a été envoyée").is_visible()
    seen["sent"] = english_words(page)
    shoot(page, "sent")
    consult = ConsultRequest.objects.get()
    assert consult.consent_text.startswith("J'accepte que Clinique Provencher")
    assert seen == {"home": [], "search": [], "profile": [], "sent": []}


def test_the_french_pages_have_no_serious_accessibility_violations(page, french_listings):
    found = {}
    for path in [
        "/fr/",
        "/fr/recherche/?where=Winnipeg",
        "/fr/therapeutes/elise-gagnon/",
        "/fr/guides/noeud-musculaire-dans-le-dos/",
        "/fr/trouver/winnipeg-mb/massotherapeutes/",
    ]:
        page.goto(path)
        found[path] = serious_accessibility_violations(page)
        if "guides" in path:
            shoot(page, "guide")
        elif "trouver" in path:
            shoot(page, "landing")

    assert found == {path: [] for path in found}


def test_a_francophone_patient_books_and_cancels_a_consult_online_without_an_english_word(page, winnipeg):  # noqa: F811
    """From /fr/ through the soonest search, the time picker and the form to the
    confirmation, then the cancel link of the French email."""
    importlib.import_module("therapists.migrations.0016_reference_data_in_french").fill_translations(
        apps, None
    )
    AppointmentType.objects.update(name="Consultation gratuite")  # the clinic's own words
    seen = {}
    page.goto("/fr/")
    page.get_by_label("Ville ou code postal").fill("Winnipeg")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/fr/recherche/?*")
    page.get_by_label("Trier par").select_option("soonest")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**sort=soonest**")
    card = page.locator("article.result[data-therapist=paolo-nguyen]")
    assert "Prochaine disponibilité" in card.inner_text()
    seen["search"] = english_words(page)
    shoot(page, "booking-search")

    card.get_by_role("link", name="Toutes les heures").click()
    page.wait_for_url("**/fr/reserver/paolo-nguyen/**")
    seen["times"] = english_words(page)
    shoot(page, "booking-times")
    page.locator(".booking-times a").nth(2).click()
    page.wait_for_url("**/coordonnees/?*")
    form = page.locator("form.booking-form")
    form.get_by_label("Votre nom").fill("Mireille Patiente")
    form.get_by_label("Courriel", exact=True).fill("mireille@example.com")
    form.get_by_label("Téléphone", exact=True).fill("204 555 0187")
    form.locator("#id_consent").check()
    seen["form"] = english_words(page)
    shoot(page, "booking-form")
    form.get_by_role("button", name="Réserver").click()

    page.wait_for_url("**/fr/reservation/confirmee/?ref=*")
    assert page.get_by_role("heading", name="Votre rendez-vous est réservé").is_visible()
    seen["done"] = english_words(page)
    shoot(page, "booking-done")
    email = next(m for m in mail.outbox if m.to == ["mireille@example.com"])
    link = next(word for word in email.body.split() if "/fr/reservation/annuler/" in word)
    page.goto(link.replace("https://finder.example", ""))
    seen["cancel"] = english_words(page)
    page.get_by_role("button", name="Oui, l'annuler").click()
    assert page.get_by_role("heading", name="Votre réservation est annulée").is_visible()
    seen["cancelled"] = english_words(page)
    shoot(page, "booking-cancelled")
    assert Booking.objects.get().consent_text.startswith("J'accepte que Forks Physiotherapy")
    assert seen == {name: [] for name in seen}
