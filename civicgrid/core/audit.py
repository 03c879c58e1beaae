from __future__ import annotations

from typing import Any

from .models import AuditLog


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR")


def audit_record(
    *,
    actor,
    action: str,
    obj: Any = None,
    field: str = "",
    detail: dict | None = None,
    request=None,
) -> AuditLog:
    object_type = obj._meta.label_lower if obj is not None and hasattr(obj, "_meta") else ""
    object_id = str(obj.pk) if obj is not None and hasattr(obj, "pk") else ""
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        field=field,
        detail=detail or {},
        ip_address=client_ip(request),
    )
