"""Who may act for whom: community staff (CHANGE over the community), a unit's users (an
active role assignment bound to the unit), a party member (their own login)."""

from __future__ import annotations

from civicgrid.core.scoping import CHANGE
from civicgrid.geo.models import Area
from civicgrid.orgs.models import RoleAssignment


def is_authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def staff_over(user, area_id: int | None) -> bool:
    """Community (or street, county) staff who may change rows of this community."""
    if not is_authenticated(user) or area_id is None:
        return False
    return Area.objects.restrict(user, CHANGE).filter(pk=area_id).exists()


def acts_for_unit(user, unit) -> bool:
    """A login bound to the unit (its role assignment), e.g. the unit's party contact."""
    if not is_authenticated(user) or unit is None:
        return False
    return RoleAssignment.objects.filter(user=user, unit=unit, active=True).exists()


def units_of(user) -> list:
    from civicgrid.orgs.models import Unit

    if not is_authenticated(user):
        return []
    ids = RoleAssignment.objects.filter(user=user, active=True, unit__isnull=False).values(
        "unit_id"
    )
    return list(Unit.objects.filter(pk__in=ids).order_by("name"))


def member_of(user):
    """The party member whose login this is, or None."""
    if not is_authenticated(user):
        return None
    from civicgrid.people.models import PartyMember

    return PartyMember.objects.filter(user=user).select_related("area", "grid", "work_unit").first()


def owns_wish(user, wish) -> bool:
    """The resident whose wish it is: the portal login that posted it, or a portal login with
    the phone the wish was posted for."""
    if not is_authenticated(user):
        return False
    if wish.owner_id is not None and wish.owner_id == user.pk:
        return True
    if not wish.owner_phone_index:
        return False
    account = getattr(user, "portal_account", None)
    return account is not None and account.phone_index == wish.owner_phone_index
