"""Public-welfare venture projects (公益创投), donations with receipts, the market (善集)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict, ValidationFailed
from civicgrid.geo.models import Area
from civicgrid.orgs.choices import UnitKind
from civicgrid.orgs.models import Unit

from ..choices import WelfareStatus
from ..models import (
    Donation,
    MarketStall,
    WelfareMarket,
    WelfareMilestone,
    WelfareProject,
    WelfareRound,
)
from ._common import clean_text, require_area, require_obj


def _money(value, field: str) -> Decimal:
    try:
        v = Decimal(str(value).strip())
    except (InvalidOperation, TypeError):
        raise ValidationFailed(_("金额无效。"), details={field: [_("无效。")]})
    if not Decimal("0") < v <= Decimal("100000000"):
        raise ValidationFailed(_("金额应大于 0。"), details={field: [_("超出范围。")]})
    return v.quantize(Decimal("0.01"))


@transaction.atomic
def round_create(*, actor, area: Area, year: int, title: str) -> WelfareRound:
    require_area(actor, area)
    title = clean_text(title, field="title", label=_("名称"), max_length=120)
    return WelfareRound.objects.create(area=area, year=int(year), title=title)


@transaction.atomic
def project_propose(
    *, actor, round: WelfareRound, organization: Unit, area: Area, title: str, summary: str, budget
) -> WelfareProject:
    require_area(actor, area)
    if organization.kind != UnitKind.SOCIAL_ORG:
        raise ValidationFailed(
            _("公益创投项目须由社会组织申报。"), details={"organization": [_("不是社会组织。")]}
        )
    require_obj(actor, organization, "view")
    if not area.path.startswith(round.area.path):
        raise ValidationFailed(
            _("服务社区须在本次创投的区划之内。"), details={"area": [_("超出范围。")]}
        )
    return WelfareProject.objects.create(
        round=round,
        organization=organization,
        area=area,
        title=clean_text(title, field="title", label=_("项目名称"), max_length=120),
        summary=clean_text(summary, field="summary", label=_("项目简介"), max_length=4000),
        budget=_money(budget, "budget"),
    )


@transaction.atomic
def project_review(
    *, actor, project: WelfareProject, approve: bool, reason: str = ""
) -> WelfareProject:
    p = WelfareProject.objects.select_for_update().get(pk=project.pk)
    require_obj(actor, p)
    if p.status != WelfareStatus.PROPOSED:
        raise Conflict(_("该项目已评审。"))
    reason = clean_text(
        reason, field="reason", label=_("评审意见"), max_length=500, required=not approve
    )
    WelfareProject.objects.filter(pk=p.pk).update(
        status=WelfareStatus.APPROVED if approve else WelfareStatus.REJECTED,
        review_reason=reason,
        reviewed_by=actor if getattr(actor, "is_authenticated", False) else None,
        reviewed_at=timezone.now(),
    )
    p.refresh_from_db()
    return p


@transaction.atomic
def donation_record(
    *,
    actor,
    project: WelfareProject,
    donor_name: str,
    amount,
    received_on: dt.date,
    donor_unit: Unit | None = None,
    note: str = "",
) -> Donation:
    """A donation with the next receipt number of its year (GY2026-00001, …)."""
    p = WelfareProject.objects.select_for_update().get(pk=project.pk)
    require_obj(actor, p)
    if p.status not in (WelfareStatus.APPROVED, WelfareStatus.COMPLETED):
        raise Conflict(_("只有已立项的项目可以接受捐赠。"))
    donor_name = clean_text(
        donor_name or (donor_unit.name if donor_unit else ""),
        field="donor_name",
        label=_("捐赠方"),
        max_length=120,
    )
    amount = _money(amount, "amount")
    # Serialise the numbering of a year on the round's row.
    WelfareRound.objects.select_for_update().filter(pk=p.round_id).first()
    prefix = f"GY{received_on.year}-"
    last = (
        Donation.objects.filter(receipt_no__startswith=prefix)
        .order_by("-receipt_no")
        .values_list("receipt_no", flat=True)
        .first()
    )
    number = int(last.split("-")[1]) + 1 if last else 1
    return Donation.objects.create(
        project=p,
        donor_unit=donor_unit,
        donor_name=donor_name,
        amount=amount,
        received_on=received_on,
        receipt_no=f"{prefix}{number:05d}",
        note=clean_text(note, field="note", label=_("备注"), max_length=200, required=False),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def project_progress(*, actor, project: WelfareProject, percent: int, beneficiaries: int) -> None:
    project = WelfareProject.objects.select_for_update().get(pk=project.pk)
    require_obj(actor, project)
    if project.status not in (WelfareStatus.APPROVED, WelfareStatus.COMPLETED):
        raise Conflict(_("只有已立项的项目可以填报进度。"))
    try:
        percent, beneficiaries = int(percent), int(beneficiaries)
    except (TypeError, ValueError):
        raise ValidationFailed(_("请填写整数。"))
    if not 0 <= percent <= 100 or beneficiaries < 0:
        raise ValidationFailed(
            _("进度应在 0 到 100 之间,受益人数不能为负。"), details={"percent": [_("超出范围。")]}
        )
    WelfareProject.objects.filter(pk=project.pk).update(
        percent=percent,
        beneficiaries=beneficiaries,
        status=WelfareStatus.COMPLETED if percent == 100 else WelfareStatus.APPROVED,
    )


@transaction.atomic
def welfare_milestone_add(
    *, actor, project: WelfareProject, title: str, due_on: dt.date
) -> WelfareMilestone:
    require_obj(actor, project)
    return WelfareMilestone.objects.create(
        project=project,
        title=clean_text(title, field="title", label=_("节点"), max_length=120),
        due_on=due_on,
    )


@transaction.atomic
def welfare_milestone_done(*, actor, milestone: WelfareMilestone) -> None:
    require_obj(actor, milestone.project)
    WelfareMilestone.objects.filter(pk=milestone.pk).update(done_on=timezone.localdate())


@transaction.atomic
def market_create(*, actor, round: WelfareRound, held_on: dt.date, place: str) -> WelfareMarket:
    require_obj(actor, round)
    return WelfareMarket.objects.create(
        round=round,
        area=round.area,
        held_on=held_on,
        place=clean_text(place, field="place", label=_("地点"), max_length=120),
    )


@transaction.atomic
def stall_add(
    *,
    actor,
    market: WelfareMarket,
    organization: Unit,
    project: WelfareProject | None = None,
    note: str = "",
) -> MarketStall:
    require_obj(actor, market)
    require_obj(actor, organization, "view")
    if project is not None and project.organization_id != organization.pk:
        raise ValidationFailed(_("项目不属于该组织。"), details={"project": [_("无效。")]})
    return MarketStall.objects.create(
        market=market,
        organization=organization,
        project=project,
        note=clean_text(note, field="note", label=_("说明"), max_length=200, required=False),
    )


@transaction.atomic
def market_results(
    *, actor, market: WelfareMarket, funds_raised, projects_matched: int, volunteers_recruited: int
) -> None:
    require_obj(actor, market)
    try:
        funds = Decimal(str(funds_raised))
        matched, volunteers = int(projects_matched), int(volunteers_recruited)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed(_("请填写数字。"))
    if funds < 0 or matched < 0 or volunteers < 0:
        raise ValidationFailed(_("数字不能为负。"))
    WelfareMarket.objects.filter(pk=market.pk).update(
        funds_raised=funds.quantize(Decimal("0.01")),
        projects_matched=matched,
        volunteers_recruited=volunteers,
    )
