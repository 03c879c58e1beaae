from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from civicgrid.core.fields import EncryptedTextField
from civicgrid.core.scoping import ScopedModel

from .choices import (
    OPEN_STATUSES,
    Domain,
    HandlingMode,
    Rating,
    ResolveKind,
    SlaState,
    Source,
    Status,
    Tier,
)


def status_in_sql(statuses) -> RawSQL:
    """``cases_case.status IN (…)`` with the statuses written out as constants, sorted as in
    the partial indexes' conditions. SQLite uses a partial index only when the query repeats
    the index's condition term for term with literal values (bound parameters do not count);
    PostgreSQL is indifferent. Only for queries whose base table is cases_case; the values
    are the model's own choices, never user input."""
    values = sorted(str(s) for s in statuses)
    assert all(v.isidentifier() for v in values)
    quoted = ", ".join(f"'{v}'" for v in values)
    return RawSQL(f'"cases_case"."status" IN ({quoted})', (), output_field=models.BooleanField())


def open_q() -> models.Q:
    """Open cases (see `status_in_sql`)."""
    return models.Q(status_in_sql(OPEN_STATUSES))


DEPARTMENT_TYPES = [
    ("public_security", _("公安")),
    ("urban_management", _("城管执法")),
    ("housing", _("住建")),
    ("ecology_environment", _("生态环境")),
    ("market_regulation", _("市场监管")),
    ("human_resources", _("人社")),
    ("emergency_management", _("应急管理")),
    ("water", _("水务")),
    ("power", _("供电")),
    ("civil_affairs", _("民政")),
    ("health", _("卫健")),
    ("transport", _("交通运输")),
    ("education", _("教育")),
    ("natural_resources", _("自然资源")),
    ("agriculture", _("农业农村")),
    ("fire", _("消防救援")),
    ("gas", _("燃气")),
    ("petition", _("信访")),
    ("justice", _("司法")),
    ("organization", _("组织部")),
    ("federation", _("群团")),
]


class MatterGroup(models.Model):
    """A heading of the matter catalogue: a domain group or a sub-group."""

    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    domain = models.CharField(_("领域"), max_length=16, choices=Domain.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        verbose_name = _("事项分类")
        verbose_name_plural = _("事项分类")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class MatterItem(models.Model):
    """A reportable matter (事项清单). Edits bump `revision` and keep a MatterItemRevision;
    cases copy their time limits at creation, so an edit never moves existing deadlines."""

    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    group = models.ForeignKey(
        MatterGroup, on_delete=models.PROTECT, related_name="items", verbose_name=_("分类")
    )
    domain = models.CharField(_("领域"), max_length=16, choices=Domain.choices)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Tier.choices)
    mode = models.CharField(_("默认办理方式"), max_length=20, choices=HandlingMode.choices)
    lead_department = models.CharField(
        _("牵头部门类型"), max_length=24, choices=DEPARTMENT_TYPES, blank=True
    )
    assist_departments = models.JSONField(_("协办部门类型"), default=list, blank=True)
    accept_hours = models.PositiveSmallIntegerField(_("受理时限(小时)"), default=2)
    resolve_kind = models.CharField(_("办结时限类型"), max_length=16, choices=ResolveKind.choices)
    resolve_days = models.PositiveSmallIntegerField(_("办结工作日"), default=0)
    urgent_hours = models.PositiveSmallIntegerField(_("紧急处置时限(小时)"), null=True, blank=True)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    description = models.TextField(_("说明"), blank=True)
    admission_approved_by = models.CharField(_("准入审批单位"), max_length=60, blank=True)
    admission_approved_on = models.DateField(_("准入日期"), null=True, blank=True)
    admission_document = models.CharField(_("准入文件"), max_length=60, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    revision = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("上报事项")
        verbose_name_plural = _("上报事项")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MatterItemRevision(models.Model):
    item = models.ForeignKey(MatterItem, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField()
    snapshot = models.JSONField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["item", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["item", "revision"], name="uniq_item_revision")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} r{self.revision}"


class Department(ScopedModel):
    """A district department (a Unit of kind department) and the matter types it handles."""

    unit = models.OneToOneField(
        "orgs.Unit", on_delete=models.CASCADE, related_name="department", verbose_name=_("单位")
    )
    department_type = models.CharField(_("部门类型"), max_length=24, choices=DEPARTMENT_TYPES)
    county = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="departments", verbose_name=_("所属县区")
    )

    scope_area_field = "county_id"
    scope_unit_field = "unit_id"

    class Meta:
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        constraints = [
            models.UniqueConstraint(fields=["county", "department_type"], name="uniq_dept_type")
        ]

    def __str__(self) -> str:
        return str(self.unit)


