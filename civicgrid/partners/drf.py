"""Django REST Framework glue: authenticate by API key, and require a key scope per view.

authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
permission_classes = [IsAuthenticated, HasKeyScope(read="api:read", write="api:write")]
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission

from civicgrid.core.errors import ApplicationError

from .auth import KeyAuthenticationFailed, authenticate_key
from .models import ApiKey

HEADER_KEYWORD = "Api-Key"


def key_from_headers(request) -> str | None:
    """The raw key from ``X-Api-Key: <key>`` or ``Authorization: Api-Key <key>``, if any."""
    meta = getattr(request, "META", {})
    raw = meta.get("HTTP_X_API_KEY")
    if raw:
        return raw.strip()
    auth = meta.get("HTTP_AUTHORIZATION", "")
    keyword, _sep, value = auth.strip().partition(" ")
    if keyword.lower() == HEADER_KEYWORD.lower() and value.strip():
        return value.strip()
    return None


class ApiKeyAuthentication(BaseAuthentication):
    """Returns ``(partner.user, key)``; a request without a key is left to other classes."""

    def authenticate(self, request):
        raw = key_from_headers(request)
        if raw is None:
            return None
        try:
            key = authenticate_key(raw, scope=None)
        except KeyAuthenticationFailed as e:
            raise exceptions.AuthenticationFailed(str(e.message), code=e.code)
        except ApplicationError as e:  # a suspended partner: 403
            raise exceptions.PermissionDenied(str(e.message), code=e.code)
        return (key.partner.user, key)

    def authenticate_header(self, request) -> str:
        return HEADER_KEYWORD


def HasKeyScope(scope: str | None = None, *, read: str | None = None, write: str | None = None):  # noqa: N802
    """A permission class: a request authenticated by key must carry ``scope`` (or ``read``
    for safe methods and ``write`` for the others). Other requests pass through."""
    if scope is None and read is None and write is None:
        raise ValueError("HasKeyScope needs a scope, or read and/or write scopes")

    class _HasKeyScope(BasePermission):
        message = _("该 API 密钥无权使用此接口。")

        def has_permission(self, request, view) -> bool:
            key = getattr(request, "auth", None)
            if not isinstance(key, ApiKey):
                return True
            needed = scope or (read if request.method in SAFE_METHODS else write)
            if needed is None:
                return False
            if needed not in key.scopes:
                self.message = _("该 API 密钥没有“%(scope)s”权限。") % {"scope": needed}
                return False
            return True

    _HasKeyScope.__name__ = f"HasKeyScope({scope or f'read={read}, write={write}'})"
    return _HasKeyScope
