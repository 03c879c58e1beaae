"""Probable duplicates of a new case, joining an existing case, and what co-reporters and
the reporters of merged cases are told."""

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.analytics.models import CoReporter
from civicgrid.analytics.tests import fixtures
from civicgrid.cases import services
from civicgrid.cases.models import Case, CaseEvent, Notification
from civicgrid.core.errors import Conflict, ValidationFailed
from civicgrid.intake import duplicates
from civicgrid.intake.duplicates import case_join, find_candidates, public_summary

pytestmark = pytest.mark.django_db
world = fixtures.world


@pytest.fixture(autouse=True)
def _fresh_cache():
    duplicates.clear_cache()  # grids and groups are cached per process; each test has its own
    yield
    duplicates.clear_cache()


LON, LAT = 114.005, 23.005
# About 51 m east, 330 m east (outside the default 300 m), and in community B.
NEAR = (LON + 0.0005, LAT)
FAR = (LON + 0.0032, LAT)
OTHER_COMMUNITY = (114.025, 23.005)


def _case(w, item, text, point=(LON, LAT), actor=None, **kw):
    return services.case_create(
        actor=actor or w.worker_a1, item=item, text=text, lon=point[0], lat=point[1], **kw
    )


def _ids(found):
    return [c.case_id for c in found]


def test_similar_open_case_nearby_is_found_with_distance(world):
    w = world
    old = _case(w, w.lamp, "幸福路3号门口的路灯坏了,晚上一片漆黑", point=NEAR)
    found = find_candidates(
        user=w.staff_a, item=w.lamp, text="幸福路3号路灯不亮,晚上很黑", lon=LON, lat=LAT
    )
    assert _ids(found) == [old.pk]
    c = found[0]
    assert 45 <= c.distance_m <= 65
    assert c.same_item and c.text_similarity > 0.3 and c.score >= 0.45
    assert c.number == old.number and c.status_label == "已上报"


def test_far_closed_old_and_unrelated_cases_are_not_candidates(world):
    w = world
    text = "幸福路3号路灯坏了"
    far = _case(w, w.lamp, text, point=FAR)
    closed = _case(w, w.lamp, text, point=NEAR)
    services.case_transition(actor=w.staff_a, case=closed, action="invalidate", note="重复")
    old = _case(w, w.lamp, text, point=NEAR)
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=15))
    other_group = _case(w, w.garbage, text, point=NEAR)
    kept = _case(w, w.lamp, text, point=NEAR)
    found = find_candidates(user=w.street_staff, item=w.lamp, text=text, lon=LON, lat=LAT)
    assert _ids(found) == [kept.pk]
    assert {far.pk, closed.pk, old.pk, other_group.pk}.isdisjoint(_ids(found))


def test_same_group_counts_less_than_same_item_and_text_ranks(world):
    w = world
    same_item_other_text = _case(w, w.lamp, "灯杆上贴满小广告", point=NEAR)
    sibling_same_text = _case(w, w.manhole, "幸福路3号门口井盖不见了,很危险", point=NEAR)
    same_item_same_text = _case(w, w.lamp, "幸福路3号门口路灯坏了", point=NEAR)
    found = find_candidates(
        user=w.street_staff, item=w.lamp, text="幸福路3号门口路灯坏了", lon=LON, lat=LAT
    )
    ids = _ids(found)
    assert ids[0] == same_item_same_text.pk
    assert sibling_same_text.pk in ids
    by_id = {c.case_id: c for c in found}
    assert not by_id[sibling_same_text.pk].same_item
    # Same item, nothing in common in the text: shown when very close (last), not at 200 m.
    assert ids[-1] == same_item_other_text.pk
    _case(w, w.lamp, "灯杆上贴满小广告", point=(LON + 0.00195, LAT))
    again = find_candidates(
        user=w.street_staff, item=w.lamp, text="幸福路3号门口路灯坏了", lon=LON, lat=LAT
    )
    assert _ids(again) == ids


def test_only_cases_in_the_users_scope(world):
    w = world
    a = _case(w, w.lamp, "路灯坏了", point=(114.0195, LAT))  # community A, near the border
    b = _case(w, w.lamp, "路灯坏了", point=(114.0205, LAT), actor=w.staff_b)  # community B
    here = {"item": w.lamp, "text": "路灯坏了", "lon": 114.02, "lat": LAT}
    assert _ids(find_candidates(user=w.staff_a, **here)) == [a.pk]
    assert _ids(find_candidates(user=w.staff_b, **here)) == [b.pk]
    assert set(_ids(find_candidates(user=w.street_staff, **here))) == {a.pk, b.pk}
    assert find_candidates(user=w.resident, **here) == []  # no scope: nothing
    assert set(_ids(find_candidates(user=None, public=True, **here))) == {a.pk, b.pk}


