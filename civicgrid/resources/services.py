"""Writes for shared resources: the directory, bookings (with their ledger), centres, skills.

No double booking: every booking write of a resource starts its transaction with an UPDATE of
the resource row (``booking_seq + 1``). That UPDATE is a row lock on PostgreSQL and takes the
database write lock on SQLite (where the project opens transactions with BEGIN IMMEDIATE), so
two bookings of one resource are serialised; the overlap check then runs inside the lock and
sees every committed booking. A transaction that finds the database locked (SQLite's busy
error, a PostgreSQL deadlock or serialisation failure) is retried from the start, so the
loser of a race is told "the slot is taken", never a database error. See docs/resources.md.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable
from typing import Any

import chinese_calendar
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.core.scoping import CHANGE, VIEW, get_scope
from civicgrid.orgs.access import require_scope
from civicgrid.orgs.models import RoleAssignment, Unit

from .choices import HOLDING_STATUSES, WEEKDAYS, BookerKind, BookingEventKind, BookingStatus
from .models import (
    Booking,
    BookingEvent,
    CentreActivity,
    ClosedDay,
    OpeningHours,
    Resource,
    ServiceCentre,
    ServiceItem,
    Skill,
)

LATE_CANCEL_WINDOW = dt.timedelta(days=90)
RETRY_ATTEMPTS = 12


def late_cancel_limit() -> int:
    """Late cancellations in 90 days after which a booker may not book (0 = no limit)."""
    return int(getattr(settings, "CIVICGRID_RESOURCES_LATE_CANCEL_LIMIT", 3))


class BookingRefused(ValidationFailed):
    code = "booking_refused"
    default_message = _l("该时段不能预订。")


class SlotTaken(Conflict):
    code = "slot_taken"
    default_message = _l("该时段已被预订,请选择其他时间。")


# --- helpers -------------------------------------------------------------------------------


def _is_lock_error(exc: OperationalError) -> bool:
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in ("40001", "40P01", "55P03"):
        return True
    return "locked" in str(exc).lower()


def _with_retry(fn: Callable[..., Any], **kwargs) -> Any:
    """Run an atomic write; retry it when the database reports a lock conflict. Inside an
    outer transaction it runs once (a retry there would repeat the caller's work)."""
    if connection.in_atomic_block:
        return fn(**kwargs)
    delay = 0.005
    for attempt in range(RETRY_ATTEMPTS):
        try:
            return fn(**kwargs)
        except OperationalError as e:
            if not _is_lock_error(e):
                raise
            if attempt == RETRY_ATTEMPTS - 1:
                raise Conflict(_("系统繁忙,请稍后重试。")) from e
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 0.4)
    raise AssertionError("unreachable")  # pragma: no cover


def can_manage(user, resource: Resource) -> bool:
    """Staff with the change capability over the resource's area (or grid), and the users
    assigned to its owner unit, manage it and decide on its bookings."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if Resource.objects.restrict(user, CHANGE).filter(pk=resource.pk).exists():
        return True
    return (
        bool(resource.owner_unit_id)
        and RoleAssignment.objects.filter(
            user=user, unit_id=resource.owner_unit_id, active=True
        ).exists()
    )


def user_units(user) -> list[Unit]:
    """The units a user acts for (their unit-bound role assignments)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Unit.objects.filter(role_assignments__user=user, role_assignments__active=True)
        .distinct()
        .order_by("name")
    )


def may_see(user, resource: Resource) -> bool:
    if resource.public and resource.active:
        return True
    return Resource.objects.restrict(user, VIEW).filter(pk=resource.pk).exists()


