"""Settings for the therapist finder, read from the environment.

Every variable is listed with its default in `.env.example` and the README.
SQLite in the project folder is the default so that a fresh checkout just works;
`DATABASE_URL` switches to PostgreSQL in production.
"""

import ipaddress
import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str = "False") -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"", "0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG")

# The development key is deliberately marked insecure so that `check --deploy`
# flags any deployment that forgot to set SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-development-key-do-not-deploy")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
# Origins (https://finder.example) that may post forms when a proxy in front
# changes the Host header; not needed when the proxy passes Host through.
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

# Where the admin lives, e.g. "staff-7f3a/": a path nobody guesses keeps
# password-guessing bots away from the login form.
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/")
if not re.fullmatch(r"([A-Za-z0-9_~-][A-Za-z0-9_.~-]*/)+", ADMIN_URL):
    raise ImproperlyConfigured(f"ADMIN_URL must be a path like 'admin/' (ending in '/'), not {ADMIN_URL!r}")

INSTALLED_APPS = [
    # Before the admin: its translated fields (name_en, name_fr) show in the admin's forms.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    # Before staticfiles: runserver then serves static files through WhiteNoise too.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "corsheaders",
    "csp",
    "django_filters",
    "django_ratelimit",
    "import_export",
    # The JSON API (therapists.api); listed for its Swagger UI template and assets.
    "ninja",
    "finder",
    "therapists",
    "booking",
]

