"""Pages of the activities app: staff pages (scoped), participant pages for the phone, the
organiser's check-in code, and the check-in page the code opens. Views are thin: forms in,
services and selectors, a template out. ApplicationErrors are rendered by the middleware."""

from __future__ import annotations

import csv

import segno
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import ApplicationError, NotFound, ValidationFailed

from . import checkin, forms, selectors, services
from .choices import star_level
from .models import RecruitmentApplication, Signup, Volunteer, VolunteerTeam


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for e in errors:
            messages.error(request, f"{label}:{e}" if label else e)


def _require_staff(user) -> None:
    if not selectors.is_staff_user(user):
        raise NotFound()


# --- staff: activities -------------------------------------------------------------------------


@login_required
def index(request):
    if not selectors.is_staff_user(request.user):
        return redirect("activities:open")
    when = (
        request.GET.get("when")
        if request.GET.get("when") in ("upcoming", "past", "all")
        else "upcoming"
    )
    page = Paginator(selectors.activity_list(user=request.user, when=when), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "activities/index.html", {"page": page, "when": when})


@login_required
def activity_new(request):
    _require_staff(request.user)
    form = forms.ActivityForm(
        request.POST or None,
        areas=selectors.publish_areas(user=request.user),
        teams=selectors.team_list(user=request.user),
    )
    if request.method == "POST":
        if form.is_valid():
            d = dict(form.cleaned_data)
            try:
                activity = services.activity_publish(actor=request.user, **d)
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("活动已发布。"))
                return redirect("activities:detail", activity.pk)
        else:
            _form_errors(request, form)
    return render(request, "activities/activity_form.html", {"form": form})


@login_required
def activity_detail(request, pk):
    activity = selectors.activity_get(user=request.user, pk=pk)
    signups = list(selectors.roster(user=request.user, activity=activity))
    now = timezone.now()
    enrolled = {s.volunteer_id for s in signups if s.status != "cancelled"}
    candidates = [
        v
        for v in Volunteer.objects.restrict(request.user).filter(active=True).order_by("name")[:500]
        if v.pk not in enrolled
    ]
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "signups": signups,
            "now": now,
            "checkin_open": checkin.in_window(activity, now),
            "ended": now >= activity.ends_at,
            "checked_in": sum(1 for s in signups if s.checked_in_at and s.status == "confirmed"),
            "candidates": candidates,
            "events": selectors.activity_events(user=request.user, activity=activity),
        },
    )


@login_required
@never_cache
def activity_qr(request, pk):
    """The organiser's screen at the venue: the current code, replaced every step by the script."""
    activity = selectors.activity_get(user=request.user, pk=pk, action="change")
    return render(
        request, "activities/qr.html", {"activity": activity, "code": _code(request, activity)}
    )


def _code(request, activity) -> dict:
    now = timezone.now()
    if not checkin.in_window(activity, now):
        return {"open": False, "opens": checkin.window(activity)[0]}
    url = request.build_absolute_uri(
        reverse("activities:checkin", args=[checkin.make_token(activity, now)])
    )
    svg = segno.make(url, error="m").svg_inline(scale=6, border=2)
    return {
        "open": True,
        "url": url,
        "svg": svg,
        "seconds_left": checkin.seconds_left(now),
        "step": checkin.STEP_SECONDS,
    }


@login_required
@never_cache
def activity_qr_json(request, pk):
    activity = selectors.activity_get(user=request.user, pk=pk, action="change")
    code = _code(request, activity)
    if not code["open"]:
        return JsonResponse({"open": False, "message": _("不在签到时间内。")})
    return JsonResponse(
        {
            "open": True,
            "url": code["url"],
            "svg": code["svg"],
            "seconds_left": code["seconds_left"],
            "step": code["step"],
        }
    )


