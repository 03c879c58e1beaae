"""Party members and unit contacts sign in with the project's login but hold no staff scope.
They land on their own page (我的) and are refused staff pages politely, with a link back.

Only participants — a login that is a party member or a unit contact and has no staff role —
are affected; staff and everyone else pass through untouched.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse

# Pages a participant may open: their own pages, sign-in and out, the resident portal (to report
# a case), static files, the language switch, and the member pages of the other party apps.
DEFAULT_OPEN_PREFIXES = (
    "/party/me",
    "/party/unit",
    "/party/receipt",
    "/accounts/",
    "/portal/",
    "/static/",
    "/media/",
    "/i18n/",
    "/favicon",
    "/wishes/",
    "/activities/",
    "/partylife/",
    "/api/",
)


class ParticipantLandingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_superuser:
            path = request.path
            open_prefixes = tuple(
                getattr(settings, "CIVICGRID_PARTY_MEMBER_PATHS", DEFAULT_OPEN_PREFIXES)
            )
            if not path.startswith(open_prefixes):
                from .accounts import contact_units, is_participant, member_of

                if is_participant(user):
                    home = reverse("party:me") if member_of(user) else reverse("party:unit_home")
                    if path == "/":
                        return redirect(home)
                    return render(
                        request,
                        "party/staff_only.html",
                        {"home": home, "has_units": bool(contact_units(user))},
                        status=403,
                    )
        return self.get_response(request)
