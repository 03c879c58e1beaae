"""The matter catalogue (事项清单): load the shipped default, edit items with revisions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from civicgrid.core.errors import PermissionDenied, ValidationFailed
from civicgrid.orgs.access import has_capability

from .choices import Domain, HandlingMode, ResolveKind, Tier
from .models import DEPARTMENT_TYPES, MatterGroup, MatterItem, MatterItemRevision

DEFAULT_CATALOGUE = Path(__file__).resolve().parent / "data" / "catalogue.json"
EDITABLE = (
    "name",
    "level",
    "mode",
    "lead_department",
    "assist_departments",
    "accept_hours",
    "resolve_kind",
    "resolve_days",
    "urgent_hours",
    "keywords",
    "description",
    "admission_approved_by",
    "admission_approved_on",
    "admission_document",
    "active",
)
_DEPT_KEYS = {k for k, _label in DEPARTMENT_TYPES}


def _snapshot(item: MatterItem) -> dict[str, Any]:
    data = model_to_dict(item, fields=EDITABLE)
    if data.get("admission_approved_on"):
        data["admission_approved_on"] = data["admission_approved_on"].isoformat()
    return data


def validate_item_fields(fields: dict[str, Any]) -> dict[str, list[str]]:
    """Errors by field for an item's values (used by the loader, the editor and Excel import)."""
    errors: dict[str, list[str]] = {}

    def err(field, msg):
        errors.setdefault(field, []).append(msg)

    if "level" in fields and fields["level"] not in Tier.values:
        err("level", _("层级须为 1(区县)、2(街道)或 3(社区)。"))
    if "mode" in fields and fields["mode"] not in HandlingMode.values:
        err("mode", _("未知的办理方式。"))
    if fields.get("lead_department") and fields["lead_department"] not in _DEPT_KEYS:
        err("lead_department", _("未知的部门类型:%(k)s") % {"k": fields["lead_department"]})
    for key in fields.get("assist_departments") or []:
        if key not in _DEPT_KEYS:
            err("assist_departments", _("未知的部门类型:%(k)s") % {"k": key})
    if "resolve_kind" in fields and fields["resolve_kind"] not in ResolveKind.values:
        err("resolve_kind", _("办结时限类型须为当日办结或N个工作日。"))
    if fields.get("resolve_kind") == ResolveKind.WORKING_DAYS and not (
        1 <= int(fields.get("resolve_days") or 0) <= 60
    ):
        err("resolve_days", _("办结工作日须在 1–60 之间。"))
    if "accept_hours" in fields and not (1 <= int(fields["accept_hours"] or 0) <= 72):
        err("accept_hours", _("受理时限须在 1–72 小时之间。"))
    if fields.get("urgent_hours") is not None and not (1 <= int(fields["urgent_hours"]) <= 72):
        err("urgent_hours", _("紧急处置时限须在 1–72 小时之间。"))
    if fields.get("mode") in (
        HandlingMode.DEPARTMENT_LEAD,
        HandlingMode.DEPARTMENTS_JOINT,
    ) and not fields.get("lead_department"):
        err("lead_department", _("部门领办或联办的事项须指定牵头部门。"))
    return errors


@transaction.atomic
def load_catalogue(
    *, actor=None, path: Path | None = None, data: dict | None = None
) -> dict[str, int]:
    """Load (or refresh) the catalogue. New items are created; existing ones are updated through
    `matter_item_update` so they get a revision. Nothing is written if any item is invalid."""
    data = data or json.loads((path or DEFAULT_CATALOGUE).read_text(encoding="utf-8"))
    groups = {g["code"]: g for g in data["groups"]}
    errors: dict[str, Any] = {}
    for item in data["items"]:
        fields = _item_fields(item)
        problems = validate_item_fields(fields)
        if item.get("group") not in groups:
            problems.setdefault("group", []).append(_("分类不存在。"))
        if item.get("domain") not in Domain.values:
            problems.setdefault("domain", []).append(_("未知的领域。"))
        if problems:
            errors[item.get("code", "?")] = problems
    if errors:
        raise ValidationFailed(_("事项清单有误,未导入。"), details=errors)
    made: dict[str, MatterGroup] = {}
    for code, g in sorted(groups.items(), key=lambda kv: (kv[1].get("parent") is not None, kv[0])):
        obj, _created = MatterGroup.objects.update_or_create(
            code=code,
            defaults={
                "name": g["name"],
                "domain": g["domain"],
                "parent": made.get(g.get("parent")),
            },
        )
        made[code] = obj
    created = updated = 0
    for item in data["items"]:
        fields = _item_fields(item)
        existing = MatterItem.objects.filter(code=item["code"]).first()
        if existing is None:
            obj = MatterItem.objects.create(
                code=item["code"], group=made[item["group"]], domain=item["domain"], **fields
            )
            MatterItemRevision.objects.create(
                item=obj, revision=1, snapshot=_snapshot(obj), changed_by=actor, note=_("初始导入")
            )
            created += 1
        elif any(getattr(existing, k) != v for k, v in fields.items()):
            matter_item_update(
                actor=actor, item=existing, note=_("清单更新"), _system=actor is None, **fields
            )
            updated += 1
    return {"groups": len(made), "created": created, "updated": updated}


def _item_fields(item: dict) -> dict[str, Any]:
    admission = item.get("admission") or {}
    resolve = item.get("resolve") or {}
    approved = admission.get("approved_on")
    return {
        "name": item["name"],
        "level": item["level"],
        "mode": item["mode"],
        "lead_department": item.get("lead_department") or "",
        "assist_departments": item.get("assist_departments") or [],
        "accept_hours": item.get("accept_hours", 2),
        "resolve_kind": resolve.get("kind", ""),
        "resolve_days": resolve.get("days", 0),
        "urgent_hours": item.get("urgent_hours"),
        "keywords": item.get("keywords") or [],
        "description": item.get("description", ""),
        "admission_approved_by": admission.get("approved_by", ""),
        "admission_approved_on": dt.date.fromisoformat(approved) if approved else None,
        "admission_document": admission.get("document", ""),
    }


@transaction.atomic
def matter_item_update(
    *, actor, item: MatterItem, note: str = "", _system: bool = False, **changes
) -> MatterItem:
    """Edit an item: bump its revision and keep a snapshot. Existing cases keep their own copy of
    the time limits (Case.limits), so their deadlines never move."""
    if not _system and not has_capability(actor, "admin"):
        raise PermissionDenied(_("只有系统管理员可以修改事项清单。"))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(_("不可修改的字段:%(f)s") % {"f": "、".join(sorted(unknown))})
    merged = _snapshot(item) | changes
    errors = validate_item_fields(merged)
    if errors:
        raise ValidationFailed(_("事项设置有误。"), details=errors)
    item = MatterItem.objects.select_for_update().get(pk=item.pk)
    for key, value in changes.items():
        setattr(item, key, value)
    item.revision += 1
    item.save()
    MatterItemRevision.objects.create(
        item=item,
        revision=item.revision,
        snapshot=_snapshot(item),
        changed_by=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )
    return item
