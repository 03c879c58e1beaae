from __future__ import annotations

from typing import Any

from django.conf import settings

from .models import AuditLog


def client_ip(request) -> str | None:
    """The client's address. Behind a reverse proxy REMOTE_ADDR is the proxy's: when it is one
    of CIVICGRID_TRUSTED_PROXIES, the address is read from X-Forwarded-For, right to left,
    skipping the trusted proxies — the left part is whatever the client sent and is never
    believed. Used for the audit log, django-axes' lock-out and the public rate limits."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR")
    trusted = set(getattr(settings, "CIVICGRID_TRUSTED_PROXIES", ()))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if remote not in trusted or not forwarded:
        return remote
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        if hop not in trusted:
            return hop
    return remote


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
