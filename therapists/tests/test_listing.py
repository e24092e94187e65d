"""What a listing holds beyond the address: fees, insurers and programmes, the
new-patient state, a booking link, gender and pronouns; on cards, profiles, the
admin, CSV and the API."""

import datetime
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.urls import reverse

from therapists import fees, search
from therapists.models import Fee, NewPatients, Payer, Therapist
from therapists.resources import TherapistResource
from therapists.tests.factories import (
    make_clinic,
    make_fee,
    make_location,
    make_manager,
    make_place,
    make_therapist,
)

pytestmark = pytest.mark.django_db

TORONTO = (43.70011, -79.4163)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def toronto():
    return make_place("Toronto", "ON", TORONTO, population=2_800_000)


def at_toronto(clinic=None, **fields):
    return make_location(clinic, city="Toronto", province="ON", postal_code="M5V 2T6", at=TORONTO, **fields)


def found(query: str) -> list[str]:
    return [result.therapist.slug for result in search.find_therapists(QueryDict(query)).results]


# Fees


def test_a_card_shows_the_cheapest_hour_and_the_profile_the_whole_price_list(client, toronto):
    clinic = make_clinic("Queen West Massage")
    make_fee(clinic, "65", minutes=30)
    make_fee(clinic, "95", minutes=60)
    make_fee(clinic, "130", minutes=90, taxable=True)
    therapist = make_therapist(slug="mia-chen", locations=[at_toronto(clinic)])

    page = client.get("/search/", {"where": "Toronto"}).content.decode()
    profile = client.get(therapist.get_absolute_url()).content.decode()

    assert "60 min from $95" in page
    assert "Fees at Queen West Massage" in profile
    for text in ("30 min", "$65", "$95", "90 min", "$130 + tax"):
        assert text in profile, text


def test_a_therapists_own_price_replaces_the_clinics_for_the_same_visit():
    clinic = make_clinic()
    senior = make_therapist(locations=[make_location(clinic)])
    colleague = make_therapist(locations=senior.locations.all())
    make_fee(clinic, "95")
    make_fee(clinic, "120", therapist=senior)

    lists = fees.fees_for([(senior, clinic.pk), (colleague, clinic.pk)])

    assert [fee.price for fee in lists[senior.pk, clinic.pk]] == [Decimal("120")]
    assert [fee.price for fee in lists[colleague.pk, clinic.pk]] == [Decimal("95")]


def test_a_chiropractor_at_a_clinic_that_also_gives_massage_is_not_priced_as_a_massage(client, toronto):
    clinic = make_clinic("Everything Clinic")
    make_fee(clinic, "60", minutes=60, kind="massage")
    make_fee(clinic, "130", minutes=60, kind="assessment")
    make_fee(clinic, "55", minutes=15, kind="adjustment")
    chiropractor = make_therapist(slug="chiro", discipline="chiropractic", locations=[at_toronto(clinic)])
    rmt = make_therapist(slug="rmt", discipline="massage", locations=chiropractor.locations.all())

    [chiro_result, rmt_result] = sorted(
        search.find_therapists(QueryDict("where=Toronto")).results, key=lambda result: result.therapist.slug
    )

    assert [fee.kind for fee in chiro_result.fees] == ["adjustment", "assessment"]
    assert chiro_result.fee_line == "60 min from $130"
    assert [fee.kind for fee in rmt_result.fees] == ["massage", "assessment"]
    assert rmt_result.fee_line == "60 min from $60"
    assert set(found("where=Toronto&max_price=80")) == {chiropractor.slug, rmt.slug}
    assert found("where=Toronto&max_price=58") == [chiropractor.slug]
    assert found("where=Toronto&max_price=50") == []


