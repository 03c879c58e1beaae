"""Excel import and export of units (驻区单位), see civicgrid.core.tabular.

A row updates the unit with the same unified social credit code, or else the same name in
the same area, when that unit is in the importer's change scope; otherwise it creates one.
Writes go through civicgrid.orgs.services.unit_create / unit_update.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.core import crypto
from civicgrid.core import tabular as t
from civicgrid.core.scoping import CHANGE
from civicgrid.core.validators import (
    validate_contact_phone,
    validate_credit_code,
    validate_division_code,
)
from civicgrid.geo.models import Area, Grid

from . import services
from .choices import UnitKind
from .models import Unit

UNIT_KINDS = t.labels_for(UnitKind.choices)

UNIT_SPEC = t.Spec(
    title="单位",
    columns=(
        t.Column(
            "名称", "name", required=True, parse=t.text(100), width=24, example="罗阳第一小学"
        ),
        t.Column("类型", "kind", required=True, choices=UNIT_KINDS, width=10),
        t.Column(
            "统一社会信用代码",
            "credit_code",
            parse=t.validated(validate_credit_code),
            as_text=True,
            width=22,
            help=gettext_lazy("18位,按 GB 32100 校验;已登记的代码会更新该单位。"),
        ),
        t.Column(
            "所在社区代码",
            "area_code",
            required=True,
            parse=t.validated(validate_division_code),
            as_text=True,
            width=14,
            help=gettext_lazy(
                "单位所在社区/村的12位代码(区直部门填县/区代码),须在您的管辖范围内。"
            ),
            example="441322001001",
        ),
        t.Column(
            "网格编码",
            "grid_code",
            parse=t.text(20),
            width=12,
            help=gettext_lazy("须属于所在社区;不填而有经纬度时按位置自动落格。"),
        ),
        t.Column("地址", "address", parse=t.text(200), width=30),
        t.Column("经度", "lon", parse=t.number(73, 136), width=10, example="114.005"),
        t.Column("纬度", "lat", parse=t.number(3, 54), width=10, example="23.005"),
        t.Column("联系人", "contact_name", parse=t.text(50), width=10),
        t.Column(
            "联系电话",
            "contact_phone",
            parse=t.validated(validate_contact_phone),
            as_text=True,
            width=16,
            help=gettext_lazy("手机号或带区号的固定电话,如 0752-1234567。"),
        ),
    ),
    unique=("credit_code",),
    rules=(
        gettext_lazy(
            "统一社会信用代码相同(或没有代码时名称和所在社区都相同)的单位会被更新;"
            "更新时空白单元格保留原有内容。"
        ),
    ),
)

FIELDS = ("name", "kind", "credit_code", "address", "lon", "lat", "contact_name", "contact_phone")


class UnitKindTable(t.Kind):
    name = "units"
    label = gettext_lazy("单位")
    spec = UNIT_SPEC
    model = Unit
    has_pii = True  # the contact phone is masked unless a full export is asked for

    def resolve(self, *, actor, rows):
        area_codes = {r.values["area_code"] for r in rows if r.values.get("area_code")}
        grid_codes = {r.values["grid_code"] for r in rows if r.values.get("grid_code")}
        areas = {
            a.code: a for a in Area.objects.restrict(actor, CHANGE).filter(code__in=area_codes)
        }
        grids = {
            g.code: g for g in Grid.objects.restrict(actor, CHANGE).filter(code__in=grid_codes)
        }
        units = list(Unit.objects.restrict(actor, CHANGE).filter(area__code__in=area_codes))
        by_credit = {u.credit_code: u for u in units if u.credit_code}
        by_name = {(u.area_id, u.name): u for u in units}
        for row in rows:
            v = row.values
            v["area"] = areas.get(v.get("area_code"))
            if v.get("area_code") and v["area"] is None:
                row.fail(
                    "area_code",
                    _("找不到社区代码 %(c)s 或不在您的管辖范围内。") % {"c": v["area_code"]},
                )
            v["grid"] = grids.get(v.get("grid_code"))
            if v.get("grid_code") and v["grid"] is None:
                row.fail(
                    "grid_code",
                    _("找不到网格编码 %(c)s 或不在您的管辖范围内。") % {"c": v["grid_code"]},
                )
            if (v.get("lon") is None) != (v.get("lat") is None):
                row.fail("lat" if v.get("lat") is None else "lon", _("经度和纬度须同时填写。"))
            if v["area"] is not None:
                v["existing"] = by_credit.get(v.get("credit_code")) or by_name.get(
                    (v["area"].pk, v.get("name"))
                )

    def write_row(self, *, actor, row):
        v = row.values
        data = {k: v[k] for k in FIELDS if v.get(k) not in (None, "")}
        if v.get("grid") is not None:
            data["grid"] = v["grid"]
        unit = v.get("existing")
        if unit is not None:
            if v["area"].pk != unit.area_id:
                data["area"] = v["area"]
            services.unit_update(actor=actor, unit=unit, **data)
            return "updated"
        services.unit_create(actor=actor, area=v["area"], **data)
        return "created"

    def export_queryset(self, user):
        return (
            Unit.objects.restrict(user, "export")
            .select_related("area", "grid")
            .order_by("area__code", "name")
        )

    def export_row(self, u, *, reveal):
        return [
            u.name,
            t.choice_label(UNIT_KINDS, u.kind),
            u.credit_code,
            u.area.code,
            u.grid.code if u.grid else "",
            u.address,
            u.lon,
            u.lat,
            u.contact_name,
            t.masked(u.contact_phone, crypto.mask_phone, reveal),
        ]


UNITS = UnitKindTable()
