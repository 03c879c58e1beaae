"""Excel import and export of residents and party members, with real .xlsx files."""

import io

import pytest
from openpyxl import load_workbook

from civicgrid.core import crypto, tabular
from civicgrid.core.errors import PermissionDenied, ValidationFailed
from civicgrid.core.models import AuditLog
from civicgrid.orgs import services as org_services
from civicgrid.orgs.choices import OrgKind, Role
from civicgrid.people import services
from civicgrid.people.models import Household, PartyMember, Resident
from civicgrid.testing.factories import make_user, valid_id_number

pytestmark = pytest.mark.django_db


def fill(tmp_path, kind, rows, *, headers=None, name="upload.xlsx"):
    """Fill the kind's own template (or a bare sheet with ``headers``) and save it to disk."""
    if headers is None:
        wb = load_workbook(io.BytesIO(tabular.template_xlsx(tabular.get_kind(kind).spec)))
        ws = wb.worksheets[0]
        headers = [c.value for c in ws[1]]
    else:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.append(headers)
    for r in rows:
        ws.append([r.get(h) for h in headers])
    path = tmp_path / name
    wb.save(path)
    return path


def run(user, path, kind="residents", **kw):
    return tabular.run_import(
        actor=user, kind=kind, content=path.read_bytes(), filename=path.name, **kw
    )


def resident_row(**kw):
    row = {
        "姓名": "张三",
        "身份证号": valid_id_number(),
        "手机号": "13800138000",
        "网格编码": "G-A1",
        "户号": "A-001",
        "住址": "东门路1号",
        "与户主关系": "户主",
        "关注等级": "黄",
        "特殊对象": "独居老人、低保户",
    }
    row.update(kw)
    return row


def errors_by_cell(outcome):
    return {(e.row, e.column): e.message for e in outcome.errors}


# ---------------------------------------------------------------- template


