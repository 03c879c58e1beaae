from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from .errors import ApplicationError
from .scoping import get_scope

# Paths a signed-in user who still owes a second factor may open.
_2FA_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/favicon")


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
            return HttpResponseRedirect(reverse("otp_verify") + f"?next={request.path}")
        return self.get_response(request)


def needs_second_factor(user) -> bool:
    if user.is_superuser:
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
