"""Deliberation meetings: scheduling rules, agenda items, sign-in, outcomes, publication."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.cases import services as case_services
from civicgrid.cases.choices import Source, Status
from civicgrid.cases.models import Case
from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.participation import selectors, services
from civicgrid.participation.choices import ItemOutcome, MeetingStatus, ProposalStatus
from civicgrid.participation.models import AgendaItem, ParticipationEvent

pytestmark = pytest.mark.django_db


def test_schedule_checks_level_and_compound(world):
    t = world.tiny
    with pytest.raises(ValidationFailed, match="街道"):
        world.meeting(kind="joint_street")  # a community is not a street
    with pytest.raises(ValidationFailed, match="须选择小区"):
        world.meeting(compound=None)
    with pytest.raises(ValidationFailed, match="不属于"):
        world.meeting(compound=world.compound_b)
    with pytest.raises(NotFound):
        world.meeting(actor=t.staff_b)
    joint = world.meeting(actor=t.street_staff, kind="joint_street", area=t.street, compound=None)
    assert joint.area == t.street and joint.status == MeetingStatus.SCHEDULED
    assert ParticipationEvent.objects.filter(action="meeting_schedule", object_id=joint.pk).exists()


def test_parttime_worker_cannot_schedule(world):
    with pytest.raises((NotFound, PermissionDenied)):
        world.meeting(actor=world.tiny.parttime_a1)


def test_items_from_proposal_case_and_staff(world):
    t = world.tiny
    m = world.meeting()
    p = services.proposal_record(
        actor=t.staff_a,
        area=t.community_a,
        compound=world.compound_a,
        proposer_name="王阿姨",
        title="楼下健身器材损坏",
        text="3 号楼下的健身器材坏了两个月。",
    )
    i1 = services.item_add(actor=t.staff_a, meeting=m, origin="proposal", proposal=p)
    assert i1.title == "楼下健身器材损坏" and i1.position == 1
    p.refresh_from_db()
    assert p.status == ProposalStatus.ON_AGENDA
    with pytest.raises(Conflict):
        services.item_add(actor=t.staff_a, meeting=m, origin="proposal", proposal=p)
    case = case_services.case_create(
        actor=t.worker_a1, item=world.item_other, text="楼上楼下噪音纠纷", grid=t.grid_a1
    )
    i2 = services.item_add(actor=t.staff_a, meeting=m, origin="case", source_case=case)
    assert i2.source_case == case and case.number in i2.title
    i3 = services.item_add(actor=t.staff_a, meeting=m, origin="staff", title="停车位划线")
    assert [i.position for i in (i1, i2, i3)] == [1, 2, 3]
    # A case of community B is not in this meeting's area.
    case_b = case_services.case_create(
        actor=t.staff_b, item=world.item_other, text="西门的纠纷", grid=t.grid_b1
    )
    with pytest.raises(NotFound):
        services.item_add(actor=t.staff_a, meeting=m, origin="case", source_case=case_b)
    with pytest.raises(ValidationFailed):
        services.item_add(actor=t.staff_a, meeting=m, origin="staff", title="  ")


def test_sign_in_counts_present_invitees_and_walk_ins(world, registry):
    t = world.tiny
    m = world.meeting()
    a = services.invitee_add(actor=t.staff_a, meeting=m, kind="staff", user=t.worker_a1)
    b = services.invitee_add(actor=t.staff_a, meeting=m, kind="unit", unit=world.company_a)
    services.invitee_add(actor=t.staff_a, meeting=m, kind="resident", name="李大爷")
    assert a.name == str(t.worker_a1) and b.name == "东门红色物业"
    with pytest.raises(ValidationFailed):
        services.invitee_add(actor=t.staff_a, meeting=m, kind="resident", name="")
    m = services.meeting_sign_in(actor=t.staff_a, meeting=m, present_ids=[a.pk, b.pk], walk_ins=5)
    assert m.attendee_count == 7
    assert sorted(m.invitees.filter(present=True).values_list("pk", flat=True)) == sorted(
        [a.pk, b.pk]
    )
    with pytest.raises(ValidationFailed):
        services.meeting_sign_in(actor=t.staff_a, meeting=m, present_ids=[], walk_ins=-1)
    m.refresh_from_db()
    assert m.attendee_count == 7  # the refused call changed nothing


def test_solve_and_commit_make_a_case_dispatched_to_the_owner(world):
    t = world.tiny
    m = world.meeting()
    solved = services.item_add(actor=t.staff_a, meeting=m, origin="staff", title="楼道灯不亮")
    later = services.item_add(actor=t.staff_a, meeting=m, origin="staff", title="小区大门损坏")
    with pytest.raises(ValidationFailed):
        services.item_solve(actor=t.staff_a, item=solved, resolution="")
    solved = services.item_solve(
        actor=t.staff_a, item=solved, resolution="物业当场答应今晚更换灯泡。"
    )
    assert solved.outcome == ItemOutcome.SOLVED and solved.case is None
    with pytest.raises(Conflict):
        services.item_solve(actor=t.staff_a, item=solved, resolution="again")
    later = services.item_commit(
        actor=t.staff_a,
        item=later,
        deadline=world.tomorrow,
        matter=world.item_facility,
        grid=t.grid_a1,
        owner_unit=world.company_a,
    )
    case = later.case
    assert later.outcome == ItemOutcome.COMMITMENT and later.owner_unit == world.company_a
    assert case.source == Source.MEETING and case.status == Status.DISPATCHED
    assert case.handler_unit == world.company_a and case.area == t.community_a
    assert "议事会议承诺" in case.text and world.tomorrow.isoformat() in case.text
    assert list(case.events.values_list("action", flat=True)) == ["report", "accept", "dispatch"]
    # Committing to a community (an area owner) works the same way.
    third = services.item_add(actor=t.staff_a, meeting=m, origin="staff", title="垃圾桶不够")
    third = services.item_commit(
        actor=t.staff_a,
        item=third,
        deadline=world.tomorrow,
        matter=world.item_facility,
        grid=t.grid_a1,
        owner_area=t.community_a,
    )
    assert third.case.handler_area == t.community_a and third.case.handler_unit is None


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"owner_unit": None}, "须指定责任单位"),
        ({"deadline": None}, "须填写承诺时限"),
        ({"deadline": "past"}, "已经过去"),
        ({"matter": None}, "事项类别"),
        ({"owner_unit": "school"}, "职能部门或物业公司"),
    ],
)
def test_commitment_without_owner_or_deadline_is_refused(world, registry, kw, message):
    t = world.tiny
    m = world.meeting()
    item = services.item_add(actor=t.staff_a, meeting=m, origin="staff", title="电梯异响")
    args = {
        "deadline": world.tomorrow,
        "matter": world.item_facility,
        "grid": t.grid_a1,
        "owner_unit": world.company_a,
    }
    args.update(kw)
    if args["deadline"] == "past":
        args["deadline"] = timezone.localdate() - dt.timedelta(days=1)
    if args["owner_unit"] == "school":
        args["owner_unit"] = registry.unit_a
    before = Case.objects.count()
    with pytest.raises(ValidationFailed, match=message):
        services.item_commit(actor=t.staff_a, item=item, **args)
    item.refresh_from_db()
    assert item.outcome == ItemOutcome.PENDING and item.case is None
    assert Case.objects.count() == before


def test_commit_grid_outside_the_meeting_is_refused(world):
    t = world.tiny
    m = world.meeting()
    item = services.item_add(actor=t.staff_a, meeting=m, origin="staff", title="x")
    with pytest.raises(NotFound):
        services.item_commit(
            actor=t.staff_a,
            item=item,
            deadline=world.tomorrow,
            matter=world.item_facility,
            grid=t.grid_b1,
            owner_unit=world.company_a,
        )


def test_publish_needs_minutes_and_outcomes_then_freezes(world):
    t = world.tiny
    m = world.meeting()
    item = services.item_add(actor=t.staff_a, meeting=m, origin="staff", title="x")
    with pytest.raises(ValidationFailed, match="纪要"):
        services.meeting_publish(actor=t.staff_a, meeting=m)
    services.meeting_record(actor=t.staff_a, meeting=m, minutes="会议讨论了小区事务。")
    with pytest.raises(ValidationFailed, match="没有结果"):
        services.meeting_publish(actor=t.staff_a, meeting=m)
    services.item_solve(actor=t.staff_a, item=item, resolution="已解决")
    m = services.meeting_publish(actor=t.staff_a, meeting=m)
    assert m.status == MeetingStatus.PUBLISHED and m.published_at
    with pytest.raises(Conflict):
        services.item_add(actor=t.staff_a, meeting=m, origin="staff", title="late")
    with pytest.raises(Conflict):
        services.meeting_record(actor=t.staff_a, meeting=m, minutes="changed")


def test_item_shows_the_live_case_status_until_resolved(world, client):
    t = world.tiny
    m = world.meeting()
    item = services.item_add(actor=t.staff_a, meeting=m, origin="staff", title="单元门禁损坏")
    item = services.item_commit(
        actor=t.staff_a,
        item=item,
        deadline=world.tomorrow,
        matter=world.item_facility,
        grid=t.grid_a1,
        owner_unit=world.company_a,
    )
    services.meeting_record(actor=t.staff_a, meeting=m, minutes="纪要")
    services.meeting_publish(actor=t.staff_a, meeting=m)
    page = client.get(f"/participation/public/meetings/{m.pk}/").content.decode()
    assert "办理中" in page and "东门红色物业" in page
    case = case_services.case_transition(actor=world.company_user, case=item.case, action="start")
    case_services.case_transition(
        actor=world.company_user, case=case, action="resolve", note="已修好"
    )
    item = AgendaItem.objects.select_related("case").get(pk=item.pk)
    assert item.case_done
    page = client.get(f"/participation/public/meetings/{m.pk}/").content.decode()
    assert "已办结" in page


def test_public_page_has_no_personal_data_and_hides_unpublished(world, client):
    t = world.tiny
    m = world.meeting()
    p = services.proposal_record(
        actor=t.staff_a, area=t.community_a, proposer_name="张秘密", title="公共议题", text="内容"
    )
    item = services.item_add(actor=t.staff_a, meeting=m, origin="proposal", proposal=p)
    services.invitee_add(actor=t.staff_a, meeting=m, kind="resident", name="赵隐私")
    assert client.get(f"/participation/public/meetings/{m.pk}/").status_code == 404
    services.item_solve(actor=t.staff_a, item=item, resolution="已协调")
    services.meeting_record(actor=t.staff_a, meeting=m, minutes="纪要里有 张秘密 的名字")
    services.meeting_publish(actor=t.staff_a, meeting=m)
    page = client.get(f"/participation/public/meetings/{m.pk}/").content.decode()
    assert "公共议题" in page and "已协调" in page
    assert "张秘密" not in page and "赵隐私" not in page
    listing = client.get(f"/participation/public/communities/{t.community_a.pk}/").content.decode()
    assert m.title in listing
    assert (
        m.title in client.get("/participation/public/").content.decode()
        or t.community_a.name in client.get("/participation/public/").content.decode()
    )


def test_meeting_figures_per_area_and_period(world):
    t = world.tiny
    m = world.meeting()
    a = services.item_add(actor=t.staff_a, meeting=m, origin="staff", title="a")
    b = services.item_add(actor=t.staff_a, meeting=m, origin="staff", title="b")
    c = services.item_add(actor=t.staff_a, meeting=m, origin="staff", title="c")
    services.item_solve(actor=t.staff_a, item=a, resolution="ok")
    b = services.item_commit(
        actor=t.staff_a,
        item=b,
        deadline=world.tomorrow,
        matter=world.item_facility,
        grid=t.grid_a1,
        owner_unit=world.company_a,
    )
    services.item_commit(
        actor=t.staff_a,
        item=c,
        deadline=world.tomorrow,
        matter=world.item_facility,
        grid=t.grid_a1,
        owner_area=t.community_a,
    )
    services.meeting_sign_in(actor=t.staff_a, meeting=m, present_ids=[], walk_ins=12)
    services.meeting_record(actor=t.staff_a, meeting=m, minutes="纪要")
    case = case_services.case_transition(actor=world.company_user, case=b.case, action="start")
    case_services.case_transition(actor=world.company_user, case=case, action="resolve", note="ok")
    # a second meeting in B, and a scheduled (not held) one in A
    mb = world.meeting(actor=t.staff_b, area=t.community_b, compound=world.compound_b, title="西门")
    services.meeting_record(actor=t.staff_b, meeting=mb, minutes="纪要")
    world.meeting(title="未召开")
    now = timezone.now()
    start, end = now - dt.timedelta(days=1), now + dt.timedelta(days=1)
    total, rows = selectors.meeting_figures(
        user=t.street_staff, root=t.street, start=start, end=end
    )
    assert (total.held, total.coordinated, total.solved, total.committed, total.committed_done) == (
        2,
        3,
        1,
        2,
        1,
    )
    by = {r.name: r for r in rows}
    assert by["东门社区"].held == 1 and by["东门社区"].attendees == 12
    assert by["西门社区"].held == 1 and by["西门社区"].coordinated == 0
    # staff of A sees only A's meetings even when asking about the street
    total_a, _rows = selectors.meeting_figures(
        user=t.staff_a, root=t.community_a, start=start, end=end
    )
    assert total_a.held == 1
    old = selectors.meeting_figures(
        user=t.street_staff, root=t.street, start=start - dt.timedelta(days=60), end=start
    )[0]
    assert old.held == 0
