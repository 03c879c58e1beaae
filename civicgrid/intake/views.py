"""Suggestions as the person types (JSON for the intake forms' script) and the dispatcher's
correction of a case's item."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.cases import selectors as case_selectors
from civicgrid.cases.choices import FINAL_STATUSES
from civicgrid.cases.models import MatterGroup, MatterItem
from civicgrid.cases.permissions import may
from civicgrid.core.audit import client_ip
from civicgrid.core.errors import ApplicationError, NotFound
from civicgrid.geo.models import Area, Grid

from . import ratelimit, selectors, services
from .text import MAX_CHARS


def _suggest(request, community) -> JsonResponse:
    text = request.POST.get("text", "")[: MAX_CHARS + 1]
    preds, row = selectors.suggest([text], explain=True)
    return JsonResponse(selectors.describe(preds[0], row, community=community))


def _int(value) -> int | None:
    return int(value) if (value or "").isdigit() else None


@login_required
@require_POST
def suggest(request):
    """Staff forms (grid worker, hotline and visit entry): the handler is named for the grid
    chosen, only among the grids the user may see."""
    community = None
    grid_id = _int(request.POST.get("grid"))
    if grid_id:
        grid = Grid.objects.restrict(request.user).select_related("community__parent__parent")
        grid = grid.filter(pk=grid_id).first()
        community = grid.community if grid else None
    return _suggest(request, community)


@require_POST
def portal_suggest(request):
    """The resident portal: signed-in users or a session that opened the report form,
    limited per session and per address per minute."""
    if not (request.user.is_authenticated or request.session.get("portal_report")):
        return JsonResponse(
            {
                "ok": False,
                "items": [],
                "error": {"code": "forbidden", "message": _("请从“反映问题”页面使用此功能。")},
            },
            status=403,
        )
    client = request.session.session_key or client_ip(request) or ""
    limit = int(getattr(settings, "CIVICGRID_INTAKE_PUBLIC_RATE", 30))
    ip = client_ip(request) or ""
    if not (
        ratelimit.allow(f"s:{client}", limit=limit)
        and ratelimit.allow(f"ip:{ip}", limit=limit * 10)
    ):
        return JsonResponse(
            {
                "ok": False,
                "items": [],
                "error": {"code": "rate_limited", "message": _("操作太频繁,请稍后再试。")},
            },
            status=429,
        )
    community_id = _int(request.POST.get("community"))
    community = (
        Area.objects.filter(pk=community_id, level=Area.Level.COMMUNITY)
        .select_related("parent__parent")
        .first()
        if community_id
        else None
    )
    return _suggest(request, community)


@login_required
@require_POST
def reclassify(request, pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    if case is None:
        raise NotFound()
    # A suggestion chip submits its item as "pick"; the list's button sends only "item".
    pk_item = _int(request.POST.get("pick")) or _int(request.POST.get("item"))
    item = MatterItem.objects.filter(pk=pk_item, active=True).first()
    try:
        services.case_reclassify(
            actor=request.user,
            case=case,
            item=item,
            expected_version=_int(request.POST.get("version")),
            note=request.POST.get("note", ""),
        )
    except ApplicationError as e:
        if e.status == 404:
            raise
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("已更改事项类别。"))
    return redirect("cases:detail", pk=pk)


def reclassify_panel(request, case) -> str:
    """The form on the case page to change its item, with the classifier's top three for the
    case text as chips; "" for a finished case or a user who may not dispatch it."""
    if case.status in FINAL_STATUSES or not may(request.user, case, "dispatcher"):
        return ""
    preds, row = selectors.suggest([case.text])
    described = selectors.describe(preds[0], row)
    chips = [
        {**c, "percent": round(c["score"] * 100), "current": c["id"] == case.item_id}
        for c in described["items"]
    ]
    notice = "" if chips else (described.get("error") or {}).get("message", "")
    groups = (
        MatterGroup.objects.filter(items__active=True)
        .distinct()
        .prefetch_related("items")
        .order_by("code")
    )
    return render_to_string(
        "intake/_reclassify.html",
        {"case": case, "chips": chips, "notice": notice, "groups": groups},
        request=request,
    )
