"""Writes for deliberation meetings. A commitment is a case of the case loop, created through
civicgrid.cases.services with source "meeting" and dispatched to its owner at once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.cases import services as case_services
from civicgrid.cases.choices import OPEN_STATUSES, Source
from civicgrid.cases.models import Case, Department, MatterItem
from civicgrid.core.errors import Conflict, NotFound, ValidationFailed
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.choices import UnitKind
from civicgrid.orgs.models import Unit

from ..choices import (
    InviteeKind,
    ItemOrigin,
    ItemOutcome,
    MeetingKind,
    MeetingStatus,
    ProposalStatus,
)
from ..models import AgendaItem, Compound, Meeting, MeetingInvitee, Proposal
from ._common import clean_text, log, require_change

# The level of area each kind of meeting is held at.
KIND_LEVEL = {
    MeetingKind.RED_HALL: Area.Level.COMMUNITY,
    MeetingKind.TRIPARTITE: Area.Level.COMMUNITY,
    MeetingKind.JOINT_STREET: Area.Level.STREET,
    MeetingKind.JOINT_COUNTY: Area.Level.COUNTY,
}


def _visible(model, actor):
    """Rows the actor may see; the system actor (None: demo data, commands) sees all."""
    return model.objects.all() if actor is None else model.objects.restrict(actor)


def _in_subtree(area: Area, root: Area) -> bool:
    return area.path.startswith(root.path)


def _lock_meeting(meeting: Meeting) -> Meeting:
    # OF self: the compound is a nullable (outer) join, which PostgreSQL cannot lock.
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("area", "compound")
        .get(pk=meeting.pk)
    )


def _require_not_published(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.PUBLISHED:
        raise Conflict(_("会议结果已公开,不能再修改。"))


@transaction.atomic
def meeting_schedule(
    *,
    actor,
    kind: str,
    title: str,
    area: Area,
    scheduled_at: dt.datetime,
    compound: Compound | None = None,
    place: str = "",
) -> Meeting:
    if kind not in MeetingKind.values:
        raise ValidationFailed(_("未知的会议类型。"), details={"kind": [_("无效。")]})
    title = clean_text(title, field="title", label=_("会议名称"), max_length=120)
    place = clean_text(place, field="place", label=_("地点"), max_length=120, required=False)
    require_change(actor, area)
    if area.level != KIND_LEVEL[kind]:
        raise ValidationFailed(
            _("「%(k)s」应在%(l)s召开。")
            % {"k": MeetingKind(kind).label, "l": Area.Level(KIND_LEVEL[kind]).label},
            details={"area": [_("层级不符。")]},
        )
    if kind in (MeetingKind.RED_HALL, MeetingKind.TRIPARTITE) and compound is None:
        raise ValidationFailed(
            _("红色议事厅和三方议事会须选择小区。"), details={"compound": [_("必填。")]}
        )
    if compound is not None and compound.community_id != area.pk:
        raise ValidationFailed(_("该小区不属于所选社区。"), details={"compound": [_("不符。")]})
    if scheduled_at is None:
        raise ValidationFailed(_("请填写召开时间。"), details={"scheduled_at": [_("必填。")]})
    meeting = Meeting.objects.create(
        kind=kind,
        title=title,
        area=area,
        compound=compound,
        scheduled_at=scheduled_at,
        place=place,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    log(actor=actor, area=area, action="meeting_schedule", obj=meeting, data={"kind": kind})
    return meeting


@transaction.atomic
def invitee_add(
    *,
    actor,
    meeting: Meeting,
    kind: str,
    user=None,
    unit: Unit | None = None,
    party_member=None,
    name: str = "",
) -> MeetingInvitee:
    meeting = _lock_meeting(meeting)
    require_change(actor, meeting)
    _require_not_published(meeting)
    if kind == InviteeKind.STAFF and user is not None:
        name = str(user)
    elif kind == InviteeKind.UNIT and unit is not None:
        name = unit.name
    elif kind == InviteeKind.PARTY_MEMBER and party_member is not None:
        name = party_member.name
    elif kind == InviteeKind.RESIDENT:
        name = clean_text(name, field="name", label=_("姓名"), max_length=50)
    else:
        raise ValidationFailed(_("请选择要邀请的人员或单位。"))
    invitee = MeetingInvitee.objects.create(
        meeting=meeting, kind=kind, user=user, unit=unit, party_member=party_member, name=name
    )
    log(actor=actor, area=meeting.area, action="invitee_add", obj=meeting, data={"kind": kind})
    return invitee


@transaction.atomic
def meeting_sign_in(
    *, actor, meeting: Meeting, present_ids: list[int], walk_ins: int = 0
) -> Meeting:
    """签到: mark the invitees present; attendees = present invitees + walk-in residents."""
    meeting = _lock_meeting(meeting)
    require_change(actor, meeting)
    _require_not_published(meeting)
    if walk_ins < 0 or walk_ins > 10000:
        raise ValidationFailed(_("列席人数无效。"), details={"walk_ins": [_("无效。")]})
    ids = set(present_ids)
    invitees = list(meeting.invitees.all())
    for inv in invitees:
        inv.present = inv.pk in ids
    MeetingInvitee.objects.bulk_update(invitees, ["present"])
    meeting.attendee_count = sum(1 for i in invitees if i.present) + walk_ins
    meeting.save(update_fields=["attendee_count"])
    log(
        actor=actor,
        area=meeting.area,
        action="meeting_sign_in",
        obj=meeting,
        data={"present": len([i for i in invitees if i.present]), "walk_ins": walk_ins},
    )
    return meeting


@transaction.atomic
def meeting_record(*, actor, meeting: Meeting, minutes: str) -> Meeting:
    """Record the minutes; the meeting counts as held from then on."""
    meeting = _lock_meeting(meeting)
    require_change(actor, meeting)
    _require_not_published(meeting)
    meeting.minutes = clean_text(minutes, field="minutes", label=_("会议纪要"), max_length=20000)
    if meeting.status == MeetingStatus.SCHEDULED:
        meeting.status = MeetingStatus.HELD
        meeting.held_at = timezone.now()
    meeting.save(update_fields=["minutes", "status", "held_at"])
    log(actor=actor, area=meeting.area, action="meeting_record", obj=meeting)
    return meeting


@transaction.atomic
def proposal_record(
    *,
    actor,
    area: Area,
    title: str,
    text: str,
    proposer_name: str = "",
    compound: Compound | None = None,
) -> Proposal:
    require_change(actor, area)
    if area.level != Area.Level.COMMUNITY:
        raise ValidationFailed(_("居民提议须记在社区。"), details={"area": [_("层级不符。")]})
    if compound is not None and compound.community_id != area.pk:
        raise ValidationFailed(_("该小区不属于所选社区。"), details={"compound": [_("不符。")]})
    proposal = Proposal.objects.create(
        area=area,
        compound=compound,
        proposer_name=clean_text(
            proposer_name, field="proposer_name", label=_("提议人"), max_length=50, required=False
        ),
        title=clean_text(title, field="title", label=_("议题"), max_length=120),
        text=clean_text(text, field="text", label=_("内容"), max_length=4000),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    log(actor=actor, area=area, action="proposal_record", obj=proposal)
    return proposal


@transaction.atomic
def item_add(
    *,
    actor,
    meeting: Meeting,
    origin: str,
    title: str = "",
    description: str = "",
    proposal: Proposal | None = None,
    source_case: Case | None = None,
) -> AgendaItem:
    """An agenda item from a resident's proposal, an open case in the meeting's area, or staff."""
    meeting = _lock_meeting(meeting)
    require_change(actor, meeting)
    _require_not_published(meeting)
    if origin == ItemOrigin.PROPOSAL:
        if proposal is None:
            raise ValidationFailed(_("请选择居民提议。"), details={"proposal": [_("必填。")]})
        proposal = Proposal.objects.select_for_update().select_related("area").get(pk=proposal.pk)
        if not _in_subtree(proposal.area, meeting.area):
            raise NotFound()
        if proposal.status != ProposalStatus.OPEN:
            raise Conflict(_("该提议已列入其他会议议程。"))
        title = title or proposal.title
        description = description or proposal.text
        proposal.status = ProposalStatus.ON_AGENDA
        proposal.save(update_fields=["status"])
    elif origin == ItemOrigin.CASE:
        if source_case is None:
            raise ValidationFailed(_("请选择在办事件。"), details={"source_case": [_("必填。")]})
        visible = _visible(Case, actor).filter(pk=source_case.pk).select_related("area", "item")
        source_case = visible.first()
        if source_case is None or not _in_subtree(source_case.area, meeting.area):
            raise NotFound()
        if source_case.status not in OPEN_STATUSES:
            raise ValidationFailed(_("只能把在办的事件列入议程。"))
        title = title or f"{source_case.item.name}({source_case.number})"
        description = description or source_case.text
    elif origin != ItemOrigin.STAFF:
        raise ValidationFailed(_("未知的议题来源。"))
    title = clean_text(title, field="title", label=_("议题"), max_length=120)
    description = clean_text(
        description, field="description", label=_("说明"), max_length=4000, required=False
    )
    position = meeting.items.count() + 1
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=position,
        title=title,
        description=description,
        origin=origin,
        proposal=proposal,
        source_case=source_case,
    )
    log(actor=actor, area=meeting.area, action="item_add", obj=item, data={"origin": origin})
    return item


def _lock_item(item: AgendaItem) -> AgendaItem:
    locked = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting__area", "meeting__compound")
        .get(pk=item.pk)
    )
    require_change_item(locked)
    return locked


def require_change_item(item: AgendaItem) -> None:
    if item.outcome != ItemOutcome.PENDING:
        raise Conflict(_("该议题已有结果(%(o)s)。") % {"o": item.get_outcome_display()})
    _require_not_published(item.meeting)


@transaction.atomic
def item_solve(*, actor, item: AgendaItem, resolution: str) -> AgendaItem:
    """就地解决: the item is settled at the meeting; the resolution is what residents will read."""
    require_change(actor, item.meeting)
    item = _lock_item(item)
    item.resolution = clean_text(
        resolution, field="resolution", label=_("解决情况"), max_length=4000
    )
    item.outcome = ItemOutcome.SOLVED
    item.closed_at = timezone.now()
    item.closed_by = actor
    item.save()
    log(actor=actor, area=item.meeting.area, action="item_solve", obj=item)
    return item


def _check_owner(owner_unit: Unit | None, owner_area: Area | None, grid: Grid) -> None:
    if owner_unit is None and owner_area is None:
        raise ValidationFailed(
            _("限期办理的议题须指定责任单位(部门、物业公司)或责任社区/街道。"),
            details={"owner": [_("必填。")]},
        )
    if owner_unit is not None and owner_area is not None:
        raise ValidationFailed(
            _("责任单位和责任区划只能选一个。"), details={"owner": [_("只选一个。")]}
        )
    if owner_unit is not None:
        is_handler = (
            owner_unit.kind == UnitKind.PROPERTY_COMPANY
            or Department.objects.filter(unit=owner_unit).exists()
        )
        if not is_handler:
            raise ValidationFailed(
                _("责任单位须是职能部门或物业公司。"), details={"owner": [_("无效。")]}
            )
    elif owner_area.pk not in (grid.community_id, grid.community.parent_id):
        raise ValidationFailed(
            _("责任区划须是事发网格所在的社区或街道。"), details={"owner": [_("无效。")]}
        )


@transaction.atomic
def item_commit(
    *,
    actor,
    item: AgendaItem,
    deadline: dt.date | None,
    matter: MatterItem | None,
    grid: Grid | None,
    owner_unit: Unit | None = None,
    owner_area: Area | None = None,
    note: str = "",
) -> AgendaItem:
    """不能当场解决的明确解决时限: the item becomes a case (source "meeting"), accepted and
    dispatched to its owner at once by the meeting's decision, and linked back to the item."""
    require_change(actor, item.meeting)
    item = _lock_item(item)
    meeting = item.meeting
    if deadline is None:
        raise ValidationFailed(
            _("限期办理的议题须填写承诺时限。"), details={"deadline": [_("必填。")]}
        )
    if deadline < timezone.localdate():
        raise ValidationFailed(
            _("承诺时限 %(d)s 已经过去,请填写今天或以后的日期。") % {"d": deadline},
            details={"deadline": [_("不能早于今天。")]},
        )
    if matter is None or not matter.active:
        raise ValidationFailed(_("请选择事项类别。"), details={"matter": [_("必填。")]})
    if grid is None:
        raise ValidationFailed(_("请选择事发网格。"), details={"grid": [_("必填。")]})
    grid = _visible(Grid, actor).select_related("community__parent").filter(pk=grid.pk).first()
    if grid is None or not _in_subtree(grid.community, meeting.area):
        raise NotFound(_("找不到该网格,或它不在本次会议的区划内。"))
    _check_owner(owner_unit, owner_area, grid)
    note = clean_text(note, field="note", label=_("说明"), max_length=1000, required=False)
    text = _("【议事会议承诺】%(m)s:%(t)s。承诺时限:%(d)s。") % {
        "m": meeting.title,
        "t": item.title,
        "d": deadline.isoformat(),
    }
    if item.description:
        text += "\n" + item.description
    if item.source_case_id:
        text += "\n" + _("原事件:%(n)s") % {"n": item.source_case.number}
    if note:
        text += "\n" + note
    case = case_services.case_create(
        actor=actor,
        item=matter,
        text=text[: case_services.MAX_TEXT],
        source=Source.MEETING,
        grid=grid,
        address=meeting.compound.name if meeting.compound_id else "",
        idempotency_key=f"meeting-item:{item.pk}",
        reporter_name=str(meeting.area.name),
    )
    data = {"meeting": meeting.pk, "item": item.pk, "deadline": deadline.isoformat()}
    case = case_services.case_transition(
        actor=actor, case=case, action="accept", data=data, _authorized=True
    )
    case = case_services.case_transition(
        actor=actor,
        case=case,
        action="dispatch",
        to_unit=owner_unit,
        to_area=owner_area,
        note=_("议事会议确定的责任方,承诺 %(d)s 前办结。") % {"d": deadline.isoformat()},
        data=data,
        _authorized=True,
    )
    item.outcome = ItemOutcome.COMMITMENT
    item.owner_unit, item.owner_area, item.deadline = owner_unit, owner_area, deadline
    item.resolution = note
    item.case = case
    item.closed_at = timezone.now()
    item.closed_by = actor
    item.save()
    log(
        actor=actor,
        area=meeting.area,
        action="item_commit",
        obj=item,
        data={"case": case.number, "deadline": deadline.isoformat()},
    )
    return item


@transaction.atomic
def meeting_publish(*, actor, meeting: Meeting) -> Meeting:
    """Publish the outcome to the compound's residents (a public page without personal data)."""
    meeting = _lock_meeting(meeting)
    require_change(actor, meeting)
    _require_not_published(meeting)
    if meeting.status != MeetingStatus.HELD:
        raise ValidationFailed(_("请先记录会议纪要(会议召开后才能公开)。"))
    pending = meeting.items.filter(outcome=ItemOutcome.PENDING).count()
    if pending:
        raise ValidationFailed(
            _("还有 %(n)d 个议题没有结果,请先就地解决或明确责任和时限。") % {"n": pending}
        )
    if not meeting.items.exists():
        raise ValidationFailed(_("会议没有议题,无需公开。"))
    meeting.status = MeetingStatus.PUBLISHED
    meeting.published_at = timezone.now()
    meeting.save(update_fields=["status", "published_at"])
    log(actor=actor, area=meeting.area, action="meeting_publish", obj=meeting)
    return meeting
