"""Reports of outdated information: a visitor tells a clinic its listing is wrong, the
clinic (and only that clinic) sees the report and closes it with a note."""

import logging

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from therapists.models import OutdatedReport
from therapists.tests.factories import make_clinic, make_location, make_manager, make_therapist, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_limits(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alpha():
    return make_clinic("Alpha Physio")


@pytest.fixture
def bravo():
    return make_clinic("Bravo Massage")


@pytest.fixture
def amy(alpha):
    return make_therapist(first_name="Amy", locations=[make_location(alpha)])


def report(client, therapist=None, clinic_page=None, ip="203.0.113.9", **fields):
    url = (
        reverse("therapists:therapist-report", args=[therapist.slug])
        if therapist
        else reverse("therapists:clinic-report", args=[clinic_page.slug])
    )
    data = {"wrong": ["hours", "phone"], "note": "Opens at 8 now.", "email": "", "website": ""}
    return client.post(url, {**data, **fields}, REMOTE_ADDR=ip)


def test_the_profile_and_the_clinic_page_link_to_the_report_form(client, amy, alpha):
    assert (
        reverse("therapists:therapist-report", args=[amy.slug])
        in client.get(amy.get_absolute_url()).content.decode()
    )
    clinic_page = client.get(alpha.get_absolute_url()).content.decode()
    assert reverse("therapists:clinic-report", args=[alpha.slug]) in clinic_page


def test_a_report_about_a_therapist_lands_at_their_clinic(client, amy, alpha, bravo):
    response = report(client, amy, email="Visitor@Example.com")

    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    saved = OutdatedReport.objects.get()
    assert (saved.clinic, saved.therapist, saved.wrong) == (alpha, amy, ["phone", "hours"])
    assert saved.email == "visitor@example.com"


def test_a_report_about_a_clinic_page_has_no_therapist(client, alpha):
    report(client, clinic_page=alpha, wrong=["address"])

    assert OutdatedReport.objects.get().therapist is None


def test_a_therapist_at_two_clinics_is_reported_to_the_one_chosen(client, alpha, bravo):
    sam = make_therapist(locations=[make_location(alpha), make_location(bravo)])

    without_choice = report(client, sam)
    chosen = report(client, sam, clinic=str(bravo.pk))

    assert "At which clinic?" in without_choice.content.decode()
    assert chosen.status_code == 200
    assert OutdatedReport.objects.get().clinic == bravo


@pytest.mark.parametrize(
    "fields",
    [
        {"wrong": [], "note": ""},
        {"wrong": ["everything"], "note": ""},
        {"note": "x" * 1001},
        {"note": "null \x00 byte"},
        {"email": "not an email"},
        {"email": "a\x00@example.com"},
    ],
)
def test_bad_input_is_a_form_error_that_keeps_what_was_typed(client, amy, fields):
    response = report(client, amy, **{"note": "Keep me please", **fields})

    assert response.status_code == 200
    assert not OutdatedReport.objects.exists()
    html = response.content.decode()
    assert "has not been sent yet" in html
    if "note" not in fields:
        assert "Keep me please" in html


def test_a_bot_filling_the_hidden_field_is_refused(client, amy):
    response = report(client, amy, website="http://spam.example")

    assert response.status_code == 400
    assert not OutdatedReport.objects.exists()


def test_the_form_is_protected_by_csrf(amy):
    response = report(Client(enforce_csrf_checks=True), amy)

    assert response.status_code == 403


def test_too_many_reports_from_one_address_get_429_and_keep_the_note(client, amy, settings):
    settings.REPORT_RATE_LIMIT = "2/h"

    codes = [report(client, amy).status_code for _ in range(3)]
    limited = report(client, amy, note="Still here")
    elsewhere = report(client, amy, ip="198.51.100.7")

    assert codes == [200, 200, 429]
    assert "Still here" in limited.content.decode()
    assert elsewhere.status_code == 200
    assert OutdatedReport.objects.count() == 3


def test_a_report_without_a_client_address_is_counted_not_a_server_error(client, amy):
    response = report(client, amy, ip="")

    assert response.status_code == 200
    assert OutdatedReport.objects.count() == 1


def test_nothing_the_visitor_typed_reaches_the_logs(client, amy, caplog):
    with caplog.at_level(logging.INFO):
        report(client, amy, note="My secret note", email="private@example.com")

    assert "secret" not in caplog.text
    assert "private@" not in caplog.text


def test_a_manager_sees_only_their_clinics_reports_and_closes_one_with_a_note(client, alpha, bravo, amy):
    alice = make_manager("alice", alpha)
    mine = OutdatedReport.objects.create(clinic=alpha, therapist=amy, wrong=["hours"], note="Alpha note")
    theirs = OutdatedReport.objects.create(clinic=bravo, wrong=["fees"], note="Bravo note")
    client.force_login(alice)

    listing = client.get(reverse("admin:therapists_outdatedreport_changelist")).content.decode()
    other = client.get(reverse("admin:therapists_outdatedreport_change", args=[theirs.pk]))
    refused = client.post(
        reverse("admin:therapists_outdatedreport_change", args=[mine.pk]), {"close": "on", "closing_note": ""}
    )
    closed = client.post(
        reverse("admin:therapists_outdatedreport_change", args=[mine.pk]),
        {"close": "on", "closing_note": "Hours corrected."},
    )

    assert "Alpha Physio" in listing
    assert "Bravo" not in listing
    assert other.status_code == 302  # the admin's "does not exist" redirect
    assert refused.status_code == 200
    assert closed.status_code == 302
    mine.refresh_from_db()
    assert (mine.closing_note, mine.closed_by) == ("Hours corrected.", alice)
    assert mine.closed_at is not None


def test_the_operator_sees_every_clinics_reports(client, alpha, bravo):
    OutdatedReport.objects.create(clinic=alpha, wrong=["hours"])
    OutdatedReport.objects.create(clinic=bravo, wrong=["fees"])
    client.force_login(make_user("olivia", superuser=True))

    html = client.get(reverse("admin:therapists_outdatedreport_changelist")).content.decode()

    assert "Alpha Physio" in html
    assert "Bravo Massage" in html
