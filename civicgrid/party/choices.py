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
