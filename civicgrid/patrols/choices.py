from django.db import models
from django.utils.translation import gettext_lazy as _


class PatrolStatus(models.TextChoices):
    OPEN = "open", _("巡查中")
    ENDED = "ended", _("已结束")


class DutyFrequency(models.TextChoices):
    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")


class WithdrawReason(models.TextChoices):
    """Why a missed-patrol flag was withdrawn (the row stays for history)."""

    LATE_PATROL = "late_patrol", _("补传的巡查已达应巡次数")


class Cadence(models.IntegerChoices):
    """Minimum contact cadence of a leader's contact point, in months."""

    MONTHLY = 1, _("每月")
    QUARTERLY = 3, _("每季度")
    HALF_YEARLY = 6, _("每半年")
    YEARLY = 12, _("每年")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("整改中")
    CLOSED = "closed", _("已销号")


class GigSector(models.TextChoices):
    RIDER = "rider", _("外卖骑手")
    COURIER = "courier", _("快递员")
    DRIVER = "driver", _("网约车司机")
    TRUCKER = "trucker", _("货车司机")
    OTHER = "other", _("其他新就业形态")


# Unit kinds checked for party-organisation coverage (两新: firms and social organisations).
COVERAGE_KINDS = ("firm", "social_org")
