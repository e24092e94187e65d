"""The clinic workspace: the admin's home, consult requests, confirming listings, staleness.

The cast: Olivia runs the site; Alice manages Alpha Physio (Winnipeg); Bruno manages
Bravo Massage (Toronto).
"""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from therapists import workspace
from therapists.models import (
    Clinic,
    ConfirmationReminder,
    ConsultRequest,
    ConsultStatus,
    Language,
    OutdatedReport,
    Therapist,
)
from therapists.resources import TherapistResource
from therapists.search import find_therapists
from therapists.tests.factories import (
    make_clinic,
    make_consult_request,
    make_location,
    make_manager,
    make_therapist,
    make_user,
)

pytestmark = pytest.mark.django_db

WINNIPEG_TZ = ZoneInfo("America/Winnipeg")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.GEOCODING_ENABLED = False


@pytest.fixture
def cast():
    alpha = make_clinic("Alpha Physio")
    bravo = make_clinic("Bravo Massage")
    alpha_main = make_location(alpha, name="Alpha Main")
    bravo_main = make_location(
        bravo, name="Bravo Queen", city="Toronto", province="ON", postal_code="M5V 2T6"
    )
    return SimpleNamespace(
        olivia=make_user("olivia", superuser=True),
        alice=make_manager("alice", alpha, email="alice@example.com"),
        bruno=make_manager("bruno", bravo, email="bruno@example.com"),
        alpha=alpha,
        bravo=bravo,
        alpha_main=alpha_main,
        bravo_main=bravo_main,
        amy=make_therapist(first_name="Amy", last_name="Alphason", locations=[alpha_main]),
        ben=make_therapist(first_name="Ben", last_name="Bravoman", locations=[bravo_main]),
    )


def aged(consult: ConsultRequest, created: datetime.datetime) -> ConsultRequest:
    ConsultRequest.objects.filter(pk=consult.pk).update(created_at=created)
    consult.refresh_from_db()
    return consult


def days_ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


# The overdue rule.


def test_a_request_made_on_friday_afternoon_is_due_on_monday_afternoon():
    friday = datetime.datetime(2026, 11, 27, 15, 0, tzinfo=WINNIPEG_TZ)

    due = workspace.contact_due(friday, "MB", "America/Winnipeg")

    assert due == datetime.datetime(2026, 11, 30, 15, 0, tzinfo=WINNIPEG_TZ)


def test_a_request_made_on_saturday_is_due_at_the_end_of_monday():
    saturday = datetime.datetime(2026, 11, 28, 10, 0, tzinfo=WINNIPEG_TZ)

    due = workspace.contact_due(saturday, "MB", "America/Winnipeg")

    assert due == datetime.datetime(2026, 12, 1, 0, 0, tzinfo=WINNIPEG_TZ)


def test_a_statutory_holiday_of_the_province_does_not_count_as_a_business_day():
    before_christmas = datetime.datetime(2026, 12, 24, 11, 0, tzinfo=WINNIPEG_TZ)  # Thursday

    due = workspace.contact_due(before_christmas, "MB", "America/Winnipeg")

    # Christmas Day (Friday) and the weekend are skipped; Boxing Day is not a holiday in Manitoba.
    assert due == datetime.datetime(2026, 12, 28, 11, 0, tzinfo=WINNIPEG_TZ)


def test_a_request_over_a_weekend_is_not_overdue_on_monday_morning(cast):
    consult = aged(
        make_consult_request(cast.alpha, location=cast.alpha_main),
        datetime.datetime(2026, 11, 27, 15, 0, tzinfo=WINNIPEG_TZ),
    )
    monday_morning = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=WINNIPEG_TZ)
    monday_evening = datetime.datetime(2026, 11, 30, 17, 0, tzinfo=WINNIPEG_TZ)

    assert not workspace.is_overdue(consult, monday_morning)
    assert workspace.is_overdue(consult, monday_evening)


def test_a_contacted_request_is_never_overdue(cast):
    consult = aged(make_consult_request(cast.alpha, status=ConsultStatus.CONTACTED), days_ago(30))

    assert not workspace.is_overdue(consult)


# The admin's home.


def test_a_managers_home_counts_only_their_own_clinic(client, cast):
    make_consult_request(cast.alpha)
    aged(make_consult_request(cast.alpha, location=cast.alpha_main), days_ago(8))
    make_consult_request(cast.alpha, status=ConsultStatus.CONTACTED)
    for _ in range(3):
        aged(make_consult_request(cast.bravo), days_ago(9))
    OutdatedReport.objects.create(clinic=cast.alpha, wrong=["hours"])
    OutdatedReport.objects.create(clinic=cast.bravo, wrong=["fees"])
    OutdatedReport.objects.create(clinic=cast.bravo, wrong=["fees"])
    Therapist.objects.filter(pk=cast.ben.pk).update(
        last_verified=timezone.localdate() - datetime.timedelta(days=300)
    )
    client.force_login(cast.alice)

    response = client.get(reverse("admin:index"))

    day = response.context["day"]
    assert (day.new_requests, day.overdue_requests, day.to_confirm, day.open_reports) == (2, 1, 0, 1)
    html = response.content.decode()
    assert "Therapist Finder, clinic admin" in html
    assert "Alpha Physio" in html
    assert "Bravo" not in html


