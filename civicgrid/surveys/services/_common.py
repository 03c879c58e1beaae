from __future__ import annotations

from django.utils.translation import gettext as _

from civicgrid.core.errors import NotFound, PermissionDenied, ValidationFailed
from civicgrid.core.scoping import CHANGE, VIEW
from civicgrid.geo.models import Area
from civicgrid.orgs.access import require_scope


def require_area(actor, area: Area | None, action: str = CHANGE) -> None:
    """The actor may act over the area (None is the system)."""
    if actor is None:
        return
    if area is None:
        raise ValidationFailed(_("请选择区划。"), details={"area": [_("必填。")]})
    if Area.objects.restrict(actor, action).filter(pk=area.pk).exists():
        return
    if action != VIEW and Area.objects.restrict(actor, VIEW).filter(pk=area.pk).exists():
        raise PermissionDenied()
    raise NotFound()


def require_obj(actor, obj, action: str = CHANGE) -> None:
    require_scope(actor, obj, action)


def clean_text(
    value: str, *, field: str, label: str, max_length: int, required: bool = True
) -> str:
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


def subtree_ids(area: Area) -> list[int]:
    return list(Area.objects.filter(path__startswith=area.path).values_list("id", flat=True))


def home_area(user) -> Area | None:
    """The community (or street) a staff member works in: their first active assignment."""
    from civicgrid.orgs.models import RoleAssignment

    a = (
        RoleAssignment.objects.filter(user=user, active=True)
        .select_related("area", "grid__community", "unit__area")
        .order_by("id")
        .first()
    )
    if a is None:
        return None
    if a.area_id:
        return a.area
    if a.grid_id:
        return a.grid.community
    if a.unit_id:
        return a.unit.area
    return None
