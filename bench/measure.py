"""Time searches in process against the database of DATABASE_URL; prints JSON.

Run by bench.py in a subprocess per database, so Django's settings bind to it:

    DATABASE_URL=sqlite:////abs/path.sqlite3 python -m bench.measure --repeat 30

Only the public seams are used: `therapists.search.find_therapists(QueryDict, page)` for
the database part, and GET /search/ through Django's test client for the whole
request (middleware, view, template), with DEBUG off; GET /api/v1/search with the
same parameters times the JSON API's answer beside the page.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from contextlib import contextmanager

# Named searches: (name, query string, page).
QUERIES = [
    ("City: Winnipeg", "where=Winnipeg", None),
    ("City: Vancouver", "where=Vancouver", None),
    ("City: Edmonton", "where=Edmonton", None),
    ("City: Toronto", "where=Toronto", None),
    ("Postal code R3C 4T3", "where=R3C+4T3", None),
    ("Postal code M5V 2T6", "where=M5V+2T6", None),
    ("Lat/lng 49.2827,-123.1207", "lat=49.2827&lng=-123.1207", None),
    (
        "Discipline + specialty + language",
        "where=Toronto&discipline=physiotherapy&specialty=sports-injuries&language=fr",
        None,
    ),
    ("Rare: Punjabi, virtual, accessible", "where=Winnipeg&language=pa&virtual=1&accessible=1", None),
    ("Small town + flags", "where=Gimli&discipline=chiropractic&new_patients=1&direct_billing=1", None),
    ("Toronto massage, page 1", "where=Toronto&discipline=massage", "1"),
    ("Toronto massage, page 10", "where=Toronto&discipline=massage", "10"),
    ("Neighbourhood: St. Vital, Winnipeg", "where=St.+Vital%2C+Winnipeg", None),
    ("Other name: Quebec City", "where=Quebec+City", None),
    ("Hours: Winnipeg open now", "where=Winnipeg&open_now=1", None),
    ("Hours: Toronto evenings + weekends", "where=Toronto&evenings=1&weekends=1", None),
    # Online booking: ranked by the precomputed next free slot (to compare with "City: ...").
    ("Soonest: Winnipeg", "where=Winnipeg&sort=soonest", None),
    ("Soonest: Toronto", "where=Toronto&sort=soonest", None),
    ("Soonest: Toronto, free within 7 days", "where=Toronto&sort=soonest&available=7", None),
]
# Places as people type them, resolved alone (`gazetteer.resolve`): what resolving
# adds to a search. The misspelt one takes the slow path (close spellings).
PLACE_TEXTS = [
    "Winnipeg",
    "Toronto, ON",
    "R3C 4T3",
    "Toronto ON M5V",
    "Quebec City",
    "Sudbury",
    "St. Vital",
    "St. Boniface, Winnipeg",
    "St. Boniface Winnipeg",
    "downtown Toronto",
]
MISSPELT_PLACE = "Winipeg"
# The naive baseline ranks everyone from this origin, like "City: Winnipeg" above.
NAIVE_QUERY = "City: Winnipeg"
NAIVE_ORIGIN = "Winnipeg"
PER_PAGE = 20


def summary(samples: list[float]) -> dict:
    """Median and 95th percentile of `samples` (seconds), in ms."""
    ms = sorted(s * 1000 for s in samples)
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[18] if len(ms) > 1 else ms[0]
    return {"median_ms": round(statistics.median(ms), 3), "p95_ms": round(p95, 3), "n": len(ms)}


@contextmanager
def query_timer(connection):
    """Sums the time (s) spent in SQL and counts the queries, while active."""
    totals = {"seconds": 0.0, "queries": 0}

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            totals["seconds"] += time.perf_counter() - started
            totals["queries"] += 1

    with connection.execute_wrapper(wrapper):
        yield totals


MIN_RUNS = 5


def measure_query(
    client, connection, query: str, page: str | None, warmups: int, repeat: int, budget: float
) -> dict:
    """Time one search `repeat` times (fewer, but at least 5, once `budget` seconds are spent)."""
    from django.http import QueryDict

    from therapists.search import find_therapists

    parameters = query + (f"&page={page}" if page else "")
    url, api_url = f"/search/?{parameters}", f"/api/v1/search?{parameters}"
    db_samples, search_samples, page_samples, api_samples = [], [], [], []
    started_all = time.monotonic()
    for index in range(warmups + repeat):
        with query_timer(connection) as sql:
            started = time.perf_counter()
            results = find_therapists(QueryDict(query), page)
            elapsed = time.perf_counter() - started
        response_started = time.perf_counter()
        response = client.get(url, secure=True)
        page_elapsed = time.perf_counter() - response_started
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        api_started = time.perf_counter()
        api_response = client.get(api_url, secure=True)
        api_elapsed = time.perf_counter() - api_started
        if api_response.status_code != 200:
            raise SystemExit(f"GET {api_url} answered {api_response.status_code}")
        if index >= warmups:
            db_samples.append(sql["seconds"])
            search_samples.append(elapsed)
            page_samples.append(page_elapsed)
            api_samples.append(api_elapsed)
            if len(page_samples) >= MIN_RUNS and time.monotonic() - started_all > budget:
                break
    return {
        "query": query,
        "page": page,
        "count": results.count,
        "shown": len(results.results),
        "queries": sql["queries"],
        "db": summary(db_samples),
        "search": summary(search_samples),
        "page_html": summary(page_samples),
        "api_json": summary(api_samples),
    }


def measure_places(warmups: int, repeat: int) -> dict:
    """Median and p95 time (ms) to resolve each of PLACE_TEXTS and MISSPELT_PLACE."""
    from therapists.gazetteer import resolve

    timed = {}
    for text in [*PLACE_TEXTS, MISSPELT_PLACE]:
        samples = []
        for index in range(warmups + max(repeat, 20)):
            started = time.perf_counter()
            resolve(text)
            if index >= warmups:
                samples.append(time.perf_counter() - started)
        timed[text] = summary(samples)
    return {"places": timed, "misspelt": MISSPELT_PLACE}


def measure_landing(client, connection, warmups: int, repeat: int, budget: float) -> dict:
    """Time the busiest city's first landing page ("Massage therapists in Toronto"): its
    queries (the cached coverage of cities and topics, then the patient search) and HTML."""
    from django.core.cache import cache

    from therapists.landing import every_landing

    cache.clear()
    started = time.perf_counter()
    pages = every_landing()  # what the sitemap and the first landing request compute
    coverage = time.perf_counter() - started
    if not pages:
        return {}
    url = pages[0].get_absolute_url()
    samples, started_all = [], time.monotonic()
    for index in range(warmups + repeat):
        with query_timer(connection) as sql:
            started = time.perf_counter()
            response = client.get(url, secure=True)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        if index >= warmups:
            samples.append(elapsed)
            if len(samples) >= MIN_RUNS and time.monotonic() - started_all > budget:
                break
    return {
        "url": url,
        "pages": len(pages),
        "coverage_seconds": coverage,
        "queries": sql["queries"],
        **summary(samples),
    }


def naive_search(origin) -> list[int]:
    """The baseline: every published therapist's locations from the database, each
    measured with geopy in Python, sorted, one page taken. Returns therapist ids."""
    from geopy.distance import geodesic

    from therapists.models import Therapist

    pairs = Therapist.locations.through.objects.filter(therapist__is_published=True).values_list(
        "therapist_id", "location__latitude", "location__longitude"
    )
    nearest: dict[int, float] = {}
    for therapist_id, latitude, longitude in pairs.iterator(chunk_size=10_000):
        km = geodesic(origin, (latitude, longitude)).km
        if km < nearest.get(therapist_id, float("inf")):
            nearest[therapist_id] = km
    ranked = sorted(nearest.items(), key=lambda item: (item[1], item[0]))
    return [therapist_id for therapist_id, _ in ranked[:PER_PAGE]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30, help="Timed runs of each search.")
    parser.add_argument("--warmups", type=int, default=3, help="Untimed runs first.")
    parser.add_argument("--budget", type=float, default=30, help="Seconds per search before fewer runs.")
    parser.add_argument("--naive-repeat", type=int, default=3, help="Runs of the naive baseline (0: skip).")
    parser.add_argument("--only", help="Measure only the searches whose name contains this.")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finder.settings")
    # Every request comes from one address, thousands of times: the API's rate limit is not measured.
    os.environ.setdefault("API_RATE_LIMIT", "1000000000/m")
    # The same search thirty times would be answered from the page cache after the first:
    # measure the search itself (the load test runs with the cache as deployed).
    os.environ.setdefault("PAGE_CACHE_SECONDS", "0")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from therapists.gazetteer import lookup
    from therapists.models import Location

    client = Client(HTTP_HOST="localhost")
    results = {
        "vendor": connection.vendor,
        "locations": Location.objects.count(),
        "searches": {},
    }
    for name, query, page in QUERIES:
        if args.only and args.only.lower() not in name.lower():
            continue
        print(f"  {name}", file=sys.stderr, flush=True)
        results["searches"][name] = measure_query(
            client, connection, query, page, args.warmups, args.repeat, args.budget
        )

    if not args.only:
        print("  place resolution", file=sys.stderr, flush=True)
        results["resolution"] = measure_places(args.warmups, args.repeat)
        print("  landing page", file=sys.stderr, flush=True)
        results["landing"] = measure_landing(client, connection, args.warmups, args.repeat, args.budget)

    if args.naive_repeat:
        origin = lookup(NAIVE_ORIGIN).point
        samples = []
        for _ in range(args.naive_repeat):
            print(f"  naive baseline ({NAIVE_ORIGIN})", file=sys.stderr, flush=True)
            started = time.perf_counter()
            naive_search(origin)
            samples.append(time.perf_counter() - started)
            if sum(samples) > args.budget:  # minutes a run at 1M: one may have to do
                break
        results["naive"] = {"origin": NAIVE_ORIGIN, "compared_with": NAIVE_QUERY, **summary(samples)}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
