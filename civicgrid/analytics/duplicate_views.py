"""The duplicate panel on the intake forms (an htmx/fetch partial), joining a case from it,
and the co-reporters' rating page. Thin: the work is in civicgrid.intake.duplicates."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_POST

from civicgrid.cases.models import Case, MatterItem
from civicgrid.core.audit import client_ip
from civicgrid.core.errors import ApplicationError, NotFound
from civicgrid.geo.models import Grid
from civicgrid.intake import ratelimit
from civicgrid.intake.duplicates import case_join, find_candidates, public_summary

from . import services
from .models import CoReporter

MAX_QUERY_TEXT = 4000


class LookupForm(forms.Form):
    item = forms.ModelChoiceField(
        queryset=MatterItem.objects.filter(active=True).select_related("group")
    )
    text = forms.CharField(required=False, max_length=MAX_QUERY_TEXT)
    address = forms.CharField(required=False, max_length=200)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    grid = forms.IntegerField(required=False, min_value=1)
    community = forms.IntegerField(required=False, min_value=1)


def _lookup(request, *, public: bool):
    form = LookupForm(request.GET)
    if not form.is_valid():
        # An incomplete form (no category yet) is the normal state while typing: no panel.
        return None, form
    d = form.cleaned_data
    grid = None
    if d.get("grid") and not public:
        grid = Grid.objects.restrict(request.user).filter(pk=d["grid"]).first()
    found = find_candidates(
        user=None if public else request.user,
        item=d["item"],
        text=d.get("text") or "",
        address=d.get("address") or "",
        lon=d.get("lon"),
        lat=d.get("lat"),
        grid=grid,
        community_id=d.get("community") if public else None,
        public=public,
    )
    return found, form


@login_required
@require_GET
def candidates(request):
    found, _form = _lookup(request, public=False)
    return render(request, "analytics/duplicates_panel.html", {"found": found or []})


@require_GET
def portal_candidates(request):
    """Open to anyone on the portal, so limited per session and per address per minute."""
    limit = int(getattr(settings, "CIVICGRID_INTAKE_PUBLIC_RATE", 30))
    client = request.session.session_key or client_ip(request) or ""
    ip = client_ip(request) or ""
    if not (
        ratelimit.allow(f"dup-s:{client}", limit=limit)
        and ratelimit.allow(f"dup-ip:{ip}", limit=limit * 10)
    ):
        return render(request, "analytics/duplicates_panel_portal.html", {"found": []}, status=429)
    found, _form = _lookup(request, public=True)
    return render(
        request,
        "analytics/duplicates_panel_portal.html",
        {"found": [public_summary(c) for c in found or []]},
    )


@login_required
@require_POST
def join(request, pk: int):
    """Staff: join the case themselves, or (a hotline call, a visit) record the caller."""
    case = Case.objects.restrict(request.user).filter(pk=pk).first()
    if case is None:
        raise NotFound()
    phone = request.POST.get("phone", "").strip()
    try:
        case_join(
            actor=request.user,
            case=case,
            name=request.POST.get("name", ""),
            phone=phone,
            on_behalf=bool(phone),
        )
    except ApplicationError as e:
        messages.error(request, str(e.message))
        return redirect("cases:new")
    messages.success(
        request,
        _("已加入事件 %(no)s,诉求人将收到办理进展。") % {"no": case.number}
        if phone
        else _("已加入事件 %(no)s,您将收到办理进展。") % {"no": case.number},
    )
    return redirect("cases:detail", pk=case.pk)


@require_POST
def portal_join(request, pk: int):
    """A signed-in resident follows an open case instead of reporting it again."""
    if not request.user.is_authenticated:
        messages.info(request, _("请先登录,再加入该事件。"))
        return redirect("portal:login")
    case = Case.objects.filter(pk=pk).first()
    if case is None:
        raise NotFound()
    try:
        case_join(actor=request.user, case=case)
    except ApplicationError as e:
        messages.error(request, str(e.message))
        return redirect("portal:report")
    messages.success(request, _("已加入,该问题的办理进展和结果会通知您。"))
    return redirect("portal:home")


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        choices=services.CO_RATINGS, error_messages={"required": _l("请选择评价。")}
    )
    comment = forms.CharField(required=False, max_length=1000)


def rate(request, code: str):
    """A co-reporter rates the result of the case they joined (or were merged into)."""
    co = CoReporter.objects.select_related("case__item").filter(rate_code=code.upper()).first()
    if co is None:
        raise NotFound()
    form = RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.co_reporter_rate(
                co=co, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
            )
        except ApplicationError as e:
            messages.error(request, str(e.message))
        else:
            messages.success(request, _("感谢您的评价。"))
        return redirect("duplicates:rate", code=co.rate_code)
    return render(
        request,
        "analytics/co_rate.html",
        {
            "co": co,
            "case": co.case,
            "events": services.public_steps(co.case),
            "can_rate": services.may_co_rate(co),
            "ratings": services.CO_RATINGS,
            "form": form,
        },
    )
