from django.apps import AppConfig


class TherapistsConfig(AppConfig):
    name = "therapists"
    verbose_name = "Therapist directory"
