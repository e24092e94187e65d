"""The Markdown that bench.py and load.py write into docs/performance.md.

Each writes only between its own markers (`<!-- bench:start -->` ...
`<!-- bench:end -->`, and `load`), so the rest of the page is hand-written.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PERFORMANCE = ROOT / "docs" / "performance.md"
VENDORS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

# The targets, at 1,000,000 locations on the benchmark machine.
DB_MEDIAN_MS = 1.0
POSTGRES_FACTOR = 2.0
PAGE_MEDIAN_MS = 8.0
PAGE_P95_MS = 20.0
SCALING_FACTOR = 2.0
TARGET_SIZE = 1_000_000
BASE_SIZE = 10_000
LOAD_SHARE_OF_TRIVIAL = 0.10
P99_OVER_P50 = 4.0
WORKER_MB = 150.0
GENERATE_SECONDS = 180.0
RESOLVE_MEDIAN_MS = 2.0  # resolving a typed place adds at most this to a search
SOONEST_FACTOR = 1.2  # a page sorted by soonest against the same place by distance
# (soonest search, distance search) pairs of the benchmark's named searches.
SOONEST_PAIRS = [("Soonest: Winnipeg", "City: Winnipeg"), ("Soonest: Toronto", "City: Toronto")]


def write_section(name: str, text: str) -> None:
    """Replace what is between `<!-- name:start -->` and `<!-- name:end -->` in docs/performance.md."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    page = PERFORMANCE.read_text(encoding="utf-8")
    if start not in page or end not in page:
        raise SystemExit(f"{PERFORMANCE} has no {start} ... {end} markers")
    before, rest = page.split(start, 1)
    _, after = rest.split(end, 1)
    PERFORMANCE.write_text(f"{before}{start}\n{text.strip()}\n{end}{after}", encoding="utf-8")


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine(postgres_version: str | None = None) -> str:
    """The machine the numbers come from, as a Markdown list."""
    cpuinfo = _read("/proc/cpuinfo")
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line), "")
    meminfo = _read("/proc/meminfo")
    mem_kb = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal")), 0)
    import django

    lines = [
        f"- CPU: {os.cpu_count()} cores, {model or platform.processor() or 'unknown model'}",
        f"- Memory: {mem_kb / 1024 / 1024:.1f} GB",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}, Django {django.get_version()}, "
        f"SQLite {sqlite3.sqlite_version}",
    ]
    if postgres_version:
        lines.append(f"- {postgres_version}")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    # Other work on the machine slows every number down; the load average says how much there was.
    lines.append(f"- Measured {time.strftime('%Y-%m-%d %H:%M %Z')}, load average at the end {load}")
    return "\n".join(lines)


def ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def _worst(searches: dict, part: str, stat: str) -> tuple[float, str]:
    name = max(searches, key=lambda n: searches[n][part][stat])
    return searches[name][part][stat], name


