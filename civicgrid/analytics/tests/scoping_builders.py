"""Scoping builders for the analytics models (see orgs/tests/test_scoping_all_models.py)."""

import datetime as dt

from civicgrid.analytics.models import CaseRollup, CaseUnitRollup, CoReporter, Hotspot


def _co_reporter(side):
    return CoReporter.objects.create(
        case=side.case(), kind=CoReporter.Kind.JOINED, rate_code=f"CODE{side.tag.upper()}"
    )


def _hotspot(side):
    case = side.case()
    hotspot = Hotspot.objects.create(
        day=dt.date(2026, 11, 30),
        key=f"rise:item:{case.item_id}:grid:{side.grid.pk}",
        kind=Hotspot.Kind.RISE,
        level=Hotspot.Level.GRID,
        item=case.item,
        area=side.community,
        grid=side.grid,
        count=6,
    )
    hotspot.cases.set([case])
    return hotspot


def _rollup(side):
    case = side.case()
    return CaseRollup.objects.create(
        day=dt.date(2026, 11, 30), area=side.community, grid=side.grid, item=case.item, received=1
    )


def _unit_rollup(side):
    return CaseUnitRollup.objects.create(
        day=dt.date(2026, 11, 30), area=side.community, holder=True, received=1
    )


BUILDERS = {
    "analytics.coreporter": _co_reporter,
    "analytics.hotspot": _hotspot,
    "analytics.caserollup": _rollup,
    "analytics.caseunitrollup": _unit_rollup,
}
