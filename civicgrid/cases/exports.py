"""Excel exports of case lists and assessment tables (write-only workbooks, streamed)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from civicgrid.core import crypto

CASE_COLUMNS = [
    "编号",
    "事项",
    "领域",
    "描述",
    "社区",
    "网格",
    "来源",
    "状态",
    "承办",
    "上报时间",
    "办结时限",
    "时限状态",
    "评价",
    "诉求人电话",
]
ASSESSMENT_COLUMNS = [
    "名称",
    "受理量",
    "有效量",
    "响应率%",
    "办结率%",
    "按时办结率%",
    "满意率%",
    "重办率%",
    "报到率%",
]


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def queue_xlsx(*, user, name: str, params, request=None) -> bytes:
    """A queue as the user sees it (scoped, filtered, phones masked); needs "export"; audited."""
    from civicgrid.core.audit import audit_record
    from civicgrid.core.errors import PermissionDenied
    from civicgrid.orgs.access import has_capability

    from . import selectors

    if not has_capability(user, "export"):
        raise PermissionDenied(_("您没有导出权限。"))
    qs = selectors.apply_filters(selectors.queue(user=user, name=name), params)
    audit_record(
        actor=user,
        action="export",
        request=request,
        detail={"what": "cases", "queue": name, "filters": dict(params.items())},
    )
    return cases_xlsx(qs)


def cases_xlsx(qs) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("事件")
    ws.append(CASE_COLUMNS)
    tz = timezone.get_current_timezone()
    for c in qs.select_related("item", "area", "grid", "handler_area", "handler_unit").iterator(
        chunk_size=2000
    ):
        ws.append(
            [
                c.number,
                c.item.name,
                c.item.get_domain_display(),
                c.text,
                c.area.name,
                c.grid.name if c.grid else "",
                c.get_source_display(),
                c.get_status_display(),
                c.handler_unit.name
                if c.handler_unit
                else (c.handler_area.name if c.handler_area else ""),
                c.created_at.astimezone(tz).replace(tzinfo=None),
                c.resolve_due.astimezone(tz).replace(tzinfo=None) if c.resolve_due else None,
                c.get_sla_state_display(),
                c.get_rating_display() if c.rating else "",
                crypto.mask_phone(c.reporter_phone),
            ]
        )
    return _save(wb)


def assessment_xlsx(tables: list[dict]) -> bytes:
    """One sheet per table of the assessment page: its title, rows and extra columns."""
    wb = Workbook()
    wb.remove(wb.active)
    for table in tables:
        ws = wb.create_sheet(str(table["title"]))
        columns = table.get("columns", [])
        ws.append(ASSESSMENT_COLUMNS + [c.label for c in columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in table["rows"]:
            ws.append(
                [
                    r.name,
                    r.received,
                    r.valid,
                    r.response_rate,
                    r.resolution_rate,
                    r.on_time_rate,
                    r.satisfaction_rate,
                    r.reopen_rate,
                    r.whistle_report_rate,
                ]
                + [r.extras.get(c.code) for c in columns]
            )
        ws.freeze_panes = "A2"
        ws.column_dimensions["A"].width = 28
    return _save(wb)