def test_the_operators_home_counts_every_clinic(client, cast):
    make_consult_request(cast.alpha)
    aged(make_consult_request(cast.bravo), days_ago(9))
    client.force_login(cast.olivia)

    day = client.get(reverse("admin:index")).context["day"]

    assert (day.new_requests, day.overdue_requests) == (2, 1)


@pytest.mark.parametrize("size", [1, 6])
def test_the_home_page_reads_the_same_number_of_queries_however_many_requests(
    client, cast, django_assert_max_num_queries, size
):
    for index in range(size):
        aged(make_consult_request(cast.alpha), days_ago(index * 2))
        OutdatedReport.objects.create(clinic=cast.alpha, wrong=["phone"])
        make_therapist(locations=[cast.alpha_main], last_verified=datetime.date(2020, 1, 1))
    client.force_login(cast.alice)
    client.get(reverse("admin:index"))  # the session and permissions, once

    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:index"))

    assert response.status_code == 200


# Consult requests in the admin.


def test_the_request_list_links_phone_and_email_and_marks_the_overdue_in_words(client, cast):
    aged(make_consult_request(cast.alpha, name="Olga Overdue", phone="+12045550123"), days_ago(8))
    client.force_login(cast.alice)

    html = client.get(reverse("admin:therapists_consultrequest_changelist")).content.decode()

    assert 'href="tel:+12045550123"' in html
    assert 'href="mailto:' in html
    assert "Overdue" in html


def test_the_request_page_links_the_patients_phone(client, cast):
    consult = make_consult_request(cast.alpha, phone="+12045550123")
    client.force_login(cast.alice)

    html = client.get(reverse("admin:therapists_consultrequest_change", args=[consult.pk])).content.decode()

    assert 'href="tel:+12045550123"' in html


def test_the_overdue_filter_lists_only_overdue_requests(client, cast):
    aged(make_consult_request(cast.alpha, name="Olga Overdue"), days_ago(8))
    make_consult_request(cast.alpha, name="Nina New")
    client.force_login(cast.alice)

    html = client.get(reverse("admin:therapists_consultrequest_changelist") + "?overdue=1").content.decode()

    assert "Olga Overdue" in html
    assert "Nina New" not in html


def test_marking_a_request_contacted_records_who_and_when(client, cast):
    consult = make_consult_request(cast.alpha)
    client.force_login(cast.alice)

    client.post(
        reverse("admin:therapists_consultrequest_changelist"),
        {"action": "mark_contacted", "_selected_action": [consult.pk]},
    )

    consult.refresh_from_db()
    assert consult.status == ConsultStatus.CONTACTED
    assert consult.status_changed_by == cast.alice
    assert consult.status_changed_at is not None


def test_changing_the_status_on_the_request_page_records_who_and_when(client, cast):
    consult = make_consult_request(cast.alpha)
    client.force_login(cast.alice)

    client.post(
        reverse("admin:therapists_consultrequest_change", args=[consult.pk]),
        {"status": ConsultStatus.BOOKED, "clinic_notes": "Booked for Tuesday"},
    )

    consult.refresh_from_db()
    assert (consult.status, consult.status_changed_by) == (ConsultStatus.BOOKED, cast.alice)


def export_requests(client, **extra):
    url = reverse("admin:therapists_consultrequest_export")
    columns = client.get(url).context["form"].fields
    data = {
        "format": "0",
        "resource": "0",
        **{n: "on" for n in columns if n.startswith("consultrequestresource")},
    }
    return client.post(url, {**data, **extra})


def test_a_manager_exports_only_their_clinics_requests(client, cast):
    make_consult_request(cast.alpha, name="Alma Alpha")
    bravo_request = make_consult_request(cast.bravo, name="Bianca Bravo")
    client.force_login(cast.alice)

    response = export_requests(client, export_items=[bravo_request.pk])
    everything = export_requests(client)

    assert "Bianca" not in response.content.decode()
    assert "Alma Alpha" in everything.content.decode()
    assert "Bianca" not in everything.content.decode()


def test_the_request_export_cannot_run_formulas_in_a_spreadsheet(client, cast):
    make_consult_request(cast.alpha, name='=HYPERLINK("http://evil.example")', message="+1+1")
    client.force_login(cast.alice)

    csv = export_requests(client).content.decode()

    assert "'=HYPERLINK" in csv
    assert "'+1+1" in csv


