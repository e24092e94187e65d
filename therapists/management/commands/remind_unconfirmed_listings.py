from django.core.management.base import BaseCommand

from therapists import workspace


class Command(BaseCommand):
    help = (
        "Email each clinic's managers a link to confirm its listings not confirmed for six months "
        "(LISTING_CONFIRM_AFTER_DAYS), once a month per clinic. For cron, e.g. daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say who would be emailed; send nothing.")

    def handle(self, *args, dry_run, **options):
        sent = 0
        for reminder in workspace.due_reminders():
            line = f"{reminder.clinic.name}: {reminder.listings} listing(s) to confirm"
            if not reminder.recipients:
                self.stdout.write(f"{line}; no manager with an email address, skipped")
            elif dry_run:
                self.stdout.write(f"{line}; would email {len(reminder.recipients)} manager(s)")
            elif workspace.send_reminder(reminder):
                sent += 1
                self.stdout.write(f"{line}; emailed {len(reminder.recipients)} manager(s)")
        if not dry_run:
            self.stdout.write(self.style.SUCCESS(f"{sent} reminder(s) sent."))
