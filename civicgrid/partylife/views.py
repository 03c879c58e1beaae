"""Pages of 智慧党建: mutual evaluation, organisations (三会一课, training, dues, stars),
overview and warnings with rectification. Thin: forms in, services and selectors out."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import NotFound, PermissionDenied, ValidationFailed
from civicgrid.geo.models import Area
from civicgrid.orgs.access import has_capability
from civicgrid.people.models import PartyMember

from . import choices as c
from . import exports, forms, rules, selectors, services


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


# --- index ---------------------------------------------------------------------------------
@login_required
def index(request):
    user = request.user
    return render(
        request,
        "partylife/index.html",
        {
            "tasks": selectors.my_assignments(user=user, open_only=True)
            .exclude(status=c.AssignmentStatus.SUBMITTED)
            .count(),
            "rounds": selectors.round_list(user=user).count(),
            "orgs": selectors.org_list(user=user).count(),
            "warnings": selectors.warning_list(user=user).count(),
            "is_org_department": services.is_org_department(user),
        },
    )


# --- mutual evaluation ---------------------------------------------------------------------
@login_required
def round_list(request):
    page = Paginator(selectors.round_list(user=request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "partylife/round_list.html",
        {"page": page, "may_create": services.is_org_department(request.user)},
    )


@login_required
def round_new(request):
    if not services.is_org_department(request.user):
        raise PermissionDenied(_("只有组织部可以管理评价轮次。"))
    form = forms.RoundForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        r = services.evaluation_round_create(
            actor=request.user,
            name=d["name"],
            period=d["period"],
            area=d["area"],
            anonymity=d["anonymity"],
            good_threshold=d["good_threshold"],
            closes_on=d["closes_on"],
            forms={k: d[f"form_{k}"] for k in c.Direction.values},
        )
        messages.success(request, _("已创建评价轮次,请检查后开始评价。"))
        return redirect("partylife:round", r.pk)
    return render(request, "partylife/round_new.html", {"form": form})


@login_required
def round_detail(request, pk):
    r = selectors.round_get(user=request.user, pk=pk)
    sections = []
    for direction, label in c.Direction.choices:
        form = r.form_for(direction)
        if form is None:
            continue
        results = selectors.visible_results(user=request.user, round=r, direction=direction)
        sections.append(
            {
                "direction": direction,
                "label": label,
                "form": form,
                "criteria": list(form.criteria.all()),
                "results": results,
            }
        )
    oversees = selectors.oversees(request.user, r)
    progress = None
    if oversees:
        qs = r.assignments.all()
        progress = {"n": qs.count(), "done": qs.filter(status=c.AssignmentStatus.SUBMITTED).count()}
    return render(
        request,
        "partylife/round_detail.html",
        {
            "round": r,
            "sections": sections,
            "progress": progress,
            "bands": c.BANDS,
            "may_manage": services.is_org_department(request.user) and oversees,
            "see_raters": selectors.may_see_raters(request.user, r),
            "may_export": has_capability(request.user, "export"),
        },
    )


@login_required
@require_POST
def round_action(request, pk, action):
    r = selectors.round_get(user=request.user, pk=pk)
    if action == "open":
        n = services.evaluation_round_open(actor=request.user, round=r)
        messages.success(request, _("评价已开始,生成评价任务 %(n)d 项。") % {"n": n})
    elif action == "close":
        n = services.evaluation_round_close(actor=request.user, round=r)
        messages.success(request, _("评价已结束,%(n)d 个对象获评优秀积分。") % {"n": n})
    else:
        raise NotFound()
    return redirect("partylife:round", r.pk)


@login_required
def round_export(request, pk):
    r = selectors.round_get(user=request.user, pk=pk)
    if not has_capability(request.user, "export"):
        raise PermissionDenied(_("您没有导出权限。"))
    audit_record(
        actor=request.user,
        action="export",
        obj=r,
        request=request,
        detail={"what": "evaluation_results"},
    )
    resp = HttpResponse(
        exports.results_xlsx(user=request.user, round=r),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = f'attachment; filename="evaluation-{r.pk}.xlsx"'
    return resp


@login_required
def task_list(request):
    tasks = selectors.my_assignments(user=request.user)
    return render(request, "partylife/task_list.html", {"tasks": tasks})


@login_required
def task_fill(request, pk):
    a = services.assignment_for_rater(user=request.user, pk=pk)
    criteria = services.assignment_criteria(a)
    saved = {s.criterion_id: s for s in a.scores.all()}
    values = {
        cr.pk: (
            saved[cr.pk].score if cr.pk in saved else "",
            saved[cr.pk].comment if cr.pk in saved else "",
        )
        for cr in criteria
    }
    comment, errors = a.comment, {}
    if request.method == "POST":
        values = {
            cr.pk: (
                request.POST.get(f"score_{cr.pk}", "").strip(),
                request.POST.get(f"comment_{cr.pk}", ""),
            )
            for cr in criteria
        }
        comment = request.POST.get("comment", "")
        submit = request.POST.get("action") == "submit"
        try:
            services.evaluation_save(
                actor=request.user, assignment=a, scores=values, comment=comment, submit=submit
            )
        except ValidationFailed as exc:
            errors = exc.details or {"": [str(exc.message)]}
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("评价已提交。") if submit else _("已暂存,评价结束前可继续修改。")
            )
            return redirect("partylife:tasks") if submit else redirect("partylife:task", a.pk)
    rows = [
        {
            "c": cr,
            "score": values[cr.pk][0],
            "comment": values[cr.pk][1],
            "errors": errors.get(f"score_{cr.pk}", []),
        }
        for cr in criteria
    ]
    editable = a.round.status == c.RoundStatus.OPEN and a.status != c.AssignmentStatus.SUBMITTED
    return render(
        request,
        "partylife/task_fill.html",
        {"a": a, "rows": rows, "comment": comment, "editable": editable},
    )


# --- organisations -------------------------------------------------------------------------
@login_required
def org_list(request):
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.org_list(user=request.user, q=q), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "partylife/org_list.html",
        {
            "page": page,
            "q": q,
            "year": timezone.localdate().year,
            "keep": urlencode({"q": q}) if q else "",
        },
    )


def _member_choices(user, org):
    return [
        (m.pk, m.name)
        for m in PartyMember.objects.restrict(user).filter(organization=org).order_by("name", "id")
    ]


@login_required
def org_detail(request, pk):
    user = request.user
    org = selectors.org_get(user=user, pk=pk)
    today = timezone.localdate()
    year = _year(request)
    members = selectors.org_members(user=user, org=org, year=year, today=today)
    choices_ = _member_choices(user, org)
    training_form, base_form, pay_form = (
        forms.TrainingForm(),
        forms.DuesBaseForm(),
        forms.DuesPayForm(),
    )
    for f in (training_form, base_form, pay_form):
        f.fields["member"].choices = choices_
    base_form.initial["since"] = today.replace(day=1)
    pay_form.initial["month"] = rules.add_months(today.replace(day=1), -1).strftime("%Y-%m")
    training_form.initial["taken_on"] = today
    return render(
        request,
        "partylife/org_detail.html",
        {
            "org": org,
            "year": year,
            "today": today,
            "members": members,
            "required_hours": rules.required_hours(year, today),
            "life": selectors.org_life_status(org, today),
            "meetings": selectors.org_meetings(user=user, org=org, limit=20),
            "rating": org.star_ratings.filter(year=year).first(),
            "warnings": selectors.warning_list(user=user).filter(organization=org),
            "may_change": has_capability(user, "change"),
            "is_org_department": services.is_org_department(user),
            "training_form": training_form,
            "base_form": base_form,
            "pay_form": pay_form,
            "star_weights": c.STAR_WEIGHTS,
            "star_thresholds": c.STAR_THRESHOLDS,
        },
    )


@login_required
def meeting_new(request, pk):
    org = selectors.org_get(user=request.user, pk=pk)
    members = list(
        PartyMember.objects.restrict(request.user).filter(organization=org).order_by("name", "id")
    )
    form = forms.MeetingForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        attendance = {m.pk: request.POST.get(f"att_{m.pk}", c.Attendance.ABSENT) for m in members}
        services.meeting_record(
            actor=request.user,
            organization=org,
            kind=d["kind"],
            held_on=d["held_on"],
            topic=d["topic"],
            notes=d["notes"],
            attendance=attendance,
        )
        messages.success(request, _("已记录组织生活。"))
        return redirect("partylife:org", org.pk)
    return render(
        request,
        "partylife/meeting_new.html",
        {"org": org, "form": form, "members": members, "attendance": c.Attendance.choices},
    )


def _member_of(request, org, form) -> PartyMember:
    try:
        return PartyMember.objects.restrict(request.user).get(
            pk=form.cleaned_data["member"], organization=org
        )
    except PartyMember.DoesNotExist:
        raise NotFound()


def _bound(form_class, request, org):
    form = form_class(request.POST)
    form.fields["member"].choices = _member_choices(request.user, org)
    if not form.is_valid():
        raise ValidationFailed(next(iter(form.errors.values()))[0])
    return form


@login_required
@require_POST
def training_new(request, pk):
    org = selectors.org_get(user=request.user, pk=pk)
    form = _bound(forms.TrainingForm, request, org)
    d = form.cleaned_data
    services.training_record(
        actor=request.user,
        member=_member_of(request, org, form),
        taken_on=d["taken_on"],
        title=d["title"],
        hours=d["hours"],
        kind=d["kind"],
    )
    messages.success(request, _("已记录学习培训。"))
    return redirect("partylife:org", org.pk)


@login_required
@require_POST
def dues_base_new(request, pk):
    org = selectors.org_get(user=request.user, pk=pk)
    form = _bound(forms.DuesBaseForm, request, org)
    d = form.cleaned_data
    base = services.dues_base_declare(
        actor=request.user,
        member=_member_of(request, org, form),
        since=d["since"],
        category=d["category"],
        monthly_income=d["monthly_income"] or 0,
    )
    messages.success(request, _("已核定党费基数:每月 %(d)s 元。") % {"d": base.monthly_dues})
    return redirect("partylife:org", org.pk)


@login_required
@require_POST
def dues_pay(request, pk):
    org = selectors.org_get(user=request.user, pk=pk)
    form = _bound(forms.DuesPayForm, request, org)
    try:
        month = dt.date.fromisoformat(form.cleaned_data["month"][:7] + "-01")
    except ValueError:
        raise ValidationFailed(_("月份格式应为 YYYY-MM。"))
    p = services.dues_pay(actor=request.user, member=_member_of(request, org, form), month=month)
    messages.success(
        request, _("已记录 %(m)s 党费 %(a)s 元。") % {"m": p.month.strftime("%Y-%m"), "a": p.amount}
    )
    return redirect("partylife:org", org.pk)


@login_required
@require_POST
def star_compute(request, pk):
    org = selectors.org_get(user=request.user, pk=pk)
    year = _year(request)
    rating = services.star_rating_compute(
        actor=request.user,
        organization=org,
        year=year,
        manual_score=request.POST.get("manual_score") or None,
        manual_note=request.POST.get("manual_note") if "manual_note" in request.POST else None,
    )
    messages.success(
        request,
        _("%(y)d 年度星级:%(s)d 星(%(t)s 分)。")
        % {"y": year, "s": rating.stars, "t": rating.total},
    )
    return redirect("partylife:org", org.pk)


# --- overview and warnings -----------------------------------------------------------------
def _area_param(request) -> Area | None:
    pk = request.GET.get("area")
    if not pk:
        return None
    try:
        return Area.objects.restrict(request.user).get(pk=pk)
    except (Area.DoesNotExist, ValueError):
        raise NotFound()


@login_required
def overview(request):
    user, year, area = request.user, _year(request), _area_param(request)
    dist = selectors.star_distribution(user=user, year=year, area=area)
    warnings = selectors.warning_list(user=user, area=area)
    by_kind = {k: 0 for k, _l in c.WarningKind.choices}
    for w in warnings:
        by_kind[w.kind] += 1
    chart = {
        "stars": {
            "labels": [_("%(n)d 星") % {"n": s} for s in dist],
            "values": list(dist.values()),
        },
        "warnings": {
            "labels": [str(label) for _k, label in c.WarningKind.choices],
            "values": list(by_kind.values()),
        },
    }
    return render(
        request,
        "partylife/overview.html",
        {
            "year": year,
            "area": area,
            "areas": selectors.overview_areas(user=user),
            "dist": dist,
            "rated": sum(dist.values()),
            "warnings": warnings[:50],
            "chart": chart,
            "may_change": has_capability(user, "change"),
        },
    )


@login_required
@require_POST
def overview_compute(request):
    year = _year(request)
    n = services.star_ratings_compute_all(actor=request.user, year=year)
    raised, cleared = services.warnings_scan(actor=request.user)
    messages.success(
        request,
        _("已评定 %(n)d 个党组织;新增预警 %(r)d 条,消除 %(c)d 条。")
        % {"n": n, "r": raised, "c": cleared},
    )
    return redirect(f"{reverse('partylife:overview')}?year={year}")


@login_required
def warning_list(request):
    state = request.GET.get("state") or "active"
    page = Paginator(selectors.warning_list(user=request.user, state=state), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "partylife/warning_list.html",
        {
            "page": page,
            "state": state,
            "keep": urlencode({"state": state}),
            "states": [("active", _("未完成")), *c.WarningState.choices, ("all", _("全部"))],
        },
    )


@login_required
def warning_detail(request, pk):
    w = selectors.warning_get(user=request.user, pk=pk)
    rect = selectors.rectification_of(w)
    form = None
    if w.state == c.WarningState.OPEN:
        form = forms.RectificationForm(
            initial={"issue": w.detail, "deadline": timezone.localdate() + dt.timedelta(days=30)}
        )
        form.fields["owner"].choices = [
            (u.pk, str(u)) for u in selectors.owner_choices(org=w.organization)
        ]
    return render(
        request,
        "partylife/warning_detail.html",
        {"w": w, "rect": rect, "form": form, "may_change": has_capability(request.user, "change")},
    )


@login_required
@require_POST
def rectification_action(request, pk, action):
    w = selectors.warning_get(user=request.user, pk=pk)
    if action == "open":
        form = forms.RectificationForm(request.POST)
        form.fields["owner"].choices = [
            (u.pk, str(u)) for u in selectors.owner_choices(org=w.organization)
        ]
        if not form.is_valid():
            raise ValidationFailed(next(iter(form.errors.values()))[0])
        d = form.cleaned_data
        owner = get_user_model().objects.get(pk=d["owner"])
        services.rectification_open(
            actor=request.user, warning=w, issue=d["issue"], owner=owner, deadline=d["deadline"]
        )
        messages.success(request, _("已建立整改任务。"))
    else:
        rect = selectors.rectification_of(w)
        if rect is None:
            raise NotFound()
        if action == "note":
            services.rectification_note(
                actor=request.user, rectification=rect, text=request.POST.get("text", "")
            )
            messages.success(request, _("已记录整改进展。"))
        elif action == "close":
            services.rectification_close(
                actor=request.user, rectification=rect, evidence=request.POST.get("evidence", "")
            )
            messages.success(request, _("整改已完成。"))
        else:
            raise NotFound()
    return redirect("partylife:warning", w.pk)
