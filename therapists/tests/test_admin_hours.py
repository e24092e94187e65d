"""The admin makes hours quick: a week in one screen, copy Monday to the weekdays, a
closure in two fields, a therapist's own days; each clinic sees only its own.

The cast and the form helpers are test_admin's (its fixtures, imported, are
parameters here, which ruff reads as redefinitions)."""
# ruff: noqa: F811

import datetime

import pytest

from therapists.models import Closure, OpeningHours, TherapistHours
from therapists.tests.test_admin import cast, fast_passwords, form_data, no_network_geocoding, url  # noqa: F401

pytestmark = pytest.mark.django_db
T = datetime.time


def test_a_location_without_hours_offers_monday_to_friday_in_one_screen(client, cast):
    client.force_login(cast.alice)

    response = client.get(url("location", "change", cast.alpha_main.pk))

    formset = next(
        i.formset for i in response.context["inline_admin_formsets"] if i.formset.prefix == "opening_hours"
    )
    assert [form["weekday"].value() for form in formset.forms] == [0, 1, 2, 3, 4]
    assert response.context["adminform"].form.instance.time_zone == "America/Winnipeg"


def test_saving_the_untouched_week_adds_no_hours(client, cast):
    client.force_login(cast.alice)
    data = form_data(client.get(url("location", "change", cast.alpha_main.pk)))

    response = client.post(url("location", "change", cast.alpha_main.pk), data)

    assert response.status_code == 302
    assert not cast.alpha_main.opening_hours.exists()


def test_copy_monday_gives_tuesday_to_friday_mondays_hours(client, cast):
    OpeningHours.objects.create(location=cast.alpha_main, weekday=0, opens=T(8), closes=T(12))
    OpeningHours.objects.create(location=cast.alpha_main, weekday=0, opens=T(13), closes=T(20))
    OpeningHours.objects.create(location=cast.alpha_main, weekday=3, opens=T(10), closes=T(11))
    OpeningHours.objects.create(location=cast.alpha_main, weekday=5, opens=T(10), closes=T(14))
    client.force_login(cast.alice)
    data = form_data(client.get(url("location", "change", cast.alpha_main.pk)))
    data["copy_monday"] = "on"

    response = client.post(url("location", "change", cast.alpha_main.pk), data)

    assert response.status_code == 302
    week = cast.alpha_main.opening_hours.values_list("weekday", "opens", "closes")
    assert sorted(week) == sorted(
        [(day, T(8), T(12)) for day in range(5)]
        + [(day, T(13), T(20)) for day in range(5)]
        + [(5, T(10), T(14))]
    )


def test_a_closure_is_two_dates_and_save(client, cast):
    client.force_login(cast.alice)
    data = form_data(client.get(url("location", "change", cast.alpha_main.pk)))
    data.update({"closures-0-first_day": "2026-12-24", "closures-0-last_day": "2027-01-02"})

    response = client.post(url("location", "change", cast.alpha_main.pk), data)

    assert response.status_code == 302
    closure = Closure.objects.get(location=cast.alpha_main)
    assert (closure.first_day, closure.last_day) == (datetime.date(2026, 12, 24), datetime.date(2027, 1, 2))


def test_a_closure_that_ends_before_it_starts_is_refused_with_a_message(client, cast):
    client.force_login(cast.alice)
    data = form_data(client.get(url("location", "change", cast.alpha_main.pk)))
    data.update({"closures-0-first_day": "2027-01-02", "closures-0-last_day": "2026-12-24"})

    response = client.post(url("location", "change", cast.alpha_main.pk), data)

    assert response.status_code == 200
    assert not Closure.objects.exists()


def test_a_manager_sets_a_shared_therapists_days_at_their_clinic_only(client, cast):
    at_bravo = TherapistHours.objects.create(
        therapist=cast.sam, location=cast.bravo_yonge, weekday=4, opens=T(9), closes=T(13)
    )
    client.force_login(cast.alice)
    page = client.get(url("therapist", "change", cast.sam.pk))
    data = form_data(page)
    data.update(
        {
            "working_hours-TOTAL_FORMS": "1",
            "working_hours-0-location": cast.alpha_main.pk,
            "working_hours-0-weekday": "1",
            "working_hours-0-opens": "17:00",
            "working_hours-0-closes": "21:00",
        }
    )

    response = client.post(url("therapist", "change", cast.sam.pk), data)

    assert "Bravo Yonge" not in page.content.decode()
    assert response.status_code == 302
    assert set(TherapistHours.objects.values_list("location", "weekday")) == {
        (cast.bravo_yonge.pk, 4),
        (cast.alpha_main.pk, 1),
    }
    assert TherapistHours.objects.get(pk=at_bravo.pk).closes == T(13)


def test_hours_and_dates_are_the_browsers_own_inputs_in_a_table_that_fits_a_phone(client, cast):
    OpeningHours.objects.create(location=cast.alpha_main, weekday=0, opens=T(8), closes=T(12, 30))
    client.force_login(cast.alice)

    page = client.get(url("location", "change", cast.alpha_main.pk)).content.decode()

    assert 'type="time" name="opening_hours-0-opens" value="08:00"' in page
    assert 'value="12:30"' in page
    assert 'type="date" name="closures-0-first_day"' in page
    assert "css/admin-hours.css" in page
    assert "Closures (closed for a range of days)" in page