# Confirming listings.


def test_the_bulk_action_confirms_listings_as_of_today(client, cast):
    Therapist.objects.filter(pk=cast.amy.pk).update(last_verified=datetime.date(2020, 1, 1))
    client.force_login(cast.alice)

    client.post(
        reverse("admin:therapists_therapist_changelist"),
        {"action": "mark_verified_today", "_selected_action": [cast.amy.pk, cast.ben.pk]},
    )

    cast.amy.refresh_from_db()
    cast.ben.refresh_from_db()
    assert cast.amy.last_verified == timezone.localdate()
    assert cast.ben.last_verified is None  # another clinic's


def test_an_ordinary_edit_is_not_a_confirmation(cast):
    Therapist.objects.filter(pk=cast.amy.pk).update(last_verified=datetime.date(2025, 1, 1))
    cast.amy.refresh_from_db()

    cast.amy.bio = "Fixed a typo."
    cast.amy.save()

    cast.amy.refresh_from_db()
    assert cast.amy.last_verified == datetime.date(2025, 1, 1)


def test_the_therapist_list_edits_new_patients_and_the_confirmation_date_in_place(client, cast):
    client.force_login(cast.alice)

    html = client.get(reverse("admin:therapists_therapist_changelist")).content.decode()

    assert 'name="form-0-new_patients"' in html
    assert 'name="form-0-last_verified"' in html


# Staleness.


def test_a_stale_listing_leaves_search_and_comes_back_when_confirmed(settings, cast):
    settings.LISTING_STALE_AFTER_DAYS = 365
    Therapist.objects.filter(pk=cast.amy.pk).update(
        last_verified=timezone.localdate() - datetime.timedelta(days=400)
    )

    stale = [r.therapist.pk for r in find_therapists(None).results]
    Therapist.objects.filter(pk=cast.amy.pk).update(last_verified=timezone.localdate())
    confirmed = [r.therapist.pk for r in find_therapists(None).results]

    assert cast.amy.pk not in stale
    assert cast.amy.pk in confirmed


def test_a_never_confirmed_listing_counts_from_its_creation(settings, cast):
    Therapist.objects.filter(pk=cast.amy.pk).update(created_at=timezone.now() - datetime.timedelta(days=400))

    assert cast.amy not in Therapist.objects.findable()
    assert cast.ben in Therapist.objects.findable()


def test_a_stale_profile_stays_and_says_it_may_be_out_of_date(client, cast):
    Therapist.objects.filter(pk=cast.amy.pk).update(last_verified=datetime.date(2020, 3, 1))

    response = client.get(cast.amy.get_absolute_url())

    assert response.status_code == 200
    assert "may be out of date" in response.content.decode()
    assert "March 2020" in response.content.decode()


# Reminders.


def test_the_reminder_emails_each_clinics_managers_once_a_month(cast):
    Therapist.objects.update(last_verified=datetime.date(2020, 1, 1))

    call_command("remind_unconfirmed_listings")
    call_command("remind_unconfirmed_listings")

    assert sorted(message.to[0] for message in mail.outbox) == ["alice@example.com", "bruno@example.com"]
    assert ConfirmationReminder.objects.count() == 2
    alice_mail = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    assert "?confirm=due" in alice_mail.body
    assert "Bravo" not in alice_mail.body


def test_the_reminders_dry_run_sends_and_records_nothing(cast):
    Therapist.objects.update(last_verified=datetime.date(2020, 1, 1))

    call_command("remind_unconfirmed_listings", "--dry-run")

    assert mail.outbox == []
    assert not ConfirmationReminder.objects.exists()


def test_no_reminder_when_every_listing_is_confirmed(cast):
    Therapist.objects.update(last_verified=timezone.localdate())

    call_command("remind_unconfirmed_listings")

    assert mail.outbox == []


# CSV exports people can read.


def test_the_therapist_export_names_locations_and_languages_and_imports_back(cast):
    cast.amy.languages.set(Language.objects.filter(code__in=["en", "fr"]))
    resource = TherapistResource(clinics=Clinic.objects.filter(pk=cast.alpha.pk))

    exported = resource.export()
    row = exported.dict[0]
    importer = TherapistResource(clinics=Clinic.objects.filter(pk=cast.alpha.pk))
    result = importer.import_data(exported, dry_run=True)

    assert row["locations"] == "Alpha Physio: " + f"{cast.alpha_main.street}, Winnipeg"
    assert row["languages"] == "English, French"
    assert not result.has_errors() and not result.has_validation_errors()


def test_the_import_refuses_another_clinics_location_by_name(cast):
    widget = TherapistResource(clinics=Clinic.objects.filter(pk=cast.alpha.pk)).fields["locations"].widget

    with pytest.raises(ValueError, match="Unknown location"):
        widget.clean(f"Bravo Massage: {cast.bravo_main.street}, Toronto")
