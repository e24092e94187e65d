"""The consult request in a real browser: from a search result to the clinic that
receives it. Playwright drives Debian's Chromium against live_server, as in
the other browser tests, with the browser fixtures of conftest.py."""

import importlib
import os
import re

import pytest
from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client
from django.urls import reverse

from therapists.models import ConsultRequest
from therapists.tests.factories import (
    WINNIPEG,
    make_clinic,
    make_location,
    make_manager,
    make_place,
    make_therapist,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


SHOTS = os.environ.get("CONSULT_SHOTS")  # a folder: save screenshots of the pages there


def east(km: float) -> tuple[float, float]:
    """A point `km` east of Winnipeg's centre (71.7 km per degree of longitude there)."""
    return (WINNIPEG[0], WINNIPEG[1] + km / 71.7)


@pytest.fixture
def managers_group(transactional_db):
    """The "Clinic managers" group and its permissions, as migrations 0003 and 0006
    make them (the flush after each live_server test removes them)."""
    group_migration = importlib.import_module("therapists.migrations.0003_clinic_managers_group")
    consult_migration = importlib.import_module("therapists.migrations.0006_clinic_managers_consult_requests")
    create_permissions(apps.get_app_config("therapists"), verbosity=0)
    codenames = [f"{action}_{model}" for model, actions in group_migration.PERMISSIONS for action in actions]
    group, _ = Group.objects.get_or_create(name=group_migration.GROUP_NAME)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="therapists", codename__in=[*codenames, *consult_migration.CODENAMES]
        )
    )


@pytest.fixture
def three_clinics(reference_data, managers_group, settings):
    """Clinic A (first by name) and clinic B share Paolo Nguyen; clinic C is elsewhere.

    A patient searching Winnipeg massage, wheelchair accessible, finds him at B:
    only B's location is accessible.
    """
    settings.CONSULT_MIN_FILL_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://finder.example"
    make_place("Winnipeg", "MB", WINNIPEG, population=749_607)
    a = make_clinic("Aaa Corydon Massage", email="desk@corydon.example", phone="(204) 555-0101")
    b = make_clinic("Forks Physiotherapy", email="desk@forks.example", phone="(204) 555-0102")
    c = make_clinic("Charleswood Chiropractic", email="desk@charleswood.example")
    at_a = make_location(a, name="Corydon", street="800 Corydon Avenue", at=east(3))
    at_b = make_location(b, name="Broadway", street="520 Broadway", at=east(0.7), wheelchair_accessible=True)
    make_therapist(first_name="Cleo", last_name="Other", locations=[make_location(c, at=east(5))])
    paolo = make_therapist(
        first_name="Paolo", last_name="Nguyen", slug="paolo-nguyen", locations=[at_a, at_b]
    )
    return {
        "a": a,
        "b": b,
        "at_b": at_b,
        "paolo": paolo,
        "manager_a": make_manager("alice", a),
        "manager_b": make_manager("bob", b),
    }


def shoot(page, name: str) -> None:
    if SHOTS:
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1200, "height": 900})


def admin_list_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.get(reverse("admin:therapists_consultrequest_changelist")).content.decode()


def test_a_patient_who_found_a_shared_therapist_at_clinic_b_reaches_clinic_b_only(page, three_clinics):
    t = three_clinics
    page.goto("/")
    page.get_by_label("City or postal code").fill("Winnipeg")
    page.get_by_label("Kind of therapist").select_option("massage")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?*")
    page.get_by_label("Wheelchair accessible").check()
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**accessible=1**")

    result = page.locator("article[data-therapist=paolo-nguyen]")
    assert "Forks Physiotherapy" in result.inner_text() and "520 Broadway" in result.inner_text()
    result.get_by_role("link", name="Paolo Nguyen", exact=True).click()

    page.wait_for_url(f"**/therapists/paolo-nguyen/?location={t['at_b'].pk}")
    first_location = page.locator("article.location").first
    assert "Forks Physiotherapy" in first_location.inner_text()
    form = page.locator("form.consult-form")
    assert form.get_by_label(re.compile("Forks Physiotherapy, 520 Broadway")).is_checked()
    assert "I agree that Forks Physiotherapy and Paolo Nguyen will receive" in form.inner_text()
    shoot(page, "profile-chosen")

    form.get_by_label("Your name").fill("Wanda Winnipatient")
    form.get_by_label("Email", exact=True).fill("wanda@example.com")
    form.get_by_label("Phone", exact=True).fill("204 555 0187")
    form.get_by_label("Where does it hurt?").select_option("knee")
    form.get_by_label("Phone call").check()
    form.get_by_label("When is a good time to reach you?").fill("Tuesday evenings")
    form.locator("#id_consent").check()
    form.get_by_role("button", name="Send my request").click()

    page.wait_for_url("**/consult/sent/?ref=*")
    consult = ConsultRequest.objects.get()
    assert page.get_by_role("heading", name="Your request has been sent").is_visible()
    assert consult.reference in page.content()
    assert (consult.clinic, consult.location) == (t["b"], t["at_b"])
    assert "Forks Physiotherapy and Paolo Nguyen" in consult.consent_text
    assert "Wanda Winnipatient" in admin_list_of(t["manager_b"])
    assert "Wanda Winnipatient" not in admin_list_of(t["manager_a"])
    clinic_email, patient_email = mail.outbox
    assert clinic_email.to == ["desk@forks.example"] and patient_email.to == ["wanda@example.com"]
    for message in mail.outbox:
        assert "Forks Physiotherapy" in message.subject + message.body or "Broadway" in message.subject
        assert "Corydon" not in message.subject + message.body


def test_with_two_clinics_and_no_choice_yet_the_form_asks_and_the_consent_follows_the_choice(
    page, three_clinics
):
    page.goto("/therapists/paolo-nguyen/")
    form = page.locator("form.consult-form")
    choices = form.locator("input[name=location]")
    assert choices.count() == 2 and not any(choices.nth(i).is_checked() for i in range(2))
    assert "the clinic I choose above" in form.inner_text()
    shoot(page, "profile-choose")

    form.get_by_label(re.compile("Forks Physiotherapy, 520 Broadway")).check()

    assert "I agree that Forks Physiotherapy and Paolo Nguyen will receive" in form.inner_text()


def test_a_form_with_mistakes_comes_back_with_the_focus_on_what_to_fix(page, three_clinics):
    page.goto(f"/therapists/paolo-nguyen/?location={three_clinics['at_b'].pk}")
    form = page.locator("form.consult-form")
    form.get_by_label("Your name").fill("Wanda Winnipatient")
    form.get_by_label("Phone", exact=True).fill("555")
    form.get_by_role("button", name="Send my request").click()

    page.wait_for_url("**/consult/")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert summary.get_by_role("link", name=re.compile("phone number with its area code")).is_visible()
    assert page.get_by_label("Your name").input_value() == "Wanda Winnipatient"
    shoot(page, "form-errors")


def test_on_a_phone_the_call_back_and_the_clinics_number_are_on_the_first_screen(
    chromium, live_server, three_clinics
):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    try:
        phone = context.new_page()
        phone.goto(f"/therapists/paolo-nguyen/?location={three_clinics['at_b'].pk}")
        call_back = phone.get_by_role("link", name="Request a call back")
        call = phone.locator("a[href^='tel:']").first
        assert call_back.bounding_box()["y"] < 844 and call.bounding_box()["y"] < 844
        assert call.get_attribute("href") == "tel:+12045550102"  # clinic B's, the one chosen
        call_back.click()
        phone.wait_for_url("**#consult")
    finally:
        context.close()