def _booker(actor, resource: Resource, unit: Unit | None, manager: bool):
    """(kind, display name, unit) of the booker, or raise."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("请先登录后再预订。"))
    if unit is not None:
        if not RoleAssignment.objects.filter(user=actor, unit=unit, active=True).exists():
            raise PermissionDenied(_("您不是该单位的联系人,不能以该单位名义预订。"))
        if not (resource.open_to_units or manager):
            raise BookingRefused(_("该资源暂不对驻区单位开放预订。"))
        return BookerKind.UNIT, unit.name, unit
    scope = get_scope(actor)
    if actor.is_superuser or scope.area_ids or scope.grid_ids or scope.everything:
        return BookerKind.STAFF, actor.display_name or actor.username, None
    units = user_units(actor)
    if units:
        return _booker(actor, resource, units[0], manager)
    if hasattr(actor, "portal_account"):
        if not resource.open_to_residents:
            raise BookingRefused(_("该资源暂不对居民开放预订。"))
        return BookerKind.RESIDENT, actor.display_name or _("居民"), None
    raise PermissionDenied(_("您的账号不能预订资源。"))


def is_holiday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_holiday(day))
    except NotImplementedError:
        return False


def day_intervals(resource: Resource, day: dt.date, *, hours=None, closed=None) -> list:
    """The opening intervals of ``day`` as (opens, closes) times; [] when closed.
    ``hours`` and ``closed`` may be passed prefetched (lists of rows / a set of dates)."""
    if closed is None:
        closed = set(resource.closed_days.filter(date=day).values_list("date", flat=True))
    if day in closed or (resource.closed_on_holidays and is_holiday(day)):
        return []
    rows = hours if hours is not None else list(resource.hours.all())
    return [(h.opens, h.closes) for h in rows if h.weekday == day.weekday()]


def _fmt_intervals(intervals) -> str:
    return "、".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in intervals)


def check_slot(
    resource: Resource, start: dt.datetime, end: dt.datetime, attendees: int, *, now: dt.datetime
) -> None:
    """Every rule of a booking except overlap; raises BookingRefused with the reason."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise BookingRefused(_("时间须带时区。"))
    if end <= start:
        raise BookingRefused(_("结束时间须晚于开始时间。"))
    if start < now:
        raise BookingRefused(_("不能预订已经过去的时间。"))
    if start < now + dt.timedelta(hours=resource.min_notice_hours):
        raise BookingRefused(_("请至少提前 %(h)s 小时预订。") % {"h": resource.min_notice_hours})
    if end > now + dt.timedelta(days=resource.horizon_days):
        raise BookingRefused(_("最多只能预订 %(d)s 天以内的时段。") % {"d": resource.horizon_days})
    if end - start > dt.timedelta(hours=resource.max_hours):
        raise BookingRefused(_("单次预订最长 %(h)s 小时。") % {"h": resource.max_hours})
    ls, le = timezone.localtime(start), timezone.localtime(end)
    step = resource.slot_minutes or 30
    for t in (ls, le):
        if t.second or t.microsecond or (t.hour * 60 + t.minute) % step:
            raise BookingRefused(_("开始和结束时间须按 %(m)s 分钟对齐。") % {"m": step})
    if ls.date() != le.date():
        raise BookingRefused(_("预订不能跨日,请分开预订。"))
    intervals = day_intervals(resource, ls.date())
    if not intervals:
        raise BookingRefused(
            _("%(day)s(%(wd)s)不开放。")
            % {"day": ls.date().isoformat(), "wd": WEEKDAYS[ls.weekday()]}
        )
    if not any(a <= ls.time() and le.time() <= b for a, b in intervals):
        raise BookingRefused(
            _("所选时段不在开放时间内(当天开放:%(hours)s)。") % {"hours": _fmt_intervals(intervals)}
        )
    if attendees < 1:
        raise BookingRefused(_("人数至少为 1。"))
    if resource.capacity and attendees > resource.capacity:
        raise BookingRefused(_("人数超过容纳上限(最多 %(n)s 人)。") % {"n": resource.capacity})


def _lock(resource_id: int) -> Resource:
    """Serialise booking writes of one resource (see the module docstring)."""
    if not Resource.objects.filter(pk=resource_id).update(booking_seq=F("booking_seq") + 1):
        raise NotFound()
    return Resource.objects.get(pk=resource_id)


def _event(booking: Booking, kind: str, actor, note: str = "", **data) -> BookingEvent:
    return BookingEvent.objects.create(
        booking=booking,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note[:200],
        data=data,
    )


# --- bookings ------------------------------------------------------------------------------


