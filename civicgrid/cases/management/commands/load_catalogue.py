import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civicgrid.cases.catalogue import load_catalogue
from civicgrid.core.errors import ValidationFailed


class Command(BaseCommand):
    help = "Load or refresh the matter catalogue from JSON (default: the shipped catalogue). Changed items get a new revision."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")

    def handle(self, file=None, **options):
        try:
            result = load_catalogue(path=Path(file) if file else None)
        except ValidationFailed as e:
            raise CommandError(
                f"{e.message}\n{json.dumps(e.details, ensure_ascii=False, indent=1)}"
            )
        self.stdout.write(str(result))
