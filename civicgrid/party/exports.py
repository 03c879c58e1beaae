"""Excel exports: the reporting roster, rankings and awards. Scoped like the pages (they take
the rows the selectors returned for the user), need "export", and are audited."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import PermissionDenied
from civicgrid.core.models import AuditLog
from civicgrid.orgs.access import has_capability

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def require_export(user, *, what: str, request=None, detail: dict | None = None) -> None:
    if not has_capability(user, "export"):
        raise PermissionDenied(_("您没有导出权限。"))
    audit_record(
        actor=user, action=AuditLog.Action.EXPORT, field=what, detail=detail or {}, request=request
    )


def _book(title: str, header: list[str], rows, widths=()) -> bytes:
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = title[:31]
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(list(r))
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(65 + i)].width = w
    ws.freeze_panes = "A3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _local(t) -> str:
    return f"{timezone.localtime(t):%Y-%m-%d %H:%M}" if t else ""


def roster_xlsx(reports) -> bytes:
    header = [
        _("类型"),
        _("姓名/单位"),
        _("报到社区"),
        _("状态"),
        _("回执编号"),
        _("特长技能"),
        _("服务意愿"),
        _("可服务时间"),
        _("报到时间"),
        _("确认时间"),
        _("工作单位/单位类型"),
        _("原因"),
    ]
    rows = []
    for r in reports:
        if r.member_id:
            who, extra = r.member.name, (r.member.work_unit.name if r.member.work_unit_id else "")
        else:
            who, extra = r.unit.name, r.unit.get_kind_display()
        rows.append(
            [
                r.get_kind_display(),
                who,
                r.community.name,
                r.get_status_display(),
                r.receipt_number,
                r.skills,
                "、".join(r.service_labels()),
                r.get_availability_display(),
                _local(r.submitted_at),
                _local(r.decided_at),
                extra,
                r.reason,
            ]
        )
    return _book(_("双报到名册"), header, rows, (14, 20, 14, 10, 24, 20, 24, 12, 17, 17, 18, 20))


def ranking_xlsx(rows, *, title: str) -> bytes:
    header = [_("名次"), _("名称"), _("所在社区·网格"), _("积分")]
    return _book(title, header, ([r.rank, r.name, r.place, r.total] for r in rows), (6, 24, 28, 10))


def awards_xlsx(awards: list[tuple[str, list, str]], *, title: str) -> bytes:
    """``awards``: (award name, rows, measure label) in sheet order."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows, measure in awards:
        ws = wb.create_sheet(name[:31])
        ws.append([f"{title} · {name}"])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([_("名次"), _("名称"), _("所在社区·网格"), measure])
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for r in rows:
            ws.append([r.rank, r.name, r.place, r.total])
        for col, w in zip("ABCD", (6, 24, 28, 12), strict=True):
            ws.column_dimensions[col].width = w
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
