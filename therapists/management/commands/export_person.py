import json

from django.core.management.base import BaseCommand

from therapists import leads


class Command(BaseCommand):
    help = "Print, as JSON, every consult request made with an email address (an access request)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        self.stdout.write(json.dumps(leads.export_person(email), indent=2, ensure_ascii=False))
