"""The 12345 exchange back: import orders, move cases through the loop, export, read it back."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.cases import services
from civicgrid.cases.hotline import COLUMNS as IMPORT_COLUMNS
from civicgrid.cases.hotline import import_orders
from civicgrid.cases.hotline_export import COLUMNS, HotlineFilter, export_hotline
from civicgrid.cases.models import Case
from civicgrid.core.errors import PermissionDenied, ValidationFailed
from civicgrid.core.models import AuditLog
from civicgrid.orgs.choices import Role
from civicgrid.testing.factories import make_user

from .test_hotline import xlsx

pytestmark = pytest.mark.django_db

ORDERS = [
    [
        "H001",
        "楼道堆物堵塞消防通道",
        "TZ01-01",
        "王女士",
        "13800138000",
        "东门小区3栋",
        "114.005",
        "23.005",
        "",
        "",
    ],
    ["H002", "楼道杂物", "TZ01-01", "李先生", "13900139000", "东门小区5栋", "", "", "G-A2", ""],
    ["H003", "路口占道经营", "TZ02-01", "", "", "东门路口", "", "", "", "441322001001"],
    ["H004", "西门楼道堆物", "TZ01-01", "赵先生", "13700137000", "西门小区1栋", "", "", "G-B1", ""],
]


def _import(loop, tmp_path):
    path = xlsx(tmp_path, ORDERS)
    result = import_orders(actor=loop.street_staff, content=path.read_bytes(), filename=path.name)
    assert (result.created, result.errors) == (4, [])
    return {c.external_id: c for c in Case.objects.all()}


def _loop_through(loop, cases):
    """H001 resolved and rated satisfied then closed; H002 reopened by a dissatisfied call-back;
    H003 left reported; H004 (community B) accepted."""
    step = services.case_transition
    c = cases["H001"]
    for action, kw in [
        ("accept", {}),
        ("dispatch", {"to_area": loop.community_a}),
        ("start", {}),
        ("resolve", {"note": "已清理楼道杂物,通道畅通"}),
        ("rate", {"rating": "satisfied", "note": "回访满意"}),
        ("close", {}),
    ]:
        c = step(actor=loop.staff_a, case=c, action=action, **kw)
    c = cases["H002"]
    for action, kw in [
        ("accept", {}),
        ("dispatch", {"to_area": loop.community_a}),
        ("start", {}),
        ("resolve", {"note": "已劝导住户搬离杂物"}),
        ("rate", {"rating": "dissatisfied", "note": "杂物仍在"}),
    ]:
        c = step(actor=loop.staff_a, case=c, action=action, **kw)
    step(actor=loop.staff_b, case=cases["H004"], action="accept")


def _read_xlsx(f):
    ws = load_workbook(f, read_only=True).worksheets[0]
    rows = [["" if v is None else v for v in r] for r in ws.iter_rows(values_only=True)]
    return rows[0], {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}


def _read_csv(data: bytes, encoding: str):
    rows = list(csv.reader(io.StringIO(data.decode(encoding))))
    return rows[0], {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}


def test_round_trip_columns_and_values_per_order(loop, tmp_path):
    cases = _import(loop, tmp_path)
    _loop_through(loop, cases)
    out = export_hotline(user=loop.street_staff, flt=HotlineFilter())
    header, by_order = _read_xlsx(out.file)
    assert header == COLUMNS and header[: len(IMPORT_COLUMNS)] == list(IMPORT_COLUMNS)
    assert header[0] == "工单编号" and set(by_order) == {"H001", "H002", "H003", "H004"}
    assert out.rows == 4

    h1 = by_order["H001"]
    case1 = Case.objects.get(external_id="H001")
    assert h1["诉求内容"] == "楼道堆物堵塞消防通道" and h1["事项编码"] == "TZ01-01"
    assert h1["事项名称"] == "楼道堆物" and h1["网格编码"] == "G-A1"
    assert h1["社区代码"] == "441322001001" and h1["地址"] == "东门小区3栋"
    assert h1["诉求人"] == "王**" and h1["联系电话"] == "138****8000"  # masked by default
    assert h1["事件编号"] == case1.number and h1["办理状态"] == "已归档"
    assert h1["承办单位"] == "东门社区" and h1["办理结果"] == "已清理楼道杂物,通道畅通"
    assert h1["评价"] == "满意" and h1["是否满意"] == "是" and h1["评价意见"] == "回访满意"
    assert h1["重办次数"] == 0
    local_resolved = timezone.localtime(case1.resolved_at).replace(tzinfo=None, microsecond=0)
    assert h1["办结时间"] == local_resolved and isinstance(h1["归档时间"], dt.datetime)

    h2 = by_order["H002"]
    assert h2["办理状态"] == "重办中" and h2["重办次数"] == 1
    assert h2["评价"] == "不满意" and h2["是否满意"] == "否" and h2["办结时间"] == ""
    assert h2["办理结果"] == "已劝导住户搬离杂物"  # the last resolve note, kept for the record
    h3 = by_order["H003"]
    assert h3["办理状态"] == "已上报" and h3["办理结果"] == "" and h3["评价"] == ""
    assert h3["网格编码"] == "" and h3["承办单位"] == "罗阳街道"  # unlocated: the street holds it
    assert (
        by_order["H004"]["办理状态"] == "已受理" and by_order["H004"]["社区代码"] == "441322001002"
    )


def test_the_export_imports_again_without_creating_anything(loop, tmp_path):
    _import(loop, tmp_path)
    out = export_hotline(user=loop.street_staff, flt=HotlineFilter(), fmt="csv")
    again = import_orders(actor=loop.street_staff, content=out.file.read(), filename="back.csv")
    assert (again.created, again.skipped, again.errors) == (0, 4, [])
    assert Case.objects.count() == 4


@pytest.mark.parametrize(
    ("fmt", "encoding", "bom"), [("csv", "utf-8", True), ("csv-gbk", "gbk", False)]
)
def test_csv_encodings(loop, tmp_path, fmt, encoding, bom):
    _loop_through(loop, _import(loop, tmp_path))
    out = export_hotline(user=loop.street_staff, flt=HotlineFilter(), fmt=fmt)
    data = out.file.read()
    assert data.startswith(b"\xef\xbb\xbf") is bom and out.filename.endswith(".csv")
    header, by_order = _read_csv(data[3:] if bom else data, encoding)
    assert header == COLUMNS
    assert by_order["H001"]["办理结果"] == "已清理楼道杂物,通道畅通"
    assert by_order["H001"]["办理状态"] == "已归档" and by_order["H002"]["重办次数"] == "1"
    resolved = timezone.localtime(Case.objects.get(external_id="H001").resolved_at)
    assert by_order["H001"]["办结时间"] == resolved.strftime("%Y-%m-%d %H:%M:%S")


def test_scoped_to_the_users_areas(loop, tmp_path):
    _import(loop, tmp_path)
    out = export_hotline(user=loop.staff_a, flt=HotlineFilter(), fmt="csv")
    _header, by_order = _read_csv(out.file.read()[3:], "utf-8")
    assert set(by_order) == {"H001", "H002", "H003"}  # not H004 of community B
    out = export_hotline(user=loop.staff_b, flt=HotlineFilter(), fmt="csv")
    assert set(_read_csv(out.file.read()[3:], "utf-8")[1]) == {"H004"}


def test_changed_since_and_period_filters(loop, tmp_path):
    cases = _import(loop, tmp_path)
    mark = timezone.now()
    Case.objects.update(updated_at=mark - dt.timedelta(hours=1))
    services.case_transition(actor=loop.staff_a, case=cases["H002"], action="accept")
    out = export_hotline(user=loop.street_staff, flt=HotlineFilter(changed_since=mark), fmt="csv")
    assert set(_read_csv(out.file.read()[3:], "utf-8")[1]) == {"H002"}
    # A ledger row alone (e.g. supervision, which may not save the case) also counts.
    Case.objects.update(updated_at=mark - dt.timedelta(hours=1))
    out = export_hotline(user=loop.street_staff, flt=HotlineFilter(changed_since=mark), fmt="csv")
    assert set(_read_csv(out.file.read()[3:], "utf-8")[1]) == {"H002"}

    Case.objects.filter(external_id="H003").update(created_at=mark - dt.timedelta(days=40))
    today = timezone.localdate()
    flt = HotlineFilter(date_from=today - dt.timedelta(days=1), date_to=today)
    out = export_hotline(user=loop.street_staff, flt=flt, fmt="csv")
    assert set(_read_csv(out.file.read()[3:], "utf-8")[1]) == {"H001", "H002", "H004"}
    with pytest.raises(ValidationFailed, match="起始日期不能晚于截止日期"):
        HotlineFilter(date_from=today, date_to=today - dt.timedelta(days=1))


def test_capabilities_full_export_and_audit(loop, tmp_path):
    _import(loop, tmp_path)
    with pytest.raises(PermissionDenied):
        export_hotline(user=loop.worker_a1, flt=HotlineFilter())  # grid workers may not export
    leader = make_user(Role.LEADER, area=loop.county, username="leader1")
    with pytest.raises(PermissionDenied, match="完整个人信息"):
        export_hotline(user=leader, flt=HotlineFilter(), reveal=True)
    with pytest.raises(ValidationFailed, match="未知的导出格式"):
        export_hotline(user=loop.street_staff, flt=HotlineFilter(), fmt="xls")
    assert not AuditLog.objects.filter(action="export").exists()

    out = export_hotline(user=loop.staff_a, flt=HotlineFilter(), fmt="csv", reveal=True)
    by_order = _read_csv(out.file.read()[3:], "utf-8")[1]
    assert by_order["H001"]["联系电话"] == "13800138000" and by_order["H001"]["诉求人"] == "王女士"
    row = AuditLog.objects.get(action="export")
    assert row.actor == loop.staff_a
    assert row.detail["what"] == "hotline"
    assert (row.detail["rows"], row.detail["pii"], row.detail["format"]) == (3, "full", "csv")


def test_command_writes_the_file(loop, tmp_path):
    cases = _import(loop, tmp_path)
    services.case_transition(actor=loop.staff_a, case=cases["H001"], action="accept")
    target = tmp_path / "back.csv"
    since = (timezone.localtime() - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    call_command("export_hotline", user="staff_a", format="csv", since=since, out=str(target))
    by_order = _read_csv(target.read_bytes()[3:], "utf-8")[1]
    assert set(by_order) == {"H001", "H002", "H003"} and by_order["H001"]["办理状态"] == "已受理"
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    call_command("export_hotline", user="staff_a", format="csv", since=future, out=str(target))
    assert _read_csv(target.read_bytes()[3:], "utf-8")[1] == {}


def test_page_offers_the_export_and_serves_it(client, loop, tmp_path):
    _import(loop, tmp_path)
    client.force_login(loop.staff_a)
    page = client.get("/cases/import/hotline/")
    assert page.status_code == 200 and 'id="hotline-export"' in page.content.decode()
    resp = client.get("/cases/import/hotline/export/", {"format": "csv-gbk"})
    assert resp.status_code == 200 and resp["Content-Type"] == "text/csv"
    assert "attachment" in resp["Content-Disposition"]
    by_order = _read_csv(b"".join(resp.streaming_content), "gbk")[1]
    assert set(by_order) == {"H001", "H002", "H003"}
    bad = client.get("/cases/import/hotline/export/", {"format": "pdf"})
    assert bad.status_code == 302 and AuditLog.objects.filter(action="export").count() == 1
    client.force_login(loop.worker_a1)
    assert client.get("/cases/import/hotline/").status_code == 403
    assert client.get("/cases/import/hotline/export/", {"format": "xlsx"}).status_code == 403


def test_who_may_export_but_not_import_sees_only_the_export(client, loop, tmp_path):
    _import(loop, tmp_path)
    leader = make_user(Role.LEADER, area=loop.county, username="leader2")
    client.force_login(leader)
    # Leaders must pass two-factor first; the capability rules are what is tested here.
    with override_settings(CIVICGRID_2FA_ENFORCED=False):
        page = client.get("/cases/import/hotline/").content.decode()
        assert 'id="hotline-export"' in page and 'type="file"' not in page
        assert "导出完整信息" not in page  # leaders may not reveal personal data
        assert client.post("/cases/import/hotline/", {}).status_code == 403
        resp = client.get("/cases/import/hotline/export/", {"format": "csv"})
        assert set(_read_csv(b"".join(resp.streaming_content)[3:], "utf-8")[1]) == {
            "H001",
            "H002",
            "H003",
            "H004",
        }
