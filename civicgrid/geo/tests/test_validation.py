"""Each validation rule, with a case that passes and one that fails (removing a rule fails a test)."""

import pytest
from django.test import override_settings

from civicgrid.geo import services
from civicgrid.geo.models import Grid
from civicgrid.geo.validation import (
    AreaCandidate,
    GridCandidate,
    parse_polygon,
    validate_areas,
    validate_grids,
)
from civicgrid.testing.factories import rect, square

from .helpers import deg_lat, deg_lon, number_in, sq_m

pytestmark = pytest.mark.django_db

BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[114, 23], [114.01, 23.01], [114.01, 23], [114, 23.01], [114, 23]]],
}


def area(
    code="441322001003",
    name="南门社区",
    level=3,
    parent_code="441322001000",
    geometry=None,
    key=None,
):
    return AreaCandidate(
        key=key or name,
        code=code,
        name=name,
        level=level,
        parent_code=parent_code,
        geometry=geometry,
    )


def grid(
    code="G-A3", name="东门第三网格", community_code="441322001001", geometry=None, key=None, **kw
):
    return GridCandidate(
        key=key or name,
        code=code,
        name=name,
        community_code=community_code,
        geometry=geometry,
        **kw,
    )


def fields(errors, key=None):
    return {(e.key, e.field) for e in errors if key is None or e.key == key}


# --- geometry ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("geometry", "words"),
    [
        (BOWTIE, "自相交"),
        ({"type": "Point", "coordinates": [114, 23]}, "Polygon 或 MultiPolygon(现为 Point)"),
        ({"type": "Polygon", "coordinates": [[[114, 23], [114.01, 23]]]}, "坐标结构不正确"),
        ({"type": "Polygon", "coordinates": []}, "几何为空"),
        (rect(500000, 2500000, 501000, 2501000), "投影坐标"),
        (rect(23.00, 114.00, 23.01, 114.01), "经纬度顺序可能颠倒"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[114, 23], [114.01, 23], [114.02, 23], [114, 23]]],
            },
            "自相交",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    rect(114, 23, 114.01, 23.01)["coordinates"][0],
                    rect(114.02, 23.02, 114.03, 23.03)["coordinates"][0],
                ],
            },
            "内洞位于外边界之外",
        ),
        ("not a dict", "GeoJSON 对象"),
    ],
)
def test_invalid_geometry_has_a_chinese_reason(geometry, words):
    geom, reason = parse_polygon(geometry)
    assert geom is None
    assert words in reason


def test_self_intersection_says_where():
    _geom, reason = parse_polygon(BOWTIE)
    assert "经度 114.005、纬度 23.005 附近" in reason


def test_valid_polygon_feature_and_3d_are_accepted_as_2d():
    three_d = {
        "type": "Polygon",
        "coordinates": [[[114, 23, 5], [114.01, 23, 5], [114.01, 23.01, 5], [114, 23, 5]]],
    }
    geom, reason = parse_polygon({"type": "Feature", "geometry": three_d, "properties": {}})
    assert reason is None and not geom.has_z and geom.area > 0


# --- areas -------------------------------------------------------------------------------


def test_a_clean_area_file_has_no_errors(tiny):
    street = area(
        code="441322002000",
        name="新街道",
        level=2,
        parent_code="441322000000",
        geometry=rect(114.0, 23.01, 114.04, 23.02),
    )
    community = area(code="441322002001", name="新社区", level=3, parent_code="441322002000")
    assert validate_areas([community, street]) == []


def test_area_code_must_be_12_digits(tiny):
    errors = validate_areas([area(code="4413220010")])
    assert fields(errors) == {("南门社区", "code")}
    assert "12位" in errors[0].reason


def test_area_codes_unique_in_file(tiny):
    errors = validate_areas([area(key="第2行"), area(key="第3行", name="又一个")])
    assert fields(errors) == {("第3行", "code")}
    assert "第2行" in errors[0].reason


