"""Importers: all or nothing, upsert, dry run, scope, GeoJSON parsing, audit, the locator after."""

import json

import pytest

from civicgrid.core.errors import PermissionDenied
from civicgrid.core.models import AuditLog
from civicgrid.geo.importers import apply_areas, apply_grids, import_geojson
from civicgrid.geo.locator import locate
from civicgrid.geo.models import Area, Grid
from civicgrid.geo.validation import AreaCandidate, GridCandidate
from civicgrid.testing.factories import rect, square

pytestmark = pytest.mark.django_db


def feature(geometry, **props):
    return {"type": "Feature", "geometry": geometry, "properties": props}


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def south_grids():
    return collection(
        feature(
            square(114.04, 23.00, 0.01),
            code="G-C1",
            name="南门第一网格",
            community_code="441322001003",
        ),
        feature(
            square(114.05, 23.00, 0.01),
            code="G-C2",
            name="南门第二网格",
            community_code="441322001003",
            kind="综合网格",
        ),
        feature(
            square(114.041, 23.001, 0.002),
            code="G-C1-1",
            name="南门精微网格",
            community_code="441322001003",
            kind="micro",
            parent_code="G-C1",
        ),
    )


def test_grids_are_imported_with_micro_grids_after_their_parent(tiny, south):
    result = import_geojson(actor=None, data=south_grids(), kind="grids")
    assert (result.created, result.updated, result.errors) == (3, 0, [])
    micro = Grid.objects.get(code="G-C1-1")
    assert (
        micro.parent.code == "G-C1" and micro.kind == Grid.Kind.MICRO and micro.community == south
    )
    c1 = Grid.objects.get(code="G-C1")
    assert (c1.min_x, c1.min_y, c1.max_x, c1.max_y) == pytest.approx((114.04, 23.00, 114.05, 23.01))


def test_one_bad_feature_imports_nothing_and_is_named(tiny, south):
    data = south_grids()
    data["features"][1]["geometry"] = square(114.045, 23.00, 0.01)  # overlaps 南门第一网格 by half
    before = Grid.objects.count()
    result = import_geojson(actor=None, data=json.dumps(data, ensure_ascii=False), kind="grids")
    assert (result.created, result.updated) == (0, 0)
    assert [(e.key, e.field) for e in result.errors] == [("南门第二网格(G-C2)", "geometry")]
    assert "与网格『南门第一网格』重叠约" in result.errors[0].reason
    assert Grid.objects.count() == before
    assert not AuditLog.objects.filter(action=AuditLog.Action.IMPORT).exists()


def test_existing_code_is_updated_name_and_geometry(tiny):
    moved = rect(114.00, 23.00, 114.012, 23.01)
    data = collection(
        feature(moved, code="G-A1", name="东门一网格(新)", community_code="441322001001"),
        feature(
            rect(114.012, 23.00, 114.02, 23.01),
            code="G-A2",
            name="东门第二网格",
            community_code="441322001001",
        ),
    )
    result = import_geojson(actor=tiny.staff_a, data=data, kind="grids")
    assert (result.created, result.updated, result.errors) == (0, 2, [])
    a1 = Grid.objects.get(code="G-A1")
    assert a1.name == "东门一网格(新)" and a1.pk == tiny.grid_a1.pk
    assert a1.geometry == moved and a1.max_x == pytest.approx(114.012)
    assert Grid.objects.count() == 4


def test_feature_without_geometry_keeps_the_stored_outline(tiny):
    result = import_geojson(
        actor=None,
        data=collection(feature(None, code="G-A1", name="改名", community_code="441322001001")),
        kind="grids",
    )
    assert (result.updated, result.errors) == (1, [])
    a1 = Grid.objects.get(code="G-A1")
    assert a1.name == "改名" and a1.geometry == tiny.grid_a1.geometry


def test_reimporting_the_same_data_changes_nothing(tiny, south):
    import_geojson(actor=None, data=south_grids(), kind="grids")
    stamps = dict(Grid.objects.values_list("code", "updated_at"))
    again = import_geojson(actor=None, data=south_grids(), kind="grids")
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 3, [])
    assert dict(Grid.objects.values_list("code", "updated_at")) == stamps


def test_dry_run_counts_and_writes_nothing(tiny, south):
    result = import_geojson(actor=None, data=south_grids(), kind="grids", dry_run=True)
    assert (result.created, result.updated, result.errors) == (3, 0, [])
    assert not Grid.objects.filter(code__startswith="G-C").exists()


def test_areas_are_created_parents_first_whatever_the_order(tiny):
    data = collection(
        feature(None, code="441322002001", name="新社区", level="社区", parent_code="441322002000"),
        feature(
            rect(114.0, 23.01, 114.04, 23.02),
            code="441322002000",
            name="新街道",
            level="街道",
            parent_code="441322000000",
        ),
        feature(
            None, code="441322001001", name="东门社区(改)", level=3, parent_code="441322001000"
        ),
    )
    result = import_geojson(actor=None, data=data, kind="areas")
    assert (result.created, result.updated, result.errors) == (2, 1, [])
    street = Area.objects.get(code="441322002000")
    community = Area.objects.get(code="441322002001")
    assert community.parent == street and community.path == f"{street.path}{community.pk}/"
    assert street.level == Area.Level.STREET and street.min_y == pytest.approx(23.01)
    assert Area.objects.get(code="441322001001").name == "东门社区(改)"


