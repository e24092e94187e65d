"""CSV import and export carry a location's weekly hours and temporary closure."""

import datetime

import pytest
from django.urls import reverse

from therapists import hours
from therapists.models import OpeningHours
from therapists.tests.test_import_export import (  # noqa: F401
    alice,
    alpha,
    alpha_main,
    confirm,
    preview,
    quick_and_offline,
    row_errors,
)

# ruff: noqa: F811  (test_import_export's fixtures, imported, are parameters here)

pytestmark = pytest.mark.django_db
T = datetime.time
HEADER = (
    "clinic,name,street,city,province,postal_code,latitude,longitude,wheelchair_accessible,"
    "hours,closed_until\n"
)


def export_locations(client) -> str:
    columns = client.get(reverse("admin:therapists_location_export")).context["form"].fields
    return client.post(
        reverse("admin:therapists_location_export"),
        {"format": "0", "resource": "0", **{name: "on" for name in columns if name.startswith("location")}},
    ).content.decode()


def test_a_location_file_sets_the_weekly_hours_and_a_temporary_closure(client, alice, alpha, alpha_main):
    OpeningHours.objects.create(location=alpha_main, weekday=6, opens=T(9), closes=T(10))
    csv = HEADER + (
        "alpha-physio,Alpha Main,111 Alpha Street,Winnipeg,MB,R3C 4T3,49.9,-97.2,1,"
        '"Mon 09:00-12:00, 13:00-20:00; sat 10:00-14:00",2027-01-06\n'
    )

    confirm(client, "location", preview(client, "location", csv))

    assert sorted(alpha_main.opening_hours.values_list("weekday", "opens", "closes")) == [
        (0, T(9), T(12)),
        (0, T(13), T(20)),
        (5, T(10), T(14)),
    ]
    alpha_main.refresh_from_db()
    assert alpha_main.closed_until == datetime.date(2027, 1, 6)


@pytest.mark.parametrize(
    "cell, message",
    [
        ("Funday 09:00-17:00", "unknown day"),
        ("Mon 9-5pm", "9-5pm"),
        ("Mon 17:00-09:00", "closes before it opens"),
    ],
)
def test_hours_a_file_cannot_read_are_reported_on_their_row(client, alice, alpha, alpha_main, cell, message):
    csv = HEADER + f'alpha-physio,Alpha Main,111 Alpha Street,Winnipeg,MB,R3C 4T3,49.9,-97.2,1,"{cell}",\n'

    errors = row_errors(preview(client, "location", csv))

    assert message in errors[1]
    assert not alpha_main.opening_hours.exists()


def test_exported_hours_round_trip_through_the_import_unchanged(client, alice, alpha_main):
    OpeningHours.objects.create(location=alpha_main, weekday=1, opens=T(9), closes=T(17))
    OpeningHours.objects.create(location=alpha_main, weekday=5, opens=T(10), closes=T(14))

    exported = export_locations(client)
    response = preview(client, "location", exported)

    assert "Tue 09:00-17:00; Sat 10:00-14:00" in exported
    assert [row.import_type for row in response.context["result"].rows] == ["skip"]


def test_a_changed_hours_cell_alone_is_imported(client, alice, alpha_main):
    OpeningHours.objects.create(location=alpha_main, weekday=1, opens=T(9), closes=T(17))
    exported = export_locations(client).replace("Tue 09:00-17:00", "Tue 09:00-21:00")

    confirm(client, "location", preview(client, "location", exported))

    assert hours.format_week(alpha_main.opening_hours.all()) == "Tue 09:00-21:00"