def test_area_name_and_level_required(tiny):
    errors = validate_areas(
        [area(name="", key="第2行"), area(code="441322001004", level=4, key="第3行")]
    )
    assert fields(errors) == {("第2行", "name"), ("第3行", "level")}


def test_level_words_are_understood(tiny):
    assert validate_areas([area(level="社区")]) == []
    assert validate_areas([area(level=3.0)]) == []


def test_street_and_community_need_a_parent(tiny):
    errors = validate_areas([area(parent_code=None)])
    assert fields(errors) == {("南门社区", "parent_code")}


def test_parent_must_exist(tiny):
    errors = validate_areas([area(parent_code="441322009000", code="441322009001")])
    assert fields(errors) == {("南门社区", "parent_code")}
    assert "『441322009000』不存在或不在您的管辖范围内" in errors[0].reason


def test_parent_may_come_from_the_file(tiny):
    street = area(code="441322002000", name="新街道", level=2, parent_code="441322000000")
    assert validate_areas([area(code="441322002001", parent_code="441322002000"), street]) == []


def test_levels_must_be_consistent(tiny):
    errors = validate_areas(
        [area(code="441322000001", parent_code="441322000000")]
    )  # community under county
    assert fields(errors) == {("南门社区", "parent_code")}
    assert "社区/村的上级须为街道/镇" in errors[0].reason


def test_code_prefix_follows_the_parent(tiny):
    errors = validate_areas([area(code="441322002001")])  # street is 441322001000
    assert fields(errors) == {("南门社区", "code")}
    assert "前 9 位" in errors[0].reason and "441322001" in errors[0].reason


def test_area_geometry_must_be_valid(tiny):
    errors = validate_areas([area(geometry=BOWTIE)])
    assert fields(errors) == {("南门社区", "geometry")}


def test_update_cannot_change_level_or_parent(tiny):
    errors = validate_areas(
        [area(code="441322001001", name="东门社区", level=2, parent_code="441322000000")]
    )
    assert fields(errors) == {("东门社区", "level"), ("东门社区", "parent_code")}
    assert "已有记录为社区/村" in [e for e in errors if e.field == "level"][0].reason
    assert validate_areas([area(code="441322001001", name="东门社区")]) == []


def test_counties_in_a_loop_are_refused(tiny):
    a = area(code="441323000000", name="甲县", level=1, parent_code="441324000000")
    b = area(code="441324000000", name="乙县", level=1, parent_code="441323000000")
    errors = validate_areas([a, b])
    assert fields(errors) == {("甲县", "parent_code"), ("乙县", "parent_code")}
    assert all("循环" in e.reason for e in errors)


def test_new_community_outline_must_keep_its_grids_inside(tiny):
    shrunk = area(
        code="441322001001", name="东门社区", geometry=rect(114.00, 23.00, 114.015, 23.01)
    )
    errors = validate_areas([shrunk])
    assert fields(errors) == {("东门社区", "geometry")}
    assert "东门第二网格" in errors[0].reason
    assert number_in(errors[0].reason) == pytest.approx(sq_m(0.005, 0.01), rel=1e-3)
    same = area(code="441322001001", name="东门社区", geometry=rect(114.00, 23.00, 114.02, 23.01))
    assert validate_areas([same]) == []


def test_area_scope_out_of_scope_parent_reads_as_missing(tiny):
    # Community staff cannot add a community under the street; the message is the "missing" one.
    errors = validate_areas([area()], actor=tiny.staff_a)
    missing = validate_areas(
        [area(code="441322009001", parent_code="441322009000")], actor=tiny.staff_a
    )
    assert fields(errors) == {("南门社区", "parent_code")}
    assert errors[0].reason == missing[0].reason.replace("441322009000", "441322001000")
    assert validate_areas([area()], actor=tiny.street_staff) == []


def test_area_scope_existing_code_outside_scope_is_refused(tiny):
    errors = validate_areas([area(code="441322001002", name="西门社区")], actor=tiny.staff_a)
    assert fields(errors) == {("西门社区", "code")}
    assert validate_areas([area(code="441322001001", name="东门社区改")], actor=tiny.staff_a) == []


