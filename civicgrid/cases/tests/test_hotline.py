import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from civicgrid.cases.hotline import import_orders
from civicgrid.cases.models import Case

pytestmark = pytest.mark.django_db

HEADER = [
    "工单编号",
    "诉求内容",
    "事项编码",
    "诉求人",
    "联系电话",
    "地址",
    "经度",
    "纬度",
    "网格编码",
    "社区代码",
]


def xlsx(tmp_path, rows, name="orders.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    path = tmp_path / name
    wb.save(path)
    return path


GOOD = [
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
]


def test_import_creates_cases_and_a_second_run_creates_nothing(loop, tmp_path):
    path = xlsx(tmp_path, GOOD)
    r1 = import_orders(actor=loop.staff_a, content=path.read_bytes(), filename=path.name)
    assert (r1.created, r1.skipped, r1.errors) == (3, 0, [])
    cases = {c.external_id: c for c in Case.objects.all()}
    assert cases["H001"].grid == loop.grid_a1 and cases["H002"].grid == loop.grid_a2
    assert not cases["H003"].located and cases["H003"].area == loop.community_a
    assert cases["H001"].reporter_phone == "13800138000" and cases["H001"].source == "hotline"
    r2 = import_orders(actor=loop.staff_a, content=path.read_bytes(), filename=path.name)
    assert (r2.created, r2.skipped) == (0, 3) and Case.objects.count() == 3


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(loop, tmp_path):
    rows = GOOD + [
        ["H004", "", "TZ01-01", "", "", "", "114.005", "23.005", "", ""],
        ["H005", "x", "NOPE", "", "", "", "114.005", "23.005", "", ""],
        ["H006", "x", "TZ01-01", "", "", "", "abc", "23.005", "", ""],
        ["H007", "x", "TZ01-01", "", "", "", "", "", "G-B1", ""],  # another community's grid
        ["H001", "x", "TZ01-01", "", "", "", "114.005", "23.005", "", ""],
    ]
    path = xlsx(tmp_path, rows)
    result = import_orders(actor=loop.staff_a, content=path.read_bytes(), filename=path.name)
    found = {(e.row, e.column) for e in result.errors}
    assert found == {
        (5, "诉求内容"),
        (6, "事项编码"),
        (7, "经度"),
        (8, "网格编码"),
        (9, "工单编号"),
    }
    assert "不在您的管辖范围内" in next(str(e) for e in result.errors if e.row == 8)
    assert Case.objects.count() == 0 and result.created == 0


def test_partial_imports_the_good_rows(loop, tmp_path):
    path = xlsx(tmp_path, GOOD + [["H009", "", "TZ01-01", "", "", "", "114.005", "23.005", "", ""]])
    result = import_orders(
        actor=loop.staff_a, content=path.read_bytes(), filename=path.name, partial=True
    )
    assert result.created == 3 and len(result.errors) == 1 and Case.objects.count() == 3


def test_gbk_csv_and_missing_columns(loop, tmp_path):
    text = "工单编号,诉求内容,事项编码,经度,纬度\nC1,噪音扰民,ZF01-01,114.005,23.005\n"
    path = tmp_path / "orders.csv"
    path.write_bytes(text.encode("gbk"))
    assert (
        import_orders(actor=loop.staff_a, content=path.read_bytes(), filename="orders.csv").created
        == 1
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("编号,内容\n1,2\n", encoding="utf-8")
    with pytest.raises(Exception, match="缺少必需的列"):
        import_orders(actor=loop.staff_a, content=bad.read_bytes(), filename="bad.csv")


def test_management_command_refuses_and_explains(loop, tmp_path, capsys):
    path = xlsx(tmp_path, [["H1", "", "TZ01-01", "", "", "", "114.005", "23.005", "", ""]])
    with pytest.raises(CommandError):
        call_command("import_hotline", str(path), user="staff_a")
    assert "第 2 行『诉求内容』" in capsys.readouterr().err


def test_import_needs_the_capability_and_is_audited(loop, tmp_path):
    from civicgrid.core.errors import PermissionDenied
    from civicgrid.core.models import AuditLog

    path = xlsx(tmp_path, GOOD[:1])
    with pytest.raises(PermissionDenied):
        import_orders(actor=loop.worker_a1, content=path.read_bytes(), filename=path.name)
    import_orders(actor=loop.staff_a, content=path.read_bytes(), filename=path.name)
    row = AuditLog.objects.get(action="import")
    assert row.actor == loop.staff_a and row.detail["created"] == 1 and Case.objects.count() == 1
