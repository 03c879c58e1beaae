"""Validation of areas and grids before they are written (GeoJSON and Excel imports).

Everything here reads; nothing writes. ``plan_areas`` / ``plan_grids`` return the errors and
the stored rows they found, so that ``importers`` can write without looking twice;
``validate_areas`` / ``validate_grids`` return the errors only.

Rules (each error names the feature, the field and a specific reason in Chinese):

* codes: area codes are 12-digit division codes; a street's code starts with its county's
  first 6 digits, a community's with its street's first 9. Codes are unique in the file.
* references: a parent or community code must exist, in the file or in the database, and be
  writable by the actor; an unwritable code is reported exactly like a missing one.
* levels: street under county, community under street (a county may sit under a county).
* geometry: Polygon or MultiPolygon, WGS-84 longitude/latitude, valid (shapely), non-empty.
* a grid lies inside its community and a micro-grid inside its parent grid, within the
  tolerance; the comprehensive grids of a community do not overlap each other, nor do the
  micro-grids of one parent, by more than the tolerance. Siblings are those in the file and
  those already stored (a grid in the file with a geometry replaces its stored version).
  Special grids (专属网格) must lie inside their community and may overlap other grids.
* an existing code is updated (name, and geometry when one is given); an import never moves
  a row to another parent or community, nor changes an area's level or a grid's kind.
* a new geometry for a stored community or comprehensive grid must still hold the stored
  grids or micro-grids inside it.

Distances and areas are computed in metres on a local equirectangular projection around the
community (``Frame``): the tolerance in metres becomes degrees at that latitude.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

import shapely
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape
from shapely.validation import explain_validity

from civicgrid.core.scoping import CHANGE, get_scope
from civicgrid.core.validators import validate_division_code

from .models import Area, Grid

M_PER_DEG = 111_320.0
# Overlaps smaller than this (square metres) are floating-point noise along shared edges.
_AREA_EPS = 1e-3
_PREFIX = {Area.Level.STREET: 6, Area.Level.COMMUNITY: 9}


@dataclass(frozen=True)
class GeoError:
    key: str  # what to show the user: the feature's name or code, or "第N行" given by the caller
    field: str  # "geometry", "code", "parent_code", "community_code", ...
    reason: str  # translated and specific


@dataclass
class AreaCandidate:
    key: str
    code: str
    name: str
    level: int
    parent_code: str | None
    geometry: dict | None


@dataclass
class GridCandidate:
    key: str
    code: str
    name: str
    community_code: str
    geometry: dict | None
    kind: str = Grid.Kind.COMPREHENSIVE
    parent_code: str | None = None


@dataclass
class Plan:
    """What validation found, for the importer: errors and stored rows by code."""

    errors: list[GeoError] = field(default_factory=list)
    existing: dict[str, object] = field(default_factory=dict)  # code -> stored row to update
    parents: dict[str, object] = field(default_factory=dict)  # code -> stored parent row
    communities: dict[str, Area] = field(default_factory=dict)  # code -> stored community
    geoms: dict[str, object] = field(default_factory=dict)  # code -> shapely geometry


# Words accepted for an area level and a grid kind (besides 1/2/3 and the kind values).
LEVEL_WORDS: dict[str, int] = {
    **dict.fromkeys(["1", "县", "区", "县区", "县/区", "县级", "市辖区", "county", "district"], 1),
    **dict.fromkeys(["2", "街道", "镇", "乡", "乡镇", "街道/镇", "street", "town"], 2),
    **dict.fromkeys(["3", "社区", "村", "社区/村", "居委会", "村委会", "community", "village"], 3),
}
KIND_WORDS: dict[str, str] = {
    **dict.fromkeys(["综合网格", "综合"], Grid.Kind.COMPREHENSIVE),
    **dict.fromkeys(["精微网格", "精微", "微网格"], Grid.Kind.MICRO),
    **dict.fromkeys(["专属网格", "专属"], Grid.Kind.SPECIAL),
}


def normalize_level(value) -> int | None:
    """1, 2 or 3 from a number or a word (县/街道/社区 …); None when not recognised."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return LEVEL_WORDS.get(_clean(value).lower())