def test_only_the_system_adds_a_top_level_area(tiny):
    county = area(code="441323000000", name="新县", level=1, parent_code=None)
    assert fields(validate_areas([county], actor=tiny.street_staff)) == {("新县", "parent_code")}
    assert validate_areas([county]) == []


# --- grids: references -------------------------------------------------------------------


def test_a_clean_grid_file_has_no_errors(tiny, south):
    grids = [
        grid(
            code="G-C1",
            name="南门一",
            community_code=south.code,
            geometry=square(114.04, 23.00, 0.01),
        ),
        grid(
            code="G-C2",
            name="南门二",
            community_code=south.code,
            geometry=square(114.05, 23.00, 0.01),
        ),
        grid(
            code="G-C1-1",
            name="南门一微",
            community_code=south.code,
            kind="micro",
            parent_code="G-C1",
            geometry=square(114.041, 23.001, 0.002),
        ),
    ]
    assert validate_grids(grids) == []


def test_grid_code_name_kind_required(tiny):
    errors = validate_grids(
        [
            grid(code="", key="第2行"),
            grid(code="X" * 21, key="第3行"),
            grid(code="G-A5", name="", key="第4行"),
            grid(code="G-A6", kind="sector", key="第5行"),
        ]
    )
    assert fields(errors) == {
        ("第2行", "code"),
        ("第3行", "code"),
        ("第4行", "name"),
        ("第5行", "kind"),
    }
    assert "comprehensive" in [e for e in errors if e.key == "第5行"][0].reason


def test_grid_codes_unique_in_file(tiny):
    errors = validate_grids([grid(key="第2行"), grid(key="第3行")])
    assert fields(errors) == {("第3行", "code")}


def test_community_must_exist_and_be_a_community(tiny):
    errors = validate_grids(
        [
            grid(code="G-X1", community_code="441322001099", key="第2行"),
            grid(code="G-X2", community_code="441322001000", key="第3行"),
            grid(code="G-X3", community_code="", key="第4行"),
        ]
    )
    assert fields(errors) == {
        ("第2行", "community_code"),
        ("第3行", "community_code"),
        ("第4行", "community_code"),
    }
    assert "网格只能建在社区/村之下" in [e for e in errors if e.key == "第3行"][0].reason


def test_grid_scope_community_outside_reads_as_missing(tiny):
    errors = validate_grids([grid(code="G-B9", community_code="441322001002")], actor=tiny.staff_a)
    assert errors[0].reason == "社区『441322001002』不存在或不在您的管辖范围内。"
    assert (
        validate_grids([grid(code="G-B9", community_code="441322001002")], actor=tiny.staff_b) == []
    )


def test_grid_scope_existing_code_outside_is_refused(tiny):
    errors = validate_grids([grid(code="G-B1", community_code="441322001001")], actor=tiny.staff_a)
    assert ("东门第三网格", "code") in fields(errors)


def test_update_cannot_move_grid_or_change_kind(tiny):
    errors = validate_grids([grid(code="G-A1", name="东门第一网格", community_code="441322001002")])
    assert ("东门第一网格", "community_code") in fields(errors)
    errors = validate_grids([grid(code="G-A1", name="东门第一网格", kind="special")])
    assert fields(errors) == {("东门第一网格", "kind")}


def test_micro_grid_needs_a_comprehensive_parent_in_the_same_community(tiny):
    errors = validate_grids(
        [
            grid(code="M1", kind="micro", key="无上级"),
            grid(code="M2", kind="micro", parent_code="G-B1", key="别的社区"),
            grid(code="M3", kind="micro", parent_code="G-NONE", key="不存在"),
            grid(code="M4", kind="micro", parent_code="M5", key="上级是精微"),
            grid(code="M5", kind="micro", parent_code="G-A1", key="正常"),
            grid(code="S1", kind="special", parent_code="G-A1", key="专属带上级"),
        ]
    )
    assert fields(errors) == {
        (k, "parent_code") for k in ["无上级", "别的社区", "不存在", "上级是精微", "专属带上级"]
    }


