import importlib

import pytest

import finder.settings


@pytest.fixture
def reload_settings(monkeypatch):
    """Re-read finder/settings.py under a patched environment; restore it afterwards."""
    for name in ["DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"]:
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
