from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from booking import demo as booking_demo
from therapists.demo import DEMO_PASSWORD, create_demo_accounts, create_demo_workspace, draw_demo_photos
from therapists.models import Therapist


class Command(BaseCommand):
    help = (
        "Load the gazetteer and the fictional demo clinics and therapists, draw their placeholder "
        "photos into MEDIA_ROOT, and create the demo "
        f"accounts (password {DEMO_PASSWORD!r}). Loading twice changes nothing. Development only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load even though DEBUG is off (demo accounts are public)."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when therapists are already listed."
        )

    def handle(self, *args, force, if_empty, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo data and accounts with a public password while DEBUG is off. "
                "Set DEBUG=1 for development, or pass --force if you really mean it."
            )
        if if_empty and Therapist.objects.exists():
            self.stdout.write("Therapists are already listed; leaving the database as it is.")
            return
        call_command("loaddata", "gazetteer", "demo", verbosity=0)
        drawn = draw_demo_photos()
        usernames = create_demo_accounts()
        create_demo_workspace()
        # Online booking: made at load time, relative to now (booking.demo says why).
        self.stdout.write(booking_demo.load())
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the demo data ({drawn} placeholder photos drawn into MEDIA_ROOT). "
                f"Accounts: {', '.join(usernames)} (password {DEMO_PASSWORD!r})."
            )
        )