@pytest.mark.parametrize(
    "prices, line",
    [
        ([(30, "65"), (60, "95.50")], "60 min from $95.50"),
        ([(30, "65"), (45, "80")], "30 min from $65"),
        ([(60, "1200")], "60 min from $1,200"),
    ],
)
def test_the_fee_line_names_an_hour_when_there_is_one(prices, line):
    clinic = make_clinic()
    listed = [make_fee(clinic, price, minutes=minutes) for minutes, price in prices]

    assert fees.fee_line(fees.headline(listed)) == line


def test_a_clinic_without_fees_says_to_ask(client):
    therapist = make_therapist()

    profile = client.get(therapist.get_absolute_url()).content.decode()

    assert "has not listed its fees yet" in profile


def test_max_price_keeps_therapists_with_a_fee_at_most_that_much(toronto):
    cheap_clinic, dear_clinic = make_clinic(), make_clinic()
    make_fee(cheap_clinic, "90")
    make_fee(dear_clinic, "150")
    cheap = make_therapist(slug="cheap", locations=[at_toronto(cheap_clinic)])
    dear = make_therapist(slug="dear", locations=[at_toronto(dear_clinic)])
    own_price = make_therapist(slug="own-price", locations=dear.locations.all())
    make_fee(dear_clinic, "110", therapist=own_price)
    make_therapist(slug="no-fees", locations=[at_toronto()])

    assert set(found("where=Toronto&max_price=120")) == {cheap.slug, own_price.slug}
    assert set(found("where=Toronto&max_price=90")) == {cheap.slug}
    assert set(found("where=Toronto&max_price=89.99")) == set()


# Insurers and programmes


def test_insurer_keeps_the_clinics_that_bill_it_directly_or_accept_the_programme(toronto):
    manulife = make_therapist(slug="manulife", locations=[at_toronto(make_clinic(payers=["manulife"]))])
    sun_life = make_therapist(slug="sun-life", locations=[at_toronto(make_clinic(payers=["sun-life"]))])
    wsib = make_therapist(slug="wsib", locations=[at_toronto(make_clinic(payers=["wsib"]))])
    make_therapist(slug="no-payers", locations=[at_toronto()])

    assert found("where=Toronto&insurer=manulife") == [manulife.slug]
    assert set(found("where=Toronto&insurer=manulife&insurer=sun-life")) == {manulife.slug, sun_life.slug}
    assert found("where=Toronto&insurer=wsib") == [wsib.slug]
    # Direct billing means at least one insurer; a programme alone is not direct billing.
    assert set(found("where=Toronto&direct_billing=1")) == {manulife.slug, sun_life.slug}


def test_a_therapist_is_found_at_the_location_whose_clinic_bills_the_insurer(toronto):
    near_plain = at_toronto(make_clinic("Plain Clinic"))
    farther_billing = make_location(
        make_clinic("Billing Clinic", payers=["green-shield"]), at=(43.75, -79.4163), city="Toronto"
    )
    therapist = make_therapist(locations=[near_plain, farther_billing])

    [result] = search.find_therapists(QueryDict("where=Toronto&insurer=green-shield")).results

    assert (result.therapist, result.location) == (therapist, farther_billing)
    assert [payer.name for payer in result.insurers] == ["Green Shield"]


def test_a_card_lists_a_few_insurers_then_how_many_more_and_the_programmes(client, toronto):
    clinic = make_clinic(payers=["beneva", "canada-life", "desjardins", "manulife", "sun-life", "wsib"])
    make_therapist(locations=[at_toronto(clinic)])

    page = client.get("/search/", {"where": "Toronto"}).content.decode()

    assert "Beneva, Canada Life, Desjardins +2" in page
    assert "WSIB" in page


def test_chips_name_each_new_filter_and_clear_every_filter_removes_them(toronto):
    query = "where=Toronto&insurer=manulife&insurer=wsib&gender=woman&max_price=120"

    results = search.find_therapists(QueryDict(query))

    assert [chip.label for chip in results.chips] == [
        "Gender: Woman",
        "Up to $120",
        "Bills Manulife directly",
        "Accepts WSIB",
    ]
    assert results.clear_filters_url == "?where=Toronto"


