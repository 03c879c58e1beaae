"""The pages: scoping of every staff list, detail and export; the participant's phone flow through
the check-in page; bad input refused; query counts of the list pages pinned."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from civicgrid.activities import checkin, services
from civicgrid.activities.models import Activity, HoursEntry, Signup

pytestmark = pytest.mark.django_db


def running(crowd, **kw):
    return crowd.activity(
        start_in=-dt.timedelta(minutes=10), length=dt.timedelta(hours=2, minutes=10), **kw
    )


@pytest.fixture
def scene(crowd):
    """Activity A (community A) with the volunteer checked in and credited; B's own activity."""
    a = crowd.activity(
        start_in=-dt.timedelta(hours=3), length=dt.timedelta(hours=2), title="东门清洁家园"
    )
    s = services.signup_create(
        actor=crowd.vol_user, activity=a, now=a.starts_at - dt.timedelta(minutes=5)
    )
    services.attendance_mark(actor=crowd.tiny.staff_a, signup=s)
    services.activity_credit(actor=crowd.tiny.staff_a, activity=a)
    team = services.team_create(
        actor=crowd.tiny.staff_a, name="东门红马甲", area=crowd.tiny.community_a
    )
    b = crowd.activity(actor=crowd.tiny.staff_b, area=crowd.tiny.community_b, title="西门敬老")
    return {"a": a, "b": b, "signup": s, "team": team}


STAFF_PAGES = [
    ("activities:detail", True),
    ("activities:qr", True),
    ("activities:qr_json", True),
    ("activities:roster_csv", True),
]


@pytest.mark.parametrize("name, _", STAFF_PAGES)
def test_staff_of_b_cannot_open_a_pages(client, crowd, scene, name, _):
    url = reverse(name, args=[scene["a"].pk])
    client.force_login(crowd.tiny.staff_b)
    assert client.get(url).status_code == 404
    client.force_login(crowd.tiny.staff_a)
    assert client.get(url).status_code == 200


def test_staff_of_b_cannot_write_on_a(client, crowd, scene):
    a, s = scene["a"], scene["signup"]
    client.force_login(crowd.tiny.staff_b)
    assert client.post(reverse("activities:credit", args=[a.pk])).status_code == 404
    assert client.post(reverse("activities:mark", args=[a.pk, s.pk])).status_code == 404
    assert (
        client.post(reverse("activities:cancel", args=[a.pk]), {"reason": "x"}).status_code == 404
    )
    assert client.get(reverse("activities:team", args=[scene["team"].pk])).status_code == 404
    assert (
        client.post(
            reverse("activities:team_action", args=[scene["team"].pk, "post"]),
            {"kind": "regular", "title": "x", "slots": 1},
        ).status_code
        == 404
    )
    a.refresh_from_db()
    assert a.status == "published" and not scene["team"].posts.exists()


def test_lists_and_exports_keep_to_scope(client, crowd, scene):
    client.force_login(crowd.tiny.staff_b)
    body = client.get(reverse("activities:index") + "?when=all").content.decode()
    assert "西门敬老" in body and "东门清洁家园" not in body
    assert "陈志愿" not in client.get(reverse("activities:volunteers")).content.decode()
    assert "东门红马甲" not in client.get(reverse("activities:teams")).content.decode()
    stats = client.get(reverse("activities:stats")).content.decode()
    assert "陈志愿" not in stats and "东门社区" not in stats
    assert client.get(reverse("activities:stats_json")).json()["by_month"] == []
    csv_b = client.get(reverse("activities:hours_csv")).content.decode("utf-8-sig")
    assert "陈志愿" not in csv_b and len(csv_b.strip().splitlines()) == 1
    client.force_login(crowd.tiny.staff_a)
    body = client.get(reverse("activities:index") + "?when=all").content.decode()
    assert "东门清洁家园" in body and "西门敬老" not in body
    assert "陈志愿" in client.get(reverse("activities:volunteers")).content.decode()
    csv_a = client.get(reverse("activities:hours_csv")).content.decode("utf-8-sig")
    assert "陈志愿" in csv_a and "2.0" in csv_a
    roster = client.get(reverse("activities:roster_csv", args=[scene["a"].pk])).content.decode(
        "utf-8-sig"
    )
    assert "陈志愿" in roster and "13512345678" not in roster and "135****5678" in roster
    # The street sees both communities.
    client.force_login(crowd.tiny.street_staff)
    body = client.get(reverse("activities:index") + "?when=all").content.decode()
    assert "东门清洁家园" in body and "西门敬老" in body


