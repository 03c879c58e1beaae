"""Excel exports of the patrol pages: the patrol list, the coverage table, missed-patrol flags
and leaders' contact visits. The views hand over the rows their selectors returned for the
user's "export" scope (the same filters as the page); every export needs the "export"
capability and writes an audit row."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import PermissionDenied
from civicgrid.core.models import AuditLog
from civicgrid.orgs.access import has_capability

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 100_000


def require_export(user, *, what: str, request=None, detail: dict | None = None) -> None:
    """Refuse without the "export" capability; otherwise audit the export (who, what, filters)."""
    if not has_capability(user, "export"):
        raise PermissionDenied(_("您没有导出权限。"))
    audit_record(
        actor=user,
        action=AuditLog.Action.EXPORT,
        field=what,
        detail={"what": what, **(detail or {})},
        request=request,
    )


def response(content: bytes, name: str) -> HttpResponse:
    resp = HttpResponse(content, content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


def _sheet(wb: Workbook, title: str, header: list[str], widths: dict[int, int] | None = None):
    ws = wb.create_sheet(title[:31])
    ws.freeze_panes = "A2"
    for i, w in (widths or {}).items():
        ws.column_dimensions[chr(65 + i)].width = w
    cells = []
    for text in header:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = Font(bold=True)
        cells.append(cell)
    ws.append(cells)
    return ws


def _book() -> Workbook:
    return Workbook(write_only=True)  # rows streamed: a county's year of patrols fits


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rows(qs):
    """At most MAX_ROWS rows, fetched in chunks (querysets) or as given (lists)."""
    if hasattr(qs, "iterator"):
        return qs[:MAX_ROWS].iterator(chunk_size=2000)
    return qs[:MAX_ROWS]


def _local(t):
    """An aware datetime as a naive local one (Excel has no time zones)."""
    return timezone.localtime(t).replace(tzinfo=None) if t else None


def _whole(x: float) -> int:
    """Rounded half up, as the pages' ``floatformat:0``."""
    return int(Decimal(repr(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def patrol_state(p) -> str:
    if p.is_open:
        return _("巡查中")
    return _("有效") if p.completed else _("未达标")


def patrols_xlsx(patrols) -> bytes:
    """The patrol list: the page's columns first, in its order, then the details."""
    wb = _book()
    ws = _sheet(
        wb,
        _("巡查记录"),
        [
            _("开始"),
            _("网格"),
            _("巡查人"),
            _("时长(分)"),
            _("里程(米)"),
            _("轨迹点"),
            _("事件"),
            _("状态"),
            _("社区"),
            _("结束"),
            _("剔除的跳点"),
            _("备注"),
        ],
        {0: 17, 1: 16, 8: 14, 9: 17},
    )
    for p in _rows(patrols):
        ws.append(
            [
                _local(p.started_at),
                str(p.grid),
                str(p.worker),
                round(p.duration_s / 60),
                _whole(p.distance_m),
                p.points_count,
                p.cases_n,
                patrol_state(p),
                p.area.name,
                _local(p.ended_at),
                p.jumps_count,
                p.note,
            ]
        )
    return _save(wb)


def coverage_xlsx(rows, stats, *, start, end) -> bytes:
    """The coverage table (each street, then its communities) and the assessment figures."""
    period = f"{start:%Y-%m-%d} – {end:%Y-%m-%d}"
    wb = _book()
    ws = _sheet(
        wb,
        _("巡查覆盖"),
        [
            _("街道"),
            _("社区"),
            _("有任务网格"),
            _("已巡网格"),
            _("有效巡查"),
            _("覆盖率%"),
            _("统计期间"),
        ],
        {0: 16, 1: 16, 6: 24},
    )
    for s in rows:
        ws.append([s.area.name, "", s.with_duty, s.patrolled, s.patrols, s.rate, period])
        for c in s.children:
            ws.append(
                [s.area.name, c.area.name, c.with_duty, c.patrolled, c.patrols, c.rate, period]
            )
    ws2 = _sheet(
        wb,
        _("巡查考核指标"),
        [
            _("区划"),
            _("巡查"),
            _("有效巡查"),
            _("里程(公里)"),
            _("时长(小时)"),
            _("覆盖率%"),
            _("漏巡"),
            _("统计期间"),
        ],
        {0: 16, 7: 24},
    )
    for a, st in stats:
        ws2.append(
            [
                a.name,
                st["patrols"],
                st["completed"],
                st["distance_km"],
                st["hours"],
                st["coverage_rate"],
                st["missed"],
                period,
            ]
        )
    return _save(wb)


def missed_xlsx(flags) -> bytes:
    """Missed-patrol flags: in force or withdrawn (with when, why and the patrol that met it)."""
    wb = _book()
    ws = _sheet(
        wb,
        _("漏巡提醒"),
        [
            _("日期"),
            _("网格"),
            _("周期"),
            _("应巡"),
            _("实巡"),
            _("网格长知悉"),
            _("知悉时间"),
            _("社区"),
            _("状态"),
            _("撤销时间"),
            _("撤销原因"),
            _("补足的巡查"),
        ],
        {1: 16, 6: 17, 9: 17, 10: 24, 11: 17},
    )
    for f in _rows(flags):
        ws.append(
            [
                f.day,
                str(f.grid),
                f.get_frequency_display(),
                f.expected,
                f.done,
                str(f.acknowledged_by) if f.acknowledged_by_id else "",
                _local(f.acknowledged_at),
                f.area.name,
                _("已撤销") if f.is_withdrawn else _("有效"),
                _local(f.withdrawn_at),
                f.get_withdrawn_reason_display() if f.withdrawn_reason else "",
                _local(f.withdrawn_patrol.started_at) if f.withdrawn_patrol_id else None,
            ]
        )
    return _save(wb)


def contact_visits_xlsx(visits, summary: list[dict] | None = None) -> bytes:
    """Leaders' contact visits; with ``summary`` also the opinions page's table per leader and
    area."""
    wb = _book()
    ws = _sheet(
        wb,
        _("联系走访"),
        [
            _("走访日期"),
            _("领导"),
            _("联系点"),
            _("所在区划"),
            _("接谈对象"),
            _("听取情况"),
            _("议定事项"),
            _("收集意见数"),
            _("意见摘录"),
            _("交办事件"),
        ],
        {1: 12, 2: 18, 4: 16, 5: 40, 6: 30, 8: 40, 9: 18},
    )
    for v in _rows(visits):
        ws.append(
            [
                v.visited_on,
                str(v.leader),
                str(v.assignment.target),
                v.area.name,
                v.met_with,
                v.heard,
                v.decided,
                v.opinions_count,
                "\n".join(v.opinions or []),
                " ".join(link.case.number for link in v.case_links.all()),
            ]
        )
    if summary is not None:
        ws2 = _sheet(
            wb, _("意见收集统计"), [_("领导"), _("区划"), _("走访"), _("收集意见")], {0: 14, 1: 16}
        )
        for r in summary:
            ws2.append(
                [
                    r["leader__display_name"] or r["leader__username"],
                    r["area__name"],
                    r["visits"],
                    r["opinions"] or 0,
                ]
            )
    return _save(wb)
