"""Rich result cards in a real browser: a patient narrows Toronto to women who take
Manulife for at most $120, without JavaScript, and books from the card."""

import pytest
from django.utils.text import slugify

from therapists.models import Payer, PayerKind
from therapists.reference import INSURERS, PROGRAMMES
from therapists.tests.factories import make_clinic, make_fee, make_location, make_place, make_therapist
from therapists.tests.test_browser import result_slugs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TORONTO = (43.70011, -79.4163)


@pytest.fixture
def toronto_listings(reference_data):
    # The payers of migration 0013, flushed by transactional tests like the rest.
    for kind, names in ((PayerKind.INSURER, INSURERS), (PayerKind.PROGRAMME, PROGRAMMES)):
        for name in names:
            Payer.objects.update_or_create(slug=slugify(name), defaults={"name": name, "kind": kind})
    make_place("Toronto", "ON", TORONTO, population=2_800_000)
    billing = make_clinic("Queen West Physio", payers=["manulife", "sun-life", "wsib"], phone="416-555-0100")
    make_fee(billing, "100")
    dear = make_clinic("Bay Street Wellness", payers=["manulife"])
    make_fee(dear, "150")

    def at(clinic):
        return [make_location(clinic, city="Toronto", province="ON", postal_code="M5V 2T6", at=TORONTO)]

    return {
        "mia": make_therapist(
            first_name="Mia",
            last_name="Chen",
            gender="woman",
            pronouns="she/her",
            booking_url="https://queen-west-physio.example/book/mia",
            locations=at(billing),
        ),
        "tom": make_therapist(first_name="Tom", last_name="Lee", gender="man", locations=at(billing)),
        "dee": make_therapist(first_name="Dee", last_name="Dear", gender="woman", locations=at(dear)),
    }


def test_a_patient_without_javascript_narrows_by_insurer_gender_and_price_and_books(
    chromium,
    toronto_listings,
    live_server,
):
    context = chromium.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 390, "height": 900}
    )
    requested = []
    try:
        page = context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.goto("/search/?where=Toronto")
        assert len(result_slugs(page)) == 3

        page.get_by_label("Insurer or programme").select_option("manulife")
        page.get_by_label("Woman").check()
        page.get_by_label("Price up to ($)").fill("120")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**max_price=120**")

        assert result_slugs(page) == [toronto_listings["mia"].slug]
        card = page.locator("article.result").first
        text = card.inner_text()
        for expected in ("she/her", "Accepting new patients", "60 min from $100", "Manulife", "WSIB"):
            assert expected in text, expected
        book = card.get_by_role("link", name="Book online with Mia Chen")
        assert book.get_attribute("href") == "https://queen-west-physio.example/book/mia"
        assert card.get_by_role("link", name="Request a call back from Mia Chen").is_visible()
        assert card.get_by_role("link", name="Call Queen West Physio, 416-555-0100").get_attribute(
            "href"
        ) == ("tel:+14165550100")
        assert all(url.startswith(live_server.url) for url in requested)
    finally:
        context.close()