def test_apply_interface_for_spreadsheets(tiny):
    rows = [
        AreaCandidate(
            key="第2行",
            code="441322001003",
            name="南门社区",
            level=3,
            parent_code="441322001000",
            geometry=None,
        ),
        AreaCandidate(
            key="第3行",
            code="44132200100",
            name="坏",
            level=3,
            parent_code="441322001000",
            geometry=None,
        ),
    ]
    result = apply_areas(actor=tiny.street_staff, candidates=rows)
    assert [(e.key, e.field) for e in result.errors] == [("第3行", "code")]
    assert not Area.objects.filter(code="441322001003").exists()
    result = apply_areas(actor=tiny.street_staff, candidates=rows[:1])
    assert (result.created, result.errors) == (1, [])


def test_scope_other_community_reads_as_missing_and_nothing_is_written(tiny):
    grids = [
        GridCandidate(
            key="第2行",
            code="G-A3",
            name="东门第三网格",
            community_code="441322001001",
            geometry=None,
        ),
        GridCandidate(
            key="第3行",
            code="G-B3",
            name="西门第三网格",
            community_code="441322001002",
            geometry=None,
        ),
        GridCandidate(
            key="第4行",
            code="G-B1",
            name="西门第一网格",
            community_code="441322001002",
            geometry=None,
        ),
    ]
    result = apply_grids(actor=tiny.staff_a, candidates=grids)
    assert {(e.key, e.field) for e in result.errors} == {
        ("第3行", "community_code"),
        ("第4行", "community_code"),
        ("第4行", "code"),
    }
    assert "不存在或不在您的管辖范围内" in result.errors[0].reason
    assert not Grid.objects.filter(code__in=["G-A3", "G-B3"]).exists()
    assert Grid.objects.get(code="G-B1").name == "西门第一网格"
    assert apply_grids(actor=tiny.staff_a, candidates=grids[:1]).created == 1


def test_users_without_the_import_capability_are_refused(tiny):
    grids = [
        GridCandidate(
            key="x", code="G-A3", name="东门第三网格", community_code="441322001001", geometry=None
        )
    ]
    for user in (tiny.worker_a1, tiny.parttime_a1):
        with pytest.raises(PermissionDenied):
            apply_grids(actor=user, candidates=grids)
    assert not Grid.objects.filter(code="G-A3").exists()


def test_import_writes_one_audit_row(tiny, south):
    import_geojson(actor=tiny.street_staff, data=south_grids(), kind="grids")
    log = AuditLog.objects.get(action=AuditLog.Action.IMPORT)
    assert log.actor == tiny.street_staff
    assert log.detail == {"kind": "grids", "created": 3, "updated": 0, "unchanged": 0}


def test_the_locator_sees_imported_grids_at_once(tiny, south):
    assert not locate(114.045, 23.005).inside
    import_geojson(actor=None, data=south_grids(), kind="grids")
    assert locate(114.045, 23.005).grid_id == Grid.objects.get(code="G-C1").pk
    assert locate(114.0415, 23.0015).grid_id == Grid.objects.get(code="G-C1-1").pk


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"{not json", "不是有效的 JSON:第 1 行第 2 列"),
        ("[]", "须为 GeoJSON FeatureCollection"),
        ({"type": "Feature", "geometry": None, "properties": {}}, "现为 Feature"),
        ({"type": "FeatureCollection"}, "缺少 features"),
        ({"type": "FeatureCollection", "features": []}, "没有任何要素"),
        ("\xff".encode("latin-1"), "UTF-8"),
        (
            {
                "type": "FeatureCollection",
                "features": [],
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
            },
            "WGS-84",
        ),
    ],
)
def test_a_bad_file_gives_one_clear_error(tiny, data, words):
    result = import_geojson(actor=None, data=data, kind="grids")
    assert len(result.errors) == 1 and result.errors[0].field == "file"
    assert words in result.errors[0].reason


def test_file_size_limit(tiny, settings):
    settings.CIVICGRID_IMPORT_MAX_BYTES = 100
    big = json.dumps(south_grids()).encode()
    result = import_geojson(actor=None, data=big, kind="grids")
    assert "文件过大" in result.errors[0].reason


def test_utf8_bom_and_crs84_are_accepted(tiny, south):
    data = south_grids()
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    raw = b"\xef\xbb\xbf" + json.dumps(data, ensure_ascii=False).encode()
    assert import_geojson(actor=None, data=raw, kind="grids").created == 3


def test_a_feature_that_is_not_a_feature_is_named_by_position(tiny):
    data = collection(
        feature(None, code="G-A9", name="好", community_code="441322001001"), {"type": "Polygon"}
    )
    result = import_geojson(actor=None, data=data, kind="grids")
    assert [(e.key, e.field) for e in result.errors] == [("第2个要素", "file")]
    assert not Grid.objects.filter(code="G-A9").exists()


def test_feature_key_falls_back_to_code_or_position(tiny):
    data = collection(
        feature(None, code="G-A9", community_code="441322001001"),
        feature(None, name="", community_code="441322001001"),
    )
    keys = {e.key for e in import_geojson(actor=None, data=data, kind="grids").errors}
    assert keys == {"G-A9", "第2个要素"}
