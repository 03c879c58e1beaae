"""Questionnaires (抽样问卷): questions, the sample and its invitations, the answers.

Who has answered (``Invitation.answered``, ``OpenParticipation``) is kept apart from what
was answered (``Response`` and ``AnswerItem``). For an anonymous questionnaire the response
has no link to the invitation and neither side carries a time, so the two cannot be joined.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.fields import EncryptedTextField
from civicgrid.core.scoping import ScopedModel

from ..choices import (
    FrameKind,
    QuestionKind,
    QuestionnaireMode,
    QuestionnairePurpose,
    QuestionnaireStatus,
)


class Questionnaire(ScopedModel):
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("说明"), max_length=2000, blank=True)
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("发起区划")
    )
    mode = models.CharField(
        _("方式"),
        max_length=10,
        choices=QuestionnaireMode.choices,
        default=QuestionnaireMode.SAMPLED,
    )
    purpose = models.CharField(
        _("用途"),
        max_length=24,
        choices=QuestionnairePurpose.choices,
        default=QuestionnairePurpose.GENERAL,
    )
    anonymous = models.BooleanField(_("匿名"), default=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=QuestionnaireStatus.choices,
        default=QuestionnaireStatus.DRAFT,
        db_index=True,
    )
    public_key = models.CharField(max_length=24, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == QuestionnaireStatus.PUBLISHED


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("题型"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("题目"), max_length=300)
    required = models.BooleanField(_("必答"), default=True)
    options = models.JSONField(_("选项"), default=list, blank=True)
    scale_max = models.PositiveSmallIntegerField(_("量表最高分"), default=5)
    # A scale question flagged here counts towards the satisfaction index.
    satisfaction = models.BooleanField(_("计入满意度"), default=False)

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "position"], name="uniq_survey_question_position"
            )
        ]

    def __str__(self) -> str:
        return self.text


class Sample(ScopedModel):
    """The sampling frame's definition, the seed and the size: enough to draw it again."""

    questionnaire = models.OneToOneField(
        Questionnaire, on_delete=models.CASCADE, related_name="sample"
    )
    frame_kind = models.CharField(
        _("抽样框"), max_length=16, choices=FrameKind.choices, default=FrameKind.RESIDENTS
    )
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("抽样区划")
    )
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    size = models.PositiveIntegerField(_("样本量"))
    seed = models.CharField(_("随机种子"), max_length=40)
    stratify = models.BooleanField(_("按社区分层"), default=False)
    frame_size = models.PositiveIntegerField(_("抽样框人数"), default=0)
    frame_hash = models.CharField(max_length=64, blank=True)
    reference_date = models.DateField(_("年龄计算基准日"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "questionnaire__area_id"

    class Meta:
        verbose_name = _("样本")
        verbose_name_plural = _("样本")

    def __str__(self) -> str:
        return f"{self.questionnaire} · n={self.size}"


class Invitation(ScopedModel):
    """One sampled person: the one-time link (only its hash is kept) and whether they answered."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="invitations"
    )
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    stratum = models.CharField(max_length=40, blank=True)
    phone = EncryptedTextField(blank=True, default="")
    phone_index = models.CharField(max_length=32, blank=True, default="")
    token_hash = models.CharField(max_length=64, unique=True)
    sort_key = models.CharField(max_length=64)  # the sampling key (see services.sampling)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered = models.BooleanField(default=False)
    # Only for questionnaires that are not anonymous; anonymous ones keep no time here.
    answered_at = models.DateTimeField(null=True, blank=True)

    scope_area_field = "questionnaire__area_id"

    class Meta:
        verbose_name = _("问卷邀请")
        verbose_name_plural = _("问卷邀请")
        ordering = ["questionnaire", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "resident"],
                name="uniq_survey_invitation_resident",
                condition=models.Q(resident__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id}:{self.pk}"


class OpenParticipation(models.Model):
    """An open questionnaire answered once per portal session (a keyed hash of the key)."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="+")
    key_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "key_hash"], name="uniq_survey_open_participation"
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"


class Response(models.Model):
    """The content of one answer sheet. A random id, so that ids carry no order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="responses"
    )
    # Set only when the questionnaire is not anonymous.
    invitation = models.OneToOneField(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="response"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"


class AnswerItem(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    option = models.PositiveSmallIntegerField(null=True, blank=True)  # single/multiple
    number = models.PositiveSmallIntegerField(null=True, blank=True)  # scale
    text = models.TextField(max_length=2000, blank=True)

    class Meta:
        indexes = [models.Index(fields=["question", "option"])]

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.pk}"
