from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.cases.models import Case
from civicgrid.core.errors import NotFound, PermissionDenied, ValidationFailed
from civicgrid.orgs.choices import OrgKind, Role, UnitKind
from civicgrid.orgs.models import PartyOrganization, Unit
from civicgrid.party.choices import PointsEvent
from civicgrid.party.models import PointsEntry
from civicgrid.patrols import selectors, services
from civicgrid.patrols.models import ContactVisitCase, CoverageFlag, MobileReport, PartyInstructor
from civicgrid.people.models import PartyMember
from civicgrid.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tiny):
    class P:
        org_dept = make_user(Role.ORG_DEPARTMENT, area=tiny.county, username="orgdept")
        leader = make_user(Role.LEADER, area=tiny.county, username="leader1")
        leader2 = make_user(Role.LEADER, area=tiny.street, username="leader2")
        org_dept_b = make_user(Role.ORG_DEPARTMENT, area=tiny.community_b, username="orgdept_b")

    return P


# ------------------------------------------------------------------ contact points
def test_contacts_overdue_scoped_and_opinions(tiny, people):
    today = dt.date(2026, 6, 30)
    a1 = services.contact_assign(
        actor=people.org_dept,
        leader=people.leader,
        cadence=3,
        since=dt.date(2026, 1, 1),
        target_area=tiny.community_a,
    )
    a2 = services.contact_assign(
        actor=people.org_dept,
        leader=people.leader,
        cadence=1,
        since=dt.date(2026, 6, 15),
        target_area=tiny.community_b,
    )
    a3 = services.contact_assign(
        actor=people.org_dept,
        leader=people.leader2,
        cadence=3,
        since=dt.date(2026, 1, 1),
        target_area=tiny.community_b,
    )
    services.contact_visit_record(
        actor=people.leader,
        assignment=a1,
        visited_on=dt.date(2026, 2, 1),
        met_with="社区两委",
        heard="充电难",
        opinions=["加装充电桩", "路灯坏了"],
        opinions_count=120,
    )
    rows = {r.pk: r for r in selectors.contact_list(user=people.leader, today=today)}
    assert set(rows) == {a1.pk, a2.pk}  # a leader sees only their own
    assert rows[a1.pk].due_on == dt.date(2026, 5, 1) and rows[a1.pk].overdue
    assert rows[a2.pk].due_on == dt.date(2026, 7, 15) and not rows[a2.pk].overdue
    assert rows[a1.pk].opinions_n == 120
    assert {r.pk for r in selectors.contact_list(user=people.org_dept, today=today)} == {
        a1.pk,
        a2.pk,
        a3.pk,
    }
    assert {r.pk for r in selectors.contact_list(user=people.org_dept_b, today=today)} == {
        a2.pk,
        a3.pk,
    }
    assert selectors.contact_list(user=tiny.staff_a) == []
    assert selectors.contact_get(user=people.leader2, pk=a1.pk) is None
    summary = selectors.opinions_summary(user=people.org_dept, start=dt.date(2026, 1, 1), end=today)
    assert summary[0]["opinions"] == 120 and summary[0]["leader_id"] == people.leader.pk
    assert (
        selectors.opinions_summary(user=people.leader2, start=dt.date(2026, 1, 1), end=today) == []
    )


def test_contact_rules(tiny, people):
    with pytest.raises(PermissionDenied):
        services.contact_assign(
            actor=people.leader,
            leader=people.leader,
            cadence=3,
            since=dt.date(2026, 1, 1),
            target_area=tiny.community_a,
        )
    with pytest.raises(ValidationFailed):
        services.contact_assign(
            actor=people.org_dept,
            leader=tiny.staff_a,
            cadence=3,
            since=dt.date(2026, 1, 1),
            target_area=tiny.community_a,
        )
    with pytest.raises(NotFound):
        services.contact_assign(
            actor=people.org_dept_b,
            leader=people.leader,
            cadence=3,
            since=dt.date(2026, 1, 1),
            target_area=tiny.community_a,
        )
    a = services.contact_assign(
        actor=people.org_dept,
        leader=people.leader,
        cadence=3,
        since=dt.date(2026, 1, 1),
        target_area=tiny.community_a,
    )
    with pytest.raises(NotFound):  # another leader cannot log a visit on it
        services.contact_visit_record(
            actor=people.leader2,
            assignment=a,
            visited_on=dt.date(2026, 2, 1),
            met_with="x",
            heard="y",
        )
    with pytest.raises(ValidationFailed) as exc:
        services.contact_visit_record(
            actor=people.leader,
            assignment=a,
            visited_on=dt.date(2026, 2, 1),
            met_with="",
            heard="y",
            opinions=["a", "b"],
            opinions_count=1,
        )
    assert set(exc.value.details) == {"met_with", "opinions_count"}
    assert not a.visits.exists()