def test_participants_do_not_see_staff_pages(client, crowd, scene):
    client.force_login(crowd.member_user_a)
    assert client.get(reverse("activities:index")).url == reverse("activities:open")
    for name in (
        "activities:volunteers",
        "activities:teams",
        "activities:stats",
        "activities:hours_csv",
    ):
        assert client.get(reverse(name)).status_code == 404
    assert client.get(reverse("activities:detail", args=[scene["a"].pk])).status_code == 404
    assert client.get(reverse("activities:roster_csv", args=[scene["a"].pk])).status_code == 404


def test_list_pages_query_counts(client, crowd, scene, django_assert_max_num_queries):
    for i in range(5):
        crowd.activity(title=f"活动{i}")
    client.force_login(crowd.tiny.staff_a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("activities:index") + "?when=all").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("activities:volunteers")).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("activities:stats")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("activities:detail", args=[scene["a"].pk])).status_code == 200
    client.force_login(crowd.member_user_a)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("activities:open")).status_code == 200


def test_publish_form_and_bad_input(client, crowd):
    client.force_login(crowd.tiny.staff_a)
    assert client.get(reverse("activities:new")).status_code == 200
    start = timezone.localtime() + dt.timedelta(days=3)
    data = {
        "kind": "volunteer",
        "title": "义务理发",
        "area": crowd.tiny.community_a.pk,
        "place": "服务中心",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": 5,
        "audience": "volunteers",
        "hours": "2",
        "checkin_lead_minutes": 30,
    }
    bad = dict(data, ends_at=(start - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    assert client.post(reverse("activities:new"), bad).status_code == 200
    assert client.post(reverse("activities:new"), dict(data, capacity="-3")).status_code == 200
    assert (
        client.post(
            reverse("activities:new"), dict(data, area=crowd.tiny.community_b.pk)
        ).status_code
        == 200
    )
    assert not Activity.objects.exists()
    r = client.post(reverse("activities:new"), data)
    assert r.status_code == 302
    assert Activity.objects.get().title == "义务理发"


def test_phone_flow_sign_up_check_in_twice(client, crowd):
    a = running(crowd)
    client.force_login(crowd.member_user_a)
    assert "关爱独居老人" in client.get(reverse("activities:open")).content.decode()
    r = client.post(reverse("activities:signup", args=[a.pk]))
    assert r.status_code == 302
    assert Signup.objects.get().volunteer.member == crowd.member_a
    # The organiser's page carries the current check-in URL.
    client.force_login(crowd.tiny.staff_a)
    page = client.get(reverse("activities:qr", args=[a.pk])).content.decode()
    url = re.search(r'data-checkin-url="([^"]+)"', page).group(1)
    assert "<svg" in page
    path = url.replace("http://testserver", "")
    client.force_login(crowd.member_user_a)
    assert "确认签到" in client.get(path).content.decode()
    assert 'data-state="checked_in"' in client.post(path, {"action": "checkin"}).content.decode()
    assert 'data-state="already"' in client.post(path, {"action": "checkin"}).content.decode()
    assert Signup.objects.filter(checked_in_at__isnull=False).count() == 1
    assert 'data-state="checked_out"' in client.post(path, {"action": "checkout"}).content.decode()


def test_check_in_page_refuses_bad_codes(client, crowd):
    a = running(crowd)
    services.signup_create(actor=crowd.member_user_a, activity=a)
    client.force_login(crowd.member_user_a)
    old = checkin.make_token(a, timezone.now() - dt.timedelta(minutes=5))
    r = client.post(reverse("activities:checkin", args=[old]), {"action": "checkin"})
    assert "过期" in r.content.decode()
    r = client.get(reverse("activities:checkin", args=["999999-1-abc"]))
    assert r.status_code == 400 and "无效" in r.content.decode()
    assert not Signup.objects.filter(checked_in_at__isnull=False).exists()
    # Someone not signed up is told so and nothing is written.
    client.force_login(crowd.member_user_b)
    r = client.post(
        reverse("activities:checkin", args=[checkin.make_token(a)]), {"action": "checkin"}
    )
    assert "没有报名" in r.content.decode()
    assert Signup.objects.count() == 1


def test_check_in_needs_sign_in(client, crowd):
    a = running(crowd)
    r = client.get(reverse("activities:checkin", args=[checkin.make_token(a)]))
    assert r.status_code == 302 and "/accounts/login/" in r.url


def test_mine_shows_hours_and_stars(client, crowd, scene):
    client.force_login(crowd.vol_user)
    body = client.get(reverse("activities:mine")).content.decode()
    assert 'id="my-hours">2.0<' in body and "东门清洁家园" in body
    assert HoursEntry.objects.get().hours == 2


def test_recruit_apply_and_leader_decides_in_pages(client, crowd, scene):
    team = scene["team"]
    services.team_add_member(
        actor=crowd.tiny.staff_a, team=team, volunteer=crowd.volunteer_a, leader=True
    )
    client.force_login(crowd.vol_user)  # the leader, without a staff role
    r = client.post(
        reverse("activities:team_action", args=[team.pk, "recruit"]),
        {
            "title": "招募助老队员",
            "slots": 3,
            "closes_at": (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert r.status_code == 302 and team.recruitments.count() == 1
    client.force_login(crowd.member_user_b)
    assert "招募助老队员" in client.get(reverse("activities:recruit")).content.decode()
    call = team.recruitments.get()
    client.post(reverse("activities:recruit_apply", args=[call.pk]), {"note": "周末有空"})
    app = call.applications.get()
    assert (
        client.post(reverse("activities:decide", args=[app.pk]), {"decision": "accept"}).status_code
        == 404
    )
    client.force_login(crowd.vol_user)
    assert (
        client.post(reverse("activities:decide", args=[app.pk]), {"decision": "accept"}).status_code
        == 302
    )
    assert team.memberships.filter(volunteer__member=crowd.member_b).exists()


def test_organiser_signs_someone_up_within_scope(client, crowd):
    a = crowd.activity(capacity=1)
    b_vol = services.volunteer_register(
        actor=crowd.tiny.staff_b, name="西门志愿", area=crowd.tiny.community_b
    )
    client.force_login(crowd.tiny.staff_b)
    assert (
        client.post(reverse("activities:enrol", args=[a.pk]), {"volunteer": b_vol.pk}).status_code
        == 404
    )
    client.force_login(crowd.tiny.staff_a)
    assert (
        client.post(reverse("activities:enrol", args=[a.pk]), {"volunteer": b_vol.pk}).status_code
        == 404
    )
    assert (
        client.post(reverse("activities:enrol", args=[a.pk]), {"volunteer": "x"}).status_code == 404
    )
    assert not Signup.objects.exists()
    assert "陈志愿" in client.get(reverse("activities:detail", args=[a.pk])).content.decode()
    r = client.post(reverse("activities:enrol", args=[a.pk]), {"volunteer": crowd.volunteer_a.pk})
    assert r.status_code == 302 and Signup.objects.get().volunteer == crowd.volunteer_a
    # Full now: the cap holds for the organiser too, and nothing changes.
    member_vol = services.volunteer_for_member(crowd.member_a)
    client.post(
        reverse("activities:enrol", args=[a.pk]),
        {"volunteer": member_vol.pk},
        HTTP_REFERER=reverse("activities:detail", args=[a.pk]),
    )
    assert Signup.objects.count() == 1


def test_pages_in_english(client, crowd):
    a = running(crowd)
    client.force_login(crowd.member_user_a)
    body = client.get(reverse("activities:open"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Places left" in body and "剩余名额" not in body
    services.signup_create(actor=crowd.member_user_a, activity=a)
    body = client.get(
        reverse("activities:checkin", args=[checkin.make_token(a)]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Check in" in body.content.decode()


def test_manual_mark_page_refuses_bad_times(client, crowd):
    a = running(crowd)
    s = services.signup_create(actor=crowd.vol_user, activity=a)
    client.force_login(crowd.tiny.staff_a)
    url = reverse("activities:mark", args=[a.pk, s.pk])
    for bad in ("2026-13-45T99:00", "yesterday"):
        assert client.post(url, {"checked_in_at": bad}).status_code == 302
    s.refresh_from_db()
    assert s.checked_in_at is None
    assert client.post(url, {"note": "没带手机"}).status_code == 302
    s.refresh_from_db()
    assert s.checkin_method == "manual"
    assert "没带手机" in client.get(reverse("activities:detail", args=[a.pk])).content.decode()
