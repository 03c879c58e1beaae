from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    RED_HALL = "red_hall", _("红色议事厅")
    TRIPARTITE = "tripartite", _("物居业三方议事会")
    JOINT_STREET = "joint_street", _("街道联席会议")
    JOINT_COUNTY = "joint_county", _("县级联席会议")


# The usual cadence of each kind (shown when scheduling; "every N months").
CADENCE_MONTHS = {
    MeetingKind.RED_HALL: 1,
    MeetingKind.TRIPARTITE: 1,
    MeetingKind.JOINT_STREET: 3,
    MeetingKind.JOINT_COUNTY: 6,
}
CADENCE_LABELS = {
    MeetingKind.RED_HALL: _("每月一次(每个小区固定一天)"),
    MeetingKind.TRIPARTITE: _("每月一次"),
    MeetingKind.JOINT_STREET: _("每季度一次"),
    MeetingKind.JOINT_COUNTY: _("每半年一次"),
}


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已安排")
    HELD = "held", _("已召开")
    PUBLISHED = "published", _("已公开")


class InviteeKind(models.TextChoices):
    STAFF = "staff", _("工作人员")
    UNIT = "unit", _("单位")
    PARTY_MEMBER = "party_member", _("党员")
    RESIDENT = "resident", _("居民")


class ItemOrigin(models.TextChoices):
    PROPOSAL = "proposal", _("居民提议")
    CASE = "case", _("在办事件")
    STAFF = "staff", _("工作人员提出")


class ItemOutcome(models.TextChoices):
    PENDING = "pending", _("待议")
    SOLVED = "solved", _("就地解决")
    COMMITMENT = "commitment", _("限期办理")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("待上会")
    ON_AGENDA = "on_agenda", _("已列入议程")


class ListKind(models.TextChoices):
    RED = "red", _("红榜")
    YELLOW = "yellow", _("黄榜")
    NONE = "", _("—")


class ProjectOrigin(models.TextChoices):
    RESIDENT = "resident", _("群众征集")
    DEPARTMENT = "department", _("部门申报")


class VoteStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    OPEN = "open", _("投票中")
    PUBLISHED = "published", _("已公布")
