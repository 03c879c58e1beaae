"""Patrol figures as columns of the assessment sheets (civicgrid.cases.assessment.with_extras).

For each community, and each street over its communities, in the month assessed: completed
patrols (有效巡查), the coverage rate (grids with an active duty patrolled at least once, over
grids with an active duty) and missed-patrol flags in force (漏巡; flags withdrawn because late
patrols met the duty are left out) — the same figures as ``selectors.patrol_stats`` for that
area and period, in three grouped queries instead of several per area. Departments do not
patrol: no columns for them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.cases.assessment import Extra
from civicgrid.geo.models import Area

from .models import MissedPatrol, Patrol, PatrolDuty


def _by_community(qs, n=None) -> Counter:
    """community id → Count("id") (or the aggregate `n`) over `qs`."""
    rows = qs.order_by().values_list("area_id").annotate(n=n or Count("id"))
    return Counter(dict(rows))


def _per_community(start: dt.datetime, end: dt.datetime, communities: list[int]):
    done = Patrol.objects.filter(
        area_id__in=communities, started_at__gte=start, started_at__lt=end, completed=True
    )
    first, last = timezone.localtime(start).date(), timezone.localtime(end).date()
    return (
        _by_community(done),
        _by_community(PatrolDuty.objects.filter(area_id__in=communities, active=True)),
        _by_community(done.filter(grid__patrol_duty__active=True), Count("grid_id", distinct=True)),
        _by_community(
            MissedPatrol.objects.filter(
                area_id__in=communities,
                day__gte=first,
                day__lt=last,
                withdrawn_at__isnull=True,  # withdrawn when late patrols met the duty
            )
        ),
    )


def columns(*, user, sheet: str, keys: list[int], start, end) -> list[Extra]:
    if sheet not in ("community", "street") or not keys:
        return []
    if sheet == "community":
        owner = {k: k for k in keys}
    else:
        owner = dict(
            Area.objects.filter(Q(parent_id__in=keys), level=Area.Level.COMMUNITY).values_list(
                "pk", "parent_id"
            )
        )
    done, duty, patrolled, missed = _per_community(start, end, list(owner))

    def rolled(counter):
        out = Counter()
        for community, n in counter.items():
            out[owner[community]] += n
        return out

    done, duty, patrolled, missed = (rolled(c) for c in (done, duty, patrolled, missed))
    rate = {k: round(100 * patrolled[k] / duty[k], 1) for k in keys if duty[k]}
    return [
        Extra("patrols_completed", _("有效巡查"), {k: done[k] for k in keys}),
        Extra("patrol_coverage_rate", _("巡查覆盖率%"), rate),
        Extra("patrols_missed", _("漏巡"), {k: missed[k] for k in keys}),
    ]
