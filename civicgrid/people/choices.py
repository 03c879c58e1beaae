from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class AttentionLevel(models.TextChoices):
    """Three-colour file (三色管理)."""

    GREEN = "green", _("绿色(常态)")
    YELLOW = "yellow", _("黄色(关注)")
    RED = "red", _("红色(重点)")


class HouseholdKind(models.TextChoices):
    OWNER = "owner", _("自住")
    RENTAL = "rental", _("出租")
    VACANT = "vacant", _("空置")


class PartyMemberRole(models.TextChoices):
    CENTRAL_HOUSEHOLD = "central_household", _("党员中心户")
    BUILDING_CHIEF = "building_chief", _("楼栋长")
    LANE_CHIEF = "lane_chief", _("巷长")
    PARTY_LANDLORD = "party_landlord", _("党员房东")


class LandlordLinkKind(models.TextChoices):
    LANDLORD = "landlord", _("联系房东")
    TENANT = "tenant", _("租户")


# The special groups (特殊对象) shipped by default; communities may add more.
DEFAULT_SPECIAL_GROUPS = [
    ("elderly_alone", "独居老人"),
    ("empty_nest", "空巢老人"),
    ("disabled", "残疾人"),
    ("low_income", "低保户"),
    ("extreme_poverty", "特困人员"),
    ("left_behind_child", "留守儿童"),
    ("community_correction", "社区矫正对象"),
    ("mental_illness", "严重精神障碍患者"),
    ("released_prisoner", "刑满释放人员"),
    ("drug_rehab", "社区戒毒康复人员"),
    ("veteran", "退役军人"),
]
