"""Shared resource directory, bookings, service centres and skills (DOMAIN.md section 6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import ScopedModel

from .choices import (
    WEEKDAYS,
    BookerKind,
    BookingEventKind,
    BookingStatus,
    CentreLevel,
    ResourceKind,
    ServiceCategory,
    SkillTag,
)


class Resource(ScopedModel):
    """A place that its owner (a unit, or the community) opens to others for booking."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=ResourceKind.choices)
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="resources", verbose_name=_("所在区划")
    )
    grid = models.ForeignKey(
        "geo.Grid",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("所在网格"),
    )
    owner_unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("产权单位"),
        help_text=_("空 = 社区所有"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("容纳人数"), default=20)
    description = models.TextField(_("简介"), blank=True)
    rules = models.TextField(_("使用须知"), blank=True)
    public = models.BooleanField(_("列入共享名录"), default=True)
    open_to_units = models.BooleanField(_("驻区单位可预订"), default=True)
    open_to_residents = models.BooleanField(_("居民可预订"), default=False)
    requires_approval = models.BooleanField(_("预订须产权方审批"), default=False)
    horizon_days = models.PositiveSmallIntegerField(_("可提前预订天数"), default=30)
    min_notice_hours = models.PositiveSmallIntegerField(_("最少提前小时数"), default=2)
    max_hours = models.PositiveSmallIntegerField(_("单次最长小时数"), default=4)
    cancel_hours = models.PositiveSmallIntegerField(
        _("免责取消时限(小时)"),
        default=24,
        help_text=_("开始前多少小时之前取消不计迟取消"),
    )
    slot_minutes = models.PositiveSmallIntegerField(_("时段粒度(分钟)"), default=30)
    closed_on_holidays = models.BooleanField(_("法定节假日闭馆"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    # Bumped by every booking write: the UPDATE that bumps it is the lock that serialises
    # bookings of one resource (a row lock on PostgreSQL, the write lock on SQLite).
    booking_seq = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"
    scope_unit_field = "owner_unit_id"

    class Meta:
        verbose_name = _("共享资源")
        verbose_name_plural = _("共享资源")
        ordering = ["area_id", "kind", "name", "id"]
        indexes = [models.Index(fields=["kind", "area"]), models.Index(fields=["public", "active"])]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """One opening interval on one weekday; a weekday without rows is a closed day."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("星期"))  # 0 = Monday
    opens = models.TimeField(_("开放"))
    closes = models.TimeField(_("关闭"))

    class Meta:
        verbose_name = _("开放时间")
        verbose_name_plural = _("开放时间")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="res_hours_order"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="res_hours_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday}: {self.opens:%H:%M}-{self.closes:%H:%M}"

    @property
    def weekday_label(self) -> str:
        return str(WEEKDAYS[self.weekday])


class ClosedDay(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="closed_days")
    date = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("闭馆日")
        verbose_name_plural = _("闭馆日")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "date"], name="uniq_res_closed_day")
        ]

    def __str__(self) -> str:
        return f"{self.date}"


class Booking(ScopedModel):
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("资源")
    )
    start = models.DateTimeField(_("开始"))
    end = models.DateTimeField(_("结束"))
    status = models.CharField(_("状态"), max_length=10, choices=BookingStatus.choices)
    booker_kind = models.CharField(_("预订方类型"), max_length=10, choices=BookerKind.choices)
    booker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="resource_bookings",
        verbose_name=_("预订人"),
    )
    booker_unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resource_bookings",
        verbose_name=_("预订单位"),
    )
    booker_name = models.CharField(_("预订方"), max_length=100)
    purpose = models.CharField(_("用途"), max_length=200)
    attendees = models.PositiveIntegerField(_("人数"))
    late_cancellation = models.BooleanField(_("迟取消"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "resource__area_id"
    scope_grid_field = "resource__grid_id"
    scope_unit_field = "resource__owner_unit_id"

    class Meta:
        verbose_name = _("预订")
        verbose_name_plural = _("预订")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["resource", "start"]),
            models.Index(fields=["booker", "start"]),
            models.Index(fields=["status", "start"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="res_booking_order"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.start:%Y-%m-%d %H:%M}"

    @property
    def holds_slot(self) -> bool:
        return self.status in (BookingStatus.PENDING, BookingStatus.APPROVED)


class BookingEvent(ScopedModel):
    """The append-only ledger of a booking."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=16, choices=BookingEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    scope_area_field = "booking__resource__area_id"
    scope_grid_field = "booking__resource__grid_id"
    scope_unit_field = "booking__resource__owner_unit_id"

    class Meta:
        verbose_name = _("预订记录")
        verbose_name_plural = _("预订记录")
        ordering = ["at", "id"]


class ServiceCentre(ScopedModel):
    """A party and public service centre 党群服务中心 at one of four levels."""

    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=CentreLevel.choices)
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="service_centres", verbose_name=_("区划")
    )
    grid = models.ForeignKey(
        "geo.Grid",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_centres",
        verbose_name=_("网格(小区级)"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    phone = models.CharField(_("服务电话"), max_length=20, blank=True)
    hours = models.CharField(_("服务时间"), max_length=100, blank=True)
    description = models.TextField(_("简介"), blank=True)
    public = models.BooleanField(_("公开"), default=True)

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"

    class Meta:
        verbose_name = _("党群服务中心")
        verbose_name_plural = _("党群服务中心")
        ordering = ["level", "area_id", "name"]

    def __str__(self) -> str:
        return self.name


class ServiceItem(models.Model):
    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("服务事项"), max_length=100)
    category = models.CharField(_("类别"), max_length=12, choices=ServiceCategory.choices)
    description = models.TextField(_("内容"), blank=True)
    provider = models.CharField(_("服务提供方"), max_length=100, blank=True)
    provider_unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hours = models.CharField(_("服务时间"), max_length=100, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["category", "name", "id"]

    def __str__(self) -> str:
        return self.name


class CentreActivity(models.Model):
    """An entry in a centre's published schedule (volunteer activities live in the party app)."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(_("活动"), max_length=100)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    description = models.TextField(_("内容"), blank=True)

    class Meta:
        verbose_name = _("中心活动")
        verbose_name_plural = _("中心活动")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["centre", "starts_at"])]

    def __str__(self) -> str:
        return self.title


class Skill(ScopedModel):
    """A skill of a party member or a resident, for the living resource map (活地图)."""

    party_member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="skills",
        verbose_name=_("党员"),
    )
    resident = models.ForeignKey(
        "people.Resident",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="skills",
        verbose_name=_("居民"),
    )
    tag = models.CharField(_("技能"), max_length=16, choices=SkillTag.choices)
    detail = models.CharField(_("说明"), max_length=100, blank=True)
    willing = models.BooleanField(_("愿意参与志愿服务"), default=True)
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(
        "geo.Grid", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"

    class Meta:
        verbose_name = _("技能人才")
        verbose_name_plural = _("技能人才")
        ordering = ["area_id", "tag", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(party_member__isnull=False, resident__isnull=True)
                | Q(party_member__isnull=True, resident__isnull=False),
                name="res_skill_one_person",
            )
        ]

    @property
    def person(self):
        return self.party_member or self.resident
