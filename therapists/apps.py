from django.apps import AppConfig


class TherapistsConfig(AppConfig):
    name = "therapists"
    verbose_name = "Therapist directory"

    def ready(self):
        from therapists import maps  # noqa: F401  (registers its system check)