# New patients, gender, pronouns, booking


@pytest.mark.parametrize(
    "state, text",
    [
        (NewPatients.ACCEPTING, "Accepting new patients"),
        (NewPatients.WAITLIST, "Waitlist for new patients"),
        (NewPatients.EXISTING, "Existing patients only"),
        (NewPatients.NOT_ACCEPTING, "Not accepting new patients"),
    ],
)
def test_cards_and_profiles_say_the_new_patient_state_plainly(client, toronto, state, text):
    therapist = make_therapist(
        locations=[at_toronto()], new_patients=state, new_patients_as_of=datetime.date(2026, 11, 2)
    )

    page = client.get("/search/", {"where": "Toronto"}).content.decode()
    profile = client.get(therapist.get_absolute_url()).content.decode()

    assert text in page
    assert text in profile
    assert "as of November 2, 2026" in profile


def test_new_patients_keeps_meaning_accepting_not_a_waitlist(toronto):
    accepting = make_therapist(locations=[at_toronto()], new_patients=NewPatients.ACCEPTING)
    for state in (NewPatients.WAITLIST, NewPatients.EXISTING, NewPatients.NOT_ACCEPTING):
        make_therapist(locations=[at_toronto()], new_patients=state)

    assert found("where=Toronto&new_patients=1") == [accepting.slug]


def test_gender_filters_alone_and_several_at_once(toronto):
    woman = make_therapist(slug="woman", gender="woman", locations=[at_toronto()])
    man = make_therapist(slug="man", gender="man", locations=[at_toronto()])
    make_therapist(slug="unsaid", gender="", locations=[at_toronto()])

    assert found("where=Toronto&gender=woman") == [woman.slug]
    assert set(found("where=Toronto&gender=woman&gender=man")) == {woman.slug, man.slug}


def test_gender_is_never_shown_but_pronouns_are(client, toronto):
    therapist = make_therapist(gender="non-binary", pronouns="they/them", locations=[at_toronto()])

    page = client.get("/search/", {"where": "Toronto"}).content.decode()
    profile = client.get(therapist.get_absolute_url()).content.decode()
    api = client.get(f"/api/v1/therapists/{therapist.slug}").json()

    assert "they/them" in page and "they/them" in profile
    assert "Non-binary" not in page.split('class="results"')[1]
    assert "gender" not in api and api["pronouns"] == "they/them"


def test_book_online_is_the_first_action_when_there_is_a_link(client, toronto):
    booked = make_therapist(
        first_name="Bo", booking_url="https://queen-west.example/book/bo", locations=[at_toronto()]
    )

    page = client.get("/search/", {"where": "Toronto"}).content.decode()
    profile = client.get(booked.get_absolute_url()).content.decode()

    for html in (page, profile):
        actions = html.split('class="button primary"')[1]
        assert actions.startswith(' href="https://queen-west.example/book/bo"')
        assert "Request a call back" in html


def test_without_a_link_request_a_call_back_is_the_first_action(client, toronto):
    make_therapist(locations=[at_toronto()])

    page = client.get("/search/", {"where": "Toronto"}).content.decode()

    assert "Book online" not in page
    assert "Request a call back" in page.split('class="button primary"')[1][:300]


def test_areas_of_focus_is_the_word_patients_see_not_specialist(client, toronto):
    therapist = make_therapist(locations=[at_toronto()])

    page = client.get("/search/", {"where": "Toronto"}).content.decode()
    profile = client.get(therapist.get_absolute_url()).content.decode()

    for html in (page, profile):
        assert "Areas of focus" in html
        assert "Specialt" not in html and "specialist" not in html.lower()


# Together, in the page and the API (the example)


