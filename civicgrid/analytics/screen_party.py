"""The big screen's party-building panel (党建引领) and its hotspot alerts.

``party_figures`` counts, inside the user's scope and the shown area (or the grid's
community): members and units whose dual report (双报到) is confirmed now, micro-wishes
open now and claims confirmed in the period (微心愿), volunteer hours credited in the period
(志愿服务), and points earned in the period (积分). ``hotspot_alerts`` lists the newest alerts
still waiting for a decision (苗头预警), with where and what.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from civicgrid.geo.models import Area, Grid


def _where(area: Area | None, grid: Grid | None, field: str = "area") -> Q | None:
    if grid is not None:
        return Q(**{f"{field}_id": grid.community_id})
    if area is not None:
        return Q(**{f"{field}__path__startswith": area.path})
    return None


def _bounds(date_from: dt.date, date_to: dt.date):
    start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))
    return start, end


def party_figures(user, area, grid, date_from: dt.date, date_to: dt.date) -> dict:
    from civicgrid.activities.models import HoursEntry
    from civicgrid.party.choices import ReportKind, ReportStatus
    from civicgrid.party.models import DualReport, PointsEntry
    from civicgrid.wishes.choices import ClaimStatus, WishStatus
    from civicgrid.wishes.models import Claim, Wish

    where = _where(area, grid)
    if where is None:
        return {"connected": True, "members": 0, "units": 0, "wishes_open": 0, "claims_confirmed": 0,
                "volunteer_hours": 0, "points": 0}
    start, end = _bounds(date_from, date_to)
    reports = (
        DualReport.objects.restrict(user)
        .filter(_where(area, grid, "community"), status=ReportStatus.CONFIRMED)
        .aggregate(members=Count("id", filter=Q(kind=ReportKind.MEMBER)),
                   units=Count("id", filter=Q(kind=ReportKind.UNIT)))
    )
    hours = (
        HoursEntry.objects.restrict(user)
        .filter(where, served_on__gte=date_from, served_on__lte=date_to)
        .aggregate(h=Sum("hours"))["h"]
    ) or Decimal(0)
    points = (
        PointsEntry.objects.restrict(user)
        .filter(where, occurred_at__gte=start, occurred_at__lt=end)
        .aggregate(p=Sum("points"))["p"]
    ) or 0
    return {
        "connected": True,
        "members": reports["members"],
        "units": reports["units"],
        "wishes_open": Wish.objects.restrict(user).filter(where, status=WishStatus.OPEN).count(),
        "claims_confirmed": Claim.objects.restrict(user)
        .filter(where, status=ClaimStatus.CONFIRMED, confirmed_at__gte=start, confirmed_at__lt=end)
        .count(),
        "volunteer_hours": float(hours),
        "points": int(points),
    }


def hotspot_alerts(user, area, grid, limit: int = 5) -> list[dict]:
    from .models import Hotspot
    from .selectors import hotspot_list

    qs = hotspot_list(user=user, state=Hotspot.State.OPEN)
    if grid is not None:
        qs = qs.filter(Q(grid_id=grid.pk) | Q(grid__isnull=True, area_id=grid.community_id))
    elif area is not None:
        qs = qs.filter(area__path__startswith=area.path)
    return [
        {
            "id": h.pk,
            "day": h.day.isoformat(),
            "kind": h.get_kind_display(),
            "what": (h.item.name if h.item_id else (h.group.name if h.group_id else "")),
            "where": h.grid.name if h.grid_id else h.area.name,
            "count": h.count,
        }
        for h in qs[:limit]
    ]
