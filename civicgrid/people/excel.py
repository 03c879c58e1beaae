"""Excel import and export of residents and party members (see civicgrid.core.tabular).

Re-importing a person updates instead of duplicating: a resident is matched by ID number
within the grid's community, a party member by ID number, both through the keyed index
``id_number_index`` and only among rows in the importer's change scope. On such an update,
blank cells keep what is stored.
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.core import crypto
from civicgrid.core import tabular as t
from civicgrid.core.errors import NotFound, ValidationFailed
from civicgrid.core.scoping import CHANGE, VIEW
from civicgrid.core.validators import (
    birth_date_from_id,
    gender_from_id,
    validate_division_code,
    validate_id_number,
    validate_phone,
)
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.models import PartyOrganization, Unit

from . import services
from .choices import AttentionLevel, PartyMemberRole
from .models import Household, PartyMember, Resident, SpecialGroup

GENDERS = {"男": "M", "女": "F"}
ATTENTION = {"红": AttentionLevel.RED, "黄": AttentionLevel.YELLOW, "绿": AttentionLevel.GREEN}
YES_NO = {"是": True, "否": False}
_SPLIT = re.compile(r"[、,,;;\s]+")


def _special_groups(value) -> list[SpecialGroup]:
    names = [n for n in _SPLIT.split(t.cell_text(value)) if n]
    known = {g.name: g for g in SpecialGroup.objects.filter(name__in=names)}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise t.CellInvalid(
            _("不认识的特殊对象类别:%(u)s(可选:%(a)s)")
            % {
                "u": "、".join(unknown),
                "a": "、".join(SpecialGroup.objects.values_list("name", flat=True)),
            }
        )
    return [known[n] for n in dict.fromkeys(names)]


def _not_in_scope(label: str, value: str) -> str:
    return _("找不到%(label)s %(value)s 或不在您的管辖范围内。") % {"label": label, "value": value}


def _check_id_consistency(row: t.Row) -> None:
    """Gender and birth date, when given, must agree with the ID number."""
    idn = row.values.get("id_number")
    if not idn:
        return
    if row.values.get("gender") and row.values["gender"] != gender_from_id(idn):
        row.fail("gender", _("与身份证号不符(第17位表示性别)。"))
    if row.values.get("birth_date") and row.values["birth_date"] != birth_date_from_id(idn):
        row.fail("birth_date", _("与身份证号中的出生日期不符。"))


def _grids_in_scope(actor, rows: list[t.Row]) -> dict[str, Grid]:
    codes = {r.values["grid_code"] for r in rows if r.values.get("grid_code")}
    return {
        g.code: g
        for g in Grid.objects.restrict(actor, CHANGE)
        .filter(code__in=codes)
        .select_related("community")
    }


# ---------------------------------------------------------------- residents


@transaction.atomic
def household_get_or_create(*, actor, grid: Grid, number: str, address: str = "") -> Household:
    """The household with this number in the grid's community, created in ``grid`` if new."""
    if actor is not None and not Grid.objects.restrict(actor, CHANGE).filter(pk=grid.pk).exists():
        raise NotFound()
    household = Household.objects.filter(area_id=grid.community_id, number=number).first()
    if household is not None:
        if household.grid_id != grid.pk:
            message = _("户号 %(n)s 已登记在本社区的其他网格。") % {"n": number}
            raise ValidationFailed(message, details={"household_number": [message]})
        return household
    household = Household(number=number, area_id=grid.community_id, grid=grid, address=address)
    household.full_clean()
    household.save()
    return household