def test_toronto_manulife_women_up_to_120_in_the_page_and_the_api(client, toronto):
    billing = make_clinic("Billing Physio", payers=["manulife", "wsib"])
    make_fee(billing, "100")
    match = make_therapist(slug="match", gender="woman", locations=[at_toronto(billing)])
    make_therapist(slug="a-man", gender="man", locations=[at_toronto(billing)])
    dear = make_clinic(payers=["manulife"])
    make_fee(dear, "140")
    make_therapist(slug="too-dear", gender="woman", locations=[at_toronto(dear)])
    cheap_no_insurer = make_clinic()
    make_fee(cheap_no_insurer, "80")
    make_therapist(slug="no-manulife", gender="woman", locations=[at_toronto(cheap_no_insurer)])
    query = {"where": "Toronto", "insurer": "manulife", "gender": "woman", "max_price": "120"}

    page = client.get("/search/", query)
    api = client.get("/api/v1/search", query).json()

    assert [r.therapist.slug for r in page.context["results"].results] == [match.slug]
    [result] = api["results"]
    assert result["therapist"]["slug"] == match.slug
    assert result["fee_line"] == "60 min from $100"
    assert result["fees"] == [
        {"kind": "massage", "service": "Massage", "minutes": 60, "price": "100.00", "taxable": False}
    ]
    assert [payer["slug"] for payer in result["location"]["clinic"]["payers"]] == ["manulife", "wsib"]
    assert result["location"]["clinic"]["direct_billing"] is True
    assert result["therapist"]["new_patients"] == "accepting"


def test_the_api_refuses_what_it_cannot_read(client, toronto):
    for query in ({"insurer": "nope"}, {"gender": "alien"}, {"max_price": "cheap"}, {"max_price": "0"}):
        response = client.get("/api/v1/search", {"where": "Toronto", **query})

        assert response.status_code == 400, query
        assert response["Content-Type"] == "application/problem+json"


def test_a_therapist_profile_in_the_api_has_price_lists_per_clinic(client):
    clinic = make_clinic(payers=["manulife"])
    make_fee(clinic, "95")
    therapist = make_therapist(locations=[make_location(clinic)], booking_url="https://c.example/book")

    data = client.get(f"/api/v1/therapists/{therapist.slug}").json()

    assert data["booking_url"] == "https://c.example/book"
    assert data["price_lists"] == [
        {
            "clinic": clinic.slug,
            "fees": [
                {"kind": "massage", "service": "Massage", "minutes": 60, "price": "95.00", "taxable": False}
            ],
        }
    ]


def test_a_page_of_cards_costs_the_same_queries_however_many_fees_and_insurers(client, toronto):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get("/search/", {"where": "Toronto"})
        return len(captured)

    def add_listings(count: int, payers: list[str], prices: list[str]) -> None:
        for _ in range(count):
            clinic = make_clinic(payers=payers)
            for minutes, price in zip((60, 30, 90), prices, strict=False):
                make_fee(clinic, price, minutes=minutes)
            make_therapist(locations=[at_toronto(clinic)], booking_url="https://c.example/book")

    add_listings(21, ["manulife"], ["95"])
    queries()  # the process reads its reference data once (therapists.catalogue)
    few = queries()
    add_listings(30, ["manulife", "sun-life", "wsib", "icbc"], ["95", "60", "130"])

    assert queries() == few


# The admin: a manager keeps fees and insurers, and the site shows them at once


