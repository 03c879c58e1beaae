"""Excel import and export of areas and grids, through the geo importers, with real files."""

import io
import json

import pytest
from openpyxl import load_workbook

from civicgrid.core import tabular
from civicgrid.core.scoping import clear_scope_cache
from civicgrid.geo.models import Area, Grid
from civicgrid.testing.factories import rect, square

pytestmark = pytest.mark.django_db


def upload(tmp_path, kind, rows, name="geo.xlsx"):
    wb = load_workbook(io.BytesIO(tabular.template_xlsx(tabular.get_kind(kind).spec)))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    for r in rows:
        ws.append([r.get(h) for h in headers])
    path = tmp_path / name
    wb.save(path)
    return path


def run(user, path, kind, **kw):
    return tabular.run_import(
        actor=user, kind=kind, content=path.read_bytes(), filename=path.name, **kw
    )


def cells(out):
    return {(e.row, e.column): e.message for e in out.errors}


def test_area_and_grid_templates_round_trip(tiny, tmp_path):
    community = {
        "区划代码": "441322001003",
        "名称": "南门社区",
        "层级": "社区/村",
        "上级区划代码": "441322001000",
        "边界": json.dumps(rect(114.04, 23.00, 114.06, 23.01)),
    }
    out = run(tiny.street_staff, upload(tmp_path, "areas", [community]), "areas")
    assert (out.created, out.errors, out.written) == (1, [], True)
    south = Area.objects.get(code="441322001003")
    assert (
        south.parent == tiny.street and south.level == 3 and south.path.startswith(tiny.street.path)
    )
    clear_scope_cache(tiny.street_staff)  # as on the next request: the new community is in scope
    grids = [
        {
            "网格编码": "G-C1",
            "名称": "南门第一网格",
            "所属社区代码": "441322001003",
            "类型": "综合网格",
            "边界": json.dumps(square(114.04, 23.00, 0.01)),
        },
        {
            "网格编码": "G-C1-1",
            "名称": "南门精微网格",
            "所属社区代码": "441322001003",
            "类型": "精微网格",
            "上级网格编码": "G-C1",
        },
    ]
    out = run(tiny.street_staff, upload(tmp_path, "grids", grids, "grids.xlsx"), "grids")
    assert (out.created, out.errors) == (2, [])
    micro = Grid.objects.get(code="G-C1-1")
    assert micro.parent.code == "G-C1" and micro.kind == "micro" and micro.community == south
    assert Grid.objects.get(code="G-C1").min_x == pytest.approx(114.04)


def test_area_errors_point_at_row_and_column(tiny, tmp_path):
    out = run(
        tiny.staff_a,
        upload(
            tmp_path,
            "areas",
            [
                {
                    "区划代码": "441322001009",
                    "名称": "新社区",
                    "层级": "社区/村",
                    "上级区划代码": "441322001000",
                },
                {
                    "区划代码": "12345",
                    "名称": "坏代码",
                    "层级": "社区/村",
                    "上级区划代码": "441322001000",
                },
                {
                    "区划代码": "441322001008",
                    "名称": "坏边界",
                    "层级": "县/区",
                    "边界": "{not json",
                },
            ],
        ),
        "areas",
    )
    found = cells(out)
    assert found[(2, "上级区划代码")] == "找不到区划代码 441322001000 或不在您的管辖范围内。"
    assert "12位" in found[(3, "区划代码")]
    assert "GeoJSON" in found[(4, "边界")]
    assert Area.objects.filter(code__in=["441322001009", "441322001008"]).count() == 0


