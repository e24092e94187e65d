from django.core.management.base import BaseCommand

from booking import slots


class Command(BaseCommand):
    help = (
        "Recompute every therapist's next free slot (for search and cards). Run it from cron "
        "every few minutes: the booking window rolls forward with the clock."
    )

    def handle(self, *args, **options):
        count = slots.refresh_next_available()
        self.stdout.write(f"Refreshed {count} online bookings.")
