"""The regulators table: seeded with today's bodies, linked from profiles."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from therapists.models import Regulator, RegulatorKind
from therapists.regulators import BODIES, body_for
from therapists.tests.factories import make_clinic, make_manager, make_therapist

pytestmark = pytest.mark.django_db


def test_the_migration_seeds_every_body_with_a_public_register():
    assert Regulator.objects.count() == len(BODIES)
    assert all(url.startswith("https://") for url in Regulator.objects.values_list("register_url", flat=True))


def test_bc_massage_and_chiropractic_share_the_complementary_health_college():
    names = set(
        Regulator.objects.filter(province="BC", discipline__slug__in=["massage", "chiropractic"]).values_list(
            "name", flat=True
        )
    )

    assert names == {"College of Complementary Health Professionals of BC"}


def test_massage_in_manitoba_is_an_association_not_a_regulator():
    body = Regulator.objects.get(province="MB", discipline__slug="massage")

    assert body.kind == RegulatorKind.ASSOCIATION


def test_free_text_names_map_to_bodies_including_former_names():
    assert (
        body_for("BC", "massage", "College of Massage Therapists of British Columbia").abbreviation
        == "CCHPBC"
    )
    assert body_for("ON", "massage", "  cmto ").province == "ON"
    assert body_for("ON", "massage", "Something else") is None


def test_every_demo_regulator_is_in_the_table():
    from therapists import demo

    assert set(demo.REGULATORS.values()) <= set(BODIES)


def test_a_profile_links_the_registration_number_to_the_public_register(client):
    cmto = Regulator.objects.get(province="ON", discipline__slug="massage")
    therapist = make_therapist(registered_with=cmto, registration_number="ON-12345")

    html = client.get(therapist.get_absolute_url()).content.decode()

    assert f'href="{cmto.register_url}"' in html
    assert "ON-12345" in html
    assert "the regulator in Ontario" in html


def test_a_profile_says_when_the_body_is_an_association(client):
    mtam = Regulator.objects.get(province="MB", discipline__slug="massage")
    therapist = make_therapist(registered_with=mtam, registration_number="1234")

    html = client.get(therapist.get_absolute_url()).content.decode()

    assert "an association, not a regulator" in html


def test_the_profile_page_reads_the_regulator_without_an_extra_query(client):
    cmto = Regulator.objects.get(province="ON", discipline__slug="massage")
    plain = make_therapist()
    registered = make_therapist(registered_with=cmto, registration_number="1")
    client.get(plain.get_absolute_url())

    with CaptureQueriesContext(connection) as plain_queries:
        client.get(plain.get_absolute_url())
    with CaptureQueriesContext(connection) as registered_queries:
        client.get(registered.get_absolute_url())

    assert len(registered_queries) == len(plain_queries)


def test_managers_may_view_regulators_but_only_the_operator_edits(client):
    client.force_login(make_manager("alice", make_clinic()))
    body = Regulator.objects.first()

    assert client.get(reverse("admin:therapists_regulator_changelist")).status_code == 200
    assert client.post(reverse("admin:therapists_regulator_change", args=[body.pk]), {}).status_code == 403
