"""Thin views: the patrol phone pages and their JSON endpoints, duties, coverage, missed
patrols, leaders' contact points, party-organisation coverage and the gig-worker pages."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.cases.models import MatterGroup
from civicgrid.core.errors import ApplicationError, NotFound, ValidationFailed
from civicgrid.core.scoping import CHANGE, get_scope
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.access import has_capability
from civicgrid.orgs.choices import Role
from civicgrid.orgs.models import RoleAssignment, Unit
from civicgrid.people.models import PartyMember
from civicgrid.web.paging import paginate

from . import exports, selectors, services
from .choices import DutyFrequency, FlagStatus, GigSector
from .forms import ContactAssignForm, ContactVisitForm, GigProfileForm, RaiseCaseForm, ReportForm
from .models import CoverageFlag, MissedPatrol, Patrol
from .route import svg_shapes


def _apply_errors(form, exc: ApplicationError) -> None:
    form.add_error(None, str(exc.message))
    for name, errs in (exc.details or {}).items():
        if name in form.fields:
            for err in errs:
                form.add_error(name, err)


def _parse_day(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _items():
    return (
        MatterGroup.objects.filter(items__active=True)
        .distinct()
        .prefetch_related("items")
        .order_by("code")
    )


# ------------------------------------------------------------------ patrols (phone)
@login_required
def index(request):
    user = request.user
    grids = list(services.patrol_grids(user))
    open_patrol = Patrol.objects.filter(worker=user, status="open").select_related("grid").first()
    mine = list(selectors.patrol_list(user=user, worker=user)[:10]) if grids else []
    missed = list(selectors.missed_list(user=user, acknowledged=False)[:20])
    scope = get_scope(user)
    return render(
        request,
        "patrols/index.html",
        {
            "grids": grids,
            "open_patrol": open_patrol,
            "mine": mine,
            "missed": missed,
            "is_staff_view": bool(scope.area_ids) or scope.everything,
            "is_overseer": services.is_overseer(user),
            "has_contacts": Role.LEADER in scope.roles or services.is_overseer(user),
            "gig_profile": services.gig_profile_of(user),
        },
    )


@login_required
@require_POST
def start(request):
    grid = services.patrol_grids(request.user).filter(pk=request.POST.get("grid") or 0).first()
    if grid is None:
        raise NotFound()
    patrol = services.patrol_start(actor=request.user, grid=grid)
    return redirect("patrols:detail", pk=patrol.pk)


@login_required
def detail(request, pk: int):
    patrol = selectors.patrol_get(user=request.user, pk=pk)
    if patrol is None:
        raise NotFound()
    route = selectors.patrol_route(patrol)
    shapes = svg_shapes(patrol.grid.geometry, route)
    own = patrol.worker_id == request.user.pk
    next_seq = (patrol.points.aggregate(m=Max("seq"))["m"] or -1) + 1 if own else 0
    return render(
        request,
        "patrols/detail.html",
        {
            "patrol": patrol,
            "shapes": shapes,
            "own": own,
            "next_seq": next_seq,
            "visits": selectors.patrol_visits(patrol, user=request.user),
            "cases": selectors.patrol_cases(patrol, user=request.user),
            "min_duration_min": services.min_duration_s() // 60,
            "min_distance_m": int(services.min_distance_m()),
        },
    )


def _json_error(exc: ApplicationError) -> JsonResponse:
    return JsonResponse({"error": exc.as_dict()}, status=exc.status)


@login_required
@require_POST
def points(request, pk: int):
    """A batch of fixes: {"batch": "...", "points": [{"seq", "lat", "lon", "t" (ms), "acc"}]}."""
    patrol = selectors.patrol_get(user=request.user, pk=pk)
    if patrol is None:
        return _json_error(NotFound())
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _json_error(ValidationFailed(_("请求不是有效的JSON。"), code="bad_batch"))
    if not isinstance(body, dict):
        return _json_error(ValidationFailed(_("请求不是有效的JSON。"), code="bad_batch"))
    try:
        result = services.points_ingest(
            actor=request.user,
            patrol=patrol,
            batch=body.get("batch", ""),
            points=body.get("points"),
        )
    except ApplicationError as exc:
        return _json_error(exc)
    return JsonResponse(result)


@login_required
@require_POST
def end(request, pk: int):
    patrol = selectors.patrol_get(user=request.user, pk=pk)
    if patrol is None:
        raise NotFound()
    patrol = services.patrol_end(
        actor=request.user, patrol=patrol, note=request.POST.get("note", "")
    )
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {
                "status": patrol.status,
                "completed": patrol.completed,
                "url": reverse("patrols:detail", args=[patrol.pk]),
            }
        )
    return redirect("patrols:detail", pk=patrol.pk)


def _wants_xlsx(request) -> bool:
    return request.GET.get("format") == "xlsx"


def _export_query(request) -> str:
    """The page's query string without the page number: the export link keeps the filters."""
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    return params.urlencode()