def test_kind_words_are_understood(tiny):
    assert validate_grids([grid(code="M5", kind="精微网格", parent_code="G-A1")]) == []


# --- grids: shapes -----------------------------------------------------------------------


def test_grid_outside_its_community_is_refused_with_the_area(tiny, south):
    out = grid(
        code="G-C1",
        name="越界网格",
        community_code=south.code,
        geometry=rect(114.05, 23.005, 114.07, 23.01),
    )
    errors = validate_grids([out])
    assert fields(errors) == {("越界网格", "geometry")}
    assert "超出所属社区『南门社区』" in errors[0].reason
    assert number_in(errors[0].reason) == pytest.approx(sq_m(0.01, 0.005), rel=1e-2)


def test_grid_a_little_outside_is_within_tolerance(tiny, south):
    bulge = rect(114.04, 23.00, 114.05 + deg_lon(3), 23.01)  # 3 m beyond the community edge
    assert validate_grids([grid(code="G-C1", community_code=south.code, geometry=bulge)]) == []
    errors = validate_grids(
        [
            grid(
                code="G-C1",
                community_code=south.code,
                geometry=rect(114.05, 23.00, 114.06 + deg_lon(8), 23.01),
            )
        ]
    )
    assert fields(errors) == {("东门第三网格", "geometry")}


def test_tolerance_comes_from_settings_or_argument(tiny, south):
    bulge = [
        grid(
            code="G-C1",
            community_code=south.code,
            geometry=rect(114.05, 23.00, 114.06 + deg_lon(8), 23.01),
        )
    ]
    assert validate_grids(bulge, tolerance_m=10) == []
    with override_settings(CIVICGRID_GRID_TOLERANCE_M=10):
        assert validate_grids(bulge) == []
    with override_settings(CIVICGRID_GRID_TOLERANCE_M=0):
        tiny_bulge = [
            grid(
                code="G-C1",
                community_code=south.code,
                geometry=rect(114.05, 23.00, 114.06 + deg_lon(1), 23.01),
            )
        ]
        assert validate_grids(tiny_bulge) != []


def test_overlap_with_a_stored_sibling_names_it_and_the_area(tiny):
    g = grid(geometry=square(114.005, 23.002, 0.002))  # inside community A, over 东门第一网格 only
    errors = validate_grids([g])
    assert fields(errors) == {("东门第三网格", "geometry")}
    assert "与网格『东门第一网格』重叠约" in errors[0].reason
    assert number_in(errors[0].reason) == pytest.approx(sq_m(0.002, 0.002), rel=1e-2)


def test_overlap_between_two_file_grids(tiny, south):
    a = grid(
        code="G-C1",
        name="南门一",
        community_code=south.code,
        geometry=rect(114.04, 23.00, 114.052, 23.01),
    )
    b = grid(
        code="G-C2",
        name="南门二",
        community_code=south.code,
        geometry=rect(114.05, 23.00, 114.06, 23.01),
    )
    errors = validate_grids([a, b])
    assert fields(errors) == {("南门二", "geometry")}
    assert "『南门一』" in errors[0].reason


def test_overlap_narrower_than_tolerance_is_accepted(tiny, south):
    a = grid(
        code="G-C1",
        name="南门一",
        community_code=south.code,
        geometry=rect(114.04, 23.00, 114.05 + deg_lon(2), 23.01),
    )
    b = grid(
        code="G-C2",
        name="南门二",
        community_code=south.code,
        geometry=rect(114.05, 23.00, 114.06, 23.01),
    )
    assert validate_grids([a, b]) == []
    assert validate_grids([a, b], tolerance_m=1) != []


