"""The /io/ pages through Django's test client, with real uploaded .xlsx files."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from civicgrid.core import crypto, tabular
from civicgrid.core.models import AuditLog
from civicgrid.people import services
from civicgrid.people.models import Resident
from civicgrid.testing.factories import valid_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _report_dir(settings, tmp_path):
    settings.CIVICGRID_IO_REPORT_DIR = tmp_path / "reports"


def xlsx(rows, headers=("姓名", "身份证号", "手机号", "网格编码", "关注等级")):
    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("居民.xlsx", buf.getvalue())


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_index_lists_kinds_with_links_by_capability(client, tiny):
    client.force_login(tiny.staff_a)
    page = client.get(reverse("io:index")).content.decode()
    for kind in tabular.KINDS:
        assert reverse("io:template", args=[kind]) in page
        if kind == "catalogue":  # only system administrators edit the matter catalogue
            assert reverse("io:import", args=[kind]) not in page
        else:
            assert reverse("io:import", args=[kind]) in page
    assert reverse("io:export", args=["residents"]) + "?pii=full" in page
    client.force_login(tiny.parttime_a1)
    page = client.get(reverse("io:index")).content.decode()
    assert reverse("io:template", args=["residents"]) in page
    assert reverse("io:import", args=["residents"]) not in page
    assert reverse("io:export", args=["residents"]) not in page


def test_template_download_is_an_xlsx_with_the_spec_headers(client, tiny):
    client.force_login(tiny.staff_a)
    r = client.get(reverse("io:template", args=["units"]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(body(r))).worksheets[0]
    assert [c.value for c in ws[1]][:3] == ["名称", "类型", "统一社会信用代码"]
    assert client.get(reverse("io:template", args=["nonsense"])).status_code == 404


def test_upload_with_errors_writes_nothing_and_offers_the_report(client, tiny):
    client.force_login(tiny.staff_a)
    upload = xlsx(
        [
            ("甲", valid_id_number(), "13800138000", "G-A1", "红"),
            ("乙", valid_id_number(), "13800138000", "G-B1", "绿"),
        ]
    )
    r = client.post(reverse("io:import", args=["residents"]), {"file": upload, "import": ""})
    page = r.content.decode()
    assert r.status_code == 200 and "没有导入任何数据" in page
    assert "找不到网格编码 G-B1 或不在您的管辖范围内" in page and "<td>3</td>" in page
    assert Resident.objects.count() == 0
    token = r.context["token"]
    report = client.get(reverse("io:report", args=[token]))
    assert report.status_code == 200
    ws = load_workbook(io.BytesIO(body(report))).worksheets[0]
    assert ws.cell(row=1, column=6).value == "错误" and "G-B1" in ws.cell(row=3, column=6).value
    assert ws.cell(row=3, column=4).comment is not None
    # another user's session cannot fetch it
    client.force_login(tiny.staff_b)
    assert client.get(reverse("io:report", args=[token])).status_code == 404


def test_partial_upload_and_dry_run(client, tiny):
    client.force_login(tiny.staff_a)
    rows = [
        ("甲", valid_id_number(), "13800138000", "G-A1", "红"),
        ("乙", valid_id_number(), "138", "G-A2", "绿"),
    ]
    r = client.post(
        reverse("io:import", args=["residents"]),
        {"file": xlsx(rows), "partial": "on", "dry_run": "1"},
    )
    assert "仅校验" in r.content.decode() and r.context["outcome"].created == 1
    assert Resident.objects.count() == 0
    r = client.post(reverse("io:import", args=["residents"]), {"file": xlsx(rows), "partial": "on"})
    assert r.context["outcome"].written and Resident.objects.get().name == "甲"
    assert "新增 1 条" in r.content.decode()
    assert AuditLog.objects.filter(action="import").count() == 2


def test_bad_file_is_a_form_error(client, tiny):
    client.force_login(tiny.staff_a)
    r = client.post(
        reverse("io:import", args=["residents"]),
        {"file": SimpleUploadedFile("a.xlsx", b"hello"), "import": ""},
    )
    assert r.status_code == 200 and "不是有效的 Excel" in r.content.decode()
    r = client.post(
        reverse("io:import", args=["residents"]),
        {"file": xlsx([("甲",)], headers=("姓名", "体重")), "import": ""},
    )
    assert "缺少必填列:网格编码" in r.content.decode() and "不认识的列:体重" in r.content.decode()


def test_upload_page_needs_the_import_capability(client, tiny):
    client.force_login(tiny.worker_a1)
    assert client.get(reverse("io:import", args=["residents"])).status_code == 403
    r = client.post(
        reverse("io:import", args=["residents"]),
        {"file": xlsx([("甲", valid_id_number(), "", "G-A1", "")])},
    )
    assert r.status_code == 403 and Resident.objects.count() == 0


def test_export_downloads_are_scoped_masked_and_audited(client, tiny):
    a = services.resident_create(
        actor=None, grid=tiny.grid_a1, name="甲", id_number=valid_id_number()
    )
    services.resident_create(actor=None, grid=tiny.grid_b1, name="乙", id_number=valid_id_number())
    client.force_login(tiny.staff_a)
    r = client.get(reverse("io:export", args=["residents"]))
    rows = list(load_workbook(io.BytesIO(body(r))).worksheets[0].iter_rows(values_only=True))
    assert [x[0] for x in rows[1:]] == ["甲"] and rows[1][2] == crypto.mask_id_number(a.id_number)
    r = client.get(reverse("io:export", args=["residents"]) + "?pii=full")
    rows = list(load_workbook(io.BytesIO(body(r))).worksheets[0].iter_rows(values_only=True))
    assert rows[1][2] == a.id_number
    assert (
        AuditLog.objects.filter(action="export", detail__pii="full", actor=tiny.staff_a).count()
        == 1
    )
    client.force_login(tiny.worker_a1)
    assert client.get(reverse("io:export", args=["residents"])).status_code == 403


def test_pages_render_at_phone_width_markup(client, tiny):
    client.force_login(tiny.staff_a)
    page = client.get(reverse("io:import", args=["residents"])).content.decode()
    assert (
        'name="dry_run"' in page
        and 'name="partial"' in page
        and 'enctype="multipart/form-data"' in page
    )
    assert 'name="viewport"' in page