def normalize_kind(value) -> str:
    """A Grid.Kind value from a value or a word (综合网格 …); empty means comprehensive."""
    kind = _clean(value)
    return KIND_WORDS.get(kind, kind) if kind else Grid.Kind.COMPREHENSIVE


def writable(model, actor):
    """Rows the actor may import into: their change scope, where they hold "import" too.

    ``actor=None`` is the system and may write everywhere.
    """
    if actor is None:
        return model.objects.all()
    return model.objects.restrict(actor, CHANGE).restrict(actor, "import")


def tolerance(value: float | None = None) -> float:
    return float(settings.CIVICGRID_GRID_TOLERANCE_M if value is None else value)


# --- geometry ----------------------------------------------------------------------------

_GEOS_REASONS = {
    "Self-intersection": "边界自相交,或多个部分相互重叠",
    "Ring Self-intersection": "边界环自相交",
    "Too few points in geometry component": "点数过少:每个环至少需要 4 个点(首尾相同)",
    "Hole lies outside shell": "内洞位于外边界之外",
    "Holes are nested": "内洞相互嵌套",
    "Interior is disconnected": "内洞把多边形分割成互不相连的部分",
    "Nested shells": "多部分多边形的各部分相互嵌套",
    "Duplicate Rings": "存在重复的环",
    "Invalid Coordinate": "坐标无效(非数字或无穷大)",
    "Ring is not closed": "边界环未闭合(首尾点须相同)",
}
_GEOS_RE = re.compile(r"^(?P<what>[^\[]+?)\s*\[(?P<x>\S+) (?P<y>\S+)\]$")


def explain_invalid(geom) -> str:
    """shapely's explain_validity in plain Chinese, with the place where it happens."""
    text = explain_validity(geom)
    m = _GEOS_RE.match(text)
    what = m.group("what") if m else text
    if what in _GEOS_REASONS:
        reason = _(_GEOS_REASONS[what])
    else:
        reason = _("几何无效:%(what)s") % {"what": what}
    if m:
        reason += _("(在经度 %(x)s、纬度 %(y)s 附近)") % {"x": m.group("x"), "y": m.group("y")}
    return reason + "。"


def parse_polygon(geometry) -> tuple[object | None, str | None]:
    """A 2-D shapely (Multi)Polygon from GeoJSON, or None and a translated reason.

    A Feature is unwrapped; rings that are not closed are closed, as shapely does.
    """
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not isinstance(geometry, dict):
        return None, _("几何数据须为 GeoJSON 对象(Polygon 或 MultiPolygon)。")
    kind = geometry.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        return None, _("几何类型须为 Polygon 或 MultiPolygon(现为 %(kind)s)。") % {"kind": kind}
    try:
        geom = shapely.force_2d(shape(geometry))
    except Exception:  # shapely raises several types for malformed coordinates
        return None, _("坐标结构不正确:%(kind)s 的坐标应为由 [经度, 纬度] 组成的环。") % {
            "kind": kind
        }
    if geom.is_empty:
        return None, _("几何为空,没有坐标。")
    min_x, min_y, max_x, max_y = geom.bounds
    if not all(math.isfinite(v) for v in geom.bounds):
        return None, _("坐标无效(非数字或无穷大)。")
    if not (-180 <= min_x and max_x <= 180 and -90 <= min_y and max_y <= 90):
        if -90 <= min_x and max_x <= 90 and -180 <= min_y and max_y <= 180:
            return None, _("纬度超出范围:经纬度顺序可能颠倒(GeoJSON 为经度在前、纬度在后)。")
        return None, _(
            "坐标超出经纬度范围,可能是投影坐标;请转换为 WGS-84 经纬度(经度在前、纬度在后)。"
        )
    if not geom.is_valid:
        return None, explain_invalid(geom)
    if geom.area <= 0:
        return None, _("多边形面积为零。")
    return geom, None


def stored_geometry(geometry: dict | None):
    """A stored geometry as shapely, repaired if needed; None when absent or unreadable."""
    if not geometry:
        return None
    try:
        geom = shapely.force_2d(shape(geometry))
    except Exception:
        return None
    if geom.is_empty:
        return None
    return geom if geom.is_valid else shapely.make_valid(geom)


