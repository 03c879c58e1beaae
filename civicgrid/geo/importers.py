"""Import areas and grids: validate everything, then write everything, in one transaction.

All or nothing: when any candidate has an error, nothing is written and every error is
returned. An existing code is updated (upsert): its name, and its geometry when the file
gives one (a feature without geometry keeps the stored outline). Rows whose name and
geometry are already as in the file are counted as unchanged and not touched. An import
never moves a row to another parent or community, nor changes a level or a grid kind;
those are errors (see ``validation``).

``actor=None`` is the system (management command). A user needs the "import" capability;
each row, parent and community must lie inside their "change" scope where they hold it,
and a code outside it is reported like a missing one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import PermissionDenied
from civicgrid.core.models import AuditLog
from civicgrid.core.scoping import get_scope

from . import services
from .models import Area, Grid
from .validation import (
    AreaCandidate,
    GeoError,
    GridCandidate,
    Plan,
    normalize_kind,
    normalize_level,
    plan_areas,
    plan_grids,
    to_geojson,
)


@dataclass
class ImportResult:
    """Counts of rows created and updated (what would be, on a dry run); zero on errors."""

    created: int
    updated: int
    errors: list[GeoError]
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _require_import(actor) -> None:
    if actor is not None and get_scope(actor, "import").empty:
        raise PermissionDenied(_("您没有导入区划和网格的权限。"))


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _unique(candidates) -> list:
    seen, out = set(), []
    for c in candidates:
        code = _text(c.code)
        if code not in seen:
            seen.add(code)
            out.append(c)
    return out


def _changes(candidates, plan: Plan) -> tuple[list, list, int]:
    """New candidates, (candidate, row, geometry) updates, and the number unchanged."""
    new, updates, unchanged = [], [], 0
    for c in _unique(candidates):
        code = _text(c.code)
        geom = plan.geoms.get(code)
        geometry = to_geojson(geom) if geom is not None else None
        row = plan.existing.get(code)
        if row is None:
            new.append((c, geometry))
        elif row.name == _text(c.name) and (geometry is None or geometry == row.geometry):
            unchanged += 1
        else:
            updates.append((c, row, geometry))
    return new, updates, unchanged


def _finish(actor, kind: str, plan: Plan, new, updates, unchanged, dry_run, write) -> ImportResult:
    if plan.errors:
        return ImportResult(0, 0, plan.errors)
    if dry_run:
        return ImportResult(len(new), len(updates), [], unchanged)
    write()
    audit_record(
        actor=actor,
        action=AuditLog.Action.IMPORT,
        detail={"kind": kind, "created": len(new), "updated": len(updates), "unchanged": unchanged},
    )
    return ImportResult(len(new), len(updates), [], unchanged)


@transaction.atomic
def apply_areas(
    *,
    actor,
    candidates: list[AreaCandidate],
    dry_run: bool = False,
    tolerance_m: float | None = None,
) -> ImportResult:
    _require_import(actor)
    plan = plan_areas(candidates, actor=actor, tolerance_m=tolerance_m)
    new, updates, unchanged = _changes(candidates, plan)

    def write() -> None:
        for c, row, geometry in updates:
            services.area_update(actor=actor, area=row, name=_text(c.name), geometry=geometry)
        known: dict[str, Area] = {**plan.parents, **plan.existing}
        pending = new
        while pending:  # parents before children; validation has ruled out loops
            later = []
            for c, geometry in pending:
                parent_code = _text(c.parent_code)
                if parent_code and parent_code not in known:
                    later.append((c, geometry))
                    continue
                known[_text(c.code)] = services.area_create(
                    actor=actor,
                    code=_text(c.code),
                    name=_text(c.name),
                    level=normalize_level(c.level),
                    parent=known[parent_code] if parent_code else None,
                    geometry=geometry,
                )
            pending = later

    return _finish(actor, "areas", plan, new, updates, unchanged, dry_run, write)


@transaction.atomic
def apply_grids(
    *,
    actor,
    candidates: list[GridCandidate],
    dry_run: bool = False,
    tolerance_m: float | None = None,
) -> ImportResult:
    _require_import(actor)
    plan = plan_grids(candidates, actor=actor, tolerance_m=tolerance_m)
    new, updates, unchanged = _changes(candidates, plan)

    def write() -> None:
        for c, row, geometry in updates:
            services.grid_update(actor=actor, grid=row, name=_text(c.name), geometry=geometry)
        known: dict[str, Grid] = {**plan.parents, **plan.existing}
        # Comprehensive and special grids first, so that micro-grids find their parent.
        for c, geometry in sorted(
            new, key=lambda item: normalize_kind(item[0].kind) == Grid.Kind.MICRO
        ):
            parent_code = _text(c.parent_code)
            known[_text(c.code)] = services.grid_create(
                actor=actor,
                code=_text(c.code),
                name=_text(c.name),
                community=plan.communities[_text(c.community_code)],
                geometry=geometry,
                kind=normalize_kind(c.kind),
                parent=known[parent_code] if parent_code else None,
            )

    return _finish(actor, "grids", plan, new, updates, unchanged, dry_run, write)


# --- GeoJSON -----------------------------------------------------------------------------

_WGS84_CRS = ("CRS84", "4326", "4490")  # 4490: CGCS2000, within a metre of WGS-84


def _file_error(reason: str) -> ImportResult:
    return ImportResult(0, 0, [GeoError(_("文件"), "file", reason)])


def load_feature_collection(data: bytes | str | dict) -> tuple[list[dict] | None, str | None]:
    """The features of a GeoJSON FeatureCollection, or None and one clear reason."""
    if isinstance(data, bytes | str) and len(data) > settings.CIVICGRID_IMPORT_MAX_BYTES:
        limit = settings.CIVICGRID_IMPORT_MAX_BYTES // (1024 * 1024)
        return None, _("文件过大(上限 %(mb)d MB)。") % {"mb": limit}
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None, _("文件不是 UTF-8 编码的文本,请另存为 UTF-8 编码的 GeoJSON。")
    if isinstance(data, str):
        try:
            data = json.loads(data.lstrip("\ufeff"))
        except json.JSONDecodeError as e:
            return None, _("不是有效的 JSON:第 %(line)d 行第 %(col)d 列附近有错误。") % {
                "line": e.lineno,
                "col": e.colno,
            }
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        return None, _("须为 GeoJSON FeatureCollection(要素集合),现为 %(found)s。") % {
            "found": found
        }
    crs = _text(((data.get("crs") or {}).get("properties") or {}).get("name"))
    if crs and not any(tag in crs for tag in _WGS84_CRS):
        return None, _("仅支持 WGS-84 经纬度坐标,文件的坐标系为 %(crs)s。") % {"crs": crs}
    features = data.get("features")
    if not isinstance(features, list):
        return None, _("FeatureCollection 缺少 features 列表。")
    return features, None


def _feature_key(index: int, props: dict) -> str:
    name, code = _text(props.get("name")), _text(props.get("code"))
    if name and code:
        return f"{name}({code})"
    return name or code or _("第%(n)d个要素") % {"n": index}


def _area_candidate(key: str, props: dict, geometry) -> AreaCandidate:
    return AreaCandidate(
        key=key,
        code=_text(props.get("code")),
        name=_text(props.get("name")),
        level=normalize_level(props.get("level")) or props.get("level"),
        parent_code=_text(props.get("parent_code")) or None,
        geometry=geometry,
    )


def _grid_candidate(key: str, props: dict, geometry) -> GridCandidate:
    return GridCandidate(
        key=key,
        code=_text(props.get("code")),
        name=_text(props.get("name")),
        community_code=_text(props.get("community_code")),
        geometry=geometry,
        kind=normalize_kind(props.get("kind")),
        parent_code=_text(props.get("parent_code")) or None,
    )


def import_geojson(
    *,
    actor,
    data: bytes | str | dict,
    kind: str,
    dry_run: bool = False,
    tolerance_m: float | None = None,
) -> ImportResult:
    """Import a FeatureCollection of areas or grids (``kind`` "areas" or "grids").

    Area properties: code, name, level (1/2/3 or 县/街道/社区 …), parent_code.
    Grid properties: code, name, community_code, kind (comprehensive/micro/special or
    综合网格/精微网格/专属网格), parent_code (the comprehensive grid of a micro-grid).
    """
    if kind not in ("areas", "grids"):
        raise ValueError(f"kind must be 'areas' or 'grids', not {kind!r}")
    _require_import(actor)
    features, reason = load_feature_collection(data)
    if reason:
        return _file_error(reason)
    candidates, errors = [], []
    make = _area_candidate if kind == "areas" else _grid_candidate
    for i, feature in enumerate(features, 1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(
                GeoError(_("第%(n)d个要素") % {"n": i}, "file", _("不是 GeoJSON Feature。"))
            )
            continue
        props = feature.get("properties") or {}
        candidates.append(make(_feature_key(i, props), props, feature.get("geometry")))
    if errors:
        return ImportResult(0, 0, errors)
    if not candidates:
        return _file_error(_("文件中没有任何要素。"))
    apply = apply_areas if kind == "areas" else apply_grids
    return apply(actor=actor, candidates=candidates, dry_run=dry_run, tolerance_m=tolerance_m)
