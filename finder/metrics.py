"""Prometheus metrics for operators: request latency per view, search time, the page
cache's hits and misses, and replica lag, served at /metrics to operators only.

prometheus-client keeps each worker's numbers in files under PROMETHEUS_MULTIPROC_DIR
when that is set (gunicorn: several processes answer /metrics in turn, so each must
report everyone's); gunicorn.conf.py empties the folder at start and drops a dead
worker's gauges. Without it (runserver, tests) the numbers live in this process.

The endpoint answers 404, as if it did not exist, unless the client's address is in
METRICS_ALLOWED_IPS (addresses or networks) or it sends `Authorization: Bearer
<METRICS_TOKEN>`. Nothing here carries a query string, a name or an address.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from finder.proxy import client_ip

logger = logging.getLogger(__name__)

# Seconds; the search page's own work is milliseconds, a slow one is a second or more.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_SECONDS = Histogram(
    "finder_request_duration_seconds",
    "Time to answer a request, by the URL pattern's name (view) and method.",
    ["view", "method"],
    buckets=LATENCY_BUCKETS,
)
RESPONSES = Counter(
    "finder_responses_total", "Responses sent, by view and status class (2xx...).", ["view", "status"]
)
SEARCH_SECONDS = Histogram(
    "finder_search_duration_seconds",
    "Time find_therapists takes for one page of results (search page and API).",
    buckets=LATENCY_BUCKETS,
)
PAGE_CACHE = Counter(
    "finder_page_cache_requests_total",
    "Anonymous search pages looked up in the shared cache, by result (hit, miss).",
    ["result"],
)


def view_label(request) -> str:
    """A bounded label for the request: its URL pattern's name, never its path
    (paths carry slugs and would make a series per therapist)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match._func_path


class MetricsMiddleware:
    """Times every request and counts its response by view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        view = view_label(request)
        REQUEST_SECONDS.labels(view, request.method if request.method in KNOWN_METHODS else "other").observe(
            time.perf_counter() - started
        )
        RESPONSES.labels(view, f"{response.status_code // 100}xx").inc()
        return response


# Seconds the replica is behind: 0 when it has replayed all it received (an idle
# primary sends nothing, and the last replay's age would grow without any lag).
REPLICA_LAG_SQL = """
SELECT CASE
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""


def replica_lag_seconds(alias: str) -> float | None:
    """How far the replica `alias` is behind the primary, in seconds; None if it does not answer."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(REPLICA_LAG_SQL)
            return float(cursor.fetchone()[0])
    except DatabaseError:
        logger.warning("replica %s did not answer the lag query", alias)
        return None


class ReplicaLagCollector:
    """Reads each replica's lag when Prometheus scrapes, from the replica itself."""

    def collect(self):
        lag = GaugeMetricFamily(
            "finder_replica_lag_seconds",
            "Seconds each read replica is behind the primary.",
            labels=["replica"],
        )
        up = GaugeMetricFamily("finder_replica_up", "1 when the read replica answered.", labels=["replica"])
        for alias in getattr(settings, "DATABASE_REPLICAS", []):
            seconds = replica_lag_seconds(alias)
            up.add_metric([alias], 0 if seconds is None else 1)
            if seconds is not None:
                lag.add_metric([alias], seconds)
        yield lag
        yield up


# Decided when prometheus-client is imported, as prometheus-client itself does.
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def registry() -> CollectorRegistry:
    """Every process's metrics under gunicorn (multiprocess mode), this process's otherwise,
    plus the replica lag read now."""
    if MULTIPROCESS:
        scraped = CollectorRegistry()
        multiprocess.MultiProcessCollector(scraped)
    else:
        scraped = CollectorRegistry()
        scraped.register(_ProcessRegistry())
    scraped.register(ReplicaLagCollector())
    return scraped


class _ProcessRegistry:
    """This process's default registry, as one collector of the scrape's registry."""

    def collect(self):
        return REGISTRY.collect()


def allowed(request) -> bool:
    """Whether this request may read the metrics: a bearer token or an allowed address."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


@require_safe
@never_cache
def metrics_view(request):
    """The metrics in Prometheus's text format; 404 to anyone not allowed."""
    if not allowed(request):
        raise Http404
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
