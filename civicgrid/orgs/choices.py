from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    COUNTY_COMMITTEE = "county_committee", _("县(区)委")
    STREET_WORKING_COMMITTEE = "street_working_committee", _("街道(大)工委")
    COMMUNITY_BIG_COMMITTEE = "community_big_committee", _("社区大党委")
    COMMUNITY_BRANCH = "community_branch", _("社区党支部")
    GRID_BRANCH = "grid_branch", _("网格党支部")
    BUILDING_GROUP = "building_group", _("楼宇党小组")
    CENTRAL_HOUSEHOLD = "central_household", _("党员中心户")
    UNIT_ORGANIZATION = "unit_organization", _("单位党组织")
    SECTOR_COMMITTEE = "sector_committee", _("行业党委")


class UnitKind(models.TextChoices):
    AGENCY = "agency", _("机关")
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医院")
    SOE = "soe", _("国有企业")
    FIRM = "firm", _("非公企业")
    SOCIAL_ORG = "social_org", _("社会组织")
    PROPERTY_COMPANY = "property_company", _("物业公司")
    DEPARTMENT = "department", _("区直部门")


class Role(models.TextChoices):
    GRID_CHIEF = "grid_chief", _("网格长")
    GRID_WORKER = "grid_worker", _("专职网格员")
    GRID_WORKER_PARTTIME = "grid_worker_parttime", _("兼职网格员")
    GRID_INSTRUCTOR = "grid_instructor", _("网格指导员")
    INFORMATION_OFFICER = "information_officer", _("信息员")
    COMMUNITY_STAFF = "community_staff", _("社区工作人员")
    STREET_STAFF = "street_staff", _("街道工作人员")
    DEPARTMENT_HANDLER = "department_handler", _("部门承办人")
    LEADER = "leader", _("领导")
    ORG_DEPARTMENT = "org_department", _("组织部")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    PARTNER = "partner", _("外部合作方")
    UNIT_CONTACT = "unit_contact", _("单位联络人")


# Roles that bind to a grid rather than an area subtree.
GRID_ROLES = frozenset({Role.GRID_CHIEF, Role.GRID_WORKER, Role.GRID_WORKER_PARTTIME,
                        Role.GRID_INSTRUCTOR, Role.INFORMATION_OFFICER})
# Roles that bind to a unit.
UNIT_ROLES = frozenset({Role.DEPARTMENT_HANDLER, Role.UNIT_CONTACT})

# What each role may do over its scope. "view": read rows; "change": write rows;
# "reveal_pii": see full ID and phone numbers (audited); "import"/"export": bulk files;
# "report": raise cases (the partner's service account, through Open311 and the API).
CAPABILITIES: dict[str, frozenset[str]] = {
    Role.GRID_CHIEF: frozenset({"view", "change", "reveal_pii", "export"}),
    Role.GRID_WORKER: frozenset({"view", "change", "reveal_pii"}),
    Role.GRID_WORKER_PARTTIME: frozenset({"view"}),
    Role.GRID_INSTRUCTOR: frozenset({"view"}),
    Role.INFORMATION_OFFICER: frozenset({"view"}),
    Role.COMMUNITY_STAFF: frozenset({"view", "change", "reveal_pii", "import", "export"}),
    Role.STREET_STAFF: frozenset({"view", "change", "reveal_pii", "import", "export"}),
    Role.DEPARTMENT_HANDLER: frozenset({"view"}),
    Role.LEADER: frozenset({"view", "export"}),
    Role.ORG_DEPARTMENT: frozenset({"view", "change", "import", "export"}),
    Role.SYSTEM_ADMIN: frozenset({"view", "change", "reveal_pii", "import", "export", "admin"}),
    Role.PARTNER: frozenset({"view", "report"}),
    # A resident unit's party secretary (dual reporting, docs/party.md): no staff data at all;
    # the party app checks the assignment itself for the unit's own reports and points.
    Role.UNIT_CONTACT: frozenset(),
}
