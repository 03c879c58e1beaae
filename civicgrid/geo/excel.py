"""Excel import and export of areas and grids (see civicgrid.core.tabular).

Rows become ``AreaCandidate`` / ``GridCandidate`` objects keyed "第N行" and go through
``civicgrid.geo.importers.apply_areas`` / ``apply_grids``, which own the geometry rules and
create or update by code and check the geometry and the scope of every row. Here only
referenced parents and communities are checked first, so that their errors read like those
of the other kinds: "找不到… 或不在您的管辖范围内".
"""

from __future__ import annotations

import json

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.core import tabular as t
from civicgrid.core.errors import ApplicationError
from civicgrid.core.scoping import CHANGE
from civicgrid.core.validators import validate_division_code

from .models import Area, Grid

LEVELS = t.labels_for(Area.Level.choices)
GRID_KINDS = t.labels_for(Grid.Kind.choices)
EXCEL_CELL_MAX = 32767  # characters; a larger boundary is left out of an export


def _geometry_text(geometry) -> str:
    if not geometry:
        return ""
    text = json.dumps(geometry, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= EXCEL_CELL_MAX else ""


GEOMETRY_HELP = gettext_lazy(
    "可不填。GeoJSON 几何对象(Polygon 或 MultiPolygon,经纬度 WGS 84),"
    '如 {"type":"Polygon","coordinates":[[[114.0,23.0],[114.01,23.0],[114.01,23.01],[114.0,23.0]]]}。'
    "单元格最多 32767 个字符,更大的边界请用 GeoJSON 文件导入。"
)

AREA_SPEC = t.Spec(
    title="行政区划",
    columns=(
        t.Column(
            "区划代码",
            "code",
            required=True,
            parse=t.validated(validate_division_code),
            as_text=True,
            width=14,
            help=gettext_lazy("12位行政区划代码;已存在的代码会被更新。"),
            example="441322001001",
        ),
        t.Column("名称", "name", required=True, parse=t.text(60), width=16, example="东门社区"),
        t.Column("层级", "level", required=True, choices=LEVELS, width=10),
        t.Column(
            "上级区划代码",
            "parent_code",
            parse=t.validated(validate_division_code),
            as_text=True,
            width=14,
            help=gettext_lazy(
                "街道/镇填县/区的代码,社区/村填街道/镇的代码;可以是本文件中前面的行。"
            ),
            example="441322001000",
        ),
        t.Column("边界", "geometry", parse=t.geojson, width=40, help=GEOMETRY_HELP),
    ),
    unique=("code",),
    rules=(
        gettext_lazy("上级须在您的管辖范围内;只有系统管理员可以新建没有上级的区划。"),
        gettext_lazy("已有的区划代码会更新名称和边界(边界不填则保留);导入不能改变层级或上级。"),
    ),
)

GRID_SPEC = t.Spec(
    title="网格",
    columns=(
        t.Column(
            "网格编码",
            "code",
            required=True,
            parse=t.text(20),
            width=12,
            help=gettext_lazy("全县唯一;已存在的编码会被更新。"),
            example="G-A1",
        ),
        t.Column("名称", "name", required=True, parse=t.text(60), width=16, example="东门第一网格"),
        t.Column(
            "所属社区代码",
            "community_code",
            required=True,
            parse=t.validated(validate_division_code),
            as_text=True,
            width=14,
            help=gettext_lazy("12位代码,须是您管辖范围内的社区/村。"),
            example="441322001001",
        ),
        t.Column(
            "类型", "kind", choices=GRID_KINDS, width=10, help=gettext_lazy("不填为综合网格。")
        ),
        t.Column(
            "上级网格编码",
            "parent_code",
            parse=t.text(20),
            width=12,
            help=gettext_lazy("精微网格填所属综合网格的编码。"),
        ),
        t.Column("边界", "geometry", parse=t.geojson, width=40, help=GEOMETRY_HELP),
    ),
    unique=("code",),
    rules=(
        gettext_lazy("已有的网格编码会更新名称和边界(边界不填则保留);导入不能改变所属社区或类型。"),
        gettext_lazy("边界须在所属社区之内,综合网格之间不能重叠,精微网格须在上级网格之内。"),
    ),
)


def _refused(label, code) -> str:
    return _("找不到%(label)s %(code)s 或不在您的管辖范围内。") % {"label": label, "code": code}


class GeoKind(t.Kind):
    """Both kinds write in one batch through the geo importers."""

    apply_name = ""

    def candidate(self, row: t.Row):
        raise NotImplementedError

    def _apply(self, *, actor, rows, dry_run):
        from civicgrid.geo import importers

        apply = getattr(importers, self.apply_name)
        return apply(actor=actor, candidates=[self.candidate(r) for r in rows], dry_run=dry_run)

    def _record(self, rows, errors) -> set[int]:
        by_key = {f"第{r.number}行": r for r in rows}
        keys = {c.key for c in self.spec.columns}
        failed = set()
        for e in errors:
            row = by_key.get(e.key)
            if row is None:
                continue
            row.fail(e.field if e.field in keys else "", e.reason)
            failed.add(row.number)
        return failed

    def write(self, *, actor, rows):
        """A checking pass first, repeated without the failed rows (children of a failed row
        fail in turn), then the real write of the rows that pass."""
        pending = list(rows)
        try:
            for _round in range(len(rows) + 1):
                if not pending:
                    return t.WriteResult()
                failed = self._record(
                    pending, self._apply(actor=actor, rows=pending, dry_run=True).errors
                )
                if not failed:
                    break
                pending = [r for r in pending if r.number not in failed]
            result = self._apply(actor=actor, rows=pending, dry_run=False)
        except ApplicationError as exc:
            for row in pending:
                row.fail_from(exc)
            return t.WriteResult()
        self._record(pending, result.errors)
        return t.WriteResult(created=result.created, updated=result.updated)


class AreaKind(GeoKind):
    name = "areas"
    label = gettext_lazy("行政区划")
    spec = AREA_SPEC
    model = Area
    apply_name = "apply_areas"

    def resolve(self, *, actor, rows):
        codes = {r.values["code"] for r in rows if r.values.get("code")}
        parents = {r.values["parent_code"] for r in rows if r.values.get("parent_code")}
        in_scope = set(
            Area.objects.restrict(actor, CHANGE)
            .filter(code__in=parents)
            .values_list("code", flat=True)
        )
        for row in rows:
            parent = row.values.get("parent_code")
            if parent and parent not in in_scope and parent not in codes:
                row.fail("parent_code", _refused(_("区划代码"), parent))

    def candidate(self, row):
        from civicgrid.geo.validation import AreaCandidate

        v = row.values
        return AreaCandidate(
            key=f"第{row.number}行",
            code=v["code"],
            name=v["name"],
            level=int(v["level"]),
            parent_code=v.get("parent_code") or None,
            geometry=v.get("geometry"),
        )

    def export_queryset(self, user):
        return (
            Area.objects.restrict(user, "export").select_related("parent").order_by("level", "code")
        )

    def export_row(self, a, *, reveal):
        return [
            a.code,
            a.name,
            t.choice_label(LEVELS, a.level),
            a.parent.code if a.parent else "",
            _geometry_text(a.geometry),
        ]


class GridKind(GeoKind):
    name = "grids"
    label = gettext_lazy("网格")
    spec = GRID_SPEC
    model = Grid
    apply_name = "apply_grids"

    def resolve(self, *, actor, rows):
        codes = {r.values["code"] for r in rows if r.values.get("code")}
        parents = {r.values["parent_code"] for r in rows if r.values.get("parent_code")}
        communities = {r.values["community_code"] for r in rows if r.values.get("community_code")}
        grids_in_scope = set(
            Grid.objects.restrict(actor, CHANGE)
            .filter(code__in=parents)
            .values_list("code", flat=True)
        )
        communities_in_scope = set(
            Area.objects.restrict(actor, CHANGE)
            .filter(code__in=communities, level=Area.Level.COMMUNITY)
            .values_list("code", flat=True)
        )
        for row in rows:
            v = row.values
            if v.get("community_code") and v["community_code"] not in communities_in_scope:
                row.fail("community_code", _refused(_("社区代码"), v["community_code"]))
            parent = v.get("parent_code")
            if parent and parent not in grids_in_scope and parent not in codes:
                row.fail("parent_code", _refused(_("网格编码"), parent))

    def candidate(self, row):
        from civicgrid.geo.validation import GridCandidate

        v = row.values
        return GridCandidate(
            key=f"第{row.number}行",
            code=v["code"],
            name=v["name"],
            community_code=v["community_code"],
            geometry=v.get("geometry"),
            kind=v.get("kind") or Grid.Kind.COMPREHENSIVE,
            parent_code=v.get("parent_code") or None,
        )

    def export_queryset(self, user):
        return (
            Grid.objects.restrict(user, "export")
            .select_related("community", "parent")
            .order_by(F("parent_id").asc(nulls_first=True), "code")
        )

    def export_row(self, g, *, reveal):
        return [
            g.code,
            g.name,
            g.community.code,
            t.choice_label(GRID_KINDS, g.kind),
            g.parent.code if g.parent else "",
            _geometry_text(g.geometry),
        ]


AREAS = AreaKind()
GRIDS = GridKind()