def test_public_summary_holds_no_text_number_or_person(world):
    w = world
    case = _case(w, w.lamp, "张三家门口路灯坏了 13800138000", point=NEAR, reporter_name="张三")
    (c,) = find_candidates(user=None, public=True, item=w.lamp, text="路灯坏了", lon=LON, lat=LAT)
    summary = public_summary(c)
    assert summary == {
        "id": case.pk,
        "item": "路灯损坏",
        "status": "已上报",
        "distance_m": 50,
        "days_ago": 0,
    }
    assert c.photo_id is None


def test_rules_per_domain_and_item(world, settings):
    w = world
    far = _case(w, w.lamp, "路灯坏了", point=FAR)
    here = {"user": w.street_staff, "item": w.lamp, "text": "路灯坏了", "lon": LON, "lat": LAT}
    assert find_candidates(**here) == []
    settings.CIVICGRID_DUPLICATES = {"domains": {"livelihood": {"distance_m": 500}}}
    assert _ids(find_candidates(**here)) == [far.pk]
    settings.CIVICGRID_DUPLICATES = {
        "domains": {"livelihood": {"distance_m": 500}},
        "items": {"TR01-01": {"distance_m": 200}},
    }
    assert find_candidates(**here) == []
    assert duplicates.rule_for(w.manhole).distance_m == 500
    settings.CIVICGRID_DUPLICATES = {"default": {"days": 1}}
    Case.objects.filter(pk=far.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    assert duplicates.rule_for(w.lamp).days == 1


def test_without_a_point_the_grid_centre_or_the_community_is_used(world):
    w = world
    case = _case(w, w.lamp, "路灯坏了", point=(114.0052, 23.0049))
    found = find_candidates(user=w.staff_a, item=w.lamp, text="路灯坏了", grid=w.grid_a1)
    assert _ids(found) == [case.pk] and found[0].distance_m < 40
    found = find_candidates(
        user=w.staff_a, item=w.lamp, text="路灯坏了", community_id=w.community_a.pk
    )
    assert _ids(found) == [case.pk] and found[0].distance_m is None
    assert find_candidates(user=w.staff_a, item=w.lamp, text="路灯坏了") == []


def test_photo_of_a_candidate_is_offered(world):
    from django.core.files.base import ContentFile

    from civicgrid.cases.models import CaseAttachment

    w = world
    case = _case(w, w.lamp, "路灯坏了", point=NEAR)
    att = CaseAttachment.objects.create(
        case=case,
        file=ContentFile(b"\xff\xd8\xff", name="a.jpg"),
        content_type="image/jpeg",
        size=3,
    )
    (c,) = find_candidates(user=w.staff_a, item=w.lamp, text="路灯坏了", lon=LON, lat=LAT)
    assert c.photo_id == att.pk


# ---------------------------------------------------------------- joining


def test_join_records_a_co_reporter_and_a_ledger_row_once(world):
    w = world
    case = _case(w, w.lamp, "路灯坏了")
    co = case_join(actor=w.resident, case=case)
    again = case_join(actor=w.resident, case=case)
    assert co.pk == again.pk and co.user == w.resident and co.kind == "joined"
    assert CoReporter.objects.filter(case=case).count() == 1
    assert list(case.events.filter(action="join").values_list("actor", flat=True)) == [
        w.resident.pk
    ]


def test_staff_join_on_behalf_of_a_caller_needs_a_valid_phone(world):
    w = world
    case = _case(w, w.lamp, "路灯坏了")
    with pytest.raises(ValidationFailed) as e:
        case_join(actor=w.staff_a, case=case, name="李四", phone="", on_behalf=True)
    assert "电话" in str(e.value.message)
    with pytest.raises(ValidationFailed):
        case_join(actor=w.staff_a, case=case, name="李四", phone="12345", on_behalf=True)
    assert not CoReporter.objects.exists() and not case.events.filter(action="join").exists()
    co = case_join(actor=w.staff_a, case=case, name="李四", phone="138 0013 8000", on_behalf=True)
    assert co.phone == "13800138000" and co.user is None and co.joined_by == w.staff_a
    assert case_join(actor=w.staff_a, case=case, phone="13800138000", on_behalf=True).pk == co.pk


def test_cannot_join_a_finished_case_or_ones_own(world):
    w = world
    case = _case(w, w.lamp, "路灯坏了")
    with pytest.raises(Conflict):
        case_join(actor=w.worker_a1, case=case)
    services.case_transition(actor=w.staff_a, case=case, action="invalidate", note="无效")
    with pytest.raises(Conflict):
        case_join(actor=w.resident, case=case)
    with pytest.raises(ValidationFailed):
        case_join(actor=None, case=case)
    assert not CoReporter.objects.exists()


def _resolve(w, case):
    for action, kw in (
        ("accept", {}),
        ("dispatch", {"to_area": w.community_a}),
        ("start", {}),
        ("resolve", {"note": "已更换灯泡"}),
    ):
        case = services.case_transition(actor=w.staff_a, case=case, action=action, **kw)
    return case


def test_co_reporters_are_told_of_each_step_and_asked_to_rate(world):
    w = world
    case = _case(w, w.lamp, "路灯坏了")
    co = case_join(actor=w.resident, case=case)
    caller = case_join(actor=w.staff_a, case=case, phone="13800138000", on_behalf=True)
    _resolve(w, case)
    mine = list(
        Notification.objects.filter(user=w.resident)
        .order_by("id")
        .values_list("message", flat=True)
    )
    assert len(mine) == 4
    assert "已受理" in mine[0] and "已办结" in mine[-1] and co.rate_code in mine[-1]
    sms = Notification.objects.filter(channel="sms", recipient="8000").order_by("id")
    assert sms.count() == 4 and caller.rate_code in sms.last().message


def test_reporters_of_a_merged_case_follow_the_master_and_rate_it(world):
    w = world
    master = _case(w, w.lamp, "幸福路路灯坏了")
    dup = _case(w, w.lamp, "幸福路的路灯不亮", actor=w.resident, point=NEAR)
    joined = case_join(actor=w.staff_a, case=dup, phone="13900139000", on_behalf=True)
    services.case_transition(actor=w.staff_a, case=dup, action="merge", merged_into=master)
    followers = CoReporter.objects.filter(case=master, kind="merged")
    assert {(c.user_id, c.phone) for c in followers} == {
        (w.resident.pk, ""),
        (None, joined.phone),
    }
    assert all(c.source_case_id == dup.pk for c in followers)
    _resolve(w, master)
    resident_co = followers.get(user=w.resident)
    last = Notification.objects.filter(user=w.resident, case=master).order_by("id").last()
    assert master.number in last.message and resident_co.rate_code in last.message
    assert CaseEvent.objects.filter(case=master, action="join").count() == 0


# ---------------------------------------------------------------- over HTTP


def test_intake_forms_carry_the_panel(client, world):
    client.force_login(world.worker_a1)
    page = client.get("/cases/new/").content.decode()
    assert 'id="dup-panel"' in page and 'data-src="/duplicates/candidates/"' in page
    client.logout()
    page = client.get("/portal/report/").content.decode()
    assert 'data-src="/duplicates/portal/candidates/"' in page and "duplicates.js" in page


def test_staff_panel_shows_scoped_candidates_with_photo_and_distance(client, world):
    from django.core.files.base import ContentFile

    from civicgrid.cases.models import CaseAttachment

    w = world
    mine = _case(w, w.lamp, "幸福路路灯坏了", point=NEAR, address="幸福路3号")
    att = CaseAttachment.objects.create(
        case=mine,
        file=ContentFile(b"\xff\xd8\xff", name="a.jpg"),
        content_type="image/jpeg",
        size=3,
    )
    other = _case(w, w.lamp, "幸福路路灯坏了", point=(114.0205, LAT), actor=w.staff_b)
    client.force_login(w.staff_a)
    q = {"item": w.lamp.pk, "text": "幸福路路灯不亮", "lon": LON, "lat": LAT}
    page = client.get("/duplicates/candidates/", q).content.decode()
    assert mine.number in page and f"/cases/attachments/{att.pk}/" in page
    assert "相距约 51 米" in page and "幸福路3号" in page
    assert f"/duplicates/{mine.pk}/join/" in page and other.number not in page
    # Incomplete or bad input: an empty panel, never an error page.
    for bad in (
        {},
        {"item": "x"},
        {"item": w.lamp.pk, "lon": "abc", "lat": LAT},
        {"item": w.lamp.pk},
    ):
        r = client.get("/duplicates/candidates/", bad)
        assert r.status_code == 200 and "dup-panel" not in r.content.decode()
    client.logout()
    assert client.get("/duplicates/candidates/", q).status_code == 302


def test_portal_panel_shows_only_a_generic_summary(client, world):
    w = world
    case = _case(
        w, w.lamp, "王五家门口路灯坏了", point=NEAR, address="幸福路3号", reporter_name="王五"
    )
    page = client.get(
        "/duplicates/portal/candidates/",
        {"item": w.lamp.pk, "text": "路灯坏了", "lon": LON, "lat": LAT},
    ).content.decode()
    assert "路灯损坏" in page and "约 50 米外" in page and "登录后加入" in page
    for secret in (case.number, "王五", "幸福路", case.tracking_code, "/cases/"):
        assert secret not in page


def test_portal_look_up_is_rate_limited(client, world, settings):
    from django.core.cache import cache

    cache.clear()
    settings.CIVICGRID_INTAKE_PUBLIC_RATE = 3
    q = {"item": world.lamp.pk, "text": "路灯坏了", "lon": LON, "lat": LAT}
    codes = [client.get("/duplicates/portal/candidates/", q).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    cache.clear()


def test_resident_joins_from_the_portal(client, world):
    w = world
    case = _case(w, w.lamp, "路灯坏了")
    r = client.post(f"/duplicates/portal/{case.pk}/join/")
    assert r.status_code == 302 and r["Location"] == "/portal/login/"
    assert not CoReporter.objects.exists()
    client.force_login(w.resident)
    r = client.post(f"/duplicates/portal/{case.pk}/join/")
    assert r["Location"] == "/portal/"
    assert CoReporter.objects.get(case=case).user == w.resident
    assert client.post("/duplicates/portal/999999/join/").status_code == 404


def test_hotline_clerk_joins_the_caller(client, world):
    w = world
    case = _case(w, w.lamp, "路灯坏了")
    client.force_login(w.staff_a)
    r = client.post(f"/duplicates/{case.pk}/join/", {"name": "赵六", "phone": "13700137000"})
    assert r["Location"] == f"/cases/{case.pk}/"
    co = CoReporter.objects.get(case=case)
    assert co.phone == "13700137000" and co.name == "赵六" and co.user is None
    r = client.post(f"/duplicates/{case.pk}/join/", {"phone": "123"}, follow=True)
    assert "电话" in r.content.decode() and CoReporter.objects.count() == 1
    client.force_login(w.staff_b)  # not their community: as if it did not exist
    assert client.post(f"/duplicates/{case.pk}/join/").status_code == 404


def test_co_reporter_rates_the_result_once(client, world):
    w = world
    case = _case(w, w.lamp, "路灯坏了")
    co = case_join(actor=w.resident, case=case)
    url = f"/duplicates/rate/{co.rate_code}/"
    page = client.get(url).content.decode()
    assert "办结后即可评价" in page and "路灯坏了" not in page
    client.post(url, {"rating": "satisfied"})
    co.refresh_from_db()
    assert not co.rated_at
    _resolve(w, case)
    assert "请评价办理结果" in client.get(url).content.decode()
    r = client.post(url, {"rating": "bogus"})
    co.refresh_from_db()
    assert r.status_code == 200 and not co.rated_at
    client.post(url, {"rating": "dissatisfied", "comment": "灯还是不亮"})
    co.refresh_from_db()
    assert co.rating == "dissatisfied" and co.rating_comment == "灯还是不亮"
    event = CaseEvent.objects.get(case=case, action="co_rate")
    assert event.data["rating"] == "dissatisfied"
    case.refresh_from_db()
    assert case.status == "resolved"  # the loop follows the reporter's own rating
    r = client.post(url, {"rating": "satisfied"}, follow=True)
    assert "您已评价" in r.content.decode()
    assert client.get("/duplicates/rate/NOSUCHCODE/").status_code == 404


# ---------------------------------------------------------------- the index


def test_index_condition_matches_the_open_statuses():
    import importlib

    from civicgrid.cases.choices import OPEN_STATUSES

    migration = importlib.import_module("civicgrid.analytics.migrations.0002_case_open_grid_item")
    assert list(migration.OPEN) == sorted(str(s) for s in OPEN_STATUSES)


def test_prefilter_uses_the_duplicate_index(world):
    """SQLite uses a partial index only when the query repeats its condition literally: check
    the plan. PostgreSQL's choice on a tiny table says nothing (bench/intake_duplicates.py
    shows its plan at a million cases): check the index is there, partial, on open cases."""
    from django.db import connection

    w = world
    for i in range(30):
        _case(w, w.lamp if i % 2 else w.garbage, f"问题{i}", point=(LON + i * 0.0001, LAT))
    with connection.cursor() as cur:
        if connection.vendor != "sqlite":
            cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'case_open_grid_item'")
            (definition,) = cur.fetchone()
            assert "(grid_id, item_id, created_at, lon, lat)" in definition
            assert "WHERE" in definition and "'reported'" in definition
            return
        cur.execute("ANALYZE")
    qs = duplicates._prefilter(
        item_ids=[w.lamp.pk, w.manhole.pk],
        since=timezone.now() - dt.timedelta(days=14),
        box=duplicates.bounding_box(LON, LAT, 300),
        community_id=None,
        user=None,
        public=True,
    ).values_list("id")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(x) for row in cur.fetchall() for x in row)
    assert "case_open_grid_item" in plan
