"""Report figures against direct counts over the raw case rows of a small constructed county."""

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.cases.choices import SlaState, Status
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.reports import content, periods
from civicgrid.reports.models import Kind

from .conftest import DAY
from .conftest import at as conftest_at

pytestmark = pytest.mark.django_db

EXCLUDED = {Status.MERGED, Status.INVALID}
DONE = {Status.RESOLVED, Status.RATED, Status.CLOSED}


def direct(area, first, after):
    """The figures by hand: plain Python over every case row."""
    rows = [
        c
        for c in Case.objects.select_related("area")
        if c.area.path.startswith(area.path) and first <= c.created_at.date() < after
    ]
    valid = [c for c in rows if c.status not in EXCLUDED]
    done = [c for c in rows if c.status in DONE]
    return {
        "received": len(rows),
        "valid": len(valid),
        "resolved": len(done),
        "resolution_rate": round(100 * len(done) / len(valid), 1) if valid else None,
    }


def table(c, title):
    return next(t for t in c.tables if t.title == title)


def test_daily_sort_equals_direct_counts(county):
    c = content.build(Kind.DAILY, county.community_a, periods.parse(Kind.DAILY, DAY.isoformat()))
    keys = dict(c.key_figures)
    today = direct(county.community_a, DAY, DAY + dt.timedelta(days=1))
    before = direct(county.community_a, DAY - dt.timedelta(days=1), DAY)
    assert keys["当日受理"] == today["received"] == 6
    assert keys["前一日受理"] == before["received"] == 2
    assert keys["较前一日"] == 4
    open_rows = [
        x
        for x in Case.objects.filter(area=county.community_a)
        if x.status not in EXCLUDED | DONE and x.created_at.date() <= DAY
    ]
    assert keys["未办结"] == len(open_rows)
    assert keys["已超期"] == sum(1 for x in open_rows if x.sla_state == SlaState.OVERDUE) == 1
    top = table(c, "事项分布(前五)").rows
    assert top == [[county.item_community.name, 5], [county.item_department.name, 1]]
    compare = {r[0]: r[1:] for r in table(c, "与前一日对比").rows}
    assert compare["受理量"] == [6, 2, 4]
    assert compare["办结量"][0] == today["resolved"] == 3
    assert compare["办结率(%)"][0] == today["resolution_rate"]
    assert [r[0] for r in table(c, "超期未办结事件").rows] == [county.accepted.number]


def test_weekly_analysis_equals_direct_counts(county):
    p = periods.parse(Kind.WEEKLY, "2026-W42")
    assert (p.first, p.after) == (dt.date(2026, 10, 12), dt.date(2026, 10, 19))
    c = content.build(Kind.WEEKLY, county.street, p)
    rows = {r[0]: r for r in table(c, "各社区指标").rows}
    for community in (county.community_a, county.community_b):
        d = direct(community, p.first, p.after)
        assert rows[community.name][1] == d["received"]
        assert rows[community.name][4] == d["resolution_rate"]
    assert rows[county.community_a.name][1] == 8 and rows[county.community_b.name][1] == 2
    ranking = table(c, "社区排名(按办结率)").rows
    assert [r[1] for r in ranking] == [county.community_a.name, county.community_b.name]
    trend = dict(table(c, "每日受理趋势").rows)
    assert trend["2026-10-13"] == 2 and trend["2026-10-14"] == 8 and sum(trend.values()) == 10
    hot = table(c, "苗头性问题预警").rows
    assert hot == [
        ["2026-10-14", county.community_a.name, county.item_community.name, "同比上升", 7]
    ]
    assert dict(c.key_figures)["本周受理"] == direct(county.street, p.first, p.after)["received"]