def to_geojson(geom) -> dict:
    """Normalised GeoJSON for storage: 2-D, closed rings, lists rather than tuples."""

    def lists(v):
        return [lists(x) for x in v] if isinstance(v, list | tuple) else float(v)

    data = mapping(geom)
    return {"type": data["type"], "coordinates": lists(data["coordinates"])}


@dataclass(frozen=True)
class Frame:
    """Local equirectangular projection in metres around (lon0, lat0)."""

    lon0: float
    lat0: float

    @classmethod
    def around(cls, geom) -> Frame:
        c = geom.centroid
        return cls(c.x, c.y)

    def metres(self, geom):
        kx = M_PER_DEG * math.cos(math.radians(self.lat0))
        return shapely.transform(geom, lambda xy: (xy - (self.lon0, self.lat0)) * (kx, M_PER_DEG))


def _sq_m(value: float) -> str:
    return f"{max(value, 1):,.0f}"


def _outside(geom_m, container_m, tol: float) -> float | None:
    """Area (m²) of geom outside container when it sticks out beyond the tolerance, else None."""
    if geom_m.within(container_m.buffer(tol)):
        return None
    return geom_m.difference(container_m).area


def _outside_reason(area: float, what: str, name: str, tol: float) -> str:
    return _("超出%(what)s『%(name)s』约 %(area)s 平方米(容差 %(tol)s 米)。") % {
        "what": what,
        "name": name,
        "area": _sq_m(area),
        "tol": f"{tol:g}",
    }


@dataclass
class Shape:
    """A polygon in an overlap check: from the file (``key`` set) or from the database."""

    name: str
    geom_m: object
    key: str | None = None


def overlap_errors(shapes: list[Shape], tol: float) -> list[GeoError]:
    """Pairs overlapping by a strip wider than ``tol`` metres, at least one from the file.

    Each polygon is shrunk by tol/2, so two of them meet only where their common strip is
    wider than tol. The error goes to the later file feature and names the other one.
    """
    if len(shapes) < 2:
        return []
    geoms = [s.geom_m for s in shapes]
    shrunk = [g.buffer(-tol / 2) if tol > 0 else g for g in geoms]
    left, right = shapely.STRtree(shrunk).query(shrunk, predicate="intersects")
    errors = []
    for i, j in sorted(zip(left.tolist(), right.tolist(), strict=True)):
        if i >= j or (shapes[i].key is None and shapes[j].key is None):
            continue
        if shrunk[i].intersection(shrunk[j]).area <= _AREA_EPS:
            continue
        mine, other = (
            (shapes[j], shapes[i]) if shapes[j].key is not None else (shapes[i], shapes[j])
        )
        reason = _("与网格『%(name)s』重叠约 %(area)s 平方米。") % {
            "name": other.name,
            "area": _sq_m(geoms[i].intersection(geoms[j]).area),
        }
        errors.append(GeoError(mine.key, "geometry", reason))
    return errors


# --- shared checks -----------------------------------------------------------------------


def _clean(value) -> str:
    return "" if value is None else str(value).strip()


def _first_by_code(candidates, errors: list[GeoError]) -> dict:
    """The first candidate of each code; a repeated code is an error on the later one."""
    first: dict = {}
    for c in candidates:
        code = _clean(c.code)
        if code in first:
            reason = _("编码『%(code)s』与『%(other)s』重复。") % {
                "code": code,
                "other": first[code].key,
            }
            errors.append(GeoError(c.key, "code", reason))
        elif code:
            first[code] = c
    return first


def _check_name(c, errors: list[GeoError]) -> None:
    name = _clean(c.name)
    if not name:
        errors.append(GeoError(c.key, "name", _("名称不能为空。")))
    elif len(name) > 60:
        reason = _("名称过长(最多 60 个字,现为 %(n)d 个)。") % {"n": len(name)}
        errors.append(GeoError(c.key, "name", reason))


def _check_geometry(c, errors: list[GeoError]):
    if c.geometry is None:
        return None
    geom, reason = parse_polygon(c.geometry)
    if reason:
        errors.append(GeoError(c.key, "geometry", reason))
    return geom


