from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from therapists import leads


class Command(BaseCommand):
    help = "Delete consult requests older than the retention period (CONSULT_RETENTION_DAYS)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=settings.CONSULT_RETENTION_DAYS, help="Override the retention period."
        )
        parser.add_argument("--dry-run", action="store_true", help="Count what would go, delete nothing.")

    def handle(self, *args, days, dry_run, **options):
        if days < 1:
            raise CommandError("--days must be at least 1")
        expired = leads.expired(days)
        if dry_run:
            self.stdout.write(f"{expired.count()} requests older than {days} days would be deleted")
            return
        deleted, _ = expired.delete()
        self.stdout.write(f"Deleted {deleted} requests older than {days} days")