def test_monthly_bulletin_equals_direct_counts(county):
    p = periods.parse(Kind.MONTHLY, "2026-10")
    c = content.build(Kind.MONTHLY, county.county, p)
    d = direct(county.street, p.first, p.after)
    street = next(r for r in table(c, "各街道指标").rows if r[0] == county.street.name)
    assert street[1] == d["received"] == 10
    assert street[4] == d["resolution_rate"]
    last = direct(county.street, dt.date(2026, 9, 1), p.first)
    change = table(c, "较上月变化").rows[0]
    assert change[1:3] == [d["received"], last["received"]] == [10, 1]
    assert change[3] == round(d["resolution_rate"] - last["resolution_rate"], 1)
    keys = dict(c.key_figures)
    assert (keys["本月受理"], keys["上月受理"], keys["较上月"]) == (10, 1, 9)
    depts = {r[0]: r for r in table(c, "各部门指标").rows}
    dispatched = {
        e.case_id
        for e in CaseEvent.objects.filter(action="dispatch")
        if e.data.get("to_unit_id") == county.dept_unit.pk
    }
    handled = [
        x
        for x in Case.objects.all()
        if p.first <= x.created_at.date() < p.after
        and (x.handler_unit_id == county.dept_unit.pk or x.pk in dispatched)
    ]
    assert [x.pk for x in handled] == [county.other_item.pk]
    assert depts[county.dept_unit.name][1] == len(handled) == 1
    red_yellow = table(c, "红黄榜").rows
    assert red_yellow == [["红榜", county.street.name, d["resolution_rate"]]]
    assert len(table(c, "苗头性问题预警").rows) == 1


def test_an_empty_period_has_no_rates(county):
    c = content.build(Kind.MONTHLY, county.county, periods.parse(Kind.MONTHLY, "2025-01"))
    street = table(c, "各街道指标").rows[0]
    assert street[1] == 0 and street[2:] == [None] * 5
    assert table(c, "红黄榜").rows == []


@pytest.mark.parametrize(
    "kind,text",
    [("daily", "2026-13-01"), ("weekly", "2026-W60"), ("monthly", "2026/11"), ("monthly", "")],
)
def test_bad_periods_are_refused_in_chinese(kind, text):
    from civicgrid.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="周期格式有误"):
        periods.parse(kind, text)


def test_major_item_report_counts_trend_areas_and_difficulty(county):
    from civicgrid.cases.choices import HandlingMode
    from civicgrid.cases.models import CaseTask, Supervision

    study = HandlingMode.LEADERSHIP_STUDY
    hard, easy = county.other_item, county.accepted  # created on DAY (October), both open
    Case.objects.filter(pk__in=[hard.pk, easy.pk, county.last_month.pk]).update(mode=study)
    CaseEvent.objects.create(case=hard, action="return", note="不属本部门")
    CaseEvent.objects.create(case=hard, action="escalate", note="提级")
    CaseTask.objects.create(case=hard, unit=county.dept_unit, role="lead", due=timezone.now())
    Supervision.objects.create(case=hard, note="督办", by=county.street_staff)
    started = conftest_at(dt.date(2026, 10, 2))
    Case.objects.filter(pk=hard.pk).update(created_at=started)
    c = content.build(Kind.MAJOR, county.county, periods.parse(Kind.MAJOR, "2026-10"))
    keys = dict(c.key_figures)
    # October: hard and easy; September: last_month (resolved).
    assert keys["本月新增研办事项"] == 2 and keys["上月新增"] == 1
    assert keys["在办研办事项"] == 2 and keys["其中超期"] == 1
    trend = next(ch for ch in c.charts if ch.title == "近六个月研办事项")
    assert trend.labels == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert trend.values == [0, 0, 0, 0, 1, 2]
    assert table(c, "区域分布").rows == [[county.street.name, 2, 2]]
    rows = table(c, "难度分析(在办及本月新增)").rows
    assert [r[0] for r in rows] == [hard.number, easy.number]  # hardest first
    days = (timezone.now() - started).days
    # hard: its days + 2 turns × 5 + 1 department × 3 + 1 supervision × 2
    assert rows[0][4:] == [days, 2, 1, 0, 1, days + 15]
    assert rows[1][5:] == [0, 0, 0, 0, rows[1][4]]
