"""Reads for core: the audit log."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .errors import PermissionDenied
from .models import AuditLog
from .scoping import get_scope


def can_read_audit_log(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    readers = set(settings.CIVICGRID_AUDIT_READER_ROLES)
    return user.is_superuser or bool(get_scope(user).roles & readers)


def audit_log_list(
    *,
    user,
    actor: str = "",
    action: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditLog]:
    """Audit rows, newest first, for system administrators and the organisation department,
    inside the reader's areas."""
    if not can_read_audit_log(user):
        raise PermissionDenied()
    qs = AuditLog.objects.select_related("actor").order_by("-at", "-id")
    scope = get_scope(user)
    if not (user.is_superuser or scope.everything):
        # A reader bound to a street sees what people holding roles inside that street did;
        # rows without a person (failed sign-ins, the system) only county-wide readers see.
        from django.apps import apps

        assignments = apps.get_model("orgs", "RoleAssignment").objects.restrict(user)
        qs = qs.filter(actor_id__in=assignments.values("user_id"))
    if actor:
        qs = qs.filter(actor__username=actor.strip())
    if action:
        qs = qs.filter(action=action)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(
            at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        )
    return qs
