"""The 12345 exchange back: status and results of hotline-sourced cases, for the hotline
platform to close its own records.

The file has the import's columns first (the hotline's order number leading, so the platform
matches its rows), then the result columns. It is scoped like every export (the cases
``Case.objects.restrict(user, "export")`` returns), masks the caller's name and phone unless a
full export is asked for (which needs ``reveal_pii`` and applies only inside that scope), and
writes an ``AuditLog`` row. Formats: .xlsx, or .csv in UTF-8 with BOM or GBK (GB 18030).
Re-importing the file changes nothing: every order number already exists and is skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from civicgrid.core import crypto
from civicgrid.core.audit import audit_record
from civicgrid.core.errors import PermissionDenied, ValidationFailed
from civicgrid.core.models import AuditLog
from civicgrid.core.tabular import ExportFile, _reveal_flag
from civicgrid.orgs.access import has_capability

from .choices import Rating, Source
from .hotline import COLUMNS as IMPORT_COLUMNS
from .models import Case, CaseEvent

# The result columns a 12345 platform needs to close its record (a file format: not translated).
RESULT_COLUMNS = [
    "事件编号",
    "办理状态",
    "承办单位",
    "上报时间",
    "受理时间",
    "办结时限",
    "时限状态",
    "办结时间",
    "办理结果",
    "评价",
    "是否满意",
    "评价意见",
    "重办次数",
    "归档时间",
    "最后更新",
]
COLUMNS = list(IMPORT_COLUMNS) + RESULT_COLUMNS
FORMATS = ("xlsx", "csv", "csv-gbk")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
SATISFIED = {Rating.SATISFIED: "是", Rating.BASICALLY: "是", Rating.DISSATISFIED: "否"}


@dataclass(frozen=True)
class HotlineFilter:
    """Created within [date_from, date_to] (local days, both optional) and/or changed since
    an instant (a save of the case or a ledger row at or after it)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    changed_since: dt.datetime | None = None

    def __post_init__(self):
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValidationFailed(_("起始日期不能晚于截止日期。"))
        if self.changed_since is not None and timezone.is_naive(self.changed_since):
            object.__setattr__(self, "changed_since", timezone.make_aware(self.changed_since))


def hotline_cases(user, flt: HotlineFilter) -> QuerySet[Case]:
    """Hotline-sourced cases with an order number that the user may export, oldest first,
    with the latest resolve note as ``result_note``."""
    tz = timezone.get_current_timezone()
    qs = Case.objects.restrict(user, "export").filter(source=Source.HOTLINE).exclude(external_id="")
    if flt.date_from:
        qs = qs.filter(created_at__gte=dt.datetime.combine(flt.date_from, dt.time.min, tzinfo=tz))
    if flt.date_to:
        end = dt.datetime.combine(flt.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(created_at__lt=end)
    if flt.changed_since:
        changed = CaseEvent.objects.filter(case_id=OuterRef("pk"), at__gte=flt.changed_since)
        qs = qs.filter(Q(updated_at__gte=flt.changed_since) | Exists(changed))
    resolve_note = (
        CaseEvent.objects.filter(case_id=OuterRef("pk"), action="resolve")
        .order_by("-at", "-id")
        .values("note")[:1]
    )
    return (
        qs.select_related("item", "area", "grid", "handler_area", "handler_unit")
        .annotate(result_note=Subquery(resolve_note))
        .order_by("created_at", "id")
    )


def _local(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def export_row(case: Case, *, reveal: bool) -> list:
    """One order: the import's columns, then the results (times as naive local datetimes)."""
    return [
        case.external_id,
        case.text,
        case.item.code,
        case.item.name,
        case.reporter_name if reveal else crypto.mask_name(case.reporter_name),
        case.reporter_phone if reveal else crypto.mask_phone(case.reporter_phone),
        case.address,
        case.lon,
        case.lat,
        case.grid.code if case.grid_id else "",
        case.area.code,
        "是" if case.urgent else "否",
        case.number,
        case.get_status_display(),
        case.handler_name,
        _local(case.created_at),
        _local(case.accepted_at),
        _local(case.resolve_due),
        case.get_sla_state_display(),
        _local(case.resolved_at),
        case.result_note or "",
        case.get_rating_display() if case.rating else "",
        SATISFIED.get(case.rating, ""),
        case.rating_comment,
        case.reopen_count,
        _local(case.closed_at),
        _local(case.updated_at),
    ]


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime(TIME_FORMAT)
    return str(value)


def export_hotline(
    *,
    user,
    flt: HotlineFilter,
    fmt: str = "xlsx",
    reveal: bool = False,
    request=None,
) -> ExportFile:
    """The user's hotline cases in ``fmt`` (xlsx, csv = UTF-8 with BOM, csv-gbk); needs
    "export" (and "reveal_pii" for ``reveal``); audited with the filters and the row count."""
    if not has_capability(user, "export"):
        raise PermissionDenied(_("您没有导出数据的权限。"))
    if fmt not in FORMATS:
        raise ValidationFailed(_("未知的导出格式 %(f)s(可选:xlsx、csv、csv-gbk)。") % {"f": fmt})
    if reveal and not has_capability(user, "reveal_pii"):
        raise PermissionDenied(_("您没有导出完整个人信息的权限。"))
    qs = hotline_cases(user, flt).annotate(
        io_reveal=_reveal_flag(Case, user) if reveal else Value(False)
    )
    rows = (export_row(c, reveal=bool(c.io_reveal)) for c in qs.iterator(chunk_size=2000))
    out = tempfile.TemporaryFile()
    count = _write_xlsx(out, rows) if fmt == "xlsx" else _write_csv(out, rows, fmt)
    out.seek(0)
    audit_record(
        actor=user,
        action=AuditLog.Action.EXPORT,
        request=request,
        detail={
            "what": "hotline",
            "format": fmt,
            "rows": count,
            "pii": "full" if reveal else "masked",
            "date_from": flt.date_from.isoformat() if flt.date_from else None,
            "date_to": flt.date_to.isoformat() if flt.date_to else None,
            "changed_since": flt.changed_since.isoformat() if flt.changed_since else None,
        },
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    ext = "xlsx" if fmt == "xlsx" else "csv"
    return ExportFile(file=out, filename=f"hotline-results-{stamp}.{ext}", rows=count)


def _write_xlsx(out, rows) -> int:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("12345工单办理结果")
    for i, header in enumerate(COLUMNS, start=1):
        wide = header in ("诉求内容", "办理结果", "评价意见", "地址")
        ws.column_dimensions[get_column_letter(i)].width = 40 if wide else 16
    ws.freeze_panes = "B2"
    ws.append(COLUMNS)
    count = 0
    for row in rows:
        ws.append(row)
        count += 1
    wb.save(out)
    return count


def _write_csv(out, rows, fmt: str) -> int:
    # GB 18030 is the superset of GBK that Chinese Excel reads; it loses no character.
    encoding = "gb18030" if fmt == "csv-gbk" else "utf-8-sig"
    text = io.TextIOWrapper(out, encoding=encoding, newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([_cell_text(v) for v in row])
        count += 1
    text.flush()
    text.detach()
    return count
