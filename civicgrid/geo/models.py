from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import ScopedModel
from civicgrid.core.validators import validate_division_code


class Area(ScopedModel):
    """An administrative division: county/district > street/town > community/village."""

    class Level(models.IntegerChoices):
        COUNTY = 1, _("县/区")
        STREET = 2, _("街道/镇")
        COMMUNITY = 3, _("社区/村")

    code = models.CharField(
        _("区划代码"), max_length=12, unique=True, validators=[validate_division_code]
    )
    name = models.CharField(_("名称"), max_length=60)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    # Materialised path of ids, "/1/5/23/": subtree = path__startswith.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    geometry = models.JSONField(_("边界 (GeoJSON)"), null=True, blank=True)
    min_x = models.FloatField(null=True, blank=True, editable=False)
    min_y = models.FloatField(null=True, blank=True, editable=False)
    max_x = models.FloatField(null=True, blank=True, editable=False)
    max_y = models.FloatField(null=True, blank=True, editable=False)

    scope_area_field = "id"

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_community(self) -> bool:
        return self.level == self.Level.COMMUNITY


class Grid(ScopedModel):
    """A comprehensive grid inside one community; may hold micro-grids."""

    class Kind(models.TextChoices):
        COMPREHENSIVE = "comprehensive", _("综合网格")
        MICRO = "micro", _("精微网格")
        SPECIAL = "special", _("专属网格")

    code = models.CharField(_("网格编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(
        _("类型"), max_length=16, choices=Kind.choices, default=Kind.COMPREHENSIVE
    )
    community = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="grids",
        verbose_name=_("所属社区"),
        limit_choices_to={"level": Area.Level.COMMUNITY},
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="micro_grids",
        verbose_name=_("上级网格"),
    )
    geometry = models.JSONField(_("边界 (GeoJSON)"), null=True, blank=True)
    min_x = models.FloatField(null=True, blank=True, editable=False)
    min_y = models.FloatField(null=True, blank=True, editable=False)
    max_x = models.FloatField(null=True, blank=True, editable=False)
    max_y = models.FloatField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    scope_area_field = "community_id"
    scope_grid_field = "id"

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]
        indexes = [models.Index(fields=["community", "kind"])]

    def __str__(self) -> str:
        return self.name
