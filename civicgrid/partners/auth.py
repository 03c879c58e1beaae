"""Authenticating a call by its API key.

``authenticate_key`` is the one check every entry point uses (Open311, the REST API,
webhooks): it finds the key by its prefix, compares hashes in constant time, refuses
revoked and expired keys and suspended partners, checks the scope, and notes the use
(at most once a minute, so a busy key does not write on every call).
"""

from __future__ import annotations

import datetime as dt
import hmac

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.errors import ApplicationError, PermissionDenied

from . import keys
from .models import ApiKey

LAST_USED_EVERY = dt.timedelta(minutes=1)
_DUMMY_HASH = keys.hash_key("cg_00000000_dummy")


class KeyAuthenticationFailed(ApplicationError):
    code = "key_invalid"
    status = 401
    default_message = _("API 密钥无效。")


class KeyMissing(KeyAuthenticationFailed):
    code = "key_missing"
    default_message = _("缺少 API 密钥。")


class KeyRevoked(KeyAuthenticationFailed):
    code = "key_revoked"
    default_message = _("该 API 密钥已被吊销。")


class KeyExpired(KeyAuthenticationFailed):
    code = "key_expired"
    default_message = _("该 API 密钥已过期。")


class PartnerSuspended(PermissionDenied):
    code = "partner_inactive"
    default_message = _("该外部合作方已停用。")


class KeyScopeMissing(PermissionDenied):
    code = "key_scope"
    default_message = _("该 API 密钥无权使用此接口。")


def authenticate_key(raw: str | None, *, scope: str | None) -> ApiKey:
    """The usable key for ``raw``, with its partner and service account loaded.

    ``scope=None`` checks the key only (the caller checks the scope later, as the DRF
    permission does). Raises a ``KeyAuthenticationFailed`` (401) or ``PermissionDenied``
    (403) subclass, each with its own code and message.
    """
    if not raw or not raw.strip():
        raise KeyMissing()
    raw = raw.strip()
    prefix = keys.split_key(raw)
    key = (
        ApiKey.objects.select_related("partner", "partner__user").filter(prefix=prefix).first()
        if prefix
        else None
    )
    supplied = keys.hash_key(raw)
    stored = key.key_hash if key is not None else _DUMMY_HASH
    if not hmac.compare_digest(stored, supplied) or key is None:
        raise KeyAuthenticationFailed()
    now = timezone.now()
    if key.revoked_at is not None:
        raise KeyRevoked()
    if key.expires_at is not None and key.expires_at <= now:
        raise KeyExpired()
    if not key.partner.active or not key.partner.user.is_active:
        raise PartnerSuspended()
    if scope is not None and scope not in key.scopes:
        raise KeyScopeMissing(
            _("该 API 密钥没有“%(scope)s”权限。") % {"scope": scope}, code="key_scope"
        )
    _note_use(key, now)
    return key


def _note_use(key: ApiKey, now) -> None:
    if key.last_used_at is not None and now - key.last_used_at < LAST_USED_EVERY:
        return
    ApiKey.objects.filter(pk=key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_EVERY)
    ).update(last_used_at=now)
    key.last_used_at = now
