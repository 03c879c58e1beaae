"""Writes for cases. Every change of state goes through `case_transition`, which checks the
transition table and the actor, and writes the CaseEvent in the same transaction."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.core.scoping import CHANGE, get_scope
from civicgrid.core.textsearch import index_terms
from civicgrid.geo.locator import locate
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.choices import UnitKind
from civicgrid.orgs.models import Unit

from . import hooks, sla, workflow
from .choices import HandlingMode, Rating, Source, Status, Tier
from .models import Case, CaseEvent, CaseTask, Department, MatterItem
from .notifications import notify_step
from .permissions import may

MAX_TEXT = 4000
SYSTEM = (
    None  # the actor for the background sweep; never reachable from a request (views need a login)
)
_TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _event(
    case: Case,
    *,
    actor,
    action: str,
    from_status: str,
    to_status: str,
    note: str = "",
    data: dict | None = None,
) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )
    hooks.events_written([event])
    return event


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("请填写事件描述。"), details={"text": [_("不能为空。")]})
    if len(text) > MAX_TEXT:
        raise ValidationFailed(
            _("事件描述不能超过 %(n)d 字(现为 %(m)d 字)。") % {"n": MAX_TEXT, "m": len(text)},
            details={"text": [_("过长。")]},
        )
    return text


_GEOMETRY = ("geometry", "community__geometry", "community__parent__geometry")


def _routing_grids():
    """Grids with their community, street and county in one query (routing walks up the
    tree), without the polygons, which routing does not need."""
    return Grid.objects.select_related("community__parent__parent").defer(
        *_GEOMETRY, "community__parent__parent__geometry"
    )


def _street_of(area: Area) -> Area | None:
    return area.parent if area.level == Area.Level.COMMUNITY else area


def _county_of(area: Area) -> Area:
    node = area
    while node.parent_id is not None and node.level != Area.Level.COUNTY:
        node = node.parent
    return node


def default_handler(
    item: MatterItem, mode: str, community: Area, *, memo: dict | None = None
) -> tuple[Area | None, Unit | None]:
    """The tier or department that holds a case in this handling mode (`memo`: a dict that
    keeps department look-ups across the cases of one batch)."""
    if mode == HandlingMode.COMMUNITY_DIRECT:
        return community, None
    if mode in (HandlingMode.STREET_VERIFY, HandlingMode.STREET_ASSIST):
        return _street_of(community), None
    if (
        mode in (HandlingMode.DEPARTMENT_LEAD, HandlingMode.DEPARTMENTS_JOINT)
        and item.lead_department
    ):
        county = _county_of(community)
        key = ("department", county.pk, item.lead_department)
        memo = {} if memo is None else memo
        if key not in memo:
            memo[key] = (
                Department.objects.filter(county=county, department_type=item.lead_department)
                .select_related("unit")
                .first()
            )
        dept = memo[key]
        if dept is not None:
            return None, dept.unit
    # Leadership study, or no department on file: the street takes it up first.
    return _street_of(community), None


@transaction.atomic
def case_create(
    *,
    actor,
    item: MatterItem,
    text: str,
    source: str = Source.PATROL,
    lon: float | None = None,
    lat: float | None = None,
    grid: Grid | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    idempotency_key: str | None = None,
    external_id: str = "",
    urgent: bool | None = None,
    anonymous: bool = False,
    community: Area | None = None,
) -> Case:
    """Create a case, route it to a grid and a handler, compute its deadlines, write the ledger.

    A repeated call with the same idempotency key returns the first case and creates nothing.
    A point outside every grid creates an unlocated case (queue for the community/street),
    with the nearest grid suggested.
    """
    if idempotency_key:
        existing = Case.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if item is None or not item.active:
        raise ValidationFailed(
            _("请选择有效的事项类别。"), details={"item": [_("未知或已停用的类别。")]}
        )
    text = _clean_text(text)
    if source not in Source.values:
        raise ValidationFailed(_("未知的来源。"))
    located, suggested = True, None
    if grid is None and (lon is None or lat is None) and community is not None:
        located = False  # e.g. a hotline order with an address but no coordinates
    elif grid is None:
        if lon is None or lat is None:
            raise ValidationFailed(
                _("请在地图上选择位置或选择网格。"), details={"location": [_("缺少位置。")]}
            )
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValidationFailed(_("坐标超出范围。"), details={"location": [_("坐标无效。")]})
        found = locate(lon, lat)
        if found.inside:
            grid = _routing_grids().get(pk=found.grid_id)
        else:
            located = False
            suggested = _routing_grids().filter(pk=found.nearest_grid_id).first()
            if suggested is None:
                raise ValidationFailed(_("该位置不在任何网格内,且系统中尚无网格。"))
    community = (grid or suggested).community if (grid or suggested) else community
    now = timezone.now()
    case = build_case(
        actor=actor,
        item=item,
        text=text,
        source=source,
        located=located,
        grid=grid,
        suggested=suggested,
        community=community,
        now=now,
        lon=lon,
        lat=lat,
        address=address,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        idempotency_key=idempotency_key,
        external_id=external_id,
        urgent=urgent,
        anonymous=anonymous,
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        if idempotency_key:
            existing = Case.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        raise
    case.number = case_number(now, case.pk)
    case.save(update_fields=["number"])
    event = _event(case, actor=actor, **report_event_fields(case))
    notify_step(case, event)
    return case


def build_case(
    *,
    actor,
    item: MatterItem,
    text: str,
    source: str,
    located: bool,
    grid: Grid | None,
    suggested: Grid | None,
    community: Area,
    now,
    lon: float | None = None,
    lat: float | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    idempotency_key: str | None = None,
    external_id: str = "",
    urgent: bool | None = None,
    anonymous: bool = False,
    memo: dict | None = None,
) -> Case:
    """An unsaved case, routed and with its deadlines, from a checked and located report.

    Shared by `case_create` and bulk imports. `memo` (one dict per batch, same `now`) reuses
    the handler of an item in a community and the deadlines of a set of limits.
    """
    memo = {} if memo is None else memo
    is_urgent = bool(item.urgent_hours) if urgent is None else urgent
    handler_key = ("handler", item.mode, item.lead_department, community.pk)
    if handler_key not in memo:
        memo[handler_key] = default_handler(item, item.mode, community, memo=memo)
    handler_area, handler_unit = memo[handler_key]
    limits = {
        "accept_hours": item.accept_hours,
        "resolve_kind": item.resolve_kind,
        "resolve_days": item.resolve_days,
        "urgent_hours": item.urgent_hours if is_urgent else None,
        "revision": item.revision,
    }
    case = Case(
        source=source,
        external_id=external_id,
        idempotency_key=idempotency_key or None,
        item=item,
        item_revision=item.revision,
        level=item.level,
        mode=item.mode,
        text=text,
        search_text=index_terms(text, address, item.name),
        address=address,
        lon=lon,
        lat=lat,
        located=located,
        suggested_grid=suggested,
        area=community,
        grid=grid if located else None,
        handler_area=handler_area if located else _street_of(community),
        handler_unit=handler_unit if located else None,
        reporter=None if anonymous or not getattr(actor, "is_authenticated", False) else actor,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        urgent=is_urgent,
        tracking_code=tracking_code(),
        limits=limits,
    )
    deadline_key = ("deadlines", now, *limits.values())
    if deadline_key not in memo:
        _set_deadlines(case, now, accept=True)
        memo[deadline_key] = (case.accept_due, case.resolve_due, case.warn_at, case.sla_state)
    case.accept_due, case.resolve_due, case.warn_at, case.sla_state = memo[deadline_key]
    return case


def tracking_code() -> str:
    """10 characters from a 32-letter alphabet (no 0/O, 1/I): 50 bits from the OS's random
    source; 256 is a multiple of 32, so every letter is equally likely."""
    assert len(_TRACKING_ALPHABET) == 32
    return "".join(_TRACKING_ALPHABET[b % 32] for b in secrets.token_bytes(10))


def case_number(now, pk: int) -> str:
    return f"{timezone.localtime(now):%Y%m%d}{pk:07d}"


def report_event_fields(case: Case) -> dict[str, Any]:
    """The first ledger row of a new case (for `_event` or a CaseEvent built in bulk)."""
    note = ""
    if not case.located:
        note = _("位置不在任何网格内,建议网格:%(g)s") % {"g": case.suggested_grid}
    return {
        "action": "report",
        "from_status": "",
        "to_status": Status.REPORTED,
        "note": note,
        "data": {"source": case.source, "located": case.located},
    }


def _set_deadlines(case: Case, start, *, accept: bool = False) -> None:
    """Deadlines from the case's own snapshot of its limits (never from the live catalogue)."""
    lim = case.limits
    if accept:
        case.accept_due = sla.accept_due(start, lim["accept_hours"])
    case.resolve_due = sla.resolve_due(
        start,
        kind=lim["resolve_kind"],
        days=lim["resolve_days"],
        urgent_hours=lim.get("urgent_hours"),
    )
    case.warn_at = sla.warn_at(start, case.resolve_due)
    case.sla_state = sla.sla_state(start, case.resolve_due, start)


