"""Personal API tokens: issue, find, revoke. Tokens are random; only their hash is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import NotFound, ValidationFailed

from .models import ApiToken

TOKEN_PREFIX = "cgt_"  # partner keys are "cg_…" (civicgrid.partners)
DEFAULT_DAYS = 90
MAX_DAYS = 365
MAX_ACTIVE_PER_USER = 20
# last_used_at is written at most this often per token (a busy client does not write per call).
TOUCH_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the full token, shown once


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_issue(*, actor, user, name: str = "", days: int | None = DEFAULT_DAYS) -> IssuedToken:
    """A new token for ``user`` (the actor is the user, or an administrator on the command line).
    ``days=None`` means no expiry (command line only)."""
    name = (name or "").strip()
    if len(name) > 60:
        raise ValidationFailed(_("名称不能超过 60 字。"), details={"name": [_("过长。")]})
    if days is not None and not (1 <= int(days) <= MAX_DAYS):
        raise ValidationFailed(
            _("有效期须在 1–%(n)d 天之间。") % {"n": MAX_DAYS},
            details={"expires_in_days": [_("超出范围。")]},
        )
    live = Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    active = ApiToken.objects.filter(live, user=user, revoked_at__isnull=True)
    if active.count() >= MAX_ACTIVE_PER_USER:
        raise ValidationFailed(
            _("有效令牌已达 %(n)d 个,请先撤销不用的令牌。") % {"n": MAX_ACTIVE_PER_USER}
        )
    expires = timezone.now() + dt.timedelta(days=int(days)) if days is not None else None
    for _attempt in range(5):
        prefix = secrets.token_hex(4)
        raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user, name=name, prefix=prefix, key_hash=_hash(raw), expires_at=expires
                )
        except IntegrityError:
            continue  # the 8-character prefix was taken: draw again
        return IssuedToken(token=token, secret=raw)
    raise RuntimeError("could not draw a free token prefix")


def token_find(raw: str) -> ApiToken | None:
    """The active token for a presented value, or None (unknown, wrong, expired or revoked)."""
    raw = (raw or "").strip()
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    prefix = raw[len(TOKEN_PREFIX) :].split("_", 1)[0]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(raw)):
        return None
    if not token.active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_list(*, user):
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


@transaction.atomic
def token_revoke(*, actor, token_id: int, user=None) -> ApiToken:
    """Revoke one of ``user``'s tokens (default: the actor's own). Revoking twice is harmless."""
    owner = user if user is not None else actor
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=owner).first()
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
