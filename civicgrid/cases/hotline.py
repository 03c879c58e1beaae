"""Bulk import of 12345 hotline work orders from Excel (.xlsx) or CSV (UTF-8 or GBK).

Idempotent by the hotline's own order number: an order already imported is skipped, so the
same file can be loaded twice. All-or-nothing by default: any bad row and nothing is written;
every error names its row and column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from civicgrid.core import bulk
from civicgrid.core.audit import audit_record
from civicgrid.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from civicgrid.core.models import AuditLog
from civicgrid.core.scoping import CHANGE
from civicgrid.core.validators import normalize_phone
from civicgrid.geo.locator import get_locator
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.access import has_capability

from . import hooks, services
from .choices import Source
from .models import Case, CaseEvent, MatterItem, Notification
from .notifications import _STEP_MESSAGES, deliver

BATCH = 1000
ONE_BY_ONE_KEYS = (
    "external_id",
    "item",
    "text",
    "lon",
    "lat",
    "grid",
    "community",
    "address",
    "reporter_name",
    "reporter_phone",
    "urgent",
)

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
    *,
    actor,
    content: bytes,
    filename: str,
    partial: bool = False,
    dry_run: bool = False,
    request=None,
) -> HotlineResult:
    """Import a file of orders as `actor` (needs the "import" capability); audited."""
    if not has_capability(actor, "import"):
        raise PermissionDenied(_("您没有导入权限。"))
    result = _import_orders(
        actor=actor, content=content, filename=filename, partial=partial, dry_run=dry_run
    )
    audit_record(
        actor=actor,
        action=AuditLog.Action.IMPORT,
        request=request,
        detail={
            "what": "hotline",
            "file": filename[:200],
            "created": result.created,
            "skipped": result.skipped,
            "errors": len(result.errors),
            "dry_run": dry_run,
        },
    )
    return result


def _import_orders(
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
        # No item given at all: the classifier may choose one (below, in one pass for the file).
        unclassified = not (r.get("事项编码") or r.get("事项名称")) and bool(_classifier())
        if item is None and not unclassified:
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
    _classify_all(plans, result)
    if result.errors and not partial:
        return result
    if dry_run:
        result.created = len(plans)
        return result
    with transaction.atomic():
        _create_all(actor=actor, plans=plans, result=result)
        if result.errors and not partial:
            transaction.set_rollback(True)
            result.created = 0
    return result


def _classifier():
    """The classifier for rows without an item (settings.CIVICGRID_CASE_CLASSIFIER), if any."""
    path = getattr(settings, "CIVICGRID_CASE_CLASSIFIER", "")
    return import_string(path) if path else None


def _classify_all(plans: list[dict], result: HotlineResult) -> None:
    """Rows without an item get the classifier's top item when it is sure enough; the others
    become row errors (in partial mode the rest of the file is imported and these are left for
    a person to complete and import again)."""
    todo = [p for p in plans if p["item"] is None]
    if not todo:
        return
    dropped = set()
    for plan, found in zip(todo, _classifier()([p["text"] for p in todo]), strict=True):
        if found["item"] is None:
            result.errors.append(RowError(plan["row"], "事项编码", found["message"]))
            dropped.add(plan["row"])
        else:
            plan["item"], plan["classified"] = found["item"], found["data"]
    plans[:] = [p for p in plans if p["row"] not in dropped]


def _locate_all(plans: list[dict], result: HotlineResult) -> list[dict]:
    """Resolve grid / suggested grid for every plan with the rules of `services.case_create`,
    locating all coordinates in one pass. Returns the plans that can be created."""
    todo = []
    for plan in plans:
        plan["located"], plan["suggested"] = True, None
        if plan["grid"] is None and (plan["lon"] is None or plan["lat"] is None):
            plan["located"] = False  # only a community code: the street places it
        elif plan["grid"] is None:
            if not (-180 <= plan["lon"] <= 180 and -90 <= plan["lat"] <= 90):
                result.errors.append(RowError(plan["row"], "", _("坐标超出范围。")))
                continue
            todo.append(plan)
    if todo:
        found = get_locator().locate_many(np.array([[p["lon"], p["lat"]] for p in todo]))
        ids = {f.grid_id or f.nearest_grid_id for f in found} - {None}
        grids = Grid.objects.select_related("community").in_bulk(ids)
        for plan, f in zip(todo, found, strict=True):
            if f.inside:
                plan["grid"] = grids[f.grid_id]
            else:
                plan["located"], plan["suggested"] = False, grids.get(f.nearest_grid_id)
    failed = {e.row for e in result.errors}
    ready = []
    for plan in plans:
        if plan["row"] in failed:
            continue
        if plan["grid"] is None and plan["suggested"] is None and plan["community"] is None:
            result.errors.append(
                RowError(plan["row"], "", _("该位置不在任何网格内,且系统中尚无网格。"))
            )
            continue
        ready.append(plan)
    return ready


def _create_all(*, actor, plans: list[dict], result: HotlineResult) -> None:
    """Create the planned cases in batches with the rules of `services.case_create` (routing,
    deadlines from the item's limits, encrypted phone, one ledger row and the reporter's
    notifications per case), but with bulk inserts instead of ~10 queries per case."""
    now = timezone.now()
    memo: dict = {}
    by = actor if getattr(actor, "is_authenticated", False) else None
    ready = _locate_all(plans, result)
    # One instance per community, with its street and county loaded, for routing.
    communities = Area.objects.select_related("parent__parent").in_bulk(
        {_community(p).pk for p in ready}
    )
    for start in range(0, len(ready), BATCH):
        batch = ready[start : start + BATCH]
        cases = [
            services.build_case(
                actor=actor,
                item=p["item"],
                text=p["text"],
                source=Source.HOTLINE,
                located=p["located"],
                grid=p["grid"],
                suggested=p["suggested"],
                community=communities[_community(p).pk],
                now=now,
                lon=p["lon"],
                lat=p["lat"],
                address=p["address"],
                reporter_name=p["reporter_name"],
                reporter_phone=p["reporter_phone"],
                idempotency_key=f"hotline:{p['external_id']}",
                external_id=p["external_id"],
                urgent=p["urgent"],
                memo=memo,
            )
            for p in batch
        ]
        for case, pk in zip(cases, bulk.allocate_ids(Case, len(cases)), strict=True):
            case.pk = case.id = pk
            case.number = services.case_number(now, pk)
        try:
            with transaction.atomic():
                bulk.insert(cases, ids=False)
        except IntegrityError:
            # Another import of the same orders committed meanwhile: one by one, where a
            # known idempotency key returns the existing case.
            _create_one_by_one(actor=actor, plans=batch, result=result)
            continue
        events = [
            CaseEvent(case_id=c.pk, actor=by, **services.report_event_fields(c)) for c in cases
        ]
        for event, p in zip(events, batch, strict=True):
            if p.get("classified"):
                event.data["classified"] = p["classified"]
        bulk.insert(events)
        hooks.events_written(events)
        _notify_reported(cases, events)
        result.created += len(cases)


def _community(plan: dict) -> Area:
    placed = plan["grid"] or plan["suggested"]
    return placed.community if placed else plan["community"]


def _notify_reported(cases: list[Case], events: list[CaseEvent]) -> None:
    """`notify_step` for the "report" step of many cases: the same rows and messages."""
    rows, texts = [], []
    for case, event in zip(cases, events, strict=True):
        message = _STEP_MESSAGES["report"] % {
            "no": case.number,
            "code": case.tracking_code,
            "note": event.note,
        }
        if case.reporter_id:
            rows.append(
                Notification(
                    user_id=case.reporter_id, case_id=case.pk, channel="app", message=message
                )
            )
        if case.reporter_phone:
            phone = case.reporter_phone
            rows.append(
                Notification(case_id=case.pk, channel="sms", recipient=phone[-4:], message=message)
            )
            texts.append((phone, message))
    bulk.insert(rows)
    if texts:
        transaction.on_commit(lambda: [deliver("sms", phone, msg) for phone, msg in texts])


def _create_one_by_one(*, actor, plans: list[dict], result: HotlineResult) -> None:
    for plan in plans:
        try:
            with transaction.atomic():
                services.case_create(
                    actor=actor,
                    source=Source.HOTLINE,
                    idempotency_key=f"hotline:{plan['external_id']}",
                    **{k: plan[k] for k in ONE_BY_ONE_KEYS},
                )
            result.created += 1
        except ApplicationError as e:
            result.errors.append(RowError(plan["row"], "", str(e.message)))
