"""Production: deploy checks, security headers and CSP, static files, the health check,
the admin lockout, error pages and structured logs."""

import contextlib
import importlib
import io
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client, RequestFactory
from django.urls import clear_url_caches, reverse

import finder.urls
from finder.logs import JsonFormatter
from finder.proxy import client_ip
from therapists.forms import started_token
from therapists.models import ConsultRequest
from therapists.tests.factories import make_clinic, make_location, make_therapist, make_user

pytestmark = pytest.mark.django_db

BASE_DIR = Path(django_settings.BASE_DIR)

# What an operator sets behind a TLS proxy (docs/deploy.md), minus the database.
PRODUCTION_ENV = {
    "SECRET_KEY": "vT4-production-like-key-9qXz2LmN8rS1wY6bC3dF7gH0jK5pQ_aE2uI4oR6tZ8x",
    "ALLOWED_HOSTS": "finder.example",
    "CSRF_TRUSTED_ORIGINS": "https://finder.example",
    "HTTPS": "1",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "CACHE_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_HOST": "smtp.finder.example",
    "ADMIN_URL": "staff-7f3a/",
}


def manage(*args: str, **environ: str) -> subprocess.CompletedProcess:
    """manage.py in a fresh process with only the given environment (plus SQLite)."""
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": "sqlite:///:memory:", **environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_silent_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr


def test_check_deploy_flags_the_development_defaults():
    result = manage("check", "--deploy")

    for flagged in [
        "security.W004",  # no HSTS
        "security.W008",  # no HTTPS redirect
        "security.W009",  # the public development key
        "security.W012",  # session cookie over plain HTTP
        "security.W016",  # CSRF cookie over plain HTTP
        "finder.W001",  # rate limits in a per-process cache
    ]:
        assert flagged in result.stderr


def test_the_wsgi_application_refuses_to_serve_with_the_development_key():
    code = "import finder.wsgi"

    without_key = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=60,
    )
    with_key = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={"PATH": os.environ["PATH"], "SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"]},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert without_key.returncode != 0 and "Set SECRET_KEY" in without_key.stderr
    assert with_key.returncode == 0, with_key.stderr


# Security headers and the Content Security Policy


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.fixture
def profile():
    clinic = make_clinic("Forks Physio", slug="forks-physio")
    return make_therapist(
        first_name="Dana", last_name="Reyes", slug="dana-reyes", locations=[make_location(clinic)]
    )


def test_pages_carry_a_strict_content_security_policy_and_the_security_headers(client, profile):
    response = client.get(profile.get_absolute_url())

    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


INLINE_CODE = [
    # An inline script; JSON-LD is a data block browsers never run (no CSP needed).
    re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/ld\+json\")[^>]*>", re.IGNORECASE),
    re.compile(r"<style[\s>]", re.IGNORECASE),
    re.compile(r"\sstyle=", re.IGNORECASE),
    re.compile(r"\son[a-z]+=", re.IGNORECASE),  # onclick= and the like
    re.compile(r"javascript:", re.IGNORECASE),
]


def test_our_pages_need_no_inline_scripts_or_styles(client, profile):
    clinic = profile.locations.get().clinic
    urls = [
        reverse("therapists:home"),
        reverse("therapists:search") + "?where=Winnipeg",
        profile.get_absolute_url(),
        clinic.get_absolute_url(),
        reverse("therapists:therapist-consult", args=[profile.slug]),
        "/no-such-page/",
    ]

    for url in urls:
        html = client.get(url).content.decode()
        assert [pattern.pattern for pattern in INLINE_CODE if pattern.search(html)] == [], url


def test_the_admin_login_and_change_pages_carry_the_policy_too(client, profile):
    assert "default-src 'self'" in client.get(reverse("admin:login"))["Content-Security-Policy"]

    client.force_login(make_user("olivia", superuser=True))
    response = client.get(reverse("admin:therapists_therapist_change", args=[profile.pk]))

    assert response.status_code == 200
    assert csp_directives(response)["script-src"] == ["'self'"]


