"""Prometheus metrics at /metrics (finder.metrics): for operators only."""

import ipaddress
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from prometheus_client import REGISTRY

from finder import metrics
from therapists.tests.factories import WINNIPEG, make_location, make_place, make_therapist

pytestmark = pytest.mark.django_db

METRICS = reverse("metrics")
SEARCH = reverse("therapists:search")
TOKEN = "s3cret-scraper-token"


@pytest.fixture(autouse=True)
def operators(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.1.2.0/24")]


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client) -> str:
    response = client.get(METRICS, headers={"authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return response.content.decode()


def test_the_public_gets_a_404(client):
    assert client.get(METRICS).status_code == 404


def test_a_wrong_token_gets_a_404(client):
    assert client.get(METRICS, headers={"authorization": "Bearer guess"}).status_code == 404
    assert client.get(METRICS, headers={"authorization": f"Basic {TOKEN}"}).status_code == 404


def test_without_a_token_set_an_empty_bearer_gets_a_404(client, settings):
    settings.METRICS_TOKEN = ""

    assert client.get(METRICS, headers={"authorization": "Bearer "}).status_code == 404


def test_a_client_claiming_an_allowed_address_through_a_header_gets_a_404(client):
    # No proxy of ours is trusted (TRUSTED_PROXY_COUNT=0): X-Forwarded-For is the client's say-so.
    response = client.get(METRICS, headers={"x-forwarded-for": "10.1.2.3"})

    assert response.status_code == 404


def test_an_allowed_address_gets_the_metrics(client):
    response = client.get(METRICS, REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "finder_request_duration_seconds" in response.content.decode()
    assert "no-cache" in response["Cache-Control"]


def test_the_bearer_of_the_token_gets_the_metrics(client):
    assert "finder_search_duration_seconds" in scrape(client)


def test_a_search_is_counted_and_timed(client):
    make_place("Winnipeg", "MB", WINNIPEG, population=749_607)
    make_therapist(locations=[make_location()])
    searches = sample("finder_search_duration_seconds_count")
    requests = sample("finder_request_duration_seconds_count", view="therapists:search", method="GET")

    client.get(SEARCH, {"where": "Winnipeg"})

    assert sample("finder_search_duration_seconds_count") == searches + 1
    assert sample("finder_request_duration_seconds_count", view="therapists:search", method="GET") == (
        requests + 1
    )
    assert 'finder_request_duration_seconds_count{method="GET",view="therapists:search"}' in scrape(client)


def test_a_profile_is_labelled_by_its_view_not_its_address(client):
    therapist = make_therapist(locations=[make_location()])

    client.get(therapist.get_absolute_url())

    text = scrape(client)
    assert 'view="therapists:therapist-detail"' in text
    assert therapist.slug not in text


def test_page_cache_hits_and_misses_are_counted(client, settings, monkeypatch):
    from therapists import page_cache

    settings.PAGE_CACHE_SECONDS = 60
    monkeypatch.setattr(page_cache, "seconds_to_keep", lambda now=None: 60)
    cache.clear()
    hits, misses = (
        sample("finder_page_cache_requests_total", result="hit"),
        sample("finder_page_cache_requests_total", result="miss"),
    )

    client.get(SEARCH, {"where": "Nowhere"})
    client.get(SEARCH, {"where": "Nowhere"})
    cache.clear()

    assert sample("finder_page_cache_requests_total", result="miss") == misses + 1
    assert sample("finder_page_cache_requests_total", result="hit") == hits + 1


def test_without_replicas_no_lag_is_reported(client, settings):
    settings.DATABASE_REPLICAS = []

    assert "finder_replica_lag_seconds{" not in scrape(client)


def test_a_replica_that_does_not_answer_is_reported_down(client, settings, monkeypatch):
    settings.DATABASE_REPLICAS = ["replica1"]
    monkeypatch.setattr(metrics, "replica_lag_seconds", lambda alias: None)

    text = scrape(client)

    assert 'finder_replica_up{replica="replica1"} 0.0' in text
    assert "finder_replica_lag_seconds{" not in text


def test_a_replicas_lag_is_reported(client, settings, monkeypatch):
    settings.DATABASE_REPLICAS = ["replica1"]
    monkeypatch.setattr(metrics, "replica_lag_seconds", lambda alias: 0.25)

    text = scrape(client)

    assert 'finder_replica_lag_seconds{replica="replica1"} 0.25' in text
    assert 'finder_replica_up{replica="replica1"} 1.0' in text


# Under gunicorn, several workers.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def robots_count(text: str) -> float:
    pattern = r'finder_request_duration_seconds_count\{method="GET",view="robots-txt"\} ([0-9.]+)'
    found = re.search(pattern, text)
    return float(found[1]) if found else 0.0


def test_every_gunicorn_worker_reports_the_requests_of_all_of_them(tmp_path):
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": "a-secret-for-this-test-only-" + "x" * 30,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "PYTHONWARNINGS": "ignore",
    }
    command = [sys.executable, "-m", "gunicorn", "finder.wsgi", "--config", "gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--no-control-socket"]
    server = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        # Both workers load Django first: slow on a busy machine.
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/robots.txt", timeout=30).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        for _ in range(19):
            urllib.request.urlopen(f"{base}/robots.txt", timeout=30).read()
        scrape = urllib.request.Request(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        # Each scrape is answered by either worker: every answer holds all 20 requests, not
        # its own share (a start-up probe that timed out may still be counted, later).
        counts = [robots_count(urllib.request.urlopen(scrape, timeout=30).read().decode()) for _ in range(6)]
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert min(counts) >= 20
