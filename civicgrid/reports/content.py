"""What each report says: figures for one area and period, as tables, charts and key numbers.

All figures follow docs/assessment.md (`civicgrid.cases.assessment.Figures`); a report covers
the cases raised in the area's subtree during the period. The daily, weekly and monthly
reports count from the case rollups (civicgrid.analytics.rollups: `CaseUnitRollup` for areas
and departments, `CaseRollup` for matter items), never by scanning the case table; they read
cases only to list named ones (the daily sort's overdue cases). The major-item report reads
cases: the rollups have no handling-mode dimension, and it lists each of its few cases.
Rendering (Excel, PDF) is separate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.analytics import rollups
from civicgrid.analytics.models import CaseRollup, CaseUnitRollup, Hotspot
from civicgrid.cases import assessment
from civicgrid.cases.choices import HandlingMode, SlaState
from civicgrid.cases.models import Case, Department, MatterItem, open_q
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


def figures(key, name, sums: dict) -> assessment.Figures:
    """Figures from summed rollup rows (`rollups.sums`)."""
    return assessment.Figures(key=key, name=name, **rollups.assessment_counts(sums))


def _unit_rows(area: Area):
    """CaseUnitRollup rows of the cases located in the area's subtree."""
    return CaseUnitRollup.objects.filter(area__path__startswith=area.path)


def _held(area: Area):
    """The holder rows: every case of the area exactly once."""
    return _unit_rows(area).filter(holder=True)


def _days(rows, period: Period):
    return rows.filter(day__gte=period.first, day__lt=period.after)


def _total(rows, period: Period) -> dict:
    return rollups.sums(_days(rows, period))[()]


def _per_child(area: Area, children: list[Area], period: Period) -> dict[int, dict]:
    """Sums of the period per child area (its whole subtree), by child id."""
    owner = {}
    for a in Area.objects.filter(path__startswith=area.path).only("id", "path"):
        for child in children:
            if a.path.startswith(child.path):
                owner[a.pk] = child.pk
    out: dict[int, dict] = {child.pk: {} for child in children}
    for (area_id,), counts in rollups.sums(_days(_held(area), period), ("area_id",)).items():
        if area_id in owner:
            into = out[owner[area_id]]
            for name, n in counts.items():
                into[name] = into.get(name, 0) + n
    return out


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


def _top_items(area: Area, period: Period) -> list[tuple[str, int]]:
    """The TOP matter items received in the period, most first (ties by name)."""
    by_item = rollups.sums(
        _days(CaseRollup.objects.filter(area__path__startswith=area.path), period),
        ("item_id",),
        ("received",),
    )
    names = dict(
        MatterItem.objects.filter(pk__in=[k for (k,) in by_item]).values_list("id", "name")
    )
    counted = [(names[k], v["received"]) for (k,), v in by_item.items() if v["received"]]
    return sorted(counted, key=lambda t: (-t[1], t[0]))[:TOP]


def daily(area: Area, period: Period) -> Content:
    c = Content(_("%(area)s每日一梳理") % {"area": area.name}, area, period)
    held = _held(area)
    now_f = figures(area.pk, _("当日"), _total(held, period))
    before_f = figures(area.pk, _("前一日"), _total(held, period.previous()))
    # Open and overdue now, of the cases received before the end of the day.
    now = rollups.sums(
        held.filter(day__lt=period.after, open__gt=0), fields=("open", "overdue_open")
    )[()]
    received, received_before = now_f.received, before_f.received
    c.key_figures = [
        (_("当日受理"), received),
        (_("前一日受理"), received_before),
        (_("较前一日"), received - received_before),
        (_("未办结"), now["open"]),
        (_("已超期"), now["overdue_open"]),
    ]
    top = _top_items(area, period)
    c.tables.append(Table(_("事项分布(前五)"), [_("事项"), _("件数")], [list(t) for t in top]))
    # The overdue cases are listed by name: read from the cases themselves.
    overdue = cases_in(area).filter(open_q(), created_at__lt=period.end, sla_state=SlaState.OVERDUE)
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
    c.charts.append(Chart(_("事项分布"), [t[0] for t in top], [t[1] for t in top], _("件")))
    return c