def booking_create(
    *,
    actor,
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
    purpose: str,
    attendees: int,
    unit: Unit | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book a slot. Refusals (rules, overlap) raise and write nothing."""
    return _with_retry(
        _booking_create,
        actor=actor,
        resource_id=resource.pk,
        start=start,
        end=end,
        purpose=purpose,
        attendees=attendees,
        unit=unit,
        now=now,
    )


@transaction.atomic
def _booking_create(*, actor, resource_id, start, end, purpose, attendees, unit, now):
    resource = _lock(resource_id)
    if not resource.active or not may_see(actor, resource):
        raise NotFound()
    manager = can_manage(actor, resource)
    kind, name, unit = _booker(actor, resource, unit, manager)
    now = now or timezone.now()
    purpose = (purpose or "").strip()
    if not purpose:
        raise BookingRefused(_("请填写用途。"), details={"purpose": [_("必填。")]})
    check_slot(resource, start, end, attendees, now=now)
    limit = late_cancel_limit()
    if limit and not manager:
        late = Booking.objects.filter(
            booker=actor, late_cancellation=True, cancelled_at__gte=now - LATE_CANCEL_WINDOW
        ).count()
        if late >= limit:
            raise BookingRefused(_("您近 90 天内迟取消已达 %(n)s 次,暂不能预订。") % {"n": late})
    clash = (
        Booking.objects.filter(
            resource_id=resource.pk, status__in=HOLDING_STATUSES, start__lt=end, end__gt=start
        )
        .order_by("start")
        .first()
    )
    if clash is not None:
        raise SlotTaken(
            _("该时段已被预订(%(a)s–%(b)s),请选择其他时间。")
            % {
                "a": f"{timezone.localtime(clash.start):%H:%M}",
                "b": f"{timezone.localtime(clash.end):%H:%M}",
            }
        )
    status = (
        BookingStatus.PENDING
        if resource.requires_approval and not manager
        else BookingStatus.APPROVED
    )
    booking = Booking.objects.create(
        resource=resource,
        start=start,
        end=end,
        status=status,
        booker_kind=kind,
        booker=actor,
        booker_unit=unit,
        booker_name=name[:100],
        purpose=purpose[:200],
        attendees=attendees,
    )
    _event(booking, BookingEventKind.REQUESTED, actor, status=status)
    if status == BookingStatus.APPROVED:
        _event(booking, BookingEventKind.APPROVED, actor, note=str(_("无需审批,自动确认。")))
    return booking


def booking_decide(
    *, actor, booking: Booking, approve: bool, note: str = "", now: dt.datetime | None = None
) -> Booking:
    return _with_retry(
        _booking_decide, actor=actor, booking_id=booking.pk, approve=approve, note=note, now=now
    )


@transaction.atomic
def _booking_decide(*, actor, booking_id, approve, note, now):
    booking = Booking.objects.select_related("resource").filter(pk=booking_id).first()
    if booking is None:
        raise NotFound()
    _lock(booking.resource_id)
    if not can_manage(actor, booking.resource):
        if getattr(actor, "pk", None) != booking.booker_id:
            require_scope(actor, booking, VIEW)
        raise PermissionDenied(_("只有产权方或社区工作人员可以审批。"))
    now = now or timezone.now()
    if approve and booking.start <= now:
        raise BookingRefused(_("预订时间已过,无法审批通过。"))
    new = BookingStatus.APPROVED if approve else BookingStatus.REJECTED
    changed = Booking.objects.filter(pk=booking.pk, status=BookingStatus.PENDING).update(
        status=new, decided_by=actor, decided_at=now, decision_note=(note or "")[:200]
    )
    if changed != 1:
        raise Conflict(_("该预订已被处理,请刷新后查看。"))
    booking.refresh_from_db()
    _event(
        booking,
        BookingEventKind.APPROVED if approve else BookingEventKind.REJECTED,
        actor,
        note=note or "",
    )
    return booking


def booking_cancel(
    *, actor, booking: Booking, reason: str = "", now: dt.datetime | None = None
) -> Booking:
    return _with_retry(_booking_cancel, actor=actor, booking_id=booking.pk, reason=reason, now=now)


@transaction.atomic
def _booking_cancel(*, actor, booking_id, reason, now):
    booking = Booking.objects.select_related("resource").filter(pk=booking_id).first()
    if booking is None:
        raise NotFound()
    _lock(booking.resource_id)
    is_booker = getattr(actor, "pk", None) == booking.booker_id
    if not is_booker and not can_manage(actor, booking.resource):
        require_scope(actor, booking, VIEW)
        raise PermissionDenied(_("只有预订人、产权方或社区工作人员可以取消。"))
    now = now or timezone.now()
    if booking.status not in HOLDING_STATUSES:
        raise Conflict(_("该预订已取消或未通过,无需再取消。"))
    if booking.start <= now:
        raise BookingRefused(_("预订已开始或已结束,不能取消。"))
    late = is_booker and booking.start - now < dt.timedelta(hours=booking.resource.cancel_hours)
    changed = Booking.objects.filter(pk=booking.pk, status__in=HOLDING_STATUSES).update(
        status=BookingStatus.CANCELLED, cancelled_at=now, late_cancellation=late
    )
    if changed != 1:
        raise Conflict(_("该预订已被处理,请刷新后查看。"))
    booking.refresh_from_db()
    _event(
        booking,
        BookingEventKind.CANCELLED_LATE if late else BookingEventKind.CANCELLED,
        actor,
        note=reason or "",
        by_booker=is_booker,
    )
    return booking


# --- the directory -------------------------------------------------------------------------

RESOURCE_FIELDS = (
    "name",
    "kind",
    "area",
    "grid",
    "owner_unit",
    "address",
    "lon",
    "lat",
    "capacity",
    "description",
    "rules",
    "public",
    "open_to_units",
    "open_to_residents",
    "requires_approval",
    "horizon_days",
    "min_notice_hours",
    "max_hours",
    "cancel_hours",
    "slot_minutes",
    "closed_on_holidays",
    "active",
)


def _check_area(actor, area, grid, owner_unit) -> None:
    if actor is None:
        return
    if actor.is_superuser:
        return
    from civicgrid.geo.models import Area

    if area is None or not Area.objects.restrict(actor, CHANGE).filter(pk=area.pk).exists():
        if (
            owner_unit is None
            or not RoleAssignment.objects.filter(user=actor, unit=owner_unit, active=True).exists()
        ):
            raise PermissionDenied(_("您只能管理本辖区或本单位的资源。"))
    if grid is not None and not grid.community.path.startswith(area.path):
        raise ValidationFailed(_("网格不在所选区划内。"))
    if owner_unit is not None and not owner_unit.area.path.startswith(area.path):
        raise ValidationFailed(_("产权单位不在所选区划内。"))


def _save_hours(resource: Resource, hours: dict[int, Iterable[tuple[dt.time, dt.time]]]) -> None:
    resource.hours.all().delete()
    rows = []
    for weekday, intervals in sorted(hours.items()):
        for opens, closes in intervals:
            if closes <= opens:
                raise ValidationFailed(_("关闭时间须晚于开放时间。"))
            rows.append(
                OpeningHours(resource=resource, weekday=weekday, opens=opens, closes=closes)
            )
    OpeningHours.objects.bulk_create(rows)


def _save_closed(resource: Resource, closed_days: Iterable[tuple[dt.date, str]]) -> None:
    resource.closed_days.all().delete()
    ClosedDay.objects.bulk_create(
        [ClosedDay(resource=resource, date=d, reason=r[:100]) for d, r in dict(closed_days).items()]
    )


@transaction.atomic
def resource_create(*, actor, hours=None, closed_days=(), **fields) -> Resource:
    unknown = set(fields) - set(RESOURCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    _check_area(actor, fields.get("area"), fields.get("grid"), fields.get("owner_unit"))
    resource = Resource.objects.create(**fields)
    _save_hours(resource, hours or {})
    _save_closed(resource, closed_days)
    return resource


@transaction.atomic
def resource_update(
    *, actor, resource: Resource, hours=None, closed_days=None, **fields
) -> Resource:
    unknown = set(fields) - set(RESOURCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    resource = _lock(resource.pk)
    if actor is not None and not can_manage(actor, resource):
        if not may_see(actor, resource):
            raise NotFound()
        raise PermissionDenied(_("您只能管理本辖区或本单位的资源。"))
    for k, v in fields.items():
        setattr(resource, k, v)
    if {"area", "grid", "owner_unit"} & set(fields):
        _check_area(actor, resource.area, resource.grid, resource.owner_unit)
    resource.save()
    if hours is not None:
        _save_hours(resource, hours)
    if closed_days is not None:
        _save_closed(resource, closed_days)
    return resource


# --- service centres and skills ------------------------------------------------------------


@transaction.atomic
def centre_create(*, actor, name: str, level: int, area, grid=None, **fields) -> ServiceCentre:
    if actor is not None:
        from civicgrid.geo.models import Area

        if (
            not actor.is_superuser
            and not Area.objects.restrict(actor, CHANGE).filter(pk=area.pk).exists()
        ):
            raise PermissionDenied(_("您只能管理本辖区的服务中心。"))
    return ServiceCentre.objects.create(name=name, level=level, area=area, grid=grid, **fields)


@transaction.atomic
def service_item_create(
    *, actor, centre: ServiceCentre, name: str, category: str, **fields
) -> ServiceItem:
    require_scope(actor, centre, CHANGE)
    return ServiceItem.objects.create(centre=centre, name=name, category=category, **fields)


@transaction.atomic
def centre_activity_create(
    *, actor, centre: ServiceCentre, title: str, starts_at, **fields
) -> CentreActivity:
    require_scope(actor, centre, CHANGE)
    return CentreActivity.objects.create(centre=centre, title=title, starts_at=starts_at, **fields)


@transaction.atomic
def skill_add(
    *, actor, tag: str, party_member=None, resident=None, detail: str = "", willing: bool = True
) -> Skill:
    person = party_member or resident
    if person is None or (party_member is not None and resident is not None):
        raise ValidationFailed(_("请指定一名党员或居民。"))
    require_scope(actor, person, CHANGE)
    return Skill.objects.create(
        party_member=party_member,
        resident=resident,
        tag=tag,
        detail=detail[:100],
        willing=willing,
        area_id=person.area_id,
        grid_id=person.grid_id,
    )
