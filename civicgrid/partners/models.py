from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Partner(models.Model):
    """An outside application (a city platform, an app vendor) that talks to CivicGrid.

    Its service account ``user`` holds the partner role over ``area``, so every scoped
    queryset (``Model.objects.restrict(partner.user, action)``) works for it unchanged.
    """

    name = models.CharField(_("名称"), max_length=100, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="partner",
        verbose_name=_("服务账号"),
    )
    area = models.ForeignKey(
        "geo.Area",
        on_delete=models.PROTECT,
        related_name="partners",
        verbose_name=_("授权区划"),
    )
    note = models.TextField(_("备注"), blank=True, max_length=1000)
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )

    class Meta:
        verbose_name = _("外部合作方")
        verbose_name_plural = _("外部合作方")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiKey(models.Model):
    """A key a partner sends with each call. Only a hash of the key is stored; the key itself
    is shown once, when issued. ``prefix`` finds the row, the hash proves the key."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="keys", verbose_name=_("合作方")
    )
    prefix = models.CharField(_("前缀"), max_length=8, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("权限范围"), default=list)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签发人"),
    )
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 密钥")
        verbose_name_plural = _("API 密钥")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"cg_{self.prefix}_…"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
