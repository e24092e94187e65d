from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count

from therapists.models import Clinic, Location, OpeningHours, Place, PlaceName, Therapist

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
MODELS = [Place, PlaceName, Clinic, Location, OpeningHours, Therapist]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def demo_loaded(db, settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)


@pytest.mark.django_db
def test_the_fixtures_load_into_an_empty_database_and_loading_again_changes_nothing():
    call_command("loaddata", "gazetteer", "demo", verbosity=0)
    first = counts()
    therapist = Therapist.objects.order_by("slug").first()
    links = sorted(therapist.locations.values_list("id", flat=True))

    call_command("loaddata", "gazetteer", "demo", verbosity=0)

    assert counts() == first
    assert first["Place"] > 4000 and first["PlaceName"] > 500
    assert first["Therapist"] >= 150 and first["Clinic"] >= 25
    assert sorted(Therapist.objects.get(slug=therapist.slug).locations.values_list("id", flat=True)) == links


def test_load_demo_refuses_when_debug_is_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo")

    assert not Therapist.objects.exists()
    assert not get_user_model().objects.exists()


def test_load_demo_with_force_loads_even_when_debug_is_off(db, settings):
    settings.DEBUG = False

    call_command("load_demo", "--force", verbosity=0)

    assert Therapist.objects.exists()


def test_load_demo_creates_the_demo_accounts(demo_loaded):
    users = get_user_model().objects.all()
    admin = users.get(username="admin")
    winnipeg = users.get(username="winnipeg-manager")
    toronto = users.get(username="toronto-manager")

    assert admin.is_superuser and admin.check_password("demo12345")
    for manager, city in [(winnipeg, "Winnipeg"), (toronto, "Toronto")]:
        assert manager.is_staff and not manager.is_superuser
        assert manager.check_password("demo12345")
        assert manager.groups.filter(name="Clinic managers").exists()
        clinics = manager.managed_clinics.all()
        assert clinics.exists()
        assert set(Location.objects.filter(clinic__in=clinics).values_list("city", flat=True)) == {city}


def test_load_demo_if_empty_leaves_an_existing_directory_alone(demo_loaded):
    Therapist.objects.filter(slug=Therapist.objects.first().slug).delete()
    before = counts()

    call_command("load_demo", "--if-empty", verbosity=0)

    assert counts() == before


def test_each_named_city_has_at_least_eight_published_therapists_of_each_discipline(demo_loaded):
    published = Therapist.objects.filter(is_published=True)

    for city in ["Winnipeg", "Vancouver", "Edmonton", "Toronto"]:
        per_discipline = dict(
            published.filter(locations__city=city)
            .order_by()
            .values("discipline__slug")
            .annotate(n=Count("id", distinct=True))
            .values_list("discipline__slug", "n")
        )
        assert per_discipline.keys() == {"massage", "physiotherapy", "chiropractic"}, city
        assert min(per_discipline.values()) >= 8, (city, per_discipline)


def test_the_demo_data_has_french_speaking_therapists_in_montreal(demo_loaded):
    assert Therapist.objects.filter(
        locations__city="Montréal", languages__code="fr", is_published=True
    ).exists()


def test_the_demo_data_has_clinics_with_several_locations_and_therapists_at_several(demo_loaded):
    assert Clinic.objects.annotate(n=Count("locations")).filter(n__gt=1).exists()
    assert Therapist.objects.annotate(n=Count("locations")).filter(n__gt=1).exists()


def test_the_demo_fixture_is_what_its_builder_makes(tmp_path):
    output = tmp_path / "demo.json"

    call_command("build_demo_fixture", "--output", str(output), verbosity=0)

    assert output.read_bytes() == (FIXTURES / "demo.json").read_bytes()
