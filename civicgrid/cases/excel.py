"""Excel import and export of the matter catalogue (事项清单), see civicgrid.core.tabular.

A row with an existing code edits that item through `matter_item_update` (a new revision;
existing cases keep their deadlines); a new code creates an item. Only system administrators
may import; anyone who may export can download the catalogue.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.core import tabular as t
from civicgrid.orgs.access import has_capability

from . import catalogue
from .choices import Domain, HandlingMode, ResolveKind, Tier
from .models import DEPARTMENT_TYPES, MatterGroup, MatterItem, MatterItemRevision

DEPARTMENTS = t.labels_for(DEPARTMENT_TYPES)


def _departments(value) -> list[str]:
    names = [
        n.strip()
        for n in t.cell_text(value).replace(",", "、").replace(",", "、").split("、")
        if n.strip()
    ]
    unknown = [n for n in names if n not in DEPARTMENTS]
    if unknown:
        raise t.CellInvalid(_("未知的部门:%(n)s") % {"n": "、".join(unknown)})
    return [DEPARTMENTS[n] for n in names]


def _keywords(value) -> list[str]:
    return [
        w.strip()
        for w in t.cell_text(value).replace(",", "、").replace(",", "、").split("、")
        if w.strip()
    ]


SPEC = t.Spec(
    title="事项清单",
    columns=(
        t.Column("事项编码", "code", required=True, parse=t.text(20), width=12, example="ZF01-01"),
        t.Column("事项名称", "name", required=True, parse=t.text(80), width=22),
        t.Column(
            "分类编码",
            "group",
            required=True,
            parse=t.text(20),
            width=10,
            help=gettext_lazy("事项清单中已有的二级分类编码,如 ZF01。"),
        ),
        t.Column("领域", "domain", required=True, choices=t.labels_for(Domain.choices), width=10),
        t.Column("层级", "level", required=True, choices=t.labels_for(Tier.choices), width=12),
        t.Column(
            "办理方式", "mode", required=True, choices=t.labels_for(HandlingMode.choices), width=14
        ),
        t.Column("牵头部门", "lead_department", choices=DEPARTMENTS, width=12),
        t.Column(
            "协办部门",
            "assist_departments",
            parse=_departments,
            width=16,
            help=gettext_lazy("多个用顿号分隔。"),
        ),
        t.Column("受理时限(小时)", "accept_hours", required=True, parse=t.number(1, 72), width=10),
        t.Column(
            "办结时限类型",
            "resolve_kind",
            required=True,
            choices=t.labels_for(ResolveKind.choices),
            width=12,
        ),
        t.Column("办结工作日", "resolve_days", parse=t.number(0, 60), width=10),
        t.Column("紧急处置时限(小时)", "urgent_hours", parse=t.number(1, 72), width=12),
        t.Column(
            "关键词", "keywords", parse=_keywords, width=24, help=gettext_lazy("多个用顿号分隔。")
        ),
        t.Column("说明", "description", parse=t.text(1000), width=30),
        t.Column("准入审批单位", "admission_approved_by", parse=t.text(60), width=16),
        t.Column("准入日期", "admission_approved_on", parse=t.date, width=12),
        t.Column("准入文件", "admission_document", parse=t.text(60), width=16),
        t.Column("启用", "active", parse=t.yes_no, width=6),
    ),
    unique=("code",),
    rules=(
        gettext_lazy(
            "已有编码的事项会被修改并生成新版本;已有事件的时限不受影响。只有系统管理员可以导入。"
        ),
    ),
)

INT_FIELDS = ("accept_hours", "resolve_days", "urgent_hours")


class CatalogueKind(t.Kind):
    name = "catalogue"
    label = gettext_lazy("事项清单")
    spec = SPEC
    model = MatterItem

    def can_import(self, user) -> bool:
        return has_capability(user, "admin")

    def resolve(self, *, actor, rows):
        allowed = has_capability(actor, "admin")
        groups = {g.code: g for g in MatterGroup.objects.all()}
        existing = {
            i.code: i
            for i in MatterItem.objects.filter(code__in=[r.values.get("code") for r in rows])
        }
        for row in rows:
            v = row.values
            if not allowed:
                row.fail("code", _("只有系统管理员可以导入事项清单。"))
                continue
            v["group_obj"] = groups.get(v.get("group"))
            if v.get("group") and v["group_obj"] is None:
                row.fail("group", _("找不到分类编码 %(c)s。") % {"c": v["group"]})
            for f in INT_FIELDS:
                if v.get(f) is not None:
                    v[f] = int(v[f])
            fields = self._fields(v)
            for key, msgs in catalogue.validate_item_fields(fields).items():
                for m in msgs:
                    row.fail(key, m)
            v["existing"] = existing.get(v.get("code"))

    @staticmethod
    def _fields(v) -> dict:
        return {
            "name": v.get("name"),
            "level": v.get("level"),
            "mode": v.get("mode"),
            "lead_department": v.get("lead_department") or "",
            "assist_departments": v.get("assist_departments") or [],
            "accept_hours": v.get("accept_hours") or 2,
            "resolve_kind": v.get("resolve_kind"),
            "resolve_days": v.get("resolve_days") or 0,
            "urgent_hours": v.get("urgent_hours"),
            "keywords": v.get("keywords") or [],
            "description": v.get("description") or "",
            "admission_approved_by": v.get("admission_approved_by") or "",
            "admission_approved_on": v.get("admission_approved_on"),
            "admission_document": v.get("admission_document") or "",
            "active": True if v.get("active") is None else v["active"],
        }

    def write_row(self, *, actor, row):
        v = row.values
        fields = self._fields(v)
        item = v.get("existing")
        if item is not None:
            changes = {k: val for k, val in fields.items() if getattr(item, k) != val}
            if changes:
                catalogue.matter_item_update(
                    actor=actor, item=item, note=_("Excel 导入"), **changes
                )
            return "updated"
        item = MatterItem.objects.create(
            code=v["code"], group=v["group_obj"], domain=v["domain"], **fields
        )
        MatterItemRevision.objects.create(
            item=item,
            revision=1,
            snapshot=catalogue._snapshot(item),
            changed_by=actor,
            note=_("Excel 导入"),
        )
        return "created"

    def export_queryset(self, user):
        return MatterItem.objects.select_related("group").order_by("code")

    def export_row(self, obj, *, reveal):
        return [
            obj.code,
            obj.name,
            obj.group.code,
            obj.get_domain_display(),
            obj.get_level_display(),
            obj.get_mode_display(),
            t.choice_label(DEPARTMENTS, obj.lead_department),
            "、".join(t.choice_label(DEPARTMENTS, d) for d in obj.assist_departments),
            obj.accept_hours,
            obj.get_resolve_kind_display(),
            obj.resolve_days,
            obj.urgent_hours,
            "、".join(obj.keywords),
            obj.description,
            obj.admission_approved_by,
            obj.admission_approved_on,
            obj.admission_document,
            "是" if obj.active else "否",
        ]


CATALOGUE = CatalogueKind()
