"""Export the rows of a kind that a user may see to an .xlsx file."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civicgrid.core import tabular
from civicgrid.core.errors import ApplicationError

from .import_excel import command_user


class Command(BaseCommand):
    help = "Export areas, grids, units, residents or party members as the given user (masked unless --full)."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=sorted(tabular.KINDS))
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument("--user", required=True, help="username whose scope applies")
        parser.add_argument(
            "--full",
            action="store_true",
            help="full ID and phone numbers (needs reveal_pii; audited)",
        )

    def handle(self, *args, **opts):
        user = command_user(opts["user"])
        try:
            f = tabular.export_xlsx(user=user, kind=opts["kind"], reveal=opts["full"])
        except ApplicationError as exc:
            raise CommandError(str(exc.message))
        with f.file, Path(opts["out"]).open("wb") as out:
            shutil.copyfileobj(f.file, out)
        self.stdout.write(f"{opts['kind']}: {f.rows} rows written to {opts['out']}")
