"""Archived reports: one row per generated file (kind, area, period, format), with its hash."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import ScopedModel


class Kind(models.TextChoices):
    DAILY = "daily", _("社区每日一梳理")
    WEEKLY = "weekly", _("街道每周一分析")
    MONTHLY = "monthly", _("县(区)每月一通报")
    MAJOR = "major", _("委领导研办专报")


class Format(models.TextChoices):
    XLSX = "xlsx", _("Excel")
    PDF = "pdf", _("PDF")


class Report(ScopedModel):
    scope_area_field = "area"

    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    period = models.CharField(_("周期"), max_length=10)  # 2026-11-30, 2026-W48, 2026-11
    fmt = models.CharField(_("格式"), max_length=4, choices=Format.choices)
    file = models.CharField(max_length=255)  # relative to the reports directory
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    scheduled = models.BooleanField(_("定时生成"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("生成人"),
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("报表")
        verbose_name_plural = _("报表")
        indexes = [models.Index(fields=["kind", "area", "period", "fmt"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.area_id} {self.period}"

    @property
    def filename(self) -> str:
        return f"{self.kind}-{self.area.code}-{self.period}.{self.fmt}"
