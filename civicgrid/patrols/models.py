"""Grid patrols, patrol duties and missed-patrol flags; leaders' contact points; the coverage
of firms and social organisations (两个覆盖) and the ledger of gig-economy party members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import ScopedModel

from .choices import Cadence, DutyFrequency, FlagStatus, GigSector, PatrolStatus, WithdrawReason


# ------------------------------------------------------------------ patrols
class Patrol(ScopedModel):
    """One patrol of a grid by a grid worker, from start to end, with its recorded route."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="patrols",
        verbose_name=_("巡查人"),
    )
    grid = models.ForeignKey(
        "geo.Grid", on_delete=models.PROTECT, related_name="patrols", verbose_name=_("网格")
    )
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=PatrolStatus.choices, default=PatrolStatus.OPEN
    )
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # Figures recomputed from the points whenever points arrive or the patrol ends.
    distance_m = models.FloatField(_("里程(米)"), default=0)
    points_count = models.PositiveIntegerField(_("轨迹点数"), default=0)
    jumps_count = models.PositiveIntegerField(_("剔除的跳点"), default=0)
    completed = models.BooleanField(_("有效巡查"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"

    class Meta:
        verbose_name = _("巡查")
        verbose_name_plural = _("巡查")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"],
                condition=Q(status="open"),
                name="patrols_one_open_patrol_per_worker",
            ),
        ]
        indexes = [
            models.Index(fields=["grid", "started_at"]),
            models.Index(fields=["area", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.grid} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status == PatrolStatus.OPEN

    @property
    def duration_s(self) -> int:
        if self.ended_at is None:
            return 0
        return max(0, int((self.ended_at - self.started_at).total_seconds()))


class PatrolPoint(ScopedModel):
    """A location fix sent by the phone; stored once per (patrol, seq)."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="points")
    seq = models.PositiveIntegerField(_("序号"))
    at = models.DateTimeField(_("定位时间"))
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    accuracy = models.FloatField(_("精度(米)"), null=True, blank=True)
    batch = models.CharField(_("批次"), max_length=64, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "patrol__area_id"
    scope_grid_field = "patrol__grid_id"

    class Meta:
        verbose_name = _("轨迹点")
        verbose_name_plural = _("轨迹点")
        ordering = ["patrol", "seq"]
        constraints = [models.UniqueConstraint(fields=["patrol", "seq"], name="patrols_point_once")]


class PatrolCase(ScopedModel):
    """A case raised by the worker while the patrol was open (filled by the case hook)."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="case_links")
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="patrol_link")

    scope_area_field = "patrol__area_id"
    scope_grid_field = "patrol__grid_id"

    class Meta:
        verbose_name = _("巡查中上报的事件")
        verbose_name_plural = _("巡查中上报的事件")


class PatrolDuty(ScopedModel):
    """How often a grid must be patrolled: `times` patrols a day or a week."""

    grid = models.OneToOneField(
        "geo.Grid", on_delete=models.CASCADE, related_name="patrol_duty", verbose_name=_("网格")
    )
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    frequency = models.CharField(
        _("周期"), max_length=8, choices=DutyFrequency.choices, default=DutyFrequency.DAILY
    )
    times = models.PositiveSmallIntegerField(_("次数"), default=1)
    active = models.BooleanField(_("有效"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"

    class Meta:
        verbose_name = _("巡查任务")
        verbose_name_plural = _("巡查任务")
        ordering = ["grid__code"]

    def __str__(self) -> str:
        return f"{self.grid} {self.get_frequency_display()}×{self.times}"


class MissedPatrol(ScopedModel):
    """A grid that was not patrolled as often as its duty asks, for a day (daily duties) or for
    the week ending on `day` (weekly duties). One row per grid and day.

    A patrol of that day (week) completed later — a phone that was offline sends its points and
    its end after the check — updates ``done``; once ``done`` reaches ``expected`` the flag is
    withdrawn: the row stays, with ``withdrawn_at`` and the reason, and counts nowhere."""

    grid = models.ForeignKey(
        "geo.Grid", on_delete=models.CASCADE, related_name="missed_patrols", verbose_name=_("网格")
    )
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    day = models.DateField(_("日期"))
    frequency = models.CharField(_("周期"), max_length=8, choices=DutyFrequency.choices)
    expected = models.PositiveSmallIntegerField(_("应巡次数"))
    done = models.PositiveSmallIntegerField(_("实巡次数"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    withdrawn_reason = models.CharField(
        _("撤销原因"), max_length=20, choices=WithdrawReason.choices, blank=True
    )
    withdrawn_patrol = models.ForeignKey(
        Patrol,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("补足的巡查"),
    )

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"

    class Meta:
        verbose_name = _("漏巡提醒")
        verbose_name_plural = _("漏巡提醒")
        ordering = ["-day", "grid__code"]
        constraints = [models.UniqueConstraint(fields=["grid", "day"], name="patrols_missed_once")]

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


# ------------------------------------------------------------------ leaders' contact points
class ContactAssignment(ScopedModel):
    """A leader's contact point (领导联系点): a community, street or unit the leader must visit at
    least once per cadence."""

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contact_assignments",
        verbose_name=_("领导"),
    )
    target_area = models.ForeignKey(
        "geo.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("联系村社区"),
    )
    target_unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("联系单位/企业"),
    )
    # The area the row belongs to (the target area, or the unit's area): scoping.
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    cadence = models.PositiveSmallIntegerField(
        _("最低联系频次"), choices=Cadence.choices, default=Cadence.QUARTERLY
    )
    since = models.DateField(_("联系起始日"))
    active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("领导联系点")
        verbose_name_plural = _("领导联系点")
        ordering = ["leader_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_area__isnull=False) | Q(target_unit__isnull=False),
                name="patrols_contact_has_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.leader} → {self.target_unit or self.target_area}"

    @property
    def target(self):
        return self.target_unit or self.target_area


class ContactVisit(ScopedModel):
    """A leader's visit to a contact point: whom they met, what they heard and decided, and the
    residents' opinions collected (a count, and the texts worth keeping)."""

    assignment = models.ForeignKey(
        ContactAssignment, on_delete=models.PROTECT, related_name="visits", verbose_name=_("联系点")
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("领导")
    )
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    visited_on = models.DateField(_("走访日期"), db_index=True)
    met_with = models.CharField(_("接谈对象"), max_length=200)
    heard = models.TextField(_("听取情况"), max_length=4000)
    decided = models.TextField(_("议定事项"), max_length=4000, blank=True)
    opinions_count = models.PositiveIntegerField(_("收集意见数"), default=0)
    opinions = models.JSONField(_("意见摘录"), default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("联系走访")
        verbose_name_plural = _("联系走访")
        ordering = ["-visited_on", "-id"]


class ContactVisitCase(ScopedModel):
    """A problem raised on a leader's visit, now a case with an owner."""

    visit = models.ForeignKey(ContactVisit, on_delete=models.CASCADE, related_name="case_links")
    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="leader_visit_link"
    )

    scope_area_field = "visit__area_id"

    class Meta:
        verbose_name = _("走访交办事件")
        verbose_name_plural = _("走访交办事件")


# ------------------------------------------------------------------ 两个覆盖 and 新业态
class PartyInstructor(ScopedModel):
    """A party-building instructor (党建指导员) sent to a unit with no organisation of its own;
    counts towards work coverage."""

    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.CASCADE,
        related_name="party_instructors",
        verbose_name=_("单位"),
    )
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("指导员"), max_length=50)
    appointed_on = models.DateField(_("选派日期"))
    active = models.BooleanField(_("有效"), default=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("党建指导员")
        verbose_name_plural = _("党建指导员")


class CoverageFlag(ScopedModel):
    """A firm or social organisation with three or more party members and no organisation of its
    own: a rectification task, closed by the re-check once an organisation is set up."""

    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.CASCADE, related_name="coverage_flags", verbose_name=_("单位")
    )
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    members_count = models.PositiveIntegerField(_("党员数"))
    status = models.CharField(
        _("状态"), max_length=8, choices=FlagStatus.choices, default=FlagStatus.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任人"),
    )
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    raised_on = models.DateField(_("发现日期"))
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    closed_reason = models.CharField(_("销号原因"), max_length=200, blank=True)
    organization = models.ForeignKey(
        "orgs.PartyOrganization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("新建党组织"),
    )

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("党组织覆盖整改")
        verbose_name_plural = _("党组织覆盖整改")
        ordering = ["status", "-raised_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(status="open"), name="patrols_one_open_flag_per_unit"
            ),
        ]


class GigWorkerProfile(ScopedModel):
    """A party member working in the gig economy (rider, courier, driver), in the ledger of the
    sector's party organisation; reports cases as a mobile observer (流动哨)."""

    member = models.OneToOneField(
        "people.PartyMember",
        on_delete=models.CASCADE,
        related_name="gig_profile",
        verbose_name=_("党员"),
    )
    platform = models.CharField(_("平台/企业"), max_length=100)
    sector = models.CharField(_("行业"), max_length=12, choices=GigSector.choices)
    sector_organization = models.ForeignKey(
        "orgs.PartyOrganization",
        on_delete=models.PROTECT,
        related_name="gig_profiles",
        verbose_name=_("行业党组织"),
    )
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("居住社区")
    )
    active = models.BooleanField(_("有效"), default=True)
    since = models.DateField(_("登记日期"))

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("新就业群体党员")
        verbose_name_plural = _("新就业群体党员")
        ordering = ["sector", "id"]


class MobileReport(ScopedModel):
    """A case a gig worker reported as a mobile observer."""

    profile = models.ForeignKey(GigWorkerProfile, on_delete=models.CASCADE, related_name="reports")
    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="mobile_report"
    )
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("流动哨上报")
        verbose_name_plural = _("流动哨上报")
        ordering = ["-created_at"]
