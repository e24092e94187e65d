"""Read replicas (finder.routers): which database each request reads, and a real
streaming replica of the test PostgreSQL, lag included.

The routing tests need no replica. The others run against the replica that CI
starts with `.ci/replica` and names in DATABASE_REPLICA_URLS; without one they are
skipped, loudly.
"""

import importlib
import time

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, connections
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import finder.settings
from finder import metrics, routers
from therapists.models import ConsultRequest, Therapist
from therapists.tests.factories import WINNIPEG, make_location, make_place, make_therapist, make_user

REPLICA = "replica1"
# Seconds a committed row may take to appear on the replica before the test fails:
# streaming on one machine takes milliseconds; this only bounds a broken replica.
VISIBLE_WITHIN = 30
needs_replica = pytest.mark.skipif(
    REPLICA not in settings.DATABASES,
    reason=(
        "REPLICA TESTS SKIPPED: no read replica configured. Start one with `.ci/replica` "
        "and set DATABASE_REPLICA_URLS=postgres://postgres@127.0.0.1:5442/postgres "
        "(with DATABASE_URL on the primary); CI always does."
    ),
)


@pytest.fixture
def replicas(settings):
    settings.DATABASE_REPLICAS = [REPLICA]
    settings.REPLICA_PIN_SECONDS = 10


def reads_from(request) -> tuple[str, HttpResponse]:
    """The database a read in the view answering `request` goes to, and the response."""
    seen = {}

    def view(request):
        seen["db"] = routers.ReplicaRouter().db_for_read(Therapist)
        return HttpResponse("ok")

    response = routers.PrimaryPinMiddleware(view)(request)
    return seen["db"], response


# Routing, without a replica.


def test_outside_a_request_reads_go_to_the_primary(replicas):
    assert routers.ReplicaRouter().db_for_read(Therapist) == "default"


def test_a_public_page_reads_from_a_replica(replicas):
    db, response = reads_from(RequestFactory().get("/search/?where=Winnipeg"))

    assert db == REPLICA
    assert routers.PIN_COOKIE not in response.cookies


def test_the_admin_reads_from_the_primary(replicas):
    db, _ = reads_from(RequestFactory().get(f"/{settings.ADMIN_URL}therapists/therapist/"))

    assert db == "default"


def test_a_browser_with_a_session_reads_from_the_primary(replicas):
    request = RequestFactory().get("/search/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "abc"

    db, _ = reads_from(request)

    assert db == "default"


def test_a_post_reads_from_the_primary_and_pins_the_browser_there_for_a_while(replicas):
    db, response = reads_from(RequestFactory().post("/therapists/pat/consult/"))

    assert db == "default"
    assert response.cookies[routers.PIN_COOKIE]["max-age"] == 10
    assert response.cookies[routers.PIN_COOKIE]["httponly"]


def test_consult_requests_and_users_are_read_from_the_primary_even_on_a_public_page(replicas):
    router = routers.ReplicaRouter()

    def view(request):
        view.dbs = [router.db_for_read(model) for model in (ConsultRequest, User, Therapist)]
        return HttpResponse("ok")

    routers.PrimaryPinMiddleware(view)(RequestFactory().get("/consult/sent/"))

    assert view.dbs == ["default", "default", REPLICA]


def test_the_requests_right_after_a_write_read_from_the_primary(replicas):
    request = RequestFactory().get("/search/")
    request.COOKIES[routers.PIN_COOKIE] = "1"

    db, _ = reads_from(request)

    assert db == "default"


def test_a_read_after_a_write_in_the_same_request_goes_to_the_primary(replicas):
    router = routers.ReplicaRouter()

    def view(request):
        view.before = router.db_for_read(Therapist)
        router.db_for_write(Therapist)
        view.db = router.db_for_read(Therapist)
        return HttpResponse("ok")

    response = routers.PrimaryPinMiddleware(view)(RequestFactory().get("/search/"))

    assert (view.before, view.db) == (REPLICA, "default")
    assert routers.PIN_COOKIE in response.cookies


def test_the_next_request_starts_afresh(replicas):
    router = routers.ReplicaRouter()

    def writer(request):
        router.db_for_write(Therapist)
        return HttpResponse("ok")

    routers.PrimaryPinMiddleware(writer)(RequestFactory().get("/search/"))
    db, _ = reads_from(RequestFactory().get("/search/"))

    assert db == REPLICA


def test_without_replicas_everything_reads_from_the_primary(settings):
    settings.DATABASE_REPLICAS = []

    db, response = reads_from(RequestFactory().get("/search/"))
    _, posted = reads_from(RequestFactory().post("/search/"))

    assert db == "default"
    assert routers.PIN_COOKIE not in response.cookies
    assert routers.PIN_COOKIE not in posted.cookies


def test_migrations_run_on_the_primary_only():
    router = routers.ReplicaRouter()

    assert router.allow_migrate("default", "therapists")
    assert not router.allow_migrate(REPLICA, "therapists")


# Settings.


@pytest.fixture
def reload_settings(monkeypatch):
    def reload(**environ):
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(finder.settings)

    monkeypatch.delenv("DATABASE_REPLICA_URLS", raising=False)
    yield reload
    monkeypatch.undo()
    importlib.reload(finder.settings)


def test_each_replica_url_becomes_a_database_that_tests_mirror_from_the_primary(reload_settings):
    loaded = reload_settings(
        DATABASE_URL="postgres://finder@db-primary/finder",
        DATABASE_REPLICA_URLS="postgres://finder@db-replica-a/finder, postgres://finder@db-replica-b/finder",
    )

    assert loaded.DATABASE_REPLICAS == ["replica1", "replica2"]
    assert loaded.DATABASES["replica2"]["HOST"] == "db-replica-b"
    assert loaded.DATABASES["replica1"]["TEST"] == {"MIRROR": "default"}
    assert "statement_timeout" in loaded.DATABASES["replica1"]["OPTIONS"]["options"]


def test_replicas_of_sqlite_are_refused(reload_settings):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="PostgreSQL"):
        reload_settings(DATABASE_URL="", DATABASE_REPLICA_URLS="postgres://finder@db-replica/finder")


