from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: staff, party member or resident."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class AuditLog(models.Model):
    """Append-only record of sensitive reads and bulk operations (PIPL)."""

    class Action(models.TextChoices):
        REVEAL = "reveal", _("查看完整个人信息")
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")
        SEARCH = "search", _("按证件/电话检索")
        KEY_ROTATION = "key_rotation", _("密钥轮换")
        ROLE_ASSIGN = "role_assign", _("任命角色")
        ROLE_REVOKE = "role_revoke", _("撤销角色")
        LOGIN = "login", _("登录")
        LOGOUT = "logout", _("退出登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKED_OUT = "locked_out", _("账号锁定")
        IDLE_LOGOUT = "idle_logout", _("超时自动退出")
        PRUNE = "prune", _("归档清理审计日志")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("动作"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    field = models.CharField(_("字段"), max_length=40, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only (old rows leave only through prune_audit).")
