"""Whistle and report (吹哨报到) and supervision (督办). Each step is written to the case ledger."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.core.scoping import CHANGE, get_scope
from civicgrid.geo.models import Area
from civicgrid.orgs.choices import Role

from . import hooks
from .choices import FINAL_STATUSES
from .models import Case, CaseEvent, Department, Supervision, WhistleCall, WhistleResponse
from .permissions import is_handler

MAX_REPORT_HOURS = 72


def _ledger(case: Case, *, actor, action: str, note: str = "", data: dict | None = None) -> None:
    event = CaseEvent.objects.create(
        case=case,
        actor=actor,
        action=action,
        from_status=case.status,
        to_status=case.status,
        note=note,
        data=data or {},
    )
    hooks.events_written([event])


def street_staff_over(user, case: Case) -> bool:
    scope = get_scope(user, CHANGE)
    if scope.everything:
        return True
    street_id = case.area.parent_id
    return Role.STREET_STAFF in scope.roles and street_id in scope.area_ids


@transaction.atomic
def whistle_blow(*, actor, case: Case, units: list, report_hours: int, note: str) -> WhistleCall:
    """Street staff call departments to report on a case within `report_hours`."""
    case = Case.objects.select_for_update(of=("self",)).select_related("area").get(pk=case.pk)
    if not street_staff_over(actor, case):
        raise PermissionDenied(_("只有所在街道(镇)的工作人员可以吹哨。"))
    if case.status in FINAL_STATUSES:
        raise Conflict(_("事件已结束,不能吹哨。"))
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("请写明吹哨事由。"), details={"note": [_("不能为空。")]})
    if not units:
        raise ValidationFailed(_("请至少选择一个报到部门。"), details={"units": [_("必选。")]})
    if not (1 <= int(report_hours) <= MAX_REPORT_HOURS):
        raise ValidationFailed(_("报到时限须在 1–%(n)d 小时之间。") % {"n": MAX_REPORT_HOURS})
    dept_units = set(Department.objects.filter(unit__in=units).values_list("unit_id", flat=True))
    if len(dept_units) != len({u.pk for u in units}):
        raise ValidationFailed(_("只能向职能部门吹哨。"))
    call = WhistleCall.objects.create(
        case=case, blown_by=actor, note=note, report_hours=report_hours
    )
    due = timezone.now() + dt.timedelta(hours=int(report_hours))
    for unit in units:
        WhistleResponse.objects.create(call=call, unit=unit, due=due)
    _ledger(
        case,
        actor=actor,
        action="whistle",
        note=note,
        data={"units": [u.name for u in units], "report_hours": int(report_hours)},
    )
    return call


@transaction.atomic
def whistle_report(*, actor, response: WhistleResponse, text: str) -> WhistleResponse:
    """A department reports (报到): accepts and responds. Late reports are marked."""
    response = (
        WhistleResponse.objects.select_for_update(of=("self",))
        .select_related("call__case", "unit")
        .get(pk=response.pk)
    )
    scope = get_scope(actor)
    if response.unit_id not in scope.unit_ids:
        raise NotFound()
    if response.reported_at:
        raise Conflict(_("本部门已报到。"))
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("请填写响应情况。"), details={"text": [_("不能为空。")]})
    now = timezone.now()
    response.reported_at, response.reported_by, response.response = now, actor, text
    response.late = now > response.due
    response.save()
    _ledger(
        response.call.case,
        actor=actor,
        action="whistle_report",
        note=text,
        data={"unit": response.unit.name, "late": response.late},
    )
    return response


@transaction.atomic
def whistle_rate(
    *, actor, response: WhistleResponse, score: int, comment: str = ""
) -> WhistleResponse:
    """The street rates a department's response, 1 (poor) to 5 (excellent)."""
    response = (
        WhistleResponse.objects.select_for_update(of=("self",))
        .select_related("call__case__area", "unit")
        .get(pk=response.pk)
    )
    if not street_staff_over(actor, response.call.case):
        raise PermissionDenied(_("只有吹哨的街道(镇)可以评价报到情况。"))
    if not (1 <= int(score) <= 5):
        raise ValidationFailed(_("评分须为 1–5 分。"))
    response.score, response.score_comment = int(score), comment[:200]
    response.save(update_fields=["score", "score_comment"])
    _ledger(
        response.call.case,
        actor=actor,
        action="whistle_rate",
        note=comment,
        data={"unit": response.unit.name, "score": int(score)},
    )
    return response


def mark_late_whistle_reports(now: dt.datetime | None = None) -> int:
    """Responses past their deadline with no report are marked late (used by the sweep)."""
    now = now or timezone.now()
    return WhistleResponse.objects.filter(reported_at__isnull=True, due__lt=now, late=False).update(
        late=True
    )


def is_tier_above(user, case: Case) -> bool:
    """Street over a community's case; the county (or its leaders) over a street's or a department's."""
    scope = get_scope(user, "view")
    if scope.everything:
        return True
    holder = case.handler_area
    if holder is None or holder.level == Area.Level.STREET or case.handler_unit_id:
        county = case.area.parent.parent_id if case.area.parent_id else None
        return county in scope.area_ids and bool(
            scope.roles & {Role.LEADER, Role.STREET_STAFF, Role.SYSTEM_ADMIN}
        )
    return street_staff_over(user, case) or (
        case.area.parent_id in scope.area_ids and Role.LEADER in scope.roles
    )


@transaction.atomic
def supervise(*, actor, case: Case, note: str) -> Supervision:
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("area__parent", "handler_area")
        .get(pk=case.pk)
    )
    if not Case.objects.restrict(actor).filter(pk=case.pk).exists():
        raise NotFound()
    if not is_tier_above(actor, case):
        raise PermissionDenied(_("督办须由上一级发起。"))
    if case.status in FINAL_STATUSES:
        raise Conflict(_("事件已结束,不能督办。"))
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("请填写督办意见。"), details={"note": [_("不能为空。")]})
    sup = Supervision.objects.create(case=case, by=actor, note=note)
    case.supervised = True
    case.save(update_fields=["supervised", "updated_at"])
    _ledger(case, actor=actor, action="supervise", note=note)
    return sup


@transaction.atomic
def supervision_answer(*, actor, supervision: Supervision, answer: str) -> Supervision:
    sup = (
        Supervision.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=supervision.pk)
    )
    if not is_handler(actor, sup.case):
        raise PermissionDenied(_("只有承办人可以答复督办。"))
    if sup.answered_at:
        raise Conflict(_("该督办已答复。"))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationFailed(_("请填写答复。"), details={"answer": [_("不能为空。")]})
    sup.answer, sup.answered_by, sup.answered_at = answer, actor, timezone.now()
    sup.save()
    case = sup.case
    if not case.supervisions.filter(answered_at__isnull=True).exclude(pk=sup.pk).exists():
        case.supervised = False
        case.save(update_fields=["supervised", "updated_at"])
    _ledger(case, actor=actor, action="supervision_answer", note=answer)
    return sup