def _lock(case: Case, expected_version: int | None) -> Case:
    locked = Case.objects.select_for_update().filter(pk=case.pk).first()
    if locked is None:
        raise NotFound()
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("该事件已被他人处理(当前状态:%(s)s),请刷新后重试。")
            % {"s": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def case_transition(
    *,
    actor,
    case: Case,
    action: str,
    note: str = "",
    expected_version: int | None = None,
    to_unit: Unit | None = None,
    to_area: Area | None = None,
    mode: str | None = None,
    rating: str | None = None,
    merged_into: Case | None = None,
    data: dict[str, Any] | None = None,
    _authorized: bool = False,
) -> Case:
    """Perform one action of the loop. Exactly one of two concurrent actors wins: the row is
    locked, and `expected_version` (from the form the actor saw) must still match."""
    case = _lock(case, expected_version)
    try:
        act = workflow.check(action, case.status)
    except workflow.TransitionNotAllowed as e:
        raise Conflict(str(e), code="transition_not_allowed")
    if actor is not SYSTEM and not _authorized and not may(actor, case, act.actor):
        raise PermissionDenied(_("您无权对该事件执行「%(a)s」。") % {"a": act.label})
    note = (note or "").strip()
    if act.needs_note and not note:
        raise ValidationFailed(
            _("「%(a)s」须填写理由或说明。") % {"a": act.label}, details={"note": [_("不能为空。")]}
        )
    if len(note) > MAX_TEXT:
        raise ValidationFailed(_("说明不能超过 %(n)d 字。") % {"n": MAX_TEXT})
    now = timezone.now()
    from_status, target = case.status, act.target
    extra: dict[str, Any] = dict(data or {})
    if action == "accept":
        case.accepted_at = now
    elif action == "dispatch":
        _apply_dispatch(case, to_unit=to_unit, to_area=to_area, mode=mode, extra=extra)
    elif action == "resolve":
        case.resolved_at = now
    elif action == "rate":
        target = _apply_rating(case, rating=rating, note=note, extra=extra)
    elif action == "close":
        case.closed_at = now
        if from_status == Status.RESOLVED:
            case.rating = case.rating or Rating.NONE
    elif action == "escalate":
        _apply_escalation(case, extra=extra)
    elif action == "merge":
        if merged_into is None or merged_into.pk == case.pk:
            raise ValidationFailed(_("请选择要合并到的事件。"))
        if merged_into.status in (Status.MERGED, Status.INVALID):
            raise ValidationFailed(_("不能合并到已合并或不予受理的事件。"))
        case.merged_into = merged_into
        extra["merged_into"] = merged_into.number
        case.closed_at = now
    elif action == "invalidate":
        case.closed_at = now
    case.status = target
    case.version += 1
    case.save()
    event = _event(
        case,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=target,
        note=note,
        data=extra,
    )
    if (
        action == "dispatch"
        and case.mode == HandlingMode.DEPARTMENTS_JOINT
        and case.handler_unit_id
    ):
        _create_joint_tasks(case, actor=actor)
    notify_step(case, event)
    return case


def _apply_dispatch(case: Case, *, to_unit, to_area, mode, extra) -> None:
    if not case.located:
        raise ValidationFailed(_("事件尚未定位到网格,请先确认网格。"))
    if mode:
        if mode not in HandlingMode.values:
            raise ValidationFailed(_("未知的办理方式。"))
        case.mode = mode
    if to_unit is None and to_area is None:
        to_area, to_unit = default_handler(case.item, case.mode, case.area)
    if to_unit is not None:
        # A property company is a handler like a department (物业专栏 接诉即办, docs/participation.md).
        is_property = to_unit.kind == UnitKind.PROPERTY_COMPANY
        if not is_property and not Department.objects.filter(unit=to_unit).exists():
            raise ValidationFailed(_("只能派给职能部门。"))
        case.handler_unit, case.handler_area = to_unit, None
        extra["to_unit"] = to_unit.name
        extra["to_unit_id"] = to_unit.pk
    else:
        if to_area.level == Area.Level.COUNTY:
            raise ValidationFailed(_("请派给社区、街道或具体部门。"))
        case.handler_area, case.handler_unit = to_area, None
        extra["to_area"] = to_area.name
        extra["to_area_id"] = to_area.pk


def _apply_rating(case: Case, *, rating, note, extra) -> str:
    if rating not in (Rating.SATISFIED, Rating.BASICALLY, Rating.DISSATISFIED):
        raise ValidationFailed(
            _("请选择满意、基本满意或不满意。"), details={"rating": [_("必填。")]}
        )
    case.rating = rating
    case.rating_comment = note
    extra["rating"] = rating
    if rating == Rating.DISSATISFIED:
        case.reopen_count += 1
        case.resolved_at = None
        _set_deadlines(case, timezone.now())
        return Status.REOPENED
    return Status.RATED


def _apply_escalation(case: Case, *, extra) -> None:
    """Move the case up one tier: community → street → county (the dispatcher there re-dispatches)."""
    current = case.handler_area or case.area
    if case.handler_unit_id:
        up = _county_of(case.area)
    elif current.level == Area.Level.COMMUNITY:
        up = current.parent
    elif current.level == Area.Level.STREET:
        up = current.parent
    else:
        raise ValidationFailed(_("已是最高层级,无法再提级。"))
    case.handler_area, case.handler_unit = up, None
    case.level = max(Tier.DISTRICT, case.level - 1)
    extra["to_area"] = up.name


@transaction.atomic
def case_locate(*, actor, case: Case, grid: Grid, note: str = "") -> Case:
    """Confirm the grid of an unlocated case (the "unlocated" queue)."""
    case = _lock(case, None)
    if case.located:
        raise Conflict(_("该事件已定位到网格。"))
    if not may(actor, case, "dispatcher"):
        raise PermissionDenied(_("您无权为该事件确认网格。"))
    if not Grid.objects.restrict(actor).filter(pk=grid.pk).exists():
        raise NotFound()
    community = grid.community
    case.grid, case.area, case.located = grid, community, True
    case.handler_area, case.handler_unit = default_handler(case.item, case.mode, community)
    case.version += 1
    case.save()
    _event(
        case,
        actor=actor,
        action="locate",
        from_status=case.status,
        to_status=case.status,
        note=note,
        data={"grid": grid.name},
    )
    return case


def _create_joint_tasks(case: Case, *, actor) -> None:
    """Lead plus assisting departments, each with its own sub-task and the case's deadline."""
    county = _county_of(case.area)
    units = {case.handler_unit_id: CaseTask.Role.LEAD}
    for dept in Department.objects.filter(
        county=county, department_type__in=case.item.assist_departments or []
    ):
        units.setdefault(dept.unit_id, CaseTask.Role.ASSIST)
    for unit_id, role in units.items():
        CaseTask.objects.get_or_create(
            case=case, unit_id=unit_id, defaults={"role": role, "due": case.resolve_due}
        )


@transaction.atomic
def task_reply(*, actor, task: CaseTask, reply: str) -> CaseTask:
    """An assisting (or the lead) department replies on its own part of a joint case."""
    from civicgrid.core.scoping import get_scope

    task = CaseTask.objects.select_for_update(of=("self",)).select_related("case").get(pk=task.pk)
    if task.unit_id not in get_scope(actor).unit_ids:
        raise NotFound()
    reply = _clean_text(reply)
    if task.replied_at:
        raise Conflict(_("该部门已答复。"))
    task.reply, task.replied_at, task.replied_by = reply, timezone.now(), actor
    task.save()
    _event(
        task.case,
        actor=actor,
        action="task_reply",
        from_status=task.case.status,
        to_status=task.case.status,
        note=reply,
        data={"unit": task.unit.name, "role": task.role, "late": task.replied_at > task.due},
    )
    return task


@transaction.atomic
def attachments_add(*, actor, case: Case, files, event: CaseEvent | None = None) -> list:
    """Store photos already checked by the form (type sniffed, size limited)."""
    from .models import CaseAttachment

    saved = []
    for f in files or []:
        saved.append(
            CaseAttachment.objects.create(
                case=case,
                event=event,
                file=f,
                content_type=getattr(f, "sniffed_type", "application/octet-stream"),
                size=f.size,
                uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        )
    return saved


@transaction.atomic
def case_quick_handle(*, actor, item: MatterItem, text: str, note: str, **create_kwargs) -> Case:
    """三个第一: a community-level matter the grid worker fixes on the spot is recorded, handled
    and reported at once — still a full case, with every step in its ledger."""
    if item is not None and item.level != Tier.COMMUNITY:
        raise ValidationFailed(_("只有社区级事项可以当场办结,请按正常流程上报。"))
    if not (note or "").strip():
        raise ValidationFailed(_("当场办结须填写处置情况。"), details={"note": [_("不能为空。")]})
    case = case_create(actor=actor, item=item, text=text, **create_kwargs)
    if case.status != Status.REPORTED or case.events.count() > 1:
        return case  # a repeated submission: the first one already did the work
    if not case.located:
        raise ValidationFailed(_("位置不在任何网格内,不能当场办结。"))
    scope = get_scope(actor, CHANGE)
    if not (scope.everything or case.grid_id in scope.grid_ids or case.area_id in scope.area_ids):
        raise PermissionDenied(_("您不是该网格的网格员,不能当场办结。"))
    for action, kw in (
        ("accept", {}),
        ("dispatch", {"to_area": case.area}),
        ("start", {}),
        ("resolve", {"note": note}),
    ):
        case = case_transition(
            actor=actor, case=case, action=action, data={"quick": True}, _authorized=True, **kw
        )
    return case
