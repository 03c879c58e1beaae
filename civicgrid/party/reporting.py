"""Dual reporting (双报到): writes. Every change writes its ReportEvent in the same transaction.

    submitted ──confirm──▶ confirmed (numbered receipt 回执)
        │  └──return (reason)──▶ returned          (the subject may report again)
        ├──move (to another community)──▶ moved   + a new submitted report there
        └──withdraw (reason)──▶ withdrawn
    confirmed ──move / withdraw── as above

A member reports for themself (or community staff for them); a unit's report is made by its
contact (Role.UNIT_CONTACT bound to the unit) or by staff. The community's staff — anyone with
"change" over the community's area — confirm, return and remind.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.core.scoping import CHANGE, get_scope
from civicgrid.geo.models import Area
from civicgrid.orgs.access import can_act_on
from civicgrid.orgs.models import Unit
from civicgrid.people.models import PartyMember

from . import accounts
from .choices import (
    OPEN_REPORT_STATUSES,
    REPORT_TRANSITIONS,
    Availability,
    ReportKind,
    ReportStatus,
    ServiceArea,
)
from .models import DualReport, ReportEvent

MAX_TEXT = 300


def _event(
    report: DualReport, *, actor, action: str, from_status: str, note: str = ""
) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report,
        action=action,
        from_status=from_status,
        to_status=report.status,
        note=note[:MAX_TEXT],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def may_act_for(actor, report_or_subject) -> bool:
    """The subject themself: the member's own login, or the unit's contact."""
    subject = (
        report_or_subject.subject
        if isinstance(report_or_subject, DualReport)
        else report_or_subject
    )
    if isinstance(subject, PartyMember):
        return actor is not None and subject.user_id is not None and subject.user_id == actor.pk
    if isinstance(subject, Unit):
        return any(u.pk == subject.pk for u in accounts.contact_units(actor))
    return False


def may_decide(actor, community_id: int) -> bool:
    """Community (or street, county) staff with "change" over the community's area."""
    if actor is None:
        return True  # the system
    scope = get_scope(actor, CHANGE)
    return scope.everything or community_id in scope.area_ids


def _subject_may_report(actor, subject) -> None:
    if actor is None or may_act_for(actor, subject):
        return
    if can_act_on(actor, subject, CHANGE):
        return  # staff registering the report on the subject's behalf
    raise PermissionDenied(_("您不能替他人报到。"))


def _community(community) -> Area:
    if community is None:
        raise ValidationFailed(_("请选择报到社区。"), details={"community": [_("不能为空。")]})
    if not isinstance(community, Area):
        community = Area.objects.filter(pk=community).first()
    if community is None or community.level != Area.Level.COMMUNITY:
        raise ValidationFailed(
            _("报到对象须是一个社区。"), details={"community": [_("请选择社区。")]}
        )
    return community


def _clean(skills: str, services, availability: str, note: str) -> tuple[str, list[str], str, str]:
    skills, note = (skills or "").strip(), (note or "").strip()
    if len(skills) > 200 or len(note) > MAX_TEXT:
        raise ValidationFailed(_("填写内容过长。"))
    services = list(dict.fromkeys(services or []))
    unknown = [s for s in services if s not in ServiceArea.values]
    if unknown:
        raise ValidationFailed(_("未知的服务意愿。"), details={"services": unknown})
    if availability and availability not in Availability.values:
        raise ValidationFailed(_("未知的可服务时间。"))
    return skills, services, availability or "", note