def test_shared_edges_do_not_overlap(tiny, south):
    tiles = [
        grid(
            code=f"T{i}",
            name=f"T{i}",
            community_code=south.code,
            geometry=square(114.04 + 0.005 * (i % 4), 23.00 + 0.005 * (i // 4), 0.005),
        )
        for i in range(8)
    ]
    assert validate_grids(tiles, tolerance_m=0) == []


def test_file_replaces_stored_geometry_of_the_same_code(tiny):
    a1 = grid(code="G-A1", name="东门第一网格", geometry=rect(114.00, 23.00, 114.012, 23.01))
    a2 = grid(code="G-A2", name="东门第二网格", geometry=rect(114.012, 23.00, 114.02, 23.01))
    assert validate_grids([a1, a2]) == []  # the border moved east: both sides in the file
    errors = validate_grids([a1])  # only one side: it now covers 东门第二网格
    assert fields(errors) == {("东门第一网格", "geometry")} and "东门第二网格" in errors[0].reason


def test_grids_of_another_community_are_not_siblings(tiny):
    # A special grid may overlap the comprehensive grids of its community.
    special = grid(
        code="S1", name="学校专属网格", kind="special", geometry=square(114.005, 23.002, 0.002)
    )
    assert validate_grids([special]) == []
    outside = grid(
        code="S2", name="越界专属", kind="special", geometry=square(114.03, 23.002, 0.002)
    )
    assert fields(validate_grids([outside])) == {("越界专属", "geometry")}


def test_micro_grid_inside_its_parent(tiny):
    inside = grid(
        code="M1",
        name="微一",
        kind="micro",
        parent_code="G-A1",
        geometry=square(114.001, 23.001, 0.002),
    )
    assert validate_grids([inside]) == []
    across = grid(
        code="M2",
        name="微二",
        kind="micro",
        parent_code="G-A1",
        geometry=square(114.009, 23.001, 0.002),
    )
    errors = validate_grids([across])
    assert fields(errors) == {("微二", "geometry")}
    assert "超出上级网格『东门第一网格』" in errors[0].reason


def test_micro_grids_of_one_parent_do_not_overlap(tiny):
    m1 = grid(
        code="M1",
        name="微一",
        kind="micro",
        parent_code="G-A1",
        geometry=square(114.001, 23.001, 0.003),
    )
    m2 = grid(
        code="M2",
        name="微二",
        kind="micro",
        parent_code="G-A1",
        geometry=square(114.003, 23.001, 0.003),
    )
    errors = validate_grids([m1, m2])
    assert fields(errors) == {("微二", "geometry")} and "微一" in errors[0].reason
    # a stored micro-grid counts as a sibling too
    services.grid_create(
        actor=None,
        code="M1",
        name="微一",
        community=tiny.community_a,
        kind=Grid.Kind.MICRO,
        parent=tiny.grid_a1,
        geometry=square(114.001, 23.001, 0.003),
    )
    assert fields(validate_grids([m2])) == {("微二", "geometry")}


def test_new_parent_outline_must_keep_stored_micro_grids(tiny):
    services.grid_create(
        actor=None,
        code="M1",
        name="微一",
        community=tiny.community_a,
        kind=Grid.Kind.MICRO,
        parent=tiny.grid_a1,
        geometry=square(114.008, 23.001, 0.001),
    )
    shrunk = grid(code="G-A1", name="东门第一网格", geometry=rect(114.00, 23.00, 114.005, 23.01))
    errors = validate_grids([shrunk])
    assert (
        fields(errors) == {("东门第一网格", "geometry")} and "精微网格『微一』" in errors[0].reason
    )


def test_geometry_errors_name_the_grid(tiny):
    errors = validate_grids([grid(geometry=BOWTIE)])
    assert fields(errors) == {("东门第三网格", "geometry")}
    assert "自相交" in errors[0].reason


def test_a_tolerance_of_several_metres_allows_real_world_slivers(tiny):
    # Two neighbours digitised separately: a gap and an overlap of ~1 m along the border.
    a1 = grid(
        code="G-A1", name="东门第一网格", geometry=rect(114.00, 23.00, 114.01 + deg_lon(1), 23.01)
    )
    a2 = grid(
        code="G-A2", name="东门第二网格", geometry=rect(114.01, 23.00 + deg_lat(1), 114.02, 23.01)
    )
    assert validate_grids([a1, a2]) == []
