"""Import an Excel (.xlsx) or CSV file of areas, grids, units, residents or party members."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from civicgrid.core import tabular
from civicgrid.core.errors import ApplicationError


def command_user(username: str | None):
    """The named active user, or without a name the first active superuser."""
    users = get_user_model().objects.filter(is_active=True)
    user = (
        users.filter(username=username).first()
        if username
        else users.filter(is_superuser=True).order_by("pk").first()
    )
    if user is None:
        raise CommandError(
            f"No active user {username!r}." if username else "No active superuser: pass --user."
        )
    return user


class Command(BaseCommand):
    help = (
        "Import a spreadsheet as the given user, with the same checks and scope as the /io/ pages."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", required=True, choices=sorted(tabular.KINDS))
        parser.add_argument(
            "--partial", action="store_true", help="write the good rows, report the rest"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check everything, write nothing"
        )
        parser.add_argument("--user", help="username to act as (default: the first superuser)")
        parser.add_argument("--errors", type=Path, help="where to write the error report (.xlsx)")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = command_user(opts["user"])
        try:
            out = tabular.run_import(
                actor=user,
                kind=opts["kind"],
                content=path.read_bytes(),
                filename=path.name,
                partial=opts["partial"],
                dry_run=opts["dry_run"],
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message))
        for error in out.errors:
            self.stderr.write(str(error))
        state = (
            "dry run, nothing written"
            if out.dry_run
            else ("written" if out.written else "NOT written")
        )
        self.stdout.write(
            f"{out.kind}: {out.total} rows, {out.created} created, {out.updated} updated, "
            f"{out.failed_rows} with errors ({state})"
        )
        if out.report:
            target = (
                Path(opts["errors"])
                if opts["errors"]
                else path.with_name(f"{path.stem}-errors.xlsx")
            )
            target.write_bytes(out.report)
            self.stdout.write(f"error report: {target}")
        if out.errors and not out.written and not out.dry_run:
            raise CommandError(
                "the file has errors; nothing was imported (use --partial to import the good rows)"
            )
