from django.core.management.base import BaseCommand

from booking import bookings


class Command(BaseCommand):
    help = (
        "Email patients a reminder of their appointment the day before (run hourly from cron). "
        "Reminders hold no health details."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the reminders due, send none.")

    def handle(self, *args, dry_run=False, **options):
        count = bookings.send_reminders(dry_run=dry_run)
        verb = "would send" if dry_run else "sent"
        self.stdout.write(f"Reminders {verb}: {count}.")
