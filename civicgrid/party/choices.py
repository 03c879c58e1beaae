from django.db import models
from django.utils.translation import gettext_lazy as _


class PointsEvent(models.TextChoices):
    """What earns points. Each event has one PointsRule (points, caps) set in the admin."""

    CASE_REPORTED = "case_reported", _("上报事件")
    CASE_FIXED_ON_SPOT = "case_fixed_on_spot", _("随手做(就地解决)")
    VISIT_RECORDED = "visit_recorded", _("走访记录")
    CLAIM_CONFIRMED = "claim_confirmed", _("认领事项完成")
    ACTIVITY_ATTENDED = "activity_attended", _("参加活动")
    VOLUNTEER_HOUR = "volunteer_hour", _("志愿服务时长(每小时)")
    EVALUATION_GOOD = "evaluation_good", _("评价优秀")
    PATROL_COMPLETED = "patrol_completed", _("完成巡查")
    ORG_LIFE_ATTENDED = "org_life_attended", _("参加组织生活")
    TRAINING_COMPLETED = "training_completed", _("完成学习培训")
    MOBILE_REPORT = "mobile_report", _("流动哨上报")
    MANUAL = "manual", _("手工加减分")


# Rules loaded by the data migration (the admin changes them): points per occurrence
# (per hour for volunteer_hour), a daily cap and a monthly cap (None = no cap).
DEFAULT_RULES: dict[str, tuple[int, int | None, int | None]] = {
    PointsEvent.CASE_REPORTED: (2, 10, 100),
    PointsEvent.CASE_FIXED_ON_SPOT: (3, 15, 150),
    PointsEvent.VISIT_RECORDED: (1, 10, 100),
    PointsEvent.CLAIM_CONFIRMED: (5, 20, 100),
    PointsEvent.ACTIVITY_ATTENDED: (3, 9, 60),
    PointsEvent.VOLUNTEER_HOUR: (2, 16, 160),
    PointsEvent.EVALUATION_GOOD: (10, None, 20),
    PointsEvent.PATROL_COMPLETED: (1, 3, 60),
    PointsEvent.ORG_LIFE_ATTENDED: (2, 4, 20),
    PointsEvent.TRAINING_COMPLETED: (2, 6, 40),
    PointsEvent.MOBILE_REPORT: (2, 10, 100),
    PointsEvent.MANUAL: (0, None, None),
}


class SubjectKind(models.TextChoices):
    MEMBER = "member", _("党员")
    UNIT = "unit", _("单位")
    OFFICER = "officer", _("信息员")


class ReportKind(models.TextChoices):
    """双报到: a unit's party organisation to the community it sits in; an in-service member to
    the community they live in."""

    MEMBER = "member", _("在职党员报到")
    UNIT = "unit", _("单位党组织报到")


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    RETURNED = "returned", _("已退回")
    MOVED = "moved", _("已转出")
    WITHDRAWN = "withdrawn", _("已撤回")


# A subject holds at most one report in these states at a time.
OPEN_REPORT_STATUSES = frozenset({ReportStatus.SUBMITTED, ReportStatus.CONFIRMED})

# The reporting state machine: action -> (states it may start from, state it leads to).
REPORT_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "confirm": (frozenset({ReportStatus.SUBMITTED}), ReportStatus.CONFIRMED),
    "return": (frozenset({ReportStatus.SUBMITTED}), ReportStatus.RETURNED),
    "move": (frozenset({ReportStatus.SUBMITTED, ReportStatus.CONFIRMED}), ReportStatus.MOVED),
    "withdraw": (frozenset({ReportStatus.SUBMITTED, ReportStatus.CONFIRMED}), ReportStatus.WITHDRAWN),
}


class Availability(models.TextChoices):
    WEEKDAY_EVENINGS = "weekday_evenings", _("工作日晚上")
    WEEKENDS = "weekends", _("周末")
    HOLIDAYS = "holidays", _("节假日")
    ANYTIME = "anytime", _("时间灵活")


class ServiceArea(models.TextChoices):
    """What a member or unit is willing to do for the community (意愿)."""

    VOLUNTEER = "volunteer", _("志愿服务")
    ELDERLY = "elderly", _("助老帮困")
    EDUCATION = "education", _("教育辅导")
    HEALTH = "health", _("医疗健康")
    LEGAL = "legal", _("法律咨询")
    ENVIRONMENT = "environment", _("环境整治")
    SAFETY = "safety", _("平安巡防")
    CULTURE = "culture", _("文体活动")
    MEDIATION = "mediation", _("矛盾调解")
    VENUE = "venue", _("场地资源")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")
    CUSTOM = "custom", _("自定义")


REPORT_ACTION_LABELS = {
    "submit": _("提交报到"),
    "confirm": _("确认(出具回执)"),
    "return": _("退回"),
    "move": _("转出"),
    "withdraw": _("撤回"),
    "remind": _("提醒"),
}
