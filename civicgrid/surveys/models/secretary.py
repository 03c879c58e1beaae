"""Secretary-led projects, responsibility lists, area meetings and the annual review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import ScopedModel

from ..choices import ItemStatus, ListKind, ProjectStatus


class SecretaryProfile(ScopedModel):
    """A user who is the secretary (书记) of a party organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("书记")
    )
    organization = models.ForeignKey(
        "orgs.PartyOrganization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("党组织"),
    )
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(_("在任"), default=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("书记")
        verbose_name_plural = _("书记")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="uniq_secretary_profile")
        ]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} · {self.organization}"

    @property
    def display_name(self) -> str:
        return getattr(self.user, "display_name", "") or self.user.username


class SecretaryProject(ScopedModel):
    """A hard project (破难攻坚项目) a secretary leads publicly."""

    secretary = models.ForeignKey(
        SecretaryProfile, on_delete=models.PROTECT, related_name="projects"
    )
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("项目名称"), max_length=120)
    goal = models.TextField(_("目标"), max_length=2000)
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    public = models.BooleanField(_("公开"), default=True)
    percent = models.PositiveSmallIntegerField(_("进度%"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("书记领办项目")
        verbose_name_plural = _("书记领办项目")
        ordering = ["-year", "title"]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    project = models.ForeignKey(
        SecretaryProject, on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("节点"), max_length=120)
    due_on = models.DateField(_("计划日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        ordering = ["project", "due_on", "id"]

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"

    @property
    def done(self) -> bool:
        return self.done_on is not None


class ProgressReport(models.Model):
    """The monthly progress report (每月报进度)."""

    project = models.ForeignKey(SecretaryProject, on_delete=models.CASCADE, related_name="reports")
    month = models.DateField(_("月份"))  # the first day of the month
    text = models.TextField(_("进展"), max_length=2000)
    percent = models.PositiveSmallIntegerField(_("完成%"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="uniq_progress_month")
        ]

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"


class ResponsibilityItem(ScopedModel):
    secretary = models.ForeignKey(SecretaryProfile, on_delete=models.CASCADE, related_name="items")
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("清单"), max_length=16, choices=ListKind.choices)
    title = models.CharField(_("事项"), max_length=200)
    due_on = models.DateField(_("完成时限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=ItemStatus.choices, default=ItemStatus.TODO
    )
    done_on = models.DateField(null=True, blank=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("清单事项")
        verbose_name_plural = _("清单事项")
        ordering = ["secretary", "kind", "due_on", "id"]


class AreaMeeting(ScopedModel):
    """The quarterly area meeting (每季度开片区会)."""

    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("日期"))
    title = models.CharField(_("主题"), max_length=120)
    notes = models.TextField(_("纪要"), max_length=4000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("片区会")
        verbose_name_plural = _("片区会")
        ordering = ["-held_on"]


class ReviewRound(ScopedModel):
    """The annual review (述职评议) of the secretaries in an area."""

    year = models.PositiveSmallIntegerField(_("年度"))
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("名称"), max_length=120)
    # Weights of the composite score, in per cent; they add up to 100.
    weight_reviewers = models.PositiveSmallIntegerField(_("评议打分权重%"), default=70)
    weight_satisfaction = models.PositiveSmallIntegerField(_("群众满意度权重%"), default=30)
    questionnaire = models.ForeignKey(
        "surveys.Questionnaire",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("满意度问卷"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("述职评议")
        verbose_name_plural = _("述职评议")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["year", "area"], name="uniq_review_round")]

    def __str__(self) -> str:
        return self.title


class ReviewCriterion(models.Model):
    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("评分项"), max_length=80)
    max_score = models.PositiveSmallIntegerField(_("满分"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["round", "position", "id"]

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"


class ReviewReport(models.Model):
    """A secretary's report (述职) in a round; its own survey may replace the round's."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="reports")
    secretary = models.ForeignKey(SecretaryProfile, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("述职报告"), max_length=8000, blank=True)
    questionnaire = models.ForeignKey(
        "surveys.Questionnaire", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "secretary"], name="uniq_review_report")
        ]

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"


class ReviewScore(models.Model):
    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="scores")
    secretary = models.ForeignKey(SecretaryProfile, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    criterion = models.ForeignKey(ReviewCriterion, on_delete=models.CASCADE, related_name="scores")
    score = models.DecimalField(max_digits=5, decimal_places=1)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["secretary", "reviewer", "criterion"], name="uniq_review_score"
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"
