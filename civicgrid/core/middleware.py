from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .errors import ApplicationError
from .scoping import get_scope

# Paths a signed-in user who still owes a second factor may open: signing in and out,
# the 2FA pages themselves, static files and the language switch. Nothing else.
_2FA_OPEN_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/2fa/",
    "/static/",
    "/i18n/",
    "/favicon",
)


class TwoFactorRequiredMiddleware:
    """Users holding a role listed in CIVICGRID_2FA_REQUIRED_ROLES (or superusers) must
    have passed TOTP in this session before anything but the account pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.CIVICGRID_2FA_ENFORCED
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(_2FA_OPEN_PREFIXES)
            and needs_second_factor(user)
            and not user.is_verified()
        ):
            if request.path.startswith("/api/"):
                # A script cannot follow a redirect to a form: the API's error shape instead.
                message = _("请先完成两步验证(登录后输入动态验证码)。")
                body = {"code": "second_factor_required", "message": str(message), "details": {}}
                return JsonResponse({"error": body}, status=403)
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('otp_verify')}?{query}")
        return self.get_response(request)


def needs_second_factor(user) -> bool:
    """Superusers and staff (who can open the Django admin) always; others by role."""
    if user.is_superuser or user.is_staff:
        return True
    roles = get_scope(user).roles
    return bool(roles & set(settings.CIVICGRID_2FA_REQUIRED_ROLES))


class ApplicationErrorMiddleware:
    """Renders ApplicationError raised by a view: JSON for API/htmx callers, else a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if not isinstance(exc, ApplicationError):
            return None
        wants_json = request.path.startswith("/api/") or "application/json" in request.headers.get(
            "Accept", ""
        )
        if wants_json:
            return JsonResponse({"error": exc.as_dict()}, status=exc.status)
        if request.headers.get("HX-Request"):
            return render(request, "partials/error.html", {"error": exc}, status=exc.status)
        if exc.status in (403, 404):
            return render(request, "error.html", {"error": exc}, status=exc.status)
        messages.error(request, str(exc.message))
        return HttpResponseRedirect(request.headers.get("Referer") or "/")


def _csp_header(policy: dict[str, list[str] | tuple[str, ...]]) -> str:
    parts = []
    for directive, sources in policy.items():
        sources = [str(s) for s in sources]
        parts.append(" ".join([directive, *sources]) if sources else directive)
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Sets Content-Security-Policy from ``SECURE_CSP`` (and ``SECURE_CSP_REPORT_ONLY``).

    The settings have the shape of Django 6.0's built-in CSP support, so moving to
    ``django.middleware.csp.ContentSecurityPolicyMiddleware`` later is a one-line change.
    A view may set its own header; it is then left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.enforce = _csp_header(getattr(settings, "SECURE_CSP", {}) or {})
        self.report_only = _csp_header(getattr(settings, "SECURE_CSP_REPORT_ONLY", {}) or {})

    def __call__(self, request):
        response = self.get_response(request)
        if self.enforce and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.enforce
        if self.report_only and "Content-Security-Policy-Report-Only" not in response:
            response["Content-Security-Policy-Report-Only"] = self.report_only
        return response


IDLE_KEY = "_civicgrid_seen"


class IdleTimeoutMiddleware:
    """Sign out a session that has done nothing for CIVICGRID_IDLE_TIMEOUT seconds (default 30
    minutes; 0 switches it off). The time of the last request is kept in the session and
    written at most once a minute, so most requests do not save the session. The sign-out is
    audited (``idle_logout``); a page request is sent to the sign-in page with a message, an
    API or JSON request gets 401."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.contrib.auth import logout

        limit = int(getattr(settings, "CIVICGRID_IDLE_TIMEOUT", 1800))
        user = getattr(request, "user", None)
        if limit and user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            seen = request.session.get(IDLE_KEY)
            if seen is not None and now - int(seen) > limit:
                request._civicgrid_logout_reason = "idle"
                logout(request)
                message = _("长时间未操作,已自动退出,请重新登录。")
                wants_json = request.path.startswith("/api/") or "application/json" in request.headers.get(
                    "Accept", ""
                )
                if wants_json:
                    return JsonResponse({"error": {"code": "session_expired", "message": message}}, status=401)
                messages.info(request, message)
                login_url = reverse("portal:login") if request.path.startswith("/portal/") else reverse("login")
                return HttpResponseRedirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")
            if seen is None or now - int(seen) >= 60:
                request.session[IDLE_KEY] = now
        return self.get_response(request)
