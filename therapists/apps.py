from django.apps import AppConfig


class TherapistsConfig(AppConfig):
    name = "therapists"
    verbose_name = "Therapist directory"

    def ready(self):
        from therapists import (
            maps,  # noqa: F401  (registers its system check)
            page_cache,
        )

        # Cached search pages are forgotten on every write of listing data.
        page_cache.connect_signals()
