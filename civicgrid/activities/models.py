"""Activities and volunteering (志愿活动): themed party days and volunteer services with sign-up,
QR check-in and hours; volunteer teams with posts, recruitment and training.

Everyone who takes part is a ``Volunteer``: a party member is one through their member record
(``Volunteer.member``, no second copy of their personal data), a resident who is not a member
through a row of their own (name, encrypted phone). Hours, team places and sign-ups all point
at the volunteer row, so members and non-members are counted the same way.

Rows are written only by ``services``; reads go through ``selectors`` (``restrict(user)``).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import ScopedModel
from civicgrid.people.models import PiiMixin

from .choices import (
    ActivityKind,
    ActivityStatus,
    ApplicationStatus,
    Audience,
    CheckinMethod,
    PostKind,
    SignupStatus,
    TeamRole,
)


def _new_secret() -> str:
    return secrets.token_hex(16)


class Volunteer(PiiMixin, ScopedModel):
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在社区")
    )
    member = models.OneToOneField(
        "people.PartyMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer",
        verbose_name=_("党员档案"),
    )
    resident = models.OneToOneField(
        "people.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer",
        verbose_name=_("居民档案"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer",
        verbose_name=_("登录账号"),
    )
    skills = models.CharField(_("特长"), max_length=200, blank=True)
    active = models.BooleanField(_("有效"), default=True)
    registered_at = models.DateTimeField(_("注册时间"), auto_now_add=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_member(self) -> bool:
        return self.member_id is not None

    @property
    def login(self):
        """The sign-in of the person: their own, or their member record's."""
        if self.user_id:
            return self.user
        return self.member.user if self.member_id else None


class VolunteerTeam(ScopedModel):
    """A volunteer service team (志愿服务队) of a community, or of a unit in it."""

    name = models.CharField(_("队名"), max_length=100)
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer_teams",
        verbose_name=_("所属单位"),
    )
    description = models.TextField(_("简介"), max_length=2000, blank=True)
    leader = models.ForeignKey(
        Volunteer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_teams",
        verbose_name=_("队长"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "area_id"
    scope_unit_field = "unit_id"

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["area", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="uniq_volunteer_team_name")
        ]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    """A post (岗位) of a team: regular, skill-based or emergency, with requirements and slots."""

    team = models.ForeignKey(
        VolunteerTeam, on_delete=models.CASCADE, related_name="posts", verbose_name=_("服务队")
    )
    kind = models.CharField(_("岗位类型"), max_length=10, choices=PostKind.choices)
    title = models.CharField(_("岗位名称"), max_length=100)
    requirements = models.CharField(_("岗位要求"), max_length=500, blank=True)
    slots = models.PositiveIntegerField(_("名额"), default=1)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["team", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.title}({self.get_kind_display()})"


class TeamMembership(models.Model):
    team = models.ForeignKey(
        VolunteerTeam,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("服务队"),
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("志愿者")
    )
    role = models.CharField(
        _("角色"), max_length=8, choices=TeamRole.choices, default=TeamRole.MEMBER
    )
    post = models.ForeignKey(
        Post,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("岗位"),
    )
    joined_at = models.DateTimeField(_("入队时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        ordering = ["team", "-role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "volunteer"], name="uniq_team_member")
        ]

    def __str__(self) -> str:
        return f"{self.team_id}:{self.volunteer_id}"


