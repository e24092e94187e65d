"""Django's makemessages with this project's defaults, so `make messages` and the test
that checks the French file (test_i18n.py) extract exactly the same strings."""

from django.core.management.commands import makemessages

# Folders with no strings of ours: the virtualenv, collected static files, benchmark data.
IGNORED = [".venv", "staticfiles", "bench", "node_modules", "build"]


class Command(makemessages.Command):
    help = "Update locale/<language>/LC_MESSAGES/django.po from the Python code and templates."

    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *IGNORED]
        # File names without line numbers: a moved line does not change the .po file.
        if options.get("add_location") is None:
            options["add_location"] = "file"
        return super().handle(*args, **options)
