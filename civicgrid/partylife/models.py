"""Mutual evaluation (双评价) and smart party building (锋领e家): organisational life, training,
dues, star ratings, early warnings and their rectification."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import ScopedModel

from .choices import (
    Anonymity,
    AssignmentStatus,
    Attendance,
    Direction,
    DuesCategory,
    MeetingKind,
    RoundStatus,
    TrainingKind,
    WarningKind,
    WarningState,
)

MONEY = {"max_digits": 12, "decimal_places": 2}


# --- mutual evaluation ---------------------------------------------------------------------
class EvaluationForm(models.Model):
    """A scoring form for one direction; its criteria are edited in the admin."""

    name = models.CharField(_("名称"), max_length=100)
    direction = models.CharField(_("评价方向"), max_length=24, choices=Direction.choices)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("评价表")
        verbose_name_plural = _("评价表")
        ordering = ["direction", "name"]

    def __str__(self) -> str:
        return self.name


class EvaluationCriterion(models.Model):
    form = models.ForeignKey(
        EvaluationForm, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("评价表")
    )
    name = models.CharField(_("评价项"), max_length=100)
    help_text = models.CharField(_("说明"), max_length=300, blank=True)
    max_score = models.PositiveSmallIntegerField(
        _("满分"), default=10, validators=[MinValueValidator(1)]
    )
    weight = models.DecimalField(
        _("权重"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    allow_comment = models.BooleanField(_("可填写意见"), default=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("评价项")
        verbose_name_plural = _("评价项")
        ordering = ["form", "order", "id"]

    def __str__(self) -> str:
        return self.name


class EvaluationRound(ScopedModel):
    """One round of mutual evaluation over a street or county subtree for a period."""

    name = models.CharField(_("名称"), max_length=100)
    period = models.CharField(_("周期"), max_length=10, help_text=_("如 2026 或 2026-H1"))
    area = models.ForeignKey(
        "geo.Area",
        on_delete=models.PROTECT,
        related_name="evaluation_rounds",
        verbose_name=_("范围"),
    )
    anonymity = models.CharField(
        _("匿名方式"), max_length=24, choices=Anonymity.choices, default=Anonymity.HIDDEN_FROM_RATED
    )
    form_unit_to_community = models.ForeignKey(
        EvaluationForm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("单位评社区评价表"),
    )
    form_community_to_unit = models.ForeignKey(
        EvaluationForm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("社区评单位评价表"),
    )
    form_community_to_member = models.ForeignKey(
        EvaluationForm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("社区评党员评价表"),
    )
    good_threshold = models.DecimalField(
        _("优秀分数线"), max_digits=5, decimal_places=2, default=Decimal("90")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    closes_on = models.DateField(_("截止日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("评价轮次")
        verbose_name_plural = _("评价轮次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope):
        """A round is in scope where its area is, or where one of its assignments is (a
        community or unit taking part in a street's round sees that round)."""
        q = super().scope_q(scope)
        inner = EvaluationAssignment.scope_q(scope)
        if inner is None:
            return q
        extra = Q(pk__in=EvaluationAssignment.objects.filter(inner).values("round_id"))
        return extra if q is None else q | extra

    def form_for(self, direction: str) -> EvaluationForm | None:
        return getattr(self, f"form_{direction}")


class EvaluationAssignment(ScopedModel):
    """Rater X rates target Y in a round. The rater is a unit or a community; the target a
    community, a unit or a party member. ``area`` is the community the pair belongs to (the
    target community, or the rating community): the coarse scope. Who may see the rater is
    decided by the round's anonymity in the selectors, never by this scope alone."""

    round = models.ForeignKey(
        EvaluationRound,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("评价轮次"),
    )
    direction = models.CharField(_("评价方向"), max_length=24, choices=Direction.choices)
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    rater_unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评价单位"),
    )
    rater_area = models.ForeignKey(
        "geo.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评价社区"),
    )
    target_area = models.ForeignKey(
        "geo.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("被评社区"),
    )
    target_unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("被评单位"),
    )
    target_member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("被评党员"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    total = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("总体意见"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_area_field = "area_id"
    scope_unit_field = "rater_unit_id"

    class Meta:
        verbose_name = _("评价任务")
        verbose_name_plural = _("评价任务")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "rater_unit", "target_area"],
                condition=Q(direction="unit_to_community"),
                name="uniq_eval_unit_community",
            ),
            models.UniqueConstraint(
                fields=["round", "rater_area", "target_unit"],
                condition=Q(direction="community_to_unit"),
                name="uniq_eval_community_unit",
            ),
            models.UniqueConstraint(
                fields=["round", "rater_area", "target_member"],
                condition=Q(direction="community_to_member"),
                name="uniq_eval_community_member",
            ),
        ]
        indexes = [models.Index(fields=["round", "direction", "status"])]

    def __str__(self) -> str:
        return f"{self.rater} → {self.target}"

    @property
    def rater(self):
        return self.rater_unit or self.rater_area

    @property
    def target(self):
        return self.target_area or self.target_unit or self.target_member

    @property
    def target_key(self) -> tuple[str, int]:
        if self.target_area_id:
            return ("community", self.target_area_id)
        if self.target_unit_id:
            return ("unit", self.target_unit_id)
        return ("member", self.target_member_id)


