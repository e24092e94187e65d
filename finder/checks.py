"""System checks for a production configuration, run by `manage.py check --deploy`."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """Rate limits count in the cache: a per-process cache lets each gunicorn worker
    and each server count on its own."""
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        return [
            checks.Warning(
                "The cache is local memory, so each process counts rate limits on its own.",
                hint="Set CACHE_URL to the Redis server every app server shares, e.g. redis://127.0.0.1:6379/0.",
                id="finder.W001",
            )
        ]
    return []
