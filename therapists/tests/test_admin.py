"""The admin: the operator sees everything, each clinic manager only their own clinics.

The cast: Olivia runs the site; Alice manages clinic A (Alpha); Bruno manages
clinic B (Bravo). Sam practises at both clinics. Every test that tries Alice
against Bravo checks that no response shows Bravo's data and nothing of Bravo
changes.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from therapists import leads
from therapists.models import (
    Clinic,
    ConsultRequest,
    Language,
    Location,
    OpeningHours,
    Place,
    Specialty,
    Therapist,
)
from therapists.tests.factories import (
    make_clinic,
    make_consult_request,
    make_location,
    make_manager,
    make_place,
    make_therapist,
    make_user,
)

pytestmark = pytest.mark.django_db

# Everything that would tell Alice about clinic B: names, addresses, people.
BRAVO_SECRETS = [
    "Bravo Chiro",
    "bravo-chiro",
    "Bravo Yonge",
    "222 Bravo Avenue",
    "M5V 2T6",
    "Bravoman",
    "Bravopatient",
    "brenda@",
    "4165550142",
]


@pytest.fixture(autouse=True)
def no_network_geocoding(settings):
    settings.GEOCODING_ENABLED = False


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast():
    alpha = make_clinic("Alpha Physio", slug="alpha-physio", phone="204-555-0101")
    bravo = make_clinic("Bravo Chiro", slug="bravo-chiro", phone="416-555-0199")
    alpha_main = make_location(alpha, name="Alpha Main", street="111 Alpha Street")
    bravo_yonge = make_location(
        bravo,
        name="Bravo Yonge",
        street="222 Bravo Avenue",
        city="Toronto",
        province="ON",
        postal_code="M5V 2T6",
        at=(43.6426, -79.3871),
    )
    OpeningHours.objects.create(
        location=bravo_yonge, weekday=0, opens=datetime.time(9), closes=datetime.time(17)
    )
    bea = make_therapist(first_name="Bea", last_name="Bravoman", slug="bea-bravoman", locations=[bravo_yonge])
    return SimpleNamespace(
        bravo_request=make_consult_request(
            bravo, bea, name="Brenda Bravopatient", email="brenda@example.com", phone="+14165550142"
        ),
        alpha_request=make_consult_request(alpha, name="Arthur Alphapatient", email="arthur@example.com"),
        olivia=make_user("olivia", superuser=True),
        alice=make_manager("alice", alpha),
        bruno=make_manager("bruno", bravo),
        alpha=alpha,
        bravo=bravo,
        alpha_main=alpha_main,
        bravo_yonge=bravo_yonge,
        ann=make_therapist(
            first_name="Ann", last_name="Alphason", slug="ann-alphason", locations=[alpha_main]
        ),
        bea=bea,
        sam=make_therapist(
            first_name="Sam",
            last_name="Sharedford",
            slug="sam-sharedford",
            locations=[alpha_main, bravo_yonge],
        ),
    )


def assert_shows_nothing_of_bravo(response):
    content = b"".join(response) if response.streaming else response.content
    text = content.decode()
    for secret in BRAVO_SECRETS:
        assert secret not in text, f"{secret!r} leaked into {response.request['PATH_INFO']}"


def snapshot_of_bravo(cast):
    """Everything of clinic B that Alice must not be able to change."""
    return {
        "clinic": list(Clinic.objects.filter(pk=cast.bravo.pk).values()),
        "locations": list(Location.objects.filter(clinic=cast.bravo).values()),
        "hours": list(OpeningHours.objects.filter(location__clinic=cast.bravo).values()),
        "therapist": list(Therapist.objects.filter(pk=cast.bea.pk).values()),
        "links": sorted(
            Therapist.locations.through.objects.filter(location__clinic=cast.bravo).values_list()
        ),
        "managers": list(cast.bravo.managers.values_list("pk", flat=True)),
        "consult_requests": list(ConsultRequest.objects.filter(clinic=cast.bravo).values()),
    }


def url(model: str, kind: str, *args) -> str:
    return reverse(f"admin:therapists_{model}_{kind}", args=args)


def bravo_object(cast, model: str):
    return {
        "clinic": cast.bravo,
        "location": cast.bravo_yonge,
        "therapist": cast.bea,
        "consultrequest": cast.bravo_request,
    }[model]


def form_data(response) -> dict:
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
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


# Alice against clinic B: every model, every kind of admin URL.

SCOPED_MODELS = ["clinic", "location", "therapist", "consultrequest"]


@pytest.mark.parametrize("model", SCOPED_MODELS)
@pytest.mark.parametrize("kind", ["change", "delete", "history"])
def test_it_answers_a_manager_without_the_other_clinics_record_when_reached_by_id(client, cast, model, kind):
    client.force_login(cast.alice)
    before = snapshot_of_bravo(cast)

    response = client.get(url(model, kind, bravo_object(cast, model).pk), follow=True)

    # "Doesn't exist" (back to the index) or, where no such object could be theirs, 403.
    assert response.status_code == 403 or response.redirect_chain[0][0] == reverse("admin:index")
    assert_shows_nothing_of_bravo(response)
    assert snapshot_of_bravo(cast) == before


@pytest.mark.parametrize("model", SCOPED_MODELS)
@pytest.mark.parametrize("kind", ["change", "delete"])
def test_it_changes_nothing_of_the_other_clinic_when_a_manager_posts_to_its_records(
    client, cast, model, kind
):
    client.force_login(cast.alice)
    before = snapshot_of_bravo(cast)
    data = {"post": "yes", "name": "Taken over", "first_name": "Taken", "last_name": "Over"}

    response = client.post(url(model, kind, bravo_object(cast, model).pk), data, follow=True)

    assert_shows_nothing_of_bravo(response)
    assert snapshot_of_bravo(cast) == before


@pytest.mark.parametrize("model", SCOPED_MODELS)
@pytest.mark.parametrize(
    "query",
    ["", "?q=Bravo", "?q=222", "?q=Yonge", "?clinic={bravo}", "?o=1", "?_facets=True"],
)
def test_it_lists_only_the_managers_own_records(client, cast, model, query):
    client.force_login(cast.alice)

    response = client.get(url(model, "changelist") + query.format(bravo=cast.bravo.pk), follow=True)

    # The clinic list has no clinic filter: asking for one is a bad request.
    assert response.status_code == (400 if (model, query) == ("clinic", "?clinic={bravo}") else 200)
    assert_shows_nothing_of_bravo(response)


@pytest.mark.parametrize("model", SCOPED_MODELS)
def test_it_offers_a_manager_only_their_own_clinics_in_the_clinic_filter(client, cast, model):
    client.force_login(cast.alice)

    response = client.get(url(model, "changelist"))

    text = response.content.decode()
    if model != "clinic":
        assert f"?clinic={cast.alpha.pk}" in text
    assert f"?clinic={cast.bravo.pk}" not in text


@pytest.mark.parametrize("lookup", ["locations", "locations__id__exact", "locations__clinic"])
def test_it_refuses_hand_written_filters_through_another_clinics_locations(client, cast, lookup):
    client.force_login(cast.alice)

    response = client.get(url("therapist", "changelist"), {lookup: cast.bravo_yonge.pk})

    assert response.status_code == 400


FOREIGN_LOOKUPS = [
    ("therapist", "consult_requests__id__exact"),
    ("therapist", "consult_requests__id__in"),
    ("therapist", "consult_requests__isnull"),
    ("therapist", "consult_requests__id__gte"),
    ("location", "therapists__consult_requests__id__exact"),
    ("location", "clinic__consult_requests__id__exact"),
    ("location", "clinic__name__startswith"),
    ("consultrequest", "therapist__locations__id__exact"),
    ("consultrequest", "email__startswith"),
    ("clinic", "consult_requests__id__exact"),
]


@pytest.mark.parametrize(
    "kind, model, lookup",
    [("changelist", *case) for case in FOREIGN_LOOKUPS]
    + [("export", *case) for case in FOREIGN_LOOKUPS if case[0] in ("location", "therapist")],
)
def test_it_refuses_a_manager_any_filter_the_admin_does_not_offer(client, cast, kind, model, lookup):
    client.force_login(cast.alice)

    response = client.get(url(model, kind), {lookup: cast.bravo_request.pk})

    assert response.status_code == 400


@pytest.mark.parametrize(
    "model, query",
    [
        ("therapist", {"discipline__id__exact": "1", "is_published__exact": "1", "gender__exact": "f"}),
        ("location", {"province__exact": "MB", "wheelchair_accessible__exact": "0"}),
        ("consultrequest", {"status__exact": "new", "meeting__exact": "phone", "created_at__year": "2026"}),
        ("clinic", {"payers__id__exact": "1"}),
    ],
)
def test_it_lets_a_manager_use_the_filters_the_admin_offers(client, cast, model, query):
    client.force_login(cast.alice)

    response = client.get(url(model, "changelist"), query)

    assert response.status_code == 200


def test_it_lets_the_operator_filter_therapists_by_location(client, cast):
    client.force_login(cast.olivia)

    response = client.get(url("therapist", "changelist"), {"locations__id__exact": cast.bravo_yonge.pk})

    assert response.status_code == 200
    assert "Bravoman" in response.content.decode()


@pytest.mark.parametrize("model", ["location", "therapist"])
def test_it_offers_a_manager_only_their_own_choices_on_the_add_form(client, cast, model):
    client.force_login(cast.alice)

    response = client.get(url(model, "add"))

    assert response.status_code == 200
    assert_shows_nothing_of_bravo(response)


@pytest.mark.parametrize(
    ("source", "field", "term"),
    [
        ("therapist", "locations", "Bravo"),
        ("therapist", "locations", ""),
        ("location", "clinic", "Bravo"),
        ("location", "clinic", ""),
        ("therapist", "specialties", ""),
        ("therapist", "languages", ""),
    ],
)
def test_it_autocompletes_only_the_managers_own_records(client, cast, source, field, term):
    client.force_login(cast.alice)

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "therapists", "model_name": source, "field_name": field, "term": term},
    )

    assert response.status_code in (200, 403)
    assert_shows_nothing_of_bravo(response)


def test_it_autocompletes_a_managers_own_locations(client, cast):
    client.force_login(cast.alice)

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "therapists", "model_name": "therapist", "field_name": "locations", "term": ""},
    )

    assert [result["text"] for result in response.json()["results"]] == ["Alpha Physio – Alpha Main"]


def test_it_never_autocompletes_users_for_a_manager(client, cast):
    client.force_login(cast.alice)

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "therapists", "model_name": "clinic", "field_name": "managers", "term": "b"},
    )

    assert response.status_code == 403
    assert "bruno" not in response.content.decode()


@pytest.mark.parametrize(
    ("model", "action"),
    [
        ("therapist", "publish"),
        ("therapist", "unpublish"),
        ("therapist", "mark_verified_today"),
        ("therapist", "delete_selected"),
        ("therapist", "export_admin_action"),
        ("location", "delete_selected"),
        ("location", "export_admin_action"),
        ("consultrequest", "mark_contacted"),
        ("consultrequest", "mark_closed"),
        ("consultrequest", "delete_selected"),
    ],
)
def test_it_ignores_the_other_clinics_records_in_bulk_actions(client, cast, model, action):
    client.force_login(cast.alice)
    before = snapshot_of_bravo(cast)

    response = client.post(
        url(model, "changelist"),
        {"action": action, "_selected_action": [bravo_object(cast, model).pk], "post": "yes"},
        follow=True,
    )

    assert response.status_code == 200
    assert_shows_nothing_of_bravo(response)
    assert snapshot_of_bravo(cast) == before


@pytest.mark.parametrize("model", ["clinic", "location", "therapist"])
def test_it_exports_only_the_managers_own_records(client, cast, model):
    client.force_login(cast.alice)
    resource = f"{model}resource"
    columns = client.get(url(model, "export")).context["form"].fields

    response = client.post(
        url(model, "export"),
        {"format": "0", "resource": "0", **{name: "on" for name in columns if name.startswith(resource)}},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "Alpha" in response.content.decode()
    assert_shows_nothing_of_bravo(response)


@pytest.mark.parametrize("model", ["clinic", "location", "therapist"])
def test_it_exports_nothing_of_the_other_clinic_even_when_asked_for_it_by_id(client, cast, model):
    client.force_login(cast.alice)
    resource = f"{model}resource"
    columns = client.get(url(model, "export")).context["form"].fields

    response = client.post(
        url(model, "export"),
        {
            "format": "0",
            "resource": "0",
            "export_items": [bravo_object(cast, model).pk],
            **{name: "on" for name in columns if name.startswith(resource)},
        },
    )

    assert_shows_nothing_of_bravo(response)


@pytest.mark.parametrize("model", ["clinic", "location", "therapist"])
def test_it_shows_a_manager_the_import_page_without_the_other_clinic(client, cast, model):
    client.force_login(cast.alice)

    response = client.get(url(model, "import"))

    assert response.status_code == 200
    assert_shows_nothing_of_bravo(response)


# A therapist who practises at both clinics.


def test_it_hides_the_other_clinics_location_of_a_shared_therapist(client, cast):
    client.force_login(cast.alice)

    change = client.get(url("therapist", "change", cast.sam.pk))
    listing = client.get(url("therapist", "changelist"))

    assert "Alpha Main" in change.content.decode()
    assert "Alpha Main" in listing.content.decode()
    assert_shows_nothing_of_bravo(change)
    assert_shows_nothing_of_bravo(listing)


def test_it_keeps_a_shared_therapists_other_clinic_when_a_manager_saves_the_form(client, cast):
    client.force_login(cast.alice)
    data = form_data(client.get(url("therapist", "change", cast.sam.pk)))
    data["bio_en"] = "Now also treats runners."

    response = client.post(url("therapist", "change", cast.sam.pk), data)

    assert response.status_code == 302
    cast.sam.refresh_from_db()
    assert cast.sam.bio == "Now also treats runners."
    assert set(cast.sam.locations.all()) == {cast.alpha_main, cast.bravo_yonge}


def test_it_lets_a_manager_take_a_shared_therapist_off_their_clinic_only(client, cast):
    client.force_login(cast.alice)
    page = client.get(url("therapist", "change", cast.sam.pk))
    assert "Remove all of yours to stop listing this at your clinic" in page.content.decode()
    data = form_data(page)
    data["locations"] = []

    response = client.post(url("therapist", "change", cast.sam.pk), data)

    assert response.status_code == 302
    assert list(cast.sam.locations.all()) == [cast.bravo_yonge]


def test_it_does_not_let_a_manager_delete_a_therapist_another_clinic_also_lists(client, cast):
    client.force_login(cast.alice)

    page = client.get(url("therapist", "delete", cast.sam.pk))
    posted = client.post(url("therapist", "delete", cast.sam.pk), {"post": "yes"})
    bulk = client.post(
        url("therapist", "changelist"),
        {"action": "delete_selected", "_selected_action": [cast.sam.pk], "post": "yes"},
    )

    assert page.status_code == 403
    assert posted.status_code == 403
    assert_shows_nothing_of_bravo(bulk)
    assert Therapist.objects.filter(pk=cast.sam.pk).exists()


# What a manager may and may not do with their own clinic.


def test_it_lets_a_manager_edit_their_clinic_and_records_who_did_it(client, cast):
    client.force_login(cast.alice)
    data = form_data(client.get(url("clinic", "change", cast.alpha.pk)))
    data["phone"] = "204-555-0199"

    response = client.post(url("clinic", "change", cast.alpha.pk), data)

    assert response.status_code == 302
    cast.alpha.refresh_from_db()
    assert cast.alpha.phone == "204-555-0199"
    entry = LogEntry.objects.get(object_id=str(cast.alpha.pk), content_type__model="clinic")
    assert (entry.user, entry.action_flag) == (cast.alice, CHANGE)
    history = client.get(url("clinic", "history", cast.alpha.pk))
    assert "Changed Phone" in history.content.decode()


def test_it_hides_who_manages_a_clinic_from_its_manager(client, cast):
    client.force_login(cast.alice)

    response = client.get(url("clinic", "change", cast.alpha.pk))

    assert "managers" not in response.context["adminform"].form.fields
    assert "olivia" not in response.content.decode()


def test_it_does_not_let_a_manager_create_or_delete_a_clinic(client, cast):
    client.force_login(cast.alice)

    add = client.post(url("clinic", "add"), {"name": "Sneaky", "slug": "sneaky"})
    delete = client.post(url("clinic", "delete", cast.alpha.pk), {"post": "yes"})

    assert (add.status_code, delete.status_code) == (403, 403)
    assert not Clinic.objects.filter(slug="sneaky").exists()
    assert Clinic.objects.filter(pk=cast.alpha.pk).exists()


def test_it_lets_a_manager_add_a_therapist_at_their_own_location(client, cast):
    client.force_login(cast.alice)
    specialty, language = Specialty.objects.first(), Language.objects.get(code="fr")

    response = client.post(
        url("therapist", "add"),
        {
            "first_name": "Nora",
            "last_name": "Newcomer",
            "slug": "nora-newcomer",
            "discipline": cast.ann.discipline.pk,
            "locations": [cast.alpha_main.pk],
            "specialties": [specialty.pk],
            "languages": [language.pk],
            "new_patients": "accepting",
        },
    )

    assert response.status_code == 302
    nora = Therapist.objects.get(slug="nora-newcomer")
    assert list(nora.locations.all()) == [cast.alpha_main]
    assert LogEntry.objects.get(object_id=str(nora.pk)).action_flag == ADDITION


def test_it_does_not_let_a_manager_attach_a_therapist_to_another_clinics_location(client, cast):
    client.force_login(cast.alice)
    data = form_data(client.get(url("therapist", "change", cast.ann.pk)))
    data["locations"] = [cast.alpha_main.pk, cast.bravo_yonge.pk]

    response = client.post(url("therapist", "change", cast.ann.pk), data)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert_shows_nothing_of_bravo(response)
    assert list(cast.ann.locations.all()) == [cast.alpha_main]


def test_it_does_not_let_a_manager_move_a_location_to_another_clinic(client, cast):
    client.force_login(cast.alice)
    data = form_data(client.get(url("location", "change", cast.alpha_main.pk)))
    data["clinic"] = cast.bravo.pk

    response = client.post(url("location", "change", cast.alpha_main.pk), data)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    cast.alpha_main.refresh_from_db()
    assert cast.alpha_main.clinic == cast.alpha


def test_it_lets_a_manager_edit_opening_hours_of_their_location(client, cast):
    client.force_login(cast.alice)
    data = form_data(client.get(url("location", "change", cast.alpha_main.pk)))
    data.update(
        {
            "opening_hours-TOTAL_FORMS": "1",
            "opening_hours-0-weekday": "2",
            "opening_hours-0-opens": "08:00",
            "opening_hours-0-closes": "12:00",
        }
    )

    response = client.post(url("location", "change", cast.alpha_main.pk), data)

    assert response.status_code == 302
    hours = cast.alpha_main.opening_hours.get()
    assert (hours.weekday, hours.opens, hours.closes) == (2, datetime.time(8), datetime.time(12))


def test_it_shows_a_map_link_on_the_location_page(client, cast):
    client.force_login(cast.alice)

    response = client.get(url("location", "change", cast.alpha_main.pk))

    lat, lng = cast.alpha_main.latitude, cast.alpha_main.longitude
    assert f"https://www.openstreetmap.org/?mlat={lat:.5f}&amp;mlon={lng:.5f}" in response.content.decode()


@pytest.mark.parametrize(
    ("action", "field", "expected"),
    [
        ("publish", "is_published", True),
        ("unpublish", "is_published", False),
        ("mark_verified_today", "last_verified", "today"),
    ],
)
def test_it_runs_bulk_actions_on_a_managers_own_therapists_and_logs_them(
    client, cast, action, field, expected
):
    client.force_login(cast.alice)
    Therapist.objects.filter(pk=cast.ann.pk).update(is_published=not expected, last_verified=None)
    before = snapshot_of_bravo(cast)

    response = client.post(
        url("therapist", "changelist"), {"action": action, "_selected_action": [cast.ann.pk, cast.bea.pk]}
    )

    assert response.status_code == 302
    cast.ann.refresh_from_db()
    assert getattr(cast.ann, field) == (timezone.localdate() if expected == "today" else expected)
    assert LogEntry.objects.filter(user=cast.alice, object_id=str(cast.ann.pk)).exists()
    assert not LogEntry.objects.filter(object_id=str(cast.bea.pk)).exists()
    assert snapshot_of_bravo(cast) == before


def test_it_shows_a_manager_only_their_clinics_on_every_list(client, cast):
    client.force_login(cast.alice)

    pages = {model: client.get(url(model, "changelist")) for model in SCOPED_MODELS}

    assert [str(c) for c in pages["clinic"].context["cl"].result_list] == ["Alpha Physio"]
    assert [str(loc) for loc in pages["location"].context["cl"].result_list] == ["Alpha Physio – Alpha Main"]
    therapists = pages["therapist"].context["cl"].result_list
    assert {t.slug for t in therapists} == {"ann-alphason", "sam-sharedford"}


def test_it_shows_the_operator_every_clinic(client, cast):
    client.force_login(cast.olivia)

    response = client.get(url("therapist", "changelist"))

    slugs = {t.slug for t in response.context["cl"].result_list}
    assert slugs == {"ann-alphason", "bea-bravoman", "sam-sharedford"}
    assert "Bravo Yonge" in client.get(url("therapist", "change", cast.sam.pk)).content.decode()


def test_it_shows_a_staff_user_who_manages_no_clinic_nothing(client, cast):
    stranger = make_manager("carl")
    client.force_login(stranger)

    responses = [client.get(url(model, "changelist")) for model in SCOPED_MODELS]

    assert all(len(response.context["cl"].result_list) == 0 for response in responses)


# Reference data and the gazetteer.


@pytest.mark.parametrize("model", ["discipline", "bodyarea", "specialty", "language", "place"])
def test_it_lets_only_the_operator_edit_reference_data(client, cast, model):
    client.force_login(cast.alice)

    response = client.post(url(model, "add"), {"name": "Reiki", "slug": "reiki", "code": "xx"})

    assert response.status_code == 403


@pytest.mark.parametrize("model", ["specialty", "language"])
def test_it_lets_a_manager_look_up_specialties_and_languages(client, cast, model):
    client.force_login(cast.alice)
    instance = {"specialty": Specialty, "language": Language}[model].objects.first()

    listing = client.get(url(model, "changelist"))
    change = client.post(url(model, "change", instance.pk), {"name": "Renamed"})

    assert listing.status_code == 200
    assert change.status_code == 403
    assert instance.__class__.objects.filter(name="Renamed").count() == 0


def test_it_keeps_the_gazetteer_to_the_operator(client, cast):
    place = make_place("Brandon", "MB", (49.8485, -99.9501))
    client.force_login(cast.alice)

    listing = client.get(url("place", "changelist"))
    index = client.get(reverse("admin:index"))

    assert listing.status_code == 403
    assert "Places" not in index.content.decode()
    client.force_login(cast.olivia)
    assert client.get(url("place", "change", place.pk)).status_code == 200


@pytest.mark.parametrize("model", ["clinic", "location", "therapist", "specialty", "language", "place"])
def test_it_opens_every_admin_page_for_the_operator(client, cast, model):
    client.force_login(cast.olivia)
    make_place("Brandon", "MB", (49.8485, -99.9501))
    obj = {
        "clinic": cast.alpha,
        "location": cast.alpha_main,
        "therapist": cast.sam,
        "specialty": Specialty.objects.first(),
        "language": Language.objects.first(),
        "place": Place.objects.first(),
    }[model]

    pages = [
        client.get(url(model, "changelist")),
        client.get(url(model, "add")),
        client.get(url(model, "change", obj.pk)),
        client.get(url(model, "history", obj.pk)),
    ]

    assert [page.status_code for page in pages] == [200, 200, 200, 200]


def test_it_lists_therapists_in_a_constant_number_of_queries(client, cast, django_assert_max_num_queries):
    for n in range(10):
        make_therapist(slug=f"extra-{n}", locations=[cast.alpha_main])
    client.force_login(cast.alice)
    client.get(url("therapist", "changelist"))  # warm the session and content types

    with django_assert_max_num_queries(14):
        response = client.get(url("therapist", "changelist"))

    assert len(response.context["cl"].result_list) == 12


def test_it_lets_a_manager_work_their_own_consult_requests_and_records_who_did_it(client, cast):
    client.force_login(cast.alice)
    change = url("consultrequest", "change", cast.alpha_request.pk)

    page = client.get(change)
    response = client.post(change, {"status": "contacted", "clinic_notes": "Left a voicemail."})

    assert page.status_code == 200 and "Arthur Alphapatient" in page.content.decode()
    assert_shows_nothing_of_bravo(page)
    assert response.status_code == 302
    cast.alpha_request.refresh_from_db()
    assert (cast.alpha_request.status, cast.alpha_request.clinic_notes) == ("contacted", "Left a voicemail.")
    assert cast.alpha_request.name == "Arthur Alphapatient"  # what the patient sent is read-only
    assert LogEntry.objects.filter(user=cast.alice, object_id=str(cast.alpha_request.pk)).exists()


def test_it_does_not_let_anyone_invent_a_consult_request_in_the_admin(client, cast):
    client.force_login(cast.olivia)

    assert client.get(url("consultrequest", "add")).status_code == 403


def test_it_shows_a_manager_only_their_clinics_consult_requests(client, cast):
    client.force_login(cast.alice)

    response = client.get(url("consultrequest", "changelist"))

    assert "Arthur Alphapatient" in response.content.decode()
    assert_shows_nothing_of_bravo(response)


@pytest.mark.parametrize("model", ["location", "therapist", "consultrequest"])
@pytest.mark.parametrize("user", ["alice", "olivia"])
def test_it_shows_counts_beside_the_filters_when_asked(client, cast, model, user):
    client.force_login(getattr(cast, user))

    response = client.get(url(model, "changelist"), {"_facets": "True"})

    assert response.status_code == 200
    if user == "alice":
        assert_shows_nothing_of_bravo(response)


def test_it_shows_a_manager_only_their_own_clinics_history_of_a_shared_therapist(client, cast):
    for user, message in [(cast.bruno, "Bravo changed the bio."), (cast.alice, "Alpha changed the bio.")]:
        LogEntry.objects.log_actions(
            user_id=user.pk, queryset=[cast.sam], action_flag=CHANGE, change_message=message
        )
    client.force_login(cast.alice)

    alice_sees = client.get(url("therapist", "history", cast.sam.pk)).content.decode()
    client.force_login(cast.olivia)
    olivia_sees = client.get(url("therapist", "history", cast.sam.pk)).content.decode()

    assert "Alpha changed the bio." in alice_sees
    assert "Bravo changed the bio." not in alice_sees
    assert "bruno" not in alice_sees
    assert "Bravo changed the bio." in olivia_sees
    assert "Alpha changed the bio." in olivia_sees


def test_it_links_a_manager_to_the_site_only_for_records_they_see(client, cast):
    hidden = make_therapist(slug="hidden-bravo", is_published=False, locations=[cast.bravo_yonge])
    therapist_type = ContentType.objects.get_for_model(Therapist)
    client.force_login(cast.alice)

    own = client.get(reverse("admin:view_on_site", args=[therapist_type.pk, cast.ann.pk]))
    other = client.get(reverse("admin:view_on_site", args=[therapist_type.pk, hidden.pk]))
    nonsense = client.get(reverse("admin:view_on_site", args=[therapist_type.pk, "x"]))
    unknown_type = client.get(reverse("admin:view_on_site", args=[999999, cast.ann.pk]))

    assert own.status_code == 302
    assert own["Location"].endswith(cast.ann.get_absolute_url())
    for response in (other, nonsense, unknown_type):
        assert response.status_code == 404
        assert "hidden-bravo" not in response.get("Location", "") + response.content.decode()


def test_it_links_the_operator_to_any_record_on_the_site(client, cast):
    client.force_login(cast.olivia)

    response = client.get(
        reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(Therapist).pk, cast.bea.pk])
    )

    assert response.status_code == 302


def test_it_does_not_let_a_manager_delete_a_therapist_another_clinics_requests_name(client, cast):
    former = make_therapist(slug="former-bravo", locations=[cast.alpha_main])
    make_consult_request(cast.bravo, former)
    client.force_login(cast.alice)

    page = client.get(url("therapist", "delete", former.pk))
    posted = client.post(url("therapist", "delete", former.pk), {"post": "yes"})
    bulk = client.post(
        url("therapist", "changelist"),
        {"action": "delete_selected", "_selected_action": [former.pk], "post": "yes"},
    )

    assert page.status_code == 403
    assert posted.status_code == 403
    assert_shows_nothing_of_bravo(bulk)
    assert ConsultRequest.objects.get(clinic=cast.bravo, therapist=former)


def test_it_lets_a_manager_delete_a_therapist_only_their_clinic_knows(client, cast):
    make_consult_request(cast.alpha, cast.ann)
    client.force_login(cast.alice)

    response = client.post(url("therapist", "delete", cast.ann.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Therapist.objects.filter(pk=cast.ann.pk).exists()


def test_it_lets_a_manager_take_shared_therapists_off_their_locations_in_bulk(client, cast):
    client.force_login(cast.alice)

    response = client.post(
        url("therapist", "changelist"),
        {"action": "leave_my_locations", "_selected_action": [cast.sam.pk, cast.bea.pk]},
    )

    assert response.status_code == 302
    assert list(cast.sam.locations.all()) == [cast.bravo_yonge]
    assert list(cast.bea.locations.all()) == [cast.bravo_yonge]
    logged = LogEntry.objects.get(object_id=str(cast.sam.pk))
    assert logged.change_message == "Taken off the clinic's locations."
    assert not LogEntry.objects.filter(object_id=str(cast.bea.pk)).exists()


# Stored values that could break a clinic's emails.


@pytest.mark.parametrize(
    "bad", ["Alpha\nPhysio", "Alpha\rBcc: x@evil.example", "Alpha\tPhysio", "Alpha\u202ePhysio"]
)
def test_it_refuses_a_clinic_name_with_control_characters(client, cast, bad):
    client.force_login(cast.alice)
    data = form_data(client.get(url("clinic", "change", cast.alpha.pk)))
    data["name"] = bad

    response = client.post(url("clinic", "change", cast.alpha.pk), data)

    assert response.status_code == 200
    assert "Remove the line breaks" in response.content.decode()
    cast.alpha.refresh_from_db()
    assert cast.alpha.name == "Alpha Physio"


@pytest.mark.parametrize("field", ["first_name", "last_name", "credentials"])
def test_it_refuses_a_therapist_name_with_a_line_break(client, cast, field):
    client.force_login(cast.alice)
    data = form_data(client.get(url("therapist", "change", cast.ann.pk)))
    data[field] = "Ann\r\nBcc: x@evil.example"

    response = client.post(url("therapist", "change", cast.ann.pk), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field]


def test_it_refuses_a_location_name_with_a_line_break(client, cast):
    client.force_login(cast.alice)
    data = form_data(client.get(url("location", "change", cast.alpha_main.pk)))
    data["street"] = "111 Alpha\nStreet"
    data["name"] = "Main\x00"

    response = client.post(url("location", "change", cast.alpha_main.pk), data)

    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"street", "name"}


def test_it_emails_the_clinic_whatever_a_stored_name_holds(cast, mailoutbox):
    Therapist.objects.filter(pk=cast.bea.pk).update(first_name="Bea\r\nBcc: x@evil.example\u2028")
    cast.bravo.email = "desk@bravo.example"
    cast.bravo.save()
    cast.bravo_request.refresh_from_db()

    assert leads.notify_clinic(cast.bravo_request)

    subject = mailoutbox[0].subject
    assert "\n" not in subject and "\r" not in subject and "\u2028" not in subject
    assert "Bea Bcc: x@evil.example Bravoman" in subject
    assert mailoutbox[0].to == ["desk@bravo.example"]


# Sessions.


def test_an_admin_session_ends_after_a_working_day_without_a_request(client, cast):
    from django.contrib.sessions.models import Session

    client.force_login(cast.alice)
    session = Session.objects.get()
    session.expire_date = timezone.now() + datetime.timedelta(minutes=1)  # idle for almost a day
    session.save()

    assert client.get(reverse("admin:index")).status_code == 200
    renewed = Session.objects.get().expire_date - timezone.now()
    assert datetime.timedelta(hours=7, minutes=59) < renewed <= datetime.timedelta(hours=8)

    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
