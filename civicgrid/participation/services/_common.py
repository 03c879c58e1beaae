"""Shared helpers of the participation services: the ledger row and scope checks."""

from __future__ import annotations

from django.utils.translation import gettext as _

from civicgrid.core.errors import ValidationFailed
from civicgrid.core.scoping import CHANGE
from civicgrid.orgs.access import require_scope

from ..models import ParticipationEvent


def log(*, actor, area, action: str, obj, data: dict | None = None) -> ParticipationEvent:
    return ParticipationEvent.objects.create(
        area=area,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=obj.pk,
        data=data or {},
    )


def require_change(actor, obj) -> None:
    """NotFound when the actor cannot see obj, PermissionDenied when they may only read it."""
    require_scope(actor, obj, CHANGE)


def clean_text(value: str, *, field: str, label, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(
            _("请填写%(f)s。") % {"f": label}, details={field: [_("不能为空。")]}
        )
    if len(value) > max_length:
        raise ValidationFailed(
            _("%(f)s不能超过 %(n)d 字。") % {"f": label, "n": max_length},
            details={field: [_("过长。")]},
        )
    return value