RESIDENT_SPEC = t.Spec(
    title="居民",
    columns=(
        t.Column("姓名", "name", required=True, parse=t.text(50), example="张三", width=10),
        t.Column(
            "性别",
            "gender",
            choices=GENDERS,
            help=gettext_lazy("填写身份证号时可不填,由身份证号推出。"),
            width=6,
        ),
        t.Column(
            "身份证号",
            "id_number",
            parse=t.validated(validate_id_number),
            as_text=True,
            width=22,
            help=gettext_lazy("18位,按 GB 11643 校验;同一社区内重复导入同一身份证号会更新该居民。"),
            example="441322199001011234",
        ),
        t.Column(
            "手机号",
            "phone",
            parse=t.validated(validate_phone),
            as_text=True,
            width=14,
            example="13800138000",
        ),
        t.Column(
            "出生日期",
            "birth_date",
            parse=t.date,
            help=gettext_lazy("如 1990-01-01;可由身份证号推出。"),
            width=12,
        ),
        t.Column(
            "网格编码",
            "grid_code",
            required=True,
            parse=t.text(20),
            width=12,
            help=gettext_lazy("须是您管辖范围内的网格。"),
            example="G-A1",
        ),
        t.Column(
            "户号",
            "household_number",
            parse=t.text(40),
            width=12,
            help=gettext_lazy("同一社区内的户号;没有的户会自动建立。"),
            example="A-001",
        ),
        t.Column("住址", "address", parse=t.text(200), width=30, example="东门路1号3栋201"),
        t.Column("与户主关系", "relation_to_head", parse=t.text(20), width=10, example="户主"),
        t.Column(
            "关注等级",
            "attention_level",
            choices=ATTENTION,
            help=gettext_lazy("三色管理:红(重点)、黄(关注)、绿(常态);不填为绿。"),
            width=8,
        ),
        t.Column(
            "特殊对象",
            "special_groups",
            parse=_special_groups,
            width=20,
            help=gettext_lazy("类别名称,多个用顿号或逗号分隔,如:独居老人、低保户。"),
            example="独居老人、低保户",
        ),
    ),
    unique=("id_number",),
    rules=(
        gettext_lazy(
            "同一社区内身份证号相同的居民会被更新而不是重复登记;更新时空白单元格保留原有内容,"
            "网格和户号须与已登记的一致(迁移请在居民档案中办理)。"
        ),
    ),
)


class ResidentKind(t.Kind):
    name = "residents"
    label = gettext_lazy("居民")
    spec = RESIDENT_SPEC
    model = Resident
    has_pii = True

    def resolve(self, *, actor, rows):
        grids = _grids_in_scope(actor, rows)
        by_index: dict[str, list[t.Row]] = defaultdict(list)
        for row in rows:
            code = row.values.get("grid_code")
            if code and code not in grids:
                row.fail("grid_code", _not_in_scope(_("网格编码"), code))
            row.values["grid"] = grids.get(code)
            _check_id_consistency(row)
            if row.values.get("id_number") and row.values["grid"]:
                by_index[crypto.blind_index(row.values["id_number"])].append(row)
        existing = (
            Resident.objects.restrict(actor, CHANGE)
            .filter(id_number_index__in=list(by_index))
            .select_related("grid", "household")
        )
        for resident in existing:
            for row in by_index[resident.id_number_index]:
                if resident.area_id != row.values["grid"].community_id:
                    continue
                row.values["existing"] = resident
                if resident.grid_id != row.values["grid"].pk:
                    row.fail(
                        "grid_code",
                        _("该居民已登记在网格 %(g)s,重新导入不能改变网格,迁移请在居民档案中办理。")
                        % {"g": resident.grid.code},
                    )
                number = row.values.get("household_number")
                if number and resident.household and resident.household.number != number:
                    row.fail(
                        "household_number",
                        _("该居民已登记在户 %(h)s。") % {"h": resident.household.number},
                    )

    def write_row(self, *, actor, row):
        v = row.values
        grid = v["grid"]
        household = None
        if v.get("household_number"):
            key = ("household", grid.community_id, v["household_number"])
            household = row.memo.get(key)
            if household is None or household.grid_id != grid.pk:
                household = household_get_or_create(
                    actor=actor,
                    grid=grid,
                    number=v["household_number"],
                    address=v.get("address") or "",
                )
            row.memo[key] = household
        fields = (
            "name",
            "gender",
            "birth_date",
            "address",
            "attention_level",
            "relation_to_head",
            "phone",
            "special_groups",
        )
        changes = {k: v[k] for k in fields if v.get(k) not in (None, "")}
        resident = v.get("existing")
        if resident is not None:
            services.resident_update(actor=actor, resident=resident, **changes)
            return "updated"
        relation = changes.pop("relation_to_head", None)
        resident = services.resident_create(
            actor=actor,
            grid=grid,
            household=household,
            id_number=v.get("id_number") or "",
            **changes,
        )
        if relation:
            services.resident_update(actor=actor, resident=resident, relation_to_head=relation)
        return "created"

    def export_queryset(self, user):
        return (
            Resident.objects.restrict(user, "export")
            .select_related("grid", "household")
            .prefetch_related("special_groups")
            .order_by("grid__code", "id")
        )

    def export_row(self, r, *, reveal):
        return [
            r.name,
            t.choice_label(GENDERS, r.gender),
            t.masked(r.id_number, crypto.mask_id_number, reveal),
            t.masked(r.phone, crypto.mask_phone, reveal),
            r.birth_date,
            r.grid.code,
            r.household.number if r.household else "",
            r.address,
            r.relation_to_head,
            t.choice_label(ATTENTION, r.attention_level),
            "、".join(g.name for g in r.special_groups.all()),
        ]


