"""Public-welfare venture projects (公益创投) and the yearly public-welfare market (善集)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import ScopedModel

from ..choices import WelfareStatus


class WelfareRound(ScopedModel):
    year = models.PositiveSmallIntegerField(_("年度"))
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("名称"), max_length=120)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("公益创投")
        verbose_name_plural = _("公益创投")
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title


class WelfareProject(ScopedModel):
    round = models.ForeignKey(WelfareRound, on_delete=models.PROTECT, related_name="projects")
    organization = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("申报社会组织")
    )
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("服务社区")
    )
    title = models.CharField(_("项目名称"), max_length=120)
    summary = models.TextField(_("项目简介"), max_length=4000)
    budget = models.DecimalField(_("预算(元)"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("状态"), max_length=10, choices=WelfareStatus.choices, default=WelfareStatus.PROPOSED
    )
    review_reason = models.CharField(_("评审意见"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    percent = models.PositiveSmallIntegerField(_("进度%"), default=0)
    beneficiaries = models.PositiveIntegerField(_("受益人数"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("公益项目")
        verbose_name_plural = _("公益项目")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class WelfareMilestone(models.Model):
    project = models.ForeignKey(WelfareProject, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=120)
    due_on = models.DateField(_("计划日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        ordering = ["project", "due_on", "id"]

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"


class Donation(ScopedModel):
    """Money given to a project by a firm, an organisation or a person, with a receipt."""

    project = models.ForeignKey(WelfareProject, on_delete=models.PROTECT, related_name="donations")
    donor_unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    donor_name = models.CharField(_("捐赠方"), max_length=120)
    amount = models.DecimalField(_("金额(元)"), max_digits=12, decimal_places=2)
    received_on = models.DateField(_("到账日期"))
    receipt_no = models.CharField(_("收据编号"), max_length=24, unique=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "project__area_id"

    class Meta:
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        ordering = ["-received_on", "-id"]


class WelfareMarket(ScopedModel):
    """The yearly public-welfare market (善集) and its results (numbers entered by staff)."""

    round = models.ForeignKey(WelfareRound, on_delete=models.PROTECT, related_name="markets")
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("举办日期"))
    place = models.CharField(_("地点"), max_length=120)
    funds_raised = models.DecimalField(
        _("募集善款(元)"), max_digits=12, decimal_places=2, default=0
    )
    projects_matched = models.PositiveIntegerField(_("对接项目数"), default=0)
    volunteers_recruited = models.PositiveIntegerField(_("招募志愿者数"), default=0)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("公益集市")
        verbose_name_plural = _("公益集市")
        ordering = ["-held_on"]


class MarketStall(models.Model):
    market = models.ForeignKey(WelfareMarket, on_delete=models.CASCADE, related_name="stalls")
    organization = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(
        WelfareProject, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["market", "id"]

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"