def _times(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _met(ok: bool | None) -> str:
    return "not measured" if ok is None else ("met" if ok else "**not met**")


def search_table(measure: dict) -> str:
    rows = [
        "| Search | Matches | Queries | DB median | DB p95 | Page median | Page p95 | API median | API p95 "
        "| n |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, s in measure["searches"].items():
        api = s.get("api_json", {})
        rows.append(
            f"| {name} | {s['count']:,} | {s['queries']} | {ms(s['db']['median_ms'])} | "
            f"{ms(s['db']['p95_ms'])} | {ms(s['page_html']['median_ms'])} | "
            f"{ms(s['page_html']['p95_ms'])} | {ms(api.get('median_ms'))} | {ms(api.get('p95_ms'))} | "
            f"{s['page_html']['n']} |"
        )
    return "\n".join(rows)


def api_over_page(measure: dict) -> tuple[float, str] | None:
    """The largest ratio of the API search's median time to the page's, and its search."""
    ratios = {
        name: s["api_json"]["median_ms"] / s["page_html"]["median_ms"]
        for name, s in measure["searches"].items()
        if "api_json" in s and s["page_html"]["median_ms"]
    }
    if not ratios:
        return None
    name = max(ratios, key=ratios.get)
    return ratios[name], name


def soonest_over_distance(measure: dict) -> list[tuple[float, str]]:
    """(soonest page median / the same place's distance page median, soonest search name)."""
    searches = measure["searches"]
    return [
        (searches[soonest]["page_html"]["median_ms"] / searches[distance]["page_html"]["median_ms"], soonest)
        for soonest, distance in SOONEST_PAIRS
        if soonest in searches and distance in searches
    ]


def resolution_table(resolution: dict) -> str:
    rows = ["| Typed place | Median | p95 | n |", "| --- | ---: | ---: | ---: |"]
    for text, t in resolution["places"].items():
        note = " (misspelt: close spellings)" if text == resolution["misspelt"] else ""
        rows.append(f"| `{text}`{note} | {ms(t['median_ms'])} | {ms(t['p95_ms'])} | {t['n']} |")
    return "\n".join(rows)


def _worst_resolution(resolution: dict) -> tuple[float, str]:
    typed = {text: t for text, t in resolution["places"].items() if text != resolution["misspelt"]}
    text = max(typed, key=lambda name: typed[name]["median_ms"])
    return typed[text]["median_ms"], text


def load_table(run: dict) -> str:
    rows = [
        "| URL | Requests/s | p50 ms | p99 ms | p99/p50 | Non-2xx/3xx | Socket errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, r in run["urls"].items():
        ratio = r["p99_ms"] / r["p50_ms"] if r["p50_ms"] and r["p99_ms"] else None
        rows.append(
            f"| {label} `{r['path']}` | {r['requests_per_second']:,.0f} | {ms(r['p50_ms'])} | "
            f"{ms(r['p99_ms'])} | {'–' if ratio is None else f'{ratio:.1f}'} | {r['non_2xx_3xx']} | "
            f"{r['socket_errors']} |"
        )
    rss = run.get("worker_rss_mb") or []
    memory = ", ".join(f"{mb:.0f}" for mb in rss) or "–"
    rows.append("")
    rows.append(
        f"{run['workers']} gunicorn workers, `wrk -c{run['connections']}` for {run['seconds']} s per URL "
        f"(socket errors include requests over wrk's 2 s timeout). "
        f"Private memory per worker after the run (RssAnon, MB): {memory}."
    )
    return "\n".join(rows)


def load_section(runs: dict, postgres_version: str | None = None) -> str:
    parts = [
        "### Machine",
        "",
        machine(postgres_version),
    ]
    for vendor, run in runs.items():
        parts += ["", f"### {VENDORS[vendor]}, demo data", "", load_table(run)]
    return "\n".join(parts)


def targets(results: dict) -> list[tuple[str, str, str]]:
    """(target, measured, met?) for each target of the benchmark."""
    runs, load = results["runs"], results.get("load", {})
    rows = []

    def at(vendor, size):
        return runs.get(vendor, {}).get(str(size), {}).get("measure")

    sqlite_1m = at("sqlite", TARGET_SIZE)
    measured, ok = "not measured at 1,000,000", None
    if sqlite_1m:
        worst, name = _worst(sqlite_1m["searches"], "db", "median_ms")
        measured, ok = f"{ms(worst)} ms worst median ({name})", worst <= DB_MEDIAN_MS
    rows.append((f"Database part of a search, SQLite, 1M: median ≤ {DB_MEDIAN_MS:g} ms", measured, _met(ok)))

    postgres_1m = at("postgresql", TARGET_SIZE)
    measured, ok = "not measured at 1,000,000", None
    if postgres_1m:
        worst, name = _worst(postgres_1m["searches"], "db", "median_ms")
        measured, ok = f"{ms(worst)} ms worst median ({name})", worst <= DB_MEDIAN_MS * POSTGRES_FACTOR
    rows.append((f"Database part, PostgreSQL, 1M: within {POSTGRES_FACTOR:g}× (≤ 2 ms)", measured, _met(ok)))

    for vendor in results["databases"]:
        m = at(vendor, TARGET_SIZE)
        label = VENDORS[vendor]
        measured_median = measured_p95 = "not measured at 1,000,000"
        ok_median = ok_p95 = None
        if m:
            worst, name = _worst(m["searches"], "page_html", "median_ms")
            measured_median, ok_median = f"{ms(worst)} ms ({name})", worst <= PAGE_MEDIAN_MS
            worst, name = _worst(m["searches"], "page_html", "p95_ms")
            measured_p95, ok_p95 = f"{ms(worst)} ms ({name})", worst <= PAGE_P95_MS
        rows.append(
            (f"Whole page, {label}, 1M: median ≤ {PAGE_MEDIAN_MS:g} ms", measured_median, _met(ok_median))
        )
        rows.append((f"Whole page, {label}, 1M: p95 ≤ {PAGE_P95_MS:g} ms", measured_p95, _met(ok_p95)))

        small, large = at(vendor, BASE_SIZE), m
        measured, ok = "needs 10,000 and 1,000,000", None
        if small and large:
            ratios = {
                name: large["searches"][name]["page_html"]["median_ms"] / s["page_html"]["median_ms"]
                for name, s in small["searches"].items()
                if name in large["searches"]
            }
            name = max(ratios, key=ratios.get)
            measured, ok = f"{ratios[name]:.2f}× worst ({name})", ratios[name] < SCALING_FACTOR
        rows.append((f"10k → 1M median page time, {label}: < {SCALING_FACTOR:g}×", measured, _met(ok)))

        measured, ok = "not measured at 1,000,000", None
        ratios = soonest_over_distance(m) if m else []
        if ratios:
            ratio, name = max(ratios)
            measured, ok = f"{ratio:.2f}× worst ({name})", ratio <= SOONEST_FACTOR
        rows.append(
            (f"Sorted by soonest, {label}, 1M: page ≤ {SOONEST_FACTOR:g}× distance's", measured, _met(ok))
        )

        measured, ok = "not measured", None
        worst = [api_over_page(m) for m in (at(vendor, size) for size in results["sizes"]) if m]
        worst = [ratio for ratio in worst if ratio]
        if worst:
            ratio, name = max(worst)
            measured, ok = f"{ratio:.2f}× the page at worst ({name})", ratio <= 1.0
        rows.append((f"API search, {label}, every size: median ≤ the page's", measured, _met(ok)))

    for vendor, run in load.items():
        label = f"{VENDORS[vendor]}, {int(run['size']):,}"
        search, trivial = run["urls"]["Search"], run["urls"]["Trivial view"]
        share = search["requests_per_second"] / trivial["requests_per_second"]
        at_target = int(run["size"]) == TARGET_SIZE
        suffix = "" if at_target else " (at the size measured; the target is at 1M)"
        rows.append(
            (
                f"Search under load, {label}: ≥ {LOAD_SHARE_OF_TRIVIAL:.0%} of the trivial view's requests/s",
                f"{share:.1%}{suffix}",
                _met(share >= LOAD_SHARE_OF_TRIVIAL if at_target else None),
            )
        )
        ratio = search["p99_ms"] / search["p50_ms"] if search["p50_ms"] and search["p99_ms"] else None
        rows.append(
            (
                f"Search under load, {label}: p99 < {P99_OVER_P50:g}× p50",
                f"{ratio:.1f}×{suffix}" if ratio else "–",
                _met(ratio < P99_OVER_P50 if at_target and ratio else None),
            )
        )
        errors = sum(r["non_2xx_3xx"] + r["socket_errors"] for r in run["urls"].values())
        rows.append(
            (
                f"Under load, {label}: zero errors",
                f"{errors}{suffix}",
                _met(errors == 0 if at_target else None),
            )
        )
        rss = max(run.get("worker_rss_mb") or [0])
        rows.append(
            (
                f"Memory per worker, {label}: < {WORKER_MB:g} MB",
                f"{rss:.0f} MB largest{suffix}",
                _met(rss < WORKER_MB if at_target else None),
            )
        )

    for vendor in results["databases"]:
        m = at(vendor, TARGET_SIZE)
        measured, ok = "not measured at 1,000,000", None
        if m and m.get("resolution"):
            worst, text = _worst_resolution(m["resolution"])
            measured, ok = f"{ms(worst)} ms worst median (`{text}`)", worst <= RESOLVE_MEDIAN_MS
        target = f"Resolving a typed place, {VENDORS[vendor]}, 1M: median ≤ {RESOLVE_MEDIAN_MS:g} ms"
        rows.append((target, measured, _met(ok)))

    generated = runs.get("sqlite", {}).get(str(TARGET_SIZE), {}).get("generate_seconds")
    rows.append(
        (
            f"Generate 1M locations on SQLite: < {GENERATE_SECONDS:g} s",
            f"{generated:.0f} s" if generated else "not built here",
            _met(generated < GENERATE_SECONDS if generated else None),
        )
    )
    return rows


def bench_section(results: dict, postgres_version: str | None = None) -> str:
    runs = results["runs"]
    settings = results["settings"]
    parts = [
        "### Machine",
        "",
        machine(postgres_version),
        "",
        "### Targets",
        "",
        "| Target | Measured | |",
        "| --- | --- | --- |",
        *(f"| {target} | {measured} | {met} |" for target, measured, met in targets(results)),
        "",
        f"Sizes: {', '.join(f'{size:,}' for size in results['sizes'])} locations; "
        f"each search run {settings['repeat']} times after {_times(settings['warmups'], 'warm-up')} "
        f"(fewer, but at least 5, when a search takes over {settings['budget_seconds']} s in all: see n). "
        "Times in ms.",
    ]
    for vendor in results["databases"]:
        for size in results["sizes"]:
            run = runs.get(vendor, {}).get(str(size))
            if not run:
                continue
            m = run["measure"]
            generated = run.get("generate_seconds")
            built = f", generated in {generated:.0f} s" if generated else ""
            parts += ["", f"### {VENDORS[vendor]}, {size:,} locations{built}", "", search_table(m)]
            if m.get("resolution"):
                table = resolution_table(m["resolution"])
                parts += ["", "Resolving typed places (`gazetteer.resolve`, ms):", "", table]
            naive = m.get("naive")
            if naive:
                ours = m["searches"].get(naive["compared_with"], {}).get("page_html", {}).get("median_ms")
                speedup = f"{naive['median_ms'] / ours:,.0f}×" if ours else "–"
                parts += [
                    "",
                    f"Naive baseline ({naive['origin']}: every published therapist's locations loaded, "
                    f"measured with geopy in Python, sorted): median {ms(naive['median_ms'])} ms over "
                    f"{_times(naive['n'], 'run')}; the whole search page is {speedup} faster.",
                ]
    for vendor in results["databases"]:
        sizes = [size for size in results["sizes"] if str(size) in runs.get(vendor, {})]
        if len(sizes) < 2:
            continue
        small, large = (runs[vendor][str(size)]["measure"]["searches"] for size in (sizes[0], sizes[-1]))
        ratios = [
            large[name]["page_html"]["median_ms"] / s["page_html"]["median_ms"]
            for name, s in small.items()
            if name in large
        ]
        parts += [
            "",
            f"{VENDORS[vendor]}: median page time from {sizes[0]:,} to {sizes[-1]:,} locations grows "
            f"{statistics.median(ratios):.2f}× (median over searches), {max(ratios):.2f}× at worst.",
        ]
    for vendor, run in results.get("load", {}).items():
        parts += ["", f"### Load, {VENDORS[vendor]}, {int(run['size']):,} locations", "", load_table(run)]
    return "\n".join(parts)
