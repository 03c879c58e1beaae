"""Red property: compounds, inspections, the composite score, lists, export, and property
companies in the case loop (suggested handler, their own queue, the community watching)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.cases import selectors as case_selectors
from civicgrid.cases import services as case_services
from civicgrid.cases.choices import Status
from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.orgs.choices import Role, UnitKind
from civicgrid.orgs.models import Unit
from civicgrid.participation import assessment, routing, services
from civicgrid.participation.choices import ListKind
from civicgrid.participation.models import AssessmentResult, Inspection
from civicgrid.testing.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_grid_belongs_to_one_compound(world):
    t = world.tiny
    with pytest.raises(Conflict, match="已属于"):
        services.compound_save(
            actor=t.staff_a,
            name="新小区",
            community=t.community_a,
            households=10,
            grids=[t.grid_a1],
        )
    with pytest.raises(ValidationFailed, match="不在该社区"):
        services.compound_save(
            actor=t.staff_a,
            name="新小区",
            community=t.community_a,
            households=10,
            grids=[t.grid_b2],
        )
    with pytest.raises(ValidationFailed, match="物业公司"):
        services.compound_save(
            actor=t.staff_a,
            name="新小区",
            community=t.community_a,
            households=10,
            grids=[],
            company=Unit.objects.create(name="学校", kind=UnitKind.SCHOOL, area=t.community_a),
        )
    c = services.compound_save(
        actor=t.staff_a, name="新小区", community=t.community_a, households=10, grids=[t.grid_a2]
    )
    assert list(c.grid_links.values_list("grid_id", flat=True)) == [t.grid_a2.pk]


def test_inspection_scores_out_of_range_are_refused(world):
    t = world.tiny
    c1, c2, c3 = world.criteria
    with pytest.raises(ValidationFailed, match="0 到 20") as e:
        services.inspection_record(
            actor=t.staff_a,
            company=world.company_a,
            month=world.month,
            scores={c1.pk: 21, c2.pk: 10, c3.pk: 10},
        )
    assert f"c{c1.pk}" in e.value.details
    with pytest.raises(ValidationFailed):
        services.inspection_record(
            actor=t.staff_a,
            company=world.company_a,
            month=world.month,
            scores={c1.pk: -1, c2.pk: 10, c3.pk: 10},
        )
    with pytest.raises(ValidationFailed, match="必填"):
        services.inspection_record(
            actor=t.staff_a,
            company=world.company_a,
            month=world.month,
            scores={c1.pk: 5},
        )
    with pytest.raises(ValidationFailed, match="未来"):
        services.inspection_record(
            actor=t.staff_a,
            company=world.company_a,
            month=world.month + dt.timedelta(days=40),
            scores=world.full_scores(),
        )
    assert not Inspection.objects.exists()
    with pytest.raises(PermissionDenied):  # a company handler may see but not score itself
        services.inspection_record(
            actor=world.company_user,
            company=world.company_a,
            month=world.month,
            scores=world.full_scores(),
        )


def test_inspection_percent_uses_weights(world):
    t = world.tiny
    c1, c2, c3 = world.criteria  # max 20/20/30, weights 1 / 1.5 / 1
    i = services.inspection_record(
        actor=t.staff_a,
        company=world.company_a,
        month=world.month,
        scores={c1.pk: 20, c2.pk: 10, c3.pk: 15},
    )
    # (1×1 + 0.5×1.5 + 0.5×1) / 3.5 × 100 = 64.29
    assert i.score == Decimal("64.29")
    again = services.inspection_record(
        actor=t.staff_a, company=world.company_a, month=world.month, scores=world.full_scores()
    )
    assert again.pk == i.pk and again.score == Decimal("100.00") and again.scores.count() == 3


def _complaint(world, grid, item=None, actor=None):
    return case_services.case_create(
        actor=actor or world.tiny.worker_a1,
        item=item or world.item_facility,
        text="小区健身器材损坏",
        grid=grid,
    )


def test_composite_score_and_lists(world):
    t = world.tiny
    services.inspection_record(
        actor=t.staff_a, company=world.company_a, month=world.month, scores=world.full_scores()
    )
    services.inspection_record(
        actor=t.staff_b, company=world.company_b, month=world.month, scores=world.full_scores()
    )
    _complaint(world, t.grid_a1)  # A: 1 complaint / 200 households → 0.5 per 100 → 95
    _complaint(world, t.grid_a1, item=world.item_other)  # not a property matter: not counted
    for _ in range(3):
        _complaint(world, t.grid_b1, actor=t.staff_b)  # B: 3 / 100 → 3 per 100 → 70
    _complaint(world, t.grid_b2, actor=t.staff_b)  # B2 is in no compound: not counted
    rows = assessment.compute(area=t.county, month=world.month)
    by = {r.name: r for r in rows}
    a, b = by["东门红色物业"], by["西门物业"]
    assert (a.complaints, a.complaint_score, a.composite) == (1, Decimal("95.00"), Decimal("98.00"))
    assert (b.complaints, b.complaint_score, b.composite) == (3, Decimal("70.00"), Decimal("88.00"))
    assert (a.rank, a.list_kind, b.rank, b.list_kind) == (1, ListKind.RED, 2, ListKind.YELLOW)
    # an uninspected company is listed but not ranked
    Unit.objects.create(name="未检查物业", kind=UnitKind.PROPERTY_COMPANY, area=t.community_a)
    rows = assessment.compute(area=t.county, month=world.month)
    assert rows[-1].name == "未检查物业" and rows[-1].rank is None and rows[-1].composite is None
    # scoped: staff of A see only A's companies
    assert [
        r.name for r in assessment.compute(area=t.county, month=world.month, user=t.staff_a)
    ] == [
        "东门红色物业",
        "未检查物业",
    ]


def test_publish_lists_once_and_show_them_publicly(world, client):
    t = world.tiny
    with pytest.raises(ValidationFailed, match="没有任何"):
        services.assessment_publish(actor=t.street_staff, area=t.street, month=world.month)
    services.inspection_record(
        actor=t.staff_a, company=world.company_a, month=world.month, scores=world.full_scores()
    )
    services.inspection_record(
        actor=t.staff_b, company=world.company_b, month=world.month, scores=world.full_scores(0.5)
    )
    with pytest.raises(NotFound):  # a company handler has no area at all
        services.assessment_publish(actor=world.company_user, area=t.community_a, month=world.month)
    leader = make_user(Role.LEADER, area=t.community_a, username="leader_a")
    with pytest.raises(PermissionDenied):  # a leader may look, not publish
        services.assessment_publish(actor=leader, area=t.community_a, month=world.month)
    pub = services.assessment_publish(actor=t.street_staff, area=t.street, month=world.month)
    assert list(
        AssessmentResult.objects.filter(publication=pub).values_list("company_name", "list_kind")
    ) == [
        ("东门红色物业", "red"),
        ("西门物业", "yellow"),
    ]
    with pytest.raises(Conflict):
        services.assessment_publish(actor=t.street_staff, area=t.street, month=world.month)
    page = client.get(f"/participation/public/property/{pub.pk}/").content.decode()
    assert "红榜" in page and "东门红色物业" in page and "西门物业" in page


def test_trend_has_twelve_months(world):
    t = world.tiny
    services.inspection_record(
        actor=t.staff_a, company=world.company_a, month=world.month, scores=world.full_scores()
    )
    _complaint(world, t.grid_a1)
    trend = assessment.trend(company=world.company_a)
    assert len(trend) == 12 and trend[-1]["month"] == f"{world.month:%Y-%m}"
    assert trend[-1]["complaints"] == 1 and trend[-1]["composite"] == 98.0
    assert trend[0]["composite"] is None


def test_excel_export_is_scoped(world, client):
    t = world.tiny
    services.inspection_record(
        actor=t.staff_a, company=world.company_a, month=world.month, scores=world.full_scores()
    )
    services.inspection_record(
        actor=t.staff_b, company=world.company_b, month=world.month, scores=world.full_scores()
    )
    client.force_login(t.staff_a)
    r = client.get(
        f"/participation/property/assessment/?area={t.community_a.pk}&month={world.month:%Y-%m}&format=xlsx"
    )
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    names = [row[1] for row in ws.iter_rows(min_row=3, values_only=True)]
    assert names == ["东门红色物业"]
    # asking for the street does not widen it: the street is not in A's scope
    r = client.get(f"/participation/property/assessment/?area={t.street.pk}&format=xlsx")
    names = [
        row[1]
        for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(
            min_row=3, values_only=True
        )
    ]
    assert "西门物业" not in names


# --- the case loop ------------------------------------------------------------------------


def test_property_case_suggests_the_compound_company(world):
    t = world.tiny
    case = _complaint(world, t.grid_a1)
    assert routing.suggested_company(case) == world.company_a
    assert routing.suggested_company(_complaint(world, t.grid_a2)) is None  # no compound
    assert routing.suggested_company(_complaint(world, t.grid_a1, item=world.item_other)) is None


def test_whole_path_from_report_to_company_and_back_to_assessment(world, client):
    t = world.tiny
    case = _complaint(world, t.grid_a1)
    client.force_login(t.staff_a)
    case = case_services.case_transition(actor=t.staff_a, case=case, action="accept")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "建议派给物业公司" in page and "东门红色物业" in page
    r = client.post(f"/participation/cases/{case.pk}/dispatch-property/", {"version": case.version})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.handler_unit == world.company_a
    # the company sees it in its own queue, with the case's time limits
    queue = list(case_selectors.queue(user=world.company_user, name="accept"))
    assert queue == [case] and case.resolve_due is not None
    assert list(case_selectors.queue(user=t.staff_b, name="all")) == []
    # the company handles it; the community keeps watching it
    case = case_services.case_transition(actor=world.company_user, case=case, action="start")
    assert case in case_selectors.case_base(user=t.staff_a)
    case = case_services.case_transition(
        actor=world.company_user, case=case, action="resolve", note="已更换损坏的健身器材"
    )
    assert case.status == Status.RESOLVED
    # another company's handler cannot act on it
    other = _complaint(world, t.grid_a1)
    other = case_services.case_transition(actor=t.staff_a, case=other, action="accept")
    other = case_services.case_transition(
        actor=t.staff_a, case=other, action="dispatch", to_unit=world.company_a
    )
    b_user = Unit.objects.get(pk=world.company_b.pk)
    b_handler = make_user(Role.DEPARTMENT_HANDLER, unit=b_user, username="wuye_b")
    with pytest.raises((PermissionDenied, NotFound)):
        case_services.case_transition(actor=b_handler, case=other, action="start")
    # both cases count against the company in this month's assessment
    rows = {r.name: r for r in assessment.compute(area=t.county, month=timezone.localdate())}
    assert rows["东门红色物业"].complaints == 2


def test_suggestion_panel_not_shown_to_staff_of_other_communities(world, client):
    t = world.tiny
    case = case_services.case_transition(
        actor=t.staff_a, case=_complaint(world, t.grid_a1), action="accept"
    )
    client.force_login(t.staff_b)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    r = client.post(f"/participation/cases/{case.pk}/dispatch-property/", {"version": case.version})
    assert r.status_code == 404
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
