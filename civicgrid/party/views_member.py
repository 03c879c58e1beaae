"""The member's and the unit contact's own phone pages (我的): reporting, points, rank."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.core.errors import NotFound
from civicgrid.orgs.models import Unit
from civicgrid.web.paging import paginate

from . import accounts, reporting, selectors
from .choices import SubjectKind
from .forms import MoveForm, ReasonForm, ReportForm
from .models import DualReport, PointsEntry
from .points import points_balance


def _member(request):
    member = accounts.member_of(request.user)
    if member is None:
        raise NotFound(_("您的账号没有关联党员档案,请联系所在社区。"))
    return member


@login_required
def me(request):
    member = accounts.member_of(request.user)
    if member is None:
        if accounts.contact_units(request.user):
            return redirect("party:unit_home")
        raise NotFound(_("您的账号没有关联党员档案,请联系所在社区。"))
    reports = list(selectors.reports_of(member=member)[:10])
    current = next((r for r in reports if r.is_open), None)
    return render(
        request,
        "party/me.html",
        {
            "member": member,
            "current": current,
            "history": [r for r in reports if r is not current],
            "points": selectors.balance_rank(member=member),
            "entries": selectors.member_ledger(member=member, limit=10),
            "chart": selectors.member_months(member=member, months=6),
            "reason_form": ReasonForm(),
            "move_form": MoveForm(),
        },
    )


@login_required
def me_report(request):
    member = _member(request)
    form = ReportForm(request.POST or None, initial={"community": member.area_id})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        report = reporting.report_submit(
            actor=request.user,
            member=member,
            community=d["community"],
            skills=d["skills"],
            services=d["services"],
            availability=d["availability"],
            note=d["note"],
        )
        messages.success(
            request, _("已向 %(c)s 报到,等待社区确认。") % {"c": report.community.name}
        )
        return redirect("party:me")
    return render(request, "party/me_report.html", {"form": form, "member": member})


def _own_report(request, pk: int) -> DualReport:
    report = DualReport.objects.select_related("member", "unit", "community").filter(pk=pk).first()
    if report is None or not reporting.may_act_for(request.user, report):
        raise NotFound()
    return report


def _back(report: DualReport):
    return redirect("party:me" if report.member_id else "party:unit_home")


@login_required
@require_POST
def own_withdraw(request, pk: int):
    report = _own_report(request, pk)
    reporting.report_withdraw(
        actor=request.user, report=report, reason=request.POST.get("reason", "")
    )
    messages.success(request, _("报到已撤回。"))
    return _back(report)


@login_required
@require_POST
def own_move(request, pk: int):
    report = _own_report(request, pk)
    new = reporting.report_move(
        actor=request.user,
        report=report,
        community=request.POST.get("community") or None,
        reason=request.POST.get("reason", ""),
    )
    messages.success(request, _("已转至 %(c)s,等待社区确认。") % {"c": new.community.name})
    return _back(report)


@login_required
def me_points(request):
    member = _member(request)
    qs = (
        PointsEntry.objects.filter(member=member)
        .select_related("reversal")
        .order_by("-occurred_at", "-id")
    )
    return render(
        request,
        "party/me_points.html",
        {
            "member": member,
            "page": paginate(request, qs),
            "points": selectors.balance_rank(member=member),
            "chart": selectors.member_months(member=member, months=12),
        },
    )


# ------------------------------------------------------------------ unit contacts


def _units(request) -> list[Unit]:
    units = accounts.contact_units(request.user)
    if not units:
        raise NotFound(_("您的账号不是任何单位的联络人。"))
    return units


@login_required
def unit_home(request):
    units = _units(request)
    rows = []
    for unit in units:
        reports = list(selectors.reports_of(unit=unit)[:5])
        current = next((r for r in reports if r.is_open), None)
        rows.append(
            {
                "unit": unit,
                "current": current,
                "history": [r for r in reports if r is not current],
                "balance": points_balance(unit=unit),
            }
        )
    return render(
        request,
        "party/unit_home.html",
        {
            "rows": rows,
            "reason_form": ReasonForm(),
            "move_form": MoveForm(),
            "kind": SubjectKind.UNIT,
        },
    )


@login_required
def unit_report(request, pk: int):
    unit = next((u for u in _units(request) if u.pk == pk), None)
    if unit is None:
        raise NotFound()
    form = ReportForm(request.POST or None, initial={"community": unit.area_id})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        report = reporting.report_submit(
            actor=request.user,
            unit=unit,
            community=d["community"],
            skills=d["skills"],
            services=d["services"],
            availability=d["availability"],
            note=d["note"],
        )
        messages.success(
            request,
            _("%(u)s 已向 %(c)s 报到,等待社区确认。")
            % {"u": unit.name, "c": report.community.name},
        )
        return redirect("party:unit_home")
    return render(request, "party/me_report.html", {"form": form, "unit": unit})
