"""Mutual evaluation: generation, ranges, once per rater, drafts, anonymity, aggregation,
points for good results, evaluation_scores for assessment."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.partylife import selectors, services
from civicgrid.partylife.choices import AssignmentStatus, Direction
from civicgrid.partylife.models import EvaluationAssignment, EvaluationScore

from .conftest import full_marks

pytestmark = pytest.mark.django_db


def _task(world, round, direction, **kw):
    return EvaluationAssignment.objects.select_related("round").get(
        round=round, direction=direction, **kw
    )


def test_open_generates_assignments_from_unit_areas(world):
    r = world.round()
    t = world.tiny
    pairs = set(
        EvaluationAssignment.objects.filter(round=r).values_list(
            "direction",
            "rater_unit_id",
            "rater_area_id",
            "target_area_id",
            "target_unit_id",
            "target_member_id",
        )
    )
    units_a = {world.unit_a.pk, world.unit_a2.pk, world.unit_a3.pk}
    assert {(p[1], p[3]) for p in pairs if p[0] == Direction.UNIT_TO_COMMUNITY} == (
        {(u, t.community_a.pk) for u in units_a} | {(world.unit_b.pk, t.community_b.pk)}
    )
    assert {(p[2], p[4]) for p in pairs if p[0] == Direction.COMMUNITY_TO_UNIT} == (
        {(t.community_a.pk, u) for u in units_a} | {(t.community_b.pk, world.unit_b.pk)}
    )
    assert {(p[2], p[5]) for p in pairs if p[0] == Direction.COMMUNITY_TO_MEMBER} == {
        (t.community_a.pk, world.reg.member_a.pk),
        (t.community_b.pk, world.reg.member_b.pk),
    }
    with pytest.raises(Conflict):
        services.evaluation_round_open(actor=world.orgdept, round=r)


def test_only_the_org_department_manages_rounds(world):
    from civicgrid.partylife.models import EvaluationForm

    forms = {f.direction: f for f in EvaluationForm.objects.all()}
    with pytest.raises(PermissionDenied):
        services.evaluation_round_create(
            actor=world.tiny.street_staff,
            name="x",
            period="2026",
            area=world.tiny.street,
            forms=forms,
        )
    with pytest.raises(ValidationFailed):  # a community is not a round area
        services.evaluation_round_create(
            actor=world.orgdept, name="x", period="2026", area=world.tiny.community_a, forms=forms
        )


@pytest.mark.parametrize(
    "value, ok",
    [
        (-1, False),
        (0, True),
        ("7.5", True),
        (10, True),
        ("10.01", False),
        (11, False),
        ("abc", False),
        ("NaN", False),
    ],
)
def test_score_range(world, value, ok):
    r = world.round()
    a = _task(world, r, Direction.UNIT_TO_COMMUNITY, rater_unit=world.unit_a)
    scores = full_marks(a)
    first = next(iter(scores))
    scores[first] = (value, "")
    if ok:
        saved = services.evaluation_save(
            actor=world.unit_user_a, assignment=a, scores=scores, submit=True
        )
        assert saved.status == AssignmentStatus.SUBMITTED
    else:
        with pytest.raises(ValidationFailed):
            services.evaluation_save(
                actor=world.unit_user_a, assignment=a, scores=scores, submit=True
            )
        a.refresh_from_db()
        assert (
            a.status == AssignmentStatus.PENDING
            and not EvaluationScore.objects.filter(assignment=a).exists()
        )


def test_draft_then_submit_once(world):
    r = world.round()
    a = _task(world, r, Direction.UNIT_TO_COMMUNITY, rater_unit=world.unit_a)
    crit = list(a.round.form_for(a.direction).criteria.all())
    draft = services.evaluation_save(
        actor=world.unit_user_a, assignment=a, scores={crit[0].pk: (8, "好")}, comment="先存"
    )
    assert draft.status == AssignmentStatus.DRAFT and draft.total is None
    with pytest.raises(ValidationFailed):  # a submission needs every criterion
        services.evaluation_save(
            actor=world.unit_user_a, assignment=a, scores={crit[0].pk: (8, "")}, submit=True
        )
    done = services.evaluation_save(
        actor=world.unit_user_a, assignment=a, scores=full_marks(a), submit=True
    )
    assert done.total == Decimal("100.00") and done.submitted_by == world.unit_user_a
    with pytest.raises(Conflict):
        services.evaluation_save(
            actor=world.unit_user_a, assignment=a, scores=full_marks(a, 0), submit=True
        )
    with pytest.raises(Conflict):
        services.evaluation_save(actor=world.unit_user_a, assignment=a, scores=full_marks(a, 0))
    a.refresh_from_db()
    assert a.total == Decimal("100.00")


def test_only_the_rater_may_fill_and_not_after_close(world):
    r = world.round()
    a = _task(world, r, Direction.UNIT_TO_COMMUNITY, rater_unit=world.unit_a)
    for other in (world.unit_user_b, world.unit_user_a2, world.tiny.staff_a, world.orgdept):
        with pytest.raises(NotFound):
            services.evaluation_save(actor=other, assignment=a, scores=full_marks(a), submit=True)
    services.evaluation_round_close(actor=world.orgdept, round=r)
    with pytest.raises(Conflict):
        services.evaluation_save(
            actor=world.unit_user_a, assignment=a, scores=full_marks(a), submit=True
        )


def test_community_staff_rate_units_and_members(world):
    r = world.round()
    a = _task(world, r, Direction.COMMUNITY_TO_MEMBER, rater_area=world.tiny.community_a)
    assert {x.pk for x in selectors.my_assignments(user=world.tiny.staff_a)} >= {a.pk}
    assert a.pk not in {x.pk for x in selectors.my_assignments(user=world.tiny.staff_b)}
    # street staff oversee the round but do not rate for a community
    assert not selectors.my_assignments(user=world.tiny.street_staff).exists()
    services.evaluation_save(
        actor=world.tiny.staff_a, assignment=a, scores=full_marks(a), submit=True
    )
    with pytest.raises(NotFound):
        services.evaluation_save(actor=world.tiny.street_staff, assignment=a, scores=full_marks(a))


def _submit_unit_ratings(world, r, fractions):
    users = {
        world.unit_a: world.unit_user_a,
        world.unit_a2: world.unit_user_a2,
        world.unit_a3: world.unit_user_a3,
    }
    for unit, scores in fractions.items():
        a = _task(world, r, Direction.UNIT_TO_COMMUNITY, rater_unit=unit)
        services.evaluation_save(actor=users[unit], assignment=a, scores=scores(a), submit=True)


def test_aggregation_against_a_hand_computation(world):
    r = world.round()
    crit = list(r.form_unit_to_community.criteria.order_by("order"))
    # weights 1.5, 1.5, 1, 1, 1 (sum 6), every max 10
    assert [cr.weight for cr in crit] == [Decimal("1.5"), Decimal("1.5"), 1, 1, 1]

    def given(values):
        return lambda a: {cr.pk: (v, "") for cr, v in zip(crit, values, strict=True)}

    _submit_unit_ratings(
        world,
        r,
        {
            world.unit_a: given([10, 10, 10, 10, 10]),  # 100
            world.unit_a2: given([8, 6, 10, 5, 7]),  # (12+9+10+5+7)/6*10 = 71.666… → 71.67
            world.unit_a3: given([9, 9, 9, 9, 3]),  # (13.5+13.5+9+9+3)/6*10 = 80
        },
    )
    results = {
        res.target.pk: res for res in selectors.round_results(r, Direction.UNIT_TO_COMMUNITY)
    }
    res_a = results[world.tiny.community_a.pk]
    assert res_a.raters == 3 and res_a.expected == 3
    # (100 + 71.67 + 80) / 3 = 83.89
    assert res_a.mean == Decimal("83.89")
    assert res_a.bands == {"excellent": 1, "good": 1, "fair": 1, "poor": 0}
    assert res_a.criteria[crit[0].pk] == Decimal("90.00")  # (10+8+9)/3 → 90 %
    assert res_a.rank == 1
    res_b = results[world.tiny.community_b.pk]
    assert res_b.raters == 0 and res_b.mean is None and res_b.rank is None and res_b.expected == 1


def test_anonymity_hidden_from_the_rated(world):
    r = world.round(anonymity="hidden_from_rated")
    _submit_unit_ratings(world, r, {world.unit_a: lambda a: full_marks(a)})
    services.evaluation_round_close(actor=world.orgdept, round=r)
    r.refresh_from_db()
    # the rated community sees its mean but not who rated it
    seen = selectors.visible_results(
        user=world.tiny.staff_a, round=r, direction=Direction.UNIT_TO_COMMUNITY
    )
    assert [x.target for x in seen] == [world.tiny.community_a]
    assert seen[0].mean == Decimal("100.00") and seen[0].totals == []
    assert not selectors.may_see_raters(world.tiny.staff_a, r)
    # community B sees nothing of community A
    seen_b = selectors.visible_results(
        user=world.tiny.staff_b, round=r, direction=Direction.UNIT_TO_COMMUNITY
    )
    assert [x.target for x in seen_b] == [world.tiny.community_b]
    # the street and the organisation department see the raters
    for overseer in (world.tiny.street_staff, world.orgdept):
        res = selectors.visible_results(
            user=overseer, round=r, direction=Direction.UNIT_TO_COMMUNITY
        )
        a_row = next(x for x in res if x.target == world.tiny.community_a)
        assert [(str(rater), total) for rater, total in a_row.totals] == [
            ("东门小学", Decimal("100.00"))
        ]


def test_anonymity_org_department_only_and_named(world):
    r = world.round(anonymity="org_department_only")
    assert not selectors.may_see_raters(world.tiny.street_staff, r)
    assert selectors.may_see_raters(world.orgdept, r)
    r2 = world.round(anonymity="named", period="2027")
    assert selectors.may_see_raters(world.tiny.staff_a, r2)


def test_results_hidden_from_the_rated_while_open(world):
    r = world.round()
    _submit_unit_ratings(world, r, {world.unit_a: lambda a: full_marks(a)})
    assert (
        selectors.visible_results(
            user=world.tiny.staff_a, round=r, direction=Direction.UNIT_TO_COMMUNITY
        )
        == []
    )
    assert selectors.visible_results(
        user=world.orgdept, round=r, direction=Direction.UNIT_TO_COMMUNITY
    )


def test_good_results_award_points_on_close(world):
    from civicgrid.party.models import PointsEntry

    r = world.round(good_threshold=85)
    a_unit = _task(world, r, Direction.COMMUNITY_TO_UNIT, target_unit=world.unit_a)
    services.evaluation_save(
        actor=world.tiny.staff_a,
        assignment=a_unit,
        scores=full_marks(a_unit, Decimal("0.9")),
        submit=True,
    )
    a_low = _task(world, r, Direction.COMMUNITY_TO_UNIT, target_unit=world.unit_a2)
    services.evaluation_save(
        actor=world.tiny.staff_a,
        assignment=a_low,
        scores=full_marks(a_low, Decimal("0.5")),
        submit=True,
    )
    a_mem = _task(world, r, Direction.COMMUNITY_TO_MEMBER, target_member=world.reg.member_a)
    services.evaluation_save(
        actor=world.tiny.staff_a, assignment=a_mem, scores=full_marks(a_mem), submit=True
    )
    assert services.evaluation_round_close(actor=world.orgdept, round=r) == 2
    entries = PointsEntry.objects.filter(event="evaluation_good")
    assert {(e.unit_id, e.member_id) for e in entries} == {
        (world.unit_a.pk, None),
        (None, world.reg.member_a.pk),
    }
    assert all(e.source_key == f"partylife.evaluationround:{r.pk}" for e in entries)


def test_evaluation_scores_for_assessment(world):
    r = world.round()
    _submit_unit_ratings(
        world,
        r,
        {
            world.unit_a: lambda a: full_marks(a),
            world.unit_a2: lambda a: full_marks(a, Decimal("0.5")),
        },
    )
    assert (
        selectors.evaluation_scores(world.tiny.street, "2026")["community"] == {}
    )  # not closed yet
    services.evaluation_round_close(actor=world.orgdept, round=r)
    scores = selectors.evaluation_scores(world.tiny.street, "2026")
    assert scores["community"][world.tiny.community_a.pk].mean == Decimal("75.00")
    assert scores["community"][world.tiny.community_a.pk].raters == 2
    assert (
        world.tiny.community_b.pk not in scores["community"]
        or scores["community"][world.tiny.community_b.pk].mean is None
    )
    # a community subtree sees the street's round; user scoping drops other communities
    assert (
        world.tiny.community_a.pk
        in selectors.evaluation_scores(world.tiny.community_a, "2026")["community"]
    )
    assert selectors.evaluation_scores(world.tiny.street, "2026", user=world.tiny.staff_b)[
        "community"
    ].keys() <= {world.tiny.community_b.pk}
    assert selectors.evaluation_scores(world.tiny.street, "2025")["community"] == {}


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_only_one_counts(tiny):
    from .conftest import World

    world = World(tiny)
    r = world.round()
    a = _task(world, r, Direction.UNIT_TO_COMMUNITY, rater_unit=world.unit_a)
    scores = full_marks(a)
    outcomes = []
    barrier = threading.Barrier(2)

    def submit(fraction):
        try:
            barrier.wait()
            services.evaluation_save(
                actor=world.unit_user_a,
                assignment=a,
                scores={k: (v * fraction, n) for k, (v, n) in scores.items()},
                submit=True,
            )
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        except Exception as exc:  # noqa: BLE001  (SQLite may report a lock; count it as refused)
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(f,)) for f in (1, Decimal("0.5"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    a.refresh_from_db()
    assert a.status == AssignmentStatus.SUBMITTED
    assert EvaluationScore.objects.filter(assignment=a).count() == len(scores)


def test_assignments_follow_confirmed_dual_reports(world):
    """Once units report (双报到), the reports decide who rates whom, not where units sit."""
    from django.utils import timezone

    from civicgrid.party.models import DualReport

    t = world.tiny
    now = timezone.now()
    DualReport.objects.create(
        kind="unit",
        status="confirmed",
        unit=world.unit_a2,
        subject_key=f"unit:{world.unit_a2.pk}",
        community=t.community_b,
        submitted_at=now,
    )
    DualReport.objects.create(
        kind="unit",
        status="submitted",
        unit=world.unit_a,
        subject_key=f"unit:{world.unit_a.pk}",
        community=t.community_a,
        submitted_at=now,
    )
    r = world.round()
    pairs = set(
        EvaluationAssignment.objects.filter(round=r)
        .exclude(direction=Direction.COMMUNITY_TO_MEMBER)
        .values_list(
            "direction", "rater_unit_id", "rater_area_id", "target_area_id", "target_unit_id"
        )
    )
    assert pairs == {
        (Direction.UNIT_TO_COMMUNITY, world.unit_a2.pk, None, t.community_b.pk, None),
        (Direction.COMMUNITY_TO_UNIT, None, t.community_b.pk, None, world.unit_a2.pk),
    }
    # members have not reported anywhere: they are rated by the community they live in
    assert (
        EvaluationAssignment.objects.filter(
            round=r, direction=Direction.COMMUNITY_TO_MEMBER
        ).count()
        == 2
    )


def test_assessment_shows_the_closed_rounds_results_of_the_months_year(world):
    from civicgrid.api.tests.conftest import client_for

    def communities(month, user=None):
        data = client_for(user or world.orgdept).get("/api/v1/assessment/", {"month": month})
        return {row["name"]: row["extras"] for row in data.json()["communities"]}

    r = world.round()
    _submit_unit_ratings(
        world,
        r,
        {
            world.unit_a: lambda a: full_marks(a),
            world.unit_a2: lambda a: full_marks(a, Decimal("0.5")),
        },
    )
    assert "evaluation_score" not in communities("2026-11")["东门社区"]  # not closed yet
    services.evaluation_round_close(actor=world.orgdept, round=r)
    a = communities("2026-11")["东门社区"]
    assert (a["evaluation_score"], a["evaluation_rank"]) == (75.0, 1)
    assert communities("2026-11")["西门社区"]["evaluation_score"] is None  # nobody rated it
    assert "evaluation_score" not in communities("2025-11")["东门社区"]  # another year
    assert set(communities("2026-11", world.tiny.staff_b)) == {"西门社区"}
    web = Client()
    web.force_login(world.orgdept, backend="django.contrib.auth.backends.ModelBackend")
    html = web.get("/cases/assessment/", {"month": "2026-11"}).content.decode()
    assert "双评价得分(2026)" in html and "<td>75.0</td>" in html
