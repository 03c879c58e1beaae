"""What each report says: figures for one area and period, as tables, charts and key numbers.

All figures follow docs/assessment.md (through `civicgrid.cases.assessment`); a report covers
the cases raised in the area's subtree during the period. Rendering (Excel, PDF) is separate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.analytics.models import Hotspot
from civicgrid.cases import assessment
from civicgrid.cases.choices import HandlingMode, SlaState
from civicgrid.cases.models import Case, CaseEvent, Department, open_q
from civicgrid.geo.models import Area

from .models import Kind
from .periods import Period

TOP = 5  # categories listed in a daily sort
LIST_SIZE = 3  # units on the red (best) and yellow (worst) lists


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list]


@dataclass
class Chart:
    title: str
    labels: list[str]
    values: list[float]
    unit: str = ""


@dataclass
class Content:
    title: str
    area: Area
    period: Period
    key_figures: list[tuple[str, object]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


def cases_in(area: Area):
    return Case.objects.filter(area__path__startswith=area.path).order_by()


def _in_period(qs, period: Period):
    return qs.filter(created_at__gte=period.start, created_at__lt=period.end)


def figures(key, name, qs) -> assessment.Figures:
    return assessment.Figures(key=key, name=name, **assessment._aggregate(qs))


def _rate_headers() -> list[str]:
    return [
        _("名称"),
        _("受理量"),
        _("响应率(%)"),
        _("按时办结率(%)"),
        _("办结率(%)"),
        _("满意率(%)"),
        _("重办率(%)"),
    ]


def _rate_row(f: assessment.Figures) -> list:
    return [
        f.name,
        f.received,
        f.response_rate,
        f.on_time_rate,
        f.resolution_rate,
        f.satisfaction_rate,
        f.reopen_rate,
    ]


def _delta(now, before):
    if now is None or before is None:
        return None
    return round(now - before, 1)


def _hotspots(area: Area, period: Period) -> Table:
    rows = (
        Hotspot.objects.filter(
            area__path__startswith=area.path, day__gte=period.first, day__lt=period.after
        )
        .select_related("item", "group", "area", "grid")
        .order_by("-score", "day")[:20]
    )
    return Table(
        _("苗头性问题预警"),
        [_("日期"), _("地点"), _("事项"), _("类型"), _("件数")],
        [
            [
                h.day.isoformat(),
                h.grid.name if h.grid_id else h.area.name,
                h.category_name,
                h.get_kind_display(),
                h.count,
            ]
            for h in rows
        ],
    )


def _children(area: Area, level: int):
    return list(Area.objects.filter(parent=area, level=level).order_by("code"))


def daily(area: Area, period: Period) -> Content:
    c = Content(_("%(area)s每日一梳理") % {"area": area.name}, area, period)
    base = cases_in(area)
    day = _in_period(base, period)
    before = _in_period(base, period.previous())
    open_now = base.filter(open_q(), created_at__lt=period.end)
    overdue = open_now.filter(sla_state=SlaState.OVERDUE)
    received, received_before = day.count(), before.count()
    c.key_figures = [
        (_("当日受理"), received),
        (_("前一日受理"), received_before),
        (_("较前一日"), received - received_before),
        (_("未办结"), open_now.count()),
        (_("已超期"), overdue.count()),
    ]
    top = list(day.values("item__name").annotate(n=Count("id")).order_by("-n", "item__name")[:TOP])
    c.tables.append(
        Table(_("事项分布(前五)"), [_("事项"), _("件数")], [[t["item__name"], t["n"]] for t in top])
    )
    now_f, before_f = figures(area.pk, _("当日"), day), figures(area.pk, _("前一日"), before)
    c.tables.append(
        Table(
            _("与前一日对比"),
            [_("指标"), _("当日"), _("前一日"), _("变化")],
            [
                [label, getattr(now_f, attr), getattr(before_f, attr)]
                + [_delta(getattr(now_f, attr), getattr(before_f, attr))]
                for label, attr in (
                    (_("受理量"), "received"),
                    (_("办结量"), "resolved"),
                    (_("响应率(%)"), "response_rate"),
                    (_("办结率(%)"), "resolution_rate"),
                )
            ],
        )
    )
    c.tables.append(
        Table(
            _("超期未办结事件"),
            [_("编号"), _("事项"), _("上报时间"), _("办结时限")],
            [
                [
                    x.number or x.pk,
                    x.item.name,
                    timezone.localtime(x.created_at).strftime("%Y-%m-%d %H:%M"),
                    timezone.localtime(x.resolve_due).strftime("%Y-%m-%d %H:%M")
                    if x.resolve_due
                    else "",
                ]
                for x in overdue.select_related("item").order_by("resolve_due")[:50]
            ],
        )
    )
    c.charts.append(
        Chart(_("事项分布"), [t["item__name"] for t in top], [t["n"] for t in top], _("件"))
    )
    return c


def weekly(area: Area, period: Period) -> Content:
    c = Content(_("%(area)s每周一分析") % {"area": area.name}, area, period)
    base = cases_in(area)
    week = _in_period(base, period)
    prev = period.previous()
    rows = [
        figures(a.pk, a.name, _in_period(base.filter(area_id=a.pk), period))
        for a in _children(area, Area.Level.COMMUNITY)
    ]
    before = {
        a.pk: figures(a.pk, a.name, _in_period(base.filter(area_id=a.pk), prev))
        for a in _children(area, Area.Level.COMMUNITY)
    }
    total, total_before = week.count(), _in_period(base, prev).count()
    c.key_figures = [
        (_("本周受理"), total),
        (_("上周受理"), total_before),
        (_("较上周"), total - total_before),
    ]
    c.tables.append(Table(_("各社区指标"), _rate_headers(), [_rate_row(f) for f in rows]))
    c.tables.append(
        Table(
            _("社区排名(按办结率)"),
            [_("名次"), _("名称"), _("办结率(%)"), _("较上周(百分点)")],
            [
                [
                    i,
                    f.name,
                    f.resolution_rate,
                    _delta(f.resolution_rate, before[f.key].resolution_rate),
                ]
                for i, f in enumerate(assessment.ranked(rows), start=1)
            ],
        )
    )
    days = [period.first + timezone.timedelta(days=i) for i in range(7)]
    by_day = {d: 0 for d in days}
    for x in week.values_list("created_at", flat=True):
        d = timezone.localtime(x).date()
        if d in by_day:
            by_day[d] += 1
    c.tables.append(
        Table(
            _("每日受理趋势"),
            [_("日期"), _("件数")],
            [[d.isoformat(), n] for d, n in by_day.items()],
        )
    )
    c.tables.append(_hotspots(area, period))
    c.charts.append(
        Chart(_("每日受理"), [f"{d:%m-%d}" for d in days], list(by_day.values()), _("件"))
    )
    c.charts.append(
        Chart(
            _("各社区办结率"), [f.name for f in rows], [f.resolution_rate or 0 for f in rows], "%"
        )
    )
    return c


def _departments(area: Area, period: Period) -> list[assessment.Figures]:
    base = _in_period(cases_in(area), period)
    rows = []
    for dept in (
        Department.objects.filter(county=area).select_related("unit").order_by("unit__name")
    ):
        dispatched = CaseEvent.objects.filter(
            action="dispatch", data__to_unit_id=dept.unit_id
        ).values("case_id")
        qs = base.filter(Q(handler_unit_id=dept.unit_id) | Q(pk__in=dispatched))
        rows.append(figures(dept.unit_id, dept.unit.name, qs))
    return rows


def monthly(area: Area, period: Period) -> Content:
    c = Content(_("%(area)s每月一通报") % {"area": area.name}, area, period)
    base = cases_in(area)
    prev = period.previous()
    streets = _children(area, Area.Level.STREET)

    def per_street(p):
        return [
            figures(s.pk, s.name, _in_period(base.filter(area__path__startswith=s.path), p))
            for s in streets
        ]

    rows, before = per_street(period), {f.key: f for f in per_street(prev)}
    whole, whole_before = (
        figures(area.pk, area.name, _in_period(base, period)),
        figures(area.pk, area.name, _in_period(base, prev)),
    )
    c.key_figures = [
        (_("本月受理"), whole.received),
        (_("上月受理"), whole_before.received),
        (_("较上月"), whole.received - whole_before.received),
        (_("办结率(%)"), whole.resolution_rate),
        (_("满意率(%)"), whole.satisfaction_rate),
    ]
    depts = _departments(area, period)
    ranked = assessment.ranked(rows)
    rated = [f for f in ranked if f.resolution_rate is not None]
    c.tables.append(Table(_("各街道指标"), _rate_headers(), [_rate_row(f) for f in rows]))
    c.tables.append(Table(_("各部门指标"), _rate_headers(), [_rate_row(f) for f in depts]))
    c.tables.append(
        Table(
            _("街道排名(按办结率)"),
            [_("名次"), _("名称"), _("办结率(%)"), _("较上月(百分点)")],
            [
                [
                    i,
                    f.name,
                    f.resolution_rate,
                    _delta(f.resolution_rate, before[f.key].resolution_rate),
                ]
                for i, f in enumerate(ranked, start=1)
            ],
        )
    )
    red = rated[:LIST_SIZE]
    yellow = [f for f in reversed(rated[-LIST_SIZE:]) if f not in red]
    c.tables.append(
        Table(
            _("红黄榜"),
            [_("榜单"), _("名称"), _("办结率(%)")],
            [[_("红榜"), f.name, f.resolution_rate] for f in red]
            + [[_("黄榜"), f.name, f.resolution_rate] for f in yellow],
        )
    )
    c.tables.append(
        Table(
            _("较上月变化"),
            [
                _("名称"),
                _("受理量"),
                _("上月受理量"),
                _("办结率变化(百分点)"),
                _("满意率变化(百分点)"),
            ],
            [
                [
                    f.name,
                    f.received,
                    before[f.key].received,
                    _delta(f.resolution_rate, before[f.key].resolution_rate),
                    _delta(f.satisfaction_rate, before[f.key].satisfaction_rate),
                ]
                for f in rows
            ],
        )
    )
    c.tables.append(_hotspots(area, period))
    c.charts.append(
        Chart(_("各街道受理量"), [f.name for f in rows], [f.received for f in rows], _("件"))
    )
    c.charts.append(
        Chart(
            _("各街道办结率"), [f.name for f in rows], [f.resolution_rate or 0 for f in rows], "%"
        )
    )
    return c


# Difficulty of a major item (documented in docs/reports.md): days open, plus 5 for each
# return, escalation or reopening, 3 for each department in joint handling, 3 for each whistle
# called, 2 for each supervision.
DIFFICULTY_WEIGHTS = {"days": 1, "turns": 5, "departments": 3, "whistles": 3, "supervisions": 2}
TURNS = Q(events__action__in=("return", "escalate")) | Q(events__to_status="reopened")


def _difficulty(case, now) -> dict:
    end = case.resolved_at or now
    parts = {
        "days": max(0, (end - case.created_at).days),
        "turns": case.n_turns,
        "departments": case.n_departments,
        "whistles": case.n_whistles,
        "supervisions": case.n_supervisions,
    }
    parts["score"] = sum(DIFFICULTY_WEIGHTS[k] * v for k, v in parts.items())
    return parts


def major(area: Area, period: Period) -> Content:
    """委领导研办: the matters that leadership studies — how many, the trend over six months,
    where they are, what they are about, and how hard each one is."""
    c = Content(_("%(area)s委领导研办专报") % {"area": area.name}, area, period)
    base = cases_in(area).filter(mode=HandlingMode.LEADERSHIP_STUDY)
    now = timezone.now()
    this, before = _in_period(base, period), _in_period(base, period.previous())
    open_now = base.filter(open_q())
    c.key_figures = [
        (_("本月新增研办事项"), this.count()),
        (_("上月新增"), before.count()),
        (_("在办研办事项"), open_now.count()),
        (_("其中超期"), open_now.filter(sla_state=SlaState.OVERDUE).count()),
        (_("本月办结"), base.filter(resolved_at__gte=period.start, resolved_at__lt=period.end).count()),
    ]
    months, p = [], period
    for _i in range(6):
        months.append(p)
        p = p.previous()
    months.reverse()
    c.charts.append(Chart(_("近六个月研办事项"), [m.label for m in months],
                          [_in_period(base, m).count() for m in months], _("件")))
    streets = _children(area, Area.Level.STREET)
    street_rows = [[s.name, _in_period(base.filter(area__path__startswith=s.path), period).count(),
                    open_now.filter(area__path__startswith=s.path).count()] for s in streets]
    c.tables.append(Table(_("区域分布"), [_("街道"), _("本月新增"), _("在办")], street_rows))
    c.charts.append(Chart(_("各街道在办研办事项"), [r[0] for r in street_rows], [r[2] for r in street_rows], _("件")))
    groups = (this.values("item__group__name").annotate(n=Count("id")).order_by("-n", "item__group__name"))
    c.tables.append(Table(_("事项类别"), [_("类别"), _("件数")], [[g["item__group__name"], g["n"]] for g in groups]))
    studied = (
        (open_now | this).distinct()
        .select_related("item", "area")
        .annotate(
            n_turns=Count("events", filter=TURNS, distinct=True),
            n_departments=Count("tasks", distinct=True),
            n_whistles=Count("whistle_calls", distinct=True),
            n_supervisions=Count("supervisions", distinct=True),
        )
    )
    rows = []
    for case in studied:
        d = _difficulty(case, now)
        rows.append([case.number, case.item.name, case.area.name, case.get_status_display(), d["days"],
                     d["turns"], d["departments"], d["whistles"], d["supervisions"], d["score"]])
    rows.sort(key=lambda r: (-r[-1], r[0]))
    c.tables.append(Table(
        _("难度分析(在办及本月新增)"),
        [_("编号"), _("事项"), _("社区/街道"), _("状态"), _("已用天数"), _("退回/提级/重办"),
         _("联办部门"), _("吹哨"), _("督办"), _("难度分")],
        rows,
    ))
    return c


BUILDERS = {Kind.DAILY: daily, Kind.WEEKLY: weekly, Kind.MONTHLY: monthly, Kind.MAJOR: major}
LEVELS = {
    Kind.DAILY: Area.Level.COMMUNITY,
    Kind.WEEKLY: Area.Level.STREET,
    Kind.MONTHLY: Area.Level.COUNTY,
    Kind.MAJOR: Area.Level.COUNTY,
}


def build(kind: str, area: Area, period: Period) -> Content:
    return BUILDERS[kind](area, period)
