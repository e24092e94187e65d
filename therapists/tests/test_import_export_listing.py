"""CSV round trip of what a listing holds: tags, booking links per location, new-patient
state and date, gender and pronouns; a clinic's payers and price list (photos are uploaded
in the admin, not in a file)."""

import datetime

import pytest

from therapists.models import BookingLink, Payer, Therapist
from therapists.tests.factories import make_clinic, make_fee, make_location, make_manager, make_therapist
from therapists.tests.test_import_export import confirm, export_csv, preview, row_errors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_and_offline(settings):
    settings.GEOCODING_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alpha():
    return make_clinic("Alpha Physio", slug="alpha-physio")


@pytest.fixture
def alice(client, alpha):
    user = make_manager("alice", alpha)
    client.force_login(user)
    return user


@pytest.fixture
def places(alpha):
    return make_location(alpha, name="Alpha Main"), make_location(alpha, name="Alpha West")


def fee_rows(clinic) -> list[tuple]:
    return sorted(
        (fee.kind, fee.minutes, f"{fee.price:.2f}", fee.taxable, fee.therapist_id, fee.description)
        for fee in clinic.fees.all()
    )


def listing(therapist) -> dict:
    therapist = Therapist.objects.get(pk=therapist.pk)
    return {
        "tags": sorted(therapist.tags.values_list("slug", flat=True)),
        "links": sorted(therapist.booking_links.values_list("location_id", "url")),
        "state": (therapist.new_patients, therapist.new_patients_as_of),
        "who": (therapist.gender, therapist.pronouns),
        "booking_url": therapist.booking_url,
    }


def test_every_listing_field_round_trips_through_an_export_and_its_import(client, alice, places):
    main, west = places
    ann = make_therapist(
        slug="ann-alphason",
        locations=[main, west],
        tags=["trauma-informed", "lgbtq2s-affirming"],
        gender="non-binary",
        pronouns="they/them",
        new_patients="waitlist",
        new_patients_as_of=datetime.date(2026, 11, 2),
        booking_url="https://alpha.example/book/ann",
    )
    BookingLink.objects.create(therapist=ann, location=west, url="https://west.example/ann?x=1&y=2")
    before = listing(ann)
    exported = export_csv(client)
    assert "trauma-informed" in exported and f"{west.pk}=https://west.example/ann?x=1&y=2" in exported
    ann.tags.clear()
    ann.booking_links.all().delete()
    Therapist.objects.filter(pk=ann.pk).update(
        gender="", pronouns="", new_patients="accepting", new_patients_as_of=None, booking_url=""
    )

    response = preview(client, "therapist", exported)
    assert row_errors(response) == {}
    confirm(client, "therapist", response)

    assert listing(ann) == before


def test_booking_links_name_only_the_managers_own_locations_and_real_links(client, alice, places):
    main, west = places
    make_therapist(slug="ann-alphason", locations=[main])
    elsewhere = make_location(make_clinic("Bravo"), name="Bravo Yonge")
    header = "slug,first_name,last_name,discipline,locations,booking_links,tags\n"
    csv = header + (
        f"ann-alphason,Ann,A,massage,{main.pk},{elsewhere.pk}=https://b.example/x,\n"
        f"bob-b,Bob,B,massage,{main.pk},{main.pk}=javascript:alert(1),\n"
        f"cy-c,Cy,C,massage,{main.pk},,reiki-vibes\n"
    )

    errors = row_errors(preview(client, "therapist", csv))

    assert "not one of your location ids" in errors[1]
    assert "not a web address" in errors[2]
    assert "tag" in errors[3]
    assert not BookingLink.objects.exists()


def test_the_export_lists_the_photo_columns_nowhere(client, alice, places):
    make_therapist(slug="ann-alphason", locations=[places[0]], photo="photos/headshots/x-320.jpg")

    header = export_csv(client).splitlines()[0]

    assert "photo" not in header


# A clinic's payers and price list.


def test_a_clinics_payers_and_fees_round_trip_through_an_export_and_its_import(client, alice, alpha, places):
    ann = make_therapist(slug="ann-alphason", locations=[places[0]])
    alpha.payers.set(Payer.objects.filter(slug__in=["manulife", "wsib"]))
    make_fee(alpha, "95")
    make_fee(alpha, "110.50", minutes=45, kind="assessment", taxable=True)
    make_fee(alpha, "140", minutes=90, therapist=ann, description="hot stone")
    before = (sorted(alpha.payers.values_list("slug", flat=True)), fee_rows(alpha))
    exported = export_csv(client, "clinic")
    assert "massage 90 min $140.00 for ann-alphason: hot stone" in exported
    assert "assessment 45 min $110.50 + tax" in exported
    alpha.payers.clear()
    alpha.fees.all().delete()

    response = preview(client, "clinic", exported)
    assert row_errors(response) == {}
    confirm(client, "clinic", response)

    assert (sorted(alpha.payers.values_list("slug", flat=True)), fee_rows(alpha)) == before


def test_a_clinic_file_reports_bad_fees_and_payers_and_never_adds_a_clinic(client, alice, alpha, places):
    make_fee(alpha, "95")
    header = "slug,name,payers,fees\n"
    csv = header + (
        f"{alpha.slug},Alpha Physio,nope-insurer,massage 60 min $95\n"
        f"{alpha.slug},Alpha Physio,manulife,massage sixty min $95\n"
        f"{alpha.slug},Alpha Physio,,massage 60 min $95 for someone-else\n"
        "brand-new,New Clinic,,\n"
    )

    errors = row_errors(preview(client, "clinic", csv))

    assert "insurer or programme" in errors[1]
    assert "is not a fee line" in errors[2]
    assert "does not practise at this clinic" in errors[3]
    assert "clinic you manage" in errors[4]
    assert fee_rows(alpha) == [("massage", 60, "95.00", False, None, "")]