def test_a_problem_on_a_leader_visit_becomes_a_linked_case(tiny, people, item):
    firm = Unit.objects.create(
        name="某科技公司", kind=UnitKind.FIRM, area=tiny.community_a, grid=tiny.grid_a2
    )
    a = services.contact_assign(
        actor=people.org_dept,
        leader=people.leader,
        cadence=1,
        since=dt.date(2026, 1, 1),
        target_unit=firm,
    )
    assert a.area_id == tiny.community_a.pk
    visit = services.contact_visit_record(
        actor=people.leader,
        assignment=a,
        visited_on=dt.date(2026, 2, 1),
        met_with="企业负责人",
        heard="门前道路破损",
    )
    case = services.contact_visit_raise_case(
        actor=people.leader,
        visit=visit,
        item=item,
        text="企业门前道路破损需修复",
        idempotency_key="k1",
    )
    again = services.contact_visit_raise_case(
        actor=people.leader,
        visit=visit,
        item=item,
        text="企业门前道路破损需修复",
        idempotency_key="k1",
    )
    assert case.pk == again.pk
    assert case.source == "leader_visit" and case.grid_id == tiny.grid_a2.pk
    assert case.handler_area_id or case.handler_unit_id  # routed to an owner
    assert ContactVisitCase.objects.get().case_id == case.pk
    with pytest.raises(ValidationFailed):  # a grid outside the contact point
        services.contact_visit_raise_case(
            actor=people.leader, visit=visit, item=item, text="别处的问题", grid=tiny.grid_b1
        )
    assert Case.objects.count() == 1


# ------------------------------------------------------------------ 两个覆盖
def _members(tiny, unit, n, org):
    for i in range(n):
        PartyMember.objects.create(
            name=f"{unit.name}党员{i}", gender="M", organization=org, area=unit.area, work_unit=unit
        )


def test_coverage_flags_rates_and_auto_closure(tiny, people, branch):
    firm3 = Unit.objects.create(name="三人企业", kind=UnitKind.FIRM, area=tiny.community_a)
    firm2 = Unit.objects.create(name="两人企业", kind=UnitKind.FIRM, area=tiny.community_a)
    social = Unit.objects.create(name="某协会", kind=UnitKind.SOCIAL_ORG, area=tiny.community_b)
    Unit.objects.create(name="无党员企业", kind=UnitKind.FIRM, area=tiny.community_b)
    school = Unit.objects.create(name="学校", kind=UnitKind.SCHOOL, area=tiny.community_a)
    _members(tiny, firm3, 3, branch)
    _members(tiny, firm2, 2, branch)
    _members(tiny, social, 4, branch)
    _members(tiny, school, 5, branch)  # not a firm: never flagged
    PartyOrganization.objects.create(
        name="某协会党支部", kind=OrgKind.UNIT_ORGANIZATION, area=tiny.community_b, unit=social
    )
    assert services.coverage_check() == (1, 0)
    assert services.coverage_check() == (0, 0)  # idempotent
    flag = CoverageFlag.objects.get()
    assert flag.unit_id == firm3.pk and flag.status == "open" and flag.members_count == 3
    rates = selectors.coverage_rates(user=people.org_dept)
    t = rates["total"]
    assert (t.units, t.eligible, t.organised, t.worked) == (4, 2, 1, 3)
    assert t.org_rate == 50.0 and t.work_rate == 75.0
    kinds = {r.key: r for r in rates["kinds"]}
    assert (kinds["firm"].units, kinds["firm"].eligible, kinds["firm"].organised) == (3, 1, 0)
    assert len(rates["streets"]) == 1 and rates["streets"][0].label == tiny.street.name
    # an instructor sent to the firm without members counts for work coverage
    empty = Unit.objects.get(name="无党员企业")
    PartyInstructor.objects.create(
        unit=empty, area=empty.area, name="指导员", appointed_on=dt.date(2026, 1, 1)
    )
    assert selectors.coverage_rates(user=people.org_dept)["total"].worked == 4
    # scoped: community B's org department sees B's units only
    only_b = selectors.coverage_rates(user=people.org_dept_b)["total"]
    assert only_b.units == 2
    assert list(selectors.coverage_flags(user=people.org_dept_b)) == []
    assert list(selectors.coverage_flags(user=tiny.staff_a)) == [flag]
    # an organisation is set up: the re-check closes the flag
    org = PartyOrganization.objects.create(
        name="三人企业党支部", kind=OrgKind.UNIT_ORGANIZATION, area=tiny.community_a, unit=firm3
    )
    assert services.coverage_check() == (0, 1)
    flag.refresh_from_db()
    assert flag.status == "closed" and flag.organization_id == org.pk and flag.closed_on
    with pytest.raises(ValidationFailed):
        services.coverage_flag_update(actor=tiny.staff_a, flag=flag, owner=tiny.staff_a)


