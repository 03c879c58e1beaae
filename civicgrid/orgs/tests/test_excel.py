"""Excel import and export of units, with real .xlsx files."""

import io

import pytest
from openpyxl import load_workbook

from civicgrid.core import tabular
from civicgrid.core.validators import credit_code_check_char
from civicgrid.orgs import services
from civicgrid.orgs.models import Unit

pytestmark = pytest.mark.django_db


def credit_code(serial: int) -> str:
    first17 = f"91441322MA{serial:07d}"
    return first17 + credit_code_check_char(first17)


def upload(tmp_path, rows, name="units.xlsx"):
    wb = load_workbook(io.BytesIO(tabular.template_xlsx(tabular.get_kind("units").spec)))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    for r in rows:
        ws.append([r.get(h) for h in headers])
    path = tmp_path / name
    wb.save(path)
    return path


def run(user, path, **kw):
    return tabular.run_import(
        actor=user, kind="units", content=path.read_bytes(), filename=path.name, **kw
    )


def unit_row(**kw):
    row = {
        "名称": "东门物业",
        "类型": "物业公司",
        "统一社会信用代码": credit_code(1),
        "所在社区代码": "441322001001",
        "网格编码": "G-A1",
        "地址": "东门路2号",
        "经度": 114.005,
        "纬度": 23.005,
        "联系人": "赵经理",
        "联系电话": "0752-6123456",
    }
    row.update(kw)
    return row


def test_units_round_trip_then_update_by_credit_code(tiny, tmp_path):
    out = run(
        tiny.staff_a,
        upload(
            tmp_path,
            [
                unit_row(),
                unit_row(
                    名称="东门小学", 类型="学校", 统一社会信用代码=credit_code(2), 网格编码=""
                ),
            ],
        ),
    )
    assert (out.created, out.errors) == (2, [])
    school = Unit.objects.get(name="东门小学")
    assert school.kind == "school" and school.grid == tiny.grid_a1  # placed by its point
    prop = Unit.objects.get(name="东门物业")
    assert (prop.kind, prop.contact_phone, prop.lon) == (
        "property_company",
        "0752-6123456",
        114.005,
    )
    out = run(
        tiny.staff_a,
        upload(tmp_path, [unit_row(名称="东门物业公司", 联系人="", 网格编码="G-A2")], "b.xlsx"),
    )
    assert (out.created, out.updated, out.errors) == (0, 1, [])
    prop.refresh_from_db()
    assert (prop.name, prop.contact_name, prop.grid) == ("东门物业公司", "赵经理", tiny.grid_a2)


def test_unit_errors_name_row_and_column(tiny, tmp_path):
    out = run(
        tiny.staff_a,
        upload(
            tmp_path,
            [
                unit_row(统一社会信用代码="91441322MA0000001X"),  # 2: checksum
                unit_row(统一社会信用代码=credit_code(3), 类型="工厂"),  # 3: not a choice
                unit_row(
                    统一社会信用代码=credit_code(4), 所在社区代码="441322001002", 网格编码=""
                ),  # 4: scope
                unit_row(统一社会信用代码=credit_code(5), 纬度=None),  # 5: lon without lat
                unit_row(统一社会信用代码=credit_code(6), 联系电话="0752-12"),  # 6: phone
                unit_row(
                    统一社会信用代码=credit_code(7),
                    网格编码="G-A2",
                    经度=None,
                    纬度=None,
                    所在社区代码="441322001001",
                ),  # 7: fine
            ],
        ),
    )
    cells = {(e.row, e.column): e.message for e in out.errors}
    assert "GB 32100" in cells[(2, "统一社会信用代码")]
    assert "物业公司" in cells[(3, "类型")]
    assert cells[(4, "所在社区代码")] == "找不到社区代码 441322001002 或不在您的管辖范围内。"
    assert cells[(5, "纬度")] == "经度和纬度须同时填写。"
    assert "固定电话" in cells[(6, "联系电话")]
    assert len(cells) == 5 and Unit.objects.count() == 0


def test_service_errors_map_back_to_columns(tiny, tmp_path):
    services.unit_create(
        actor=None,
        name="西门医院",
        kind="hospital",
        area=tiny.community_b,
        credit_code=credit_code(9),
    )
    out = run(
        tiny.staff_a,
        upload(
            tmp_path,
            [
                unit_row(统一社会信用代码=credit_code(9)),
                unit_row(统一社会信用代码=credit_code(8), 网格编码="G-A2"),
            ],
        ),
        partial=True,
    )
    cells = {(e.row, e.column): e.message for e in out.errors}
    assert cells == {(2, "统一社会信用代码"): "已登记。"}
    assert out.created == 1 and Unit.objects.filter(area=tiny.community_a).count() == 1


def test_unit_export_masks_contact_phone_and_is_scoped(tiny):
    services.unit_create(
        actor=None, name="甲单位", kind="firm", area=tiny.community_a, contact_phone="13800138000"
    )
    services.unit_create(actor=None, name="乙单位", kind="firm", area=tiny.community_b)
    f = tabular.export_xlsx(user=tiny.staff_a, kind="units")
    rows = list(load_workbook(f.file).worksheets[0].iter_rows(values_only=True))
    assert (
        [r[0] for r in rows[1:]] == ["甲单位"]
        and rows[1][-1] == "138****8000"
        and rows[1][1] == "非公企业"
    )
