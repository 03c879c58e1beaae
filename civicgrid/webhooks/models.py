"""Webhook subscriptions of partners and the outbox of deliveries (one row per event and
subscription, written in the transaction that wrote the event, sent by the worker)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.fields import EncryptedTextField

from .choices import OPEN_DELIVERY, DeliveryStatus, EventType


class WebhookSubscription(models.Model):
    """A partner's endpoint and the event types it wants. The partner receives only events of
    cases its service account may see (``Case.objects.restrict(partner.user, "view")``)."""

    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        related_name="webhook_subscriptions",
        verbose_name=_("合作方"),
    )
    url = models.URLField(_("接收地址"), max_length=500)
    # The signing key: generated, shown once, stored encrypted (the HMAC needs the key itself).
    secret = EncryptedTextField(_("签名密钥"), editable=False)
    events = models.JSONField(_("事件类型"), default=list)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("推送订阅")
        verbose_name_plural = _("推送订阅")
        ordering = ["partner", "id"]

    def __str__(self) -> str:
        return f"{self.partner} → {self.url}"

    def event_labels(self) -> str:
        labels = dict(EventType.choices)
        return "、".join(str(labels.get(e, e)) for e in self.events)


class WebhookDelivery(models.Model):
    """One event for one subscription: the payload as it was when the event happened, and
    every attempt's outcome. ``next_attempt_at`` is stored, so a restart loses nothing."""

    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("订阅"),
    )
    event_type = models.CharField(_("事件类型"), max_length=40, choices=EventType.choices)
    event_key = models.CharField(_("事件标识"), max_length=64)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("事件"),
    )
    case_event = models.ForeignKey(
        "cases.CaseEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办理记录"),
    )
    payload = models.JSONField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    # A worker that claims the row holds it until then (no lock is held while it sends).
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_attempt_at = models.DateTimeField(_("最近尝试"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("响应码"), null=True, blank=True)
    last_error = models.TextField(_("错误"), blank=True, max_length=1000)
    response_excerpt = models.TextField(_("响应摘录"), blank=True, max_length=1000)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    replay_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replays",
        verbose_name=_("重发自"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The retry sweep reads the few open rows; a partial index keeps it fast.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=sorted(OPEN_DELIVERY)),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["subscription", "created_at"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.event_type}"
