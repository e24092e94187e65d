import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from therapists import demo

GAZETTEER = Path(settings.BASE_DIR) / "fixtures" / "gazetteer.json"


class Command(BaseCommand):
    help = "Rebuild fixtures/demo.json (fictional clinics and therapists) reproducibly from a seed."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "fixtures" / "demo.json"))
        parser.add_argument("--seed", type=int, default=demo.SEED)
        parser.add_argument("--dry-run", action="store_true", help="Count the objects, write nothing.")

    def handle(self, *args, output, seed, dry_run, **options):
        # FSA centroids come from the gazetteer fixture, so no database is needed.
        centroids = {
            obj["fields"]["name"]: (obj["fields"]["latitude"], obj["fields"]["longitude"])
            for obj in json.loads(GAZETTEER.read_text(encoding="utf-8"))
            if obj["model"] == "therapists.place" and obj["fields"]["kind"] == "fsa"
        }
        objects = demo.build(centroids, seed)
        counts = {}
        for obj in objects:
            counts[obj["model"]] = counts.get(obj["model"], 0) + 1
        self.stdout.write(", ".join(f"{n} {model.split('.')[1]}" for model, n in counts.items()))
        if dry_run:
            return
        lines = ",\n".join(json.dumps(obj, ensure_ascii=False) for obj in objects)
        Path(output).write_text(f"[\n{lines}\n]\n", encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}"))
