"""Generated files: the PDF opens and shows Chinese text; the workbook has its sheets, values
and a chart; the archive row carries the file's hash; the command and the schedule make each
period's reports once."""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from civicgrid.core.errors import NotFound, ValidationFailed
from civicgrid.reports import services
from civicgrid.reports.models import Report

pytestmark = pytest.mark.django_db


def test_monthly_pdf_opens_and_shows_chinese_text(county, reports_dir):
    r = services.report_generate(
        actor=county.leader, kind="monthly", area=county.county, period="2026-10", fmt="pdf"
    )
    data = (reports_dir / r.file).read_bytes()
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == r.sha256
    assert (r.kind, r.area, r.period, r.created_by, r.size) == (
        "monthly",
        county.county,
        "2026-10",
        county.leader,
        len(data),
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "测试县每月一通报" in text
    assert "红黄榜" in text and county.street.name in text and county.dept_unit.name in text


def test_weekly_workbook_has_sheets_values_and_a_chart(county, reports_dir):
    r = services.report_generate(
        actor=county.street_staff, kind="weekly", area=county.street, period="2026-W42", fmt="xlsx"
    )
    wb = load_workbook(reports_dir / r.file)
    assert {"概况", "各社区指标", "社区排名(按办结率)", "每日受理趋势", "苗头性问题预警"} <= set(
        wb.sheetnames
    )
    summary = wb["概况"]
    assert summary["A1"].value == "罗阳街道每周一分析"
    assert {row[0]: row[1] for row in summary.iter_rows(min_row=4, values_only=True)}[
        "本周受理"
    ] == 10
    assert len(summary._charts) == 2
    communities = {
        row[0]: row[1] for row in wb["各社区指标"].iter_rows(min_row=2, values_only=True)
    }
    assert communities == {county.community_a.name: 8, county.community_b.name: 2}


def test_refusals_change_nothing(county, reports_dir):
    cases = [
        (county.staff_a, "monthly", county.county, "2026-10", NotFound),  # not their area
        (county.staff_a, "weekly", county.community_a, "2026-W42", ValidationFailed),  # level
        (county.staff_a, "daily", county.community_a, "2026-10-32", ValidationFailed),
        (county.staff_a, "daily", county.community_a, "2099-01-01", ValidationFailed),  # future
    ]
    for actor, kind, area, period, error in cases:
        with pytest.raises(error):
            services.report_generate(actor=actor, kind=kind, area=area, period=period, fmt="pdf")
    assert Report.objects.count() == 0
    assert not reports_dir.exists() or not any(reports_dir.rglob("*.pdf"))


def test_a_corrupted_file_is_refused(county, reports_dir):
    r = services.report_generate(
        actor=None, kind="daily", area=county.community_a, period="2026-10-14", fmt="xlsx"
    )
    (reports_dir / r.file).write_bytes(b"tampered")
    with pytest.raises(ValidationFailed, match="已损坏"):
        services.report_bytes(r)


def test_command_makes_a_named_report_and_refuses_bad_input(county, reports_dir):
    out = io.StringIO()
    call_command(
        "make_report",
        "--kind",
        "monthly",
        "--area",
        county.county.code,
        "--period",
        "2026-10",
        stdout=out,
    )
    assert Report.objects.filter(kind="monthly", period="2026-10", scheduled=True).count() == 2
    assert len(out.getvalue().splitlines()) == 2
    with pytest.raises(CommandError, match="只能按"):
        call_command(
            "make_report", "--kind", "monthly", "--area", county.street.code, "--period", "2026-10"
        )
    with pytest.raises(CommandError, match="unknown area"):
        call_command("make_report", "--kind", "daily", "--area", "999", "--period", "2026-10-01")
    assert Report.objects.count() == 2


def test_schedule_makes_each_periods_reports_once(county, reports_dir):
    import datetime as dt

    made = services.make_due(today=dt.date(2026, 11, 2))
    # 2 communities (daily) + 1 street (weekly) + 1 county (monthly, major items), each as
    # xlsx and pdf
    assert len(made) == 10
    assert {(r.kind, r.period) for r in made} == {
        ("daily", "2026-11-01"),
        ("weekly", "2026-W44"),
        ("monthly", "2026-10"),
        ("major", "2026-10"),
    }
    assert services.make_due(today=dt.date(2026, 11, 2)) == []
    assert Report.objects.count() == 10


def test_pdf_bar_chart_is_scaled_to_the_largest_value():
    from civicgrid.reports import render_pdf
    from civicgrid.reports.content import Chart

    g = render_pdf.svg_bars(Chart("各街道受理量", ["甲", "乙", "丙"], [80, 40, 0]))
    assert [b["w"] for b in g["bars"]] == [render_pdf.BAR_MAX, render_pdf.BAR_MAX / 2, 0]
    assert g["height"] == 8 + 3 * render_pdf.ROW_H
    assert render_pdf.svg_bars(Chart("空", [], []))["bars"] == []
