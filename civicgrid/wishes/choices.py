from django.db import models
from django.utils.translation import gettext_lazy as _


class WishKind(models.TextChoices):
    """What is offered for claiming. Support items go the other way (a unit asks, the
    community leads); the other three are claimed by party members and units."""

    MICRO_WISH = "micro_wish", _("微心愿")
    NEED = "need", _("社区需求")
    SERVICE_ITEM = "service_item", _("社区服务事项")
    SUPPORT_ITEM = "support_item", _("单位支持事项")


class WishCategory(models.TextChoices):
    LIVING = "living", _("生活帮扶")
    ELDERLY = "elderly", _("助老助残")
    CHILDREN = "children", _("助学关爱")
    HEALTH = "health", _("医疗健康")
    REPAIR = "repair", _("维修服务")
    LEGAL = "legal", _("法律咨询")
    CULTURE = "culture", _("文体活动")
    ENVIRONMENT = "environment", _("环境整治")
    OTHER = "other", _("其他")


class WishStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    REJECTED = "rejected", _("未通过")
    OPEN = "open", _("待认领")
    CLAIMED = "claimed", _("已认领")
    DONE = "done", _("已完成")
    CLOSED = "closed", _("已撤下")
    CONVERTED = "converted", _("已转为事件")


class PostedVia(models.TextChoices):
    PORTAL = "portal", _("居民自助")
    GRID_WORKER = "grid_worker", _("网格员代录")
    STAFF = "staff", _("社区发布")
    UNIT = "unit", _("单位发布")


class ClaimStatus(models.TextChoices):
    CLAIMED = "claimed", _("已认领")
    IN_PROGRESS = "in_progress", _("办理中")
    COMPLETED = "completed", _("已完成待确认")
    CONFIRMED = "confirmed", _("社区已确认")
    RELEASED = "released", _("超期释放")
    WITHDRAWN = "withdrawn", _("已放弃")


# A wish has at most one claim in these states (a database constraint says so).
ACTIVE_CLAIM_STATUSES = (
    ClaimStatus.CLAIMED,
    ClaimStatus.IN_PROGRESS,
    ClaimStatus.COMPLETED,
    ClaimStatus.CONFIRMED,
)
# A claim in these states is still to be done and has a deadline that the sweep watches.
RUNNING_CLAIM_STATUSES = (ClaimStatus.CLAIMED, ClaimStatus.IN_PROGRESS)


class ClaimantKind(models.TextChoices):
    MEMBER = "member", _("党员")
    UNIT = "unit", _("单位")
    COMMUNITY = "community", _("社区")


class Direction(models.TextChoices):
    """双领办: units (and members) lead community service items; the community leads unit
    support items."""

    TO_COMMUNITY = "to_community", _("单位/党员领办社区事项")
    TO_UNIT = "to_unit", _("社区领办单位支持事项")


class OfferKind(models.TextChoices):
    RESOURCE = "resource", _("场地物资")
    SKILL = "skill", _("专业技能")
    MONEY = "money", _("资金")
    VOLUNTEERS = "volunteers", _("志愿者")


class OwnerKind(models.TextChoices):
    PERSON = "person", _("个人")
    UNIT = "unit", _("单位")
    COMMUNITY = "community", _("社区")


EVENT_LABELS = {
    "submit": _("居民提交"),
    "publish": _("发布"),
    "approve": _("审核通过"),
    "reject": _("审核不通过"),
    "close": _("撤下"),
    "convert": _("转为事件"),
    "claim": _("认领"),
    "start": _("开始办理"),
    "complete": _("标记完成"),
    "confirm": _("确认完成"),
    "return": _("退回"),
    "withdraw": _("放弃认领"),
    "release": _("超期释放"),
    "rate": _("评价"),
}


def status_label(value: str) -> str:
    for enum in (ClaimStatus, WishStatus):
        if value in enum.values:
            return str(enum(value).label)
    return value