def admin_form_data(response) -> dict:
    """The POST data of an admin change form as rendered, inlines included."""
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [getattr(item, "pk", item) for item in value]
            else:
                data[bound.html_name] = getattr(value, "pk", value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def test_a_manager_sets_fees_and_insurers_and_sees_them_on_the_site(client, toronto):
    clinic = make_clinic("Alpha Physio")
    therapist = make_therapist(first_name="Ann", locations=[at_toronto(clinic)])
    client.force_login(make_manager("alice", clinic))
    change = reverse("admin:therapists_clinic_change", args=[clinic.pk])
    data = admin_form_data(client.get(change))
    data["payers"] = [Payer.objects.get(slug="manulife").pk, Payer.objects.get(slug="wsib").pk]
    data.update(
        {
            "fees-TOTAL_FORMS": "2",
            "fees-0-kind": "assessment",
            "fees-0-minutes": "60",
            "fees-0-price": "110",
            "fees-1-kind": "follow-up",
            "fees-1-minutes": "30",
            "fees-1-price": "85",
            "fees-1-therapist": therapist.pk,
        }
    )

    response = client.post(change, data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    page = client.get("/search/", {"where": "Toronto"}).content.decode()
    assert "60 min from $110" in page
    assert "Manulife" in page and "WSIB" in page
    assert Fee.objects.get(kind="follow-up").therapist == therapist


def test_a_manager_picks_fees_only_for_their_own_therapists(client):
    alpha, bravo = make_clinic("Alpha"), make_clinic("Bravo")
    make_therapist(locations=[make_location(alpha)])
    outsider = make_therapist(locations=[make_location(bravo)])
    client.force_login(make_manager("alice", alpha))
    change = reverse("admin:therapists_clinic_change", args=[alpha.pk])
    data = admin_form_data(client.get(change))
    data.update(
        {
            "fees-TOTAL_FORMS": "1",
            "fees-0-kind": "massage",
            "fees-0-minutes": "60",
            "fees-0-price": "95",
            "fees-0-therapist": outsider.pk,
        }
    )

    response = client.post(change, data)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Fee.objects.exists()


@pytest.mark.parametrize("price, minutes", [("-1", "60"), ("95", "0"), ("abc", "60"), ("99999999", "60")])
def test_the_admin_refuses_a_nonsense_fee(client, price, minutes):
    clinic = make_clinic()
    make_location(clinic)
    client.force_login(make_manager("alice", clinic))
    change = reverse("admin:therapists_clinic_change", args=[clinic.pk])
    data = admin_form_data(client.get(change))
    data.update(
        {"fees-TOTAL_FORMS": "1", "fees-0-kind": "massage", "fees-0-minutes": minutes, "fees-0-price": price}
    )

    response = client.post(change, data)

    assert response.status_code == 200
    assert not Fee.objects.exists()


# CSV


def test_the_csv_round_trip_keeps_every_new_field():
    clinic = make_clinic()
    therapist = make_therapist(
        locations=[make_location(clinic)],
        pronouns="she/her",
        new_patients=NewPatients.WAITLIST,
        new_patients_as_of=datetime.date(2026, 11, 2),
        booking_url="https://c.example/book/ann",
        gender="woman",
    )
    resource = TherapistResource()
    dataset = resource.export()
    assert {"pronouns", "new_patients", "new_patients_as_of", "booking_url"} <= set(dataset.headers)
    Therapist.objects.filter(pk=therapist.pk).update(
        pronouns="", new_patients=NewPatients.ACCEPTING, new_patients_as_of=None, booking_url=""
    )

    result = resource.import_data(dataset, raise_errors=True)

    assert not result.has_validation_errors()
    therapist.refresh_from_db()
    assert (
        therapist.pronouns,
        therapist.new_patients,
        therapist.new_patients_as_of,
        therapist.booking_url,
    ) == ("she/her", NewPatients.WAITLIST, datetime.date(2026, 11, 2), "https://c.example/book/ann")


def test_a_csv_with_an_unknown_new_patient_state_is_refused_with_a_message():
    therapist = make_therapist()
    resource = TherapistResource()
    dataset = resource.export()
    dataset.dict = [{**row, "new_patients": "maybe"} for row in dataset.dict]

    result = resource.import_data(dataset)

    assert result.has_validation_errors()
    therapist.refresh_from_db()
    assert therapist.new_patients == NewPatients.ACCEPTING
