import pytest


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
