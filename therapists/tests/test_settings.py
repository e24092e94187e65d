import importlib
import re
import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import finder.settings


@pytest.fixture
def reload_settings(monkeypatch):
    """Re-read finder/settings.py under a patched environment; restore it afterwards."""
    for name in [
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "CACHE_URL",
        "HTTPS",
        "HSTS_SECONDS",
        "HSTS_INCLUDE_SUBDOMAINS",
        "HSTS_PRELOAD",
        "SECURE_PROXY_SSL_HEADER",
        "ADMIN_URL",
        "TRUSTED_PROXY_COUNT",
        "DB_TIMEOUT",
        "DATABASE_REPLICA_URLS",
        "CONN_MAX_AGE",
        "METRICS_ALLOWED_IPS",
        "PAGE_CACHE_SECONDS",
    ]:
        monkeypatch.delenv(name, raising=False)

    def reload(**environ):
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(finder.settings)

    yield reload
    monkeypatch.undo()
    importlib.reload(finder.settings)


def test_debug_is_off_unless_asked_for(reload_settings):
    assert reload_settings().DEBUG is False
    assert reload_settings(DEBUG="1").DEBUG is True
    assert reload_settings(DEBUG="false").DEBUG is False


def test_a_misspelt_debug_value_is_refused_rather_than_guessed(reload_settings):
    with pytest.raises(ValueError, match="DEBUG must be a boolean"):
        reload_settings(DEBUG="maybe")


def test_the_secret_key_and_hosts_come_from_the_environment(reload_settings):
    settings = reload_settings(
        SECRET_KEY="s3cr3t-from-env", ALLOWED_HOSTS="finder.example, www.finder.example"
    )

    assert settings.SECRET_KEY == "s3cr3t-from-env"
    assert settings.ALLOWED_HOSTS == ["finder.example", "www.finder.example"]


def test_the_development_secret_key_is_one_that_check_deploy_flags(reload_settings):
    assert reload_settings().SECRET_KEY.startswith("django-insecure-")


def test_without_database_url_it_uses_sqlite_set_up_for_concurrent_writers(reload_settings):
    database = reload_settings().DATABASES["default"]

    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert str(database["NAME"]).endswith("db.sqlite3")
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database["OPTIONS"]["timeout"] > 0
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]


def test_sqlite_connections_are_kept_across_requests_with_health_checks(reload_settings):
    database = reload_settings().DATABASES["default"]
    one_per_request = reload_settings(CONN_MAX_AGE="0").DATABASES["default"]

    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True
    assert one_per_request["CONN_MAX_AGE"] == 0


def test_a_postgres_database_url_selects_postgresql(reload_settings):
    database = reload_settings(DATABASE_URL="postgres://finder:pw@db.internal:5433/finder").DATABASES[
        "default"
    ]

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"], database["USER"]) == (
        "db.internal",
        5433,
        "finder",
        "finder",
    )
    assert "transaction_mode" not in database.get("OPTIONS", {})


def test_without_cache_url_the_cache_is_local_memory(reload_settings):
    assert reload_settings().CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_a_redis_cache_url_selects_djangos_redis_cache(reload_settings):
    cache = reload_settings(CACHE_URL="redis://cache.internal:6379/2").CACHES["default"]

    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://cache.internal:6379/2"
    assert cache["OPTIONS"]["socket_timeout"] > 0


def test_an_unknown_cache_url_is_refused(reload_settings):
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        reload_settings(CACHE_URL="memcached://cache.internal:11211")


def test_plain_http_is_the_default_so_make_serve_works_on_localhost(reload_settings):
    settings = reload_settings()

    assert settings.SECURE_SSL_REDIRECT is False
    assert settings.SESSION_COOKIE_SECURE is False and settings.CSRF_COOKIE_SECURE is False
    assert settings.SECURE_HSTS_SECONDS == 0
    assert settings.SECURE_PROXY_SSL_HEADER is None


def test_https_turns_on_the_redirect_secure_cookies_and_a_year_of_hsts(reload_settings):
    settings = reload_settings(HTTPS="1")

    assert settings.SECURE_SSL_REDIRECT is True
    assert settings.SESSION_COOKIE_SECURE is True and settings.CSRF_COOKIE_SECURE is True
    assert settings.SECURE_HSTS_SECONDS == 365 * 24 * 3600
    assert settings.SECURE_HSTS_INCLUDE_SUBDOMAINS is True and settings.SECURE_HSTS_PRELOAD is True
    assert settings.SESSION_COOKIE_HTTPONLY is True and settings.CSRF_COOKIE_HTTPONLY is True


def test_hsts_can_start_short_while_https_is_being_tried(reload_settings):
    assert reload_settings(HTTPS="1", HSTS_SECONDS="300").SECURE_HSTS_SECONDS == 300
    with pytest.raises(ValueError, match="HSTS_SECONDS must be a whole number"):
        reload_settings(HTTPS="1", HSTS_SECONDS="a year")


def test_the_proxy_header_names_the_header_the_proxy_sets(reload_settings):
    settings = reload_settings(SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")

    assert settings.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.parametrize("path", ["admin/", "staff-7f3a/", "back/office/"])
def test_the_admin_path_comes_from_the_environment(reload_settings, path):
    settings = reload_settings(ADMIN_URL=path)

    assert path == settings.ADMIN_URL


@pytest.mark.parametrize("path", ["", "admin", "/admin/", "ad min/", "admin//", "../admin/"])
def test_an_admin_path_that_would_not_route_is_refused(reload_settings, path):
    with pytest.raises(ImproperlyConfigured, match="ADMIN_URL"):
        reload_settings(ADMIN_URL=path)


def test_every_variable_the_settings_read_is_documented():
    base = Path(finder.settings.BASE_DIR)
    source = (base / "finder" / "settings.py").read_text()
    names = set(re.findall(r'(?:os\.environ\.get|envbool|envint|envlist)\(\s*"([A-Z_]+)"', source))
    example = (base / ".env.example").read_text()
    readme = (base / "README.md").read_text()

    assert len(names) > 20
    assert [name for name in sorted(names) if f"\n{name}=" not in example] == []
    assert [name for name in sorted(names) if f"`{name}`" not in readme] == []


def test_database_timeouts_are_below_gunicorns_worker_timeout(reload_settings):
    gunicorn = runpy.run_path(str(Path(finder.settings.BASE_DIR) / "gunicorn.conf.py"))

    options = reload_settings(DATABASE_URL="postgres://finder@db.example/finder").DATABASES["default"]
    sqlite = reload_settings(DATABASE_URL="").DATABASES["default"]

    statement_ms = int(re.search(r"statement_timeout=(\d+)", options["OPTIONS"]["options"])[1])
    lock_ms = int(re.search(r"lock_timeout=(\d+)", options["OPTIONS"]["options"])[1])
    assert 0 < lock_ms < statement_ms < gunicorn["timeout"] * 1000
    assert 0 < sqlite["OPTIONS"]["timeout"] < gunicorn["timeout"]


def test_db_timeout_0_lifts_the_postgresql_limits_for_bulk_loads(reload_settings):
    settings = reload_settings(DATABASE_URL="postgres://finder@db.example/finder", DB_TIMEOUT="0")

    assert "statement_timeout" not in str(settings.DATABASES["default"].get("OPTIONS"))
