"""Pages: the public directory, a resource's week and month, booking through the form,
approvals, the ledger, the .ics export, centres, the living map — and scoping for each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from civicgrid.resources import services
from civicgrid.resources.choices import BookingStatus, CentreLevel, ServiceCategory, SkillTag
from civicgrid.resources.models import Booking, Resource

from .conftest import at

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def _book(res, actor, start, end, resource=None, **kw):
    return services.booking_create(
        actor=actor,
        resource=resource or res.room,
        start=start,
        end=end,
        purpose=kw.pop("purpose", "党员大会"),
        attendees=kw.pop("attendees", 8),
        **kw,
    )


def test_directory_is_public_and_hides_internal_resources_out_of_scope(client, res):
    r = client.get(reverse("resources:index"))
    body = r.content.decode()
    assert r.status_code == 200
    assert res.room.name in body and res.square_b.name in body
    assert res.private_b.name not in body
    login(client, res.tiny.staff_a)
    assert res.private_b.name not in client.get(reverse("resources:index")).content.decode()
    login(client, res.tiny.staff_b)
    assert res.private_b.name in client.get(reverse("resources:index")).content.decode()


def test_area_filter_offers_only_areas_with_listed_resources(client, res):
    from civicgrid.geo import services as geo_services
    from civicgrid.geo.models import Area

    north = geo_services.area_create(
        actor=None,
        code="441322001003",
        name="北门社区",
        level=Area.Level.COMMUNITY,
        parent=res.tiny.street,
    )
    services.resource_create(
        actor=None, name="北门内部会议室", kind="meeting_room", area=north, public=False
    )
    body = client.get(reverse("resources:index")).content.decode()
    assert "东门社区" in body and "北门社区" not in body
    login(client, res.tiny.street_staff)
    assert "北门社区" in client.get(reverse("resources:index")).content.decode()


def test_directory_filters(client, res):
    url = reverse("resources:index")
    body = client.get(url, {"kind": "square"}).content.decode()
    assert res.square_b.name in body and res.room.name not in body
    body = client.get(url, {"area": res.tiny.community_a.pk}).content.decode()
    assert res.room.name in body and res.square_b.name not in body
    body = client.get(url, {"who": "resident"}).content.decode()
    assert res.room.name in body and res.hall.name not in body
    body = client.get(url, {"capacity": "200"}).content.decode()
    assert res.square_b.name in body and res.room.name not in body
    body = client.get(url, {"q": "广场"}).content.decode()
    assert res.square_b.name in body and res.hall.name not in body


def test_directory_query_count_is_flat(client, res, django_assert_max_num_queries):
    login(client, res.tiny.street_staff)
    for i in range(25):
        services.resource_create(
            actor=None,
            name=f"会议室{i}",
            kind="meeting_room",
            area=res.tiny.community_a,
            hours={0: [(dt.time(8), dt.time(9))]},
        )
    with django_assert_max_num_queries(18):
        r = client.get(reverse("resources:index"))
    assert r.content.decode().count("res-item") >= 25


def test_week_view_shows_busy_slots_without_names_to_the_public(client, res):
    _book(res, res.tiny.staff_a, at(2, 9), at(2, 11), purpose="秘密会议")
    url = reverse("resources:detail", args=[res.room.pk]) + f"?week={at(2, 9).date().isoformat()}"
    body = client.get(url).content.decode()
    assert "09:00–11:00" in body and "已预订" in body and "秘密会议" not in body
    assert "可预订" in body
    login(client, res.unit_user_a)  # the owner unit manages the room
    assert "秘密会议" in client.get(url).content.decode()


def test_week_and_month_query_counts(client, res, django_assert_max_num_queries):
    for h in (9, 11, 13, 15, 17):
        _book(res, res.tiny.staff_a, at(2, h), at(2, h + 1))
    login(client, res.tiny.staff_a)
    with django_assert_max_num_queries(16):
        r = client.get(reverse("resources:detail", args=[res.room.pk]) + f"?week={at(2, 9).date()}")
    assert r.content.decode().count("slot busy") == 5
    with django_assert_max_num_queries(12):
        r = client.get(reverse("resources:month", args=[res.room.pk]) + f"?month={at(2, 9):%Y-%m}")
    assert r.status_code == 200 and 'class="count"' in r.content.decode()


def test_internal_resource_pages_are_404_out_of_scope(client, res):
    for name in ("detail", "month", "book", "ics", "edit"):
        url = reverse(f"resources:{name}", args=[res.private_b.pk])
        login(client, res.tiny.staff_a)
        assert client.get(url).status_code == 404, name
    assert client.get(reverse("resources:detail", args=[res.private_b.pk])).status_code == 404
    login(client, res.tiny.staff_b)
    assert client.get(reverse("resources:detail", args=[res.private_b.pk])).status_code == 200


def test_book_through_the_form_and_second_booking_is_refused(client, res):
    login(client, res.unit_user_b)
    url = reverse("resources:book", args=[res.room.pk])
    data = {
        "date": at(3, 9).date().isoformat(),
        "start": "09:00",
        "end": "10:30",
        "attendees": 12,
        "purpose": "家长会",
        "unit": res.unit_b.pk,
    }
    r = client.post(url, data)
    assert r.status_code == 302
    b = Booking.objects.get()
    assert b.booker_unit == res.unit_b and b.status == BookingStatus.APPROVED
    login(client, res.tiny.staff_a)
    r = client.post(url, {**data, "start": "10:00", "end": "11:00", "unit": ""})
    assert r.status_code == 200
    assert "该时段已被预订" in r.content.decode()
    assert Booking.objects.count() == 1


def test_booking_refusal_messages_render(client, res):
    login(client, res.tiny.staff_a)
    url = reverse("resources:book", args=[res.room.pk])
    r = client.post(
        url,
        {
            "date": at(3, 9).date().isoformat(),
            "start": "06:00",
            "end": "07:00",
            "attendees": 3,
            "purpose": "早操",
        },
    )
    assert "不在开放时间内" in r.content.decode()
    r = client.post(
        url,
        {
            "date": at(3, 9).date().isoformat(),
            "start": "09:00",
            "end": "10:00",
            "attendees": 99,
            "purpose": "大会",
        },
    )
    assert "最多 30 人" in r.content.decode()
    assert not Booking.objects.exists()


def test_approval_pages_are_scoped(client, res, django_assert_max_num_queries):
    b = _book(res, res.unit_user_b, at(3, 9), at(3, 10), resource=res.hall)
    assert b.status == BookingStatus.PENDING
    login(client, res.tiny.staff_b)
    assert b.purpose not in client.get(reverse("resources:bookings")).content.decode()
    assert client.get(reverse("resources:booking", args=[b.pk])).status_code == 404
    login(client, res.tiny.staff_a)
    for i in range(10):
        _book(res, res.unit_user_b, at(4, 8 + i), at(4, 9 + i), resource=res.hall, purpose=f"p{i}")
    with django_assert_max_num_queries(12):
        r = client.get(reverse("resources:bookings"))
    assert r.content.decode().count("<tr>") >= 11
    r = client.post(reverse("resources:decide", args=[b.pk]), {"approve": "1", "note": "好"})
    assert r.status_code == 302
    assert Booking.objects.get(pk=b.pk).status == BookingStatus.APPROVED
    body = client.get(reverse("resources:booking", args=[b.pk])).content.decode()
    assert "审批通过" in body and "提交预订" in body


def test_booking_detail_is_hidden_from_others(client, res):
    b = _book(res, res.tiny.staff_a, at(3, 9), at(3, 10))
    login(client, res.tiny.staff_b)
    assert client.get(reverse("resources:booking", args=[b.pk])).status_code == 404
    assert client.post(reverse("resources:cancel", args=[b.pk])).status_code == 404
    assert (
        client.post(reverse("resources:decide", args=[b.pk]), {"approve": "1"}).status_code == 404
    )
    assert Booking.objects.get(pk=b.pk).status == BookingStatus.APPROVED


def test_booker_cancels_from_my_bookings(client, res):
    b = _book(res, res.resident, at(3, 9), at(3, 10), attendees=2)
    login(client, res.resident)
    assert b.purpose in client.get(reverse("resources:mine")).content.decode()
    r = client.post(reverse("resources:cancel", args=[b.pk]), {"reason": "有事"})
    assert r.status_code == 302
    assert Booking.objects.get(pk=b.pk).status == BookingStatus.CANCELLED


def test_ics_export(client, res):
    _book(res, res.tiny.staff_a, at(3, 9), at(3, 10), purpose="支部, 会议")
    login(client, res.tiny.staff_b)
    r = client.get(reverse("resources:ics", args=[res.room.pk]))
    body = r.content.decode()
    assert r["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in body and "SUMMARY:已预订" in body and "支部" not in body
    login(client, res.tiny.staff_a)
    body = client.get(reverse("resources:ics", args=[res.room.pk])).content.decode()
    assert "支部\\, 会议" in body and body.endswith("END:VCALENDAR\r\n")


def test_staff_create_and_edit_resources(client, res):
    login(client, res.tiny.staff_a)
    data = {
        "name": "东门篮球场",
        "kind": "sports_venue",
        "area": res.tiny.community_a.pk,
        "capacity": 40,
        "public": "on",
        "open_to_units": "on",
        "horizon_days": 14,
        "min_notice_hours": 1,
        "max_hours": 2,
        "cancel_hours": 12,
        "slot_minutes": 60,
        "active": "on",
        "hours_5": "08:00-12:00, 14:00-20:00",
        "hours_6": "08:00-12:00",
        "closed_days": "2026-12-31 跨年检修",
    }
    r = client.post(reverse("resources:new"), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    court = Resource.objects.get(name="东门篮球场")
    assert court.hours.count() == 3 and court.closed_days.get().reason == "跨年检修"
    r = client.post(
        reverse("resources:new"), {**data, "name": "越界", "area": res.tiny.community_b.pk}
    )
    assert r.status_code == 200 and not Resource.objects.filter(name="越界").exists()
    r = client.post(reverse("resources:new"), {**data, "name": "坏", "hours_1": "8-12"})
    assert "格式应为" in r.content.decode()
    login(client, res.tiny.staff_b)
    assert client.get(reverse("resources:edit", args=[court.pk])).status_code == 404


def test_centres_public_pages(client, res):
    c = services.centre_create(
        actor=None,
        name="东门社区党群服务中心",
        level=CentreLevel.COMMUNITY,
        area=res.tiny.community_a,
        hours="8:30-17:30",
    )
    services.service_item_create(
        actor=None, centre=c, name="水电维修", category=ServiceCategory.REPAIRS, provider="东门物业"
    )
    services.centre_activity_create(
        actor=None, centre=c, title="周末义诊", starts_at=at(2, 9), place="二楼"
    )
    hidden = services.centre_create(
        actor=None,
        name="内部中心",
        level=CentreLevel.COMPOUND,
        area=res.tiny.community_b,
        public=False,
    )
    body = client.get(reverse("resources:centres")).content.decode()
    assert c.name in body and hidden.name not in body
    body = client.get(reverse("resources:centres"), {"level": 3}).content.decode()
    assert c.name in body
    body = client.get(reverse("resources:centre", args=[c.pk])).content.decode()
    assert "水电维修" in body and "周末义诊" in body
    assert client.get(reverse("resources:centre", args=[hidden.pk])).status_code == 404


def test_living_map_is_scoped_and_masks_names_without_pii_rights(client, res):
    from civicgrid.people.models import Resident

    a = Resident.objects.create(
        name="钱师傅", gender="M", area=res.tiny.community_a, grid=res.tiny.grid_a1
    )
    b = Resident.objects.create(
        name="孙医生", gender="F", area=res.tiny.community_b, grid=res.tiny.grid_b1
    )
    services.skill_add(actor=None, resident=a, tag=SkillTag.ELECTRICIAN)
    services.skill_add(actor=None, resident=b, tag=SkillTag.MEDICAL)
    from civicgrid.cases.models import MatterItem
    from civicgrid.cases.services import case_create

    item = MatterItem.objects.filter(active=True).first()
    case_a = case_create(
        actor=res.tiny.staff_a, item=item, text="路灯不亮", lon=114.005, lat=23.005
    )
    case_create(actor=res.tiny.staff_b, item=item, text="垃圾堆放", lon=114.025, lat=23.005)

    assert client.get(reverse("resources:map_data")).status_code == 302  # sign in first
    login(client, res.tiny.staff_a)
    assert client.get(reverse("resources:map")).status_code == 200
    data = client.get(reverse("resources:map_data")).json()
    assert {r["name"] for r in data["resources"]} == {res.room.name, res.hall.name}
    assert [c["id"] for c in data["risks"]] == [case_a.pk]
    assert len(data["skills"]) == 1 and data["skills"][0]["people"] == ["钱师傅·水电维修"]
    # A part-time grid worker sees the count and masked names only.
    login(client, res.tiny.parttime_a1)
    data = client.get(reverse("resources:map_data")).json()
    assert data["skills"][0]["people"] == ["钱**·水电维修"] and data["skills"][0]["count"] == 1
    # An area out of scope is 404; a user without any scope gets 404.
    login(client, res.tiny.staff_a)
    r = client.get(reverse("resources:map_data"), {"area": res.tiny.community_b.pk})
    assert r.status_code == 404
    login(client, res.resident)
    assert client.get(reverse("resources:map")).status_code == 404


def test_unit_user_registers_a_resource_of_their_unit(client, res):
    login(client, res.unit_user_a)
    data = {
        "name": "东门小学操场",
        "kind": "sports_venue",
        "area": res.tiny.community_a.pk,
        "owner_unit": res.unit_a.pk,
        "capacity": 200,
        "public": "on",
        "open_to_units": "on",
        "horizon_days": 30,
        "min_notice_hours": 2,
        "max_hours": 2,
        "cancel_hours": 24,
        "slot_minutes": 30,
        "active": "on",
        "hours_5": "08:00-18:00",
    }
    r = client.post(reverse("resources:new"), data)
    assert r.status_code == 302, r.content.decode()[:1500]
    assert Resource.objects.get(name="东门小学操场").owner_unit == res.unit_a
    r = client.post(
        reverse("resources:new"), {**data, "name": "别人的", "owner_unit": res.unit_b.pk}
    )
    assert r.status_code == 200 and not Resource.objects.filter(name="别人的").exists()
