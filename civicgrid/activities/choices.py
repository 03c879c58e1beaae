from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    PARTY_DAY = "party_day", _("主题党日")
    VOLUNTEER = "volunteer", _("志愿服务")


class Audience(models.TextChoices):
    MEMBERS = "members", _("仅党员")
    VOLUNTEERS = "volunteers", _("党员和注册志愿者")
    ANYONE = "anyone", _("所有注册用户")


class ActivityStatus(models.TextChoices):
    PUBLISHED = "published", _("已发布")
    CANCELLED = "cancelled", _("已取消")


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITLISTED = "waitlisted", _("候补")
    CANCELLED = "cancelled", _("已取消")


class CheckinMethod(models.TextChoices):
    QR = "qr", _("扫码")
    MANUAL = "manual", _("组织者补录")


class PostKind(models.TextChoices):
    REGULAR = "regular", _("常态岗")
    SKILL = "skill", _("特长岗")
    EMERGENCY = "emergency", _("应急岗")


class TeamRole(models.TextChoices):
    LEADER = "leader", _("队长")
    MEMBER = "member", _("队员")


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACCEPTED = "accepted", _("已录用")
    REJECTED = "rejected", _("未录用")


class HoursSource(models.TextChoices):
    ACTIVITY = "activity", _("活动")


# Star levels of volunteers by accumulated service hours, the national standard of the
# 《志愿服务记录办法》(民政部, 2012) and the 《中国注册志愿者管理办法》(共青团中央, 2013):
# 100, 300, 600, 1,000 and 1,500 hours make one to five stars (一星 … 五星).
STAR_THRESHOLDS: tuple[tuple[int, Decimal], ...] = (
    (5, Decimal(1500)),
    (4, Decimal(1000)),
    (3, Decimal(600)),
    (2, Decimal(300)),
    (1, Decimal(100)),
)


def star_level(hours) -> int:
    hours = Decimal(str(hours or 0))
    for stars, threshold in STAR_THRESHOLDS:
        if hours >= threshold:
            return stars
    return 0
