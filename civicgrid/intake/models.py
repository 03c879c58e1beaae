"""Classifier versions (the fitted models with their metrics) and the suggestion recorded for
each case: what the classifier proposed, what the person chose, and who confirmed it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import ScopedModel


class ClassifierKind(models.TextChoices):
    KEYWORDS = "keywords", _("关键词(冷启动)")
    TRAINED = "trained", _("训练模型")


class ClassifierVersion(models.Model):
    """One fitted classifier. The fitted model is kept in the database (`blob`, signed), not
    in a file: every app server and worker reads the same row, switching is one transaction,
    and the database backup carries the models with the cases they learnt from."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    kind = models.CharField(_("类型"), max_length=12, choices=ClassifierKind.choices)
    active = models.BooleanField(_("启用"), default=False)
    trained_on = models.PositiveIntegerField(_("训练样本数"), default=0)
    from_cases = models.PositiveIntegerField(_("其中来自事件"), default=0)
    metrics = models.JSONField(_("评估指标"), default=dict, blank=True)
    size_bytes = models.PositiveIntegerField(_("大小(字节)"), default=0)
    train_seconds = models.FloatField(_("训练用时(秒)"), default=0)
    blob = models.BinaryField(editable=False)
    digest = models.CharField(max_length=64, editable=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("分类模型")
        verbose_name_plural = _("分类模型")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="one_active_classifier"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.get_kind_display()}"

    @property
    def top1(self):
        return (self.metrics.get("corpus") or {}).get("top1")

    @property
    def top3(self):
        return (self.metrics.get("corpus") or {}).get("top3")


class LabelSource(models.TextChoices):
    REPORTER = "reporter", _("上报人选择")
    AUTO = "auto", _("自动分类(热线导入)")
    DISPATCHER = "dispatcher", _("调度员确认")


class Suggestion(ScopedModel):
    """The classifier's proposal for a case and the item finally chosen. A row is a training
    example (`labelled`) when a dispatcher kept or changed the item, or when the reporter took
    one of the suggested items."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="suggestion", verbose_name=_("事件")
    )
    classifier = models.ForeignKey(
        ClassifierVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("模型版本"),
    )
    suggested = models.JSONField(_("建议"), default=list, blank=True)  # [{"code", "score"}…]
    confident = models.BooleanField(_("有把握"), default=False)
    item = models.ForeignKey(
        "cases.MatterItem", on_delete=models.PROTECT, related_name="+", verbose_name=_("最终事项")
    )
    source = models.CharField(_("确认方式"), max_length=12, choices=LabelSource.choices)
    accepted = models.BooleanField(_("采纳首选建议"), default=False)
    labelled = models.BooleanField(_("作为训练样本"), default=False, db_index=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_area_field = "case__area_id"
    scope_grid_field = "case__grid_id"
    scope_unit_field = "case__handler_unit_id"

    class Meta:
        verbose_name = _("分类建议")
        verbose_name_plural = _("分类建议")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.item_id}"

    @property
    def suggested_codes(self) -> list[str]:
        return [s["code"] for s in self.suggested]
