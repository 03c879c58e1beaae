"""How API callers prove who they are: a personal token (``Authorization: Bearer cgt_…``),
the browser session (with CSRF), or a partner API key (``civicgrid.partners``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .tokens import token_find


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer cgt_…``; requests without a bearer token are left to the others."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Authorization 请求头格式不正确。"))
        token = token_find(header[1].decode("latin-1"))
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已撤销。"))
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """The signed-in browser; unsafe methods need the CSRF token as the pages do."""
