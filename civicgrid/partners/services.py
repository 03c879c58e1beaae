"""Writes for partners and their API keys. Only system administrators may call them
(``actor=None`` is the system itself: commands and fixtures); every write is audited."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import Conflict, PermissionDenied, ValidationFailed
from civicgrid.core.scoping import clear_scope_cache
from civicgrid.geo.models import Area
from civicgrid.orgs.choices import Role
from civicgrid.orgs.models import RoleAssignment
from civicgrid.orgs.services import role_assign

from . import keys
from .choices import (
    AUDIT_KEY_ISSUE,
    AUDIT_KEY_REVOKE,
    AUDIT_PARTNER_CREATE,
    AUDIT_PARTNER_UPDATE,
    KeyScope,
)
from .models import ApiKey, Partner

MAX_NAME = 100


def is_system_admin(actor) -> bool:
    """The system itself, a superuser, or a county-wide system administrator."""
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    return actor.is_superuser or (
        RoleAssignment.objects.filter(
            user=actor, role=Role.SYSTEM_ADMIN, active=True, area__isnull=True
        ).exists()
    )


def _require_admin(actor) -> None:
    if not is_system_admin(actor):
        raise PermissionDenied(_("只有系统管理员可以管理外部合作方和 API 密钥。"))


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def partner_create(*, actor, name: str, area: Area, note: str = "", request=None) -> Partner:
    """A partner with its service account (no usable password) holding the partner role
    over ``area``: view, and report cases, inside that subtree."""
    _require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise _invalid("name", _("请填写合作方名称。"))
    if len(name) > MAX_NAME:
        raise _invalid("name", _("合作方名称不能超过 %(n)d 字。") % {"n": MAX_NAME})
    if area is None:
        raise _invalid("area", _("请指定合作方的授权区划。"))
    if len(note or "") > 1000:
        raise _invalid("note", _("备注不能超过 1000 字。"))
    if Partner.objects.filter(name=name).exists():
        raise Conflict(_("已有同名的外部合作方。"), details={"name": [_("已存在。")]})
    user = get_user_model().objects.create_user(
        username=f"partner-{secrets.token_hex(6)}", display_name=name[:50]
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    try:
        with transaction.atomic():
            partner = Partner.objects.create(
                name=name, user=user, area=area, note=note or "", created_by=_actor(actor)
            )
    except IntegrityError:
        raise Conflict(_("已有同名的外部合作方。"), details={"name": [_("已存在。")]})
    role_assign(actor=actor, user=user, role=Role.PARTNER, area=area, request=request)
    audit_record(
        actor=actor,
        action=AUDIT_PARTNER_CREATE,
        obj=partner,
        request=request,
        detail={"name": name, "area": area.pk, "user": user.pk},
    )
    return partner


@transaction.atomic
def partner_set_active(*, actor, partner: Partner, active: bool, request=None) -> Partner:
    """Suspend or restore a partner: its service account and so all its keys stop working."""
    _require_admin(actor)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if partner.active == active:
        return partner
    partner.active = active
    partner.save(update_fields=["active"])
    user = partner.user
    user.is_active = active
    user.save(update_fields=["is_active"])
    clear_scope_cache(user)
    audit_record(
        actor=actor,
        action=AUDIT_PARTNER_UPDATE,
        obj=partner,
        request=request,
        detail={"active": active},
    )
    return partner


def _clean_scopes(scopes) -> list[str]:
    if isinstance(scopes, str):
        scopes = [s for s in scopes.split(",")]
    cleaned = sorted({(s or "").strip() for s in scopes or []} - {""})
    if not cleaned:
        raise _invalid("scopes", _("请至少选择一项权限范围。"))
    unknown = [s for s in cleaned if s not in KeyScope.values]
    if unknown:
        raise _invalid(
            "scopes",
            _("未知的权限范围:%(s)s(可选:%(all)s)。")
            % {"s": "、".join(unknown), "all": "、".join(KeyScope.values)},
        )
    return cleaned


@transaction.atomic
def key_issue(
    *,
    actor,
    partner: Partner,
    scopes,
    expires_at: dt.datetime | None = None,
    request=None,
) -> tuple[ApiKey, str]:
    """Issue a key; returns the row and the raw key, which is never stored and shown only now."""
    _require_admin(actor)
    scopes = _clean_scopes(scopes)
    if not partner.active:
        raise _invalid("partner", _("该合作方已停用,不能签发密钥。"))
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            raise _invalid("expires_at", _("到期时间须带时区。"))
        if expires_at <= timezone.now():
            raise _invalid("expires_at", _("到期时间须晚于当前时间。"))
    for _attempt in range(5):
        prefix = keys.new_prefix()
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    else:  # pragma: no cover - 36^8 prefixes
        raise Conflict(_("生成密钥失败,请重试。"))
    raw = keys.new_key(prefix)
    key = ApiKey.objects.create(
        partner=partner,
        prefix=prefix,
        key_hash=keys.hash_key(raw),
        scopes=scopes,
        expires_at=expires_at,
        created_by=_actor(actor),
    )
    audit_record(
        actor=actor,
        action=AUDIT_KEY_ISSUE,
        obj=key,
        request=request,
        detail={
            "partner": partner.pk,
            "prefix": prefix,
            "scopes": scopes,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return key, raw


@transaction.atomic
def key_revoke(*, actor, key: ApiKey, request=None) -> ApiKey:
    _require_admin(actor)
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is not None:
        raise Conflict(_("该密钥已吊销。"))
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action=AUDIT_KEY_REVOKE,
        obj=key,
        request=request,
        detail={"partner": key.partner_id, "prefix": key.prefix},
    )
    return key
