"""The reports count from the rollups: whatever the case history (random, through the real
services, the hooks and the deadline sweep), the monthly bulletin's figures — per street, per
department, the county's key figures and the change since last month — and the daily and
weekly figures equal a direct count over the case rows, done here in Python from
docs/assessment.md."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicgrid.analytics import rollups
from civicgrid.cases import services
from civicgrid.cases.models import Case, CaseEvent, Department
from civicgrid.cases.services import SYSTEM
from civicgrid.cases.tasks import sweep
from civicgrid.core.errors import ApplicationError
from civicgrid.geo import services as geo
from civicgrid.geo.models import Area
from civicgrid.orgs.choices import UnitKind
from civicgrid.orgs.models import Unit
from civicgrid.reports import content, periods
from civicgrid.reports.models import Kind
from civicgrid.testing.factories import rect, square

EXCLUDED = {"merged", "invalid"}
DONE = {"resolved", "rated", "closed"}
RATED = {"satisfied", "basically", "dissatisfied"}
ACTIONS = ["accept", "dispatch", "dispatch_b", "start", "resolve", "rate", "close", "return",
           "escalate", "invalidate", "merge", "sweep"]  # fmt: skip
RATINGS = ["satisfied", "basically", "dissatisfied"]


def _pct(n: int, d: int):
    return round(100.0 * n / d, 1) if d else None


def direct(cases: list[Case], name: str) -> list:
    """A row of the rates tables (名称, 受理量, 响应率, 按时办结率, 办结率, 满意率, 重办率)."""
    valid = [c for c in cases if c.status not in EXCLUDED]
    done = [c for c in cases if c.status in DONE]
    rated = [c for c in cases if c.rating in RATED]
    return [
        name,
        len(cases),
        _pct(
            sum(
                1 for c in valid if c.accepted_at and c.accept_due and c.accepted_at <= c.accept_due
            ),
            len(valid),
        ),
        _pct(
            sum(
                1
                for c in done
                if c.resolved_at and c.resolve_due and c.resolved_at <= c.resolve_due
            ),
            len(done),
        ),
        _pct(len(done), len(valid)),
        _pct(sum(1 for c in rated if c.rating in ("satisfied", "basically")), len(rated)),
        _pct(sum(1 for c in done if c.reopen_count > 0), len(done)),
    ]


def table(c, title):
    return next(t for t in c.tables if t.title == title)


@pytest.fixture
def two_streets(loop):
    """The loop county with a second street (one community, one grid) and a second department."""
    loop.street_2 = geo.area_create(actor=None, code="441322002000", name="第二街道",
                                    level=Area.Level.STREET, parent=loop.county)  # fmt: skip
    loop.community_c = geo.area_create(
        actor=None, code="441322002001", name="南门社区", level=Area.Level.COMMUNITY,
        parent=loop.street_2, geometry=rect(114.04, 23.00, 114.06, 23.01),
    )  # fmt: skip
    loop.grid_c1 = geo.grid_create(actor=None, code="G-C1", name="南门第一网格",
                                   community=loop.community_c,
                                   geometry=square(114.04, 23.00, 0.01))  # fmt: skip
    unit = Unit.objects.create(name="县水务局", kind=UnitKind.DEPARTMENT, area=loop.county)
    Department.objects.create(unit=unit, department_type="water", county=loop.county)
    loop.dept_b = unit
    return loop


def _apply(case, action, rating, target, world):
    if action == "sweep":
        sweep(now=timezone.now() + dt.timedelta(days=30))
        return
    kwargs = {"note": "测试说明"}
    if action == "dispatch_b":
        action, kwargs["to_unit"] = "dispatch", world.dept_b
    if action == "rate":
        kwargs["rating"] = rating
    if action == "merge":
        if target is None or target.pk == case.pk:
            return
        kwargs["merged_into"] = target
    try:
        services.case_transition(actor=SYSTEM, case=Case.objects.get(pk=case.pk), action=action,
                                 **kwargs)  # fmt: skip
    except ApplicationError:
        pass  # not allowed from this state: the history just goes on


case_plan = st.tuples(
    st.integers(0, 1),  # item: community or department
    st.integers(0, 2),  # grid: community A, B (street 1) or C (street 2)
    st.integers(0, 70),  # days ago received: this month, last month, the one before
    st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(RATINGS)), max_size=8),
)


def _received(day_from: dt.date, day_after: dt.date, area: Area | None = None) -> list[Case]:
    rows = Case.objects.select_related("area")
    return [
        c
        for c in rows
        if day_from <= timezone.localtime(c.created_at).date() < day_after
        and (area is None or c.area.path.startswith(area.path))
    ]


@pytest.mark.django_db
@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plans=st.lists(case_plan, min_size=1, max_size=6))
def test_report_figures_equal_direct_counts(two_streets, plans):
    w = two_streets
    items = [w.item_community, w.item_department]
    grids = [w.grid_a1, w.grid_b1, w.grid_c1]
    made = []
    for item, grid, ago, steps in plans:
        case = services.case_create(actor=w.worker_a1, item=items[item], text="楼道堆物",
                                    grid=grids[grid])  # fmt: skip
        if ago:
            when = case.created_at - dt.timedelta(days=ago)
            Case.objects.filter(pk=case.pk).update(created_at=when)
            rollups.mark_days([rollups.local_day(when)])  # as an import of old cases would
        made.append(case)
        for action, rating in steps:
            _apply(case, action, rating, made[0], w)
    rollups.flush()  # what the task worker does after each change

    today = timezone.localdate()
    month = periods.containing(Kind.MONTHLY, today)
    last = month.previous()
    bulletin = content.build(Kind.MONTHLY, w.county, month)
    streets = [w.street, w.street_2]
    expected = [direct(_received(month.first, month.after, s), s.name) for s in streets]
    assert table(bulletin, "各街道指标").rows == expected
    before = [direct(_received(last.first, last.after, s), s.name) for s in streets]
    whole = direct(_received(month.first, month.after), w.county.name)
    whole_before = direct(_received(last.first, last.after), w.county.name)
    assert dict(bulletin.key_figures) == {
        "本月受理": whole[1],
        "上月受理": whole_before[1],
        "较上月": whole[1] - whole_before[1],
        "办结率(%)": whole[4],
        "满意率(%)": whole[5],
    }

    def delta(now, then):
        return None if now is None or then is None else round(now - then, 1)

    assert table(bulletin, "较上月变化").rows == [
        [e[0], e[1], b[1], delta(e[4], b[4]), delta(e[5], b[5])]
        for e, b in zip(expected, before, strict=True)
    ]
    # A department: every case dispatched to it at least once, or that it holds now.
    to_unit: dict[int, set] = {}
    for e in CaseEvent.objects.filter(action="dispatch"):
        to_unit.setdefault(e.data.get("to_unit_id"), set()).add(e.case_id)
    in_month = _received(month.first, month.after)
    assert {r[0]: r for r in table(bulletin, "各部门指标").rows} == {
        u.name: direct(
            [c for c in in_month if c.handler_unit_id == u.pk or c.pk in to_unit.get(u.pk, ())],
            u.name,
        )
        for u in (w.dept_unit, w.dept_b)
    }

    # The weekly analysis of street 1 and the daily sort of community A, from the same rollups.
    week = periods.containing(Kind.WEEKLY, today)
    weekly = content.build(Kind.WEEKLY, w.street, week)
    assert table(weekly, "各社区指标").rows == [
        direct(_received(week.first, week.after, a), a.name) for a in (w.community_a, w.community_b)
    ]
    trend = dict(table(weekly, "每日受理趋势").rows)
    for i in range(7):
        d = week.first + dt.timedelta(days=i)
        assert trend[d.isoformat()] == len(_received(d, d + dt.timedelta(days=1), w.street))
    day = periods.containing(Kind.DAILY, today)
    daily = dict(content.build(Kind.DAILY, w.community_a, day).key_figures)
    open_now = [
        c
        for c in _received(dt.date.min, day.after, w.community_a)
        if c.status not in EXCLUDED | DONE
    ]
    assert daily["当日受理"] == len(_received(day.first, day.after, w.community_a))
    assert daily["未办结"] == len(open_now)
    assert daily["已超期"] == sum(1 for c in open_now if c.sla_state == "red")


@pytest.mark.django_db
def test_a_case_sent_back_by_one_department_counts_for_both(two_streets):
    w = two_streets
    case = services.case_create(actor=w.worker_a1, item=w.item_department, text="占道经营",
                                grid=w.grid_c1)  # fmt: skip
    for action, kwargs in (
        ("accept", {}),
        ("dispatch", {}),  # the lead department of the item: dept_unit
        ("return", {"note": "不属本部门"}),
        ("dispatch", {"to_unit": w.dept_b}),
        ("start", {}),
    ):
        case = services.case_transition(actor=SYSTEM, case=case, action=action, **kwargs)
    assert case.handler_unit_id == w.dept_b.pk
    rollups.flush()
    month = periods.containing(Kind.MONTHLY, timezone.localdate())
    bulletin = content.build(Kind.MONTHLY, w.county, month)
    depts = {r[0]: r[1] for r in table(bulletin, "各部门指标").rows}
    assert depts == {w.dept_unit.name: 1, w.dept_b.name: 1}
    streets = {r[0]: r[1] for r in table(bulletin, "各街道指标").rows}
    assert streets == {w.street.name: 0, w.street_2.name: 1}