class WorkCalendarDay(models.Model):
    """An override of the working-day calendar (holiday or adjusted working day)."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'}"


class Case(ScopedModel):
    """One matter raised by someone (事件/工单/诉求), with its ledger of events (一事一册)."""

    number = models.CharField(_("编号"), max_length=20, unique=True, null=True, blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True, db_index=True)
    idempotency_key = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    item = models.ForeignKey(
        MatterItem, on_delete=models.PROTECT, related_name="cases", verbose_name=_("事项")
    )
    item_revision = models.PositiveIntegerField(default=1, editable=False)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Tier.choices)
    mode = models.CharField(_("办理方式"), max_length=20, choices=HandlingMode.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.REPORTED, db_index=True
    )
    text = models.TextField(_("描述"), max_length=4000)
    # Segmented terms for full-text search (see civicgrid.core.textsearch); indexed by FTS5 / GIN.
    search_text = models.TextField(blank=True, default="", editable=False)
    address = models.CharField(_("地点"), max_length=200, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    located = models.BooleanField(_("已定位到网格"), default=True)
    suggested_grid = models.ForeignKey(
        "geo.Grid",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("建议网格"),
    )
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="cases", verbose_name=_("社区")
    )
    grid = models.ForeignKey(
        "geo.Grid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("网格"),
    )
    # Who holds it now: a tier area (community/street) or a department unit.
    handler_area = models.ForeignKey(
        "geo.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("承办区划"),
    )
    handler_unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("承办部门"),
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_cases",
        verbose_name=_("上报人"),
    )
    reporter_name = models.CharField(_("诉求人"), max_length=50, blank=True)
    reporter_phone = EncryptedTextField(_("诉求人电话"), blank=True, default="")
    tracking_code = models.CharField(_("查询码"), max_length=12, blank=True, db_index=True)
    urgent = models.BooleanField(_("紧急"), default=False)
    accept_due = models.DateTimeField(_("受理时限"), null=True, blank=True)
    resolve_due = models.DateTimeField(_("办结时限"), null=True, blank=True, db_index=True)
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    # The item's time limits when the case was raised: later catalogue edits never move them.
    limits = models.JSONField(default=dict, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    rating = models.CharField(_("评价"), max_length=16, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("评价意见"), blank=True, max_length=1000)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("合并至"),
    )
    sla_state = models.CharField(
        _("时限状态"),
        max_length=8,
        choices=SlaState.choices,
        default=SlaState.ON_TIME,
        db_index=True,
    )
    supervised = models.BooleanField(_("督办中"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("上报时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_area_field = "area_id"
    scope_grid_field = "grid_id"
    scope_unit_field = "handler_unit_id"

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["area", "status", "resolve_due"]),
            models.Index(fields=["handler_unit", "status", "resolve_due"]),
            models.Index(fields=["status", "resolve_due"]),
            # Work queues and the deadline sweep read open cases only, a few per cent of all:
            # partial indexes keep them fast however long the history grows.
            models.Index(
                fields=["area", "sla_state", "resolve_due"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="case_open_area_sla",
            ),
            models.Index(
                fields=["handler_area", "status", "resolve_due"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="case_open_handler",
            ),
            models.Index(
                fields=["sla_state", "resolve_due"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="case_open_sla_due",
            ),
            models.Index(
                fields=["sla_state", "warn_at"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="case_open_sla_warn",
            ),
            # Resolved cases waiting for their rating (the sweep closes them after N days).
            models.Index(
                fields=["resolved_at"],
                condition=models.Q(status__in=[Status.RESOLVED]),
                name="case_resolved_at",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def handler_name(self) -> str:
        if self.handler_unit_id:
            return self.handler_unit.name
        return self.handler_area.name if self.handler_area_id else ""

    @classmethod
    def scope_q(cls, scope):
        """Also visible to the departments called in by a whistle or assisting in joint handling."""
        q = super().scope_q(scope)
        if scope.unit_ids:
            extra = models.Q(
                pk__in=CaseTask.objects.filter(unit_id__in=scope.unit_ids).values("case_id")
            ) | models.Q(
                pk__in=WhistleResponse.objects.filter(unit_id__in=scope.unit_ids).values(
                    "call__case_id"
                )
            )
            q = extra if q is None else q | extra
        return q


EVENT_LABELS = {
    "report": _("上报"),
    "locate": _("确认网格"),
    "whistle": _("吹哨"),
    "whistle_report": _("部门报到"),
    "whistle_rate": _("报到评价"),
    "supervise": _("督办"),
    "supervision_answer": _("答复督办"),
    "task_reply": _("联办答复"),
    "note": _("备注"),
    "reclassify": _("更改类别"),
    "join": _("加入事件"),
    "co_rate": _("共同诉求人评价"),
}


class CaseEvent(ScopedModel):
    """One step in a case's ledger: who did what, from which state to which, when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("动作"), max_length=24)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    note = models.TextField(_("说明"), blank=True, max_length=4000)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    scope_area_field = "case__area_id"
    scope_grid_field = "case__grid_id"
    scope_unit_field = "case__handler_unit_id"

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.action}"

    @property
    def action_label(self) -> str:
        from .workflow import ACTIONS

        if self.action in ACTIONS:
            return str(ACTIONS[self.action].label)
        return str(EVENT_LABELS.get(self.action, self.action))


