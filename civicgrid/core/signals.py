"""Sign-in, sign-out, failed sign-ins and lock-outs go into the audit log (等保 安全审计).

Receivers of Django's and django-axes' authentication signals, connected in CoreConfig.ready;
they only write the audit row (no other logic)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from .audit import audit_record
from .models import AuditLog


def _username(credentials) -> str:
    return str((credentials or {}).get("username", ""))[:150]


def on_login(sender, request, user, **kwargs):
    audit_record(actor=user, action=AuditLog.Action.LOGIN, obj=user, request=request)
    session = getattr(request, "session", None)
    if session is not None:
        # The idle clock starts at sign-in, so the first page does not write the session again.
        import time

        from .middleware import IDLE_KEY

        session[IDLE_KEY] = int(time.time())


def on_logout(sender, request, user, **kwargs):
    if user is not None and getattr(user, "is_authenticated", False):
        reason = getattr(request, "_civicgrid_logout_reason", "")
        action = AuditLog.Action.IDLE_LOGOUT if reason == "idle" else AuditLog.Action.LOGOUT
        audit_record(actor=user, action=action, obj=user, request=request)


def on_login_failed(sender, credentials, request=None, **kwargs):
    audit_record(
        actor=None,
        action=AuditLog.Action.LOGIN_FAILED,
        detail={"username": _username(credentials)},
        request=request,
    )


def on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit_record(
        actor=None,
        action=AuditLog.Action.LOCKED_OUT,
        detail={"username": str(username or "")[:150]},
        request=request,
    )


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(on_login, dispatch_uid="civicgrid-audit-login")
    user_logged_out.connect(on_logout, dispatch_uid="civicgrid-audit-logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="civicgrid-audit-login-failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="civicgrid-audit-locked-out")
