"""Pages: scoping of every list, detail and export; pinned query counts; the member's,
grid worker's and resident's pages; refused requests change nothing."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from civicgrid.wishes import services
from civicgrid.wishes.choices import ClaimStatus, WishKind, WishStatus
from civicgrid.wishes.models import Claim, Wish

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_list_shows_own_community_only(client, world):
    a = world.wish(title="东门心愿")
    b = world.wish(side="b", title="西门心愿")
    html = login(client, world.tiny.staff_a).get(reverse("wishes:list")).content.decode()
    assert "东门心愿" in html and "西门心愿" not in html
    html = login(client, world.tiny.street_staff).get(reverse("wishes:list")).content.decode()
    assert "东门心愿" in html and "西门心愿" in html
    assert (
        login(client, world.tiny.staff_a).get(reverse("wishes:detail", args=[b.pk])).status_code
        == 404
    )
    assert client.get(reverse("wishes:detail", args=[a.pk])).status_code == 200


def test_list_query_count_is_flat(client, world, django_assert_max_num_queries):
    for i in range(3):
        c = world.claimed(world.wish(title=f"心愿{i}"))
        services.claim_transition(actor=world.member_user_a, claim=c, action="start")
    login(client, world.tiny.staff_a)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("wishes:list"))
    for i in range(12):
        world.claimed(world.wish(title=f"更多{i}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = client.get(reverse("wishes:list"))
    assert r.content.decode().count('href="/wishes/') >= 15


def test_export_is_scoped_and_needs_export(client, world):
    world.wish(title="东门心愿")
    world.wish(side="b", title="西门心愿")
    r = login(client, world.tiny.staff_a).get(reverse("wishes:export"))
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    titles = [row[3] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert titles == ["东门心愿"]
    # a grid worker may view but not export
    r = login(client, world.tiny.worker_a1).get(reverse("wishes:export"))
    assert r.status_code == 403


def test_other_lists_are_scoped(client, world):
    from django.utils import timezone

    year = timezone.localdate().year
    for side, staff, unit, community, resident, member in (
        (
            "a",
            world.tiny.staff_a,
            world.unit_a,
            world.tiny.community_a,
            world.reg.resident_a,
            world.member_a,
        ),
        (
            "b",
            world.tiny.staff_b,
            world.unit_b,
            world.tiny.community_b,
            world.reg.resident_b,
            world.member_b,
        ),
    ):
        services.offer_create(actor=staff, unit=unit, kind="skill", title=f"资源{side}")
        ag = services.agreement_create(
            actor=staff, unit=unit, community=community, year=year, title=f"协议{side}"
        )
        services.agreement_item_add(
            actor=staff, agreement=ag, title=f"事项{side}", owner_kind="unit"
        )
        services.pairing_create(
            actor=staff,
            member=member,
            resident=resident,
            since=timezone.localdate(),
            note=f"对子{side}",
        )
    login(client, world.tiny.staff_a)
    for name, mine, theirs in (
        ("wishes:offers", "资源a", "资源b"),
        ("wishes:agreements", "协议a", "协议b"),
        ("wishes:pairings", "对子a", "对子b"),
        ("wishes:rates", "东门小学", "西门物业公司"),
    ):
        html = client.get(reverse(name)).content.decode()
        assert mine in html and theirs not in html, name
    other = world.tiny.community_b
    from civicgrid.wishes.models import Agreement

    ag_b = Agreement.objects.get(area=other)
    assert client.get(reverse("wishes:agreement", args=[ag_b.pk])).status_code == 404


def test_staff_review_and_confirm_through_pages(client, world):
    wish = services.wish_submit(
        actor=world.resident_user_a, community=world.tiny.community_a, title="想要一副老花镜"
    )
    login(client, world.tiny.staff_a)
    r = client.post(reverse("wishes:action", args=[wish.pk]), {"action": "approve"})
    assert r.status_code == 302
    wish.refresh_from_db()
    assert wish.status == WishStatus.OPEN
    claim = world.claimed(wish)
    # staff cannot start a member's claim: refused, nothing changes
    client.post(reverse("wishes:claim_action", args=[claim.pk]), {"action": "start"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CLAIMED
    # other community's staff do not even find it
    login(client, world.tiny.staff_b)
    assert (
        client.post(
            reverse("wishes:claim_action", args=[claim.pk]), {"action": "confirm"}
        ).status_code
        == 404
    )


def test_staff_claim_for_unit_and_lead_support_item(client, world):
    wish = world.wish()
    login(client, world.tiny.staff_a)
    client.post(
        reverse("wishes:action", args=[wish.pk]), {"action": "claim_unit", "unit": world.unit_a.pk}
    )
    assert Claim.objects.get(wish=wish).unit == world.unit_a
    # a unit of another community is not found
    wish2 = world.wish()
    r = client.post(
        reverse("wishes:action", args=[wish2.pk]), {"action": "claim_unit", "unit": world.unit_b.pk}
    )
    assert r.status_code == 404 and not Claim.objects.filter(wish=wish2).exists()
    item = world.wish(kind=WishKind.SUPPORT_ITEM, title="学校场地")
    client.post(reverse("wishes:action", args=[item.pk]), {"action": "lead"})
    assert Claim.objects.get(wish=item).claimant_kind == "community"


def test_new_wish_page_rejects_bad_input(client, world):
    login(client, world.tiny.staff_a)
    r = client.post(
        reverse("wishes:new"),
        {"kind": "need", "title": "", "category": "other", "community": world.tiny.community_a.pk},
    )
    assert r.status_code == 200 and not Wish.objects.exists()
    r = client.post(
        reverse("wishes:new"),
        {"kind": "need", "title": "x", "category": "other", "community": world.tiny.community_b.pk},
    )
    assert r.status_code == 200 and not Wish.objects.exists()  # not a choice for staff_a
    r = client.post(
        reverse("wishes:new"),
        {
            "kind": "need",
            "title": "社区需要义诊",
            "category": "health",
            "community": world.tiny.community_a.pk,
        },
    )
    assert r.status_code == 302 and Wish.objects.get().title == "社区需要义诊"


def test_member_phone_pages(client, world, django_assert_max_num_queries):
    mine = world.wish(title="本社区心愿")
    world.wish(side="b", title="西门心愿")
    world.wish(kind=WishKind.SUPPORT_ITEM, title="学校支持事项")
    login(client, world.member_user_a)
    with django_assert_max_num_queries(15):
        html = client.get(reverse("wishes:m_home")).content.decode()
    assert "本社区心愿" in html and "西门心愿" not in html and "学校支持事项" not in html
    # staff list sends a member to the phone page
    assert client.get(reverse("wishes:list"))["Location"] == reverse("wishes:m_home")
    other = Wish.objects.get(title="西门心愿")
    assert client.get(reverse("wishes:m_wish", args=[other.pk])).status_code == 404
    assert client.post(reverse("wishes:m_claim", args=[other.pk])).status_code == 404
    client.post(reverse("wishes:m_claim", args=[mine.pk]))
    claim = Claim.objects.get(wish=mine)
    assert claim.member == world.member_a
    for action in ("start", "complete"):
        client.post(
            reverse("wishes:claim_action", args=[claim.pk]),
            {"action": action, "note": "已完成", "next": reverse("wishes:m_wish", args=[mine.pk])},
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COMPLETED
    # member b sees it neither in open wishes nor can act on the claim
    login(client, world.member_user_b)
    assert (
        client.post(
            reverse("wishes:claim_action", args=[claim.pk]), {"action": "withdraw", "note": "x"}
        ).status_code
        == 404
    )


def test_a_login_without_member_or_unit_is_refused_the_phone_page(client, world):
    from civicgrid.testing.factories import make_user

    assert (
        login(client, make_user(username="nobody")).get(reverse("wishes:m_home")).status_code == 403
    )


def test_grid_worker_posts_on_phone(client, world):
    login(client, world.tiny.worker_a1)
    html = client.get(reverse("wishes:m_post")).content.decode()
    assert world.reg.resident_a.name in html and world.reg.resident_b.name not in html
    r = client.post(
        reverse("wishes:m_post"),
        {"resident": world.reg.resident_b.pk, "title": "x", "category": "living"},
    )
    assert r.status_code == 200 and not Wish.objects.exists()
    r = client.post(
        reverse("wishes:m_post"),
        {"resident": world.reg.resident_a.pk, "title": "想要轮椅", "category": "elderly"},
    )
    assert r.status_code == 302
    assert Wish.objects.get().posted_via == "grid_worker"


def test_resident_portal_submit_and_rate(client, world):
    r = client.get(reverse("wishes:portal"))
    assert "手机号登录" in r.content.decode()
    login(client, world.resident_user_a)
    client.post(
        reverse("wishes:portal"),
        {"title": "想学太极拳", "category": "culture", "community": world.tiny.community_a.pk},
    )
    wish = Wish.objects.get()
    assert wish.status == WishStatus.PENDING and wish.owner == world.resident_user_a
    services.wish_review(actor=world.tiny.staff_a, wish=wish, approve=True)
    claim = world.claimed(wish)
    for action, actor in (
        ("start", world.member_user_a),
        ("complete", world.member_user_a),
        ("confirm", world.tiny.staff_a),
    ):
        services.claim_transition(actor=actor, claim=claim, action=action)
    html = client.get(reverse("wishes:portal_wish", args=[wish.pk])).content.decode()
    assert "提交评价" in html
    client.post(reverse("wishes:portal_rate", args=[wish.pk]), {"rating": "4", "comment": "谢谢"})
    claim.refresh_from_db()
    assert claim.rating == 4
    # another resident does not find it
    login(client, world.resident_user_b)
    assert client.get(reverse("wishes:portal_wish", args=[wish.pk])).status_code == 404
    assert (
        client.post(reverse("wishes:portal_rate", args=[wish.pk]), {"rating": "1"}).status_code
        == 404
    )
    claim.refresh_from_db()
    assert claim.rating == 4