MIDDLEWARE = [
    # First, so every log line of a request, the errors included, carries its id.
    "finder.logs.RequestIdMiddleware",
    # Times every request for /metrics (finder.metrics), errors and redirects included.
    "finder.metrics.MetricsMiddleware",
    # Before the session is read: decides whether this request may read from a replica.
    "finder.routers.PrimaryPinMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before CommonMiddleware: the language from the URL (/fr/...), else
    # the language cookie, else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    # A plain path, for a visitor who prefers French (cookie, else Accept-Language): to /fr/.
    "finder.language.PreferredLanguageMiddleware",
    # Before CommonMiddleware, as django-cors-headers requires; it answers only under /api/v1/.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes checks every login against recent failures before the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "finder.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "finder.wsgi.application"

# SQLite is set up for several writers at once: WAL lets readers work while one
# connection writes, IMMEDIATE transactions take the write lock up front (no
# "database is locked" upgrade failures mid-transaction) and the timeout (seconds)
# makes a writer wait for the lock instead of failing.
# Seconds a query may run before it fails (on PostgreSQL; a lock is waited for half as
# long), and how long SQLite waits for the write lock: below gunicorn's worker timeout
# (gunicorn.conf.py, 30 s), so a held lock fails one request with an error instead of
# hanging every worker until gunicorn kills them. 0 lifts the PostgreSQL limits (bulk loads).
DB_TIMEOUT = envint("DB_TIMEOUT", 20)

SQLITE_OPTIONS = {
    # WAL lets readers and one writer work at once; memory-mapped reads (up to
    # SQLite's 2 GB cap) save a system call per page on large databases.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=2147418112;",
    "transaction_mode": "IMMEDIATE",
    "timeout": DB_TIMEOUT or 20,
}

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_TIMEOUT:
    DATABASES["default"]["OPTIONS"] = {
        "options": f"-c statement_timeout={DB_TIMEOUT * 1000} -c lock_timeout={DB_TIMEOUT * 500}",
        **DATABASES["default"].get("OPTIONS", {}),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent on SQLite too (CONN_MAX_AGE): reopening the file, re-reading its schema and
    # re-running the PRAGMAs above cost milliseconds a request. Each gunicorn worker (sync: one
    # thread) keeps its own connection; CONN_HEALTH_CHECKS replaces one that broke, WAL keeps
    # readers from blocking the writer and "timeout" is the busy timeout for the write lock.
    # Never opened before gunicorn forks (no preload_app with a query at import time).
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}

# Read replicas (finder.routers): comma-separated PostgreSQL URLs of streaming replicas
# of DATABASE_URL. Public pages read from them; the admin, every write and a client's
# requests for REPLICA_PIN_SECONDS after its last write use the primary (docs/deploy.md).
DATABASE_REPLICA_URLS = envlist("DATABASE_REPLICA_URLS")
REPLICA_PIN_SECONDS = envint("REPLICA_PIN_SECONDS", 10)
DATABASE_REPLICAS = []  # their aliases: replica1, replica2...
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs DATABASE_URL to be PostgreSQL")
    _replica = dj_database_url.parse(
        _url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True
    )
    if _replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URLS: replica {_number} is not a postgres:// URL")
    _replica["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), **_replica.get("OPTIONS", {})}
    # Tests: no test database of its own; it reads the primary's (replicated) test database.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica{_number}")
DATABASE_ROUTERS = ["finder.routers.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Winnipeg")
USE_I18N = True
# English at the site's plain paths, French under /fr/ (finder/urls.py). Canadian usage:
# the locale/fr files are written in Québec French.
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates, numbers, prices and distances follow the page's language ("2.3 km" / "2,3 km",
# "$95" / "95 $"); finder/formats/ changes only the English date to "January 5, 2026".
FORMAT_MODULE_PATH = ["finder.formats"]
# The language a patient picks sticks for a year (seconds).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
# django-modeltranslation: reference data (disciplines, areas of focus, body areas, insurers,
# languages) and bios in both languages; a missing French value falls back to English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves what `collectstatic` wrote: names carry a content hash (cached
# for a year) and gzip copies sit beside them. Under DEBUG the same storage hands
# out plain names and WhiteNoise reads the source folders, so no collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Photos clinics upload (therapists.photos), stored as resized JPEG renditions. Served
# from our own origin: by Django under DEBUG or with SERVE_MEDIA=1 (`make serve`), by
# the proxy in production (docs/deploy.md). MEDIA_URL may be an absolute URL of
# S3-compatible storage instead; CSP then allows images from that origin too.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
SERVE_MEDIA = envbool("SERVE_MEDIA", "1" if DEBUG else "0")
# An upload's limits: its size in bytes, and its pixels (width × height), checked
# before decoding so that a small file that decodes to gigapixels is refused.
PHOTO_MAX_BYTES = envint("PHOTO_MAX_BYTES", 8_000_000)
PHOTO_MAX_PIXELS = envint("PHOTO_MAX_PIXELS", 40_000_000)

# CSV imports in the admin wait here, under random names, between the preview and
# the confirmation (therapists.uploads); unconfirmed ones go after IMPORT_UPLOAD_MAX_AGE seconds.
IMPORT_UPLOAD_DIR = Path(
    os.environ.get("IMPORT_UPLOAD_DIR") or Path(tempfile.gettempdir()) / "finder-imports"
)
IMPORT_UPLOAD_MAX_AGE = 2 * 3600

# Filling a location's coordinates in the admin (therapists.geocoding). The
# gazetteer is always used first, offline; a network geocoder (OpenStreetMap's
# Nominatim, at most one request per second) is only asked when this is on.
GEOCODING_ENABLED = envbool("GEOCODING_ENABLED")
# Nominatim's usage policy asks every application to identify itself.
GEOCODER_USER_AGENT = os.environ.get("GEOCODER_USER_AGENT", "therapist-finder/0.1")
# Seconds to wait for the network geocoder before giving up.
GEOCODER_TIMEOUT = int(os.environ.get("GEOCODER_TIMEOUT", "5"))

# Caches. Local memory by default (one process); production shares Redis
# (CACHE_URL=redis://host:6379/0) so that rate limits hold across processes and servers.
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # Seconds: a stalled Redis fails a request quickly instead of holding a worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    # django-ratelimit's list of supported caches predates Django's own Redis
    # backend, whose incr() is Redis's atomic INCR: exactly what it needs.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
elif CACHE_URL in {"", "locmem://"}:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # django-ratelimit refuses a per-process cache outright; fine for development and
    # tests, and `check --deploy` warns about it (finder.W001).
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
else:
    raise ImproperlyConfigured(
        f"CACHE_URL must be redis://, rediss://, unix:// or locmem://, not {CACHE_URL!r}"
    )

# HTTPS, terminated by a proxy in front (docs/deploy.md). HTTPS=1 redirects plain
# HTTP, keeps cookies to HTTPS and sends HSTS; off, `make serve` works on
# http://127.0.0.1:8000. /healthz is exempt from the redirect: load balancers
# check the app servers over plain HTTP.
HTTPS = envbool("HTTPS")
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("HSTS_INCLUDE_SUBDOMAINS", "1")
SECURE_HSTS_PRELOAD = envbool("HSTS_PRELOAD", "1")
# Only with a proxy that sets this header on every request (and drops a client's
# own): e.g. SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto means "https" there is trusted.
_proxy_ssl_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https") if _proxy_ssl_header else None
)
# How many proxies of ours append to X-Forwarded-For; 0 trusts none and uses the
# connection's address. Rate limits and login lockouts count per client address.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
RATELIMIT_IP_META_KEY = "finder.proxy.client_ip"

# Cookies scripts cannot read (ours never need to), and the headers Django offers.
SESSION_COOKIE_HTTPONLY = True
# Sessions are the admin's (patients never log in): one ends after a working day with no
# request (seconds), so a clinic's computer left logged in overnight is logged out.
# Saved on every request so the day counts from the last one; empty sessions are never saved.
SESSION_COOKIE_AGE = 8 * 3600
SESSION_SAVE_EVERY_REQUEST = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


def _media_origin(url: str) -> list[str]:
    """The origin of an absolute MEDIA_URL (photos on S3-compatible storage), else nothing."""
    match = re.match(r"(https://[^/]+)/", url)
    return [match.group(1)] if match else []


# The map of search results (therapists.maps): a tile server's URL template, with
# {z}/{x}/{y} (and optionally {s}, {r}), and the credit it asks for (HTML, shown on the map).
# Empty: no map button. Under DEBUG (`make run`) OpenStreetMap's own tiles, which are for
# light use only; production names a tile service it is allowed to use. Tiles load only
# once a patient opens the map; the search page's CSP then allows images from its origin.
OPENSTREETMAP_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OPENSTREETMAP_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
MAP_TILES_URL = os.environ.get("MAP_TILES_URL", OPENSTREETMAP_TILES if DEBUG else "").strip()
MAP_TILES_ATTRIBUTION = os.environ.get(
    "MAP_TILES_ATTRIBUTION", OPENSTREETMAP_ATTRIBUTION if MAP_TILES_URL == OPENSTREETMAP_TILES else ""
)

# Content Security Policy (django-csp): our own scripts, styles and images (photos
# included, served from /media/ or the storage MEDIA_URL names) only, nothing inline,
# no framing, forms post only to us. The search page adds the map tile server's origin
# to img-src (therapists.maps.tiles_origin), and only there.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
if _media_origin(MEDIA_URL):
    # Images (default-src) from us and from the photo storage only.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] = [SELF, *_media_origin(MEDIA_URL)]

# Admin login: django-axes locks a username at one address out after repeated
# failures; the right password is refused too until the cool-off ends.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "finder.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "finder.proxy.client_ip"

# Logs: one JSON object a line on stderr, with the request's id, method and path
# (never the query string or form data, which can be personal).
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "finder.logs.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        # Replaces Django's defaults: errors reach the root handler above, never an
        # email with the request's POST data.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # runserver's access lines repeat ours (finder.requests).
        "django.server": {"handlers": [], "propagate": False},
        # Its start-up banner, printed by every management command.
        "axes.apps": {"level": "WARNING"},
    },
}

