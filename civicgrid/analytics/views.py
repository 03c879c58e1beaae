"""Hotspot alert pages (苗头性问题预警): list, detail with evidence and map, dismiss, open a case."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from civicgrid.cases.models import MatterItem
from civicgrid.core.errors import ApplicationError, NotFound, PermissionDenied

from . import selectors, services
from .models import Hotspot


def _require_viewer(user) -> None:
    if not selectors.may_view(user):
        raise PermissionDenied(_("只有街道和县(区)工作人员可以查看苗头性问题预警。"))


def _get(request, pk: int) -> Hotspot:
    _require_viewer(request.user)
    hotspot = selectors.hotspot_get(user=request.user, pk=pk)
    if hotspot is None:
        raise NotFound()
    return hotspot


@login_required
def hotspot_list(request):
    _require_viewer(request.user)
    state = request.GET.get("state", Hotspot.State.OPEN)
    qs = selectors.hotspot_list(user=request.user, state=state if state != "all" else None)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "analytics/hotspot_list.html",
        {"page": page, "state": state, "states": Hotspot.State.choices},
    )


class OpenCaseForm(forms.Form):
    item = forms.ModelChoiceField(
        queryset=MatterItem.objects.filter(active=True),
        error_messages={"required": _l("请选择事项。"), "invalid_choice": _l("未知的事项。")},
    )
    text = forms.CharField(max_length=4000, error_messages={"required": _l("请填写事件描述。")})


def _default_text(hotspot: Hotspot) -> str:
    place = hotspot.grid.name if hotspot.grid_id else hotspot.area.name
    return _("苗头性问题预警:%(place)s「%(cat)s」%(kind)s,近期 %(n)d 件。") % {
        "place": place,
        "cat": hotspot.category_name,
        "kind": hotspot.get_kind_display(),
        "n": hotspot.count,
    }


def _items_for(hotspot: Hotspot):
    group_id = hotspot.item.group_id if hotspot.item_id else hotspot.group_id
    return MatterItem.objects.filter(active=True, group_id=group_id).order_by("code")


def _map_data(hotspot: Hotspot, cases) -> dict:
    shape = (hotspot.grid.geometry if hotspot.grid_id else hotspot.area.geometry) or None
    ev = hotspot.evidence or {}
    return {
        "geojson": {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {"name": "area"}, "geometry": shape}]
            if shape
            else [],
        },
        "bbox": ev.get("bbox"),
        "centroid": ev.get("centroid"),
        "points": [
            {"name": c.number or str(c.pk), "value": [c.lon, c.lat]}
            for c in cases
            if c.lon is not None and c.lat is not None
        ],
    }


@login_required
def hotspot_detail(request, pk: int):
    hotspot = _get(request, pk)
    cases = list(selectors.hotspot_cases(hotspot)[:500])
    ev = hotspot.evidence or {}
    return render(
        request,
        "analytics/hotspot_detail.html",
        {
            "h": hotspot,
            "ev": ev,
            "cases": cases,
            "weeks": ev.get("baseline_by_week") or [],
            "map_data": _map_data(hotspot, cases),
            "may_decide": hotspot.state == Hotspot.State.OPEN
            and selectors.may_decide(request.user),
            "items": _items_for(hotspot),
            "default_item": hotspot.item_id,
            "default_text": _default_text(hotspot),
        },
    )


@login_required
@require_POST
def hotspot_dismiss(request, pk: int):
    hotspot = _get(request, pk)
    try:
        services.hotspot_dismiss(
            actor=request.user, hotspot=hotspot, reason=request.POST.get("reason", "")
        )
    except ApplicationError as e:
        if e.status == 404:
            raise
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("已排除该预警。"))
    return redirect("hotspots:detail", pk=pk)


@login_required
@require_POST
def hotspot_open_case(request, pk: int):
    hotspot = _get(request, pk)
    form = OpenCaseForm(request.POST)
    if not form.is_valid():
        for errs in form.errors.values():
            for err in errs:
                messages.error(request, err)
        return redirect("hotspots:detail", pk=pk)
    try:
        case = services.hotspot_open_case(
            actor=request.user,
            hotspot=hotspot,
            item=form.cleaned_data["item"],
            text=form.cleaned_data["text"],
        )
    except ApplicationError as e:
        if e.status == 404:
            raise
        messages.error(request, str(e.message))
        return redirect("hotspots:detail", pk=pk)
    messages.success(request, _("已立案,编号 %(no)s。") % {"no": case.number})
    return redirect("cases:detail", pk=case.pk)
