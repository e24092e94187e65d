import time

from django.core.management.base import BaseCommand, CommandError

from therapists import synthetic


class Command(BaseCommand):
    help = (
        "Create synthetic clinics, locations and therapists for benchmarks: places weighted by "
        "population from the gazetteer, the same rows for the same seed. Fills an empty database "
        "only; --replace first deletes every clinic, location and therapist."
    )

    def add_arguments(self, parser):
        parser.add_argument("--locations", type=int, required=True, help="How many locations to create.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete every clinic, location and therapist (and their consult requests) first.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count what would be made, write nothing.")

    def handle(self, *args, locations, seed, replace, dry_run, verbosity, **options):
        if locations < 1:
            raise CommandError("--locations must be at least 1")
        existing = synthetic.existing_listings()
        if any(existing.values()):
            listed = ", ".join(f"{count} {name}" for name, count in existing.items())
            if dry_run:
                self.stdout.write(f"Would delete {listed} (with --replace)")
            elif replace:
                synthetic.delete_listings()
                self.stdout.write(f"Deleted {listed}")
            else:
                raise CommandError(
                    f"The database already lists {listed}. generate_listings fills an empty database; "
                    "pass --replace to delete every listing first."
                )
        started = time.monotonic()

        def progress(done: int) -> None:
            if verbosity > 1:
                self.stdout.write(f"{done} locations, {time.monotonic() - started:.1f} s")

        try:
            counts = synthetic.generate_listings(locations, seed, dry_run=dry_run, progress=progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        summary = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in counts.items())
        verb = "Would create" if dry_run else "Created"
        self.stdout.write(f"{verb} {summary} in {time.monotonic() - started:.1f} s (seed {seed})")
