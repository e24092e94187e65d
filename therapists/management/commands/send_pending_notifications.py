from django.core.management.base import BaseCommand

from therapists import leads


class Command(BaseCommand):
    help = "Email clinics about consult requests that could not be notified yet (run it every few minutes)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what is pending, send nothing.")

    def handle(self, *args, dry_run, **options):
        if dry_run:
            self.stdout.write(f"{leads.pending_notifications().count()} requests waiting to be notified")
            return
        sent, failed = leads.send_pending_notifications()
        self.stdout.write(f"{sent} notified, {failed} still waiting")
