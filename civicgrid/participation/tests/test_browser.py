"""In a real browser on a phone: hold a meeting with two items (one solved on the spot, one a
commitment that becomes a case), resolve the case in the case loop and see the meeting item
show it resolved; run a vote where deputies vote on their phones, and read the result page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from civicgrid.cases import services as case_services
from civicgrid.cases.choices import Source, Status
from civicgrid.cases.tests.browser_conftest import PASSWORD, overflow_px, shot
from civicgrid.participation import services
from civicgrid.participation.models import AgendaItem, Ballot, Meeting, Vote
from civicgrid.web.tests.conftest import browser, phone_page  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


def watch(page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" else None,
    )
    return problems


def test_hold_a_meeting_and_follow_the_commitment_to_resolution(live_server, phone_page, world):  # noqa: F811
    page, base = phone_page, live_server.url
    problems = watch(page)
    login(page, base, "staff_a")
    page.goto(base + "/participation/")
    page.get_by_role("link", name="安排会议").click()
    page.get_by_label("会议名称").fill("东门花园红色议事厅")
    page.get_by_label("小区(红色议事厅、三方议事会必选)").select_option(str(world.compound_a.pk))
    page.get_by_label("召开时间").fill(f"{timezone.localdate():%Y-%m-%d}T19:30")
    submit(page, page.get_by_role("button", name="安排"))
    expect(page.get_by_test_id("meeting-status")).to_have_text("已安排")
    meeting = Meeting.objects.get(title="东门花园红色议事厅")

    # invite two people, sign them in with walk-ins
    for name in ("李大爷", "王阿姨"):
        page.locator("summary", has_text="邀请").click()
        form = page.locator("form[action$='/invite/']")
        form.get_by_label("类别").select_option("resident")
        form.get_by_label("居民姓名").fill(name)
        submit(page, form.get_by_role("button", name="邀请"))
    page.get_by_label("李大爷").check()
    page.get_by_label("王阿姨").check()
    page.get_by_label("列席居民人数(未在邀请名单中)").fill("6")
    submit(page, page.get_by_role("button", name="保存签到"))
    expect(page.get_by_test_id("attendee-count")).to_have_text("8")

    # two agenda items
    for title in ("楼道灯不亮", "健身器材损坏"):
        details = page.locator("details", has=page.locator("summary", has_text="添加议题"))
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        form = page.locator("form[action$='/item/']")
        form.get_by_label("议题").fill(title)
        submit(page, form.get_by_role("button", name="列入议程"))
    first, second = page.get_by_test_id("item-1"), page.get_by_test_id("item-2")
    first.get_by_label("解决情况").fill("物业当场答应今晚更换灯泡。")
    submit(page, first.get_by_role("button", name="就地解决"))
    expect(page.get_by_test_id("item-1")).to_contain_text("就地解决")

    # a commitment without a deadline is refused with a clear message
    second = page.get_by_test_id("item-2")
    second.get_by_label("责任方").select_option(f"unit:{world.company_a.pk}")
    second.get_by_label("事项类别").select_option(str(world.item_facility.pk))
    submit(page, second.get_by_role("button", name="转为限期办理"))
    expect(page.locator(".messages")).to_contain_text("须填写承诺时限")
    second = page.get_by_test_id("item-2")
    second.get_by_label("责任方").select_option(f"unit:{world.company_a.pk}")
    second.get_by_label("承诺时限").fill(world.tomorrow.isoformat())
    second.get_by_label("事项类别").select_option(str(world.item_facility.pk))
    submit(page, second.get_by_role("button", name="转为限期办理"))
    expect(page.locator(".messages")).to_contain_text("已转为事件")
    expect(page.get_by_test_id("item-case-status")).to_have_text("已派单")
    item = AgendaItem.objects.select_related("case").get(meeting=meeting, position=2)
    assert item.case.source == Source.MEETING and item.case.handler_unit == world.company_a

    page.get_by_label("会议纪要").fill("社区党组织、物业、业委会共同商议两件事。")
    submit(page, page.get_by_role("button", name="保存纪要"))
    submit(page, page.get_by_role("button", name="向居民公开会议结果"))
    expect(page.get_by_test_id("meeting-status")).to_have_text("已公开")
    assert overflow_px(page) <= 1
    shot(page, "participation-meeting")

    # residents read the outcome: the commitment is still being handled
    page.goto(base + f"/participation/public/meetings/{meeting.pk}/")
    expect(page.get_by_test_id("public-item-status")).to_have_text("办理中")

    # the property company handles the case in the case loop
    case = case_services.case_transition(actor=world.company_user, case=item.case, action="start")
    case = case_services.case_transition(
        actor=world.company_user, case=case, action="resolve", note="已更换健身器材"
    )
    assert case.status == Status.RESOLVED
    page.reload()
    expect(page.get_by_test_id("public-item-status")).to_have_text("已办结")
    assert "李大爷" not in page.content()
    shot(page, "participation-public-meeting")
    page.goto(base + f"/participation/meetings/{meeting.pk}/")
    expect(page.get_by_test_id("item-case-status")).to_have_text("已办结")
    page.goto(base + "/participation/stats/")
    expect(page.get_by_test_id("held")).to_have_text("1")
    expect(page.get_by_test_id("committed-done")).to_have_text("1")
    page.wait_for_selector("[data-chart=outcomes] canvas")
    shot(page, "participation-stats")
    assert problems == []


def test_deputies_vote_on_their_phones_and_read_the_result(live_server, browser, world):  # noqa: F811
    t = world.tiny
    base = live_server.url
    now = timezone.now()
    vote = services.vote_create(
        actor=t.street_staff,
        area=t.street,
        title="2027 年民生实事票决",
        opens_at=now - dt.timedelta(minutes=5),
        closes_at=now + dt.timedelta(hours=1),
        seats=2,
    )
    projects = [
        services.project_add(
            actor=t.street_staff,
            vote=vote,
            title=title,
            description="说明",
            cost=cost,
            area=t.community_a,
            origin="resident",
        )
        for title, cost in (("加装电梯", 300), ("长者饭堂", 80), ("路灯改造", 50))
    ]
    codes = [
        c
        for _d, c in services.deputies_add(
            actor=t.street_staff, vote=vote, names=["甲", "乙", "丙"]
        )
    ]
    services.vote_open(actor=t.street_staff, vote=vote)

    def deputy_votes(code, picks):
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page = ctx.new_page()
        page.goto(base + f"/participation/public/votes/{vote.pk}/ballot/")
        page.get_by_label("投票码").fill(code)
        for title in picks:
            page.get_by_label(title).check()
        submit(page, page.get_by_role("button", name="投票"))
        return ctx, page

    ctx, page = deputy_votes(codes[0], ["加装电梯", "长者饭堂"])
    expect(page.get_by_test_id("ballot-done")).to_be_visible()
    assert overflow_px(page) <= 1
    ctx.close()
    ctx, page = deputy_votes(codes[1], ["长者饭堂"])
    expect(page.get_by_test_id("ballot-done")).to_be_visible()
    ctx.close()
    ctx, page = deputy_votes(codes[0], ["路灯改造"])  # the same code again
    expect(page.locator(".messages")).to_contain_text("已经投过票")
    ctx.close()
    assert Ballot.objects.filter(vote=vote).count() == 2

    # the voting window closes; street staff count and publish
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = ctx.new_page()
    login(page, base, "street")
    page.goto(base + f"/participation/votes/{vote.pk}/")
    submit(page, page.get_by_role("button", name="计票并公布结果"))
    expect(page.get_by_test_id("vote-status")).to_have_text("已公布")
    page.get_by_role("link", name="查看公开结果").click()
    rows = page.get_by_test_id("result-row")
    expect(rows.first).to_contain_text("长者饭堂")
    expect(rows.first.get_by_test_id("votes")).to_have_text("2")
    expect(rows.nth(1)).to_contain_text("加装电梯")
    page.wait_for_selector("[data-chart=votes] canvas")
    assert overflow_px(page) <= 1
    shot(page, "participation-vote-result")
    ctx.close()
    assert [p.title for p in projects]
