from django.apps import AppConfig


class FinderConfig(AppConfig):
    """The project itself, as an app so that its system checks are registered."""

    name = "finder"

    def ready(self):
        from finder import checks  # noqa: F401  (registers the checks)