# Email: the console in development, SMTP otherwise.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 10  # seconds: a slow mail server must not hold a patient's request hostage
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Therapist Finder <no-reply@localhost>")

# Where the site is reached, for links in emails to clinics.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Consult requests.
CONSULT_RATE_LIMIT = os.environ.get("CONSULT_RATE_LIMIT", "5/h")  # per client IP, django-ratelimit syntax
CONSULT_MIN_FILL_SECONDS = 3  # a person needs longer than this to fill the form
CONSULT_FORM_MAX_HOURS = 4  # a consult form is good for one request within this many hours
CONSULT_DUPLICATE_MINUTES = 10  # the same browser asking again within this updates its request
CONSULT_RETENTION_DAYS = int(os.environ.get("CONSULT_RETENTION_DAYS", "365"))

# Listings that stay true: a listing unconfirmed for longer than this many days leaves
# search (its profile says it may be out of date); the clinic's home flags it after
# LISTING_CONFIRM_AFTER_DAYS, when `remind_unconfirmed_listings` also emails a reminder.
LISTING_STALE_AFTER_DAYS = envint("LISTING_STALE_AFTER_DAYS", 365)
LISTING_CONFIRM_AFTER_DAYS = envint("LISTING_CONFIRM_AFTER_DAYS", 182)
REPORT_RATE_LIMIT = os.environ.get("REPORT_RATE_LIMIT", "5/h")  # outdated-information reports per client IP

# The public JSON API (therapists.api): requests one client address may make
# (django-ratelimit syntax, counted in the shared cache), and read-only CORS from
# any origin. Its data is public; no cookies or credentials are ever accepted.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120/m")
CORS_URLS_REGEX = r"^/api/v1/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After"]
CORS_PREFLIGHT_MAX_AGE = 24 * 3600  # seconds browsers may reuse a preflight answer
# Where patients write for a copy of their data or its erasure (shown on /privacy/).
PRIVACY_EMAIL = os.environ.get("PRIVACY_EMAIL", "")

# Prometheus metrics at /metrics (finder.metrics): only for these addresses or networks
# (comma-separated, e.g. 10.0.0.0/8) or a request with `Authorization: Bearer METRICS_TOKEN`;
# 404 for everyone else. gunicorn's workers share them through PROMETHEUS_MULTIPROC_DIR
# (gunicorn.conf.py; docs/deploy.md, "Metrics").
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
try:
    METRICS_ALLOWED_NETWORKS = [
        ipaddress.ip_network(item, strict=False) for item in envlist("METRICS_ALLOWED_IPS")
    ]
except ValueError as error:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {error}") from None

# Search pages for anonymous visitors, kept in the shared cache (therapists.page_cache)
# for at most this many seconds, and never past the next whole minute (when a
# location's "open now" can change). 0 turns the page cache off.
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 60)
