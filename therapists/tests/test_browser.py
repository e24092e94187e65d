"""The search in a real browser: Playwright driving Debian's Chromium against live_server.

Never `playwright install`: the browser is Debian's /usr/bin/chromium (`make browser`
installs it). Without it these tests skip with a notice saying how to get it. The
`chromium`, `page` and `reference_data` fixtures are in conftest.py: one Chromium session
serves every browser test module.
"""

import importlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

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
    assert form.locator("#id_consent-error").get_by_text("only send your request if you agree").is_visible()
    assert form.get_by_label("Your name").input_value() == "Sam Patient"
    assert not ConsultRequest.objects.exists()

    page.locator("form.consult-form #id_consent").check()
    page.locator("form.consult-form").get_by_role("button", name="Send my request").click()

    page.wait_for_url("**/consult/sent/?ref=*")
    assert page.get_by_role("heading", name="Your request has been sent").is_visible()
    assert ConsultRequest.objects.get().therapist == therapist
    assert [message.to for message in mail.outbox] == [["desk@clinic.example"], ["sam@example.com"]]


def test_the_api_docs_work_in_the_browser_with_no_policy_violation(page, reference_data, live_server):
    make_place("Winnipeg", "MB", WINNIPEG, population=750_000)
    violations, requested = [], []
    page.on("console", lambda message: violations.append(message.text))
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/api/docs")
    page.locator("#operations-Places-therapists_api_places").click()
    page.get_by_role("button", name="Try it out").click()
    page.locator("input[placeholder='q']").fill("winn")
    page.get_by_role("button", name="Execute").click()

    answer = page.wait_for_selector(".live-responses-table .response-col_description .microlight")
    assert answer.inner_text().count("Winnipeg") == 1
    assert [text for text in violations if "Content Security Policy" in text] == []
    assert all(url.startswith(live_server.url) for url in requested)


# The admin, as a clinic manager, and accessibility checks (axe-core, shipped inside
# axe-playwright-python: nothing is downloaded).


@pytest.fixture
def manager_page(chromium, live_server, client, winnipeg_massage):
    """A browser logged in as the manager of the "middle" therapist's clinic."""
    import datetime

    from therapists.models import OpeningHours
    from therapists.tests.factories import make_consult_request, make_manager

    # The "Clinic managers" group of migrations 0003 and 0006, gone with the flush.
    group_migration = importlib.import_module("therapists.migrations.0003_clinic_managers_group")
    grant_migration = importlib.import_module("therapists.migrations.0006_clinic_managers_consult_requests")
    codenames = [f"{action}_{model}" for model, actions in group_migration.PERMISSIONS for action in actions]
    group, _ = Group.objects.get_or_create(name=group_migration.GROUP_NAME)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="therapists", codename__in=[*codenames, *grant_migration.CODENAMES]
        )
    )
    therapist = winnipeg_massage["middle"]
    location = therapist.locations.get()
    OpeningHours.objects.create(
        location=location, weekday=0, opens=datetime.time(9), closes=datetime.time(17)
    )
    manager = make_manager("alice", location.clinic)
    client.force_login(manager)
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.objects = {
        "therapist": therapist,
        "location": location,
        "clinic": location.clinic,
        "consult": make_consult_request(location.clinic, therapist),
    }
    yield page
    context.close()


def serious_accessibility_violations(page, within: str | None = None) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    # Colours are judged as rendered: let the admin's colour transitions (0.15 s) end.
    page.wait_for_timeout(500)
    results = Axe().run(page, context=within)
    return [
        f"{violation['id']} ({violation['impact']}): {len(violation['nodes'])} element(s), e.g. "
        f"{violation['nodes'][0]['html'][:300]} {violation['nodes'][0].get('failureSummary')}"
        for violation in results.response["violations"]
        if violation["impact"] in ("critical", "serious")
    ]


def test_the_export_pages_select_all_works_under_our_policy(manager_page):
    violations = []
    manager_page.on("console", lambda message: violations.append(message.text))

    manager_page.goto(reverse("admin:therapists_therapist_export"))
    fields = manager_page.locator('.selectable-field-export-row input[type="checkbox"]:not(.select-toggle)')
    assert fields.count() > 3
    manager_page.get_by_label("Select all").uncheck()

    assert not any(box.is_checked() for box in fields.all())
    manager_page.get_by_label("Select all").check()
    assert all(box.is_checked() for box in fields.all())
    assert [text for text in violations if "Content Security Policy" in text] == []


def test_the_public_pages_have_no_serious_accessibility_problems(page, winnipeg_massage):
    therapist = winnipeg_massage["middle"]
    clinic = therapist.locations.get().clinic
    problems = {}

    for url in [
        "/",
        "/search/?where=Winnipeg&discipline=massage",
        therapist.get_absolute_url(),
        clinic.get_absolute_url(),
    ]:
        page.goto(url)
        problems[url] = serious_accessibility_violations(page)

    assert problems == {url: [] for url in problems}


def test_the_admin_forms_have_no_serious_accessibility_problems(manager_page):
    objects = manager_page.objects
    problems = {}

    for model in ("therapist", "location", "clinic", "consultrequest"):
        name = "consult" if model == "consultrequest" else model
        url = reverse(f"admin:therapists_{model}_change", args=[objects[name].pk])
        manager_page.goto(url)
        # The form and its inlines; the header, breadcrumbs and menu are Django's own.
        problems[model] = serious_accessibility_violations(manager_page, within="#content")

    assert problems == {model: [] for model in problems}