def _create(
    *, actor, kind, member, unit, community, skills, services, availability, note, moved_from=None
) -> DualReport:
    subject = member if kind == ReportKind.MEMBER else unit
    key = f"{kind}:{subject.pk}"
    grid_id = member.grid_id if member is not None and member.area_id == community.pk else None
    if unit is not None and unit.area_id == community.pk:
        grid_id = unit.grid_id
    report = DualReport(
        kind=kind,
        member=member,
        unit=unit,
        subject_key=key,
        community=community,
        grid_id=grid_id,
        skills=skills,
        services=services,
        availability=availability,
        note=note,
        moved_from=moved_from,
        submitted_at=timezone.now(),
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise Conflict(_("已有一份待确认或已确认的报到,请先撤回或转出。"))
    _event(
        report,
        actor=actor,
        action="submit",
        from_status="",
        note=gettext("由 %(from)s 转入") % {"from": moved_from.community.name}
        if moved_from
        else "",
    )
    return report


@transaction.atomic
def report_submit(
    *,
    actor,
    member: PartyMember | None = None,
    unit: Unit | None = None,
    community=None,
    skills: str = "",
    services=(),
    availability: str = "",
    note: str = "",
) -> DualReport:
    """Report a member (to the community they live in by default) or a unit (to the community
    it sits in by default)."""
    if (member is None) == (unit is None):
        raise ValidationFailed(_("报到须是一名党员或一个单位。"))
    subject = member or unit
    _subject_may_report(actor, subject)
    kind = ReportKind.MEMBER if member is not None else ReportKind.UNIT
    community = _community(community if community is not None else subject.area_id)
    skills, services, availability, note = _clean(skills, services, availability, note)
    type(subject)._base_manager.select_for_update().filter(pk=subject.pk).first()
    if DualReport.objects.filter(
        subject_key=f"{kind}:{subject.pk}", status__in=OPEN_REPORT_STATUSES
    ).exists():
        raise Conflict(_("已有一份待确认或已确认的报到,请先撤回或转出。"))
    return _create(
        actor=actor,
        kind=kind,
        member=member,
        unit=unit,
        community=community,
        skills=skills,
        services=services,
        availability=availability,
        note=note,
    )


def _lock(report: DualReport) -> DualReport:
    locked = DualReport.objects.select_for_update().filter(pk=report.pk).first()
    if locked is None:
        raise NotFound()
    return locked


def _transition(report: DualReport, action: str) -> str:
    sources, target = REPORT_TRANSITIONS[action]
    if report.status not in sources:
        raise Conflict(
            _("当前状态为「%(now)s」,不能执行该操作。") % {"now": report.get_status_display()},
            code="transition_not_allowed",
        )
    return target


def receipt_number(report: DualReport) -> str:
    """One numbered receipt per confirmed report: HZ-<community code>-<year>-<sequence>. The
    community's row is locked while the sequence is counted."""
    Area.objects.select_for_update().filter(pk=report.community_id).first()
    year = timezone.localtime().year
    prefix = f"HZ-{report.community.code}-{year}-"
    used = DualReport.objects.filter(receipt_number__startswith=prefix).count()
    return f"{prefix}{used + 1:04d}"


def _visible_to_decider(actor, report: DualReport) -> None:
    if not may_decide(actor, report.community_id):
        if DualReport.objects.restrict(actor).filter(pk=report.pk).exists():
            raise PermissionDenied(_("只有报到社区的工作人员可以确认或退回。"))
        raise NotFound()


@transaction.atomic
def report_confirm(*, actor, report: DualReport, note: str = "") -> DualReport:
    report = _lock(report)
    _visible_to_decider(actor, report)
    from_status = report.status
    report.status = _transition(report, "confirm")
    report.receipt_number = receipt_number(report)
    report.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    report.decided_at = timezone.now()
    report.save()
    _event(report, actor=actor, action="confirm", from_status=from_status, note=note)
    _notify(
        report,
        gettext("您的报到已由%(c)s确认,回执编号 %(no)s。")
        % {"c": report.community.name, "no": report.receipt_number},
    )
    return report


def _reason(reason: str, message) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(message, details={"reason": [message]})
    if len(reason) > MAX_TEXT:
        raise ValidationFailed(_("原因不能超过300字。"))
    return reason


@transaction.atomic
def report_return(*, actor, report: DualReport, reason: str) -> DualReport:
    report = _lock(report)
    _visible_to_decider(actor, report)
    reason = _reason(reason, _("退回须说明原因。"))
    from_status = report.status
    report.status = _transition(report, "return")
    report.reason = reason
    report.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    report.decided_at = report.closed_at = timezone.now()
    report.save()
    _event(report, actor=actor, action="return", from_status=from_status, note=reason)
    _notify(
        report, gettext("您向%(c)s的报到被退回:%(r)s") % {"c": report.community.name, "r": reason}
    )
    return report


def _subject_or_decider(actor, report: DualReport) -> None:
    if actor is None or may_act_for(actor, report) or may_decide(actor, report.community_id):
        return
    if DualReport.objects.restrict(actor).filter(pk=report.pk).exists():
        raise PermissionDenied()
    raise NotFound()


@transaction.atomic
def report_withdraw(*, actor, report: DualReport, reason: str) -> DualReport:
    report = _lock(report)
    _subject_or_decider(actor, report)
    reason = _reason(reason, _("撤回须说明原因。"))
    from_status = report.status
    report.status = _transition(report, "withdraw")
    report.reason = reason
    report.closed_at = timezone.now()
    report.save()
    _event(report, actor=actor, action="withdraw", from_status=from_status, note=reason)
    return report


@transaction.atomic
def report_move(
    *,
    actor,
    report: DualReport,
    community,
    reason: str = "",
    skills: str | None = None,
    services=None,
    availability: str | None = None,
) -> DualReport:
    """Move to another community (a member moved house, a unit moved): the old report ends as
    "moved" and a new report, submitted to the new community, points back at it."""
    report = _lock(report)
    _subject_or_decider(actor, report)
    from_status = report.status
    target = _transition(report, "move")
    community = _community(community)
    if community.pk == report.community_id:
        raise ValidationFailed(_("新的报到社区与原社区相同。"))
    report.status = target
    report.reason = (reason or "").strip()[:MAX_TEXT]
    report.closed_at = timezone.now()
    report.save()
    _event(
        report,
        actor=actor,
        action="move",
        from_status=from_status,
        note=gettext("转至 %(c)s") % {"c": community.name}
        + (f":{report.reason}" if report.reason else ""),
    )
    skills_, services_, availability_, _note = _clean(
        report.skills if skills is None else skills,
        report.services if services is None else services,
        report.availability if availability is None else availability,
        "",
    )
    return _create(
        actor=actor,
        kind=report.kind,
        member=report.member,
        unit=report.unit,
        community=community,
        skills=skills_,
        services=services_,
        availability=availability_,
        note="",
        moved_from=report,
    )


def inactive_months() -> int:
    return int(getattr(settings, "CIVICGRID_PARTY_INACTIVE_MONTHS", 3))


@transaction.atomic
def member_remind(*, actor, report: DualReport, message: str = "") -> ReportEvent:
    """Remind a reported member who has not taken part for a while: an in-app message (and an
    SMS through the notification outbox when the member has a phone), logged on the report."""
    report = _lock(report)
    _visible_to_decider(actor, report)
    if report.kind != ReportKind.MEMBER or report.status != ReportStatus.CONFIRMED:
        raise Conflict(_("只能提醒已确认报到的党员。"))
    text = (message or "").strip() or gettext(
        "%(name)s同志,您已报到%(c)s,近期尚未参加社区活动,欢迎认领心愿、参加志愿服务。"
    ) % {"name": report.member.name, "c": report.community.name}
    _notify(report, text[:MAX_TEXT], sms=True)
    return _event(report, actor=actor, action="remind", from_status=report.status, note=text)


def _notify(report: DualReport, message: str, *, sms: bool = False) -> None:
    """Write the message to the outbox (cases.Notification), delivery after commit."""
    from civicgrid.cases.models import Notification
    from civicgrid.cases.notifications import deliver

    user_ids = []
    if report.kind == ReportKind.MEMBER and report.member.user_id:
        user_ids.append(report.member.user_id)
    elif report.kind == ReportKind.UNIT:
        from civicgrid.orgs.choices import Role
        from civicgrid.orgs.models import RoleAssignment

        user_ids = list(
            RoleAssignment.objects.filter(
                role=Role.UNIT_CONTACT, unit_id=report.unit_id, active=True
            ).values_list("user_id", flat=True)
        )
    Notification.objects.bulk_create(
        [Notification(user_id=u, channel="app", message=message[:500]) for u in user_ids]
    )
    if sms and report.kind == ReportKind.MEMBER and report.member.phone:
        phone = report.member.phone
        Notification.objects.create(channel="sms", recipient=phone[-4:], message=message[:500])
        transaction.on_commit(lambda: deliver("sms", phone, message))
