"""Writes for red property: company profiles, compounds, inspections, the monthly red and
yellow lists (the composite score is computed in ..assessment)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict, NotFound, ValidationFailed
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.choices import UnitKind
from civicgrid.orgs.models import PartyOrganization, Unit

from .. import assessment
from ..models import (
    AssessmentPublication,
    AssessmentResult,
    Compound,
    CompoundGrid,
    Criterion,
    Inspection,
    InspectionScore,
    PropertyCompanyProfile,
)
from ._common import clean_text, log, require_change


def _require_company(unit: Unit) -> None:
    if unit is None or unit.kind != UnitKind.PROPERTY_COMPANY:
        raise ValidationFailed(
            _("请选择一家物业公司。"), details={"company": [_("不是物业公司。")]}
        )


@transaction.atomic
def company_profile_save(
    *,
    actor,
    unit: Unit,
    licence_no: str = "",
    licence_expires: dt.date | None = None,
    hotline: str = "",
    manager_name: str = "",
    party_organization: PartyOrganization | None = None,
) -> PropertyCompanyProfile:
    _require_company(unit)
    require_change(actor, unit)
    profile, _created = PropertyCompanyProfile.objects.select_for_update().get_or_create(unit=unit)
    profile.licence_no = clean_text(
        licence_no, field="licence_no", label=_("资质编号"), max_length=40, required=False
    )
    profile.licence_expires = licence_expires
    profile.hotline = clean_text(
        hotline, field="hotline", label=_("服务电话"), max_length=20, required=False
    )
    profile.manager_name = clean_text(
        manager_name, field="manager_name", label=_("项目负责人"), max_length=50, required=False
    )
    profile.party_organization = party_organization
    profile.save()
    log(actor=actor, area=unit.area, action="company_profile_save", obj=profile)
    return profile


@transaction.atomic
def compound_save(
    *,
    actor,
    name: str,
    community: Area,
    households: int,
    grids: list[Grid],
    company: Unit | None = None,
    buildings=(),
    compound: Compound | None = None,
) -> Compound:
    """Create or edit a compound. A grid belongs to at most one compound: a case in that grid is
    the compound's case (and, for property matters, its company's)."""
    require_change(actor, community)
    if community.level != Area.Level.COMMUNITY:
        raise ValidationFailed(_("小区须属于一个社区。"), details={"community": [_("层级不符。")]})
    if company is not None:
        _require_company(company)
    if households is None or households < 0 or households > 100000:
        raise ValidationFailed(
            _("户数须在 0 到 100000 之间。"), details={"households": [_("无效。")]}
        )
    name = clean_text(name, field="name", label=_("小区名称"), max_length=100)
    for g in grids:
        if g.community_id != community.pk:
            raise ValidationFailed(
                _("网格「%(g)s」不在该社区。") % {"g": g.name}, details={"grids": [_("不符。")]}
            )
    taken = (
        CompoundGrid.objects.filter(grid__in=grids)
        .exclude(compound=compound.pk if compound else None)
        .select_related("compound", "grid")
    )
    for link in taken:
        raise Conflict(
            _("网格「%(g)s」已属于小区「%(c)s」。") % {"g": link.grid.name, "c": link.compound.name}
        )
    if compound is None:
        compound = Compound(community=community)
    else:
        compound = Compound.objects.select_for_update().get(pk=compound.pk)
        require_change(actor, compound)
        compound.community = community
    compound.name, compound.households, compound.company = name, households, company
    try:
        with transaction.atomic():
            compound.save()
    except IntegrityError:
        raise Conflict(_("该社区已有同名小区。"))
    CompoundGrid.objects.filter(compound=compound).exclude(grid__in=grids).delete()
    existing = set(CompoundGrid.objects.filter(compound=compound).values_list("grid_id", flat=True))
    CompoundGrid.objects.bulk_create(
        [CompoundGrid(compound=compound, grid=g) for g in grids if g.pk not in existing]
    )
    compound.buildings.set([b for b in buildings if b.area_id == community.pk])
    log(
        actor=actor,
        area=community,
        action="compound_save",
        obj=compound,
        data={"company": company.pk if company else None, "grids": [g.pk for g in grids]},
    )
    return compound


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _decimal(value) -> Decimal:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("得分须是数字。"))


@transaction.atomic
def inspection_record(
    *, actor, company: Unit, month: dt.date, scores: dict[int, object], note: str = ""
) -> Inspection:
    """Enter (or re-enter) one month's inspection of one company: a score for every active
    criterion, each between 0 and its maximum. A score out of range refuses the whole form."""
    _require_company(company)
    require_change(actor, company)
    month = first_of_month(month)
    if month > first_of_month(timezone.localdate()):
        raise ValidationFailed(_("不能录入未来月份的检查。"), details={"month": [_("未来月份。")]})
    criteria = list(Criterion.objects.filter(active=True))
    if not criteria:
        raise ValidationFailed(_("尚未配置考核标准,请管理员先在后台添加。"))
    parsed: dict[int, Decimal] = {}
    errors: dict[str, list] = {}
    for c in criteria:
        raw = scores.get(c.pk)
        if raw is None or str(raw).strip() == "":
            errors[f"c{c.pk}"] = [_("必填。")]
            continue
        value = _decimal(raw)
        if value < 0 or value > c.max_score:
            errors[f"c{c.pk}"] = [
                _("「%(c)s」的得分须在 0 到 %(m)d 之间(填的是 %(v)s)。")
                % {"c": c.name, "m": c.max_score, "v": value}
            ]
            continue
        parsed[c.pk] = value
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, details=errors)
    inspection, created = Inspection.objects.select_for_update().get_or_create(
        company=company, month=month, defaults={"inspector": actor}
    )
    inspection.inspector = actor
    inspection.note = clean_text(
        note, field="note", label=_("检查情况"), max_length=4000, required=False
    )
    inspection.score = assessment.inspection_percent(
        [(parsed[c.pk], c.max_score, c.weight) for c in criteria]
    )
    inspection.save()
    InspectionScore.objects.filter(inspection=inspection).delete()
    InspectionScore.objects.bulk_create(
        [InspectionScore(inspection=inspection, criterion=c, score=parsed[c.pk]) for c in criteria]
    )
    log(
        actor=actor,
        area=company.area,
        action="inspection_record",
        obj=inspection,
        data={"month": month.isoformat(), "score": str(inspection.score), "new": created},
    )
    return inspection


@transaction.atomic
def assessment_publish(*, actor, area: Area, month: dt.date) -> AssessmentPublication:
    """Freeze and publish one month's ranking of the companies in an area (红黄榜)."""
    require_change(actor, area)
    month = first_of_month(month)
    if month > first_of_month(timezone.localdate()):
        raise ValidationFailed(_("不能公布未来月份的红黄榜。"))
    if AssessmentPublication.objects.filter(area=area, month=month).exists():
        raise Conflict(_("%(m)s 的红黄榜已经公布。") % {"m": f"{month:%Y-%m}"})
    rows = assessment.compute(area=area, month=month)
    ranked = [r for r in rows if r.rank is not None]
    if not ranked:
        raise ValidationFailed(_("该月没有任何物业公司的检查记录,无法公布。"))
    try:
        with transaction.atomic():
            pub = AssessmentPublication.objects.create(area=area, month=month, published_by=actor)
    except IntegrityError:
        raise Conflict(_("%(m)s 的红黄榜已经公布。") % {"m": f"{month:%Y-%m}"})
    AssessmentResult.objects.bulk_create(
        [
            AssessmentResult(
                publication=pub,
                company_id=r.company_id,
                company_name=r.name,
                rank=r.rank,
                inspection_score=r.inspection_score,
                complaints=r.complaints,
                households=r.households,
                complaint_score=r.complaint_score,
                composite=r.composite,
                list_kind=r.list_kind,
            )
            for r in ranked
        ]
    )
    log(
        actor=actor,
        area=area,
        action="assessment_publish",
        obj=pub,
        data={"month": f"{month:%Y-%m}"},
    )
    return pub


def get_company(*, user, pk: int) -> Unit:
    unit = Unit.objects.restrict(user).filter(pk=pk, kind=UnitKind.PROPERTY_COMPANY).first()
    if unit is None:
        raise NotFound()
    return unit
