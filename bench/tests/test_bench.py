"""The benchmark's own logic: reading wrk, judging targets, writing the report, cache keys."""

import datetime

import pytest

from bench import databases, load, measure, report

WRK_OUTPUT = """\
Running 15s test @ http://127.0.0.1:40123/search/?where=Winnipeg
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    70.83ms   20.12ms   1.20s    75.00%
    Req/Sec   100.00     20.00   150.00     70.00%
  Latency Distribution
     50%  850.00us
     75%   80.00ms
     90%   95.00ms
     99%    1.20s
  2980 requests in 15.02s, 10.00MB read
  Socket errors: connect 0, read 1, write 0, timeout 11
  Non-2xx or 3xx responses: 3
Requests/sec:    198.40
Transfer/sec:      0.67MB
"""


def test_wrk_output_gives_requests_per_second_percentiles_in_ms_and_errors():
    assert load.parse_wrk(WRK_OUTPUT) == {
        "requests_per_second": 198.4,
        "requests": 2980,
        "p50_ms": 0.85,
        "p99_ms": 1200.0,
        "non_2xx_3xx": 3,
        "socket_errors": 12,
    }


def test_a_clean_wrk_run_has_no_errors():
    clean = WRK_OUTPUT.replace("  Socket errors: connect 0, read 1, write 0, timeout 11\n", "")
    clean = clean.replace("  Non-2xx or 3xx responses: 3\n", "")

    result = load.parse_wrk(clean)

    assert result["non_2xx_3xx"] == 0 and result["socket_errors"] == 0


def test_percentiles_are_in_milliseconds():
    assert measure.summary([0.001, 0.002, 0.003]) == {"median_ms": 2.0, "p95_ms": 2.9, "n": 3}


def searches(page_ms: float, db_ms: float) -> dict:
    timing = {"median_ms": page_ms, "p95_ms": page_ms * 2, "n": 30}
    return {
        "searches": {
            "City: Winnipeg": {"db": {"median_ms": db_ms, "p95_ms": db_ms}, "page_html": timing},
            "City: Toronto": {"db": {"median_ms": db_ms / 2, "p95_ms": db_ms}, "page_html": timing},
        }
    }


def results(page_1m: float, db_1m: float) -> dict:
    return {
        "sizes": [10_000, 1_000_000],
        "databases": ["sqlite"],
        "runs": {
            "sqlite": {
                "10000": {"measure": searches(4.0, 0.5)},
                "1000000": {"generate_seconds": 150.0, "measure": searches(page_1m, db_1m)},
            }
        },
        "load": {},
    }


def verdicts(results: dict) -> dict[str, str]:
    return {target: met for target, _, met in report.targets(results)}


def test_targets_are_met_when_the_numbers_are_within_them():
    met = verdicts(results(page_1m=6.0, db_1m=0.9))

    assert met["Database part of a search, SQLite, 1M: median ≤ 1 ms"] == "met"
    assert met["Whole page, SQLite, 1M: median ≤ 8 ms"] == "met"
    assert met["Whole page, SQLite, 1M: p95 ≤ 20 ms"] == "met"
    assert met["10k → 1M median page time, SQLite: < 2×"] == "met"
    assert met["Generate 1M locations on SQLite: < 180 s"] == "met"
    assert met["Database part, PostgreSQL, 1M: within 2× (≤ 2 ms)"] == "not measured"


def test_targets_are_not_met_when_the_worst_search_misses_them():
    met = verdicts(results(page_1m=12.0, db_1m=1.5))

    assert met["Database part of a search, SQLite, 1M: median ≤ 1 ms"] == "**not met**"
    assert met["Whole page, SQLite, 1M: median ≤ 8 ms"] == "**not met**"
    assert met["Whole page, SQLite, 1M: p95 ≤ 20 ms"] == "**not met**"
    assert met["10k → 1M median page time, SQLite: < 2×"] == "**not met**"


def test_resolving_places_is_judged_on_the_worst_typed_place_not_the_misspelt_one():
    numbers = results(page_1m=6.0, db_1m=0.9)
    timing = {"median_ms": 0.6, "p95_ms": 0.9, "n": 30}
    numbers["runs"]["sqlite"]["1000000"]["measure"]["resolution"] = {
        "places": {
            "Winnipeg": timing,
            "St. Vital": {**timing, "median_ms": 1.4},
            "Winipeg": {**timing, "median_ms": 40},
        },
        "misspelt": "Winipeg",
    }

    met = verdicts(numbers)
    measured = {target: value for target, value, _ in report.targets(numbers)}

    assert met["Resolving a typed place, SQLite, 1M: median ≤ 2 ms"] == "met"
    assert (
        measured["Resolving a typed place, SQLite, 1M: median ≤ 2 ms"] == "1.40 ms worst median (`St. Vital`)"
    )
    assert "| `Winipeg` (misspelt: close spellings) | 40.0 |" in report.resolution_table(
        numbers["runs"]["sqlite"]["1000000"]["measure"]["resolution"]
    )


