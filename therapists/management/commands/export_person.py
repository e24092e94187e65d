import json

from django.core.management.base import BaseCommand

from booking import bookings
from therapists import leads


class Command(BaseCommand):
    help = (
        "Print, as JSON, every consult request and online booking made with an email address "
        "(an access request)."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        held = [*leads.export_person(email), *bookings.export_person(email)]
        self.stdout.write(json.dumps(held, indent=2, ensure_ascii=False))
