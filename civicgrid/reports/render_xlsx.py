"""A report as an Excel workbook: a summary sheet with key figures and charts, a sheet per table."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

from .content import Content

BOLD = Font(bold=True)


def _sheet_title(text: str, used: set[str]) -> str:
    title = "".join(ch for ch in text if ch not in "[]:*?/\\")[:28] or "Sheet"
    base, n = title, 2
    while title in used:
        title, n = f"{base}{n}", n + 1
    used.add(title)
    return title


def render(content: Content) -> bytes:
    wb = Workbook()
    summary = wb.active
    used = {_("概况")}
    summary.title = _("概况")
    summary.append([content.title])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([_("周期"), content.period.label])
    summary.append([])
    for label, value in content.key_figures:
        summary.append([label, value])
    summary.column_dimensions["A"].width = 24
    row = summary.max_row + 2
    for chart in content.charts:
        if not chart.labels:
            continue
        data = wb.create_sheet(_sheet_title(chart.title, used))
        data.append([_("名称"), chart.title])
        for label, value in zip(chart.labels, chart.values, strict=True):
            data.append([label, value])
        bar = BarChart()
        bar.title = chart.title
        bar.legend = None
        n = len(chart.labels)
        bar.add_data(Reference(data, min_col=2, min_row=1, max_row=n + 1), titles_from_data=True)
        bar.set_categories(Reference(data, min_col=1, min_row=2, max_row=n + 1))
        summary.add_chart(bar, f"D{row}")
        row += 16
    for table in content.tables:
        ws = wb.create_sheet(_sheet_title(table.title, used))
        ws.append(table.headers)
        for cell in ws[1]:
            cell.font = BOLD
        for r in table.rows:
            ws.append(["" if v is None else v for v in r])
        for i, _h in enumerate(table.headers):
            ws.column_dimensions[chr(ord("A") + i)].width = 16
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