RESIDENTS = ResidentKind()


# ---------------------------------------------------------------- party members

ROLE_COLUMNS = (
    ("党员中心户", "is_central_household", PartyMemberRole.CENTRAL_HOUSEHOLD),
    ("楼栋长", "is_building_chief", PartyMemberRole.BUILDING_CHIEF),
    ("巷长", "is_lane_chief", PartyMemberRole.LANE_CHIEF),
    ("党员房东", "is_party_landlord", PartyMemberRole.PARTY_LANDLORD),
)

PARTY_MEMBER_SPEC = t.Spec(
    title="党员",
    columns=(
        t.Column("姓名", "name", required=True, parse=t.text(50), width=10, example="李四"),
        t.Column("性别", "gender", choices=GENDERS, width=6),
        t.Column(
            "身份证号",
            "id_number",
            parse=t.validated(validate_id_number),
            as_text=True,
            width=22,
            help=gettext_lazy("18位,按 GB 11643 校验;重复导入同一身份证号会更新该党员。"),
        ),
        t.Column("手机号", "phone", parse=t.validated(validate_phone), as_text=True, width=14),
        t.Column(
            "所在党组织",
            "organization_name",
            required=True,
            parse=t.text(100),
            width=20,
            help=gettext_lazy("党组织全称,须在您可见的范围内且名称唯一。"),
            example="东门一支部",
        ),
        t.Column(
            "工作单位",
            "work_unit_name",
            parse=t.text(100),
            width=20,
            help=gettext_lazy("单位全称,须在您可见的范围内。"),
        ),
        t.Column(
            "居住社区代码",
            "community_code",
            required=True,
            parse=t.validated(validate_division_code),
            as_text=True,
            width=14,
            help=gettext_lazy("12位行政区划代码,须在您的管辖范围内。"),
            example="441322001001",
        ),
        t.Column(
            "网格编码",
            "grid_code",
            parse=t.text(20),
            width=12,
            help=gettext_lazy("居住网格,须属于上述社区。"),
        ),
        t.Column("入党日期", "joined_on", parse=t.date, width=12, example="2005-07-01"),
        *(t.Column(header, key, choices=YES_NO, width=8) for header, key, _role in ROLE_COLUMNS),
    ),
    unique=("id_number",),
    rules=(
        gettext_lazy("身份证号相同的党员会被更新而不是重复登记;更新时空白单元格保留原有内容。"),
        gettext_lazy("所在党组织和工作单位按全称查找;重名时请先在系统中改名。"),
    ),
)


def _by_name(qs, names) -> dict[str, list]:
    found: dict[str, list] = defaultdict(list)
    for obj in qs.filter(name__in=names):
        found[obj.name].append(obj)
    return found


