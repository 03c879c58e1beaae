"""The /io/ pages in a real Chromium on a 390-pixel phone screen: upload, errors, report."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from civicgrid.cases.tests.browser_conftest import browser, overflow_px, people, shot
from civicgrid.people.models import Resident
from civicgrid.testing.factories import valid_id_number

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
__all__ = ["browser", "people"]  # fixtures, used by name


@pytest.fixture(autouse=True)
def _report_dir(settings, tmp_path):
    settings.CIVICGRID_IO_REPORT_DIR = tmp_path / "reports"


def test_upload_errors_and_report_on_a_phone(people, tiny, tmp_path):
    wb = Workbook()
    wb.active.append(["姓名", "身份证号", "网格编码"])
    wb.active.append(["甲", valid_id_number(), "G-A1"])
    wb.active.append(["乙", "123", "G-B1"])
    upload = tmp_path / "居民.xlsx"
    wb.save(upload)

    page = people.open("staff_a", phone=True)
    page.goto("/io/")
    assert overflow_px(page) <= 0
    shot(page, "io-index-phone")
    page.locator("#io-residents").get_by_role("link", name="导入").click()
    page.locator("input[name=file]").set_input_files(str(upload))
    with page.expect_navigation():
        page.get_by_role("button", name="导入", exact=True).click()
    assert page.get_by_role("alert").filter(has_text="没有导入任何数据").count() == 1
    rows = page.locator("table.io-errors tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).inner_text().split("\t")[:2] == ["3", "身份证号"]
    assert "G-B1" in rows.nth(1).inner_text()
    assert overflow_px(page) <= 0
    shot(page, "io-result-phone")
    assert Resident.objects.count() == 0

    with page.expect_download() as download:
        page.get_by_role("link", name="下载错误报告(.xlsx)").click()
    path = tmp_path / "report.xlsx"
    download.value.save_as(path)
    ws = load_workbook(io.BytesIO(path.read_bytes())).worksheets[0]
    assert ws.cell(row=1, column=4).value == "错误" and "G-B1" in ws.cell(row=3, column=4).value

    page.goto("/io/residents/import/")
    page.locator("input[name=file]").set_input_files(str(upload))
    page.locator("input[name=partial]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="导入", exact=True).click()
    assert "新增 1 条" in page.content()
    assert list(Resident.objects.values_list("name", flat=True)) == ["甲"]