def test_template_has_header_notes_dropdowns_and_frozen_header(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(tabular.template_xlsx(tabular.get_kind("residents").spec))
    wb = load_workbook(path)
    ws = wb["居民"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["姓名", "性别", "身份证号", "手机号"] and "特殊对象" in headers
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["C"].width == 22
    assert ws.column_dimensions["C"].number_format == "@"  # ID numbers stay text
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    level_col = "J"
    assert headers[ord(level_col) - 65] == "关注等级"
    ref = lists[f"{level_col}2:{level_col}{tabular.TEMPLATE_ROWS + 1}"]
    sheet, cells = ref.split("!")
    options = [row[0].value for row in wb[sheet.strip("'")][cells.replace("$", "")]]
    assert options == ["红", "黄", "绿"]
    notes = [row[0].value for row in wb["说明"].iter_rows()]
    assert "身份证号" in notes and any("全部不导入" in (n or "") for n in notes)


def test_template_round_trip_creates_residents_and_households(tiny, tmp_path):
    id1, id2 = valid_id_number(), valid_id_number()
    path = fill(
        tmp_path,
        "residents",
        [
            resident_row(身份证号=id1),
            resident_row(
                姓名="李四", 身份证号=id2, 手机号="", 与户主关系="配偶", 关注等级="", 特殊对象=""
            ),
        ],
    )
    out = run(tiny.staff_a, path)
    assert (out.total, out.created, out.updated, out.errors, out.written) == (2, 2, 0, [], True)
    r1 = Resident.objects.get(id_number_index=crypto.blind_index(id1))
    r2 = Resident.objects.get(id_number_index=crypto.blind_index(id2))
    assert r1.household_id == r2.household_id and r1.household.number == "A-001"
    assert Household.objects.filter(area=tiny.community_a, number="A-001").count() == 1
    assert r1.attention_level == "yellow" and r2.attention_level == "green"
    assert sorted(g.name for g in r1.special_groups.all()) == ["低保户", "独居老人"]
    assert (
        r1.phone == "13800138000"
        and r1.relation_to_head == "户主"
        and r2.relation_to_head == "配偶"
    )
    assert r1.grid == tiny.grid_a1 and r1.area == tiny.community_a
    log = AuditLog.objects.get(action="import")
    assert (
        log.actor == tiny.staff_a
        and log.detail["created"] == 2
        and log.detail["kind"] == "residents"
    )


def test_reimport_same_id_in_same_community_updates(tiny, tmp_path):
    idn = valid_id_number()
    run(tiny.staff_a, fill(tmp_path, "residents", [resident_row(身份证号=idn)]))
    out = run(
        tiny.staff_a,
        fill(
            tmp_path,
            "residents",
            [
                resident_row(
                    身份证号=idn,
                    姓名="张三丰",
                    手机号="13900139000",
                    关注等级="红",
                    住址="",
                    特殊对象="",
                )
            ],
            name="again.xlsx",
        ),
    )
    assert (out.created, out.updated, out.errors) == (0, 1, [])
    r = Resident.objects.get()
    assert (r.name, r.phone, r.attention_level, r.address) == (
        "张三丰",
        "13900139000",
        "red",
        "东门路1号",
    )
    assert r.special_groups.count() == 2  # blank cell keeps what is stored


def test_columns_in_any_order_and_csv_gbk(tiny, tmp_path):
    idn = valid_id_number()
    text = f"网格编码,身份证号,姓名\nG-A2,{idn},王五\n"
    path = tmp_path / "r.csv"
    path.write_bytes(text.encode("gbk"))
    out = run(tiny.staff_a, path)
    assert out.created == 1 and Resident.objects.get().grid == tiny.grid_a2
    assert Resident.objects.get().gender in ("M", "F")


# ---------------------------------------------------------------- errors with row and column


def test_every_error_is_reported_with_its_row_and_column(tiny, tmp_path):
    good_id = valid_id_number()
    bad_check = good_id[:17] + ("0" if good_id[17] != "0" else "1")
    path = fill(
        tmp_path,
        "residents",
        [
            resident_row(),  # row 2 fine
            resident_row(身份证号=bad_check),  # row 3 checksum
            resident_row(手机号="1380013800"),  # row 4 phone length
            resident_row(网格编码="G-B1"),  # row 5 out of scope
            resident_row(网格编码="NOPE"),  # row 6 missing
            resident_row(关注等级="紫"),  # row 7 not a choice
            resident_row(姓名=""),  # row 8 required
            resident_row(身份证号=good_id),  # row 9
            resident_row(身份证号=good_id),  # row 10 duplicate of row 9
            resident_row(特殊对象="外星人"),  # row 11 unknown group
            resident_row(出生日期="明天"),  # row 12 bad date
        ],
    )
    out = run(tiny.staff_a, path)
    cells = errors_by_cell(out)
    assert cells[(3, "身份证号")] == "身份证号码校验位不正确(GB 11643)。"
    assert "11位" in cells[(4, "手机号")]
    assert cells[(5, "网格编码")] == "找不到网格编码 G-B1 或不在您的管辖范围内。"
    assert cells[(6, "网格编码")] == "找不到网格编码 NOPE 或不在您的管辖范围内。"
    assert "红、黄、绿" in cells[(7, "关注等级")]
    assert "必填" in cells[(8, "姓名")]
    assert cells[(10, "身份证号")] == "与第 9 行重复。"
    assert "外星人" in cells[(11, "特殊对象")]
    assert "2024-05-01" in cells[(12, "出生日期")]
    assert len(out.errors) == 9 and out.failed_rows == 9
    assert str(out.errors[0]) == "第 3 行『身份证号』:身份证号码校验位不正确(GB 11643)"
    # all-or-nothing: nothing written, not even the good rows
    assert not out.written and out.created == 0
    assert Resident.objects.count() == 0 and Household.objects.count() == 0


def test_file_level_problems_are_one_clear_error(tiny, tmp_path):
    path = fill(tmp_path, "residents", [{"姓名": "张三"}], headers=["姓名", "身高"])
    with pytest.raises(ValidationFailed) as e:
        run(tiny.staff_a, path)
    assert "不认识的列:身高" in str(e.value) and "缺少必填列:网格编码" in str(e.value)
    bogus = tmp_path / "x.xlsx"
    bogus.write_bytes(b"not a spreadsheet at all")
    with pytest.raises(ValidationFailed, match="不是有效的 Excel"):
        run(tiny.staff_a, bogus)
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(ValidationFailed, match="另存为 .xlsx"):
        run(tiny.staff_a, xls)


def test_size_limit_comes_from_settings(tiny, tmp_path, settings):
    path = fill(tmp_path, "residents", [resident_row()])
    settings.CIVICGRID_IMPORT_MAX_BYTES = path.stat().st_size - 1
    with pytest.raises(ValidationFailed, match="文件过大"):
        run(tiny.staff_a, path)


def test_id_number_typed_as_a_number_gets_a_hint(tiny, tmp_path):
    path = fill(tmp_path, "residents", [resident_row(身份证号=441322199001011234)])
    out = run(tiny.staff_a, path)
    assert "设为文本格式" in errors_by_cell(out)[(2, "身份证号")]


def test_gender_and_birth_date_must_agree_with_id(tiny, tmp_path):
    idn = valid_id_number()
    wrong = "女" if int(idn[16]) % 2 else "男"
    out = run(
        tiny.staff_a,
        fill(
            tmp_path, "residents", [resident_row(身份证号=idn, 性别=wrong, 出生日期="1901-01-01")]
        ),
    )
    cells = errors_by_cell(out)
    assert cells[(2, "性别")] == "与身份证号不符(第17位表示性别)。"
    assert cells[(2, "出生日期")] == "与身份证号中的出生日期不符。"


# ---------------------------------------------------------------- partial, dry run, scope


def test_partial_writes_the_good_rows_and_reports_the_rest(tiny, tmp_path):
    path = fill(
        tmp_path, "residents", [resident_row(), resident_row(网格编码="G-B1"), resident_row()]
    )
    out = run(tiny.staff_a, path, partial=True)
    assert (out.created, out.failed_rows, out.written) == (2, 1, True)
    assert Resident.objects.count() == 2
    report = load_workbook(io.BytesIO(out.report)).worksheets[0]
    rows = list(report.iter_rows(values_only=True))
    assert rows[0][-1] == "错误" and len(rows) == 2  # header + the one row still to fix
    assert "G-B1" in rows[1][-1] and "第 3 行" in rows[1][-1]


def test_dry_run_checks_everything_and_writes_nothing(tiny, tmp_path):
    out = run(
        tiny.staff_a, fill(tmp_path, "residents", [resident_row(), resident_row()]), dry_run=True
    )
    assert (out.created, out.errors, out.written) == (2, [], False)
    assert Resident.objects.count() == 0 and Household.objects.count() == 0


def test_staff_b_cannot_import_into_community_a(tiny, tmp_path):
    out = run(tiny.staff_b, fill(tmp_path, "residents", [resident_row(网格编码="G-A1")]))
    assert errors_by_cell(out) == {(2, "网格编码"): "找不到网格编码 G-A1 或不在您的管辖范围内。"}
    assert Resident.objects.count() == 0


def test_import_needs_the_import_capability(tiny, tmp_path):
    with pytest.raises(PermissionDenied):
        run(tiny.worker_a1, fill(tmp_path, "residents", [resident_row()]))


def test_error_report_highlights_bad_cells_with_comments(tiny, tmp_path):
    out = run(
        tiny.staff_a, fill(tmp_path, "residents", [resident_row(), resident_row(手机号="12345")])
    )
    path = tmp_path / "report.xlsx"
    path.write_bytes(out.report)
    ws = load_workbook(path).worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[-1] == "错误" and ws.max_row == 3  # nothing written: every row comes back
    phone = ws.cell(row=3, column=headers.index("手机号") + 1)
    assert phone.fill.fgColor.rgb.endswith("FFC7CE") and "11位" in phone.comment.text
    ok = ws.cell(row=2, column=headers.index("手机号") + 1)
    assert ok.comment is None and ws.cell(row=2, column=len(headers)).value is None
    assert ws.cell(row=3, column=headers.index("身份证号") + 1).data_type == "s"


# ---------------------------------------------------------------- exports


def _resident(tiny, grid, **kw):
    return services.resident_create(
        actor=None,
        grid=grid,
        name=kw.pop("name", "居民"),
        id_number=kw.pop("id_number", valid_id_number()),
        phone="13800138000",
        **kw,
    )


def export_rows(user, kind="residents", **kw):
    f = tabular.export_xlsx(user=user, kind=kind, **kw)
    return list(load_workbook(f.file, read_only=True).worksheets[0].iter_rows(values_only=True))


def test_export_is_scoped_and_masked(tiny):
    a = _resident(tiny, tiny.grid_a1, name="甲")
    _resident(tiny, tiny.grid_b1, name="乙")
    rows = export_rows(tiny.staff_a)
    assert rows[0][0] == "姓名" and [r[0] for r in rows[1:]] == ["甲"]
    assert rows[1][2] == crypto.mask_id_number(a.id_number) and rows[1][3] == "138****8000"
    assert rows[1][5] == "G-A1"
    log = AuditLog.objects.get(action="export")
    assert log.detail == {"kind": "residents", "rows": 1, "pii": "masked"}


def test_full_export_needs_reveal_and_is_audited(tiny):
    a = _resident(tiny, tiny.grid_a1, name="甲")
    rows = export_rows(tiny.staff_a, reveal=True)
    assert rows[1][2] == a.id_number and rows[1][3] == "13800138000"
    log = AuditLog.objects.get(action="export")
    assert log.actor == tiny.staff_a and log.detail["pii"] == "full" and log.detail["rows"] == 1
    leader = make_user(Role.LEADER, area=tiny.street, username="leader")
    with pytest.raises(PermissionDenied):
        tabular.export_xlsx(user=leader, kind="residents", reveal=True)
    assert [r[2] for r in export_rows(leader)[1:]] == [crypto.mask_id_number(a.id_number)]
    with pytest.raises(PermissionDenied):
        tabular.export_xlsx(user=tiny.worker_a1, kind="residents")


def test_full_export_reveals_only_inside_the_reveal_scope(tiny):
    a = _resident(tiny, tiny.grid_a1, name="甲")
    b = _resident(tiny, tiny.grid_b1, name="乙")
    from civicgrid.orgs.models import RoleAssignment

    RoleAssignment.objects.create(user=tiny.staff_a, role=Role.LEADER, area=tiny.street)
    rows = {r[0]: r for r in export_rows(tiny.staff_a, reveal=True)[1:]}
    assert rows["甲"][2] == a.id_number
    assert rows["乙"][2] == crypto.mask_id_number(b.id_number)


def test_full_export_round_trips_through_import(tiny, tmp_path):
    _resident(tiny, tiny.grid_a1, name="甲", attention_level="red")
    f = tabular.export_xlsx(user=tiny.staff_a, kind="residents", reveal=True)
    path = tmp_path / f.filename
    path.write_bytes(f.file.read())
    out = run(tiny.staff_a, path)
    assert (out.created, out.updated, out.errors) == (0, 1, [])
    assert Resident.objects.count() == 1


# ---------------------------------------------------------------- party members


@pytest.fixture
def orgs(tiny):
    swc = org_services.party_organization_create(
        actor=None, name="街道大工委", kind=OrgKind.STREET_WORKING_COMMITTEE, area=tiny.street
    )
    cbc = org_services.party_organization_create(
        actor=None,
        name="东门大党委",
        kind=OrgKind.COMMUNITY_BIG_COMMITTEE,
        parent=swc,
        area=tiny.community_a,
    )
    org_services.party_organization_create(
        actor=None, name="东门一支部", kind=OrgKind.GRID_BRANCH, parent=cbc, grid=tiny.grid_a1
    )
    cbc_b = org_services.party_organization_create(
        actor=None,
        name="西门大党委",
        kind=OrgKind.COMMUNITY_BIG_COMMITTEE,
        parent=swc,
        area=tiny.community_b,
    )
    org_services.party_organization_create(
        actor=None, name="西门一支部", kind=OrgKind.GRID_BRANCH, parent=cbc_b, grid=tiny.grid_b1
    )
    org_services.unit_create(actor=None, name="东门小学", kind="school", area=tiny.community_a)
    return tiny


def member_row(**kw):
    row = {
        "姓名": "王党员",
        "身份证号": valid_id_number(),
        "手机号": "13700137000",
        "所在党组织": "东门一支部",
        "工作单位": "东门小学",
        "居住社区代码": "441322001001",
        "网格编码": "G-A1",
        "入党日期": "2001-07-01",
        "党员中心户": "是",
        "楼栋长": "否",
    }
    row.update(kw)
    return row


def test_party_members_round_trip_and_update(orgs, tmp_path):
    idn = valid_id_number()
    out = run(
        orgs.staff_a,
        fill(tmp_path, "party_members", [member_row(身份证号=idn)]),
        kind="party_members",
    )
    assert (out.created, out.errors) == (1, [])
    m = PartyMember.objects.get()
    assert (
        m.organization.name,
        m.work_unit.name,
        m.grid,
        m.is_central_household,
        m.is_building_chief,
    ) == ("东门一支部", "东门小学", orgs.grid_a1, True, False)
    assert str(m.joined_on) == "2001-07-01" and m.phone == "13700137000"
    out = run(
        orgs.staff_a,
        fill(
            tmp_path,
            "party_members",
            [member_row(身份证号=idn, 党员中心户="", 巷长="是", 工作单位="", 手机号="")],
            name="b.xlsx",
        ),
        kind="party_members",
    )
    assert (out.created, out.updated, out.errors) == (0, 1, [])
    m.refresh_from_db()
    assert (m.is_central_household, m.is_lane_chief, m.work_unit.name, m.phone) == (
        True,
        True,
        "东门小学",
        "13700137000",
    )


def test_party_member_references_must_be_in_scope(orgs, tmp_path):
    path = fill(
        tmp_path,
        "party_members",
        [
            member_row(所在党组织="西门一支部"),
            member_row(居住社区代码="441322001002", 网格编码=""),
            member_row(网格编码="G-A9"),
            member_row(所在党组织="不存在的支部", 党员房东="也许"),
        ],
    )
    out = run(orgs.staff_a, path, kind="party_members")
    cells = errors_by_cell(out)
    assert cells[(2, "所在党组织")] == "找不到“西门一支部”或不在您的管辖范围内。"
    assert cells[(3, "居住社区代码")] == "找不到社区代码 441322001002 或不在您的管辖范围内。"
    assert cells[(4, "网格编码")] == "找不到网格编码 G-A9 或不在您的管辖范围内。"
    assert cells[(5, "所在党组织")] == "找不到“不存在的支部”或不在您的管辖范围内。"
    assert "是、否" in cells[(5, "党员房东")]
    assert PartyMember.objects.count() == 0


def test_party_member_export_masks_and_is_scoped(orgs, tmp_path):
    run(
        orgs.street_staff,
        fill(
            tmp_path,
            "party_members",
            [
                member_row(姓名="东"),
                member_row(
                    姓名="西",
                    所在党组织="西门一支部",
                    居住社区代码="441322001002",
                    网格编码="G-B1",
                    工作单位="",
                ),
            ],
        ),
        kind="party_members",
    )
    assert PartyMember.objects.count() == 2
    rows = export_rows(orgs.staff_b, kind="party_members")
    assert [r[0] for r in rows[1:]] == ["西"] and "*" in rows[1][2] and rows[1][4] == "西门一支部"
