"""Rate limits: per partner key, per user (session or token), per address for anonymous
callers, and a tight one for issuing tokens. Rates: REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from .permissions import partner_key


class _SettingsRate:
    """Read the rate when the throttle is made, not when DRF was imported (so a changed
    REST_FRAMEWORK setting takes effect)."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_SettingsRate, AnonRateThrottle):
    scope = "anon"


class UserThrottle(_SettingsRate, UserRateThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated or partner_key(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class ApiKeyThrottle(_SettingsRate, SimpleRateThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        key = partner_key(request)
        if key is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": key.pk}


class TokenIssueThrottle(_SettingsRate, SimpleRateThrottle):
    """Token issuing takes a password: few attempts a minute from one address."""

    scope = "token_issue"

    def get_cache_key(self, request, view):
        if request.method != "POST":
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
