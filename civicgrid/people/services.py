"""Writes for the people registry. Every write checks scope and validates PII."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import NotFound, PermissionDenied, ValidationFailed
from civicgrid.core.models import AuditLog
from civicgrid.core.scoping import CHANGE
from civicgrid.core.validators import (
    birth_date_from_id,
    gender_from_id,
    validate_id_number,
    validate_phone,
)
from civicgrid.geo.models import Grid
from civicgrid.orgs.access import can_act_on

from .models import Household, PartyMember, Resident, Visit

PII_FIELDS = ("id_number", "phone")


def clean_pii(*, id_number: str = "", phone: str = "") -> tuple[str, str]:
    """Validate and normalise; raise ValidationFailed naming the field and rule."""
    errors: dict[str, list[str]] = {}
    if id_number:
        try:
            id_number = validate_id_number(id_number)
        except ValidationError as e:
            errors["id_number"] = e.messages
    if phone:
        try:
            phone = validate_phone(phone)
        except ValidationError as e:
            errors["phone"] = e.messages
    if errors:
        raise ValidationFailed(_("身份证号或手机号有误。"), details=errors)
    return id_number, phone


def _check_grid(actor, grid: Grid) -> None:
    if actor is not None and not Grid.objects.restrict(actor, CHANGE).filter(pk=grid.pk).exists():
        raise PermissionDenied(_("您无权在该网格登记居民。"))


@transaction.atomic
def resident_create(
    *, actor, name: str, grid: Grid, id_number: str = "", phone: str = "", gender: str = "",
    birth_date: dt.date | None = None, address: str = "", household: Household | None = None,
    attention_level: str = "green", special_groups=(),
) -> Resident:
    _check_grid(actor, grid)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("姓名不能为空。"), details={"name": [_("姓名不能为空。")]})
    id_number, phone = clean_pii(id_number=id_number, phone=phone)
    if id_number:
        gender = gender or gender_from_id(id_number)
        birth_date = birth_date or birth_date_from_id(id_number)
    if not gender:
        raise ValidationFailed(_("请填写性别或身份证号。"), details={"gender": [_("请填写性别。")]})
    if household is not None and household.grid_id != grid.pk:
        raise ValidationFailed(_("户所在网格与居民网格不一致。"))
    resident = Resident(
        name=name, gender=gender, birth_date=birth_date, address=address, area_id=grid.community_id,
        grid=grid, household=household, attention_level=attention_level,
    )
    resident.set_pii(id_number=id_number, phone=phone)
    resident.full_clean(exclude=["id_number", "phone"])
    resident.save()
    if special_groups:
        resident.special_groups.set(special_groups)
    return resident


@transaction.atomic
def resident_update(*, actor, resident: Resident, **changes) -> Resident:
    if not can_act_on(actor, resident, CHANGE):
        raise NotFound()
    groups = changes.pop("special_groups", None)
    id_number, phone = changes.pop("id_number", None), changes.pop("phone", None)
    if id_number is not None or phone is not None:
        id_clean, phone_clean = clean_pii(id_number=id_number or "", phone=phone or "")
        resident.set_pii(id_number=id_clean if id_number is not None else None,
                         phone=phone_clean if phone is not None else None)
    for key, value in changes.items():
        if key not in {"name", "gender", "birth_date", "address", "attention_level", "relation_to_head"}:
            raise ValidationFailed(_("不可修改的字段:%(f)s") % {"f": key})
        setattr(resident, key, value)
    resident.full_clean(exclude=["id_number", "phone", "household"])
    resident.save()
    if groups is not None:
        resident.special_groups.set(groups)
    return resident


@transaction.atomic
def visit_record(*, actor, resident: Resident, notes: str, needs: str = "", attention_level: str = "",
                 visited_at=None) -> Visit:
    if not can_act_on(actor, resident, CHANGE):
        raise NotFound()
    notes = (notes or "").strip()
    if not notes:
        raise ValidationFailed(_("走访记录不能为空。"), details={"notes": [_("走访记录不能为空。")]})
    if len(notes) > 4000:
        raise ValidationFailed(_("走访记录不能超过4000字。"), details={"notes": [_("不能超过4000字。")]})
    visit = Visit.objects.create(
        resident=resident, area_id=resident.area_id, grid_id=resident.grid_id, visitor=actor,
        visited_at=visited_at or timezone.now(), notes=notes, needs=needs, attention_level=attention_level,
    )
    if attention_level and attention_level != resident.attention_level:
        resident.attention_level = attention_level
        resident.save(update_fields=["attention_level", "updated_at"])
    return visit


@transaction.atomic
def pii_reveal(*, actor, obj: Resident | PartyMember, field: str, request=None) -> str:
    """Return the full value of an encrypted field, writing an audit row. Needs reveal_pii."""
    if field not in PII_FIELDS:
        raise ValidationFailed(_("该字段不可查看。"))
    if not type(obj).objects.restrict(actor).filter(pk=obj.pk).exists():
        raise NotFound()
    if not can_act_on(actor, obj, "reveal_pii"):
        raise PermissionDenied(_("您没有查看完整个人信息的权限。"))
    audit_record(actor=actor, action=AuditLog.Action.REVEAL, obj=obj, field=field, request=request)
    return getattr(obj, field)
