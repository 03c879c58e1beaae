"""The spreadsheet framework itself, and the import_excel / export_excel commands."""

import datetime as dt
import io
import os
import time

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from civicgrid.core import tabular
from civicgrid.core.errors import NotFound, ValidationFailed
from civicgrid.core.models import AuditLog
from civicgrid.people.models import Resident
from civicgrid.testing.factories import make_user, valid_id_number

SPEC = tabular.get_kind("residents").spec


def xlsx_bytes(rows):
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (13800138000.0, "13800138000"),
        (1.5, "1.5"),
        (dt.datetime(2024, 5, 1), "2024-05-01"),
        (True, "是"),
        ("  张三 ", "张三"),
    ],
)
def test_cell_text(value, text):
    assert tabular.cell_text(value) == text


@pytest.mark.parametrize(
    "value", ["2024-05-01", "2024/5/1", "20240501", "2024年5月1日", dt.datetime(2024, 5, 1)]
)
def test_dates_in_the_usual_spellings(value):
    assert tabular.date(value) == dt.date(2024, 5, 1)


def test_bad_date_and_yes_no():
    with pytest.raises(tabular.CellInvalid):
        tabular.date("05/01/24")
    assert tabular.yes_no("是") is True and tabular.yes_no("否") is False
    with pytest.raises(tabular.CellInvalid):
        tabular.yes_no("可能")


def test_headers_tolerate_stars_and_blank_rows_keep_excel_numbers():
    content = xlsx_bytes([["姓名*", " 网格编码 "], ["甲", "G-A1"], [None, None], ["乙", "G-A2"]])
    table = tabular.read_table(content, "x.xlsx", SPEC)
    assert table.headers == ["姓名", "网格编码"]
    assert [(r.number, r.cells["姓名"]) for r in table.rows] == [(2, "甲"), (4, "乙")]


def test_repeated_header_is_a_file_error():
    with pytest.raises(ValidationFailed) as e:
        tabular.read_table(xlsx_bytes([["姓名", "网格编码", "姓名"]]), "x.xlsx", SPEC)
    assert "列名重复:姓名" in str(e.value) and e.value.details == {"file": ["列名重复:姓名"]}


def test_csv_utf8_with_bom():
    content = "\ufeff姓名,网格编码\n甲,G-A1\n".encode()
    table = tabular.read_table(content, "x.csv", SPEC)
    assert table.rows[0].cells == {"姓名": "甲", "网格编码": "G-A1"}


def test_empty_file():
    with pytest.raises(ValidationFailed, match="空"):
        tabular.read_table(xlsx_bytes([]), "x.xlsx", SPEC)


def test_unknown_kind_is_not_found():
    with pytest.raises(NotFound):
        tabular.get_kind("secrets")


def test_error_reports_are_stored_encrypted_and_expire(settings, tmp_path):
    settings.CIVICGRID_IO_REPORT_DIR = tmp_path
    secret = b"441322199001011234"
    token = tabular.report_store(secret)
    stored = (tmp_path / f"{token}.enc").read_bytes()
    assert secret not in stored and tabular.report_load(token) == secret
    with pytest.raises(NotFound):
        tabular.report_load("../../etc/passwd")
    old = tmp_path / f"{token}.enc"
    past = time.time() - tabular.REPORT_MAX_AGE_S - 10
    os.utime(old, (past, past))
    tabular.report_store(b"x")  # sweeps old reports
    with pytest.raises(NotFound):
        tabular.report_load(token)


# ---------------------------------------------------------------- commands


def resident_file(tmp_path, rows):
    path = tmp_path / "residents.xlsx"
    path.write_bytes(xlsx_bytes([["姓名", "身份证号", "网格编码"], *rows]))
    return path


@pytest.mark.django_db
def test_import_command_dry_run_partial_and_errors_file(tiny, tmp_path, capsys):
    path = resident_file(
        tmp_path, [["甲", valid_id_number(), "G-A1"], ["乙", valid_id_number(), "G-B1"]]
    )
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_excel", str(path), kind="residents", user="staff_a")
    assert Resident.objects.count() == 0
    errors = tmp_path / "residents-errors.xlsx"
    ws = load_workbook(errors).worksheets[0]
    assert "G-B1" in ws.cell(row=3, column=4).value
    call_command("import_excel", str(path), kind="residents", user="staff_a", dry_run=True)
    assert Resident.objects.count() == 0
    call_command("import_excel", str(path), kind="residents", user="staff_a", partial=True)
    out = capsys.readouterr()
    assert "1 created" in out.out and "第 3 行『网格编码』" in out.err
    assert list(Resident.objects.values_list("name", flat=True)) == ["甲"]
    assert AuditLog.objects.filter(action="import", actor=tiny.staff_a).count() == 3


@pytest.mark.django_db
def test_import_command_defaults_to_a_superuser(tiny, tmp_path):
    path = resident_file(tmp_path, [["丙", valid_id_number(), "G-B2"]])
    with pytest.raises(CommandError, match="--user"):
        call_command("import_excel", str(path), kind="residents")
    make_user(username="root", is_superuser=True)
    call_command("import_excel", str(path), kind="residents")
    assert Resident.objects.get().grid == tiny.grid_b2


@pytest.mark.django_db
def test_export_command_uses_the_users_scope(tiny, tmp_path):
    path = resident_file(
        tmp_path, [["甲", valid_id_number(), "G-A1"], ["乙", valid_id_number(), "G-B1"]]
    )
    call_command("import_excel", str(path), kind="residents", user="street")
    out = tmp_path / "out.xlsx"
    call_command("export_excel", kind="residents", out=str(out), user="staff_b")
    rows = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["乙"] and "*" in rows[1][2]
    with pytest.raises(CommandError):
        call_command("export_excel", kind="residents", out=str(out), user="worker_a1")
