"""Who may call the API at all. What they may see and do is decided by scoping and the domain
services; this only demands a caller, and for partner keys the matching key scope."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from .models import ApiToken

READ_SCOPE = "api:read"
WRITE_SCOPE = "api:write"


def partner_key(request):
    """The partner API key the request was authenticated with, or None."""
    auth = getattr(request, "auth", None)
    if auth is None or isinstance(auth, ApiToken):
        return None
    try:
        from civicgrid.partners.models import ApiKey
    except ImportError:  # the partners app is not installed
        return None
    return auth if isinstance(auth, ApiKey) else None


def key_has_scope(key, scope: str) -> bool:
    scopes = getattr(key, "scopes", None) or []
    return scope in scopes


class ApiAccess(permissions.BasePermission):
    """A signed-in user, a personal token, or a partner key with api:read (reads) or
    api:write (writes)."""

    message = _("该接口密钥没有此操作所需的权限范围。")

    def has_permission(self, request, view) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        key = partner_key(request)
        if key is None:
            return True
        needed = READ_SCOPE if request.method in permissions.SAFE_METHODS else WRITE_SCOPE
        return key_has_scope(key, needed)
