from django.core.management.base import BaseCommand

from booking import bookings
from therapists import leads


class Command(BaseCommand):
    help = "Delete every consult request and booking made with an email address (a deletion request)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--dry-run", action="store_true", help="Count what would go, delete nothing.")

    def handle(self, *args, email, dry_run, **options):
        requests = leads.requests_of(email)
        if dry_run:
            self.stdout.write(f"{requests.count()} requests would be deleted")
            return
        deleted, _ = requests.delete()
        self.stdout.write(f"Deleted {deleted} requests")
        self.stdout.write(f"Deleted {bookings.erase_person(email)} bookings")