def test_the_report_replaces_only_its_own_section(tmp_path, monkeypatch):
    page = tmp_path / "performance.md"
    load_section = "<!-- load:start -->\nkeep\n<!-- load:end -->\n"
    page.write_text(f"# Intro\n<!-- bench:start -->\nold\n<!-- bench:end -->\n{load_section}")
    monkeypatch.setattr(report, "PERFORMANCE", page)

    report.write_section("bench", "new numbers")

    assert (
        page.read_text() == f"# Intro\n<!-- bench:start -->\nnew numbers\n<!-- bench:end -->\n{load_section}"
    )


def test_the_report_refuses_a_page_without_the_markers(tmp_path, monkeypatch):
    page = tmp_path / "performance.md"
    page.write_text("# Intro\n")
    monkeypatch.setattr(report, "PERFORMANCE", page)

    with pytest.raises(SystemExit):
        report.write_section("bench", "new numbers")


def test_the_cache_key_changes_with_size_and_seed():
    key = databases.cache_key("listings", 10_000, 1)

    assert key == databases.cache_key("listings", 10_000, 1)
    assert key != databases.cache_key("listings", 100_000, 1)
    assert key != databases.cache_key("listings", 10_000, 2)


def test_synthetic_listings_are_made_again_each_day_because_their_free_times_age():
    monday, tuesday = datetime.date(2026, 12, 7), datetime.date(2026, 12, 8)
    key = databases.cache_key

    assert key("listings", 10_000, 1, monday) != key("listings", 10_000, 1, tuesday)
    assert key("demo", None, 0, monday) == key("demo", None, 0, tuesday)


def with_soonest(measured: dict, page_ms: float) -> dict:
    for name in ("Soonest: Winnipeg", "Soonest: Toronto"):
        measured["searches"][name] = {
            "db": {"median_ms": 1.0, "p95_ms": 1.0},
            "page_html": {"median_ms": page_ms, "p95_ms": page_ms, "n": 30},
        }
    return measured


def test_soonest_is_met_within_a_fifth_of_the_distance_search_of_the_same_place():
    close, far = results(page_1m=10.0, db_1m=0.9), results(page_1m=10.0, db_1m=0.9)
    with_soonest(close["runs"]["sqlite"]["1000000"]["measure"], page_ms=11.9)
    with_soonest(far["runs"]["sqlite"]["1000000"]["measure"], page_ms=12.5)
    target = "Sorted by soonest, SQLite, 1M: page ≤ 1.2× distance's"

    assert verdicts(close)[target] == "met"
    assert verdicts(far)[target] == "**not met**"
    assert verdicts(results(page_1m=10.0, db_1m=0.9))[target] == "not measured"


def with_api(measured: dict, api_ms: float) -> dict:
    for s in measured["searches"].values():
        s["api_json"] = {"median_ms": api_ms, "p95_ms": api_ms * 2, "n": 30}
    return measured


def test_the_api_search_target_is_met_when_it_costs_no_more_than_the_page():
    numbers = results(page_1m=6.0, db_1m=0.9)
    with_api(numbers["runs"]["sqlite"]["10000"]["measure"], api_ms=3.0)
    with_api(numbers["runs"]["sqlite"]["1000000"]["measure"], api_ms=5.0)

    assert verdicts(numbers)["API search, SQLite, every size: median ≤ the page's"] == "met"


def test_the_api_search_target_is_not_met_when_it_is_slower_than_the_page_at_any_size():
    numbers = results(page_1m=6.0, db_1m=0.9)
    with_api(numbers["runs"]["sqlite"]["10000"]["measure"], api_ms=5.0)  # the page takes 4 ms
    with_api(numbers["runs"]["sqlite"]["1000000"]["measure"], api_ms=5.0)

    assert verdicts(numbers)["API search, SQLite, every size: median ≤ the page's"] == "**not met**"


def test_the_search_table_shows_the_api_beside_the_page():
    measured = with_api(searches(4.0, 0.5), api_ms=2.5)
    for s in measured["searches"].values():
        s.update(count=40, queries=3)

    table = report.search_table(measured)

    assert "| API median | API p95 |" in table
    assert "| 4.00 | 8.00 | 2.50 | 5.00 | 30 |" in table