class Recruitment(ScopedModel):
    """A call for volunteers (招募) published by a team, for a post or the team in general."""

    team = models.ForeignKey(
        VolunteerTeam,
        on_delete=models.CASCADE,
        related_name="recruitments",
        verbose_name=_("服务队"),
    )
    post = models.ForeignKey(
        Post,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recruitments",
        verbose_name=_("岗位"),
    )
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("说明"), max_length=2000, blank=True)
    slots = models.PositiveIntegerField(_("招募人数"))
    closes_at = models.DateTimeField(_("截止时间"))
    open = models.BooleanField(_("招募中"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "team__area_id"

    class Meta:
        verbose_name = _("志愿者招募")
        verbose_name_plural = _("志愿者招募")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class RecruitmentApplication(ScopedModel):
    recruitment = models.ForeignKey(
        Recruitment, on_delete=models.CASCADE, related_name="applications", verbose_name=_("招募")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="applications", verbose_name=_("志愿者")
    )
    note = models.CharField(_("申请说明"), max_length=500, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    scope_area_field = "recruitment__team__area_id"

    class Meta:
        verbose_name = _("招募申请")
        verbose_name_plural = _("招募申请")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recruitment", "volunteer"], name="uniq_application")
        ]


class Training(ScopedModel):
    """A training session (志愿者培训) and, through its attendances, who took part for how long."""

    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    team = models.ForeignKey(
        VolunteerTeam,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainings",
        verbose_name=_("服务队"),
    )
    title = models.CharField(_("培训主题"), max_length=100)
    held_on = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("培训学时"), max_digits=5, decimal_places=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("志愿者培训")
        verbose_name_plural = _("志愿者培训")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class TrainingAttendance(models.Model):
    training = models.ForeignKey(
        Training, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("培训")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="trainings", verbose_name=_("志愿者")
    )
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        constraints = [
            models.UniqueConstraint(
                fields=["training", "volunteer"], name="uniq_training_attendance"
            )
        ]

    def __str__(self) -> str:
        return f"{self.training_id}:{self.volunteer_id}"


class Activity(ScopedModel):
    """A themed party day (主题党日) or a volunteer service, published by community or street staff."""

    kind = models.CharField(_("类型"), max_length=10, choices=ActivityKind.choices)
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("内容"), max_length=4000, blank=True)
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("发布区划")
    )
    team = models.ForeignKey(
        VolunteerTeam,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("组织服务队"),
    )
    place = models.CharField(_("地点"), max_length=200)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    signup_opens_at = models.DateTimeField(_("报名开始"))
    signup_closes_at = models.DateTimeField(_("报名截止"))
    cancel_until = models.DateTimeField(_("取消报名截止"))
    capacity = models.PositiveIntegerField(_("名额"))
    waitlist = models.BooleanField(_("满员后可候补"), default=False)
    audience = models.CharField(
        _("报名对象"), max_length=10, choices=Audience.choices, default=Audience.VOLUNTEERS
    )
    hours = models.DecimalField(_("计入时长(小时)"), max_digits=5, decimal_places=1)
    checkin_lead_minutes = models.PositiveIntegerField(_("提前签到(分钟)"), default=30)
    status = models.CharField(
        _("状态"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.PUBLISHED
    )
    # Key of the rotating check-in code (with the server's secret); never shown.
    qr_secret = models.CharField(max_length=32, default=_new_secret, editable=False)
    confirmed_count = models.PositiveIntegerField(_("已报名"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    credited_at = models.DateTimeField(_("时长核算时间"), null=True, blank=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="activity_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.confirmed_count)


class Signup(ScopedModel):
    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="signups", verbose_name=_("活动")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="signups", verbose_name=_("志愿者")
    )
    status = models.CharField(_("状态"), max_length=10, choices=SignupStatus.choices)
    signed_up_at = models.DateTimeField(_("报名时间"))
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    checkin_method = models.CharField(
        _("签到方式"), max_length=8, choices=CheckinMethod.choices, blank=True
    )
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("补录人"),
    )

    scope_area_field = "activity__area_id"

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="uniq_signup")
        ]
        indexes = [models.Index(fields=["activity", "status", "signed_up_at"])]


class HoursEntry(ScopedModel):
    """Service hours credited to a volunteer for one sign-up (one entry per sign-up, ever)."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="hours_entries", verbose_name=_("志愿者")
    )
    signup = models.OneToOneField(
        Signup, on_delete=models.PROTECT, related_name="hours_entry", verbose_name=_("报名")
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="hours_entries", verbose_name=_("活动")
    )
    team = models.ForeignKey(
        VolunteerTeam,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hours_entries",
        verbose_name=_("服务队"),
    )
    # Where the service was given (the activity's community or street), for statistics and scoping.
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    hours = models.DecimalField(_("时长(小时)"), max_digits=5, decimal_places=1)
    served_on = models.DateField(_("服务日期"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("核算人"),
    )

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("志愿服务时长")
        verbose_name_plural = _("志愿服务时长")
        ordering = ["-served_on", "-id"]
        indexes = [
            models.Index(fields=["area", "served_on"]),
            models.Index(fields=["volunteer", "served_on"]),
        ]


class ActivityEvent(ScopedModel):
    """What staff and organisers did (only ever added to, by the services): publishing, hand-made sign-ups and attendance
    marks with the values they replaced, crediting, team and recruitment decisions."""

    class Action(models.TextChoices):
        VOLUNTEER_REGISTER = "volunteer_register", _("登记志愿者")
        PUBLISH = "publish", _("发布活动")
        CANCEL = "cancel", _("取消活动")
        ENROL = "enrol", _("代为报名")
        MARK = "mark", _("补录签到")
        CREDIT = "credit", _("核算时长")
        TEAM_CREATE = "team_create", _("新建服务队")
        TEAM_MEMBER_ADD = "team_member_add", _("添加队员")
        RECRUITMENT_DECIDE = "recruitment_decide", _("审核招募申请")
        TRAINING_RECORD = "training_record", _("记录培训")

    action = models.CharField(_("动作"), max_length=24, choices=Action.choices)
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("活动"),
    )
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    scope_area_field = "area_id"

    class Meta:
        verbose_name = _("志愿活动记录")
        verbose_name_plural = _("志愿活动记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_type}:{self.object_id}"
