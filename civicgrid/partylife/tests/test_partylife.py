"""Smart party building: dues per bracket, arrears, meetings and points, training shortfall,
star thresholds and the computation, warnings raised / cleared / raised again, rectification."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.partylife import rules, selectors, services
from civicgrid.partylife.choices import WarningKind, WarningState, stars_for
from civicgrid.partylife.models import OrgWarning

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.mark.parametrize(
    "category, income, dues",
    [
        ("employed", "0", "0.00"),
        ("employed", "2000", "10.00"),
        ("employed", "3000", "15.00"),  # ≤3000 inclusive: 0.5 %
        ("employed", "3000.01", "30.00"),  # above 3000: 1 % of the whole income
        ("employed", "5000", "50.00"),
        ("employed", "5000.01", "75.00"),  # 1.5 %
        ("employed", "10000", "150.00"),
        ("employed", "10000.01", "200.00"),  # 2 %
        ("employed", "23456.78", "469.14"),
        ("employed", "3333.33", "33.33"),
        ("employed", "2999.99", "15.00"),  # 14.99995 rounds half up to the fen
        ("retired", "4000", "20.00"),  # ≤5000: 0.5 %
        ("retired", "5000", "25.00"),
        ("retired", "5000.01", "50.00"),  # above 5000: 1 %
        ("retired", "12000", "120.00"),
        ("student", "0", "0.20"),
        ("unemployed", "1500", "0.20"),
        ("low_income", "800", "0.20"),
    ],
)
def test_dues_brackets(category, income, dues):
    assert rules.dues_monthly(category, D(income)) == D(dues)


def test_months_arithmetic():
    assert rules.add_months(dt.date(2026, 11, 1), 3) == dt.date(2027, 2, 1)
    assert rules.add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert rules.last_complete_period("quarterly", dt.date(2026, 5, 20)) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 4, 1),
    )
    assert rules.last_complete_period("monthly", dt.date(2026, 1, 3)) == (
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
    )


def test_arrears_per_member(world):
    m = world.reg.member_a
    services.dues_base_declare(
        actor=world.tiny.staff_a,
        member=m,
        since=dt.date(2026, 1, 15),
        category="employed",
        monthly_income=D("4000"),
    )
    for month in (1, 2, 4):
        services.dues_pay(
            actor=world.tiny.staff_a,
            member=m,
            month=dt.date(2026, month, 1),
            paid_on=dt.date(2026, month, 10),
        )
    status = rules.dues_status([m.pk], dt.date(2026, 7, 10))[m.pk]
    # due Jan–Jun (July may still be paid until its end); paid Jan, Feb, Apr
    assert status.monthly == D("40.00")
    assert status.arrears_months == [dt.date(2026, 3, 1), dt.date(2026, 5, 1), dt.date(2026, 6, 1)]
    assert status.arrears_count == 3
    with pytest.raises(Conflict):
        services.dues_pay(actor=world.tiny.staff_a, member=m, month=dt.date(2026, 1, 1))
    with pytest.raises(ValidationFailed):  # less than due
        services.dues_pay(
            actor=world.tiny.staff_a, member=m, month=dt.date(2026, 3, 1), amount="39.99"
        )
    with pytest.raises(ValidationFailed):  # no base before January
        services.dues_pay(actor=world.tiny.staff_a, member=m, month=dt.date(2025, 12, 1))
    with pytest.raises(NotFound):  # community B's staff cannot even see the member
        services.dues_pay(actor=world.tiny.staff_b, member=m, month=dt.date(2026, 3, 1))
    # a new base from a later month changes the amount due from then on
    services.dues_base_declare(
        actor=world.tiny.staff_a,
        member=m,
        since=dt.date(2026, 5, 1),
        category="employed",
        monthly_income=D("8000"),
    )
    assert rules.dues_for_month(m.pk, dt.date(2026, 3, 1)) == D("40.00")
    assert rules.dues_for_month(m.pk, dt.date(2026, 5, 1)) == D("120.00")


def test_meeting_awards_points_to_those_present(world):
    from civicgrid.party.models import PointsEntry

    org = world.reg.branch_a1
    m = world.reg.member_a
    meeting = services.meeting_record(
        actor=world.tiny.staff_a,
        organization=org,
        kind="branch_committee",
        held_on=dt.date(2026, 11, 5),
        topic="学习二十届四中全会精神",
        attendance={m.pk: "present"},
    )
    assert (
        PointsEntry.objects.filter(
            event="org_life_attended", member=m, source_key=f"partylife.meeting:{meeting.pk}"
        ).count()
        == 1
    )
    with pytest.raises(ValidationFailed):  # member_b is not in this branch
        services.meeting_record(
            actor=world.tiny.staff_a,
            organization=org,
            kind="branch_committee",
            held_on=dt.date(2026, 11, 5),
            topic="x",
            attendance={world.reg.member_b.pk: "present"},
        )
    with pytest.raises(NotFound):
        services.meeting_record(
            actor=world.tiny.staff_b,
            organization=org,
            kind="party_lecture",
            held_on=dt.date(2026, 11, 5),
            topic="x",
            attendance={},
        )
    with pytest.raises(PermissionDenied):  # a part-time grid worker may look, not write
        services.meeting_record(
            actor=world.tiny.parttime_a1,
            organization=org,
            kind="party_lecture",
            held_on=dt.date(2026, 11, 5),
            topic="x",
            attendance={},
        )


def test_training_hours_and_who_is_short(world):
    from civicgrid.party.models import PointsEntry

    m = world.reg.member_a
    services.training_record(
        actor=world.tiny.staff_a, member=m, taken_on=dt.date(2026, 3, 1), title="党课", hours="20"
    )
    services.training_record(
        actor=world.tiny.staff_a,
        member=m,
        taken_on=dt.date(2026, 6, 1),
        title="网络学习",
        hours="4.5",
        kind="online",
    )
    with pytest.raises(ValidationFailed):
        services.training_record(
            actor=world.tiny.staff_a, member=m, taken_on=dt.date(2026, 6, 1), title="x", hours="0"
        )
    rows = selectors.org_members(
        user=world.tiny.staff_a, org=world.reg.branch_a1, year=2026, today=dt.date(2026, 12, 31)
    )
    assert [(r.member, r.hours, r.short) for r in rows] == [(m, D("24.5"), D("7.5"))]
    assert PointsEntry.objects.filter(event="training_completed", member=m).count() == 2
    # pro rata within the year: by the end of June 16 hours are required
    assert rules.required_hours(2026, dt.date(2026, 6, 30)) == D("16.0")
    assert rules.required_hours(2025, dt.date(2026, 6, 30)) == D("32")


@pytest.mark.parametrize(
    "total, stars",
    [
        (100, 5),
        (90, 5),
        (89.99, 4),
        (80, 4),
        (79.9, 3),
        (70, 3),
        (69, 2),
        (60, 2),
        (59.99, 1),
        (0, 1),
    ],
)
def test_star_thresholds(total, stars):
    assert stars_for(D(str(total))) == stars


def _full_year(world, org, member, year=2025, meet=True, pay=True, hours="32"):
    actor = world.tiny.staff_a
    if meet:
        for month in range(1, 13):
            services.meeting_record(
                actor=actor,
                organization=org,
                kind="branch_committee",
                held_on=dt.date(year, month, 10),
                topic="支委会",
                attendance={member.pk: "present"},
            )
            if month % 3 == 1:
                for kind in ("general_meeting", "party_lecture"):
                    services.meeting_record(
                        actor=actor,
                        organization=org,
                        kind=kind,
                        held_on=dt.date(year, month, 12),
                        topic=kind,
                        attendance={member.pk: "present"},
                    )
    services.dues_base_declare(
        actor=actor,
        member=member,
        since=dt.date(year, 1, 1),
        category="retired",
        monthly_income=4000,
    )
    if pay:
        for month in range(1, 13):
            services.dues_pay(
                actor=actor,
                member=member,
                month=dt.date(year, month, 1),
                paid_on=dt.date(year, month, 5),
            )
    services.training_record(
        actor=actor, member=member, taken_on=dt.date(year, 5, 5), title="培训", hours=hours
    )


def test_star_rating_computed_from_the_criteria(world):
    org, m = world.reg.branch_a1, world.reg.member_a
    _full_year(world, org, m, hours="16")
    today = dt.date(2026, 2, 1)
    rating = services.star_rating_compute(
        actor=world.tiny.staff_a, organization=org, year=2025, today=today
    )
    # org life 30, dues 25, training 16/32 of 20 = 10, participation: attendance 100 % and the
    # points ledger (every member earned points in 2025) → 15; manual 0 → 80 = four stars
    assert rating.scores == {
        "org_life": 30.0,
        "dues": 25.0,
        "training": 10.0,
        "participation": 15.0,
        "manual": 0.0,
    }
    assert rating.total == D("80.00") and rating.stars == 4
    with pytest.raises(PermissionDenied):  # the manual criterion is the organisation department's
        services.star_rating_compute(
            actor=world.tiny.staff_a, organization=org, year=2025, manual_score=10, today=today
        )
    with pytest.raises(ValidationFailed):
        services.star_rating_compute(
            actor=world.orgdept, organization=org, year=2025, manual_score=11, today=today
        )
    rating = services.star_rating_compute(
        actor=world.orgdept,
        organization=org,
        year=2025,
        manual_score=10,
        manual_note="获评先进基层党组织",
        today=today,
    )
    assert rating.total == D("90.00") and rating.stars == 5
    # recomputing keeps the manual score
    rating = services.star_rating_compute(
        actor=world.tiny.staff_a, organization=org, year=2025, today=today
    )
    assert rating.stars == 5 and rating.manual_note == "获评先进基层党组织"


def test_star_rating_of_a_neglected_organisation(world):
    org, m = world.reg.branch_a1, world.reg.member_a
    _full_year(world, org, m, meet=False, pay=False, hours="0.5")
    rating = services.star_rating_compute(
        actor=world.tiny.staff_a, organization=org, year=2025, today=dt.date(2026, 2, 1)
    )
    assert rating.scores["org_life"] == 0 and rating.scores["dues"] == 0
    assert rating.stars == 1


def _active(org):
    return {
        w.kind: w
        for w in OrgWarning.objects.filter(organization=org, state__in=["open", "rectifying"])
    }


def test_warnings_raised_and_cleared(world):
    org, m = world.reg.branch_a1, world.reg.member_a
    staff = world.tiny.staff_a
    services.dues_base_declare(
        actor=staff, member=m, since=dt.date(2026, 1, 1), category="employed", monthly_income=5000
    )
    today = dt.date(2026, 6, 15)
    raised, cleared = services.warnings_scan(actor=staff, today=today, organizations=[org])
    assert raised == 3 and cleared == 0
    active = _active(org)
    assert set(active) == {
        WarningKind.MISSED_MEETINGS,
        WarningKind.NO_MEETING,
        WarningKind.DUES_ARREARS,
    }
    assert "支部委员会(2026-05)" in active[WarningKind.MISSED_MEETINGS].detail
    # scanning again raises nothing new
    assert services.warnings_scan(actor=staff, today=today, organizations=[org]) == (0, 0)
    # the branch meets, the member pays: the conditions are gone and the warnings clear
    services.meeting_record(
        actor=staff,
        organization=org,
        kind="branch_committee",
        held_on=dt.date(2026, 5, 20),
        topic="x",
        attendance={m.pk: "absent"},
    )
    for kind in ("general_meeting", "party_lecture"):
        services.meeting_record(
            actor=staff,
            organization=org,
            kind=kind,
            held_on=dt.date(2026, 2, 20),
            topic="x",
            attendance={m.pk: "absent"},
        )
    for month in range(1, 6):
        services.dues_pay(actor=staff, member=m, month=dt.date(2026, month, 1), paid_on=today)
    raised, cleared = services.warnings_scan(actor=staff, today=today, organizations=[org])
    # ... but nobody attended: participation is low now
    assert (raised, cleared) == (1, 3)
    assert set(_active(org)) == {WarningKind.LOW_PARTICIPATION}
    assert OrgWarning.objects.filter(organization=org, state=WarningState.CLEARED).count() == 3


def test_rectification_flow_and_reappearance(world):
    org = world.reg.branch_a1
    staff = world.tiny.staff_a
    today = dt.date(2026, 6, 15)
    services.warnings_scan(actor=staff, today=today, organizations=[org])
    w = _active(org)[WarningKind.NO_MEETING]
    with pytest.raises(ValidationFailed):  # the owner must be able to act on the organisation
        services.rectification_open(
            actor=staff,
            warning=w,
            issue="未开展组织生活",
            owner=world.tiny.staff_b,
            deadline=dt.date(2099, 1, 1),
        )
    with pytest.raises(NotFound):
        services.rectification_open(
            actor=world.tiny.staff_b,
            warning=w,
            issue="x",
            owner=staff,
            deadline=dt.date(2099, 1, 1),
        )
    rect = services.rectification_open(
        actor=world.tiny.street_staff,
        warning=w,
        issue="三个月未开展组织生活",
        owner=staff,
        deadline=dt.date(2099, 1, 1),
    )
    w.refresh_from_db()
    assert w.state == WarningState.RECTIFYING
    with pytest.raises(Conflict):
        services.rectification_open(
            actor=staff, warning=w, issue="x", owner=staff, deadline=dt.date(2099, 1, 1)
        )
    services.rectification_note(actor=staff, rectification=rect, text="已制定年度组织生活计划")
    # while rectifying, a scan neither clears nor duplicates it
    services.warnings_scan(actor=staff, today=today, organizations=[org])
    assert OrgWarning.objects.filter(organization=org, kind=WarningKind.NO_MEETING).count() == 1
    with pytest.raises(ValidationFailed):
        services.rectification_close(actor=staff, rectification=rect, evidence="  ")
    services.rectification_close(
        actor=staff, rectification=rect, evidence="6 月 20 日支委会纪要及照片"
    )
    w.refresh_from_db()
    assert w.state == WarningState.CLOSED
    with pytest.raises(Conflict):
        services.rectification_note(actor=staff, rectification=rect, text="x")
    # the condition persists (no meeting recorded): the warning reappears, second time
    services.warnings_scan(actor=staff, today=today, organizations=[org])
    again = _active(org)[WarningKind.NO_MEETING]
    assert again.pk != w.pk and again.recurrence == 2 and again.state == WarningState.OPEN
