"""The staff pages through the web: forms end in services, refusals show as messages, and
every list, detail and export keeps to the user's scope (rows out of scope answer 404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from civicgrid.participation import services
from civicgrid.participation.choices import ItemOutcome
from civicgrid.participation.models import AgendaItem, Inspection, Meeting, Proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_meetings(world):
    t = world.tiny
    ma = world.meeting(title="东门议事会")
    mb = world.meeting(
        actor=t.staff_b, area=t.community_b, compound=world.compound_b, title="西门议事会"
    )
    services.item_add(actor=t.staff_a, meeting=ma, origin="staff", title="东门议题")
    services.item_add(actor=t.staff_b, meeting=mb, origin="staff", title="西门议题")
    return ma, mb


def test_pages_load_for_staff(world, two_meetings, client):
    client.force_login(world.tiny.staff_a)
    ma, _mb = two_meetings
    for url in [
        "/participation/",
        "/participation/meetings/",
        "/participation/meetings/new/",
        f"/participation/meetings/{ma.pk}/",
        "/participation/proposals/",
        "/participation/stats/",
        "/participation/property/",
        f"/participation/property/companies/{world.company_a.pk}/",
        f"/participation/property/companies/{world.company_a.pk}/inspection/",
        "/participation/property/compounds/new/",
        f"/participation/property/compounds/{world.compound_a.pk}/",
        "/participation/property/assessment/",
        "/participation/votes/",
        "/participation/public/",
    ]:
        r = client.get(url)
        assert r.status_code == 200, url


def test_lists_details_and_exports_keep_to_scope(world, two_meetings, client):
    t = world.tiny
    ma, mb = two_meetings
    services.proposal_record(actor=t.staff_b, area=t.community_b, title="西门提议", text="x")
    services.inspection_record(
        actor=t.staff_b, company=world.company_b, month=world.month, scores=world.full_scores()
    )
    now = timezone.now()
    vote = services.vote_create(
        actor=t.street_staff,
        area=t.street,
        title="街道票决",
        opens_at=now,
        closes_at=now + dt.timedelta(days=1),
        seats=2,
    )
    client.force_login(t.staff_a)
    listing = client.get("/participation/meetings/").content.decode()
    assert "东门议事会" in listing and "西门议事会" not in listing
    assert client.get(f"/participation/meetings/{mb.pk}/").status_code == 404
    item_b = AgendaItem.objects.get(meeting=mb)
    assert (
        client.post(f"/participation/items/{item_b.pk}/solve/", {"resolution": "x"}).status_code
        == 404
    )
    assert client.post(f"/participation/meetings/{mb.pk}/publish/").status_code == 404
    assert "西门提议" not in client.get("/participation/proposals/").content.decode()
    companies = client.get("/participation/property/").content.decode()
    assert (
        "东门红色物业" in companies and "西门物业" not in companies and "西门小区" not in companies
    )
    assert client.get(f"/participation/property/companies/{world.company_b.pk}/").status_code == 404
    assert (
        client.get(
            f"/participation/property/companies/{world.company_b.pk}/inspection/"
        ).status_code
        == 404
    )
    assert (
        client.get(f"/participation/property/compounds/{world.compound_b.pk}/").status_code == 404
    )
    page = client.get(f"/participation/property/assessment/?area={t.street.pk}").content.decode()
    assert "西门物业" not in page
    stats = client.get(f"/participation/stats/?area={t.street.pk}").content.decode()
    assert "西门社区" not in stats
    assert "街道票决" not in client.get("/participation/votes/").content.decode()
    assert client.get(f"/participation/votes/{vote.pk}/").status_code == 404
    assert client.post(f"/participation/votes/{vote.pk}/open/").status_code == 404
    # the street sees both
    client.force_login(t.street_staff)
    listing = client.get("/participation/meetings/").content.decode()
    assert "东门议事会" in listing and "西门议事会" in listing
    assert client.get(f"/participation/votes/{vote.pk}/").status_code == 200


def test_list_pages_have_bounded_queries(
    world, two_meetings, client, django_assert_max_num_queries
):
    t = world.tiny
    for i in range(5):
        m = world.meeting(title=f"会议{i}")
        services.item_add(actor=t.staff_a, meeting=m, origin="staff", title="x")
    client.force_login(t.street_staff)
    with django_assert_max_num_queries(14):
        assert client.get("/participation/meetings/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/participation/property/").status_code == 200
    with django_assert_max_num_queries(16):
        assert (
            client.get(f"/participation/property/assessment/?area={t.street.pk}").status_code == 200
        )
    with django_assert_max_num_queries(30):
        assert client.get(f"/participation/meetings/{m.pk}/").status_code == 200


def test_meeting_through_the_forms(world, client):
    t = world.tiny
    client.force_login(t.staff_a)
    r = client.post(
        "/participation/meetings/new/",
        {
            "kind": "red_hall",
            "title": "十二月议事厅",
            "area": t.community_a.pk,
            "compound": world.compound_a.pk,
            "scheduled_at": "2026-12-10T19:00",
            "place": "活动室",
        },
    )
    m = Meeting.objects.get(title="十二月议事厅")
    assert r.status_code == 302 and r["Location"].endswith(f"/meetings/{m.pk}/")
    client.post(f"/participation/meetings/{m.pk}/item/", {"origin": "staff", "title": "电动车乱停"})
    item = AgendaItem.objects.get(meeting=m)
    r = client.post(
        f"/participation/items/{item.pk}/commit/", {"owner": "", "deadline": ""}, follow=True
    )
    assert "须填写承诺时限" in r.content.decode()
    r = client.post(
        f"/participation/items/{item.pk}/commit/",
        {
            "owner": "",
            "deadline": world.tomorrow.isoformat(),
            "matter": world.item_facility.pk,
            "grid": t.grid_a1.pk,
        },
        follow=True,
    )
    assert "须指定责任单位" in r.content.decode()
    r = client.post(
        f"/participation/items/{item.pk}/commit/",
        {
            "owner": f"unit:{world.company_a.pk}",
            "deadline": "2000-01-01",
            "matter": world.item_facility.pk,
            "grid": t.grid_a1.pk,
        },
        follow=True,
    )
    assert "已经过去" in r.content.decode()
    item.refresh_from_db()
    assert item.outcome == ItemOutcome.PENDING
    r = client.post(
        f"/participation/items/{item.pk}/commit/",
        {
            "owner": f"unit:{world.company_a.pk}",
            "deadline": world.tomorrow.isoformat(),
            "matter": world.item_facility.pk,
            "grid": t.grid_a1.pk,
        },
        follow=True,
    )
    item.refresh_from_db()
    assert item.outcome == ItemOutcome.COMMITMENT and item.case.number in r.content.decode()


def test_inspection_form_refuses_out_of_range(world, client):
    t = world.tiny
    client.force_login(t.staff_a)
    data = {f"c{c.pk}": c.max_score for c in world.criteria}
    data[f"c{world.criteria[0].pk}"] = 99
    r = client.post(
        f"/participation/property/companies/{world.company_a.pk}/inspection/?month={world.month:%Y-%m}",
        data,
        follow=True,
    )
    assert "之间" in r.content.decode()
    assert not Inspection.objects.exists()
    data[f"c{world.criteria[0].pk}"] = 10
    r = client.post(
        f"/participation/property/companies/{world.company_a.pk}/inspection/?month={world.month:%Y-%m}",
        data,
    )
    assert r.status_code == 302 and Inspection.objects.get().company == world.company_a


def test_proposal_form_scope(world, client):
    t = world.tiny
    client.force_login(t.staff_a)
    client.post("/participation/proposals/", {"area": t.community_b.pk, "title": "x", "text": "y"})
    assert not Proposal.objects.exists()
    client.post(
        "/participation/proposals/", {"area": t.community_a.pk, "title": "健身器材", "text": "y"}
    )
    assert Proposal.objects.get().area == t.community_a


@pytest.fixture
def back_to_chinese(settings):
    yield
    translation.activate(settings.LANGUAGE_CODE)  # the request left English active in this thread


def test_pages_in_english(world, client, settings, back_to_chinese):
    client.force_login(world.tiny.staff_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/participation/").content.decode()
    assert "Schedule a meeting" in page and "Red property" in page
    page = client.get("/participation/property/assessment/").content.decode()
    assert "Composite = inspection score × 60% + complaint score × 40%" in page
