"""Writes for the people registry. Every write checks scope and validates PII."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.core.models import AuditLog
from civicgrid.core.scoping import CHANGE, VIEW
from civicgrid.core.validators import (
    birth_date_from_id,
    gender_from_id,
    validate_id_number,
    validate_phone,
)
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.access import can_act_on, require_scope
from civicgrid.orgs.models import PartyOrganization, Unit

from .choices import LandlordLinkKind, PartyMemberRole
from .models import Household, InformationOfficer, LandlordLink, PartyMember, Resident, Visit

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
    *,
    actor,
    name: str,
    grid: Grid,
    id_number: str = "",
    phone: str = "",
    gender: str = "",
    birth_date: dt.date | None = None,
    address: str = "",
    household: Household | None = None,
    attention_level: str = "green",
    special_groups=(),
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
        name=name,
        gender=gender,
        birth_date=birth_date,
        address=address,
        area_id=grid.community_id,
        grid=grid,
        household=household,
        attention_level=attention_level,
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
        resident.set_pii(
            id_number=id_clean if id_number is not None else None,
            phone=phone_clean if phone is not None else None,
        )
    for key, value in changes.items():
        if key not in {
            "name",
            "gender",
            "birth_date",
            "address",
            "attention_level",
            "relation_to_head",
        }:
            raise ValidationFailed(_("不可修改的字段:%(f)s") % {"f": key})
        setattr(resident, key, value)
    resident.full_clean(exclude=["id_number", "phone", "household"])
    resident.save()
    if groups is not None:
        resident.special_groups.set(groups)
    return resident


@transaction.atomic
def visit_record(
    *,
    actor,
    resident: Resident,
    notes: str,
    needs: str = "",
    attention_level: str = "",
    visited_at=None,
) -> Visit:
    if not can_act_on(actor, resident, CHANGE):
        raise NotFound()
    notes = (notes or "").strip()
    if not notes:
        raise ValidationFailed(
            _("走访记录不能为空。"), details={"notes": [_("走访记录不能为空。")]}
        )
    if len(notes) > 4000:
        raise ValidationFailed(
            _("走访记录不能超过4000字。"), details={"notes": [_("不能超过4000字。")]}
        )
    visit = Visit.objects.create(
        resident=resident,
        area_id=resident.area_id,
        grid_id=resident.grid_id,
        visitor=actor,
        visited_at=visited_at or timezone.now(),
        notes=notes,
        needs=needs,
        attention_level=attention_level,
    )
    if attention_level and attention_level != resident.attention_level:
        resident.attention_level = attention_level
        resident.save(update_fields=["attention_level", "updated_at"])
    for hook in getattr(settings, "CIVICGRID_VISIT_HOOKS", ()):
        import_string(hook)(visit)  # e.g. points for a visit by a party member (docs/party.md)
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


# ---------------------------------------------------------------- party members
ROLE_FLAGS = {
    PartyMemberRole.CENTRAL_HOUSEHOLD: "is_central_household",
    PartyMemberRole.BUILDING_CHIEF: "is_building_chief",
    PartyMemberRole.LANE_CHIEF: "is_lane_chief",
    PartyMemberRole.PARTY_LANDLORD: "is_party_landlord",
}


def _invalid(field: str, message) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def _apply_roles(member: PartyMember, roles) -> None:
    roles = set(roles)
    unknown = roles - set(ROLE_FLAGS)
    if unknown:
        raise _invalid("roles", _("未知的党员身份:%(r)s") % {"r": "、".join(sorted(unknown))})
    if member.pk:
        if PartyMemberRole.CENTRAL_HOUSEHOLD not in roles and member.information_officers.exists():
            raise Conflict(_("该中心户下仍有信息员,请先调整信息员再取消中心户身份。"))
        if PartyMemberRole.PARTY_LANDLORD not in roles and member.landlord_links.exists():
            raise Conflict(_("该党员房东仍联系着房东或租户,请先解除联系再取消身份。"))
    for role, flag in ROLE_FLAGS.items():
        setattr(member, flag, role in roles)


def _check_member_pii_unique(member: PartyMember) -> None:
    if (
        member.id_number_index
        and PartyMember.objects.filter(id_number_index=member.id_number_index)
        .exclude(pk=member.pk)
        .exists()
    ):
        raise Conflict(_("该身份证号已登记为党员。"), details={"id_number": [_("已登记。")]})


def _place(actor, *, area: Area | None, grid: Grid | None) -> tuple[Area, Grid | None]:
    if grid is not None:
        require_scope(actor, grid, CHANGE)
        return grid.community, grid
    if area is None:
        raise _invalid("area", _("请指定居住社区或网格。"))
    require_scope(actor, area, CHANGE)
    if area.level != Area.Level.COMMUNITY:
        raise _invalid("area", _("居住地须为社区/村。"))
    return area, None


@transaction.atomic
def party_member_create(
    *,
    actor,
    name: str,
    organization: PartyOrganization,
    area: Area | None = None,
    grid: Grid | None = None,
    id_number: str = "",
    phone: str = "",
    gender: str = "",
    birth_date: dt.date | None = None,
    work_unit: Unit | None = None,
    resident: Resident | None = None,
    joined_on: dt.date | None = None,
    roles=(),
) -> PartyMember:
    """Register a party member living in ``grid`` (or ``area``, a community).

    The organisation, work unit and resident file must be visible to the actor.
    """
    area, grid = _place(actor, area=area, grid=grid)
    for obj in (organization, work_unit, resident):
        require_scope(actor, obj, VIEW)
    if resident is not None and PartyMember.objects.filter(resident=resident).exists():
        raise Conflict(_("该居民已关联党员档案。"))
    name = (name or "").strip()
    if not name:
        raise _invalid("name", _("姓名不能为空。"))
    id_number, phone = clean_pii(id_number=id_number, phone=phone)
    if id_number:
        gender = gender or gender_from_id(id_number)
        birth_date = birth_date or birth_date_from_id(id_number)
    if not gender:
        raise _invalid("gender", _("请填写性别或身份证号。"))
    member = PartyMember(
        name=name,
        gender=gender,
        birth_date=birth_date,
        organization=organization,
        work_unit=work_unit,
        area=area,
        grid=grid,
        resident=resident,
        joined_on=joined_on,
    )
    member.set_pii(id_number=id_number, phone=phone)
    _apply_roles(member, roles)
    _check_member_pii_unique(member)
    member.full_clean(exclude=["id_number", "phone"])
    member.save()
    return member


MEMBER_EDITABLE = frozenset(
    {
        "name",
        "gender",
        "birth_date",
        "joined_on",
        "organization",
        "work_unit",
        "grid",
        "area",
        "id_number",
        "phone",
        "roles",
    }
)


@transaction.atomic
def party_member_update(*, actor, party_member: PartyMember, **changes) -> PartyMember:
    require_scope(actor, party_member, CHANGE)
    unknown = set(changes) - MEMBER_EDITABLE
    if unknown:
        raise ValidationFailed(_("不可修改的字段:%(f)s") % {"f": "、".join(sorted(unknown))})
    member = party_member
    if "grid" in changes or "area" in changes:
        member.area, member.grid = _place(
            actor, area=changes.pop("area", None) or member.area, grid=changes.pop("grid", None)
        )
    for key in ("organization", "work_unit"):
        if changes.get(key) is not None:
            require_scope(actor, changes[key], VIEW)
    id_number, phone = changes.pop("id_number", None), changes.pop("phone", None)
    if id_number is not None or phone is not None:
        id_clean, phone_clean = clean_pii(id_number=id_number or "", phone=phone or "")
        member.set_pii(
            id_number=id_clean if id_number is not None else None,
            phone=phone_clean if phone is not None else None,
        )
    if "roles" in changes:
        _apply_roles(member, changes.pop("roles"))
    for key, value in changes.items():
        setattr(member, key, value.strip() if isinstance(value, str) else value)
    _check_member_pii_unique(member)
    member.full_clean(exclude=["id_number", "phone", "resident"])
    member.save()
    return member


def _same_community(member_area_id: int, households, field: str = "households") -> list[Household]:
    households = list(households)
    outside = [h.number for h in households if h.area_id != member_area_id]
    if outside:
        raise ValidationFailed(_("联系户须在同一社区内。"), details={field: outside})
    return households


@transaction.atomic
def party_member_set_central_household(
    *, actor, party_member: PartyMember, enabled: bool = True, households=()
) -> PartyMember:
    """Make a member a central household (党员中心户) serving ``households``, or stop it."""
    require_scope(actor, party_member, CHANGE)
    households = _same_community(party_member.area_id, households)
    for h in households:
        require_scope(actor, h, VIEW)
    if not enabled:
        if party_member.information_officers.exists():
            raise Conflict(_("该中心户下仍有信息员,请先调整信息员再取消中心户身份。"))
        households = []
    party_member.is_central_household = enabled
    party_member.save(update_fields=["is_central_household"])
    party_member.served_households.set(households)
    return party_member


def officer_limits() -> tuple[int, int]:
    """(officers per central household, households per officer): refused beyond these."""
    return (
        settings.CIVICGRID_CENTRAL_HOUSEHOLD_MAX_OFFICERS,
        settings.CIVICGRID_OFFICER_MAX_HOUSEHOLDS,
    )


@transaction.atomic
def information_officer_assign(
    *, actor, resident: Resident, central_household: PartyMember, households=(), user=None
) -> InformationOfficer:
    """Make ``resident`` an information officer under a central household, serving ``households``.

    Re-assigning an existing officer replaces their central household and households. Refuses
    more officers per central household or more households per officer than the configured
    limits, and households already served by another officer.
    """
    require_scope(actor, central_household, CHANGE)
    require_scope(actor, resident, VIEW)
    if not central_household.is_central_household:
        raise _invalid("central_household", _("所选党员不是党员中心户。"))
    if resident.area_id != central_household.area_id:
        raise _invalid("resident", _("信息员须与党员中心户在同一社区。"))
    max_officers, max_households = officer_limits()
    PartyMember.objects.select_for_update().filter(pk=central_household.pk).exists()
    others = central_household.information_officers.exclude(resident=resident).count()
    if others >= max_officers:
        raise ValidationFailed(
            _("每个党员中心户最多联系%(n)d名信息员。") % {"n": max_officers},
            details={"central_household": [_("信息员已满。")]},
        )
    households = _same_community(resident.area_id, households)
    for h in households:
        require_scope(actor, h, VIEW)
    if len(households) > max_households:
        raise ValidationFailed(
            _("每名信息员最多联系%(n)d户(现为%(m)d户)。")
            % {"n": max_households, "m": len(households)},
            details={"households": [_("联系户过多。")]},
        )
    taken = list(
        Household.objects.filter(
            pk__in=[h.pk for h in households], information_officers__isnull=False
        )
        .exclude(information_officers__resident=resident)
        .values_list("number", flat=True)
    )
    if taken:
        raise Conflict(_("部分户已由其他信息员联系。"), details={"households": taken})
    if (
        user is not None
        and InformationOfficer.objects.filter(user=user).exclude(resident=resident).exists()
    ):
        raise Conflict(_("该登录账号已关联其他信息员。"))
    officer, _created = InformationOfficer.objects.update_or_create(
        resident=resident,
        defaults={
            "central_household": central_household,
            "user": user,
            "area_id": resident.area_id,
            "grid_id": resident.grid_id,
        },
    )
    officer.households.set(households)
    return officer


@transaction.atomic
def information_officer_remove(*, actor, officer: InformationOfficer) -> None:
    require_scope(actor, officer, CHANGE)
    officer.delete()


@transaction.atomic
def landlord_link_add(
    *, actor, party_member: PartyMember, resident: Resident, kind: str
) -> LandlordLink:
    """Party landlord 1+N: link another landlord or a tenant to a party landlord."""
    require_scope(actor, party_member, CHANGE)
    require_scope(actor, resident, VIEW)
    if not party_member.is_party_landlord:
        raise _invalid("party_member", _("该党员不是党员房东。"))
    if kind not in LandlordLinkKind.values:
        raise _invalid("kind", _("未知的联系类型。"))
    if resident.area_id != party_member.area_id:
        raise _invalid("resident", _("联系对象须与党员房东在同一社区。"))
    if party_member.resident_id == resident.pk:
        raise _invalid("resident", _("不能联系自己。"))
    link, created = LandlordLink.objects.get_or_create(
        party_member=party_member, resident=resident, defaults={"kind": kind}
    )
    if not created:
        raise Conflict(_("已有该联系。"))
    return link


@transaction.atomic
def landlord_link_remove(*, actor, link: LandlordLink) -> None:
    require_scope(actor, link, CHANGE)
    link.delete()
