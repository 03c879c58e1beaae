"""Who a signed-in person is to the party app: a party member (PartyMember.user), a unit's
contact (a UNIT_CONTACT role assignment bound to the unit), or staff (a scope over areas).

Members and unit contacts hold no staff scope: staff pages refuse them and send them to
their own pages (``middleware.ParticipantLandingMiddleware``).
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import Conflict, ValidationFailed
from civicgrid.core.models import AuditLog
from civicgrid.core.scoping import get_scope
from civicgrid.orgs.access import require_scope
from civicgrid.orgs.choices import Role
from civicgrid.orgs.models import RoleAssignment, Unit
from civicgrid.people.models import PartyMember

# No 0/O, 1/l/I: an initial password read aloud or copied from a screen.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def member_of(user) -> PartyMember | None:
    """The party member who signs in as ``user`` (cached on the user for the request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cache = user.__dict__
    if "_party_member" not in cache:
        cache["_party_member"] = (
            PartyMember.objects.select_related("area", "grid", "organization", "work_unit")
            .filter(user=user)
            .first()
        )
    return cache["_party_member"]


def contact_units(user) -> list[Unit]:
    """The units whose party organisation ``user`` reports for (单位联络人)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cache = user.__dict__
    if "_party_units" not in cache:
        ids = RoleAssignment.objects.filter(
            user=user, role=Role.UNIT_CONTACT, active=True, unit__isnull=False
        ).values("unit_id")
        cache["_party_units"] = list(Unit.objects.filter(pk__in=ids).select_related("area"))
    return cache["_party_units"]


def is_participant(user) -> bool:
    """A member or a unit contact with no staff scope: they get the member pages only."""
    if user is None or not getattr(user, "is_authenticated", False) or user.is_superuser:
        return False
    if not get_scope(user).empty:
        return False
    return member_of(user) is not None or bool(contact_units(user))


def is_staff_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or not get_scope(user).empty
    )


def initial_password(length: int = 10) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


@transaction.atomic
def member_login_create(*, actor, member: PartyMember, request=None) -> tuple[object, str]:
    """Give a party member a sign-in: the member's mobile number is the user name, the
    initial password is returned once (shown to the staff member, never stored in clear).
    Needs "change" on the member. Audited."""
    require_scope(actor, member)
    member = PartyMember.objects.select_for_update().get(pk=member.pk)
    if member.user_id:
        raise Conflict(_("该党员已有登录账号。"))
    phone = (member.phone or "").strip()
    if not phone:
        raise ValidationFailed(_("该党员没有登记手机号,无法开通账号。"))
    User = get_user_model()
    if User.objects.filter(username=phone).exists():
        raise Conflict(_("该手机号已被其他账号使用。"))
    password = initial_password()
    fields = {"username": phone}
    if any(f.name == "display_name" for f in User._meta.get_fields()):
        fields["display_name"] = member.name
    user = User.objects.create_user(password=password, **fields)
    member.user = user
    member.save(update_fields=["user"])
    audit_record(
        actor=actor,
        action=AuditLog.Action.ROLE_ASSIGN,
        obj=member,
        detail={"login": "party_member"},
        request=request,
    )
    return user, password


@transaction.atomic
def unit_contact_assign(*, actor, unit: Unit, user) -> RoleAssignment:
    """Make ``user`` the contact (party secretary) who reports for ``unit``. Needs "change"
    on the unit (the community or street staff of the unit's area)."""
    require_scope(actor, unit)
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user,
        role=Role.UNIT_CONTACT,
        area=None,
        grid=None,
        unit=unit,
        defaults={"active": True},
    )
    if not assignment.active:
        assignment.active = True
        assignment.save(update_fields=["active"])
    audit_record(
        actor=actor,
        action=AuditLog.Action.ROLE_ASSIGN,
        obj=assignment,
        detail={"role": Role.UNIT_CONTACT},
    )
    return assignment
