"""Staff knowledge tests (岗位练兵): question banks, timed papers, attempts, training records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import ScopedModel

from ..choices import BankTopic, ItemKind, TrainingKind


class QuestionBank(ScopedModel):
    name = models.CharField(_("题库名称"), max_length=100)
    topic = models.CharField(_("类别"), max_length=10, choices=BankTopic.choices)
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区划")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("题库")
        verbose_name_plural = _("题库")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class BankItem(models.Model):
    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("题型"), max_length=10, choices=ItemKind.choices)
    text = models.CharField(_("题目"), max_length=500)
    options = models.JSONField(_("选项"), default=list, blank=True)
    answer = models.JSONField(_("正确答案"), default=list)  # sorted option indices
    explanation = models.TextField(_("解析"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("试题")
        verbose_name_plural = _("试题")
        ordering = ["bank", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class TestPaper(ScopedModel):
    __test__ = False  # not a pytest test class

    title = models.CharField(_("试卷名称"), max_length=100)
    bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, related_name="papers")
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("参考范围")
    )
    question_count = models.PositiveSmallIntegerField(_("题量"))
    time_limit_minutes = models.PositiveSmallIntegerField(_("限时(分钟)"))
    seed = models.CharField(max_length=40)
    opens_at = models.DateTimeField(_("开考时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    training_hours = models.DecimalField(_("计培训学时"), max_digits=4, decimal_places=1, default=1)
    # A hand-in scoring at least this share of the maximum passes (合格): a pass credits the
    # paper's training hours to a party member's education hours (docs/surveys.md).
    pass_percent = models.PositiveSmallIntegerField(_("合格线(%)"), default=60)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("试卷")
        verbose_name_plural = _("试卷")
        ordering = ["-opens_at"]

    def __str__(self) -> str:
        return self.title


class PaperItem(models.Model):
    paper = models.ForeignKey(TestPaper, on_delete=models.CASCADE, related_name="paper_items")
    item = models.ForeignKey(BankItem, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    points = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["paper", "position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "position"], name="uniq_paper_item_position")
        ]

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"


class TestAttempt(ScopedModel):
    """One person's sitting of a paper. The deadline is stored when the attempt starts."""

    __test__ = False  # not a pytest test class

    paper = models.ForeignKey(TestPaper, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在社区/街道")
    )
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(_("超时提交"), default=False)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    max_score = models.PositiveSmallIntegerField(default=0)
    correct = models.PositiveSmallIntegerField(default=0)
    passed = models.BooleanField(_("合格"), null=True, blank=True)  # set at hand-in

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("答题记录")
        verbose_name_plural = _("答题记录")
        constraints = [models.UniqueConstraint(fields=["paper", "user"], name="uniq_test_attempt")]

    def __str__(self) -> str:
        return f"{self.user} · {self.paper}"


class TestAnswer(models.Model):
    __test__ = False  # not a pytest test class

    attempt = models.ForeignKey(TestAttempt, on_delete=models.CASCADE, related_name="answers")
    paper_item = models.ForeignKey(PaperItem, on_delete=models.CASCADE, related_name="+")
    chosen = models.JSONField(default=list)
    saved_at = models.DateTimeField()
    counted = models.BooleanField(default=False)
    correct = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "paper_item"], name="uniq_test_answer")
        ]

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"


class TrainingRecord(ScopedModel):
    """Education and training record of a staff member (tests feed it automatically)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("人员")
    )
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=TrainingKind.choices)
    title = models.CharField(_("名称"), max_length=150)
    date = models.DateField(_("日期"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1, default=0)
    score = models.PositiveSmallIntegerField(_("成绩"), null=True, blank=True)
    attempt = models.OneToOneField(
        TestAttempt, on_delete=models.SET_NULL, null=True, blank=True, related_name="record"
    )

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.user} · {self.title}"
