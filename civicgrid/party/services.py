"""Staff writes on the points ledger: reversal and manual adjustment by the organisation
department (组织部), each with a reason. The ledger writes themselves are in ``points``."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from civicgrid.core.errors import NotFound, PermissionDenied, ValidationFailed
from civicgrid.core.scoping import CHANGE, get_scope
from civicgrid.orgs.choices import Role
from civicgrid.orgs.models import Unit
from civicgrid.people.models import InformationOfficer, PartyMember

from .choices import SubjectKind
from .models import PointsEntry
from .points import points_adjust, points_reverse


def may_correct(user) -> bool:
    """Reversals and adjustments are the organisation department's (and the superuser's)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or Role.ORG_DEPARTMENT in get_scope(user).roles


def _require_corrector(actor) -> None:
    if not may_correct(actor):
        raise PermissionDenied(_("只有组织部可以冲正或调整积分。"))


@transaction.atomic
def entry_reverse(*, actor, entry: PointsEntry, reason: str) -> PointsEntry:
    if not PointsEntry.objects.restrict(actor).filter(pk=entry.pk).exists():
        raise NotFound()
    _require_corrector(actor)
    if not PointsEntry.objects.restrict(actor, CHANGE).filter(pk=entry.pk).exists():
        raise PermissionDenied()
    return points_reverse(actor=actor, entry=entry, reason=reason)


SUBJECT_MODELS = {
    SubjectKind.MEMBER: PartyMember,
    SubjectKind.UNIT: Unit,
    SubjectKind.OFFICER: InformationOfficer,
}


def subject_get(*, user, kind: str, pk: int):
    model = SUBJECT_MODELS.get(kind)
    if model is None:
        raise ValidationFailed(_("未知的对象类型。"))
    obj = model.objects.restrict(user).filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


@transaction.atomic
def subject_adjust(*, actor, kind: str, pk: int, points: int, reason: str) -> PointsEntry:
    obj = subject_get(user=actor, kind=kind, pk=pk)
    _require_corrector(actor)
    return points_adjust(actor=actor, points=points, reason=reason, **{kind: obj})
