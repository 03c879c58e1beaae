"""Staff pages: the reporting roster (confirm, return, receipts, reminders), member logins,
rankings, the ledger (reversal, adjustment) and awards. Thin: selectors read, services write."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.core.errors import NotFound, PermissionDenied
from civicgrid.geo.models import Area
from civicgrid.orgs.access import has_capability
from civicgrid.people import selectors as people_selectors
from civicgrid.web.paging import paginate

from . import accounts, exports, periods, reporting, selectors, services
from .choices import PeriodKind, SubjectKind
from .forms import (
    AdjustForm,
    LedgerFilterForm,
    MoveForm,
    PointsFilterForm,
    ReasonForm,
    RosterFilterForm,
)
from .models import DualReport


def staff_required(view):
    """Signed in and holding a staff scope; members and unit contacts are refused politely
    (the middleware normally sends them to their own pages first)."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not accounts.is_staff_user(request.user):
            raise PermissionDenied(_("此页面供工作人员使用。"))
        return view(request, *args, **kwargs)

    return wrapped


def _xlsx(data: bytes, name: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=exports.XLSX)
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


# ------------------------------------------------------------------ roster


@staff_required
def roster(request):
    places = selectors.places(user=request.user)
    form = RosterFilterForm(request.GET or None, places=places)
    d = form.cleaned_data if form.is_valid() else {}
    community, _g = selectors.place_filter(user=request.user, area_id=d.get("area"))
    qs = selectors.roster(
        user=request.user,
        kind=d.get("kind", ""),
        status=d.get("status", ""),
        community=community,
        q=d.get("q", ""),
        service=d.get("service", ""),
    )
    if request.GET.get("export") == "xlsx":
        exports.require_export(
            request.user,
            what="party_roster",
            request=request,
            detail={k: str(v) for k, v in d.items() if v},
        )
        return _xlsx(exports.roster_xlsx(qs[:50000]), "dual-reporting-roster.xlsx")
    page = paginate(request, qs)
    return render(
        request,
        "party/roster.html",
        {
            "form": form,
            "page": page,
            "can_export": has_capability(request.user, "export"),
            "counts": selectors.roster_counts(user=request.user),
        },
    )


@staff_required
def report_detail(request, pk: int):
    report = selectors.report_get(user=request.user, pk=pk)
    return render(
        request,
        "party/report_detail.html",
        {
            "report": report,
            "events": selectors.report_events(report=report),
            "may_decide": reporting.may_decide(request.user, report.community_id),
            "reason_form": ReasonForm(),
            "move_form": MoveForm(),
        },
    )


def _report_action(request, pk: int, fn, done: str, **extra):
    report = selectors.report_get(user=request.user, pk=pk)
    fn(actor=request.user, report=report, **extra)
    messages.success(request, done)
    return redirect("party:report_detail", pk=pk)


@staff_required
@require_POST
def report_confirm(request, pk: int):
    report = selectors.report_get(user=request.user, pk=pk)
    report = reporting.report_confirm(actor=request.user, report=report)
    messages.success(request, _("已确认,回执编号 %(no)s。") % {"no": report.receipt_number})
    return redirect("party:receipt", pk=pk)


@staff_required
@require_POST
def report_return(request, pk: int):
    return _report_action(
        request, pk, reporting.report_return, _("已退回。"), reason=request.POST.get("reason", "")
    )


@staff_required
@require_POST
def report_withdraw(request, pk: int):
    return _report_action(
        request, pk, reporting.report_withdraw, _("已撤回。"), reason=request.POST.get("reason", "")
    )


@staff_required
@require_POST
def report_move(request, pk: int):
    report = selectors.report_get(user=request.user, pk=pk)
    new = reporting.report_move(
        actor=request.user,
        report=report,
        community=request.POST.get("community") or None,
        reason=request.POST.get("reason", ""),
    )
    messages.success(request, _("已转至 %(c)s,待新社区确认。") % {"c": new.community.name})
    if DualReport.objects.restrict(request.user).filter(pk=new.pk).exists():
        return redirect("party:report_detail", pk=new.pk)
    return redirect("party:report_detail", pk=pk)


@login_required
def receipt(request, pk: int):
    """The numbered, printable receipt (一对一回执): for the community's staff and the subject."""
    report = (
        DualReport.objects.select_related(
            "community", "community__parent", "member", "unit", "decided_by"
        )
        .filter(pk=pk)
        .first()
    )
    if report is None or not (
        reporting.may_act_for(request.user, report)
        or DualReport.objects.restrict(request.user).filter(pk=pk).exists()
    ):
        raise NotFound()
    if not report.receipt_number:
        raise NotFound(_("该报到尚未确认,没有回执。"))
    return render(request, "party/receipt.html", {"report": report})


@staff_required
def inactive(request):
    places = selectors.places(user=request.user)
    area_id = request.GET.get("area")
    community, _g = selectors.place_filter(user=request.user, area_id=area_id if area_id else None)
    qs = selectors.inactive_members(user=request.user, community=community)
    page = paginate(request, qs)
    return render(
        request,
        "party/inactive.html",
        {
            "page": page,
            "months": reporting.inactive_months(),
            "places": places,
            "area": community,
        },
    )


@staff_required
@require_POST
def remind(request, pk: int):
    report = selectors.report_get(user=request.user, pk=pk)
    reporting.member_remind(
        actor=request.user, report=report, message=request.POST.get("message", "")
    )
    messages.success(request, _("已发送提醒给 %(n)s。") % {"n": report.member.name})
    return redirect(request.POST.get("next") or reverse("party:inactive"))


# ------------------------------------------------------------------ member logins


