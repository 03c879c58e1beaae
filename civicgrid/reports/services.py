"""Generating and archiving reports. Files live under CIVICGRID_REPORT_DIR; a Report row records
kind, area, period, format, who and when, and the file's SHA-256."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from civicgrid.analytics import rollups
from civicgrid.core.errors import NotFound, ValidationFailed
from civicgrid.geo.models import Area

from . import content, periods, render_pdf, render_xlsx
from .models import Format, Kind, Report

RENDERERS = {Format.XLSX: render_xlsx.render, Format.PDF: render_pdf.render}


def report_dir() -> Path:
    path = Path(getattr(settings, "CIVICGRID_REPORT_DIR", Path(settings.DATA_DIR) / "reports"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_request(*, actor, kind: str, area: Area, fmt: str) -> None:
    """A person may generate a report for an area in their scope, of the kind for its level."""
    if kind not in Kind.values:
        raise ValidationFailed(_("未知的报表类型。"))
    if fmt not in Format.values:
        raise ValidationFailed(_("未知的文件格式。"))
    if actor is not None and not Area.objects.restrict(actor).filter(pk=area.pk).exists():
        raise NotFound()
    if area.level != content.LEVELS[kind]:
        raise ValidationFailed(
            _("%(kind)s只能按%(level)s生成。")
            % {"kind": Kind(kind).label, "level": Area.Level(content.LEVELS[kind]).label}
        )


def report_generate(
    *, actor, kind: str, area: Area, period: str, fmt: str, scheduled: bool = False
) -> Report:
    check_request(actor=actor, kind=kind, area=area, fmt=fmt)
    p = periods.parse(kind, period)
    if p.first > timezone.localdate():
        raise ValidationFailed(_("不能生成尚未开始的周期的报表。"))
    # Recount the days that changes have left stale (the task worker does so moments after
    # each change): the report counts every change committed before it is made.
    rollups.flush()
    data = RENDERERS[fmt](content.build(kind, area, p))
    name = f"{p.first:%Y/%m}/{kind}-{area.code}-{p.label}-{get_random_string(8)}.{fmt}"
    path = report_dir() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    try:
        with transaction.atomic():
            return Report.objects.create(
                kind=kind,
                area=area,
                period=p.label,
                fmt=fmt,
                file=name,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                scheduled=scheduled,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except Exception:
        path.unlink(missing_ok=True)
        raise


def report_bytes(report: Report) -> bytes:
    try:
        data = (report_dir() / report.file).read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise NotFound(_("报表文件已不存在,请重新生成。")) from None
    if hashlib.sha256(data).hexdigest() != report.sha256:
        raise ValidationFailed(_("报表文件已损坏,请重新生成。"))
    return data


def make_due(today=None) -> list[Report]:
    """Scheduled run: the last complete period's reports for every area of each kind's level,
    in both formats, each made once (safe to run again)."""
    made = []
    for kind, level in content.LEVELS.items():
        p = periods.last_complete(kind, today)
        for area in Area.objects.filter(level=level).order_by("code"):
            for fmt in Format.values:
                exists = Report.objects.filter(
                    kind=kind, area=area, period=p.label, fmt=fmt, scheduled=True
                ).exists()
                if not exists:
                    made.append(
                        report_generate(
                            actor=None,
                            kind=kind,
                            area=area,
                            period=p.label,
                            fmt=fmt,
                            scheduled=True,
                        )
                    )
    return made
