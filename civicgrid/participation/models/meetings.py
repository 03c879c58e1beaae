"""Deliberation meetings (红色议事厅, 物居业三方议事会, 联席会议): invitees, agenda items,
their outcome — solved on the spot, or a commitment that is a case of the case loop."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import ScopedModel

from ..choices import (
    InviteeKind,
    ItemOrigin,
    ItemOutcome,
    MeetingKind,
    MeetingStatus,
    ProposalStatus,
)


class Meeting(ScopedModel):
    kind = models.CharField(_("会议类型"), max_length=16, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=120)
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="meetings", verbose_name=_("区划")
    )
    compound = models.ForeignKey(
        "participation.Compound",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("小区"),
    )
    scheduled_at = models.DateTimeField(_("召开时间"), db_index=True)
    place = models.CharField(_("地点"), max_length=120, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    minutes = models.TextField(_("会议纪要"), blank=True, max_length=20000)
    attendee_count = models.PositiveIntegerField(_("参会人数"), default=0)
    held_at = models.DateTimeField(_("召开于"), null=True, blank=True)
    published_at = models.DateTimeField(_("公开于"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("议事会议")
        verbose_name_plural = _("议事会议")
        ordering = ["-scheduled_at", "-id"]
        indexes = [models.Index(fields=["area", "status", "scheduled_at"])]

    def __str__(self) -> str:
        return self.title


class MeetingInvitee(ScopedModel):
    """Who is invited: a staff user, a unit, a party member, or a resident by name only."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    kind = models.CharField(_("类别"), max_length=16, choices=InviteeKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    party_member = models.ForeignKey(
        "people.PartyMember", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("姓名/名称"), max_length=100)
    present = models.BooleanField(_("已签到"), default=False)

    scope_area_field = "meeting__area_id"

    class Meta:
        verbose_name = _("参会人")
        verbose_name_plural = _("参会人")
        ordering = ["meeting", "kind", "id"]

    def __str__(self) -> str:
        return self.name


class Proposal(ScopedModel):
    """A resident's proposal for the agenda, recorded by staff (or sent from the portal)."""

    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="proposals", verbose_name=_("社区")
    )
    compound = models.ForeignKey(
        "participation.Compound",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("小区"),
    )
    proposer_name = models.CharField(_("提议人"), max_length=50, blank=True)
    title = models.CharField(_("议题"), max_length=120)
    text = models.TextField(_("内容"), max_length=4000)
    status = models.CharField(
        _("状态"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("居民提议")
        verbose_name_plural = _("居民提议")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class AgendaItem(ScopedModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("序号"), default=1)
    title = models.CharField(_("议题"), max_length=120)
    description = models.TextField(_("说明"), blank=True, max_length=4000)
    origin = models.CharField(_("来源"), max_length=12, choices=ItemOrigin.choices)
    proposal = models.ForeignKey(
        Proposal, on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    source_case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("来源事件"),
    )
    outcome = models.CharField(
        _("结果"), max_length=12, choices=ItemOutcome.choices, default=ItemOutcome.PENDING
    )
    resolution = models.TextField(_("解决情况"), blank=True, max_length=4000)
    owner_unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任单位"),
    )
    owner_area = models.ForeignKey(
        "geo.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任区划"),
    )
    deadline = models.DateField(_("承诺时限"), null=True, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_item",
        verbose_name=_("承诺事件"),
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope_area_field = "meeting__area_id"

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["meeting", "position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_name(self) -> str:
        if self.owner_unit_id:
            return self.owner_unit.name
        return self.owner_area.name if self.owner_area_id else ""

    @property
    def case_done(self) -> bool:
        from civicgrid.cases.choices import Status

        return self.case_id is not None and self.case.status in (
            Status.RESOLVED,
            Status.RATED,
            Status.CLOSED,
        )


class ParticipationEvent(ScopedModel):
    """The app's ledger: one row per write (meetings, items, assessments, votes)."""

    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=32)
    object_type = models.CharField(max_length=24)
    object_id = models.PositiveBigIntegerField()
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"