@staff_required
def member_logins(request):
    qs = people_selectors.party_member_list(user=request.user).select_related("user")
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(name__contains=q)
    page = paginate(request, qs)
    return render(request, "party/member_logins.html", {"page": page, "q": q})


@staff_required
@require_POST
def member_login_create(request, pk: int):
    member = people_selectors.party_member_get(user=request.user, pk=pk)
    user, password = accounts.member_login_create(
        actor=request.user, member=member, request=request
    )
    # Shown once, never stored in clear; the response must not be cached.
    resp = render(
        request,
        "party/member_login_created.html",
        {"member": member, "login": user.get_username(), "password": password},
    )
    resp["Cache-Control"] = "no-store"
    return resp


# ------------------------------------------------------------------ points


def _points_filters(request, form_class=PointsFilterForm, *, default_period=True):
    places = selectors.places(user=request.user)
    form = form_class(request.GET or None, places=places)
    d = form.cleaned_data if form.is_valid() else {}
    period = periods.parse(request.GET) if (default_period or d.get("period")) else None
    area, grid = selectors.place_filter(
        user=request.user, area_id=d.get("area"), grid_id=d.get("grid")
    )
    return form, d, period, area, grid


@staff_required
def rankings(request):
    form, d, period, area, grid = _points_filters(request)
    kind = d.get("kind") or SubjectKind.MEMBER
    limit = 5000 if request.GET.get("export") == "xlsx" else 50
    rows = selectors.ranking(
        user=request.user, kind=kind, period=period, area=area, grid=grid, limit=limit
    )
    title = _("%(p)s %(k)s积分排名 · %(a)s") % {
        "p": period.label,
        "k": SubjectKind(kind).label,
        "a": (grid or area).name if (grid or area) else _("全部范围"),
    }
    if request.GET.get("export") == "xlsx":
        exports.require_export(
            request.user,
            what="party_ranking",
            request=request,
            detail={"period": period.label, "kind": kind},
        )
        return _xlsx(exports.ranking_xlsx(rows, title=title), "points-ranking.xlsx")
    return render(
        request,
        "party/rankings.html",
        {
            "form": form,
            "rows": rows,
            "period": period,
            "kind": kind,
            "title": title,
            "can_export": has_capability(request.user, "export"),
            "may_correct": services.may_correct(request.user),
            "chart": [{"name": r.name, "value": r.total} for r in rows[:10]],
        },
    )


@staff_required
def ledger(request):
    form, d, period, area, grid = _points_filters(request, LedgerFilterForm, default_period=False)
    qs = selectors.ledger(
        user=request.user,
        kind=d.get("kind", ""),
        event=d.get("event", ""),
        period=period,
        area=area,
        grid=grid,
        q=d.get("q", ""),
    )
    page = paginate(request, qs)
    return render(
        request,
        "party/ledger.html",
        {
            "form": form,
            "page": page,
            "may_correct": services.may_correct(request.user),
            "reason_form": ReasonForm(),
        },
    )


@staff_required
@require_POST
def entry_reverse(request, pk: int):
    entry = selectors.entry_get(user=request.user, pk=pk)
    services.entry_reverse(actor=request.user, entry=entry, reason=request.POST.get("reason", ""))
    messages.success(request, _("已冲正。"))
    return redirect(request.POST.get("next") or reverse("party:ledger"))


@staff_required
def adjust(request):
    if not services.may_correct(request.user):
        raise PermissionDenied(_("只有组织部可以冲正或调整积分。"))
    initial = {
        "kind": request.GET.get("kind") or SubjectKind.MEMBER,
        "subject_id": request.GET.get("id"),
    }
    form = AdjustForm(request.POST or None, initial=initial)
    subject = None
    if request.GET.get("id"):
        subject = services.subject_get(
            user=request.user, kind=initial["kind"], pk=request.GET["id"]
        )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.subject_adjust(
            actor=request.user,
            kind=d["kind"],
            pk=d["subject_id"],
            points=d["points"],
            reason=d["reason"],
        )
        messages.success(request, _("已记入积分台账。"))
        return redirect(reverse("party:ledger"))
    return render(request, "party/adjust.html", {"form": form, "subject": subject})


@staff_required
def awards(request):
    form, d, period, area, grid = _points_filters(request)
    if not request.GET.get("period"):
        period = periods.parse({"period": PeriodKind.YEAR}, timezone.localdate())
    conf = selectors.award_settings()
    kw = {"user": request.user, "period": period, "area": area, "grid": grid}
    whistle = selectors.golden_whistle(**kw)
    central = selectors.best_central_households(**kw)
    volunteers = selectors.five_good_volunteers(**kw)
    title = _("%(p)s 评比 · %(a)s") % {
        "p": period.label,
        "a": (grid or area).name if (grid or area) else _("全部范围"),
    }
    if request.GET.get("export") == "xlsx":
        exports.require_export(
            request.user, what="party_awards", request=request, detail={"period": period.label}
        )
        data = exports.awards_xlsx(
            [
                (_("金哨奖"), whistle, _("上报及随手做积分")),
                (_("优秀党员中心户"), central, _("积分")),
                (_("五好志愿者"), volunteers, _("志愿服务积分")),
            ],
            title=title,
        )
        return _xlsx(data, "points-awards.xlsx")
    return render(
        request,
        "party/awards.html",
        {
            "form": form,
            "period": period,
            "title": title,
            "conf": conf,
            "whistle": whistle,
            "central": central,
            "volunteers": volunteers,
            "can_export": has_capability(request.user, "export"),
        },
    )


def area_name(area: Area | None) -> str:
    return area.name if area else ""
