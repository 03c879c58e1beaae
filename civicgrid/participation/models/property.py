"""Red property (红色物业): company profiles, the compounds they serve, monthly assessment."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import ScopedModel

from ..choices import ListKind


class PropertyCompanyProfile(ScopedModel):
    """What the registry adds to an orgs.Unit of kind property_company. The unit keeps its
    name, address, contact and party organisation; the profile adds the licence and the
    company's service hotline."""

    unit = models.OneToOneField(
        "orgs.Unit",
        on_delete=models.CASCADE,
        related_name="property_profile",
        verbose_name=_("单位"),
    )
    licence_no = models.CharField(_("资质/营业执照编号"), max_length=40, blank=True)
    licence_expires = models.DateField(_("资质有效期至"), null=True, blank=True)
    hotline = models.CharField(_("服务电话"), max_length=20, blank=True)
    party_organization = models.ForeignKey(
        "orgs.PartyOrganization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("党组织"),
    )
    manager_name = models.CharField(_("项目负责人"), max_length=50, blank=True)

    scope_area_field = "unit__area_id"
    scope_unit_field = "unit_id"

    class Meta:
        verbose_name = _("物业企业档案")
        verbose_name_plural = _("物业企业档案")

    def __str__(self) -> str:
        return str(self.unit)


class Compound(ScopedModel):
    """A residential compound (小区): the grids it covers decide which cases are its own."""

    name = models.CharField(_("小区名称"), max_length=100)
    community = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="compounds", verbose_name=_("社区")
    )
    company = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="compounds",
        verbose_name=_("物业公司"),
        limit_choices_to={"kind": "property_company"},
    )
    households = models.PositiveIntegerField(_("户数"), default=0)
    buildings = models.ManyToManyField(
        "people.Building", blank=True, related_name="compounds", verbose_name=_("楼栋")
    )

    scope_area_field = "community_id"
    scope_unit_field = "company_id"

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["community", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="uniq_compound_name")
        ]

    def __str__(self) -> str:
        return self.name


class CompoundGrid(models.Model):
    """A grid belongs to at most one compound; a compound may cover several grids."""

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="grid_links")
    grid = models.OneToOneField(
        "geo.Grid", on_delete=models.CASCADE, related_name="compound_link", verbose_name=_("网格")
    )

    class Meta:
        verbose_name = _("小区网格")
        verbose_name_plural = _("小区网格")

    def __str__(self) -> str:
        return f"{self.compound_id}:{self.grid_id}"


class Criterion(models.Model):
    """One line of the inspection form (admin-editable): a maximum score and a weight."""

    name = models.CharField(_("考核项目"), max_length=60, unique=True)
    description = models.CharField(_("评分要点"), max_length=200, blank=True)
    max_score = models.PositiveSmallIntegerField(_("满分"), default=10)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2, default=1)
    position = models.PositiveSmallIntegerField(_("顺序"), default=1)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("考核标准")
        verbose_name_plural = _("考核标准")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Inspection(ScopedModel):
    """One month's inspection of one company (日常考核)."""

    company = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        related_name="property_inspections",
        verbose_name=_("物业公司"),
    )
    month = models.DateField(_("月份"))  # the first day of the month
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("检查人"),
    )
    note = models.TextField(_("检查情况"), blank=True, max_length=4000)
    score = models.DecimalField(_("检查得分(百分制)"), max_digits=5, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "company__area_id"
    scope_unit_field = "company_id"

    class Meta:
        verbose_name = _("物业检查")
        verbose_name_plural = _("物业检查")
        ordering = ["-month", "company"]
        constraints = [
            models.UniqueConstraint(fields=["company", "month"], name="uniq_inspection_month")
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.month:%Y-%m}"


class InspectionScore(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inspection", "criterion"], name="uniq_score_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}={self.score}"


class AssessmentPublication(ScopedModel):
    """The monthly red and yellow lists of an area (一月一考核、一月一通报), frozen when published."""

    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    month = models.DateField(_("月份"))
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("红黄榜")
        verbose_name_plural = _("红黄榜")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["area", "month"], name="uniq_publication_month")
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.month:%Y-%m}"


class AssessmentResult(models.Model):
    publication = models.ForeignKey(
        AssessmentPublication, on_delete=models.CASCADE, related_name="results"
    )
    company = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    company_name = models.CharField(max_length=100)
    rank = models.PositiveSmallIntegerField()
    inspection_score = models.DecimalField(max_digits=5, decimal_places=2)
    complaints = models.PositiveIntegerField()
    households = models.PositiveIntegerField()
    complaint_score = models.DecimalField(max_digits=5, decimal_places=2)
    composite = models.DecimalField(max_digits=5, decimal_places=2)
    list_kind = models.CharField(max_length=8, choices=ListKind.choices, blank=True)

    class Meta:
        ordering = ["publication", "rank"]

    def __str__(self) -> str:
        return f"{self.company_name} #{self.rank}"