def weekly(area: Area, period: Period) -> Content:
    c = Content(_("%(area)s每周一分析") % {"area": area.name}, area, period)
    held = _held(area)
    prev = period.previous()
    communities = _children(area, Area.Level.COMMUNITY)
    this_week, last_week = (
        _per_child(area, communities, period),
        _per_child(area, communities, prev),
    )
    rows = [figures(a.pk, a.name, this_week[a.pk]) for a in communities]
    before = {a.pk: figures(a.pk, a.name, last_week[a.pk]) for a in communities}
    total = _total(held, period)["received"]
    total_before = _total(held, prev)["received"]
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
    per_day = rollups.sums(_days(held, period), ("day",), ("received",))
    by_day = {d: per_day.get((d,), {}).get("received", 0) for d in days}
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
    """A department's cases: dispatched to it at least once or held by it now (all its
    CaseUnitRollup rows, holder or not)."""
    by_unit = rollups.sums(_days(_unit_rows(area), period).filter(unit__isnull=False), ("unit_id",))
    return [
        figures(dept.unit_id, dept.unit.name, by_unit.get((dept.unit_id,), {}))
        for dept in Department.objects.filter(county=area)
        .select_related("unit")
        .order_by("unit__name")
    ]


def monthly(area: Area, period: Period) -> Content:
    c = Content(_("%(area)s每月一通报") % {"area": area.name}, area, period)
    held = _held(area)
    prev = period.previous()
    streets = _children(area, Area.Level.STREET)

    def per_street(p):
        sums = _per_child(area, streets, p)
        return [figures(s.pk, s.name, sums[s.pk]) for s in streets]

    rows, before = per_street(period), {f.key: f for f in per_street(prev)}
    whole = figures(area.pk, area.name, _total(held, period))
    whole_before = figures(area.pk, area.name, _total(held, prev))
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
        (
            _("本月办结"),
            base.filter(resolved_at__gte=period.start, resolved_at__lt=period.end).count(),
        ),
    ]
    months, p = [], period
    for _i in range(6):
        months.append(p)
        p = p.previous()
    months.reverse()
    c.charts.append(
        Chart(
            _("近六个月研办事项"),
            [m.label for m in months],
            [_in_period(base, m).count() for m in months],
            _("件"),
        )
    )
    streets = _children(area, Area.Level.STREET)
    street_rows = [
        [
            s.name,
            _in_period(base.filter(area__path__startswith=s.path), period).count(),
            open_now.filter(area__path__startswith=s.path).count(),
        ]
        for s in streets
    ]
    c.tables.append(Table(_("区域分布"), [_("街道"), _("本月新增"), _("在办")], street_rows))
    c.charts.append(
        Chart(
            _("各街道在办研办事项"),
            [r[0] for r in street_rows],
            [r[2] for r in street_rows],
            _("件"),
        )
    )
    groups = (
        this.values("item__group__name").annotate(n=Count("id")).order_by("-n", "item__group__name")
    )
    c.tables.append(
        Table(
            _("事项类别"),
            [_("类别"), _("件数")],
            [[g["item__group__name"], g["n"]] for g in groups],
        )
    )
    studied = (
        (open_now | this)
        .distinct()
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
        rows.append(
            [
                case.number,
                case.item.name,
                case.area.name,
                case.get_status_display(),
                d["days"],
                d["turns"],
                d["departments"],
                d["whistles"],
                d["supervisions"],
                d["score"],
            ]
        )
    rows.sort(key=lambda r: (-r[-1], r[0]))
    c.tables.append(
        Table(
            _("难度分析(在办及本月新增)"),
            [
                _("编号"),
                _("事项"),
                _("社区/街道"),
                _("状态"),
                _("已用天数"),
                _("退回/提级/重办"),
                _("联办部门"),
                _("吹哨"),
                _("督办"),
                _("难度分"),
            ],
            rows,
        )
    )
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
