"""Settings for the therapist finder, read from the environment.

Every variable is listed with its default in `.env.example` and the README.
SQLite in the project folder is the default so that a fresh checkout just works;
`DATABASE_URL` switches to PostgreSQL in production.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str = "False") -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"", "0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG")

# The development key is deliberately marked insecure so that `check --deploy`
# flags any deployment that forgot to set SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-development-key-do-not-deploy")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "django_ratelimit",
    "import_export",
    "therapists",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
SQLITE_OPTIONS = {
    # WAL lets readers and one writer work at once; memory-mapped reads (up to
    # SQLite's 2 GB cap) save a system call per page on large databases.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=2147418112;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections buy nothing on SQLite and keep files open in tests.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-ca"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Winnipeg")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Filling a location's coordinates in the admin (therapists.geocoding). The
# gazetteer is always used first, offline; a network geocoder (OpenStreetMap's
# Nominatim, at most one request per second) is only asked when this is on.
GEOCODING_ENABLED = envbool("GEOCODING_ENABLED")
# Nominatim's usage policy asks every application to identify itself.
GEOCODER_USER_AGENT = os.environ.get("GEOCODER_USER_AGENT", "therapist-finder/0.1")
# Seconds to wait for the network geocoder before giving up.
GEOCODER_TIMEOUT = int(os.environ.get("GEOCODER_TIMEOUT", "5"))

# Caches. Local memory by default (one process); production shares Redis so that
# rate limits hold across processes and servers.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = []
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # django-ratelimit flags a per-process cache; fine for one development process.
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003", "django_ratelimit.W001"]

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
CONSULT_DUPLICATE_MINUTES = 10  # the same request again within this folds into the first
CONSULT_RETENTION_DAYS = int(os.environ.get("CONSULT_RETENTION_DAYS", "365"))
