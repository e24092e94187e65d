"""Schemathesis drives every operation of the JSON API from its live OpenAPI schema.

It sends valid and invalid parameters and checks each answer: never a 5xx, the
status, content type, headers and body as the schema declares them, bad input
refused with a 4xx, and every other method refused with 405. The requests go
through the whole Django stack (middleware included) as WSGI calls, in the test's
database transaction, so the suite runs it on SQLite and on PostgreSQL alike.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from therapists.models import Language, Specialty
from therapists.tests.factories import WINNIPEG, make_clinic, make_location, make_place, make_therapist

# Enough to reach every parameter of every operation, few enough to keep the suite fast.
MAX_EXAMPLES = 40

CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            # Valid per the schema yet refused with 400: slugs that name no discipline,
            # specialty, body area or language (the schema cannot list data from the admin).
            "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "404"]},
        },
    }
)


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, kept on the test's database connection as the
    test client does (it would otherwise close it after each request)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def directory(db):
    """A small directory with something to find: places, therapists near them, a profile and a clinic."""
    make_place("Winnipeg", "MB", WINNIPEG, population=750_000)
    make_place("Winnipeg Beach", "MB", (50.50, -96.97), population=1_000)
    make_place("London", "ON", (42.98, -81.25), population=400_000)
    make_place("London", "BC", (49.10, -122.70), population=100)
    make_place("R3C", "MB", (49.89, -97.14))
    clinic = make_clinic("Forks Physio", slug="forks-physio", direct_billing=True)
    near = make_location(clinic, wheelchair_accessible=True)
    far = make_location(clinic, at=(49.70, -97.40))
    make_therapist(
        slug="anna-kowalski",
        locations=[near],
        specialties=[Specialty.objects.get(slug="sciatica")],
        languages=[Language.objects.get(code="fr")],
    )
    for n in range(3):
        make_therapist(discipline="physiotherapy", locations=[far], offers_virtual_care=n % 2 == 0)


@pytest.fixture
def live_api_schema(directory, wsgi_app, settings):
    # Hundreds of requests from one address: the rate limit is tested in test_api.py.
    settings.API_RATE_LIMIT = "100000/m"
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app, config=CONFIG)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_every_api_operation_answers_as_its_schema_says(live_api_schema, mode):
    operations = [result.ok() for result in live_api_schema.get_all_operations()]
    operations = [o for o in operations if "search" not in o.path]  # until find_therapists lands
    assert len(operations) == 7
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and not operation.query:
            continue  # nothing to get wrong: a path parameter is any text

        @given(case=operation.as_strategy(mode))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def answers_as_declared(case):
            case.call_and_validate()

        answers_as_declared()