def _in_file_order(candidates, errors: list[GeoError]) -> None:
    """Sort errors (stably) by where their feature or row first appears."""
    position: dict[str, int] = {}
    for i, c in enumerate(candidates):
        position.setdefault(c.key, i)
    errors.sort(key=lambda e: position.get(e.key, -1))


def not_found(what: str, code: str) -> str:
    """The same words for a missing code and for one outside the actor's scope."""
    return _("%(what)s『%(code)s』不存在或不在您的管辖范围内。") % {"what": what, "code": code}


def _code_unavailable(code: str) -> str:
    return _("编码『%(code)s』不可用:不在您的管辖范围内。") % {"code": code}


# --- areas -------------------------------------------------------------------------------


def validate_areas(
    candidates: list[AreaCandidate], *, actor=None, tolerance_m: float | None = None
) -> list[GeoError]:
    return plan_areas(candidates, actor=actor, tolerance_m=tolerance_m).errors


def plan_areas(
    candidates: list[AreaCandidate], *, actor=None, tolerance_m: float | None = None
) -> Plan:
    plan = Plan()
    errors = plan.errors
    first = _first_by_code(candidates, errors)
    refs = set(first) | {_clean(c.parent_code) for c in candidates if _clean(c.parent_code)}
    stored = {a.code: a for a in Area.objects.filter(code__in=refs).select_related("parent")}
    ok = set(writable(Area, actor).filter(code__in=stored).values_list("code", flat=True))
    system = actor is None or get_scope(actor, CHANGE).everything
    for c in candidates:
        code, is_first = _clean(c.code), first.get(_clean(c.code)) is c
        try:
            validate_division_code(code)
        except ValidationError as e:
            errors.append(GeoError(c.key, "code", str(e.messages[0])))
        _check_name(c, errors)
        level = normalize_level(c.level)
        if level is None:
            errors.append(
                GeoError(c.key, "level", _("层级须为 1(县/区)、2(街道/镇)或 3(社区/村)。"))
            )
        geom = _check_geometry(c, errors)
        if not is_first:
            continue
        if geom is not None:
            plan.geoms[code] = geom
        row = stored.get(code)
        if row is not None and code not in ok:
            errors.append(GeoError(c.key, "code", _code_unavailable(code)))
            continue
        if row is not None:  # an update keeps its parent, which may lie outside the scope
            plan.existing[code] = row
            _check_area_update(c, row, level, errors)
            continue
        _check_area_parent(c, code, level, first, stored, ok, system, plan)
    _check_area_cycles(first, errors)
    _check_community_holds_grids(first, plan, tolerance(tolerance_m))
    _in_file_order(candidates, errors)
    return plan


def _check_area_update(c: AreaCandidate, row: Area, level, errors: list[GeoError]) -> None:
    if level is not None and row.level != level:
        reason = _("导入不能改变层级:已有记录为%(level)s。") % {"level": row.get_level_display()}
        errors.append(GeoError(c.key, "level", reason))
    stored_parent = row.parent.code if row.parent_id else ""
    if stored_parent != _clean(c.parent_code):
        reason = _("导入不能移动区划:已有记录的上级代码为『%(code)s』。") % {
            "code": stored_parent or _("无")
        }
        errors.append(GeoError(c.key, "parent_code", reason))


def _check_area_parent(c, code, level, first, stored, ok, system, plan) -> None:
    errors = plan.errors
    pcode = _clean(c.parent_code)
    if not pcode:
        if level in (Area.Level.STREET, Area.Level.COMMUNITY):
            errors.append(GeoError(c.key, "parent_code", _("街道/镇和社区/村须填写上级区划代码。")))
        elif level == Area.Level.COUNTY and not system:
            errors.append(GeoError(c.key, "parent_code", _("只有系统管理员可以新建顶级区划。")))
        return
    if pcode == code:
        errors.append(GeoError(c.key, "parent_code", _("上级区划不能是自己。")))
        return
    if pcode in first:
        parent_level = normalize_level(first[pcode].level)
    elif pcode in ok:
        parent_level = stored[pcode].level
        plan.parents[pcode] = stored[pcode]
    else:
        errors.append(GeoError(c.key, "parent_code", not_found(_("上级区划"), pcode)))
        return
    if level is None or parent_level is None:
        return
    expected = Area.Level.COUNTY if level != Area.Level.COMMUNITY else Area.Level.STREET
    if parent_level != expected:
        reason = _("层级不符:%(child)s的上级须为%(parent)s,而『%(code)s』是%(actual)s。") % {
            "child": Area.Level(level).label,
            "parent": Area.Level(expected).label,
            "code": pcode,
            "actual": Area.Level(parent_level).label,
        }
        errors.append(GeoError(c.key, "parent_code", reason))
    elif level in _PREFIX and code[: _PREFIX[level]] != pcode[: _PREFIX[level]]:
        n = _PREFIX[level]
        reason = _("区划代码前 %(n)d 位须与上级『%(code)s』相同(应为 %(prefix)s)。") % {
            "n": n,
            "code": pcode,
            "prefix": pcode[:n],
        }
        errors.append(GeoError(c.key, "code", reason))


