from django.db import models
from django.utils.translation import gettext_lazy as _


class ResourceKind(models.TextChoices):
    ACTIVITY_CENTRE = "activity_centre", _("党群活动中心")
    SQUARE = "square", _("休闲广场")
    THEATRE = "theatre", _("文化剧院")
    SPORTS_VENUE = "sports_venue", _("体育场馆")
    MEETING_ROOM = "meeting_room", _("会议室")
    CAR_PARK = "car_park", _("停车场")
    OTHER = "other", _("其他场所")


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已预订")
    REJECTED = "rejected", _("未通过")
    CANCELLED = "cancelled", _("已取消")


# Bookings in these states hold their slot: a pending request blocks the time until the
# owner decides, so an approval never has to refuse a booking that was promised a slot.
HOLDING_STATUSES = (BookingStatus.PENDING, BookingStatus.APPROVED)


class BookerKind(models.TextChoices):
    STAFF = "staff", _("工作人员")
    UNIT = "unit", _("驻区单位")
    RESIDENT = "resident", _("居民")


class BookingEventKind(models.TextChoices):
    REQUESTED = "requested", _("提交预订")
    APPROVED = "approved", _("审批通过")
    REJECTED = "rejected", _("审批未通过")
    CANCELLED = "cancelled", _("取消")
    CANCELLED_LATE = "cancelled_late", _("迟取消")


class CentreLevel(models.IntegerChoices):
    COUNTY = 1, _("县(区)级")
    STREET = 2, _("街道(镇)级")
    COMMUNITY = 3, _("社区(村)级")
    COMPOUND = 4, _("小区(网格)级")


class ServiceCategory(models.TextChoices):
    REPAIRS = "repairs", _("便民维修")
    PAYMENTS = "payments", _("代缴代办")
    ELDERLY = "elderly", _("养老助餐")
    LEGAL = "legal", _("法律咨询")
    HEALTH = "health", _("健康服务")
    EMPLOYMENT = "employment", _("就业社保")
    CHILDREN = "children", _("托管助学")
    CULTURE = "culture", _("文体活动")
    OTHER = "other", _("其他服务")


class SkillTag(models.TextChoices):
    ELECTRICIAN = "electrician", _("水电维修")
    CARPENTRY = "carpentry", _("家具木工")
    MEDICAL = "medical", _("医疗护理")
    PSYCHOLOGY = "psychology", _("心理疏导")
    LEGAL = "legal", _("法律服务")
    MEDIATION = "mediation", _("矛盾调解")
    TEACHING = "teaching", _("教育辅导")
    IT = "it", _("电脑手机")
    ELDERLY_CARE = "elderly_care", _("助老陪护")
    CULTURE = "culture", _("文艺体育")
    OTHER = "other", _("其他技能")


WEEKDAYS = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]
