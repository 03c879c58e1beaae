"""The big screen (一屏观全县): one page for the wall display and the leader's phone, its data
from a JSON endpoint (figures from the rollups, the map's GeoJSON from the scoped geo layer)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from civicgrid.core.errors import NotFound, PermissionDenied, ValidationFailed
from civicgrid.geo import selectors as geo_selectors

from . import screen, selectors


def _require_viewer(user) -> None:
    if not selectors.may_view(user):
        raise PermissionDenied(_("只有领导、街道和县(区)工作人员可以查看大屏。"))


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            _("日期格式应为 YYYY-MM-DD。"), details={name: [_("日期格式应为 YYYY-MM-DD。")]}
        )


@login_required
def screen_page(request):
    _require_viewer(request.user)
    return render(
        request,
        "analytics/screen.html",
        {"start_area": request.GET.get("area", ""), "start_grid": request.GET.get("grid", "")},
    )


@login_required
def screen_data(request):
    _require_viewer(request.user)
    user = request.user
    area, grid = request.GET.get("area") or None, request.GET.get("grid") or None
    date_from, date_to = _date(request.GET.get("from"), "from"), _date(request.GET.get("to"), "to")
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed(_("开始日期不能晚于结束日期。"))
    data = screen.figures(user, area, date_from, date_to, grid=grid)
    data["map"] = _map(user, data)
    return JsonResponse(data)


def _map(user, data: dict) -> dict:
    """GeoJSON of the next level down (a grid level shows that grid), keyed like the figures."""
    level = data["level"]
    if level["kind"] == "grid":
        community = data["breadcrumbs"][-1]["id"] if data["breadcrumbs"] else None
        layer = geo_selectors.map_layer(user=user, area_id=community)
        features = [f for f in layer.features if f["kind"] == "grid" and f["id"] == level["id"]]
    else:
        try:
            layer = geo_selectors.map_layer(user=user, area_id=level["id"])
        except NotFound:
            return {"type": "FeatureCollection", "features": []}
        features = layer.features
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"key": f"{f['kind']}-{f['id']}", "name": f["name"]},
                "geometry": f["geometry"],
            }
            for f in features
        ],
    }
