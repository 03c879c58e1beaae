from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import ScopedModel

from .choices import GRID_ROLES, UNIT_ROLES, OrgKind, Role, UnitKind


class Unit(ScopedModel):
    """An organisation located in a community, or a district department."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    area = models.ForeignKey(
        "geo.Area",
        on_delete=models.PROTECT,
        related_name="units",
        verbose_name=_("所在区划"),
    )
    grid = models.ForeignKey(
        "geo.Grid",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("所在网格"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    party_organization = models.ForeignKey(
        "PartyOrganization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("党组织"),
    )

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"
    scope_unit_field = "id"

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "area"])]

    def __str__(self) -> str:
        return self.name


class PartyOrganization(ScopedModel):
    """A party organisation; the tree runs parallel to the areas, down to central households."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=32, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级党组织"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    area = models.ForeignKey(
        "geo.Area",
        on_delete=models.PROTECT,
        related_name="party_organizations",
        verbose_name=_("所在区划"),
    )
    grid = models.ForeignKey(
        "geo.Grid",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="party_organizations",
        verbose_name=_("网格"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("所属单位"),
    )
    secretary_name = models.CharField(_("书记"), max_length=50, blank=True)

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"
    scope_unit_field = "unit_id"

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class RoleAssignment(ScopedModel):
    """Binds a user to a role over an area subtree, a grid, or a unit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("用户"),
    )
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices)
    area = models.ForeignKey(
        "geo.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("区划"),
    )
    grid = models.ForeignKey(
        "geo.Grid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("网格"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("单位"),
    )
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"
    scope_unit_field = "unit_id"

    class Meta:
        verbose_name = _("角色任命")
        verbose_name_plural = _("角色任命")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "area", "grid", "unit"], name="uniq_role_assignment"
            )
        ]

    def __str__(self) -> str:
        target = self.grid or self.area or self.unit or _("全部")
        return f"{self.user} · {self.get_role_display()} · {target}"

    @classmethod
    def scope_q(cls, scope):
        """An assignment is in scope where its target is: an area in the subtree, a grid of a
        community in the subtree (or an assigned grid), or a unit located in the subtree."""
        q = super().scope_q(scope)
        if scope.area_ids:
            extra = Q(grid__community_id__in=scope.area_ids) | Q(unit__area_id__in=scope.area_ids)
            q = extra if q is None else q | extra
        return q

    def clean(self) -> None:
        if self.role in GRID_ROLES and not self.grid_id:
            raise ValidationError({"grid": _("网格岗位须指定网格。")})
        if self.role in UNIT_ROLES and not self.unit_id:
            raise ValidationError({"unit": _("部门承办人须指定单位。")})
        if (
            self.role not in GRID_ROLES | UNIT_ROLES
            and self.role != Role.SYSTEM_ADMIN
            and not self.area_id
        ):
            raise ValidationError({"area": _("该角色须指定区划。")})
