"""The case loop in a real browser, across roles: a resident on a phone, community staff,
a department, street staff blowing the whistle, deadlines turning red."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from civicgrid.cases import services, tasks
from civicgrid.cases.choices import Rating, SlaState, Source, Status
from civicgrid.cases.models import (
    Case,
    CaseAttachment,
    Department,
    MatterGroup,
    WhistleResponse,
)
from civicgrid.orgs.choices import Role, UnitKind
from civicgrid.orgs.models import Unit
from civicgrid.testing.factories import make_user

from .browser_conftest import (
    PHONE_WIDTH,
    PNG,
    act,
    action_form,
    browser,
    overflow_px,
    people,
    shot,
    status_tag,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
__all__ = ["browser", "people"]  # fixtures, used by name

IN_GRID_A1 = {"longitude": 114.005, "latitude": 23.005}


@pytest.fixture
def loop(loop):
    """The shared fixture's items sit in a top-level group; the catalogue (and the intake
    forms, which list sub-groups) puts them under a domain heading."""
    heading = MatterGroup.objects.create(code="TT", name="测试领域", domain="enforcement")
    MatterGroup.objects.filter(code="TZ").update(parent=heading)
    return loop


@pytest.fixture
def market(loop):
    """A second department with its own handler, for whistles naming two departments."""
    unit = Unit.objects.create(name="县市场监督管理局", kind=UnitKind.DEPARTMENT, area=loop.county)
    Department.objects.create(unit=unit, department_type="market_regulation", county=loop.county)
    loop.market_unit = unit
    loop.market_handler = make_user(Role.DEPARTMENT_HANDLER, unit=unit, username="shichang")
    return loop


def _staff_case(loop, text: str, item=None) -> Case:
    return services.case_create(
        actor=loop.worker_a1,
        item=item or loop.item_department,
        text=text,
        lon=IN_GRID_A1["longitude"],
        lat=IN_GRID_A1["latitude"],
    )


def _ledger(page) -> list[str]:
    return [re.sub(r"\s+", " ", t) for t in page.locator(".ledger > li").all_inner_texts()]


def test_whole_loop_across_roles(people, market):
    loop = market
    # 1. A resident reports from a phone, located by GPS, with a photo.
    resident = people.open(phone=True, geolocation=IN_GRID_A1, permissions=["geolocation"])
    resident.goto("/portal/report/")
    assert overflow_px(resident) <= 0
    resident.get_by_label("问题类别").select_option(str(loop.item_department.pk))
    resident.get_by_label("问题描述").fill("人行道上有人摆摊占道,行人只能走机动车道。")
    resident.get_by_role("button", name="使用当前位置").click()
    expect(resident.locator("#locate-status")).to_contain_text("已定位")
    assert float(resident.locator("input[name=lon]").input_value()) == pytest.approx(114.005)
    assert float(resident.locator("input[name=lat]").input_value()) == pytest.approx(23.005)
    resident.get_by_label("地点").fill("东门路 12 号门口")
    resident.locator("input[name=photos]").set_input_files(
        files=[{"name": "stall.png", "mimeType": "image/png", "buffer": PNG}]
    )
    shot(resident, "loop-01-resident-report")
    with resident.expect_navigation():
        resident.get_by_role("button", name="提交", exact=True).click()
    expect(resident.locator(".msg-success")).to_contain_text("请记下查询码")
    expect(status_tag(resident)).to_have_text("已上报")
    assert overflow_px(resident) <= 0
    shot(resident, "loop-02-resident-tracking")
    case = Case.objects.get()
    code = case.tracking_code
    assert resident.url.endswith(f"/portal/track/{code}/")
    assert (case.grid, case.source, case.reporter) == (loop.grid_a1, Source.RESIDENT, None)
    assert case.attachments.count() == 1

    # 2. Community staff find it in the queue, accept it and dispatch it to the department.
    staff = people.open("staff_a")
    staff.goto("/cases/")
    staff.get_by_role("link", name=case.number).click()
    expect(staff.locator("h1")).to_contain_text("占道经营")
    act(staff, "受理")
    expect(staff.locator(".msg-success")).to_have_text("已受理。")
    expect(status_tag(staff)).to_have_text("已受理")
    act(staff, "派单", to_unit=loop.dept_unit, note="请城管到场处理")
    expect(status_tag(staff)).to_have_text("已派单")
    expect(staff.locator("dl.kv")).to_contain_text(loop.dept_unit.name)

    # 3. The department (a handler on a phone) returns it once, with a reason.
    dept = people.open("chengguan", phone=True)
    dept.goto("/cases/q/accept/")
    dept.get_by_role("link", name=case.number).click()
    returning = action_form(dept, "退回")
    returning.get_by_role("button", name="退回").click()  # no reason: the browser refuses
    assert returning.locator("textarea[name=note]").evaluate("t => t.validity.valueMissing")
    expect(status_tag(dept)).to_have_text("已派单")
    act(dept, "退回", note="摊位在小区红线内,应由社区先行劝离")
    expect(status_tag(dept)).to_have_text("已退回")
    assert overflow_px(dept) <= 0
    shot(dept, "loop-03-department-returned")

    # 4. The community dispatches it again; the department accepts and resolves with a photo.
    staff.reload()
    expect(status_tag(staff)).to_have_text("已退回")
    act(staff, "派单", to_unit=loop.dept_unit, note="已核实在市政道路上,请再次处理")
    expect(status_tag(staff)).to_have_text("已派单")
    dept.reload()
    act(dept, "签收办理")
    expect(status_tag(dept)).to_have_text("办理中")
    act(
        dept,
        "办结",
        note="已劝离摊主并清理路面",
        files=[{"name": "after.png", "mimeType": "image/png", "buffer": PNG}],
    )
    expect(status_tag(dept)).to_have_text("已办结")
    resolved = dept.locator(".ledger > li").filter(has_text="已劝离摊主并清理路面")
    expect(resolved.locator("img.thumb")).to_have_count(1)
    expect(dept.locator(".ledger img.thumb")).to_have_count(2)  # and the resident's photo
    assert CaseAttachment.objects.filter(case=case).count() == 2
    shot(dept, "loop-04-department-resolved")

    # 5. The resident is not satisfied: the case is reopened.
    resident.goto(f"/portal/track/{code}/")
    expect(status_tag(resident)).to_have_text("已办结")
    expect(resident.locator(".ledger")).to_contain_text("已劝离摊主并清理路面")
    resident.get_by_label("不满意").check()
    resident.get_by_label("意见(可不填)").fill("第二天又摆出来了")
    shot(resident, "loop-05-resident-rates")
    with resident.expect_navigation():
        resident.get_by_role("button", name="提交评价").click()
    expect(resident.locator("ul.messages")).to_contain_text("感谢您的评价")
    expect(status_tag(resident)).to_have_text("重办中")
    expect(resident.locator("div.messages")).to_have_count(0)  # "note your code" was for the report
    expect(resident.get_by_role("button", name="提交评价")).to_have_count(0)

    # 6. The department handles it again; the resident is satisfied; the community closes it.
    dept.goto("/cases/q/accept/")
    dept.get_by_role("link", name=case.number).click()
    expect(status_tag(dept)).to_have_text("重办中")
    act(dept, "签收办理")
    act(dept, "办结", note="设置隔离桩,每日巡查")
    expect(status_tag(dept)).to_have_text("已办结")
    resident.reload()
    resident.get_by_label("满意", exact=True).check()
    with resident.expect_navigation():
        resident.get_by_role("button", name="提交评价").click()
    expect(status_tag(resident)).to_have_text("已评价")
    staff.reload()
    expect(status_tag(staff)).to_have_text("已评价")
    act(staff, "归档")
    expect(status_tag(staff)).to_have_text("已归档")
    expect(staff.locator("details.action")).to_have_count(0)
    shot(staff, "loop-06-staff-closed")

    # The ledger tells the whole story, in order, in words a person reads.
    ledger = _ledger(staff)
    expected = [
        ("上报", "— → 已上报"),
        ("受理", "已上报 → 已受理"),
        ("派单", "已受理 → 已派单"),
        ("退回", "已派单 → 已退回"),
        ("派单", "已退回 → 已派单"),
        ("签收办理", "已派单 → 办理中"),
        ("办结", "办理中 → 已办结"),
        ("评价", "已办结 → 重办中"),
        ("签收办理", "重办中 → 办理中"),
        ("办结", "办理中 → 已办结"),
        ("评价", "已办结 → 已评价"),
        ("归档", "已评价 → 已归档"),
    ]
    assert len(ledger) == len(expected), ledger
    for line, (label, move) in zip(ledger, expected, strict=True):
        assert f"{label}:{move}" in line, line
    assert "摊位在小区红线内" in ledger[3] and "第二天又摆出来了" in ledger[7]
    # The anonymous resident's own steps are theirs, not the system's.
    assert all("群众(匿名)" in ledger[i] for i in (0, 7, 10)), ledger
    assert not any("系统" in line for line in ledger), ledger
    case.refresh_from_db()
    assert (case.status, case.rating, case.reopen_count) == (Status.CLOSED, Rating.SATISFIED, 1)
    resident.reload()
    expect(status_tag(resident)).to_have_text("已归档")


def test_whistle_with_one_late_department(people, market):
    loop = market
    case = _staff_case(loop, "夜市油烟扰民,多次反映未解决")
    street = people.open("street")
    street.goto(f"/cases/{case.pk}/")
    street.locator("summary", has_text="吹哨").click()
    street.get_by_label("报到部门(可多选)").select_option(
        [str(loop.dept_unit.pk), str(loop.market_unit.pk)]
    )
    street.get_by_label("报到时限(小时)").fill("1")
    street.get_by_label("事由").fill("涉及占道与食品经营,请两部门一小时内到场")
    with street.expect_navigation():
        street.get_by_role("button", name="吹哨", exact=True).click()
    expect(street.locator(".msg-success")).to_have_text("已提交。")
    rows = street.locator("tr", has=street.locator("td"))
    expect(rows.filter(has_text=loop.dept_unit.name)).to_contain_text("未报到")
    expect(rows.filter(has_text=loop.market_unit.name)).to_contain_text("未报到")

    # The first department reports at once.
    chengguan = people.open("chengguan")
    chengguan.goto(f"/cases/{case.pk}/")
    chengguan.get_by_placeholder("到场及处置情况").fill("已到场,约谈摊主")
    with chengguan.expect_navigation():
        chengguan.get_by_role("button", name="报到", exact=True).click()
    expect(chengguan.locator(".msg-success")).to_have_text("已提交。")

    # The second department's hour passes; the sweep marks it; it reports late.
    WhistleResponse.objects.filter(unit=loop.market_unit).update(
        due=timezone.now() - dt.timedelta(minutes=5)
    )
    assert tasks.sweep()["late_whistle"] == 1
    market_page = people.open("shichang", phone=True)
    market_page.goto(f"/cases/{case.pk}/")
    assert overflow_px(market_page) <= 0  # the report form sits in a table cell on a phone
    market_page.get_by_placeholder("到场及处置情况").fill("已到场检查食品经营许可")
    with market_page.expect_navigation():
        market_page.get_by_role("button", name="报到", exact=True).click()
    expect(market_page.locator("tr", has_text="县市场监督管理局")).to_contain_text("迟报")
    assert overflow_px(market_page) <= 0
    shot(market_page, "whistle-02-late-department-phone")

    street.reload()
    late_row = rows.filter(has_text=loop.market_unit.name)
    on_time_row = rows.filter(has_text=loop.dept_unit.name)
    expect(late_row).to_contain_text("已到场检查食品经营许可")
    expect(late_row.locator(".tag", has_text="迟报")).to_be_visible()
    expect(late_row).to_have_class(re.compile(r"\bsla-red\b"))
    expect(on_time_row).to_contain_text("已到场,约谈摊主")
    expect(on_time_row).not_to_contain_text("迟报")
    expect(on_time_row).not_to_have_class(re.compile(r"\bsla-red\b"))
    shot(street, "whistle-01-late-department")
    ledger = " ".join(_ledger(street))
    assert "吹哨" in ledger and "报到" in ledger
    late_by_unit = dict(WhistleResponse.objects.values_list("unit_id", "late"))
    assert late_by_unit == {loop.dept_unit.pk: False, loop.market_unit.pk: True}


def test_overdue_case_is_red_in_the_queue(people, loop):
    late = _staff_case(loop, "楼道堆放杂物堵塞消防通道", item=loop.item_community)
    fresh = _staff_case(loop, "楼道灯不亮", item=loop.item_community)
    Case.objects.filter(pk=late.pk).update(resolve_due=timezone.now() - dt.timedelta(hours=3))
    assert tasks.sweep()["overdue"] == 1
    staff = people.open("staff_a")
    staff.goto("/cases/q/all/")
    late_row = staff.locator("tr", has=staff.get_by_role("link", name=late.number))
    fresh_row = staff.locator("tr", has=staff.get_by_role("link", name=fresh.number))
    expect(late_row).to_have_class(re.compile(r"\bsla-red\b"))
    expect(late_row.locator(".tag.level-red")).to_contain_text("超期")
    expect(fresh_row).not_to_have_class(re.compile(r"\bsla-red\b"))
    expect(fresh_row).not_to_contain_text("超期")
    red = late_row.locator("td").first.evaluate("td => getComputedStyle(td).backgroundColor")
    plain = fresh_row.locator("td").first.evaluate("td => getComputedStyle(td).backgroundColor")
    assert red == "rgb(253, 236, 236)" and plain != red
    shot(staff, "overdue-01-queue")
    # The overdue queue holds it alone, and its page says so too.
    staff.goto("/cases/q/overdue/")
    expect(staff.locator("tbody tr")).to_have_count(1)
    staff.get_by_role("link", name=late.number).click()
    expect(staff.locator("h1 .tag.level-red")).to_have_text("超期")
    assert Case.objects.get(pk=late.pk).sla_state == SlaState.OVERDUE
    # On a phone, too, the overdue mark is in view without scrolling sideways.
    phone = people.open("staff_a", phone=True)
    phone.goto("/cases/q/overdue/")
    tag = phone.locator("tbody tr .tag.level-red")
    expect(tag).to_contain_text("超期")
    assert overflow_px(phone) <= 0
    box = tag.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE_WIDTH
    shot(phone, "overdue-02-queue-phone")


def test_bad_input_on_the_phone_form_creates_nothing(people, loop):
    resident = people.open(phone=True, geolocation=IN_GRID_A1, permissions=["geolocation"])
    resident.goto("/portal/report/")
    resident.get_by_label("问题类别").select_option(str(loop.item_community.pk))
    resident.get_by_role("button", name="使用当前位置").click()
    expect(resident.locator("#locate-status")).to_contain_text("已定位")
    resident.locator("input[name=photos]").set_input_files(
        files=[{"name": "notes.txt", "mimeType": "image/png", "buffer": b"not a picture at all"}]
    )
    with resident.expect_navigation():
        resident.get_by_role("button", name="提交", exact=True).click()
    expect(resident.locator("main form")).to_contain_text("请描述您遇到的问题。")
    expect(resident.locator("main form")).to_contain_text("「notes.txt」不是图片")
    expect(resident.get_by_label("问题类别")).to_have_value(str(loop.item_community.pk))
    # On a phone the messages may be below the fold: a summary says so at the top, and the
    # location found before the error is kept (and said to be kept).
    expect(resident.get_by_role("alert")).to_contain_text("请按下面的提示修改")
    expect(resident.locator("#locate-status")).to_contain_text("已定位")
    assert overflow_px(resident) <= 0
    shot(resident, "bad-01-empty-text-and-not-an-image")

    # No location at all (GPS refused): told so, nothing created.
    resident.get_by_label("问题描述").fill("小区门口垃圾满溢")
    resident.locator("input[name=lon]").evaluate("e => e.value = ''")
    resident.locator("input[name=lat]").evaluate("e => e.value = ''")
    with resident.expect_navigation():
        resident.get_by_role("button", name="提交", exact=True).click()
    expect(resident.get_by_role("alert")).to_contain_text("提交未成功")
    expect(resident.locator("form.stack")).to_contain_text("或选择所在社区")
    expect(resident.get_by_label("问题描述")).to_have_value("小区门口垃圾满溢")
    shot(resident, "bad-02-no-location")
    assert Case.objects.count() == 0 and CaseAttachment.objects.count() == 0
    assert resident.viewport_size["width"] == PHONE_WIDTH
