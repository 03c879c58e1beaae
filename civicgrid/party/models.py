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

from .choices import PointsEvent, SubjectKind


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