@login_required
@require_POST
def attendance_mark(request, pk, signup_pk):
    activity = selectors.activity_get(user=request.user, pk=pk, action="change")
    signup = (
        Signup.objects.restrict(request.user, "change")
        .filter(pk=signup_pk, activity=activity)
        .first()
    )
    if signup is None:
        raise NotFound()
    in_at = _posted_time(request, "checked_in_at")
    out_at = _posted_time(request, "checked_out_at")
    services.attendance_mark(
        actor=request.user,
        signup=signup,
        checked_in_at=in_at,
        checked_out_at=out_at,
        note=request.POST.get("note", ""),
    )
    messages.success(request, _("已补录 %(name)s 的签到。") % {"name": signup.volunteer.name})
    return redirect("activities:detail", activity.pk)


@login_required
@require_POST
def activity_enrol(request, pk):
    """The organiser signs up someone who phoned in (the cap and the audience still hold)."""
    activity = selectors.activity_get(user=request.user, pk=pk, action="change")
    raw = request.POST.get("volunteer", "")
    volunteer = (
        Volunteer.objects.restrict(request.user).filter(pk=int(raw)).first()
        if raw.isdigit()
        else None
    )
    if volunteer is None:
        raise NotFound()
    services.signup_by_organiser(actor=request.user, activity=activity, volunteer=volunteer)
    messages.success(request, _("已为 %(name)s 报名。") % {"name": volunteer.name})
    return redirect("activities:detail", activity.pk)


@login_required
@require_POST
def activity_credit(request, pk):
    activity = selectors.activity_get(user=request.user, pk=pk, action="change")
    entries = services.activity_credit(actor=request.user, activity=activity)
    messages.success(request, _("已核算 %(n)d 人的时长。") % {"n": len(entries)})
    return redirect("activities:detail", activity.pk)


@login_required
@require_POST
def activity_cancel(request, pk):
    activity = selectors.activity_get(user=request.user, pk=pk, action="change")
    services.activity_cancel(
        actor=request.user, activity=activity, reason=request.POST.get("reason", "")
    )
    messages.success(request, _("活动已取消。"))
    return redirect("activities:detail", activity.pk)


@login_required
def roster_csv(request, pk):
    activity = selectors.activity_get(user=request.user, pk=pk, action="export")
    rows = selectors.roster(user=request.user, activity=activity)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="activity-{activity.pk}-roster.csv"'
    response.write("\ufeff")
    w = csv.writer(response)
    w.writerow(
        [
            _("姓名"),
            _("身份"),
            _("手机号"),
            _("状态"),
            _("签到时间"),
            _("签退时间"),
            _("签到方式"),
            _("时长"),
        ]
    )
    for s in rows:
        v = s.volunteer
        phone = v.member.phone_masked if v.member_id else v.phone_masked
        entry = getattr(s, "hours_entry", None)
        w.writerow(
            [
                v.name,
                _("党员") if v.member_id else _("志愿者"),
                phone,
                s.get_status_display(),
                _fmt(s.checked_in_at),
                _fmt(s.checked_out_at),
                s.get_checkin_method_display(),
                entry.hours if entry else "",
            ]
        )
    audit_record(
        actor=request.user,
        action="export",
        obj=activity,
        detail={"what": "activity_roster"},
        request=request,
    )
    return response