@login_required
def patrol_list(request):
    filters = selectors.PatrolFilters.from_params(request.GET)
    if _wants_xlsx(request):
        exports.require_export(
            request.user, what="patrols", request=request, detail={"filters": filters.as_dict()}
        )
        qs = filters.apply(selectors.patrol_list(user=request.user, action="export"))
        return exports.response(
            exports.patrols_xlsx(qs), f"patrols-{timezone.localdate():%Y%m%d}.xlsx"
        )
    qs = filters.apply(selectors.patrol_list(user=request.user))
    page = paginate(request, qs, per_page=30)
    communities = (
        Area.objects.restrict(request.user)
        .filter(level=Area.Level.COMMUNITY)
        .only("id", "name", "code")
        .order_by("code")
    )
    return render(
        request,
        "patrols/list.html",
        {
            "page": page,
            "filters": filters,
            "communities": communities,
            "can_export": has_capability(request.user, "export"),
            "export_query": _export_query(request),
        },
    )


# ------------------------------------------------------------------ duties, missed, coverage
@login_required
def duties(request):
    grids = selectors.duty_list(user=request.user)
    if request.method == "POST":
        grid = grids.filter(pk=request.POST.get("grid") or 0).first()
        if grid is None:
            raise NotFound()
        try:
            times = int(request.POST.get("times", ""))
        except ValueError:
            times = 0
        try:
            services.duty_set(
                actor=request.user,
                grid=grid,
                frequency=request.POST.get("frequency", ""),
                times=times,
                active=request.POST.get("active") == "on",
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已保存 %(g)s 的巡查任务。") % {"g": grid})
        return redirect("patrols:duties")
    page = paginate(request, grids, per_page=50)
    return render(
        request,
        "patrols/duties.html",
        {
            "page": page,
            "frequencies": DutyFrequency.choices,
            "can_change": has_capability(request.user, "change"),
        },
    )


MISSED_VIEWS = {"": False, "withdrawn": True, "all": None}


@login_required
def missed(request):
    """Flags in force (default), withdrawn ones (``?show=withdrawn``) or all (``?show=all``)."""
    show = request.GET.get("show", "")
    if show not in MISSED_VIEWS:
        show = ""
    if _wants_xlsx(request):
        exports.require_export(
            request.user, what="missed_patrols", request=request, detail={"show": show}
        )
        qs = selectors.missed_list(user=request.user, withdrawn=MISSED_VIEWS[show], action="export")
        return exports.response(
            exports.missed_xlsx(qs), f"missed-patrols-{timezone.localdate():%Y%m%d}.xlsx"
        )
    qs = selectors.missed_list(user=request.user, withdrawn=MISSED_VIEWS[show])
    page = paginate(request, qs, per_page=30)
    return render(
        request,
        "patrols/missed.html",
        {
            "page": page,
            "show": show,
            "counts": selectors.missed_counts(user=request.user),
            "can_export": has_capability(request.user, "export"),
            "export_query": _export_query(request),
        },
    )


@login_required
@require_POST
def missed_ack(request, pk: int):
    flag = MissedPatrol.objects.restrict(request.user).filter(pk=pk).first()
    if flag is None:
        raise NotFound()
    services.missed_acknowledge(actor=request.user, flag=flag)
    return redirect(request.POST.get("next") or "patrols:missed")


def _coverage_stats(user, start, end, action: str = "view"):
    """The assessment figures of the first 20 areas of county and street level in scope."""
    areas = (
        Area.objects.restrict(user, action)
        .filter(level__lte=Area.Level.STREET)
        .order_by("level", "code")
    )
    return [(a, selectors.patrol_stats(a, start, end)) for a in list(areas)[:20]]


@login_required
def coverage(request):
    today = timezone.localdate()
    day = _parse_day(request.GET.get("day"), today)
    period = "week" if request.GET.get("period") == "week" else "day"
    if period == "week":
        start, end = selectors.week_bounds(day)
    else:
        start, end = services.local_day_bounds(day)
    first = timezone.localtime(start).date()
    last = timezone.localtime(end).date() - dt.timedelta(days=1)
    if _wants_xlsx(request):
        exports.require_export(
            request.user,
            what="patrol_coverage",
            request=request,
            detail={"period": period, "day": day.isoformat()},
        )
        rows = selectors.patrol_coverage(user=request.user, start=start, end=end, action="export")
        stats = _coverage_stats(request.user, start, end, "export")
        return exports.response(
            exports.coverage_xlsx(rows, stats, start=first, end=last),
            f"patrol-coverage-{period}-{day:%Y%m%d}.xlsx",
        )
    rows = selectors.patrol_coverage(user=request.user, start=start, end=end)
    chart = {
        "labels": [c.area.name for s in rows for c in s.children],
        "rates": [c.rate if c.rate is not None else 0 for s in rows for c in s.children],
        "title": _("巡查覆盖率(%)"),
    }
    return render(
        request,
        "patrols/coverage.html",
        {
            "rows": rows,
            "day": day,
            "period": period,
            "start": first,
            "end": last,
            "chart_json": json.dumps(chart, ensure_ascii=False),
            "stats": _coverage_stats(request.user, start, end),
            "can_export": has_capability(request.user, "export"),
        },
    )


# ------------------------------------------------------------------ leaders' contact points
@login_required
def contacts(request):
    rows = selectors.contact_list(user=request.user)
    overdue_only = request.GET.get("overdue") == "1"
    if overdue_only:
        rows = [r for r in rows if r.overdue]
    return render(
        request,
        "patrols/contacts.html",
        {
            "rows": rows,
            "overdue_only": overdue_only,
            "is_overseer": services.is_overseer(request.user),
        },
    )


@login_required
def contact_new(request):
    if not services.is_overseer(request.user):
        raise NotFound()
    leaders = (
        get_user_model()
        .objects.filter(
            pk__in=RoleAssignment.objects.restrict(request.user)
            .filter(role=Role.LEADER, active=True)
            .values("user_id")
        )
        .order_by("username")
    )
    areas = (
        Area.objects.restrict(request.user).filter(level__gte=Area.Level.STREET).order_by("code")
    )
    units = Unit.objects.restrict(request.user).order_by("name")
    form = ContactAssignForm(request.POST or None, leaders=leaders, areas=areas, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            a = services.contact_assign(
                actor=request.user,
                leader=d["leader"],
                cadence=int(d["cadence"]),
                since=d["since"],
                target_area=d.get("target_area"),
                target_unit=d.get("target_unit"),
            )
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已安排联系点。"))
            return redirect("patrols:contact", pk=a.pk)
    return render(request, "patrols/contact_new.html", {"form": form})


@login_required
def contact(request, pk: int):
    assignment = selectors.contact_get(user=request.user, pk=pk)
    if assignment is None:
        raise NotFound()
    if request.method == "GET" and _wants_xlsx(request):
        exports.require_export(
            request.user, what="contact_visits", request=request, detail={"assignment": pk}
        )
        visits = selectors.contact_visits(user=request.user, assignment=assignment, action="export")
        return exports.response(exports.contact_visits_xlsx(visits), f"contact-visits-{pk}.xlsx")
    form = ContactVisitForm(request.POST or None, initial={"visited_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            visit = services.contact_visit_record(
                actor=request.user,
                assignment=assignment,
                visited_on=d["visited_on"],
                met_with=d["met_with"],
                heard=d["heard"],
                decided=d["decided"],
                opinions=d["opinions"].splitlines(),
                opinions_count=d["opinions_count"],
            )
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("走访已记录。"))
            return redirect("patrols:contact_visit", pk=visit.pk)
    return render(
        request,
        "patrols/contact.html",
        {
            "a": assignment,
            "form": form,
            "visits": selectors.contact_visits(user=request.user, assignment=assignment),
            "can_export": has_capability(request.user, "export"),
        },
    )


@login_required
def contact_visit(request, pk: int):
    visit = selectors.contact_visit_get(user=request.user, pk=pk)
    if visit is None:
        raise NotFound()
    area = Area.objects.get(pk=visit.area_id)
    grids = Grid.objects.filter(community__path__startswith=area.path).order_by("code")
    form = RaiseCaseForm(request.POST or None, grids=grids)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.contact_visit_raise_case(
                actor=request.user,
                visit=visit,
                item=d["item"],
                text=d["text"],
                grid=d.get("grid"),
                idempotency_key=f"leader-visit:{visit.pk}:{d['key']}" if d.get("key") else None,
            )
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已交办,事件编号 %(no)s。") % {"no": case.number})
            return redirect("patrols:contact_visit", pk=visit.pk)
    cases = [
        link.case
        for link in visit.case_links.select_related("case__handler_unit", "case__handler_area")
    ]
    return render(
        request,
        "patrols/contact_visit.html",
        {
            "visit": visit,
            "form": form,
            "cases": cases,
            "groups": _items(),
        },
    )


@login_required
def opinions(request):
    today = timezone.localdate()
    start = _parse_day(request.GET.get("start"), today.replace(month=1, day=1))
    end = _parse_day(request.GET.get("end"), today)
    if _wants_xlsx(request):
        exports.require_export(
            request.user,
            what="contact_visits",
            request=request,
            detail={"start": start.isoformat(), "end": end.isoformat()},
        )
        visits = selectors.contact_visits(user=request.user, start=start, end=end, action="export")
        summary = selectors.opinions_summary(
            user=request.user, start=start, end=end, action="export"
        )
        return exports.response(
            exports.contact_visits_xlsx(visits, summary),
            f"contact-visits-{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
        )
    rows = selectors.opinions_summary(user=request.user, start=start, end=end)
    total = sum(r["opinions"] or 0 for r in rows)
    return render(
        request,
        "patrols/opinions.html",
        {
            "rows": rows,
            "start": start,
            "end": end,
            "total": total,
            "can_export": has_capability(request.user, "export"),
        },
    )


# ------------------------------------------------------------------ 两个覆盖
@login_required
def org_coverage(request):
    if request.method == "POST":
        if not has_capability(request.user, CHANGE):
            raise NotFound()
        raised, closed = services.coverage_check(actor=request.user)
        messages.success(
            request, _("复核完成:新发现 %(r)d 家,销号 %(c)d 家。") % {"r": raised, "c": closed}
        )
        return redirect("patrols:org_coverage")
    rates = selectors.coverage_rates(user=request.user)
    chart = {
        "labels": [r.label for r in rates["streets"]],
        "org": [r.org_rate or 0 for r in rates["streets"]],
        "work": [r.work_rate or 0 for r in rates["streets"]],
        "org_label": _("组织覆盖率(%)"),
        "work_label": _("工作覆盖率(%)"),
    }
    status = request.GET.get("status", FlagStatus.OPEN)
    flags = selectors.coverage_flags(
        user=request.user, status=status if status in FlagStatus.values else None
    )
    return render(
        request,
        "patrols/org_coverage.html",
        {
            "rates": rates,
            "chart_json": json.dumps(chart, ensure_ascii=False),
            "today": timezone.localdate(),
            "flags": paginate(request, flags, per_page=50),
            "status": status,
            "statuses": FlagStatus.choices,
            "can_change": has_capability(request.user, CHANGE),
            "staff": get_user_model()
            .objects.filter(
                pk__in=RoleAssignment.objects.restrict(request.user)
                .filter(active=True)
                .values("user_id")
            )
            .order_by("username")[:200],
        },
    )


@login_required
@require_POST
def flag_update(request, pk: int):
    flag = CoverageFlag.objects.restrict(request.user).filter(pk=pk).first()
    if flag is None:
        raise NotFound()
    owner = None
    if request.POST.get("owner", "").isdigit():
        owner = (
            get_user_model()
            .objects.filter(
                pk=int(request.POST["owner"]),
                pk__in=RoleAssignment.objects.restrict(request.user).values("user_id"),
            )
            .first()
        )
    deadline = (
        _parse_day(request.POST.get("deadline"), flag.deadline)
        if request.POST.get("deadline")
        else None
    )
    services.coverage_flag_update(actor=request.user, flag=flag, owner=owner, deadline=deadline)
    messages.success(request, _("已更新整改任务。"))
    return redirect("patrols:org_coverage")


# ------------------------------------------------------------------ 新业态 gig workers
@login_required
def gig_ledger(request):
    sector = request.GET.get("sector") or None
    qs = selectors.gig_ledger(
        user=request.user, sector=sector if sector in GigSector.values else None
    )
    form = None
    if has_capability(request.user, CHANGE):
        members = PartyMember.objects.restrict(request.user, CHANGE).order_by("name")
        from civicgrid.orgs.models import PartyOrganization

        orgs = [o for o in PartyOrganization.objects.order_by("path") if services.is_sector_org(o)]
        form = GigProfileForm(request.POST or None, members=members, orgs=orgs)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                services.gig_profile_save(
                    actor=request.user,
                    member=d["member"],
                    platform=d["platform"],
                    sector=d["sector"],
                    sector_organization=d["sector_organization"],
                )
            except ApplicationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("已登记。"))
                return redirect("patrols:gig_ledger")
    elif request.method == "POST":
        raise NotFound()
    page = paginate(request, qs, per_page=50)
    return render(
        request,
        "patrols/gig_ledger.html",
        {
            "page": page,
            "form": form,
            "sectors": GigSector.choices,
            "sector": sector,
        },
    )


@login_required
def gig_report(request):
    profile = services.gig_profile_of(request.user)
    if profile is None:
        raise NotFound(_("只有登记在册的新就业群体党员可以使用流动哨上报。"))
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.mobile_report(
                actor=request.user,
                item=d["item"],
                text=d["text"],
                lon=d.get("lon"),
                lat=d.get("lat"),
                address=d.get("address", ""),
                idempotency_key=f"gig:{request.user.pk}:{d['key']}",
            )
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, _("已上报,编号 %(no)s,感谢您当好流动哨!") % {"no": case.number}
            )
            return redirect("patrols:gig_report")
    return render(
        request,
        "patrols/gig_report.html",
        {
            "form": form,
            "profile": profile,
            "groups": _items(),
            "reports": selectors.my_mobile_reports(profile),
        },
    )