def _check_area_cycles(first: dict, errors: list[GeoError]) -> None:
    """Counties may sit under counties: make sure the file does not loop."""
    for code, c in first.items():
        seen, cur = {code}, first.get(_clean(c.parent_code))
        while cur is not None:
            cur_code = _clean(cur.code)
            if cur_code in seen:
                errors.append(GeoError(c.key, "parent_code", _("上级关系形成循环。")))
                break
            seen.add(cur_code)
            cur = first.get(_clean(cur.parent_code))


def _check_community_holds_grids(first: dict, plan: Plan, tol: float) -> None:
    changed = {
        code: geom
        for code, geom in plan.geoms.items()
        if code in plan.existing and plan.existing[code].level == Area.Level.COMMUNITY
    }
    if not changed:
        return
    grids = Grid.objects.filter(community__code__in=changed).exclude(geometry=None)
    for code, name, geometry in grids.values_list("community__code", "name", "geometry"):
        grid = stored_geometry(geometry)
        if grid is None:
            continue
        frame = Frame.around(changed[code])
        area = _outside(frame.metres(grid), frame.metres(changed[code]), tol)
        if area is not None:
            reason = _("已有网格『%(name)s』将超出本社区约 %(area)s 平方米(容差 %(tol)s 米)。") % {
                "name": name,
                "area": _sq_m(area),
                "tol": f"{tol:g}",
            }
            plan.errors.append(GeoError(first[code].key, "geometry", reason))


# --- grids -------------------------------------------------------------------------------


def validate_grids(
    candidates: list[GridCandidate], *, tolerance_m: float | None = None, actor=None
) -> list[GeoError]:
    return plan_grids(candidates, tolerance_m=tolerance_m, actor=actor).errors


@dataclass
class _Resolved:
    """A file grid that passed the reference checks, for the spatial checks."""

    c: GridCandidate
    code: str
    kind: str
    community: Area
    parent_code: str | None
    geom: object | None


def plan_grids(
    candidates: list[GridCandidate], *, tolerance_m: float | None = None, actor=None
) -> Plan:
    plan = Plan()
    errors = plan.errors
    first = _first_by_code(candidates, errors)
    community_codes = {_clean(c.community_code) for c in candidates}
    plan.communities = {a.code: a for a in writable(Area, actor).filter(code__in=community_codes)}
    refs = set(first) | {_clean(c.parent_code) for c in candidates if _clean(c.parent_code)}
    stored = {
        g.code: g for g in Grid.objects.filter(code__in=refs).select_related("community", "parent")
    }
    ok = set(writable(Grid, actor).filter(code__in=stored).values_list("code", flat=True))
    resolved: list[_Resolved] = []
    for c in candidates:
        item = _check_grid(c, first, stored, ok, plan)
        if item is not None:
            resolved.append(item)
    _check_grid_shapes(resolved, plan, tolerance(tolerance_m))
    _in_file_order(candidates, errors)
    return plan