def _posted_time(request, name):
    raw = (request.POST.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise ValidationFailed(_("时间格式不正确。"))
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _fmt(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


# --- staff: volunteers, teams, statistics --------------------------------------------------------


@login_required
def volunteer_list(request):
    _require_staff(request.user)
    q = request.GET.get("q", "")
    page = Paginator(selectors.volunteer_list(user=request.user, q=q), 50).get_page(
        request.GET.get("page")
    )
    form = forms.VolunteerForm(
        request.POST or None, areas=selectors.community_choices(user=request.user)
    )
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            user = None
            if d["username"]:
                user = get_user_model().objects.filter(username=d["username"]).first()
                if user is None:
                    messages.error(request, _("找不到该登录账号。"))
                    return redirect("activities:volunteers")
            try:
                services.volunteer_register(
                    actor=request.user,
                    name=d["name"],
                    area=d["area"],
                    phone=d["phone"],
                    skills=d["skills"],
                    user=user,
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("志愿者已登记。"))
                return redirect("activities:volunteers")
        else:
            _form_errors(request, form)
    for v in page:
        v.stars = star_level(v.total_hours)
    return render(request, "activities/volunteers.html", {"page": page, "form": form, "q": q})


@login_required
def team_list(request):
    _require_staff(request.user)
    form = forms.TeamForm(
        request.POST or None, areas=selectors.community_choices(user=request.user)
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                team = services.team_create(actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                return redirect("activities:team", team.pk)
        else:
            _form_errors(request, form)
    return render(
        request,
        "activities/teams.html",
        {"teams": selectors.team_list(user=request.user), "form": form},
    )


@login_required
def team_detail(request, pk):
    team = selectors.team_for_manager(user=request.user, pk=pk)
    staff = VolunteerTeam.objects.restrict(request.user, "change").filter(pk=team.pk).exists()
    detail = selectors.team_detail(team=team)
    posts = team.posts.all()
    ctx = {
        "team": team,
        "staff": staff,
        **detail,
        "post_form": forms.PostForm(),
        "recruit_form": forms.RecruitmentForm(posts=posts),
        "pending": selectors.pending_count(detail["recruitments"]),
    }
    if staff:
        volunteers = Volunteer.objects.restrict(request.user).filter(active=True).order_by("name")
        ctx["member_form"] = forms.MemberAddForm(volunteers=volunteers, posts=posts)
        ctx["training_form"] = forms.TrainingForm(
            volunteers=Volunteer.objects.filter(memberships__team=team).order_by("name")
        )
    return render(request, "activities/team_detail.html", ctx)


@login_required
@require_POST
def team_action(request, pk, what):
    team = selectors.team_for_manager(user=request.user, pk=pk)
    posts = team.posts.all()
    if what == "post":
        form = forms.PostForm(request.POST)
        if form.is_valid():
            services.post_create(actor=request.user, team=team, **form.cleaned_data)
            messages.success(request, _("岗位已添加。"))
    elif what == "recruit":
        form = forms.RecruitmentForm(request.POST, posts=posts)
        if form.is_valid():
            services.recruitment_publish(actor=request.user, team=team, **form.cleaned_data)
            messages.success(request, _("招募已发布。"))
    elif what == "member":
        form = forms.MemberAddForm(
            request.POST, volunteers=Volunteer.objects.restrict(request.user), posts=posts
        )
        if form.is_valid():
            services.team_add_member(actor=request.user, team=team, **form.cleaned_data)
            messages.success(request, _("队员已加入。"))
    elif what == "training":
        form = forms.TrainingForm(
            request.POST, volunteers=Volunteer.objects.filter(memberships__team=team)
        )
        if form.is_valid():
            services.training_record(
                actor=request.user, area=team.area, team=team, **form.cleaned_data
            )
            messages.success(request, _("培训记录已保存。"))
    else:
        raise NotFound()
    if not form.is_valid():
        _form_errors(request, form)
    return redirect("activities:team", team.pk)


@login_required
@require_POST
def application_decide(request, pk):
    application = (
        RecruitmentApplication.objects.select_related("recruitment__team").filter(pk=pk).first()
    )
    if application is None:
        raise NotFound()
    team = selectors.team_for_manager(user=request.user, pk=application.recruitment.team_id)
    accept = request.POST.get("decision") == "accept"
    services.application_decide(actor=request.user, application=application, accept=accept)
    messages.success(request, _("已录用。") if accept else _("已标记为未录用。"))
    return redirect("activities:team", team.pk)


def _period(request):
    form = forms.PeriodForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data.get("start"), form.cleaned_data.get("end")
    if form.is_bound:
        raise ValidationFailed(_("日期格式不正确。"))
    return form, None, None


@login_required
def stats(request):
    _require_staff(request.user)
    form, start, end = _period(request)
    data = selectors.hours_stats(user=request.user, start=start, end=end)
    return render(
        request,
        "activities/stats.html",
        {"form": form, "data": data, "query": request.GET.urlencode()},
    )


@login_required
def stats_json(request):
    _require_staff(request.user)
    _form, start, end = _period(request)
    data = selectors.hours_stats(user=request.user, start=start, end=end)
    return JsonResponse({"by_month": data["by_month"]})


@login_required
def hours_csv(request):
    _require_staff(request.user)
    _form, start, end = _period(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="volunteer-hours.csv"'
    response.write("\ufeff")
    w = csv.writer(response)
    w.writerow(
        [_("服务日期"), _("志愿者"), _("身份"), _("活动"), _("服务队"), _("区划"), _("时长")]
    )
    for e in selectors.hours_export_rows(user=request.user, start=start, end=end).iterator(
        chunk_size=2000
    ):
        w.writerow(
            [
                e.served_on,
                e.volunteer.name,
                _("党员") if e.volunteer.member_id else _("志愿者"),
                e.activity.title,
                e.team.name if e.team_id else "",
                e.area.name,
                e.hours,
            ]
        )
    audit_record(
        actor=request.user, action="export", detail={"what": "volunteer_hours"}, request=request
    )
    return response


# --- participants (phone) --------------------------------------------------------------------------


@login_required
def open_list(request):
    return render(
        request,
        "activities/open_list.html",
        {
            "activities": selectors.open_activities(user=request.user),
            "is_staff": selectors.is_staff_user(request.user),
            "participant": services.participant_for(request.user)
            or getattr(request.user, "party_member", None),
        },
    )


@login_required
def open_detail(request, pk):
    activity = selectors.open_activity(user=request.user, pk=pk)
    return render(
        request, "activities/open_detail.html", {"activity": activity, "now": timezone.now()}
    )


@login_required
@require_POST
def signup(request, pk):
    activity = selectors.open_activity(user=request.user, pk=pk)
    s = services.signup_create(actor=request.user, activity=activity)
    if s.status == "waitlisted":
        messages.info(request, _("名额已满,您已进入候补名单。"))
    else:
        messages.success(request, _("报名成功。"))
    return redirect("activities:open_detail", pk)


@login_required
@require_POST
def signup_cancel(request, pk):
    volunteer = services.participant_for(request.user)
    s = (
        Signup.objects.filter(pk=pk, volunteer=volunteer).select_related("activity").first()
        if volunteer
        else None
    )
    if s is None:
        raise NotFound()
    services.signup_cancel(actor=request.user, signup=s)
    messages.success(request, _("已取消报名。"))
    return redirect("activities:open_detail", s.activity_id)


@login_required
@never_cache
def checkin_page(request, token):
    """What the code opens on the participant's phone: one button to check in (or out)."""
    try:
        activity = services.activity_for_token(token)
    except ApplicationError as exc:
        return render(request, "activities/checkin.html", {"error": exc.message}, status=exc.status)
    error = None
    try:
        checkin.verify(activity, token)
    except ApplicationError as exc:
        error = exc.message
    volunteer = services.participant_for(request.user)
    signup = (
        Signup.objects.filter(activity=activity, volunteer=volunteer).first() if volunteer else None
    )
    state = None
    if request.method == "POST" and error is None:
        try:
            if request.POST.get("action") == "checkout":
                signup = services.checkout_record(actor=request.user, token=token)
                state = "checked_out"
            else:
                signup, already = services.checkin_record(actor=request.user, token=token)
                state = "already" if already else "checked_in"
        except ApplicationError as exc:
            error = exc.message
    return render(
        request,
        "activities/checkin.html",
        {
            "activity": activity,
            "signup": signup,
            "error": error,
            "state": state,
            "token": token,
        },
        status=200,
    )


@login_required
def mine(request):
    return render(
        request,
        "activities/mine.html",
        {
            **selectors.my_overview(user=request.user),
            "led": selectors.led_teams(user=request.user),
        },
    )


@login_required
def recruit_list(request):
    return render(
        request,
        "activities/recruit_list.html",
        {"calls": selectors.open_recruitments(user=request.user)},
    )


@login_required
@require_POST
def recruit_apply(request, pk):
    from .models import Recruitment

    call = Recruitment.objects.filter(pk=pk, open=True).first()
    if call is None:
        raise NotFound()
    services.recruitment_apply(
        actor=request.user, recruitment=call, note=request.POST.get("note", "")
    )
    messages.success(request, _("申请已提交,等待队长审核。"))
    return redirect("activities:recruit")
