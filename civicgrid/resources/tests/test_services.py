"""Booking rules: overlap, hours, horizon, notice, capacity, approval, cancellation, ledger."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.core.errors import Conflict, NotFound, PermissionDenied
from civicgrid.resources import services
from civicgrid.resources.choices import BookerKind, BookingEventKind, BookingStatus
from civicgrid.resources.models import Booking, BookingEvent, ClosedDay, Resource
from civicgrid.testing.factories import make_user

from .conftest import ALL_DAY, at

pytestmark = pytest.mark.django_db


def book(res, actor, start, end, resource=None, **kw):
    kw.setdefault("attendees", 10)
    kw.setdefault("purpose", "支部会议")
    return services.booking_create(
        actor=actor, resource=resource or res.room, start=start, end=end, **kw
    )


def test_staff_books_a_free_slot_and_the_ledger_records_it(res):
    b = book(res, res.tiny.staff_a, at(3, 9), at(3, 11))
    assert b.status == BookingStatus.APPROVED and b.booker_kind == BookerKind.STAFF
    kinds = list(BookingEvent.objects.filter(booking=b).values_list("kind", flat=True))
    assert kinds == [BookingEventKind.REQUESTED, BookingEventKind.APPROVED]
    assert Resource.objects.get(pk=res.room.pk).booking_seq == 1


@pytest.mark.parametrize(
    "start,end",
    [
        ((9, 0), (11, 0)),
        ((8, 0), (9, 30)),
        ((10, 30), (12, 0)),
        ((9, 30), (10, 30)),
        ((8, 0), (12, 0)),
    ],
)
def test_overlapping_slots_are_refused(res, start, end):
    book(res, res.tiny.staff_a, at(3, 9), at(3, 11))
    with pytest.raises(services.SlotTaken) as e:
        book(res, res.unit_user_a, at(3, *start), at(3, *end))
    assert "已被预订" in str(e.value.message) and "09:00–11:00" in str(e.value.message)
    assert Booking.objects.count() == 1
    assert Resource.objects.get(pk=res.room.pk).booking_seq == 1  # the refusal rolled back


def test_adjacent_slots_are_fine_and_other_resources_do_not_clash(res):
    book(res, res.tiny.staff_a, at(3, 9), at(3, 11))
    book(res, res.tiny.staff_a, at(3, 11), at(3, 12))
    book(res, res.tiny.staff_a, at(3, 8), at(3, 9))
    book(res, res.tiny.staff_b, at(3, 9), at(3, 11), resource=res.square_b)
    assert Booking.objects.count() == 4


def test_cancelled_and_rejected_bookings_free_the_slot(res):
    b = book(res, res.tiny.staff_a, at(3, 9), at(3, 11))
    services.booking_cancel(actor=res.tiny.staff_a, booking=b)
    again = book(res, res.unit_user_a, at(3, 9), at(3, 11))
    assert again.status == BookingStatus.APPROVED


@pytest.mark.parametrize(
    "start,end,attendees,message",
    [
        (at(-1, 9), at(-1, 10), 5, "已经过去"),
        (at(3, 7), at(3, 9), 5, "不在开放时间内"),
        (at(3, 20), at(3, 22), 5, "不在开放时间内"),
        (at(40, 9), at(40, 10), 5, "30 天以内"),
        (at(3, 9), at(3, 10), 31, "最多 30 人"),
        (at(3, 9), at(3, 10), 0, "至少为 1"),
        (at(3, 9), at(3, 15), 5, "最长 4 小时"),
        (at(3, 9, 15), at(3, 10), 5, "30 分钟对齐"),
        (at(3, 11), at(3, 10), 5, "晚于开始"),
    ],
)
def test_rule_violations_are_refused_with_a_reason(res, start, end, attendees, message):
    with pytest.raises(services.BookingRefused) as e:
        book(res, res.tiny.staff_a, start, end, attendees=attendees)
    assert message in str(e.value.message)
    assert not Booking.objects.exists() and not BookingEvent.objects.exists()


def test_minimum_notice(res):
    now = at(3, 8)
    with pytest.raises(services.BookingRefused) as e:
        book(res, res.tiny.staff_a, at(3, 9), at(3, 10), now=now)
    assert "至少提前 2 小时" in str(e.value.message)
    assert book(res, res.tiny.staff_a, at(3, 10), at(3, 11), now=now).pk


def test_closed_weekday_closed_day_and_holidays(res):
    day = at(5, 9)
    services.resource_update(
        actor=None,
        resource=res.room,
        hours={d: [(dt.time(8), dt.time(12))] for d in range(7) if d != day.weekday()},
    )
    with pytest.raises(services.BookingRefused) as e:
        book(res, res.tiny.staff_a, day, at(5, 10))
    assert "不开放" in str(e.value.message)
    ClosedDay.objects.create(resource=res.room, date=timezone.localdate() + dt.timedelta(days=4))
    with pytest.raises(services.BookingRefused):
        book(res, res.tiny.staff_a, at(4, 9), at(4, 10))
    # 2026-10-01 is National Day: a resource closed on holidays refuses it.
    services.resource_update(actor=None, resource=res.room, hours=ALL_DAY, closed_on_holidays=True)
    res.room.refresh_from_db()
    assert services.day_intervals(res.room, dt.date(2026, 10, 1)) == []
    assert services.day_intervals(res.room, dt.date(2026, 10, 12))


def test_approval_flow_pending_holds_the_slot(res):
    b = book(res, res.unit_user_b, at(3, 9), at(3, 11), resource=res.hall)
    assert b.status == BookingStatus.PENDING and b.booker_kind == BookerKind.UNIT
    assert b.booker_unit == res.unit_b
    with pytest.raises(services.SlotTaken):
        book(res, res.unit_user_a, at(3, 10), at(3, 12), resource=res.hall)
    # The booker cannot approve their own request; staff of B see nothing of A's hall.
    with pytest.raises(PermissionDenied):
        services.booking_decide(actor=res.unit_user_b, booking=b, approve=True)
    with pytest.raises(NotFound):
        services.booking_decide(actor=res.tiny.staff_b, booking=b, approve=True)
    b = services.booking_decide(actor=res.tiny.staff_a, booking=b, approve=True, note="同意")
    assert b.status == BookingStatus.APPROVED and b.decided_by == res.tiny.staff_a
    with pytest.raises(Conflict):
        services.booking_decide(actor=res.tiny.staff_a, booking=b, approve=False)
    kinds = list(b.events.values_list("kind", flat=True))
    assert kinds == [BookingEventKind.REQUESTED, BookingEventKind.APPROVED]


def test_rejection_frees_the_slot(res):
    b = book(res, res.unit_user_b, at(3, 9), at(3, 11), resource=res.hall)
    services.booking_decide(actor=res.tiny.staff_a, booking=b, approve=False, note="已有安排")
    assert Booking.objects.get(pk=b.pk).status == BookingStatus.REJECTED
    assert book(res, res.unit_user_b, at(3, 9), at(3, 11), resource=res.hall).pk


def test_manager_booking_needs_no_approval_and_owner_unit_manages(res):
    b = book(res, res.tiny.staff_a, at(3, 9), at(3, 11), resource=res.hall)
    assert b.status == BookingStatus.APPROVED
    assert services.can_manage(res.unit_user_a, res.room)
    assert not services.can_manage(res.unit_user_b, res.room)
    assert not services.can_manage(res.tiny.staff_b, res.room)
    assert services.can_manage(res.tiny.street_staff, res.room)


def test_cancellation_rules_and_late_cancellations_count(res):
    b = book(res, res.unit_user_b, at(3, 9), at(3, 10))
    services.booking_cancel(actor=res.unit_user_b, booking=b, now=at(1, 9))
    assert not Booking.objects.get(pk=b.pk).late_cancellation
    lates = []
    for hour in (9, 11, 13):
        b = book(res, res.unit_user_b, at(3, hour), at(3, hour + 1))
        lates.append(services.booking_cancel(actor=res.unit_user_b, booking=b, now=at(3, 7)))
    assert all(x.late_cancellation for x in lates)
    assert (
        list(lates[0].events.values_list("kind", flat=True))[-1] == BookingEventKind.CANCELLED_LATE
    )
    with pytest.raises(services.BookingRefused) as e:
        book(res, res.unit_user_b, at(3, 15), at(3, 16))
    assert "迟取消已达 3 次" in str(e.value.message)
    # The owner (a manager of the room) is not limited.
    assert book(res, res.unit_user_a, at(3, 15), at(3, 16)).pk
    # A manager cancelling someone's booking never counts against the booker.
    other = book(res, res.tiny.staff_b, at(3, 17), at(3, 18))
    cancelled = services.booking_cancel(actor=res.tiny.staff_a, booking=other, now=at(3, 14))
    assert cancelled.status == BookingStatus.CANCELLED and not cancelled.late_cancellation


def test_cancel_refusals(res):
    b = book(res, res.tiny.staff_a, at(3, 9), at(3, 10))
    with pytest.raises(NotFound):
        services.booking_cancel(actor=res.tiny.staff_b, booking=b)
    with pytest.raises(services.BookingRefused):
        services.booking_cancel(actor=res.tiny.staff_a, booking=b, now=at(3, 9, 30))
    services.booking_cancel(actor=res.tiny.staff_a, booking=b)
    with pytest.raises(Conflict):
        services.booking_cancel(actor=res.tiny.staff_a, booking=b)


def test_who_may_book(res):
    # A resident through the portal: only where residents are welcome.
    b = book(res, res.resident, at(3, 9), at(3, 10), attendees=3)
    assert b.booker_kind == BookerKind.RESIDENT
    with pytest.raises(services.BookingRefused) as e:
        book(res, res.resident, at(3, 9), at(3, 10), resource=res.square_b)
    assert "不对居民开放" in str(e.value.message)
    # A user without any role or portal account, and anonymous users, may not book.
    with pytest.raises(PermissionDenied):
        book(res, make_user(username="nobody"), at(3, 12), at(3, 13))
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        book(res, AnonymousUser(), at(3, 12), at(3, 13))
    # A unit user may not book in another unit's name.
    with pytest.raises(PermissionDenied):
        book(res, res.unit_user_a, at(3, 12), at(3, 13), unit=res.unit_b)
    # A resource outside the directory is unknown to those outside its scope.
    with pytest.raises(NotFound):
        book(res, res.tiny.staff_a, at(3, 12), at(3, 13), resource=res.private_b)
    assert book(res, res.tiny.staff_b, at(3, 12), at(3, 13), resource=res.private_b).pk


def test_resource_management_is_scoped(res):
    from civicgrid.resources.choices import ResourceKind

    with pytest.raises(PermissionDenied):
        services.resource_create(
            actor=res.tiny.staff_a, name="x", kind=ResourceKind.SQUARE, area=res.tiny.community_b
        )
    r = services.resource_create(
        actor=res.tiny.staff_a, name="东门广场", kind=ResourceKind.SQUARE, area=res.tiny.community_a
    )
    assert r.pk
    with pytest.raises(PermissionDenied):
        services.resource_update(actor=res.unit_user_b, resource=res.room, name="改名")
    services.resource_update(actor=res.unit_user_a, resource=res.room, capacity=40)
    assert Resource.objects.get(pk=res.room.pk).capacity == 40


def test_skill_needs_change_scope_over_the_person(res):
    from civicgrid.people.models import Resident
    from civicgrid.resources.choices import SkillTag

    person = Resident.objects.create(
        name="钱师傅", gender="M", area=res.tiny.community_a, grid=res.tiny.grid_a1
    )
    with pytest.raises(NotFound):
        services.skill_add(actor=res.tiny.staff_b, resident=person, tag=SkillTag.ELECTRICIAN)
    s = services.skill_add(actor=res.tiny.staff_a, resident=person, tag=SkillTag.ELECTRICIAN)
    assert s.area_id == res.tiny.community_a.pk and s.grid_id == res.tiny.grid_a1.pk
