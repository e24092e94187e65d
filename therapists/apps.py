from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TherapistsConfig(AppConfig):
    name = "therapists"
    verbose_name = _("Therapist directory")

    def ready(self):
        from therapists import (
            catalogue,
            maps,  # noqa: F401  (registers its system check)
            page_cache,
        )

        # Cached search pages are forgotten on every write of listing data.
        page_cache.connect_signals()
        # Each process's copy of the reference data is forgotten when it changes.
        catalogue.connect_signals()
