"""Load test: gunicorn with production settings, driven by `wrk` on loopback.

    python -m bench.load            # `make load`: the demo data, home, search, a profile, trivial view

Starts `gunicorn finder.wsgi` (one worker per core, DEBUG off, a random
SECRET_KEY), checks every URL answers 200, then runs `wrk` against each for a
bounded time and reports requests per second, p50, p99, errors (non-2xx/3xx
responses and socket errors) and the resident memory of each worker afterwards.
Results go between the load markers in docs/performance.md.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench import databases, report

ROOT = databases.ROOT
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
WRK_THREADS = int(os.environ.get("BENCH_WRK_THREADS", "2"))
WRK_CONNECTIONS = int(os.environ.get("BENCH_WRK_CONNECTIONS", "16"))
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "15"))
WARMUP_SECONDS = 2
SEARCH_PATH = "/search/?where=Winnipeg&discipline=massage"
# The trivial view the search page is compared with; the second is used while the first is missing.
TRIVIAL_PATHS = ["/robots.txt", "/admin/login/"]
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # report the 3xx itself


_NO_REDIRECTS = urllib.request.build_opener(_KeepRedirects)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def workers() -> int:
    return os.cpu_count() or 1


class Server:
    """gunicorn on 127.0.0.1 with production-like settings, for the length of a `with`."""

    def __init__(self, db: databases.Database):
        self.db = db
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        env = self.db.environ()
        env.update(
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            # Plain HTTP on loopback: nothing in front terminates TLS here.
            SECURE_SSL_REDIRECT="0",
        )
        env.pop("DEBUG", None)
        command = [GUNICORN, "finder.wsgi", "--workers", str(workers()), "--bind", f"127.0.0.1:{self.port}"]
        command += ["--log-level", "warning"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with status {self.process.returncode}")
            try:
                self.status("/", timeout=2)
                return self
            except OSError:  # not listening yet (URLError is an OSError)
                time.sleep(0.3)
        self.__exit__()
        raise SystemExit("gunicorn did not answer within 30 s")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def status(self, path: str, timeout: float = 30) -> int:
        """The HTTP status of GET `path`, redirects not followed."""
        try:
            with _NO_REDIRECTS.open(self.base + path, timeout=timeout) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def worker_rss_mb(self) -> list[float]:
        """Private resident memory (MB, RssAnon) of each worker: the master's child processes.

        Not VmRSS: that also counts the pages of the SQLite file the worker has mapped
        (PRAGMA mmap_size), which are the kernel's page cache, shared by every worker."""
        sizes = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            except OSError:
                continue
            if fields.get("PPid", "").strip() == str(self.process.pid) and "RssAnon" in fields:
                sizes.append(int(fields["RssAnon"].split()[0]) / 1024)  # kB -> MB
        return sorted(sizes)


def parse_wrk(output: str) -> dict:
    """Requests/sec, p50 and p99 (ms), non-2xx/3xx responses and socket errors from `wrk --latency`."""

    def latency(percent: str) -> float | None:
        match = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.M)
        return round(float(match.group(1)) * UNITS_MS[match.group(2)], 3) if match else None

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests_per_second": float(rps.group(1)) if rps else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "non_2xx_3xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(map(int, sockets.groups())) if sockets else 0,
    }


def wrk(url: str, seconds: int) -> dict:
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--latency", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def require_wrk() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: `make wrk` installs it (apt-get install wrk).")


def trivial_path(server: Server) -> str:
    """The first of TRIVIAL_PATHS that answers 200."""
    for path in TRIVIAL_PATHS:
        if server.status(path) == 200:
            return path
    raise SystemExit(f"None of {', '.join(TRIVIAL_PATHS)} answers 200")


def run(db: databases.Database, paths: dict[str, str | None], seconds: int = LOAD_SECONDS, log=print) -> dict:
    """Load-test each of `paths` (label: path; None means the trivial view) on one server."""
    require_wrk()
    results = {"workers": workers(), "seconds": seconds, "connections": WRK_CONNECTIONS, "urls": {}}
    with Server(db) as server:
        for label, path in paths.items():
            path = path or trivial_path(server)
            status = server.status(path)
            if status != 200:
                raise SystemExit(f"GET {path} answered {status}, not 200")
            log(f"  wrk {seconds} s: {label} {path}")
            wrk(server.base + path, WARMUP_SECONDS)
            results["urls"][label] = {"path": path, **wrk(server.base + path, seconds)}
        results["worker_rss_mb"] = [round(mb, 1) for mb in server.worker_rss_mb()]
    return results


def demo_paths() -> dict[str, str | None]:
    """Home, a search, a published therapist's profile from the demo fixture, and the trivial view."""
    fixture = json.loads((ROOT / "fixtures" / "demo.json").read_text(encoding="utf-8"))
    slug = next(
        obj["fields"]["slug"]
        for obj in fixture
        if obj["model"] == "therapists.therapist" and obj["fields"]["is_published"]
    )
    return {"Home page": "/", "Search": SEARCH_PATH, "Profile": f"/therapists/{slug}/", "Trivial view": None}


def main() -> None:
    require_wrk()
    databases.collect_static()
    runs = {}
    for vendor in databases.vendors_from_env():
        db = databases.ensure_demo(vendor)
        print(f"Load test on {vendor} (demo data), {workers()} workers", flush=True)
        runs[vendor] = run(db, demo_paths())
    text = report.load_section(runs, databases.postgres_version() if "postgresql" in runs else None)
    print(text)
    report.write_section("load", text)
    print(f"Wrote the load section of {report.PERFORMANCE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