class PartyMemberKind(t.Kind):
    name = "party_members"
    label = gettext_lazy("党员")
    spec = PARTY_MEMBER_SPEC
    model = PartyMember
    has_pii = True

    def resolve(self, *, actor, rows):
        grids = _grids_in_scope(actor, rows)
        codes = {r.values["community_code"] for r in rows if r.values.get("community_code")}
        communities = {
            a.code: a
            for a in Area.objects.restrict(actor, CHANGE).filter(
                code__in=codes, level=Area.Level.COMMUNITY
            )
        }
        orgs = _by_name(
            PartyOrganization.objects.restrict(actor, VIEW),
            {r.values["organization_name"] for r in rows if r.values.get("organization_name")},
        )
        units = _by_name(
            Unit.objects.restrict(actor, VIEW),
            {r.values["work_unit_name"] for r in rows if r.values.get("work_unit_name")},
        )
        indexes = {
            crypto.blind_index(r.values["id_number"]): r for r in rows if r.values.get("id_number")
        }
        for member in PartyMember.objects.restrict(actor, CHANGE).filter(
            id_number_index__in=list(indexes)
        ):
            indexes[member.id_number_index].values["existing"] = member
        for row in rows:
            v = row.values
            _check_id_consistency(row)
            v["area"] = communities.get(v.get("community_code"))
            if v.get("community_code") and v["area"] is None:
                row.fail("community_code", _not_in_scope(_("社区代码"), v["community_code"]))
            v["grid"] = grids.get(v.get("grid_code"))
            if v.get("grid_code"):
                if v["grid"] is None:
                    row.fail("grid_code", _not_in_scope(_("网格编码"), v["grid_code"]))
                elif v["area"] is not None and v["grid"].community_id != v["area"].pk:
                    row.fail("grid_code", _("网格 %(g)s 不属于居住社区。") % {"g": v["grid_code"]})
            for key, target, found in (
                ("organization_name", "organization", orgs),
                ("work_unit_name", "work_unit", units),
            ):
                name = v.get(key)
                v[target] = None
                if not name:
                    continue
                if not found.get(name):
                    row.fail(key, _("找不到“%(n)s”或不在您的管辖范围内。") % {"n": name})
                elif len(found[name]) > 1:
                    row.fail(
                        key,
                        _("您可见的范围内有多个名为“%(n)s”的记录,请先在系统中改名。") % {"n": name},
                    )
                else:
                    v[target] = found[name][0]

    def write_row(self, *, actor, row):
        v = row.values
        member = v.get("existing")
        flags = {key: v[key] for _h, key, _r in ROLE_COLUMNS if v.get(key) is not None}
        if member is not None:
            roles = [role for _h, key, role in ROLE_COLUMNS if flags.get(key, getattr(member, key))]
            fields = ("name", "gender", "phone", "joined_on", "organization", "work_unit")
            changes = {k: v[k] for k in fields if v.get(k) not in (None, "")}
            if v.get("grid") is not None:
                changes["grid"] = v["grid"]
            elif v["area"].pk != member.area_id:
                changes["area"] = v["area"]
            services.party_member_update(actor=actor, party_member=member, roles=roles, **changes)
            return "updated"
        services.party_member_create(
            actor=actor,
            name=v["name"],
            organization=v["organization"],
            area=v["area"],
            grid=v.get("grid"),
            id_number=v.get("id_number") or "",
            phone=v.get("phone") or "",
            gender=v.get("gender") or "",
            birth_date=None,
            work_unit=v.get("work_unit"),
            joined_on=v.get("joined_on"),
            roles=[role for _h, key, role in ROLE_COLUMNS if flags.get(key)],
        )
        return "created"

    def export_queryset(self, user):
        return (
            PartyMember.objects.restrict(user, "export")
            .select_related("organization", "work_unit", "area", "grid")
            .order_by("area__code", "id")
        )

    def export_row(self, m, *, reveal):
        return [
            m.name,
            t.choice_label(GENDERS, m.gender),
            t.masked(m.id_number, crypto.mask_id_number, reveal),
            t.masked(m.phone, crypto.mask_phone, reveal),
            m.organization.name,
            m.work_unit.name if m.work_unit else "",
            m.area.code,
            m.grid.code if m.grid else "",
            m.joined_on,
            *(t.choice_label(YES_NO, getattr(m, key)) for _h, key, _r in ROLE_COLUMNS),
        ]


PARTY_MEMBERS = PartyMemberKind()
