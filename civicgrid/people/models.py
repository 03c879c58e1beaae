from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core import crypto
from civicgrid.core.fields import EncryptedTextField
from civicgrid.core.scoping import ScopedModel

from .choices import AttentionLevel, Gender, HouseholdKind, LandlordLinkKind


class Building(ScopedModel):
    name = models.CharField(_("楼栋"), max_length=100)
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="buildings",
                             verbose_name=_("社区"))
    grid = models.ForeignKey("geo.Grid", on_delete=models.PROTECT, related_name="buildings",
                             verbose_name=_("网格"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["grid", "name"]

    def __str__(self) -> str:
        return self.name


class Household(ScopedModel):
    number = models.CharField(_("户号"), max_length=40)
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="households",
                             verbose_name=_("社区"))
    grid = models.ForeignKey("geo.Grid", on_delete=models.PROTECT, related_name="households",
                             verbose_name=_("网格"))
    building = models.ForeignKey(Building, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="households", verbose_name=_("楼栋"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    kind = models.CharField(_("居住类型"), max_length=10, choices=HouseholdKind.choices,
                            default=HouseholdKind.OWNER)

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["grid", "number"]
        constraints = [models.UniqueConstraint(fields=["area", "number"], name="uniq_household_number")]

    def __str__(self) -> str:
        return self.address or self.number


class SpecialGroup(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)

    class Meta:
        verbose_name = _("特殊对象类别")
        verbose_name_plural = _("特殊对象类别")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class PiiMixin(models.Model):
    """Encrypted ID and phone numbers, each with a keyed-hash index for exact look-up."""

    id_number = EncryptedTextField(_("身份证号"), blank=True, default="")
    id_number_index = models.CharField(max_length=32, blank=True, default="", db_index=True, editable=False)
    phone = EncryptedTextField(_("手机号"), blank=True, default="")
    phone_index = models.CharField(max_length=32, blank=True, default="", db_index=True, editable=False)

    class Meta:
        abstract = True

    def set_pii(self, *, id_number: str | None = None, phone: str | None = None) -> None:
        if id_number is not None:
            self.id_number = id_number
            self.id_number_index = crypto.blind_index(id_number)
        if phone is not None:
            self.phone = phone
            self.phone_index = crypto.blind_index(phone)

    @property
    def id_number_masked(self) -> str:
        return crypto.mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return crypto.mask_phone(self.phone)


class Resident(PiiMixin, ScopedModel):
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="residents",
                             verbose_name=_("社区"))
    grid = models.ForeignKey("geo.Grid", on_delete=models.PROTECT, related_name="residents",
                             verbose_name=_("网格"))
    household = models.ForeignKey(Household, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="members", verbose_name=_("户"))
    relation_to_head = models.CharField(_("与户主关系"), max_length=20, blank=True)
    attention_level = models.CharField(_("关注等级"), max_length=8, choices=AttentionLevel.choices,
                                       default=AttentionLevel.GREEN, db_index=True)
    special_groups = models.ManyToManyField(SpecialGroup, blank=True, related_name="residents",
                                            verbose_name=_("特殊对象"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["id"]
        indexes = [models.Index(fields=["grid", "attention_level"])]

    def __str__(self) -> str:
        return self.name


class Visit(ScopedModel):
    """A visit record (民情记录)."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="visits",
                                 verbose_name=_("居民"))
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    grid = models.ForeignKey("geo.Grid", on_delete=models.PROTECT, related_name="+", verbose_name=_("网格"))
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits",
                                verbose_name=_("走访人"))
    visited_at = models.DateTimeField(_("走访时间"))
    notes = models.TextField(_("记录"), max_length=4000)
    needs = models.TextField(_("收集诉求"), max_length=2000, blank=True)
    attention_level = models.CharField(_("走访后关注等级"), max_length=8, choices=AttentionLevel.choices,
                                       blank=True)

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_at"]

    def __str__(self) -> str:
        return f"{self.resident} {self.visited_at:%Y-%m-%d}"


class PartyMember(PiiMixin, ScopedModel):
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.PROTECT,
                                     related_name="members", verbose_name=_("所在党组织"))
    work_unit = models.ForeignKey("orgs.Unit", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="party_members", verbose_name=_("工作单位"))
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="party_members",
                             verbose_name=_("居住社区"))
    grid = models.ForeignKey("geo.Grid", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="party_members", verbose_name=_("居住网格"))
    resident = models.OneToOneField(Resident, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="party_member", verbose_name=_("居民档案"))
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    is_central_household = models.BooleanField(_("党员中心户"), default=False)
    is_building_chief = models.BooleanField(_("楼栋长"), default=False)
    is_lane_chief = models.BooleanField(_("巷长"), default=False)
    is_party_landlord = models.BooleanField(_("党员房东"), default=False)
    served_households = models.ManyToManyField(Household, blank=True, related_name="central_households",
                                               verbose_name=_("联系户"))
    # The member's own sign-in (dual reporting, claims, activities and points from a phone).
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="party_member", verbose_name=_("登录账号"))

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def role_labels(self) -> list[str]:
        labels = []
        for flag in ("is_central_household", "is_building_chief", "is_lane_chief", "is_party_landlord"):
            if getattr(self, flag):
                labels.append(str(self._meta.get_field(flag).verbose_name))
        return labels


class LandlordLink(ScopedModel):
    """Party landlord 1+N: the other landlords and the tenants a party landlord looks after."""

    party_member = models.ForeignKey(PartyMember, on_delete=models.CASCADE, related_name="landlord_links",
                                     verbose_name=_("党员房东"))
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="landlord_links",
                                 verbose_name=_("居民"))
    kind = models.CharField(_("关系"), max_length=10, choices=LandlordLinkKind.choices)

    scope_area_field = "party_member__area_id"
    scope_grid_field = "party_member__grid_id"

    class Meta:
        verbose_name = _("党员房东联系")
        verbose_name_plural = _("党员房东联系")
        constraints = [models.UniqueConstraint(fields=["party_member", "resident"], name="uniq_landlord_link")]

    def __str__(self) -> str:
        return f"{self.party_member} → {self.resident}"


class InformationOfficer(ScopedModel):
    """A resident volunteer under a central household, serving about 30 households."""

    resident = models.OneToOneField(Resident, on_delete=models.CASCADE, related_name="information_officer",
                                    verbose_name=_("信息员"))
    central_household = models.ForeignKey(PartyMember, on_delete=models.PROTECT,
                                          related_name="information_officers",
                                          limit_choices_to={"is_central_household": True},
                                          verbose_name=_("党员中心户"))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="information_officer", verbose_name=_("登录账号"))
    households = models.ManyToManyField(Household, blank=True, related_name="information_officers",
                                        verbose_name=_("联系户"))
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    grid = models.ForeignKey("geo.Grid", on_delete=models.PROTECT, related_name="+", verbose_name=_("网格"))

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"

    class Meta:
        verbose_name = _("信息员")
        verbose_name_plural = _("信息员")

    def __str__(self) -> str:
        return str(self.resident)