def attachment_path(instance, filename: str) -> str:
    return f"cases/{instance.case_id}/{filename}"


class CaseAttachment(ScopedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        CaseEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "case__area_id"
    scope_grid_field = "case__grid_id"
    scope_unit_field = "case__handler_unit_id"

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")


class CaseTask(ScopedModel):
    """A department's part in joint handling (区级部门联办): lead or assisting, with its own deadline."""

    class Role(models.TextChoices):
        LEAD = "lead", _("牵头")
        ASSIST = "assist", _("协办")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="case_tasks", verbose_name=_("部门")
    )
    role = models.CharField(_("角色"), max_length=8, choices=Role.choices)
    due = models.DateTimeField(_("时限"))
    reply = models.TextField(_("回复"), blank=True, max_length=4000)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope_area_field = "case__area_id"
    scope_unit_field = "unit_id"

    class Meta:
        verbose_name = _("联办任务")
        verbose_name_plural = _("联办任务")
        constraints = [models.UniqueConstraint(fields=["case", "unit"], name="uniq_case_task_unit")]

    def __str__(self) -> str:
        return f"{self.case} · {self.unit}"


class WhistleCall(ScopedModel):
    """吹哨: street staff call named departments to report on a case within a time limit."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="whistle_calls")
    blown_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("吹哨人"),
    )
    note = models.TextField(_("事由"), max_length=2000)
    report_hours = models.PositiveSmallIntegerField(_("报到时限(小时)"))
    at = models.DateTimeField(auto_now_add=True)

    scope_area_field = "case__area_id"

    class Meta:
        verbose_name = _("吹哨")
        verbose_name_plural = _("吹哨")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.case} {self.at:%Y-%m-%d %H:%M}"


class WhistleResponse(ScopedModel):
    """报到: one department's answer to a whistle, with its deadline and the street's rating."""

    call = models.ForeignKey(WhistleCall, on_delete=models.CASCADE, related_name="responses")
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        related_name="whistle_responses",
        verbose_name=_("部门"),
    )
    due = models.DateTimeField(_("报到时限"))
    reported_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    response = models.TextField(_("响应情况"), blank=True, max_length=4000)
    late = models.BooleanField(_("迟报"), default=False)
    score = models.PositiveSmallIntegerField(_("评分(1-5)"), null=True, blank=True)
    score_comment = models.CharField(_("评价"), max_length=200, blank=True)

    scope_area_field = "call__case__area_id"
    scope_unit_field = "unit_id"

    class Meta:
        verbose_name = _("报到")
        verbose_name_plural = _("报到")
        constraints = [models.UniqueConstraint(fields=["call", "unit"], name="uniq_whistle_unit")]

    def __str__(self) -> str:
        return f"{self.call} · {self.unit}"


class Supervision(ScopedModel):
    """督办: the tier above flags a case; the handler must answer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervisions")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("督办人"),
    )
    note = models.TextField(_("督办意见"), max_length=2000)
    at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("答复"), blank=True, max_length=4000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    scope_area_field = "case__area_id"
    scope_unit_field = "case__handler_unit_id"

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.case} {self.at:%Y-%m-%d}"


class Notification(models.Model):
    """A message to a user (in-app) or to a phone/e-mail through a delivery backend."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    channel = models.CharField(max_length=8, default="app")  # app | sms | email
    recipient = models.CharField(max_length=100, blank=True)
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.message[:40]


class PortalAccount(models.Model):
    """A resident who signs in to the portal with a phone number and a one-time code."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_account"
    )
    phone = EncryptedTextField(_("手机号"))
    phone_index = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("居民账号")
        verbose_name_plural = _("居民账号")

    def __str__(self) -> str:
        return str(self.user)


class PortalCode(models.Model):
    """A one-time sign-in code sent by SMS; only its hash is kept."""

    phone_index = models.CharField(max_length=32, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.phone_index[:6]}… {self.created_at:%H:%M}"
