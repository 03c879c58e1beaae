"""Scoping builders for the report archive (see orgs/tests/test_scoping_all_models.py)."""

from civicgrid.reports.models import Format, Kind, Report


def _report(side):
    return Report.objects.create(
        kind=Kind.DAILY,
        area=side.community,
        period="2026-10-14",
        fmt=Format.XLSX,
        file=f"2026/10/daily-{side.tag}.xlsx",
        size=1,
        sha256="0" * 64,
    )


BUILDERS = {"reports.report": _report}