class EvaluationScore(models.Model):
    """One criterion's score within an assignment (reached only through the assignment)."""

    assignment = models.ForeignKey(
        EvaluationAssignment, on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(EvaluationCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(max_digits=6, decimal_places=2)
    comment = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="uniq_eval_score")
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"


# --- organisational life -------------------------------------------------------------------
class Meeting(ScopedModel):
    """A meeting of 三会一课 held by a party organisation, with attendance per member."""

    organization = models.ForeignKey(
        "orgs.PartyOrganization",
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("党组织"),
    )
    kind = models.CharField(_("类型"), max_length=20, choices=MeetingKind.choices)
    held_on = models.DateField(_("日期"))
    topic = models.CharField(_("主题"), max_length=200)
    notes = models.TextField(_("纪要"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "organization__area_id"
    scope_grid_field = "organization__grid_id"

    class Meta:
        verbose_name = _("组织生活")
        verbose_name_plural = _("组织生活")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["organization", "held_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class MeetingAttendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey("people.PartyMember", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Attendance.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="uniq_meeting_member")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.status}"


class TrainingRecord(ScopedModel):
    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.CASCADE,
        related_name="training_records",
        verbose_name=_("党员"),
    )
    taken_on = models.DateField(_("日期"))
    title = models.CharField(_("内容"), max_length=200)
    kind = models.CharField(
        _("方式"), max_length=10, choices=TrainingKind.choices, default=TrainingKind.OFFLINE
    )
    hours = models.DecimalField(
        _("学时"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Where a credited record comes from, e.g. "surveys.paper:12" for a passed staff test
    # (services.training_credit); empty for records entered by hand. Once per member and source.
    source = models.CharField(_("来源"), max_length=60, blank=True, default="")

    scope_area_field = "member__area_id"
    scope_grid_field = "member__grid_id"

    class Meta:
        verbose_name = _("教育培训")
        verbose_name_plural = _("教育培训")
        ordering = ["-taken_on", "-id"]
        indexes = [models.Index(fields=["member", "taken_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "source"],
                condition=~Q(source=""),
                name="partylife_training_once_per_source",
            )
        ]


# --- dues ----------------------------------------------------------------------------------
class DuesBase(ScopedModel):
    """A member's declared dues base from a month on (the latest one in force applies)."""

    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.CASCADE,
        related_name="dues_bases",
        verbose_name=_("党员"),
    )
    since = models.DateField(_("起始月份"))
    category = models.CharField(_("类别"), max_length=12, choices=DuesCategory.choices)
    monthly_income = models.DecimalField(_("月税后收入"), default=Decimal("0"), **MONEY)
    monthly_dues = models.DecimalField(_("月应交党费"), **MONEY)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "member__area_id"
    scope_grid_field = "member__grid_id"

    class Meta:
        verbose_name = _("党费基数")
        verbose_name_plural = _("党费基数")
        ordering = ["member", "-since"]
        constraints = [models.UniqueConstraint(fields=["member", "since"], name="uniq_dues_base")]


class DuesPayment(ScopedModel):
    member = models.ForeignKey(
        "people.PartyMember",
        on_delete=models.CASCADE,
        related_name="dues_payments",
        verbose_name=_("党员"),
    )
    month = models.DateField(_("所属月份"))  # the first day of the month paid for
    amount = models.DecimalField(_("金额"), **MONEY)
    paid_on = models.DateField(_("缴纳日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "member__area_id"
    scope_grid_field = "member__grid_id"

    class Meta:
        verbose_name = _("党费缴纳")
        verbose_name_plural = _("党费缴纳")
        ordering = ["member", "-month"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="uniq_dues_month")]


# --- star rating, warnings, rectification --------------------------------------------------
class StarRating(ScopedModel):
    organization = models.ForeignKey(
        "orgs.PartyOrganization",
        on_delete=models.CASCADE,
        related_name="star_ratings",
        verbose_name=_("党组织"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    scores = models.JSONField(_("分项得分"), default=dict)
    manual_score = models.DecimalField(
        _("评定分"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    manual_note = models.CharField(_("评定说明"), max_length=300, blank=True)
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=2)
    stars = models.PositiveSmallIntegerField(_("星级"))
    computed_at = models.DateTimeField(auto_now=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_area_field = "organization__area_id"
    scope_grid_field = "organization__grid_id"

    class Meta:
        verbose_name = _("星级评定")
        verbose_name_plural = _("星级评定")
        ordering = ["-year", "organization"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="uniq_star_rating")
        ]


class OrgWarning(ScopedModel):
    organization = models.ForeignKey(
        "orgs.PartyOrganization",
        on_delete=models.CASCADE,
        related_name="warnings",
        verbose_name=_("党组织"),
    )
    kind = models.CharField(_("预警类型"), max_length=20, choices=WarningKind.choices)
    detail = models.CharField(_("情况"), max_length=300)
    state = models.CharField(
        _("状态"), max_length=12, choices=WarningState.choices, default=WarningState.OPEN
    )
    raised_on = models.DateField(_("预警日期"))
    recurrence = models.PositiveSmallIntegerField(_("第几次"), default=1)
    cleared_on = models.DateField(_("消除日期"), null=True, blank=True)

    scope_area_field = "organization__area_id"
    scope_grid_field = "organization__grid_id"

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind"],
                condition=Q(state__in=["open", "rectifying"]),
                name="uniq_active_warning",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_kind_display()}"

    @property
    def active(self) -> bool:
        return self.state in (WarningState.OPEN, WarningState.RECTIFYING)


class Rectification(ScopedModel):
    """整改: the task that answers a warning, with progress notes, closed with evidence."""

    warning = models.OneToOneField(
        OrgWarning, on_delete=models.CASCADE, related_name="rectification", verbose_name=_("预警")
    )
    issue = models.CharField(_("问题"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任人"),
    )
    deadline = models.DateField(_("整改期限"))
    evidence = models.TextField(_("整改佐证"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "warning__organization__area_id"
    scope_grid_field = "warning__organization__grid_id"

    class Meta:
        verbose_name = _("整改")
        verbose_name_plural = _("整改")
        ordering = ["deadline", "id"]


class RectificationNote(models.Model):
    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]
