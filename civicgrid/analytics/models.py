"""Hotspot alerts (苗头性问题) and the co-reporters of a case (people who joined it, or whose
case was merged into it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.fields import EncryptedTextField
from civicgrid.core.scoping import ScopedModel


class CoReporter(ScopedModel):
    """Someone else who raised the same problem: told of each step of the case, asked to rate
    it when it is resolved. Written by `intake.duplicates.case_join` and by the merge hook."""

    class Kind(models.TextChoices):
        JOINED = "joined", _("加入")
        MERGED = "merged", _("合并")

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="co_reporters", verbose_name=_("事件")
    )
    kind = models.CharField(_("方式"), max_length=8, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="co_reported",
        verbose_name=_("用户"),
    )
    name = models.CharField(_("诉求人"), max_length=50, blank=True)
    phone = EncryptedTextField(_("诉求人电话"), blank=True, default="")
    # The keyed hash of the phone (one caller joins a case once); "" when there is none.
    phone_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    # The case merged into this one (kind "merged").
    source_case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("原事件"),
    )
    joined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rate_code = models.CharField(_("评价码"), max_length=12, unique=True)
    rating = models.CharField(_("评价"), max_length=16, blank=True)
    rating_comment = models.TextField(_("评价意见"), blank=True, max_length=1000)
    rated_at = models.DateTimeField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "case__area_id"
    scope_grid_field = "case__grid_id"
    scope_unit_field = "case__handler_unit_id"

    class Meta:
        verbose_name = _("共同诉求人")
        verbose_name_plural = _("共同诉求人")
        ordering = ["case", "at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"],
                condition=models.Q(user__isnull=False),
                name="uniq_coreporter_user",
            ),
            models.UniqueConstraint(
                fields=["case", "phone_index"],
                condition=~models.Q(phone_index=""),
                name="uniq_coreporter_phone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.get_kind_display()}"


class Hotspot(ScopedModel):
    """An alert about an emerging problem, with the evidence it was raised on."""

    class Kind(models.TextChoices):
        RISE = "rise", _("同比上升")
        CLUSTER = "cluster", _("时空聚集")

    class Level(models.TextChoices):
        GRID = "grid", _("网格")
        COMMUNITY = "community", _("社区")
        STREET = "street", _("街道")

    class State(models.TextChoices):
        OPEN = "open", _("待研判")
        DISMISSED = "dismissed", _("已排除")
        CASE_OPENED = "case_opened", _("已立案")

    day = models.DateField(_("预警日期"), db_index=True)
    # What the alert is about, stable across runs (idempotency per day): e.g. "rise:item:12:grid:34".
    key = models.CharField(max_length=120)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    level = models.CharField(_("范围"), max_length=10, choices=Level.choices)
    item = models.ForeignKey(
        "cases.MatterItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("事项"),
    )
    group = models.ForeignKey(
        "cases.MatterGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("分类"),
    )
    # The street or community the alert is in (scoping), and the grid for grid-level alerts.
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    grid = models.ForeignKey(
        "geo.Grid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("网格"),
    )
    count = models.PositiveIntegerField(_("件数"))
    baseline = models.FloatField(_("基线"), default=0)
    score = models.FloatField(_("显著性"), default=0)
    evidence = models.JSONField(_("依据"), default=dict)
    cases = models.ManyToManyField("cases.Case", related_name="hotspots", verbose_name=_("事件"))
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.OPEN, db_index=True
    )
    reason = models.CharField(_("排除理由"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    opened_case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_hotspots",
        verbose_name=_("立案事件"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"

    class Meta:
        verbose_name = _("苗头性问题预警")
        verbose_name_plural = _("苗头性问题预警")
        ordering = ["-day", "-score", "id"]
        constraints = [models.UniqueConstraint(fields=["day", "key"], name="uniq_hotspot_day_key")]
        indexes = [models.Index(fields=["area", "state", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.key}"

    @property
    def category_name(self) -> str:
        return self.item.name if self.item_id else (self.group.name if self.group_id else "")


class RollupCounts(models.Model):
    """The measures both rollups carry (civicgrid.analytics.rollups.MEASURES): counts of the
    cases received on the row's day, by where they stand now; docs/analytics.md defines each."""

    received = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    accepted_on_time = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    resolved_on_time = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basically = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0)
    warning_open = models.PositiveIntegerField(default=0)
    overdue_open = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    # The assessment's own numerators (docs/assessment.md), which differ from the above:
    # valid cases accepted by a set accept deadline; cases resolved, rated or closed now; of
    # those, resolved by a set resolve deadline; of those, reopened at least once.
    accepted_in_time = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    done_in_time = models.PositiveIntegerField(default=0)
    done_reopened = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class CaseRollup(RollupCounts, ScopedModel):
    """Counts of the cases received on one day (local time) in one community × grid × matter
    item × handling unit, by where they stand now (see civicgrid.analytics.rollups). Written
    only by `rollups.recompute_days` and `rebuild`; the screens and reports read nothing else
    (with CaseUnitRollup)."""

    day = models.DateField(_("日期"))
    area = models.ForeignKey(
        "geo.Area", on_delete=models.CASCADE, related_name="+", verbose_name=_("社区")
    )
    grid = models.ForeignKey(
        "geo.Grid",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("网格"),
    )
    item = models.ForeignKey(
        "cases.MatterItem", on_delete=models.CASCADE, related_name="+", verbose_name=_("事项")
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("承办部门"),
    )

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"
    scope_unit_field = "unit_id"

    class Meta:
        verbose_name = _("事件统计")
        verbose_name_plural = _("事件统计")
        indexes = [
            models.Index(fields=["day", "area"]),
            models.Index(fields=["area", "day"]),
            # The screens' "open now" figures read only the rows that still have open cases.
            models.Index(
                fields=["area", "grid"], condition=models.Q(open__gt=0), name="rollup_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_id}/{self.grid_id}/{self.item_id}"


class CaseUnitRollup(RollupCounts, ScopedModel):
    """Counts of the cases received on one day in one community, per department: rows with
    ``holder`` true count the cases by the unit that holds them now (``unit`` empty when no
    unit does), so every case is in exactly one of them; rows with ``holder`` false count, for
    each unit a case was dispatched to earlier and that no longer holds it, the case once.
    A department's cases (docs/assessment.md: dispatched to it at least once, or held by it
    now) are all its rows; an area's are its holder rows. Kept like CaseRollup (same days,
    same recount); the reports and the county's screen figures read it."""

    day = models.DateField(_("日期"))
    area = models.ForeignKey(
        "geo.Area", on_delete=models.CASCADE, related_name="+", verbose_name=_("社区")
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("承办部门"),
    )
    holder = models.BooleanField(default=True)

    scope_area_field = "area_id"
    scope_unit_field = "unit_id"

    class Meta:
        verbose_name = _("部门事件统计")
        verbose_name_plural = _("部门事件统计")
        indexes = [
            models.Index(fields=["day", "area"], name="unitrollup_day_area"),
            models.Index(fields=["unit", "day"], name="unitrollup_unit_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_id}/{self.unit_id}"


class RollupDirtyDay(models.Model):
    """A day whose rollup rows a case change has made stale; `rollups.flush` recomputes it."""

    day = models.DateField(unique=True)
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("待重算统计日")
        verbose_name_plural = _("待重算统计日")

    def __str__(self) -> str:
        return str(self.day)
