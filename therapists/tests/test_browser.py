"""The search in a real browser: Playwright driving Debian's Chromium against live_server.

Never `playwright install`: the browser is Debian's /usr/bin/chromium (`make browser`
installs it). Without it these tests skip with a notice saying how to get it. The
`chromium`, `page` and `reference_data` fixtures are in conftest.py: one Chromium session
serves every browser test module.
"""

import pytest

from therapists.models import Language
from therapists.tests.factories import WINNIPEG, make_location, make_place, make_therapist

pytestmark = [
    pytest.mark.browser,
    # live_server needs real commits, and the flush after each such test removes
    # the reference data that migration 0002 loaded: see `reference_data`.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def winnipeg_massage(reference_data):
    """Three massage therapists at known distances east of Winnipeg's centre, and a physiotherapist."""
    make_place("Winnipeg", "MB", WINNIPEG, population=749_607)
    english = Language.objects.get(code="en")

    def at(km):
        return [make_location(at=(WINNIPEG[0], WINNIPEG[1] + km / 71.7))]

    return {
        "far": make_therapist(first_name="Faye", last_name="Far", locations=at(9), languages=[english]),
        "near": make_therapist(
            first_name="Nina", last_name="Near", locations=at(1), accepting_new_patients=False
        ),
        "middle": make_therapist(first_name="Mo", last_name="Middle", locations=at(4), languages=[english]),
        "physio": make_therapist(discipline="physiotherapy", last_name="Physio", locations=at(2)),
    }


def result_slugs(page) -> list[str]:
    return page.locator("ol.result-list article[data-therapist]").evaluate_all(
        "nodes => nodes.map(n => n.dataset.therapist)"
    )


def result_distances(page) -> list[float]:
    return page.locator("ol.result-list article[data-therapist]").evaluate_all(
        "nodes => nodes.map(n => parseFloat(n.dataset.distanceKm))"
    )


def test_a_patient_searches_winnipeg_massage_and_sees_the_nearest_first(page, winnipeg_massage):
    page.goto("/")
    page.get_by_label("City or postal code").fill("Winnipeg")
    page.get_by_label("Kind of therapist").select_option("massage")
    page.get_by_role("button", name="Search").click()

    page.wait_for_url("**/search/?*")
    assert page.get_by_role("heading", level=1).inner_text() == "Therapists near Winnipeg, MB"
    t = winnipeg_massage
    assert result_slugs(page) == [t["near"].slug, t["middle"].slug, t["far"].slug]
    distances = result_distances(page)
    assert distances == sorted(distances)
    assert page.locator("article[data-therapist]").first.get_by_text("1.0 km away").is_visible()


def test_a_patient_adds_a_filter_and_sees_it_applied(page, winnipeg_massage):
    page.goto("/search/?where=Winnipeg&discipline=massage")
    assert len(result_slugs(page)) == 3

    page.get_by_label("Accepting new patients").check()
    page.get_by_role("button", name="Search").click()

    page.wait_for_url("**new_patients=1**")
    t = winnipeg_massage
    assert result_slugs(page) == [t["middle"].slug, t["far"].slug]
    chips = page.get_by_role("list", name="Active filters")
    assert chips.get_by_role("link", name="Accepting new patients").is_visible()

    chips.get_by_role("link", name="Accepting new patients").click()
    page.wait_for_url(lambda url: "new_patients" not in url)
    assert len(result_slugs(page)) == 3


def test_use_my_location_searches_near_the_browsers_position(chromium, live_server, winnipeg_massage):
    # Standing 10 km east of the centre: the "far" therapist (9 km east) is now nearest.
    position = {"latitude": WINNIPEG[0], "longitude": WINNIPEG[1] + 10 / 71.7}
    context = chromium.new_context(
        base_url=live_server.url, geolocation=position, permissions=["geolocation"]
    )
    try:
        page = context.new_page()
        page.goto("/")
        page.get_by_role("button", name="Use my location").click()

        page.wait_for_url("**lat=**")
        assert page.get_by_role("heading", level=1).inner_text() == "Therapists near your location"
        t = winnipeg_massage
        assert result_slugs(page) == [t["far"].slug, t["middle"].slug, t["physio"].slug, t["near"].slug]
    finally:
        context.close()


def test_a_patient_opens_a_profile_from_the_results(page, winnipeg_massage):
    page.goto("/search/?where=Winnipeg&discipline=massage")

    page.get_by_role("link", name="Nina Near", exact=True).click()

    # The profile link names the location the therapist was found at.
    page.wait_for_url(f"**/therapists/{winnipeg_massage['near'].slug}/?location=*")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Nina Near")
    assert page.get_by_text("Not accepting new patients").is_visible()


def test_the_search_works_without_javascript(chromium, live_server, winnipeg_massage):
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/")
        assert page.get_by_role("button", name="Use my location").is_hidden()
        page.get_by_label("City or postal code").fill("Winnipeg")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**/search/?*")
        assert len(result_slugs(page)) == 4
    finally:
        context.close()


def test_nothing_on_the_pages_is_fetched_from_another_site(page, winnipeg_massage, live_server):
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/search/?where=Winnipeg")
    page.get_by_role("link", name="Nina Near", exact=True).click()
    page.wait_for_load_state("networkidle")

    assert requested and all(url.startswith(live_server.url) for url in requested)


def test_the_browser_reports_no_policy_violations_on_our_pages(page, winnipeg_massage):
    violations = []
    page.on("console", lambda message: violations.append(message.text))
    therapist = winnipeg_massage["near"]

    for url in ["/", "/search/?where=Winnipeg&discipline=massage", therapist.get_absolute_url()]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
    on_our_pages = [text for text in violations if "Content Security Policy" in text]

    # The browser does enforce it: an image from elsewhere is refused and reported.
    page.evaluate("document.body.append(Object.assign(new Image(), {src: 'http://192.0.2.1/x.png'}))")
    page.wait_for_timeout(300)

    assert on_our_pages == []
    assert any("Content Security Policy" in text for text in violations)


def test_a_patient_books_a_free_consult_from_a_profile(page, winnipeg_massage, settings):
    from django.core import mail

    from therapists.models import ConsultRequest

    settings.CONSULT_MIN_FILL_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    therapist = winnipeg_massage["middle"]
    clinic = therapist.locations.get().clinic
    clinic.email = "desk@clinic.example"
    clinic.save()
    page.goto(therapist.get_absolute_url())

    form = page.locator("form.consult-form")
    form.get_by_label("Your name").fill("Sam Patient")
    form.get_by_label("Email", exact=True).fill("sam@example.com")
    form.get_by_label("Phone", exact=True).fill("204 555 0199")
    form.get_by_label("Where does it hurt?").select_option("back")
    form.get_by_label("Phone call").check()
    form.get_by_label("When is a good time to reach you?").fill("weekday mornings")
    form.get_by_role("button", name="Send my request").click()

    # The consent box was left unticked: the form says so and keeps what was typed.
    assert form.get_by_text("only send your request if you agree").is_visible()
    assert form.get_by_label("Your name").input_value() == "Sam Patient"
    assert not ConsultRequest.objects.exists()

    page.locator("form.consult-form #id_consent").check()
    page.locator("form.consult-form").get_by_role("button", name="Send my request").click()

    page.wait_for_url("**/consult/sent/?ref=*")
    assert page.get_by_role("heading", name="Your request has been sent").is_visible()
    assert ConsultRequest.objects.get().therapist == therapist
    assert [message.to for message in mail.outbox] == [["desk@clinic.example"]]
