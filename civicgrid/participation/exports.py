"""Excel export of the monthly property assessment (same look as the case exports)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RED = PatternFill("solid", fgColor="FDECEC")
YELLOW = PatternFill("solid", fgColor="FFF6DC")


def assessment_xlsx(rows, *, title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("物业考核")[:31]
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    header = [
        _("名次"),
        _("物业公司"),
        _("服务小区"),
        _("户数"),
        _("检查得分"),
        _("投诉件数"),
        _("每百户投诉"),
        _("投诉得分"),
        _("综合得分"),
        _("榜单"),
    ]
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    labels = {"red": _("红榜"), "yellow": _("黄榜")}
    for r in rows:
        ws.append(
            [
                r.rank or "",
                r.name,
                r.compounds,
                r.households,
                float(r.inspection_score) if r.inspection_score is not None else _("未检查"),
                r.complaints,
                float(r.per100),
                float(r.complaint_score),
                float(r.composite) if r.composite is not None else "",
                labels.get(r.list_kind, ""),
            ]
        )
        fill = {"red": RED, "yellow": YELLOW}.get(r.list_kind)
        if fill:
            for cell in ws[ws.max_row]:
                cell.fill = fill
    for col, width in zip("ABCDEFGHIJ", (6, 28, 10, 8, 10, 10, 12, 10, 10, 8), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
