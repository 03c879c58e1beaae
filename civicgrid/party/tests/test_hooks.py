"""Points written where their cause happens: case reported, fixed on the spot, found invalid;
visits. Each in the transaction of its cause."""

from __future__ import annotations

import pytest

from civicgrid.cases import services as case_services
from civicgrid.core.errors import ValidationFailed
from civicgrid.party.choices import PointsEvent
from civicgrid.party.models import PointsEntry
from civicgrid.party.points import points_balance
from civicgrid.people import services as people_services
from civicgrid.people.models import InformationOfficer

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(reg, loop):
    """Grid worker A1's login is also an information officer."""
    return InformationOfficer.objects.create(
        resident=reg.resident_a2,
        central_household=reg.member_a,
        user=loop.worker_a1,
        area=loop.community_a,
        grid=loop.grid_a1,
    )


def _report(loop, actor, **kw):
    return case_services.case_create(
        actor=actor,
        item=loop.item_community,
        text="楼道堆放杂物",
        grid=loop.grid_a1,
        **{"source": "resident", **kw},
    )


def test_a_case_reported_by_a_member_earns_points_once(reg, loop):
    case = _report(loop, reg.member_a_user)
    entry = PointsEntry.objects.get(member=reg.member_a)
    assert (entry.event, entry.source_key, entry.points) == (
        PointsEvent.CASE_REPORTED,
        f"cases.case:{case.pk}",
        2,
    )
    # Later steps of the same case do not award reporting again.
    case_services.case_transition(actor=loop.staff_a, case=case, action="accept")
    assert PointsEntry.objects.filter(member=reg.member_a).count() == 1


def test_anonymous_staff_and_imported_reports_earn_nothing(reg, loop):
    _report(loop, reg.member_a_user, anonymous=True)
    _report(loop, loop.staff_a)  # staff who is no member
    _report(loop, reg.member_a_user, source="hotline")  # the importer is not the caller
    assert not PointsEntry.objects.exists()


def test_an_invalid_case_has_its_points_reversed(reg, loop):
    case = _report(loop, reg.member_a_user)
    assert points_balance(member=reg.member_a) == 2
    case_services.case_transition(
        actor=loop.staff_a, case=case, action="invalidate", note="重复上报"
    )
    assert points_balance(member=reg.member_a) == 0
    reversal = PointsEntry.objects.get(member=reg.member_a, points=-2)
    assert "重复上报" in reversal.note and reversal.reverses.source_key == f"cases.case:{case.pk}"


def test_fixed_on_the_spot_earns_both_for_an_officer(reg, loop, officer):
    case = case_services.case_quick_handle(
        actor=loop.worker_a1,
        item=loop.item_community,
        text="井盖松动",
        note="已当场固定",
        grid=loop.grid_a1,
    )
    events = sorted(PointsEntry.objects.filter(officer=officer).values_list("event", flat=True))
    assert events == [PointsEvent.CASE_FIXED_ON_SPOT, PointsEvent.CASE_REPORTED]
    assert points_balance(officer=officer) == 5
    assert case.status == "resolved"


def test_an_ordinary_resolve_is_not_on_the_spot(reg, loop, officer):
    case = _report(loop, loop.staff_a)
    for action, kw in (
        ("accept", {}),
        ("dispatch", {"to_area": loop.community_a}),
        ("start", {}),
        ("resolve", {"note": "已清理"}),
    ):
        case = case_services.case_transition(
            actor=loop.worker_a1 if action in ("start", "resolve") else loop.staff_a,
            case=case,
            action=action,
            **kw,
        )
    assert not PointsEntry.objects.filter(event=PointsEvent.CASE_FIXED_ON_SPOT).exists()


def test_a_visit_by_an_officer_earns_points_and_a_failed_visit_nothing(reg, loop, officer):
    visit = people_services.visit_record(
        actor=loop.worker_a1, resident=reg.resident_a, notes="上门走访"
    )
    entry = PointsEntry.objects.get(officer=officer, event=PointsEvent.VISIT_RECORDED)
    assert entry.source_key == f"people.visit:{visit.pk}"
    # The registry's own visit by community staff (no member, no officer) earned nothing.
    assert PointsEntry.objects.filter(event=PointsEvent.VISIT_RECORDED).count() == 1
    with pytest.raises(ValidationFailed):
        people_services.visit_record(actor=loop.worker_a1, resident=reg.resident_a, notes="")
    assert PointsEntry.objects.filter(event=PointsEvent.VISIT_RECORDED).count() == 1
