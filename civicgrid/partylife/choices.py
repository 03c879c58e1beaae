"""Choices and the fixed rules of the party-life app (dues brackets, star thresholds, meeting
frequencies). The rules are documented in docs/partylife.md; change them only with that page."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.orgs.choices import OrgKind


# --- mutual evaluation (双评价) ------------------------------------------------------------
class Direction(models.TextChoices):
    UNIT_TO_COMMUNITY = "unit_to_community", _("报到单位评价社区")
    COMMUNITY_TO_UNIT = "community_to_unit", _("社区评价报到单位")
    COMMUNITY_TO_MEMBER = "community_to_member", _("社区评价党员")


class Anonymity(models.TextChoices):
    NAMED = "named", _("实名")
    HIDDEN_FROM_RATED = "hidden_from_rated", _("对被评对象匿名")
    ORG_DEPARTMENT_ONLY = "org_department_only", _("仅组织部可见评价人")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("评价中")
    CLOSED = "closed", _("已结束")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("待评价")
    DRAFT = "draft", _("已暂存")
    SUBMITTED = "submitted", _("已提交")


# Result bands of a rater's total (0–100), for the distribution.
BANDS = (
    ("excellent", _("优秀 (≥90)"), Decimal("90")),
    ("good", _("良好 (80–89.9)"), Decimal("80")),
    ("fair", _("一般 (60–79.9)"), Decimal("60")),
    ("poor", _("较差 (<60)"), Decimal("0")),
)


def band_of(total: Decimal) -> str:
    for code, _label, floor in BANDS:
        if total >= floor:
            return code
    return BANDS[-1][0]


# --- organisational life (三会一课) -------------------------------------------------------
class MeetingKind(models.TextChoices):
    BRANCH_COMMITTEE = "branch_committee", _("支部委员会")
    GENERAL_MEETING = "general_meeting", _("支部党员大会")
    GROUP_MEETING = "group_meeting", _("党小组会")
    PARTY_LECTURE = "party_lecture", _("党课")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")


# Required frequency per kind (《中国共产党支部工作条例(试行)》: 支部党员大会一般每季度召开 1 次,
# 支部委员会会议一般每月召开 1 次, 党小组会一般每月召开 1 次, 党课每季度至少 1 次).
FREQUENCY = {
    MeetingKind.BRANCH_COMMITTEE: Frequency.MONTHLY,
    MeetingKind.GENERAL_MEETING: Frequency.QUARTERLY,
    MeetingKind.GROUP_MEETING: Frequency.MONTHLY,
    MeetingKind.PARTY_LECTURE: Frequency.QUARTERLY,
}

# Which organisations hold which meetings: branches hold committee, general meeting and lecture;
# a building group (党小组) holds group meetings. Other kinds (committees above branches,
# central households) are not checked for organisational life.
BRANCH_KINDS = (
    OrgKind.COMMUNITY_BIG_COMMITTEE,
    OrgKind.COMMUNITY_BRANCH,
    OrgKind.GRID_BRANCH,
    OrgKind.UNIT_ORGANIZATION,
)
REQUIRED_MEETINGS = {
    **{
        k: (MeetingKind.BRANCH_COMMITTEE, MeetingKind.GENERAL_MEETING, MeetingKind.PARTY_LECTURE)
        for k in BRANCH_KINDS
    },
    OrgKind.BUILDING_GROUP: (MeetingKind.GROUP_MEETING,),
}
GRASSROOTS_KINDS = tuple(REQUIRED_MEETINGS)


class Attendance(models.TextChoices):
    PRESENT = "present", _("出席")
    LEAVE = "leave", _("请假")
    ABSENT = "absent", _("缺席")


class TrainingKind(models.TextChoices):
    OFFLINE = "offline", _("集中培训")
    ONLINE = "online", _("网络学习")
    SELF = "self", _("自学")
    # Credited from a passed staff knowledge test (岗位练兵, civicgrid/surveys), never by hand.
    TEST = "test", _("岗位练兵测试")


# The kinds staff record by hand (the form, training_record).
MANUAL_TRAINING_KINDS = (TrainingKind.OFFLINE, TrainingKind.ONLINE, TrainingKind.SELF)


# 《中国共产党党员教育管理工作条例》(2019) 第十七条: 党员每年集中学习培训时间一般不少于 32 学时.
TRAINING_HOURS_PER_YEAR = Decimal("32")


# --- party dues (党费) ---------------------------------------------------------------------
class DuesCategory(models.TextChoices):
    EMPLOYED = "employed", _("在职")
    RETIRED = "retired", _("离退休")
    STUDENT = "student", _("学生")
    UNEMPLOYED = "unemployed", _("下岗失业")
    LOW_INCOME = "low_income", _("领取最低生活保障金")


# 《关于中国共产党党费收缴、使用和管理的规定》(中组发〔2008〕3 号): the rate applies to the whole
# monthly income after tax (not progressive); upper bounds are inclusive ("含").
DUES_BRACKETS = {
    DuesCategory.EMPLOYED: (
        (Decimal("3000"), Decimal("0.005")),
        (Decimal("5000"), Decimal("0.01")),
        (Decimal("10000"), Decimal("0.015")),
        (None, Decimal("0.02")),
    ),
    DuesCategory.RETIRED: (
        (Decimal("5000"), Decimal("0.005")),
        (None, Decimal("0.01")),
    ),
}
DUES_FIXED = Decimal("0.20")  # students, unemployed, low-income: 0.2 yuan a month
DUES_ARREARS_WARNING_MONTHS = 3


# --- star rating and early warning ---------------------------------------------------------
# Points per criterion (sum 100); stars from the total.
STAR_WEIGHTS = {
    "org_life": 30,
    "dues": 25,
    "training": 20,
    "participation": 15,
    "manual": 10,
}
STAR_THRESHOLDS = ((90, 5), (80, 4), (70, 3), (60, 2), (0, 1))


def stars_for(total) -> int:
    for floor, stars in STAR_THRESHOLDS:
        if total >= floor:
            return stars
    return 1


class WarningKind(models.TextChoices):
    MISSED_MEETINGS = "missed_meetings", _("未按期召开组织生活")
    DUES_ARREARS = "dues_arrears", _("党费欠缴")
    LOW_PARTICIPATION = "low_participation", _("参与率低")
    NO_MEETING = "no_meeting", _("三个月未开展组织生活")


class WarningState(models.TextChoices):
    OPEN = "open", _("待整改")
    RECTIFYING = "rectifying", _("整改中")
    CLOSED = "closed", _("整改完成")
    CLEARED = "cleared", _("已消除")


LOW_PARTICIPATION_RATE = Decimal("0.6")
NO_MEETING_DAYS = 90
