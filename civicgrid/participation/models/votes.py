"""Livelihood projects voted by deputies (民生实事票决制). A deputy's having voted and the
content of their ballot are stored apart: Deputy.voted_at says who voted; Ballot rows (random
ids, no time, no deputy) say what was chosen."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import ScopedModel

from ..choices import ProjectOrigin, VoteStatus


class Vote(ScopedModel):
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    title = models.CharField(_("票决名称"), max_length=120)
    opens_at = models.DateTimeField(_("投票开始"))
    closes_at = models.DateTimeField(_("投票截止"))
    seats = models.PositiveSmallIntegerField(_("入选项目数"), default=10)
    status = models.CharField(
        _("状态"), max_length=12, choices=VoteStatus.choices, default=VoteStatus.DRAFT
    )
    published_at = models.DateTimeField(_("公布于"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("民生实事票决")
        verbose_name_plural = _("民生实事票决")
        ordering = ["-opens_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Project(ScopedModel):
    """A candidate livelihood project; once chosen, tracked with milestones until done."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(_("项目名称"), max_length=120)
    description = models.TextField(_("项目内容"), max_length=4000)
    cost = models.DecimalField(_("估算投资(万元)"), max_digits=10, decimal_places=2)
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("实施区域")
    )
    origin = models.CharField(_("来源"), max_length=12, choices=ProjectOrigin.choices)
    proposer = models.CharField(_("提出单位/群众"), max_length=100, blank=True)
    votes = models.PositiveIntegerField(_("得票"), default=0)
    rank = models.PositiveSmallIntegerField(_("名次"), null=True, blank=True)
    chosen = models.BooleanField(_("入选"), default=False)
    progress = models.PositiveSmallIntegerField(_("进度%"), default=0)
    done_at = models.DateTimeField(_("完成于"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "vote__area_id"

    class Meta:
        verbose_name = _("民生实事项目")
        verbose_name_plural = _("民生实事项目")
        ordering = ["vote", "rank", "id"]

    def __str__(self) -> str:
        return self.title


class Milestone(ScopedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=120)
    progress = models.PositiveSmallIntegerField(_("完成后进度%"))
    note = models.CharField(_("说明"), max_length=400, blank=True)
    reached_on = models.DateField(_("完成日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    scope_area_field = "project__vote__area_id"

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["project", "reached_on", "id"]

    def __str__(self) -> str:
        return self.title


class Deputy(ScopedModel):
    """A deputy (人大代表) entitled to one ballot, with a one-time voting code (only its hash)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="deputies")
    name = models.CharField(_("代表姓名"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    voted_at = models.DateTimeField(_("已投票"), null=True, blank=True)

    scope_area_field = "vote__area_id"

    class Meta:
        verbose_name = _("人大代表")
        verbose_name_plural = _("人大代表")
        ordering = ["vote", "id"]

    def __str__(self) -> str:
        return self.name


class Ballot(models.Model):
    """One secret ballot: a random id, the vote, the chosen projects — nothing about who or when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    # The chosen project ids, in no particular order (a JSON list, so that no row of a join
    # table with a sequential id records the order in which ballots came in).
    choices = models.JSONField(default=list)

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")

    def __str__(self) -> str:
        return str(self.id)
