"""`make bench`: search speed at 10,000, 100,000 and 1,000,000 locations, on SQLite and PostgreSQL.

    python -m bench.bench [--quick]

Builds (or reuses) a database per size and database engine, times the named
searches of bench/measure.py in a subprocess per database, compares them with a
naive baseline, load-tests the search page at the largest size, and writes the
results between the bench markers in docs/performance.md.

Environment: BENCH_SIZES (e.g. 10000,100000), BENCH_DATABASES (sqlite,postgresql),
BENCH_REPEAT, BENCH_LOAD=0 to skip the load test, BENCH_LOAD_SECONDS, BENCH_SEED,
BENCH_POSTGRES_URL. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess

from bench import databases, load, report

ROOT = databases.ROOT
RESULTS = databases.DATA / "results.json"


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def measure(db: databases.Database, size: int, args) -> dict:
    """Run bench/measure.py on `db` in a subprocess; its JSON result."""
    naive = args.naive_repeat if args.naive_repeat is not None else (3 if size >= 1_000_000 else 5)
    command = [
        databases.PYTHON,
        "-m",
        "bench.measure",
        "--repeat",
        str(args.repeat),
        "--warmups",
        str(args.warmups),
        "--budget",
        str(args.budget),
        "--naive-repeat",
        str(naive),
    ]
    output = subprocess.run(command, cwd=ROOT, env=db.environ(), check=True, stdout=subprocess.PIPE)
    return json.loads(output.stdout)


def print_table(vendor: str, size: int, m: dict) -> None:
    print(f"\n{report.VENDORS[vendor]}, {size:,} locations (ms)")
    print(
        f"{'search':<38} {'matches':>8} {'db med':>8} {'db p95':>8} {'page med':>9} {'page p95':>9} "
        f"{'api med':>8} {'api p95':>8}"
    )
    for name, s in m["searches"].items():
        api = s.get("api_json", {})
        print(
            f"{name:<38} {s['count']:>8,} {report.ms(s['db']['median_ms']):>8} "
            f"{report.ms(s['db']['p95_ms']):>8} {report.ms(s['page_html']['median_ms']):>9} "
            f"{report.ms(s['page_html']['p95_ms']):>9} {report.ms(api.get('median_ms')):>8} "
            f"{report.ms(api.get('p95_ms')):>8}"
        )
    naive = m.get("naive")
    if naive:
        ours = m["searches"].get(naive["compared_with"], {}).get("page_html", {}).get("median_ms")
        speedup = f"{naive['median_ms'] / ours:,.0f}x" if ours else "-"
        print(
            f"naive baseline ({naive['origin']}): median {report.ms(naive['median_ms'])} ms; "
            f"speed-up {speedup}"
        )
    landing = m.get("landing")
    if landing:
        print(
            f"landing page {landing['url']}: median {report.ms(landing['median_ms'])} ms, "
            f"p95 {report.ms(landing['p95_ms'])} ms, {landing['queries']} queries; "
            f"coverage of {landing['pages']:,} pages computed in {landing['coverage_seconds']:.2f} s "
            "(then cached)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="Fewer runs and a short load test: a smoke run.")
    parser.add_argument(
        "--naive-repeat",
        type=int,
        help="Runs of the naive baseline (default 5, 3 at 1M; fewer once they take the budget).",
    )
    args = parser.parse_args()
    default_sizes = "10000,100000" if args.quick else "10000,100000,1000000"
    sizes = sorted(
        int(size) for size in os.environ.get("BENCH_SIZES", default_sizes).split(",") if size.strip()
    )
    args.repeat = env_int("BENCH_REPEAT", 5 if args.quick else 30)
    args.warmups = 1 if args.quick else 3
    # Seconds one search may take in all before fewer runs are kept (at least 5): the
    # benchmark stays bounded even when a search is slow.
    args.budget = env_int("BENCH_BUDGET_SECONDS", 10 if args.quick else 30)
    if args.quick and args.naive_repeat is None:
        args.naive_repeat = 1
    load_seconds = env_int("BENCH_LOAD_SECONDS", 5 if args.quick else load.LOAD_SECONDS)
    run_load = os.environ.get("BENCH_LOAD", "1") != "0"

    if run_load:
        load.require_wrk()  # before the long part, not after it
    vendors = databases.vendors_from_env()
    databases.collect_static()
    results = {
        "sizes": sizes,
        "databases": vendors,
        "settings": {"repeat": args.repeat, "warmups": args.warmups, "budget_seconds": args.budget},
        "runs": {},
        "load": {},
    }
    for vendor in vendors:
        for size in sizes:
            db = databases.ensure_listings(vendor, size)
            print(f"Measuring {db.name} on {vendor}", flush=True)
            m = measure(db, size, args)
            print_table(vendor, size, m)
            results["runs"].setdefault(vendor, {})[str(size)] = {
                "generate_seconds": db.read_manifest().get("generate_seconds"),
                "measure": m,
            }
        if run_load:  # on the largest database, the last one measured
            size = sizes[-1]
            print(f"\nLoad test on {db.name} ({vendor})", flush=True)
            paths = {"Search": load.SEARCH_PATH, "Trivial view": None}
            run = load.run(db, paths, load_seconds)
            results["load"][vendor] = {"size": size, **run}
            print(report.load_table(run))

    RESULTS.write_text(json.dumps(results, indent=2))
    text = report.bench_section(results, databases.postgres_version() if "postgresql" in vendors else None)
    report.write_section("bench", text)
    print("\nTargets:")
    for target, measured, met in report.targets(results):
        print(f"  {met:>14}  {target}: {measured}")
    print(
        f"\nWrote the bench section of {report.PERFORMANCE.relative_to(ROOT)} "
        f"(raw numbers: {RESULTS.relative_to(ROOT)})"
    )


if __name__ == "__main__":
    main()
