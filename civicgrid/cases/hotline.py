"""Bulk import of 12345 hotline work orders from Excel (.xlsx) or CSV (UTF-8 or GBK).

Idempotent by the hotline's own order number: an order already imported is skipped, so the
same file can be loaded twice. All-or-nothing by default: any bad row and nothing is written;
every error names its row and column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from civicgrid.core.errors import ApplicationError, ValidationFailed
from civicgrid.core.scoping import CHANGE
from civicgrid.core.validators import normalize_phone
from civicgrid.geo.models import Area, Grid

from . import services
from .choices import Source
from .models import Case, MatterItem

COLUMNS = {
    "工单编号": "external_id",
    "诉求内容": "text",
    "事项编码": "item_code",
    "事项名称": "item_name",
    "诉求人": "name",
    "联系电话": "phone",
    "地址": "address",
    "经度": "lon",
    "纬度": "lat",
    "网格编码": "grid_code",
    "社区代码": "community_code",
    "紧急": "urgent",
}
REQUIRED = ("工单编号", "诉求内容")


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("第 %(r)d 行『%(c)s』:%(m)s") % {
            "r": self.row,
            "c": self.column,
            "m": self.message,
        }


@dataclass
class HotlineResult:
    created: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)


def read_rows(content: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """(row number as the user sees it, {header: text}) for every non-empty row."""
    if filename.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationFailed(_("无法识别 CSV 文件编码(支持 UTF-8 和 GBK)。"))
        table = list(csv.reader(io.StringIO(text)))
    else:
        try:
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:
            raise ValidationFailed(_("文件不是有效的 Excel (.xlsx) 或 CSV 文件。"))
        table = [
            ["" if v is None else str(v) for v in row]
            for row in wb.worksheets[0].iter_rows(values_only=True)
        ]
    if not table:
        raise ValidationFailed(_("文件是空的。"))
    header = [h.strip() for h in table[0]]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        raise ValidationFailed(_("缺少必需的列:%(c)s") % {"c": "、".join(missing)})
    rows = []
    for n, values in enumerate(table[1:], start=2):
        if not any((v or "").strip() for v in values):
            continue
        rows.append(
            (
                n,
                {
                    h: (values[i].strip() if i < len(values) and values[i] else "")
                    for i, h in enumerate(header)
                },
            )
        )
    return rows


def import_orders(
    *, actor, content: bytes, filename: str, partial: bool = False, dry_run: bool = False
) -> HotlineResult:
    rows = read_rows(content, filename)
    items = {i.code: i for i in MatterItem.objects.filter(active=True)}
    items_by_name = {i.name: i for i in items.values()}
    grids = {g.code: g for g in Grid.objects.restrict(actor, CHANGE).select_related("community")}
    communities = {
        a.code: a for a in Area.objects.restrict(actor, CHANGE).filter(level=Area.Level.COMMUNITY)
    }
    seen: set[str] = set()
    already = set(
        Case.objects.filter(
            source=Source.HOTLINE, external_id__in=[r["工单编号"] for _n, r in rows]
        ).values_list("external_id", flat=True)
    )
    result = HotlineResult()
    plans = []
    for n, r in rows:
        errs: list[RowError] = []
        ext = r.get("工单编号", "")
        if not ext:
            errs.append(RowError(n, "工单编号", _("不能为空。")))
        elif ext in seen:
            errs.append(RowError(n, "工单编号", _("与前面的行重复。")))
        seen.add(ext)
        if ext in already:
            result.skipped += 1
            continue
        item = items.get(r.get("事项编码", "")) or items_by_name.get(r.get("事项名称", ""))
        if item is None:
            col = "事项编码" if r.get("事项编码") else "事项名称"
            errs.append(RowError(n, col, _("找不到该事项,请填写事项清单中的编码或名称。")))
        text = r.get("诉求内容", "")
        if not text:
            errs.append(RowError(n, "诉求内容", _("不能为空。")))
        elif len(text) > services.MAX_TEXT:
            errs.append(RowError(n, "诉求内容", _("超过 4000 字。")))
        lon = lat = None
        bad_coords = False
        try:
            lon = float(r["经度"]) if r.get("经度") else None
            lat = float(r["纬度"]) if r.get("纬度") else None
        except ValueError:
            errs.append(RowError(n, "经度" if r.get("经度") else "纬度", _("不是有效的数字。")))
            bad_coords = True
        grid = community = None
        if r.get("网格编码"):
            grid = grids.get(r["网格编码"])
            if grid is None:
                errs.append(
                    RowError(
                        n,
                        "网格编码",
                        _("找不到网格编码 %(c)s 或不在您的管辖范围内。") % {"c": r["网格编码"]},
                    )
                )
        elif r.get("社区代码"):
            community = communities.get(r["社区代码"])
            if community is None:
                errs.append(
                    RowError(
                        n,
                        "社区代码",
                        _("找不到社区代码 %(c)s 或不在您的管辖范围内。") % {"c": r["社区代码"]},
                    )
                )
        elif (lon is None or lat is None) and not bad_coords:
            errs.append(RowError(n, "网格编码", _("须填写经纬度、网格编码或社区代码之一。")))
        phone = normalize_phone(r.get("联系电话", ""))
        result.errors.extend(errs)
        if not errs:
            plans.append(
                dict(
                    external_id=ext,
                    item=item,
                    text=text,
                    lon=lon,
                    lat=lat,
                    grid=grid,
                    community=community,
                    address=r.get("地址", ""),
                    reporter_name=r.get("诉求人", ""),
                    reporter_phone=phone,
                    urgent=True if r.get("紧急") in ("是", "紧急", "1") else None,
                    row=n,
                )
            )
    if result.errors and not partial:
        return result
    if dry_run:
        result.created = len(plans)
        return result
    with transaction.atomic():
        for plan in plans:
            n = plan.pop("row")
            try:
                with transaction.atomic():
                    services.case_create(
                        actor=actor,
                        source=Source.HOTLINE,
                        idempotency_key=f"hotline:{plan['external_id']}",
                        **plan,
                    )
                result.created += 1
            except ApplicationError as e:
                result.errors.append(RowError(n, "", str(e.message)))
        if result.errors and not partial:
            transaction.set_rollback(True)
            result.created = 0
    return result
