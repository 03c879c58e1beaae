"""Sign-in, and TOTP two-factor set-up and verification (django-otp)."""

from __future__ import annotations

from base64 import b32encode

import segno
from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("动态验证码"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


def _next(request) -> str:
    nxt = request.GET.get("next") or request.POST.get("next") or "/"
    safe = url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return nxt if safe else "/"


def _to(name: str, request):
    return redirect(f"{reverse(name)}?{urlencode({'next': _next(request)})}")


@login_required
def otp_verify(request):
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return _to("otp_setup", request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", _("验证码不正确或已过期。"))
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next(request)})


@login_required
def otp_setup(request):
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return _to("otp_verify", request)
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "CivicGrid"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", _("验证码不正确,请核对手机时间后重试。"))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr_svg": qr_svg,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "next": _next(request),
    }
    return render(request, "registration/otp_setup.html", context)