# A real streaming replica.


def wait_until_on_replica(slug: str) -> float:
    """Seconds until the therapist `slug`, committed on the primary, is read on the replica."""
    started = time.monotonic()
    with connections[REPLICA].cursor() as cursor:
        while True:
            cursor.execute("SELECT 1 FROM therapists_therapist WHERE slug = %s", [slug])
            if cursor.fetchone():
                return time.monotonic() - started
            if time.monotonic() - started > VISIBLE_WITHIN:
                pytest.fail(f"{slug} did not reach the replica within {VISIBLE_WITHIN} s")
            time.sleep(0.01)


@pytest.fixture
def replica(replicas, reference_data):
    yield connections[REPLICA]
    # An idle connection to the test database would hold up the replay of its DROP at the end.
    connections[REPLICA].close()


@needs_replica
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_a_row_committed_on_the_primary_appears_on_the_replica(replica, record_property, capsys):
    therapist = make_therapist(last_name="Replicated")

    lag = wait_until_on_replica(therapist.slug)

    record_property("replication_lag_seconds", round(lag, 4))
    with capsys.disabled():
        print(f"\n  replication lag: a committed therapist reached the replica in {lag * 1000:.1f} ms")
    assert Therapist.objects.using(REPLICA).get(slug=therapist.slug).last_name == "Replicated"


@needs_replica
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_a_public_search_is_answered_from_the_replica(client, replica):
    make_place("Winnipeg", "MB", WINNIPEG, population=749_607)
    therapist = make_therapist(last_name="Onreplica", locations=[make_location()])
    wait_until_on_replica(therapist.slug)

    with (
        CaptureQueriesContext(connections["default"]) as on_primary,
        CaptureQueriesContext(replica) as on_replica,
    ):
        response = client.get(reverse("therapists:search"), {"where": "Winnipeg"})

    assert response.status_code == 200
    assert "Onreplica" in response.content.decode()
    # Only the weekly search counters (therapists.demand) are written, on the primary.
    counters = ("INSERT INTO therapists_searchgap ", "INSERT INTO therapists_listingweek ")
    assert len(on_primary) <= 1
    assert all(query["sql"].startswith(counters) for query in on_primary)
    assert len(on_replica) > 0


@needs_replica
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_the_admin_is_answered_from_the_primary(client, replica):
    client.force_login(make_user("olivia", superuser=True))

    with CaptureQueriesContext(replica) as on_replica:
        response = client.get(reverse("admin:therapists_therapist_changelist"))

    assert response.status_code == 200
    assert len(on_replica) == 0


@needs_replica
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_the_replica_refuses_writes(replica):
    with pytest.raises(DatabaseError, match="read-only"), replica.cursor() as cursor:
        cursor.execute("CREATE TABLE written_on_a_replica (id int)")


@needs_replica
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_the_replica_lag_is_read_from_the_replica(replica):
    lag = metrics.replica_lag_seconds(REPLICA)

    assert lag is not None
    assert lag >= 0