def test_flag_update_is_scoped(tiny, branch):
    firm = Unit.objects.create(name="三人企业", kind=UnitKind.FIRM, area=tiny.community_a)
    _members(tiny, firm, 3, branch)
    services.coverage_check()
    flag = CoverageFlag.objects.get()
    with pytest.raises(NotFound):
        services.coverage_flag_update(actor=tiny.staff_b, flag=flag, owner=tiny.staff_b)
    services.coverage_flag_update(
        actor=tiny.staff_a, flag=flag, owner=tiny.staff_a, deadline=dt.date(2026, 9, 1)
    )
    flag.refresh_from_db()
    assert flag.owner_id == tiny.staff_a.pk and flag.deadline == dt.date(2026, 9, 1)


# ------------------------------------------------------------------ gig workers
@pytest.fixture
def sector_branch(tiny):
    from civicgrid.orgs import services as org_services

    county = org_services.party_organization_create(
        actor=None, name="县委", kind=OrgKind.COUNTY_COMMITTEE, area=tiny.county
    )
    committee = org_services.party_organization_create(
        actor=None,
        name="快递行业党委",
        parent=county,
        kind=OrgKind.SECTOR_COMMITTEE,
        area=tiny.county,
    )
    depot = Unit.objects.create(name="某快递网点", kind=UnitKind.FIRM, area=tiny.community_a)
    return org_services.party_organization_create(
        actor=None,
        name="某快递网点党支部",
        kind=OrgKind.UNIT_ORGANIZATION,
        parent=committee,
        area=tiny.community_a,
        unit=depot,
    )


def test_gig_profile_and_mobile_report_points_once(tiny, branch, sector_branch, item):
    rider = make_user(username="rider")
    member = PartyMember.objects.create(
        name="骑手党员",
        gender="M",
        organization=branch,
        area=tiny.community_a,
        grid=tiny.grid_a1,
        user=rider,
    )
    with pytest.raises(PermissionDenied):
        services.mobile_report(actor=rider, item=item, text="井盖缺失", lon=114.005, lat=23.005)
    with pytest.raises(ValidationFailed):  # a grid branch is no sector organisation
        services.gig_profile_save(
            actor=tiny.staff_a,
            member=member,
            platform="美团",
            sector="rider",
            sector_organization=branch,
        )
    with pytest.raises(NotFound):
        services.gig_profile_save(
            actor=tiny.staff_b,
            member=member,
            platform="美团",
            sector="rider",
            sector_organization=sector_branch,
        )
    profile = services.gig_profile_save(
        actor=tiny.staff_a,
        member=member,
        platform="美团",
        sector="rider",
        sector_organization=sector_branch,
    )
    case = services.mobile_report(
        actor=rider,
        item=item,
        text="路口井盖缺失",
        lon=114.015,
        lat=23.005,
        idempotency_key="gig-1",
    )
    again = services.mobile_report(
        actor=rider,
        item=item,
        text="路口井盖缺失",
        lon=114.015,
        lat=23.005,
        idempotency_key="gig-1",
    )
    assert case.pk == again.pk and case.source == "gig_worker" and case.grid_id == tiny.grid_a2.pk
    assert MobileReport.objects.get().profile_id == profile.pk
    entries = PointsEntry.objects.filter(event=PointsEvent.MOBILE_REPORT)
    assert entries.count() == 1 and entries.get().member_id == member.pk
    assert list(selectors.gig_ledger(user=tiny.staff_a)) == [profile]
    assert list(selectors.gig_ledger(user=tiny.staff_b)) == []