def test_grid_geometry_errors_from_the_importer_map_back_to_rows(tiny, tmp_path):
    rows = [
        {
            "网格编码": "G-A3",
            "名称": "东门第三网格",
            "所属社区代码": "441322001001",
            "边界": json.dumps(square(114.005, 23.002, 0.001)),
        },  # overlaps G-A1
        {"网格编码": "G-A4", "名称": "东门第四网格", "所属社区代码": "441322001001"},
        {"网格编码": "G-B9", "名称": "西门网格", "所属社区代码": "441322001002"},
    ]
    out = run(tiny.staff_a, upload(tmp_path, "grids", rows), "grids")
    found = cells(out)
    assert (2, "边界") in found
    assert found[(4, "所属社区代码")] == "找不到社区代码 441322001002 或不在您的管辖范围内。"
    assert (3, "网格编码") not in found and not out.written
    assert not Grid.objects.filter(code__in=["G-A3", "G-A4", "G-B9"]).exists()
    out = run(tiny.staff_a, upload(tmp_path, "grids", rows, "again.xlsx"), "grids", partial=True)
    assert out.created == 1 and out.failed_rows == 2
    assert list(
        Grid.objects.filter(code__in=["G-A3", "G-A4", "G-B9"]).values_list("code", flat=True)
    ) == ["G-A4"]


BOW_TIE = {
    "type": "Polygon",
    "coordinates": [
        [[114.0, 23.0], [114.01, 23.01], [114.01, 23.0], [114.0, 23.01], [114.0, 23.0]]
    ],
}


def test_partial_area_import_skips_the_invalid_outline(tiny, tmp_path):
    rows = [
        {
            "区划代码": "441322001003",
            "名称": "南门社区",
            "层级": "社区/村",
            "上级区划代码": "441322001000",
            "边界": json.dumps(BOW_TIE),
        },
        {
            "区划代码": "441322001004",
            "名称": "北门社区",
            "层级": "社区/村",
            "上级区划代码": "441322001000",
            "边界": json.dumps(rect(114.00, 23.02, 114.02, 23.03)),
        },
    ]
    out = run(tiny.street_staff, upload(tmp_path, "areas", rows), "areas", partial=True)
    assert "自相交" in cells(out)[(2, "边界")]
    assert out.created == 1 and out.failed_rows == 1
    assert set(Area.objects.filter(level=3).values_list("code", flat=True)) == {
        "441322001001",
        "441322001002",
        "441322001004",
    }


def test_partial_drops_the_micro_grids_of_a_failed_grid(tiny, tmp_path):
    rows = [
        {
            "网格编码": "G-A5",
            "名称": "越界网格",
            "所属社区代码": "441322001001",
            "边界": json.dumps(square(114.05, 23.00, 0.01)),
        },  # outside community A
        {
            "网格编码": "G-A5-1",
            "名称": "越界精微网格",
            "所属社区代码": "441322001001",
            "类型": "精微网格",
            "上级网格编码": "G-A5",
        },
        {"网格编码": "G-A6", "名称": "无边界网格", "所属社区代码": "441322001001"},
    ]
    out = run(tiny.staff_a, upload(tmp_path, "grids", rows), "grids", partial=True)
    found = cells(out)
    assert "超出所属社区" in found[(2, "边界")] and (3, "上级网格编码") in found
    assert out.created == 1 and out.failed_rows == 2
    assert (
        not Grid.objects.filter(code__in=["G-A5", "G-A5-1"]).exists()
        and Grid.objects.filter(code="G-A6").exists()
    )


def test_geo_export_is_scoped_and_reimports_unchanged(tiny, tmp_path):
    f = tabular.export_xlsx(user=tiny.staff_a, kind="grids")
    path = tmp_path / f.filename
    path.write_bytes(f.file.read())
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["G-A1", "G-A2"] and rows[1][2] == "441322001001"
    assert json.loads(rows[1][5]) == Grid.objects.get(code="G-A1").geometry
    out = run(tiny.staff_a, path, "grids")
    assert (out.created, out.updated, out.errors) == (0, 0, [])
    areas = tabular.export_xlsx(user=tiny.street_staff, kind="areas")
    codes = [
        r[0] for r in load_workbook(areas.file).worksheets[0].iter_rows(min_row=2, values_only=True)
    ]
    assert codes == ["441322001000", "441322001001", "441322001002"]
