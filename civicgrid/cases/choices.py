from django.db import models
from django.utils.translation import gettext_lazy as _


class Domain(models.TextChoices):
    ENFORCEMENT = "enforcement", _("综合执法")
    WORK_SAFETY = "work_safety", _("安全生产")
    PUBLIC_ORDER = "public_order", _("社会治安")
    LIVELIHOOD = "livelihood", _("民生服务")
    ECOLOGY = "ecology", _("生态环保")
    PARTY_MASS = "party_mass", _("党群服务")


class Tier(models.IntegerChoices):
    """Handling level of a matter: who owns it by default."""

    DISTRICT = 1, _("区(县)级")
    STREET = 2, _("街道(镇)级")
    COMMUNITY = 3, _("社区(村)级")


class HandlingMode(models.TextChoices):
    """三级六办."""

    COMMUNITY_DIRECT = "community_direct", _("村社区直办")
    STREET_VERIFY = "street_verify", _("镇街道核办")
    STREET_ASSIST = "street_assist", _("镇街道协办")
    DEPARTMENT_LEAD = "department_lead", _("区直部门领办")
    DEPARTMENTS_JOINT = "departments_joint", _("区级部门联办")
    LEADERSHIP_STUDY = "leadership_study", _("委领导研办")


class ResolveKind(models.TextChoices):
    SAME_DAY = "same_day", _("当日办结")
    WORKING_DAYS = "working_days", _("N个工作日")


class Source(models.TextChoices):
    PATROL = "patrol", _("网格巡查")
    RESIDENT = "resident", _("居民上报")
    HOTLINE = "hotline", _("12345热线")
    VISIT = "visit", _("来访")
    MEETING = "meeting", _("议事会议")
    LEADER_VISIT = "leader_visit", _("领导走访")
    GIG_WORKER = "gig_worker", _("新就业群体")
    OPEN311 = "open311", _("外部接口")


class Status(models.TextChoices):
    REPORTED = "reported", _("已上报")
    ACCEPTED = "accepted", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已办结")
    RATED = "rated", _("已评价")
    CLOSED = "closed", _("已归档")
    RETURNED = "returned", _("已退回")
    REOPENED = "reopened", _("重办中")
    ESCALATED = "escalated", _("已提级")
    MERGED = "merged", _("已合并")
    INVALID = "invalid", _("不予受理")


OPEN_STATUSES = frozenset(
    {
        Status.REPORTED,
        Status.ACCEPTED,
        Status.DISPATCHED,
        Status.IN_PROGRESS,
        Status.RETURNED,
        Status.REOPENED,
        Status.ESCALATED,
    }
)
FINAL_STATUSES = frozenset({Status.CLOSED, Status.MERGED, Status.INVALID})


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")
    NONE = "none", _("未评价")


class SlaState(models.TextChoices):
    ON_TIME = "green", _("正常")
    WARNING = "yellow", _("临期")
    OVERDUE = "red", _("超期")
