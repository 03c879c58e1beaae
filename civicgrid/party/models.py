"""Points (积分管理): rules set in the admin and an append-only ledger.

Every row of ``PointsEntry`` is written by ``points.points_award`` (or ``points_reverse``)
inside the transaction of whatever caused it. Rows are never updated or deleted: the
database refuses an UPDATE (a trigger, on SQLite and PostgreSQL), the model refuses a
second save and a delete; a correction is a reversing entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import RestrictedQuerySet, ScopedModel

from .choices import (
    OPEN_REPORT_STATUSES,
    Availability,
    PointsEvent,
    ReportKind,
    ReportStatus,
    ServiceArea,
    SubjectKind,
)


class PointsRule(models.Model):
    event = models.CharField(_("事件"), max_length=32, choices=PointsEvent.choices, unique=True)
    points = models.IntegerField(_("每次分值"), help_text=_("志愿服务时长按每小时计。"))
    daily_cap = models.PositiveIntegerField(_("每日上限"), null=True, blank=True,
                                            help_text=_("同一对象每天由此事件最多得分;空为不限。"))
    monthly_cap = models.PositiveIntegerField(_("每月上限"), null=True, blank=True,
                                              help_text=_("同一对象每月由此事件最多得分;空为不限。"))
    active = models.BooleanField(_("启用"), default=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["event"]

    def __str__(self) -> str:
        return self.get_event_display()


class AppendOnlyQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        raise TypeError("The points ledger is append-only: write a reversing entry instead.")

    def delete(self):
        raise TypeError("The points ledger is append-only: write a reversing entry instead.")


class PointsEntryManager(models.Manager.from_queryset(AppendOnlyQuerySet)):  # type: ignore[misc]
    pass


class PointsEntry(ScopedModel):
    subject_kind = models.CharField(_("对象类型"), max_length=8, choices=SubjectKind.choices)
    member = models.ForeignKey("people.PartyMember", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="points_entries", verbose_name=_("党员"))
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="points_entries", verbose_name=_("单位"))
    officer = models.ForeignKey("people.InformationOfficer", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="points_entries", verbose_name=_("信息员"))
    # "member:12", "unit:3", "officer:7": one column to be unique and indexed on.
    subject_key = models.CharField(max_length=24, editable=False)
    event = models.CharField(_("事件"), max_length=32, choices=PointsEvent.choices)
    points = models.IntegerField(_("分值"))
    quantity = models.DecimalField(_("数量"), max_digits=8, decimal_places=2, default=1)
    occurred_at = models.DateTimeField(_("发生时间"))
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)
    # Where the subject belongs when the points are earned (for rankings and scoping).
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("社区"))
    street = models.ForeignKey("geo.Area", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("街道"))
    grid = models.ForeignKey("geo.Grid", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("网格"))
    # What caused it: "cases.case:123" (with the event, one entry per cause and subject).
    source_key = models.CharField(_("来源"), max_length=64, blank=True)
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="reversal", verbose_name=_("冲正的分录"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name=_("记账人"))

    objects = PointsEntryManager()

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"
    scope_unit_field = "unit_id"

    class Meta:
        verbose_name = _("积分分录")
        verbose_name_plural = _("积分台账")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "subject_key", "source_key"],
                                    condition=~Q(source_key=""), name="points_once_per_source"),
            models.CheckConstraint(
                condition=(Q(subject_kind="member", member__isnull=False, unit__isnull=True,
                             officer__isnull=True)
                           | Q(subject_kind="unit", unit__isnull=False, member__isnull=True,
                               officer__isnull=True)
                           | Q(subject_kind="officer", officer__isnull=False, member__isnull=True,
                               unit__isnull=True)),
                name="points_one_subject"),
        ]
        indexes = [
            models.Index(fields=["member", "occurred_at"], name="points_member_time"),
            models.Index(fields=["unit", "occurred_at"], name="points_unit_time"),
            models.Index(fields=["officer", "occurred_at"], name="points_officer_time"),
            models.Index(fields=["subject_key", "event", "occurred_at"], name="points_caps"),
            models.Index(fields=["area", "occurred_at"], name="points_area_time"),
            models.Index(fields=["street", "occurred_at"], name="points_street_time"),
            models.Index(fields=["grid", "occurred_at"], name="points_grid_time"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_key} {self.event} {self.points:+d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The points ledger is append-only: write a reversing entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The points ledger is append-only: write a reversing entry instead.")

    @property
    def subject(self):
        return self.member or self.unit or self.officer


class PointsTally(ScopedModel):
    """Points per subject, place and month (period "M") or year ("Y"), kept in step with the
    ledger inside the same transaction (``points._tally``); rankings read these instead of
    summing millions of ledger rows. ``manage.py party_tally_rebuild`` rebuilds them from the
    ledger, which stays the record."""

    MONTH = "M"
    YEAR = "Y"

    subject_kind = models.CharField(max_length=8, choices=SubjectKind.choices)
    subject_key = models.CharField(max_length=24)
    member = models.ForeignKey("people.PartyMember", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    officer = models.ForeignKey("people.InformationOfficer", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="+")
    period = models.CharField(max_length=1)
    start = models.DateField()
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey("geo.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    grid = models.ForeignKey("geo.Grid", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    points = models.IntegerField(default=0)
    entries = models.IntegerField(default=0)

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"
    scope_unit_field = "unit_id"

    class Meta:
        verbose_name = _("积分汇总")
        verbose_name_plural = _("积分汇总")
        indexes = [
            models.Index(fields=["subject_key", "period", "start"], name="tally_subject"),
            models.Index(fields=["period", "subject_kind", "start", "area"], name="tally_area"),
            models.Index(fields=["period", "subject_kind", "start", "street"], name="tally_street"),
            models.Index(fields=["period", "subject_kind", "start", "grid"], name="tally_grid"),
        ]


class DualReport(ScopedModel):
    """One report (双报到) of an in-service party member or a unit's party organisation to a
    community. Every change is a ReportEvent; a moved or withdrawn report stays as history."""

    kind = models.CharField(_("报到类型"), max_length=8, choices=ReportKind.choices)
    status = models.CharField(_("状态"), max_length=12, choices=ReportStatus.choices,
                              default=ReportStatus.SUBMITTED, db_index=True)
    member = models.ForeignKey("people.PartyMember", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="dual_reports", verbose_name=_("党员"))
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="dual_reports", verbose_name=_("单位"))
    subject_key = models.CharField(max_length=24, editable=False)
    community = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("报到社区"))
    grid = models.ForeignKey("geo.Grid", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("居住网格"))
    skills = models.CharField(_("特长技能"), max_length=200, blank=True)
    services = models.JSONField(_("服务意愿"), default=list, blank=True)
    availability = models.CharField(_("可服务时间"), max_length=20, choices=Availability.choices,
                                    blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    receipt_number = models.CharField(_("回执编号"), max_length=40, blank=True, db_index=True)
    reason = models.CharField(_("退回/撤回原因"), max_length=300, blank=True)
    moved_from = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="moved_to", verbose_name=_("转自"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+", verbose_name=_("提交人"))
    submitted_at = models.DateTimeField(_("报到时间"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+", verbose_name=_("确认人"))
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    scope_area_field = "community_id"
    scope_grid_field = "grid_id"

    class Meta:
        verbose_name = _("双报到")
        verbose_name_plural = _("双报到")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_key"],
                condition=Q(status__in=["submitted", "confirmed"]),
                name="party_one_open_report",
            ),
            models.UniqueConstraint(fields=["receipt_number"], condition=~Q(receipt_number=""),
                                    name="party_receipt_unique"),
            models.CheckConstraint(
                condition=(Q(kind="member", member__isnull=False, unit__isnull=True)
                           | Q(kind="unit", unit__isnull=False, member__isnull=True)),
                name="party_report_one_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status", "kind"], name="report_roster"),
            # The roster's order: a county's first page walks this instead of sorting every
            # report of the county (docs/benchmarks-party.md).
            models.Index(fields=["-submitted_at", "-id"], name="report_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.community}"

    @property
    def subject(self):
        return self.member if self.kind == ReportKind.MEMBER else self.unit

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REPORT_STATUSES

    def service_labels(self) -> list[str]:
        labels = dict(ServiceArea.choices)
        return [str(labels.get(s, s)) for s in self.services]


class ReportEvent(ScopedModel):
    """A step in a report's history: submit, confirm, return, move, withdraw, remind."""

    report = models.ForeignKey(DualReport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=12)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "report__community_id"
    scope_grid_field = "report__grid_id"

    class Meta:
        verbose_name = _("报到记录")
        verbose_name_plural = _("报到记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.action}"

    @property
    def action_label(self) -> str:
        from .choices import REPORT_ACTION_LABELS

        return str(REPORT_ACTION_LABELS.get(self.action, self.action))
