"""The figures of the big screen (一屏观全县), read from the case rollups only.

Public API (the reports app reads it too)::

    figures(user, area=None, date_from=None, date_to=None, *, grid=None, today=None) -> dict

- ``area``: an Area (or its id) the user may see; None for the user's top level (the county for
  county staff, the street for a street user). ``grid``: a Grid (or id) inside it, the last
  drill-down level. Anything the user may not see raises ``NotFound``.
- ``date_from``/``date_to`` (dates, inclusive): the period of the period figures; by default the
  current month up to today. Open and overdue counts are always "now".
- Every count is of cases *received* in the period (rollups count a case on the day it came in,
  by where it stands now; see civicgrid.analytics.rollups) and scoped with
  ``CaseRollup.objects.restrict(user)``, so a street user never counts another street's cases.

The dict: ``level`` ({kind, id, name}), ``breadcrumbs``, ``period``, ``counters`` (today,
open, overdue, warning, received, resolved, on_time_rate, satisfaction_rate, …), ``trend`` (the
30 days to ``date_to``: day, received, resolved), ``categories`` (top matter items),
``children`` (the next level down — streets, communities or grids — with open/overdue for the
map and rates for the ranking), ``departments`` (ranking of handling units), ``party`` (dual
reporting, wishes, volunteer hours and points; civicgrid.analytics.screen_party) and
``alerts`` (open hotspot alerts).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Sum
from django.utils import timezone

from civicgrid.core.errors import NotFound
from civicgrid.geo.models import Area, Grid

from .models import CaseRollup
from .screen_party import hotspot_alerts, party_figures

PERIOD = ("received", "accepted", "accepted_on_time", "resolved", "resolved_on_time",
          "satisfied", "basically", "dissatisfied", "reopened")  # fmt: skip
NOW = ("open", "warning_open", "overdue_open")
TREND_DAYS = 30
TOP = 10


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _rates(c: dict) -> dict:
    rated = c.get("satisfied", 0) + c.get("basically", 0) + c.get("dissatisfied", 0)
    return {
        "on_time_rate": _rate(c.get("resolved_on_time", 0), c.get("resolved", 0)),
        "resolve_rate": _rate(c.get("resolved", 0), c.get("received", 0)),
        "satisfaction_rate": _rate(c.get("satisfied", 0) + c.get("basically", 0), rated),
        "rated": rated,
    }


def _sums(qs, by: str | None, fields) -> dict:
    aggregates = {f: Sum(f) for f in fields}
    if by is None:
        row = qs.aggregate(**aggregates)
        return {f: row[f] or 0 for f in fields}
    out = {}
    for row in qs.order_by().values(by).annotate(**aggregates):
        out[row[by]] = {f: row[f] or 0 for f in fields}
    return out


def _resolve_level(user, area, grid):
    visible = {a.pk: a for a in Area.objects.restrict(user).only("id", "name", "level", "path")}
    if grid is not None:
        grid_id = grid.pk if isinstance(grid, Grid) else _int(grid)
        grid = Grid.objects.restrict(user).select_related("community").filter(pk=grid_id).first()
        if grid is None:
            raise NotFound()
        area = grid.community
    elif area is not None:
        area = visible.get(area.pk if isinstance(area, Area) else _int(area))
        if area is None:
            raise NotFound()
    else:
        roots = [a for a in visible.values() if _parent_id(a) not in visible]
        area = min(roots, key=lambda a: (a.level, a.path)) if roots else None
    crumbs = []
    if area is not None:
        crumbs = [visible[i] for i in _path_ids(area) if i in visible]
    return area, grid, crumbs


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _path_ids(area: Area) -> list[int]:
    return [int(i) for i in area.path.strip("/").split("/") if i]


def _parent_id(area: Area) -> int | None:
    ids = _path_ids(area)
    return ids[-2] if len(ids) > 1 else None


def figures(user, area=None, date_from=None, date_to=None, *, grid=None, today=None) -> dict:
    today = today or timezone.localdate()
    date_to = date_to or today
    date_from = date_from or date_to.replace(day=1)
    area, grid, crumbs = _resolve_level(user, area, grid)
    rows = CaseRollup.objects.restrict(user)
    children: dict = {}
    if grid is not None:
        rows = rows.filter(grid_id=grid.pk)
        level = {"kind": "grid", "id": grid.pk, "name": grid.name}
        child_of, child_by = {grid.pk: grid.pk}, "grid_id"
        children = {grid.pk: {"kind": "grid", "id": grid.pk, "name": grid.name}}
    elif area is not None:
        level = {"kind": "area", "id": area.pk, "name": area.name, "level": area.level}
        inside = Area.objects.filter(path__startswith=area.path)
        if area.level == Area.Level.COMMUNITY:
            rows = rows.filter(area_id=area.pk)
            grids = Grid.objects.restrict(user).filter(community_id=area.pk)
            child_of, child_by = {}, "grid_id"
            for g in grids.only("id", "name", "parent_id"):
                child_of[g.pk] = g.parent_id or g.pk
                if g.parent_id is None:
                    children[g.pk] = {"kind": "grid", "id": g.pk, "name": g.name}
        else:
            rows = rows.filter(area_id__in=inside.values("id"))
            depth = len(_path_ids(area))
            child_of, child_by = {}, "area_id"
            for a in inside.only("id", "name", "level", "path"):
                ids = _path_ids(a)
                if len(ids) > depth:
                    child_of[a.pk] = ids[depth]
                    if len(ids) == depth + 1:
                        children[a.pk] = {"kind": "area", "id": a.pk, "name": a.name}
    else:
        level = {"kind": "none", "id": None, "name": ""}
        child_of, child_by = {}, "grid_id"
    period = rows.filter(day__gte=date_from, day__lte=date_to)
    # One grouped read each for the period and for "open now", by (next level, unit): the
    # totals, the children and the departments are all sums of these few rows.
    by_period = _grouped(period, (child_by, "unit_id"), PERIOD)
    by_now = _grouped(rows.filter(open__gt=0), (child_by, "unit_id"), NOW)
    totals = _total(by_period, PERIOD)
    now = _total(by_now, NOW)
    counters = {
        "today": _sums(rows.filter(day=today), None, ("received",))["received"],
        "open": now["open"],
        "warning": now["warning_open"],
        "overdue": now["overdue_open"],
        **totals,
        **_rates(totals),
    }
    return {
        "level": level,
        "breadcrumbs": [{"id": a.pk, "name": a.name, "level": a.level} for a in crumbs],
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "counters": counters,
        "trend": _trend(rows, date_to),
        "categories": _categories(period),
        "children": _children(by_period, by_now, child_of, children),
        "departments": _departments(by_period, by_now),
        "party": party_figures(user, area, grid, date_from, date_to),
        "alerts": hotspot_alerts(user, area, grid),
    }


def _trend(rows, date_to: dt.date) -> list[dict]:
    start = date_to - dt.timedelta(days=TREND_DAYS - 1)
    by_day = _sums(rows.filter(day__gte=start, day__lte=date_to), "day", ("received", "resolved"))
    out = []
    for i in range(TREND_DAYS):
        day = start + dt.timedelta(days=i)
        c = by_day.get(day, {})
        out.append(
            {
                "day": day.isoformat(),
                "received": c.get("received", 0),
                "resolved": c.get("resolved", 0),
            }
        )
    return out


def _categories(period) -> list[dict]:
    from civicgrid.cases.models import MatterItem

    by_item = _sums(period, "item_id", ("received",))
    top = sorted(by_item.items(), key=lambda kv: (-kv[1]["received"], kv[0]))[:TOP]
    names = dict(MatterItem.objects.filter(pk__in=[k for k, _v in top]).values_list("id", "name"))
    return [{"id": k, "name": names.get(k, ""), "received": v["received"]} for k, v in top]


def _merge(into: dict, key, counts: dict) -> None:
    bucket = into.setdefault(key, defaultdict(int))
    for f, v in counts.items():
        bucket[f] += v


def _grouped(qs, by: tuple[str, ...], fields) -> dict:
    aggregates = {f: Sum(f) for f in fields}
    return {
        tuple(row[b] for b in by): {f: row[f] or 0 for f in fields}
        for row in qs.order_by().values(*by).annotate(**aggregates)
    }


def _total(grouped: dict, fields) -> dict:
    return {f: sum(c[f] for c in grouped.values()) for f in fields}


def _children(by_period: dict, by_now: dict, child_of: dict, children: dict) -> list[dict]:
    merged: dict = {}
    for grouped in (by_period, by_now):
        for (key, _unit), counts in grouped.items():
            if key in child_of:
                _merge(merged, child_of[key], counts)
    out = [{**info, **_figures(merged.get(cid, {}))} for cid, info in children.items()]
    return _ranked(out)


def _figures(c: dict) -> dict:
    return {
        "received": c.get("received", 0),
        "resolved": c.get("resolved", 0),
        "open": c.get("open", 0),
        "overdue": c.get("overdue_open", 0),
        "warning": c.get("warning_open", 0),
        **_rates(c),
    }


def _ranked(items: list[dict]) -> list[dict]:
    """Best first: on-time rate, then satisfaction, then fewest overdue (no data last)."""

    def key(x):
        return (
            x["on_time_rate"] is None,
            -(x["on_time_rate"] or 0),
            -(x["satisfaction_rate"] or 0),
            x["overdue"],
            x["name"],
        )

    items.sort(key=key)
    for rank, x in enumerate(items, 1):
        x["rank"] = rank
    return items


def _departments(by_period: dict, by_now: dict) -> list[dict]:
    from civicgrid.orgs.models import Unit

    merged: dict = {}
    for grouped in (by_period, by_now):
        for (_key, unit), counts in grouped.items():
            if unit is not None:
                _merge(merged, unit, counts)
    names = dict(Unit.objects.filter(pk__in=list(merged)).values_list("id", "name"))
    out = [{"id": u, "name": names.get(u, ""), **_figures(c)} for u, c in merged.items()]
    return _ranked(out)[:TOP]