def _check_grid(c: GridCandidate, first, stored, ok, plan: Plan) -> _Resolved | None:
    errors = plan.errors
    code, kind = _clean(c.code), normalize_kind(c.kind)
    if not code:
        errors.append(GeoError(c.key, "code", _("网格编码不能为空。")))
    elif len(code) > 20:
        errors.append(GeoError(c.key, "code", _("网格编码过长(最多 20 个字符)。")))
    _check_name(c, errors)
    if kind not in Grid.Kind.values:
        choices = "、".join(f"{v}({label})" for v, label in Grid.Kind.choices)
        reason = _("网格类型须为 %(choices)s 之一。") % {"choices": choices}
        errors.append(GeoError(c.key, "kind", reason))
        kind = None
    geom = _check_geometry(c, errors)
    community = _grid_community(c, plan)
    if not code or first.get(code) is not c:
        return None
    row = stored.get(code)
    if row is not None and code not in ok:
        errors.append(GeoError(c.key, "code", _code_unavailable(code)))
        return None
    if row is not None:
        plan.existing[code] = row
        _check_grid_update(c, row, kind, errors)
    parent_code = _grid_parent(c, code, kind, first, stored, ok, plan)
    if geom is not None:
        plan.geoms[code] = geom
    if community is None or kind is None:
        return None
    return _Resolved(c, code, kind, community, parent_code, geom)


def _grid_community(c: GridCandidate, plan: Plan) -> Area | None:
    cc = _clean(c.community_code)
    community = plan.communities.get(cc)
    if not cc:
        plan.errors.append(GeoError(c.key, "community_code", _("须填写所属社区代码。")))
    elif community is None:
        plan.errors.append(GeoError(c.key, "community_code", not_found(_("社区"), cc)))
    elif community.level != Area.Level.COMMUNITY:
        reason = _("『%(name)s』是%(level)s,网格只能建在社区/村之下。") % {
            "name": community.name,
            "level": community.get_level_display(),
        }
        plan.errors.append(GeoError(c.key, "community_code", reason))
        return None
    return community


def _check_grid_update(c: GridCandidate, row: Grid, kind, errors: list[GeoError]) -> None:
    if row.community.code != _clean(c.community_code):
        reason = _("导入不能把网格移到另一社区:已有记录属于『%(name)s』(%(code)s)。") % {
            "name": row.community.name,
            "code": row.community.code,
        }
        errors.append(GeoError(c.key, "community_code", reason))
    if kind is not None and row.kind != kind:
        reason = _("导入不能改变网格类型:已有记录为%(kind)s。") % {"kind": row.get_kind_display()}
        errors.append(GeoError(c.key, "kind", reason))
    stored_parent = row.parent.code if row.parent_id else ""
    if kind == Grid.Kind.MICRO and stored_parent != _clean(c.parent_code):
        reason = _("导入不能改变上级网格:已有记录的上级为『%(code)s』。") % {"code": stored_parent}
        errors.append(GeoError(c.key, "parent_code", reason))


def _grid_parent(c, code, kind, first, stored, ok, plan: Plan) -> str | None:
    errors = plan.errors
    pcode = _clean(c.parent_code)
    if kind != Grid.Kind.MICRO:
        if pcode:
            errors.append(GeoError(c.key, "parent_code", _("只有精微网格可以填写上级网格。")))
        return None
    if not pcode:
        errors.append(GeoError(c.key, "parent_code", _("精微网格须填写上级网格编码。")))
        return None
    if pcode == code:
        errors.append(GeoError(c.key, "parent_code", _("上级网格不能是自己。")))
        return None
    if pcode in first:
        parent_kind = normalize_kind(first[pcode].kind)
        parent_community = _clean(first[pcode].community_code)
    elif pcode in ok:
        parent = plan.parents[pcode] = stored[pcode]
        parent_kind, parent_community = parent.kind, parent.community.code
    else:
        errors.append(GeoError(c.key, "parent_code", not_found(_("上级网格"), pcode)))
        return None
    if parent_kind != Grid.Kind.COMPREHENSIVE:
        reason = _("上级网格『%(code)s』须为综合网格。") % {"code": pcode}
        errors.append(GeoError(c.key, "parent_code", reason))
    elif parent_community != _clean(c.community_code):
        reason = _("精微网格须与上级网格『%(code)s』属于同一社区。") % {"code": pcode}
        errors.append(GeoError(c.key, "parent_code", reason))
    else:
        return pcode
    return None


