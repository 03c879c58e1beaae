from django.db import models
from django.utils.translation import gettext_lazy as _


class KeyScope(models.TextChoices):
    """What an API key may be used for. A key carries one or more of these."""

    OPEN311 = "open311", _("Open311 接口")
    API_READ = "api:read", _("REST API 读取")
    API_WRITE = "api:write", _("REST API 写入")
    WEBHOOKS = "webhooks", _("Webhook 订阅")


# Audit log actions written by the partner services (core.AuditLog.action).
AUDIT_PARTNER_CREATE = "partner_create"
AUDIT_PARTNER_UPDATE = "partner_update"
AUDIT_KEY_ISSUE = "api_key_issue"
AUDIT_KEY_REVOKE = "api_key_revoke"
