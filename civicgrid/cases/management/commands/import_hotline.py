from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from civicgrid.cases.hotline import import_orders


class Command(BaseCommand):
    help = "Import 12345 hotline work orders from .xlsx or .csv (idempotent by order number)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--user", required=True, help="username the import is done as (its scope applies)"
        )
        parser.add_argument(
            "--partial", action="store_true", help="import the good rows even if some are bad"
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, file, user, partial, dry_run, **options):
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"No user {user!r}.")
        path = Path(file)
        result = import_orders(
            actor=actor,
            content=path.read_bytes(),
            filename=path.name,
            partial=partial,
            dry_run=dry_run,
        )
        for err in result.errors:
            self.stderr.write(str(err))
        self.stdout.write(
            f"created={result.created} skipped={result.skipped} errors={len(result.errors)}"
        )
        if result.errors and not partial:
            raise CommandError("Nothing imported: fix the rows above, or use --partial.")