def _check_grid_shapes(resolved: list[_Resolved], plan: Plan, tol: float) -> None:
    """Inside the community / parent grid, and no overlap with siblings, per community."""
    by_community: dict[int, list[_Resolved]] = defaultdict(list)
    for r in resolved:
        by_community[r.community.pk].append(r)
    replaced = {r.code for r in resolved if r.geom is not None}
    stored_rows = defaultdict(list)
    rows = (
        Grid.objects.filter(community_id__in=by_community)
        .exclude(geometry=None)
        .values_list("community_id", "code", "name", "kind", "parent__code", "geometry")
    )
    for community_id, code, name, kind, parent_code, geometry in rows:
        stored_rows[community_id].append((code, name, kind, parent_code, geometry))
    for community_id, items in by_community.items():
        _check_community_grids(items, stored_rows[community_id], replaced, plan, tol)


def _check_community_grids(items, stored_rows, replaced, plan: Plan, tol: float) -> None:
    community = items[0].community
    community_geom = stored_geometry(community.geometry)
    with_geom = [r for r in items if r.geom is not None]
    if not with_geom:
        return
    frame = Frame.around(community_geom if community_geom is not None else with_geom[0].geom)
    community_m = frame.metres(community_geom) if community_geom is not None else None
    # Stored grids, in metres, except those the file replaces.
    stored = [
        (code, name, kind, parent_code, frame.metres(g))
        for code, name, kind, parent_code, geometry in stored_rows
        if code not in replaced and (g := stored_geometry(geometry)) is not None
    ]
    mine = {r.code: frame.metres(r.geom) for r in with_geom}

    for r in with_geom:
        if community_m is not None:
            area = _outside(mine[r.code], community_m, tol)
            if area is not None:
                reason = _outside_reason(area, _("所属社区"), community.name, tol)
                plan.errors.append(GeoError(r.c.key, "geometry", reason))

    comprehensive = [
        Shape(_clean(r.c.name), mine[r.code], r.c.key)
        for r in with_geom
        if r.kind == Grid.Kind.COMPREHENSIVE
    ]
    comprehensive += [
        Shape(name, g) for _c, name, kind, _p, g in stored if kind == Grid.Kind.COMPREHENSIVE
    ]
    plan.errors.extend(overlap_errors(comprehensive, tol))
    _check_micro_grids(items, stored, mine, plan, tol)


def _check_micro_grids(items, stored, mine, plan: Plan, tol: float) -> None:
    stored_by_code = {code: (name, g) for code, name, _k, _p, g in stored}
    # Parent outlines: the file's new geometry, else the stored one.
    outlines = {code: (name, g) for code, (name, g) in stored_by_code.items()}
    outlines.update({r.code: (_clean(r.c.name), mine[r.code]) for r in items if r.code in mine})
    micros: dict[str, list[Shape]] = defaultdict(list)
    for r in items:
        if r.kind != Grid.Kind.MICRO or r.parent_code is None or r.code not in mine:
            continue
        micros[r.parent_code].append(Shape(_clean(r.c.name), mine[r.code], r.c.key))
        if r.parent_code in outlines:
            parent_name, parent_m = outlines[r.parent_code]
            area = _outside(mine[r.code], parent_m, tol)
            if area is not None:
                reason = _outside_reason(area, _("上级网格"), parent_name, tol)
                plan.errors.append(GeoError(r.c.key, "geometry", reason))
    for _code, name, kind, parent_code, g in stored:
        if kind == Grid.Kind.MICRO and parent_code in micros:
            micros[parent_code].append(Shape(name, g))
    for shapes in micros.values():
        plan.errors.extend(overlap_errors(shapes, tol))
    # A comprehensive grid with a new outline must still hold its stored micro-grids.
    for r in items:
        if r.kind != Grid.Kind.COMPREHENSIVE or r.code not in mine or r.code not in plan.existing:
            continue
        for _code, name, kind, parent_code, g in stored:
            if kind != Grid.Kind.MICRO or parent_code != r.code:
                continue
            area = _outside(g, mine[r.code], tol)
            if area is not None:
                reason = _(
                    "已有精微网格『%(name)s』将超出本网格约 %(area)s 平方米(容差 %(tol)s 米)。"
                ) % {
                    "name": name,
                    "area": _sq_m(area),
                    "tol": f"{tol:g}",
                }
                plan.errors.append(GeoError(r.c.key, "geometry", reason))
