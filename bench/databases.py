"""Benchmark databases: built once with `manage.py`, cached, rebuilt when stale.

A database is stale when its size, seed or anything that shapes its rows changed
(migrations, the generator, the gazetteer or demo fixtures): the cache key is a
hash of those. SQLite files live in bench/data/ (git-ignored); PostgreSQL
databases are named `<prefix>_<size>` on the server of BENCH_POSTGRES_URL.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
PYTHON = sys.executable
SEED = int(os.environ.get("BENCH_SEED", "1"))
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PREFIX = os.environ.get("BENCH_DATABASE_PREFIX", "finder_bench")
# What the rows depend on: a change to any of these rebuilds the cached databases.
SHAPING = [
    "therapists/migrations/*.py",
    "booking/migrations/*.py",
    "therapists/synthetic.py",
    "therapists/demo.py",
    "therapists/reference.py",
    "fixtures/gazetteer.json",
    "fixtures/demo.json",
]


@dataclass
class Database:
    """One benchmark database: `vendor` is "sqlite" or "postgresql"; `name` is a label."""

    vendor: str
    name: str
    url: str
    manifest: Path

    def environ(self) -> dict[str, str]:
        """The environment for a manage.py or measuring subprocess on this database."""
        return {**production_environ(), "DATABASE_URL": self.url}

    def read_manifest(self) -> dict:
        try:
            return json.loads(self.manifest.read_text())
        except (OSError, ValueError):
            return {}


def production_environ() -> dict[str, str]:
    """This environment with DEBUG off, and a random SECRET_KEY unless one is set.

    Per-request log lines are off (LOG_LEVEL=WARNING unless set): thousands of
    requests would bury the report, and a busy site ships its logs elsewhere."""
    # Replicas are of the site's own database, never of the benchmark's.
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "DATABASE_REPLICA_URLS"}}
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    env.setdefault("LOG_LEVEL", "WARNING")
    return env


def cache_key(kind: str, size: int | None, seed: int, day: datetime.date | None = None) -> str:
    """What the rows of a database depend on. Synthetic listings depend on the day too:
    their online bookings' next free times are worked out when they are generated, and
    a day later they are in the past (as if `refresh_next_available` had stopped)."""
    day = day or datetime.datetime.now(datetime.UTC).date()
    digest = hashlib.sha256(f"{kind}:{size}:{seed}:{day if kind == 'listings' else ''}".encode())
    for pattern in SHAPING:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def database(vendor: str, label: str) -> Database:
    """The database for `label` ("10000", "load") on SQLite or PostgreSQL."""
    name = f"{PREFIX}_{label}"
    url = f"sqlite:///{DATA / (name + '.sqlite3')}" if vendor == "sqlite" else f"{POSTGRES_URL}/{name}"
    return Database(vendor, name, url, DATA / f"{name}.{vendor}.json")


def postgres_available() -> bool:
    """True when the PostgreSQL server of BENCH_POSTGRES_URL answers."""
    try:
        import psycopg

        with psycopg.connect(f"{POSTGRES_URL}/postgres", connect_timeout=3):
            return True
    except Exception:
        return False


def postgres_version() -> str | None:
    """ "PostgreSQL 15.2 ..." from the server, or None."""
    try:
        import psycopg

        with psycopg.connect(f"{POSTGRES_URL}/postgres", connect_timeout=3) as conn:
            return conn.execute("SELECT version()").fetchone()[0].split(" on ")[0]
    except Exception:
        return None


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _postgres_rows(db: Database) -> int | None:
    """Locations in a PostgreSQL database, or None when it does not exist or is not migrated."""
    import psycopg

    try:
        with psycopg.connect(db.url, connect_timeout=3) as conn:
            return conn.execute("SELECT count(*) FROM therapists_location").fetchone()[0]
    except Exception:
        return None


def _wipe(db: Database) -> None:
    if db.vendor == "sqlite":
        path = Path(db.url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        _admin(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{db.name}"')


def _is_current(db: Database, key: str, locations: int | None) -> bool:
    if db.read_manifest().get("key") != key:
        return False
    if db.vendor == "sqlite":
        return Path(db.url.removeprefix("sqlite:///")).exists()
    rows = _postgres_rows(db)
    return rows is not None and (locations is None or rows == locations)


def manage(db: Database, *args: str) -> float:
    """Run `manage.py *args` on `db`; returns the seconds it took."""
    started = time.monotonic()
    # Bulk loads and index builds may run longer than a request's DB_TIMEOUT.
    env = {**db.environ(), "DB_TIMEOUT": "0"}
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)
    return time.monotonic() - started


def collect_static() -> None:
    """`collectstatic`, as a deploy does: with DEBUG off, pages may need the collected files."""
    command = [PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"]
    subprocess.run(command, cwd=ROOT, env=production_environ(), check=True)


def ensure_listings(vendor: str, locations: int, seed: int = SEED, log=print) -> Database:
    """A database of `locations` synthetic locations, built unless a current one is cached."""
    db = database(vendor, str(locations))
    key = cache_key("listings", locations, seed)
    if _is_current(db, key, locations):
        log(
            f"{db.name} on {vendor}: cached ({db.read_manifest().get('generate_seconds', '?')} s to generate)"
        )
        return db
    log(f"{db.name} on {vendor}: building {locations:,} locations (seed {seed})")
    DATA.mkdir(parents=True, exist_ok=True)
    db.manifest.unlink(missing_ok=True)
    _wipe(db)
    setup = manage(db, "migrate", "--no-input", "-v0") + manage(db, "loaddata", "gazetteer", "-v0")
    seconds = manage(db, "generate_listings", "--locations", str(locations), "--seed", str(seed))
    manifest = {
        "key": key,
        "locations": locations,
        "seed": seed,
        "setup_seconds": round(setup, 1),
        "generate_seconds": round(seconds, 1),
        "built": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    db.manifest.write_text(json.dumps(manifest, indent=2))
    return db


def ensure_demo(vendor: str, log=print) -> Database:
    """A database with the gazetteer and the demo listings, for the load test."""
    db = database(vendor, "load")
    key = cache_key("demo", None, 0)
    if _is_current(db, key, None):
        log(f"{db.name} on {vendor}: cached")
        return db
    log(f"{db.name} on {vendor}: loading the demo data")
    DATA.mkdir(parents=True, exist_ok=True)
    db.manifest.unlink(missing_ok=True)
    _wipe(db)
    manage(db, "migrate", "--no-input", "-v0")
    # --force: DEBUG is off here, as in production; the demo accounts do not matter to a load test.
    manage(db, "load_demo", "--force", "-v0")
    db.manifest.write_text(json.dumps({"key": key, "built": time.strftime("%Y-%m-%d %H:%M:%S")}, indent=2))
    return db


def vendors_from_env(log=print) -> list[str]:
    """BENCH_DATABASES (default "sqlite,postgresql"), without PostgreSQL when its server is down."""
    wanted = [
        v.strip() for v in os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",") if v.strip()
    ]
    unknown = set(wanted) - {"sqlite", "postgresql"}
    if unknown:
        raise SystemExit(f"BENCH_DATABASES: unknown {', '.join(sorted(unknown))} (sqlite, postgresql)")
    if "postgresql" in wanted and not postgres_available():
        log("*" * 72)
        log(f"* PostgreSQL at {POSTGRES_URL} does not answer: SKIPPING PostgreSQL.")
        log("*" * 72)
        wanted.remove("postgresql")
    return wanted
