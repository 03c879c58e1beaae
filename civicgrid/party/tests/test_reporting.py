"""Dual reporting: the state machine, who may do what, receipts, history, scoping, reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.cases.models import Notification
from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.party import reporting, selectors
from civicgrid.party.choices import REPORT_TRANSITIONS, ReportStatus
from civicgrid.party.models import DualReport
from civicgrid.party.points import points_award

pytestmark = pytest.mark.django_db

ACTIONS = {
    "confirm": lambda r, a: reporting.report_confirm(actor=a, report=r),
    "return": lambda r, a: reporting.report_return(actor=a, report=r, reason="信息不全"),
    "withdraw": lambda r, a: reporting.report_withdraw(actor=a, report=r, reason="工作调动"),
}


def _submitted(reg, **kw):
    return reporting.report_submit(actor=reg.member_a_user, member=reg.member_a, **kw)


def _in_state(reg, status):
    report = _submitted(reg)
    staff = reg.tiny.staff_a
    if status == ReportStatus.CONFIRMED:
        report = reporting.report_confirm(actor=staff, report=report)
    elif status == ReportStatus.RETURNED:
        report = reporting.report_return(actor=staff, report=report, reason="x")
    elif status == ReportStatus.WITHDRAWN:
        report = reporting.report_withdraw(actor=staff, report=report, reason="x")
    elif status == ReportStatus.MOVED:
        reporting.report_move(actor=staff, report=report, community=reg.tiny.community_b)
        report.refresh_from_db()
    return report


def test_member_reports_to_their_residential_community_by_default(reg):
    report = _submitted(
        reg, skills="水电维修", services=["volunteer", "elderly"], availability="weekends"
    )
    assert report.community == reg.tiny.community_a
    assert report.status == ReportStatus.SUBMITTED
    assert report.grid_id == reg.member_a.grid_id
    assert [e.action for e in report.events.all()] == ["submit"]
    assert report.service_labels() == ["志愿服务", "助老帮困"]


@pytest.mark.parametrize("status", list(ReportStatus))
@pytest.mark.parametrize("action", ["confirm", "return", "withdraw", "move"])
def test_transition_table_is_enforced(reg, status, action):
    """Every action from every state: allowed ones lead where the table says, others are refused
    and change nothing."""
    report = _in_state(reg, status)
    sources, target = REPORT_TRANSITIONS[action]
    before = (report.status, report.events.count())

    def run():
        if action == "move":
            return reporting.report_move(
                actor=reg.tiny.street_staff, report=report, community=reg.tiny.community_b
            )
        return ACTIONS[action](report, reg.tiny.street_staff)

    if status in sources:
        run()
        report.refresh_from_db()
        assert report.status == target
        assert report.events.last().action == action
    else:
        with pytest.raises(Conflict):
            run()
        report.refresh_from_db()
        assert (report.status, report.events.count()) == before


def test_confirm_issues_numbered_receipts_per_community(reg):
    first = reporting.report_confirm(actor=reg.tiny.staff_a, report=_submitted(reg))
    unit_report = reporting.report_submit(actor=reg.unit_contact, unit=reg.unit_a)
    second = reporting.report_confirm(actor=reg.tiny.staff_a, report=unit_report)
    year = timezone.localtime().year
    assert first.receipt_number == f"HZ-{reg.tiny.community_a.code}-{year}-0001"
    assert second.receipt_number == f"HZ-{reg.tiny.community_a.code}-{year}-0002"
    assert Notification.objects.filter(
        user=reg.member_a_user, message__contains=first.receipt_number
    ).exists()
    assert Notification.objects.filter(
        user=reg.unit_contact, message__contains=second.receipt_number
    ).exists()


def test_only_the_communitys_staff_decide(reg):
    report = _submitted(reg)
    with pytest.raises(NotFound):  # community B's staff do not even see it
        reporting.report_confirm(actor=reg.tiny.staff_b, report=report)
    with pytest.raises(PermissionDenied):  # a grid worker sees it (their grid) but cannot decide
        reporting.report_confirm(actor=reg.tiny.worker_a1, report=report)
    with pytest.raises(NotFound):  # the member cannot confirm their own report
        reporting.report_confirm(actor=reg.member_a_user, report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert (
        reporting.report_confirm(actor=reg.tiny.street_staff, report=report).status
        == ReportStatus.CONFIRMED
    )


def test_nobody_reports_for_someone_else(reg):
    with pytest.raises(PermissionDenied):
        reporting.report_submit(actor=reg.member_b_user, member=reg.member_a)
    with pytest.raises(PermissionDenied):
        reporting.report_submit(actor=reg.member_a_user, unit=reg.unit_a)
    with pytest.raises(PermissionDenied):  # a unit contact only for their own unit
        reporting.report_submit(actor=reg.unit_contact, unit=reg.unit_b)
    # Community staff may register a report on the member's behalf.
    assert (
        reporting.report_submit(actor=reg.tiny.staff_a, member=reg.member_a).submitted_by
        == reg.tiny.staff_a
    )
    assert not DualReport.objects.filter(member=reg.member_b).exists()


def test_one_open_report_at_a_time_and_returned_may_report_again(reg):
    report = _submitted(reg)
    with pytest.raises(Conflict):
        _submitted(reg)
    reporting.report_return(actor=reg.tiny.staff_a, report=report, reason="请补充特长")
    again = _submitted(reg, skills="医护")
    assert again.pk != report.pk
    assert DualReport.objects.filter(member=reg.member_a).count() == 2


def test_reasons_are_required(reg):
    report = _submitted(reg)
    with pytest.raises(ValidationFailed):
        reporting.report_return(actor=reg.tiny.staff_a, report=report, reason="  ")
    with pytest.raises(ValidationFailed):
        reporting.report_withdraw(actor=reg.member_a_user, report=report, reason="")
    with pytest.raises(ValidationFailed):
        reporting.report_submit(
            actor=reg.member_b_user, member=reg.member_b, community=reg.tiny.street
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_move_keeps_history_and_starts_a_new_report(reg):
    report = reporting.report_confirm(actor=reg.tiny.staff_a, report=_submitted(reg, skills="法律"))
    new = reporting.report_move(
        actor=reg.member_a_user, report=report, community=reg.tiny.community_b, reason="搬家"
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.MOVED and report.receipt_number  # the old receipt stays
    assert new.moved_from == report and new.status == ReportStatus.SUBMITTED
    assert new.community == reg.tiny.community_b and new.skills == "法律"
    assert new.grid_id is None  # not the community the member lives in
    # Community B now confirms it; community A keeps the moved one in its history.
    assert (
        reporting.report_confirm(actor=reg.tiny.staff_b, report=new).status
        == ReportStatus.CONFIRMED
    )
    assert [r.pk for r in selectors.roster(user=reg.tiny.staff_a)] == [report.pk]
    assert [r.pk for r in selectors.roster(user=reg.tiny.staff_b)] == [new.pk]


def test_roster_is_scoped_to_the_community(reg):
    a = _submitted(reg)
    b = reporting.report_submit(actor=reg.member_b_user, member=reg.member_b)
    u = reporting.report_submit(actor=reg.unit_contact, unit=reg.unit_a)
    assert {r.pk for r in selectors.roster(user=reg.tiny.staff_a)} == {a.pk, u.pk}
    assert {r.pk for r in selectors.roster(user=reg.tiny.staff_b)} == {b.pk}
    assert {r.pk for r in selectors.roster(user=reg.tiny.street_staff)} == {a.pk, b.pk, u.pk}
    assert list(selectors.roster(user=reg.member_a_user)) == []  # a member is not staff
    # A filter naming the other community does not widen the scope.
    assert list(selectors.roster(user=reg.tiny.staff_a, community=reg.tiny.community_b)) == []
    with pytest.raises(NotFound):
        selectors.report_get(user=reg.tiny.staff_a, pk=b.pk)
    assert [r.pk for r in selectors.roster(user=reg.tiny.street_staff, kind="unit")] == [u.pk]


def test_roster_filters_by_willingness(reg):
    a = _submitted(reg, services=["legal"])
    reporting.report_submit(actor=reg.member_b_user, member=reg.member_b, services=["health"])
    assert [r.pk for r in selectors.roster(user=reg.tiny.street_staff, service="legal")] == [a.pk]


def test_inactive_members_and_reminders(reg, settings):
    settings.CIVICGRID_PARTY_INACTIVE_MONTHS = 2
    a = reporting.report_confirm(actor=reg.tiny.staff_a, report=_submitted(reg))
    b = reporting.report_confirm(
        actor=reg.tiny.staff_b,
        report=reporting.report_submit(actor=reg.member_b_user, member=reg.member_b),
    )
    old = timezone.now() - dt.timedelta(days=90)
    points_award(
        actor=None, event="activity_attended", member=reg.member_a, source="t:old", occurred_at=old
    )
    points_award(actor=None, event="activity_attended", member=reg.member_b, source="t:new")
    rows = list(selectors.inactive_members(user=reg.tiny.street_staff))
    assert [r.pk for r in rows] == [a.pk]
    assert rows[0].last_points_at is not None
    assert list(selectors.inactive_members(user=reg.tiny.staff_b)) == []  # scoped
    assert b.pk not in [r.pk for r in selectors.inactive_members(user=reg.tiny.staff_b)]
    with pytest.raises(NotFound):
        reporting.member_remind(actor=reg.tiny.staff_b, report=a)
    reporting.member_remind(actor=reg.tiny.staff_a, report=a)
    assert (
        Notification.objects.filter(user=reg.member_a_user, channel="app").count() == 2
    )  # receipt + remind
    assert Notification.objects.filter(channel="sms", recipient="7000").exists()
    assert selectors.inactive_members(user=reg.tiny.staff_a).first().last_reminded_at is not None


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirms_get_distinct_receipts_and_one_report_wins(reg):
    import threading

    from django.db import connection

    from civicgrid.people.models import PartyMember

    members = [
        PartyMember.objects.create(
            name=f"党员{i}",
            gender="M",
            organization=reg.branch_a1,
            area=reg.tiny.community_a,
            grid=reg.tiny.grid_a1,
        )
        for i in range(4)
    ]
    reports = [reporting.report_submit(actor=None, member=m) for m in members]
    barrier = threading.Barrier(len(reports) + 2)
    errors, conflicts = [], []

    def run(fn):
        try:
            barrier.wait()
            fn()
        except Conflict as exc:
            conflicts.append(exc)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    jobs = [lambda r=r: reporting.report_confirm(actor=reg.tiny.staff_a, report=r) for r in reports]
    # Two submissions for member A at the same moment: one is written, one is refused.
    jobs += [lambda: reporting.report_submit(actor=reg.member_a_user, member=reg.member_a)] * 2
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    numbers = list(
        DualReport.objects.exclude(receipt_number="").values_list("receipt_number", flat=True)
    )
    assert len(numbers) == 4 and len(set(numbers)) == 4
    assert DualReport.objects.filter(member=reg.member_a).count() == 1
    assert len(conflicts) == 1