def test_with_https_on_plain_http_is_redirected_and_hsts_is_sent(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    plain = client.get("/search/?where=Winnipeg")
    through_proxy = client.get("/", headers={"X-Forwarded-Proto": "https"})
    health = client.get("/healthz")

    assert plain.status_code == 301 and plain["Location"] == "https://testserver/search/?where=Winnipeg"
    assert through_proxy.status_code == 200
    assert through_proxy["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert health.status_code == 200  # load balancers check over plain HTTP


# Static files


def test_collectstatic_writes_hashed_compressed_files_that_whitenoise_serves(client, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False

    call_command("collectstatic", interactive=False, verbosity=0)
    url = staticfiles_storage.url("css/site.css")
    response = client.get(url, headers={"Accept-Encoding": "gzip"})

    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", url)
    assert (tmp_path / url.removeprefix("/static/")).with_suffix(".css.gz").exists()
    assert url in client.get("/").content.decode()
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"]


# The health check and robots.txt


def test_healthz_answers_ok_while_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]
    assert "Set-Cookie" not in response  # no session, no CSRF cookie


def test_healthz_answers_503_when_the_database_does_not(client):
    with mock.patch("finder.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("connection refused")
        response = client.get("/healthz")

    assert response.status_code == 503
    assert b"database unavailable" in response.content


def test_robots_txt_is_plain_text_and_keeps_crawlers_off_the_consult_forms(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert "Disallow: /therapists/*/consult/" in response.content.decode()


# The admin: a configurable path, and a lockout for password guessers


@pytest.fixture
def admin_at(settings):
    """Rebuild the URLconf with the admin at another path; restore it afterwards."""

    def move(path):
        settings.ADMIN_URL = path
        importlib.reload(finder.urls)
        clear_url_caches()

    yield move
    settings.ADMIN_URL = "admin/"
    importlib.reload(finder.urls)
    clear_url_caches()


def test_the_admin_can_live_at_a_configured_path(client, admin_at):
    admin_at("staff-7f3a/")

    assert reverse("admin:index") == "/staff-7f3a/"
    assert client.get("/staff-7f3a/login/").status_code == 200
    assert client.get("/admin/login/").status_code == 404


@pytest.fixture
def guessed(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_user("olivia", superuser=True)


def log_in(client, username, password, ip="203.0.113.9"):
    return client.post(reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_after_five_wrong_passwords_even_the_right_one_is_refused_and_the_page_says_why(client, guessed):
    failures = [log_in(client, "olivia", f"guess-{n}").status_code for n in range(5)]

    response = log_in(client, "olivia", "pw-for-tests-only")

    assert failures == [200, 200, 200, 200, 429]  # the form again with its error, then locked
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lockout_holds_one_user_at_one_address_only(client, guessed):
    make_user("alice")
    for n in range(5):
        log_in(client, "olivia", f"guess-{n}")

    other_user = log_in(client, "alice", "pw-for-tests-only")
    client.logout()
    other_address = log_in(client, "olivia", "pw-for-tests-only", ip="198.51.100.4")

    assert other_user.status_code == 302
    assert other_address.status_code == 302


def test_a_successful_login_forgets_earlier_failures(client, guessed):
    for n in range(4):
        log_in(client, "olivia", f"guess-{n}")
    assert log_in(client, "olivia", "pw-for-tests-only").status_code == 302
    client.logout()

    for n in range(4):
        log_in(client, "olivia", f"again-{n}")

    assert log_in(client, "olivia", "pw-for-tests-only").status_code == 302


# The client's address behind our proxies


def request_from(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "client"),
    [
        (0, "203.0.113.9", "198.51.100.1", "203.0.113.9"),  # no proxy: the header is the client's word
        (1, "10.0.0.2", "198.51.100.1", "198.51.100.1"),
        (1, "10.0.0.2", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # a forged entry on the left
        (2, "10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.1", "198.51.100.1"),
        (2, "10.0.0.2", "198.51.100.1", "10.0.0.2"),  # did not come through both proxies
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),
        (1, "10.0.0.2", None, "10.0.0.2"),
    ],
)
def test_the_client_address_is_read_only_from_our_own_proxies(settings, proxies, remote, forwarded, client):
    settings.TRUSTED_PROXY_COUNT = proxies

    assert client_ip(request_from(remote, forwarded)) == client


# Error pages and logs


@pytest.fixture
def json_log():
    """Log lines as the production handler writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield SimpleNamespace(lines=lambda: [json.loads(line) for line in stream.getvalue().splitlines()])
    root.removeHandler(handler)


def test_a_missing_page_is_a_friendly_404_in_the_site_style_and_logged_with_its_id(client, json_log):
    response = client.get("/therapists/nobody-by-that-name/")

    assert response.status_code == 404
    assert b"We can't find that page" in response.content
    assert b'class="site-header"' in response.content
    [warning] = [line for line in json_log.lines() if line["logger"] == "django.request"]
    assert warning["request_id"] == response["X-Request-ID"] and warning["status"] == 404


@pytest.mark.parametrize("path", ["/", "/search/?where=Winnipeg", "/no-such-page/"])
def test_a_request_for_another_host_is_a_400_page_naming_our_site_not_a_crash(path, settings):
    settings.SITE_URL = "https://finder.example"
    client = Client(raise_request_exception=False, HTTP_HOST="evil.example")

    response = client.get(path)

    assert response.status_code == 400
    assert b'class="site-header"' in response.content
    assert b"evil.example" not in response.content
    assert b'<link rel="canonical" href="https://finder.example/' in response.content


def test_each_request_gets_an_id_logged_with_its_method_path_status_and_duration(client, json_log):
    response = client.get("/search/", {"where": "R3C 4T3", "q": "Sam Patient back pain"})

    request_id = response["X-Request-ID"]
    [line] = [line for line in json_log.lines() if line["logger"] == "finder.requests"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert line["request_id"] == request_id
    assert (line["method"], line["path"], line["status"]) == ("GET", "/search/", 200)
    assert line["duration_ms"] >= 0 and line["level"] == "INFO" and line["timestamp"].endswith("+00:00")
    assert "Sam" not in json.dumps(json_log.lines()) and "R3C" not in json.dumps(json_log.lines())


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("3f2b8c1e-proxy-request-0001", True),
        ("Root=1-67891233-abcdef012345678912345678", True),
        ("short", False),
        ("x" * 129, False),
        ("abc def ghi jkl", False),
        ('bad"quote-123456', False),
    ],
)
def test_a_sane_incoming_request_id_is_kept_and_anything_else_replaced(client, incoming, kept):
    response = client.get("/robots.txt", headers={"X-Request-ID": incoming})

    assert (response["X-Request-ID"] == incoming) is kept


def test_a_crash_gives_the_friendly_500_page_and_a_log_line_without_the_form_data(
    client, profile, json_log, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    client.raise_request_exception = False
    form = {
        "name": "Wanda Winnipatient",
        "email": "wanda@example.com",
        "phone": "204-555-0187",
        "area": "knee",
        "meeting": "phone",
        "preferred_times": "Tuesday evenings",
        "message": "Torn meniscus last spring",
        "consent": "yes",
        "started": started_token(time.time() - 60),
        "location": str(profile.locations.get().pk),
    }

    with mock.patch("therapists.leads.submit", side_effect=RuntimeError("the database went away")):
        response = client.post(
            reverse("therapists:therapist-consult", args=[profile.slug]),
            form,
            headers={"X-Request-ID": "req-500-abc"},
        )

    assert response.status_code == 500
    assert b"Sorry, something went wrong" in response.content
    assert b"req-500-abc" in response.content
    [error] = [line for line in json_log.lines() if line["level"] == "ERROR"]
    assert error["request_id"] == "req-500-abc" and error["status"] == 500
    assert error["path"] == f"/therapists/{profile.slug}/consult/"
    assert "RuntimeError: the database went away" in error["exception"]
    everything_logged = json.dumps(json_log.lines())
    for private in ["Wanda", "wanda@", "555-0187", "knee", "meniscus", "Tuesday"]:
        assert private not in everything_logged
    assert not ConsultRequest.objects.exists()


@pytest.mark.skipif(
    django_settings.CACHES["default"]["BACKEND"] != "django.core.cache.backends.redis.RedisCache",
    reason="CACHE_URL names no Redis server (CI's PostgreSQL pass sets one)",
)
def test_with_a_redis_cache_url_rate_limits_count_in_redis():
    import redis

    cache.set("finder-redis-probe", 1)
    key = cache.make_and_validate_key("finder-redis-probe")

    assert redis.Redis.from_url(django_settings.CACHES["default"]["LOCATION"]).exists(key)
    cache.delete("finder-redis-probe")


# Timeouts: a held lock fails requests quickly, and the health check says so.

HOLD_SQLITE_WRITE_LOCK_AND_ASK_HEALTHZ = """
import sqlite3, sys, time
import django
django.setup()
from django.db import connection
from django.test import Client
Client().get("/robots.txt")  # warmed up before the lock is taken,
connection.ensure_connection()  # with the app's connection open (WAL)
holder = sqlite3.connect(sys.argv[1], isolation_level=None)
holder.execute("BEGIN IMMEDIATE")
started = time.monotonic()
status = Client().get("/healthz").status_code
print(status, round(time.monotonic() - started, 2))
"""


def test_healthz_answers_503_quickly_while_sqlite_is_locked(tmp_path):
    database = tmp_path / "locked.sqlite3"
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "finder.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "CRITICAL",
    }

    result = subprocess.run(
        [sys.executable, "-c", HOLD_SQLITE_WRITE_LOCK_AND_ASK_HEALTHZ, str(database)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    status, seconds = result.stdout.split()
    assert status == "503", result.stderr
    # The health check's 1.5 s, not the 20 s a request waits for the lock (slack for busy CI).
    assert float(seconds) < 5


def test_healthz_answers_503_quickly_while_postgresql_is_locked(client):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    holder = connection.get_new_connection(connection.get_connection_params())
    try:
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE therapists_location IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        response = client.get("/healthz")
        seconds = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()

    assert response.status_code == 503
    assert seconds < 5  # the health check's 1.5 s, not the 10 s a request waits for a lock


# gunicorn's own logs.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_never_logs_a_query_string_or_a_client_address(tmp_path):
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PYTHONWARNINGS": "ignore",  # WhiteNoise's notice about the missing staticfiles/
    }
    # The access log asked for on the command line too: the configuration still wins.
    command = [sys.executable, "-m", "gunicorn", "finder.wsgi", "--config", "gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", "-"]
    command += ["--no-control-socket"]
    server = subprocess.Popen(command, cwd=BASE_DIR, env=env, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        for path in ["/robots.txt?email=pat.patient%40example.com", "/nowhere?phone=2045550199"]:
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10).read()
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[1]

    assert '"path": "/robots.txt"' in log  # our own request lines are there
    for private in ["pat.patient", "2045550199", "127.0.0.1", "email=", "phone="]:
        assert private not in log
    assert all(line.startswith("{") for line in log.splitlines() if line.strip())


# A newcomer's first run.


@pytest.mark.skipif(shutil.which("make") is None, reason="make is missing")
@pytest.mark.parametrize("target", ["run", "serve"])
def test_make_on_another_port_links_emails_to_that_port(target):
    env = {key: value for key, value in os.environ.items() if key != "SITE_URL"}

    commands = subprocess.run(
        ["make", "-n", target, "PORT=8111"], cwd=BASE_DIR, env=env, capture_output=True, text=True
    ).stdout

    assert "SITE_URL=http://127.0.0.1:8111" in commands.replace('"', "")
    assert "127.0.0.1:8111" in commands


def test_a_set_site_url_wins_over_the_port():
    env = {**os.environ, "SITE_URL": "https://finder.example"}

    commands = subprocess.run(
        ["make", "-n", "run", "PORT=8111"], cwd=BASE_DIR, env=env, capture_output=True, text=True
    ).stdout

    assert "SITE_URL=https://finder.example" in commands


def test_the_site_has_an_icon(client):
    page = client.get("/")
    icon = client.get("/favicon.ico")

    assert icon.status_code == 302
    assert icon["Location"].endswith(".svg")
    assert f'<link rel="icon" href="{icon["Location"]}"' in page.content.decode()
    assert client.get(icon["Location"]).status_code == 200
