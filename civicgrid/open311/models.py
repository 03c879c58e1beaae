from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.fields import EncryptedTextField
from civicgrid.core.scoping import ScopedModel


class ServiceRequest(ScopedModel):
    """What an Open311 client sent beside the case itself: the service definition's
    attribute values, the media URL, and the client's own identifiers. One per case."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="open311", verbose_name=_("事件")
    )
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name=_("合作方"),
    )
    api_key = models.ForeignKey(
        "partners.ApiKey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("API 密钥"),
    )
    # The client's idempotency key: a repeated POST returns the first request, and
    # tokens/{token} finds it again if the first response was lost.
    token = models.CharField(_("客户端令牌"), max_length=100, blank=True)
    attributes = models.JSONField(_("附加属性"), default=dict, blank=True)
    media_url = models.URLField(_("媒体链接"), max_length=1000, blank=True)
    address_id = models.CharField(_("地址编号"), max_length=32, blank=True)
    email = EncryptedTextField(_("电子邮箱"), blank=True, default="")
    device_id = models.CharField(_("设备编号"), max_length=100, blank=True)
    account_id = models.CharField(_("账户编号"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "case__area_id"
    scope_grid_field = "case__grid_id"
    scope_unit_field = "case__handler_unit_id"

    class Meta:
        verbose_name = _("Open311 请求")
        verbose_name_plural = _("Open311 请求")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "token"], condition=~Q(token=""), name="uniq_open311_token"
            )
        ]

    def __str__(self) -> str:
        return str(self.case)
