"""A clinic manager's morning in a real browser: log in, see the day, call back a
patient, confirm a listing, close a report; and axe-core on the workspace pages.
Playwright drives Debian's Chromium against live_server (fixtures in conftest.py)."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from therapists.models import ConsultRequest, ConsultStatus, OutdatedReport, Therapist
from therapists.tests.factories import (
    make_clinic,
    make_consult_request,
    make_location,
    make_manager,
    make_therapist,
)
from therapists.tests.test_browser import serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-only"  # factories.make_user's


@pytest.fixture
def managers_group(transactional_db):
    """The "Clinic managers" group with the permissions its migrations grant (the flush
    after each live_server test removes them)."""
    create_permissions(apps.get_app_config("therapists"), verbosity=0)
    group_migration = importlib.import_module("therapists.migrations.0003_clinic_managers_group")
    consult_migration = importlib.import_module("therapists.migrations.0006_clinic_managers_consult_requests")
    workspace_migration = importlib.import_module("therapists.migrations.0016_workspace_reports_regulators")
    codenames = [f"{action}_{model}" for model, actions in group_migration.PERMISSIONS for action in actions]
    group, _ = Group.objects.get_or_create(name=group_migration.GROUP_NAME)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="therapists",
            codename__in=[*codenames, *consult_migration.CODENAMES, *workspace_migration.CODENAMES],
        )
    )


@pytest.fixture
def morning(reference_data, managers_group, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    forks = make_clinic("Forks Physiotherapy")
    other = make_clinic("Queen West Physio")
    broadway = make_location(forks, name="Broadway", street="520 Broadway")
    amy = make_therapist(first_name="Amy", last_name="Alphason", locations=[broadway])
    Therapist.objects.filter(pk=amy.pk).update(last_verified=datetime.date(2025, 1, 6))
    fresh = make_consult_request(forks, amy, location=broadway, name="Nina New", phone="+12045550142")
    late = make_consult_request(forks, amy, location=broadway, name="Olga Overdue", phone="+12045550177")
    ConsultRequest.objects.filter(pk=late.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    make_consult_request(other, name="Toronto Patient")
    report = OutdatedReport.objects.create(clinic=forks, therapist=amy, wrong=["hours"], note="Opens at 8")
    return {
        "manager": make_manager("alice", forks),
        "amy": amy,
        "fresh": fresh,
        "late": late,
        "report": report,
    }


def log_in(page, username: str) -> None:
    page.goto(reverse("admin:login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_managers_morning(page, morning):
    log_in(page, "alice")

    # The day: two new requests, one of them overdue; nothing of the other clinic.
    day = page.locator(".workspace-day")
    assert "2 new consult requests" in " ".join(day.inner_text().split())
    assert "Overdue" in day.inner_text()
    assert "Toronto" not in page.content()

    # The overdue one, with the number to call.
    page.get_by_role("link", name="Overdue").click()
    page.wait_for_selector("#result_list")
    assert page.locator("#result_list tbody tr").count() == 1
    assert page.locator('a[href="tel:+12045550177"]').count() == 1
    page.get_by_role("link", name=morning["late"].reference).click()
    page.wait_for_selector("#consultrequest_form")
    assert page.locator('a[href="tel:+12045550177"]').count() == 1

    # Called: marked contacted.
    page.locator("#id_status").select_option(ConsultStatus.CONTACTED)
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector(".messagelist")
    morning["late"].refresh_from_db()
    assert morning["late"].status == ConsultStatus.CONTACTED
    assert morning["late"].status_changed_by == morning["manager"]

    # A listing to confirm, from the home page.
    page.goto(reverse("admin:index"))
    page.get_by_role("link", name="listing to confirm").click()
    page.wait_for_selector("#result_list")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("mark_verified_today")
    page.get_by_role("button", name="Go").click()
    page.wait_for_selector(".messagelist")
    assert Therapist.objects.get(pk=morning["amy"].pk).last_verified == timezone.localdate()

    # The report, closed with a note.
    page.goto(reverse("admin:index"))
    page.get_by_role("link", name="open report").click()
    page.wait_for_selector("#result_list")
    page.locator("#result_list tbody tr th a").first.click()
    page.wait_for_selector("#outdatedreport_form")
    page.get_by_label("Closing note").fill("Saturday hours corrected.")
    page.get_by_label("Close this report").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector(".messagelist")
    morning["report"].refresh_from_db()
    assert morning["report"].closed_at is not None
    assert morning["report"].closing_note == "Saturday hours corrected."


def test_the_workspace_pages_have_no_serious_accessibility_problems(page, morning):
    log_in(page, "alice")
    problems = {}

    for url in [
        reverse("admin:index"),
        reverse("admin:therapists_consultrequest_changelist"),
        reverse("admin:therapists_consultrequest_change", args=[morning["late"].pk]),
        reverse("admin:therapists_outdatedreport_change", args=[morning["report"].pk]),
        reverse("admin:therapists_therapist_changelist") + "?confirm=due",
        reverse("therapists:therapist-report", args=[morning["amy"].slug]),
    ]:
        page.goto(url)
        found = serious_accessibility_violations(page)
        if found:
            problems[url] = found

    assert problems == {}
