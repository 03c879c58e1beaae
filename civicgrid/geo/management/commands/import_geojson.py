"""manage.py import_geojson FILE --kind areas|grids [--dry-run] [--tolerance METRES]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civicgrid.geo.importers import import_geojson


class Command(BaseCommand):
    help = (
        "Import areas or grids from a GeoJSON FeatureCollection (WGS-84). All or nothing: "
        "on any error nothing is imported, errors are printed one per line and the exit "
        "status is non-zero. An existing code is updated (name, and geometry when given)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON file (FeatureCollection)")
        parser.add_argument("--kind", required=True, choices=["areas", "grids"])
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
        parser.add_argument(
            "--tolerance",
            type=float,
            default=None,
            metavar="METRES",
            help="override CIVICGRID_GRID_TOLERANCE_M for containment and overlap checks",
        )

    def handle(self, *, file, kind, dry_run, tolerance, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise CommandError(
                _("无法读取文件 %(file)s:%(error)s") % {"file": file, "error": e.strerror}
            )
        result = import_geojson(
            actor=None, data=data, kind=kind, dry_run=dry_run, tolerance_m=tolerance
        )
        if result.errors:
            for e in result.errors:
                self.stderr.write(f"{e.key}\t{e.field}\t{e.reason}")
            raise CommandError(_("%(n)d 处错误,未导入任何数据。") % {"n": len(result.errors)})
        summary = _("新建 %(created)d 个,更新 %(updated)d 个,未变 %(unchanged)d 个。") % {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        if dry_run:
            summary = _("试运行,未写入:") + summary
        self.stdout.write(summary)
