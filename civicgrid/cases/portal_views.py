"""Resident portal pages: mobile first, no staff names shown."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from civicgrid.core import ratelimit
from civicgrid.core.audit import client_ip
from civicgrid.core.errors import ApplicationError, NotFound, RateLimited
from civicgrid.geo.models import Area

from . import portal, services
from .choices import Rating, Source, Status
from .forms import PhotosField
from .models import Case, MatterGroup, MatterItem

PUBLIC_ACTIONS = {
    "report",
    "accept",
    "dispatch",
    "start",
    "resolve",
    "rate",
    "close",
    "escalate",
    "merge",
    "invalidate",
}


class PortalReportForm(forms.Form):
    item = forms.ModelChoiceField(
        queryset=MatterItem.objects.filter(active=True),
        label=_l("问题类别"),
        error_messages={
            "required": _l("请选择问题类别。"),
            "invalid_choice": _l("未知的问题类别。"),
        },
    )
    text = forms.CharField(
        label=_l("问题描述"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _l("请描述您遇到的问题。"),
            "max_length": _l("问题描述不能超过 4000 字。"),
        },
    )
    address = forms.CharField(label=_l("地点"), max_length=200, required=False)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    community = forms.ModelChoiceField(
        queryset=Area.objects.filter(level=Area.Level.COMMUNITY).order_by("code"),
        label=_l("所在社区(无法定位时选择)"),
        required=False,
        error_messages={"invalid_choice": _l("未知的社区。")},
    )
    name = forms.CharField(label=_l("称呼(可不填)"), max_length=50, required=False)
    photos = PhotosField(label=_l("照片"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def clean(self):
        data = super().clean()
        located = data.get("lon") is not None and data.get("lat") is not None
        if not located and not data.get("community"):
            self.add_error("community", _l("请点击“使用当前位置”,或选择所在社区。"))
        return data


def home(request):
    mine = []
    if request.user.is_authenticated:
        mine = (
            Case.objects.filter(reporter=request.user)
            .select_related("item")
            .order_by("-created_at")[:50]
        )
    return render(request, "cases/portal/home.html", {"mine": mine})


def report(request):
    form = PortalReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        user = request.user if request.user.is_authenticated else None
        if user is None and not ratelimit.allow_public("portal_report_ip", client_ip(request) or "-"):
            form.add_error(None, str(RateLimited.default_message))
            return render(request, "cases/portal/report.html", {"form": form, "groups": _groups()}, status=429)
        phone = (
            user.portal_account.phone
            if user is not None and hasattr(user, "portal_account")
            else ""
        )
        try:
            case = services.case_create(
                actor=user,
                item=d["item"],
                text=d["text"],
                lon=d.get("lon"),
                lat=d.get("lat"),
                address=d.get("address", ""),
                community=d.get("community"),
                source=Source.RESIDENT,
                reporter_name=d.get("name", ""),
                reporter_phone=phone,
                anonymous=user is None,
                idempotency_key=f"portal:{d['idempotency_key']}",
            )
            if d.get("photos") and not case.attachments.exists():
                services.attachments_add(
                    actor=user, case=case, files=d["photos"], event=case.events.first()
                )
        except ApplicationError as e:
            form.add_error(None, str(e.message))
        else:
            request.session["portal_last_code"] = case.tracking_code
            return redirect("portal:track_code", code=case.tracking_code)
    request.session["portal_report"] = True  # lets this session ask for category suggestions
    return render(request, "cases/portal/report.html", {"form": form, "groups": _groups()})


def _groups():
    return (
        MatterGroup.objects.filter(items__active=True)
        .distinct()
        .prefetch_related("items")
        .order_by("code")
    )


class LoginForm(forms.Form):
    phone = forms.CharField(label=_l("手机号"), max_length=20)
    code = forms.CharField(label=_l("验证码"), max_length=6, required=False)


def portal_login(request):
    form = LoginForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        phone, code = form.cleaned_data["phone"], form.cleaned_data.get("code")
        try:
            if not code:
                if not ratelimit.allow_public("portal_code_ip", client_ip(request) or "-"):
                    raise RateLimited()
                portal.code_send(phone=phone)
                sent = True
                messages.info(request, _("验证码已发送。"))
            else:
                user = portal.code_verify(phone=phone, code=code)
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect("portal:home")
        except ApplicationError as e:
            form.add_error(None, str(e.message))
            sent = bool(code)
    return render(request, "cases/portal/login.html", {"form": form, "sent": sent})


def track(request, code: str = ""):
    code = code or request.GET.get("code", "")
    case = None
    error = ""
    if code and not ratelimit.allow_public("portal_track_ip", client_ip(request) or "-"):
        error = str(RateLimited.default_message)
        code = ""
    if code:
        try:
            case = portal.case_by_code(tracking_code=code)
        except NotFound as e:
            error = str(e.message)
    events = case.events.filter(action__in=PUBLIC_ACTIONS).order_by("at") if case else []
    can_rate = (
        case is not None
        and case.status == Status.RESOLVED
        and (case.reporter_id is None or case.reporter_id == getattr(request.user, "pk", None))
    )
    return render(
        request,
        "cases/portal/track.html",
        {
            "case": case,
            "events": events,
            "error": error,
            "code": code,
            "can_rate": can_rate,
            "ratings": [c for c in Rating.choices if c[0] != Rating.NONE],
            "just_reported": request.session.get("portal_last_code")
            == (case.tracking_code if case else None),
        },
    )


@require_POST
def rate(request, code: str):
    rating, comment = request.POST.get("rating"), request.POST.get("comment", "")[:1000]
    try:
        case = portal.case_by_code(tracking_code=code)
        if case.reporter_id and case.reporter_id == getattr(request.user, "pk", None):
            services.case_transition(
                actor=request.user,
                case=case,
                action="rate",
                rating=rating,
                note=comment,
                expected_version=case.version,
            )
        else:
            portal.rate_by_code(tracking_code=code, rating=rating, comment=comment)
    except ApplicationError as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("感谢您的评价。"))
    return redirect("portal:track_code", code=code)
