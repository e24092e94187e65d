import importlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

from therapists import catalogue

# Playwright's sync API runs an event loop in this thread, which trips Django's
# async-safety check on every ORM call from a browser test's body.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Browser tests (test_browser*.py) drive Debian's Chromium through Playwright; never
# `playwright install`.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_configure(config):
    """Compile the French catalogue when its .mo is missing or older than the .po (the .mo
    files are not committed: `make translations` makes them, and so does this for a bare
    `pytest`)."""
    po = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if (
        po.exists()
        and shutil.which("msgfmt")
        and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime)
    ):
        subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole test session, shared by every browser test
    module (Playwright's sync API allows one at a time)."""
    if not CHROMIUM.exists():
        pytest.skip(
            "BROWSER TESTS SKIPPED: /usr/bin/chromium is missing. "
            "Install Debian's chromium (`apt-get install chromium` or `make browser`)."
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="BROWSER TESTS SKIPPED: playwright missing")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def english_unless_asked():
    """Each test starts in English: a French page requested by the test client leaves
    French active in this thread (LocaleMiddleware activates it and nothing resets it)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def static_files_without_collectstatic(settings):
    """Production serves static files from collectstatic's output under hashed names;
    tests run without it, so, as under DEBUG, they are found in the source folders."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(scope="session")
def media_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def media_in_a_temporary_folder(settings, media_folder):
    """Photos that tests upload or the demo draws go to a temporary folder, shared by the
    session so that the demo's placeholders (the same names each time) are drawn once."""
    settings.MEDIA_ROOT = media_folder


@pytest.fixture(autouse=True)
def reference_data_read_afresh():
    """Each test reads the reference data of its own database: the copy a process keeps
    (therapists.catalogue) would otherwise hold rows an earlier test rolled back."""
    catalogue.forget()
    yield
    catalogue.forget()


@pytest.fixture(autouse=True)
def no_page_cache_or_replica_reads(settings):
    """Tests see the page made for them, read from the primary: each test's rows live
    in its own transaction, which a replica never sees, and a page kept by an earlier
    test could show its rows. test_page_cache.py and test_replicas.py turn them on."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.DATABASE_REPLICAS = []


@pytest.fixture
def reference_data(transactional_db):
    """Disciplines, body areas, specialties and languages, as migration 0002 loads them.

    (serialized_rollback would restore them too, but not reliably once other test
    modules have shared the in-memory SQLite connection with live_server.)
    """
    migration = importlib.import_module("therapists.migrations.0002_reference_data")
    migration.load_reference_data(apps, None)


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1200, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
