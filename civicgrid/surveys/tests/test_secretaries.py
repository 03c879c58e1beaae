"""Secretary-led projects, lists, the annual review and its composite score."""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.core.errors import NotFound, PermissionDenied, ValidationFailed
from civicgrid.surveys.models import ReviewScore, SecretaryProject
from civicgrid.surveys.selectors import secretaries as sel
from civicgrid.surveys.services import questionnaires as qsvc
from civicgrid.surveys.services import secretaries as svc
from civicgrid.testing.factories import make_user

from .conftest import make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def secs(tiny, registry):
    a = svc.secretary_appoint(
        actor=tiny.street_staff, user=make_user(username="sec_a"), organization=registry.org_a
    )
    b = svc.secretary_appoint(
        actor=tiny.street_staff, user=make_user(username="sec_b"), organization=registry.org_b
    )
    return a, b


def test_projects_milestones_and_monthly_reports(tiny, secs):
    a, _b = secs
    p = svc.project_create(
        actor=a.user, secretary=a, title="老旧小区加装电梯", goal="年内加装 5 台", year=2026
    )
    m = svc.milestone_add(actor=a.user, project=p, title="征求意见", due_on=dt.date(2026, 3, 1))
    svc.milestone_set_done(actor=a.user, milestone=m, done=True)
    svc.progress_report(
        actor=a.user, project=p, month=dt.date(2026, 3, 15), text="完成意见征集", percent=30
    )
    svc.progress_report(
        actor=a.user, project=p, month=dt.date(2026, 3, 1), text="改为 40", percent=40
    )
    p.refresh_from_db()
    assert p.percent == 40 and p.reports.count() == 1
    with pytest.raises(ValidationFailed):
        svc.progress_report(
            actor=a.user, project=p, month=dt.date(2026, 4, 1), text="x", percent=101
        )
    with pytest.raises(NotFound):
        svc.project_create(actor=tiny.staff_b, secretary=a, title="越权", goal="x", year=2026)
    assert [x.title for x in sel.public_projects()] == ["老旧小区加装电梯"]
    SecretaryProject.objects.filter(pk=p.pk).update(public=False)
    assert list(sel.public_projects()) == []


def test_responsibility_list_and_meetings(tiny, secs):
    a, _b = secs
    item = svc.responsibility_add(
        actor=tiny.staff_a,
        secretary=a,
        kind="task",
        title="每月走访党员中心户",
        due_on=dt.date(2026, 6, 30),
    )
    svc.responsibility_set_status(actor=a.user, item=item, status="done")
    item.refresh_from_db()
    assert item.status == "done" and item.done_on is not None
    with pytest.raises(ValidationFailed):
        svc.responsibility_set_status(actor=a.user, item=item, status="nope")
    meeting = svc.meeting_record(
        actor=tiny.street_staff,
        area=tiny.street,
        held_on=dt.date(2026, 3, 31),
        title="一季度片区会",
    )
    assert meeting.pk


def _round(tiny, questionnaire=None):
    return svc.review_round_create(
        actor=tiny.street_staff,
        area=tiny.street,
        year=2026,
        title="2026 年度述职评议",
        criteria=[("抓党建", 40), ("抓治理", 60)],
        questionnaire=questionnaire,
    )


def test_scores_out_of_range_are_refused_and_nothing_is_stored(tiny, secs):
    a, _b = secs
    rnd = _round(tiny)
    c1, c2 = rnd.criteria.all()
    with pytest.raises(ValidationFailed) as e:
        svc.review_score(
            actor=tiny.street_staff, round=rnd, secretary=a, scores={c1.pk: 30, c2.pk: 61}
        )
    assert f"c{c2.pk}" in e.value.details
    with pytest.raises(ValidationFailed):
        svc.review_score(
            actor=tiny.street_staff, round=rnd, secretary=a, scores={c1.pk: -1, c2.pk: 10}
        )
    with pytest.raises(ValidationFailed):
        svc.review_score(actor=tiny.street_staff, round=rnd, secretary=a, scores={c1.pk: 10})
    assert ReviewScore.objects.count() == 0
    with pytest.raises(PermissionDenied):
        svc.review_score(actor=a.user, round=rnd, secretary=a, scores={c1.pk: 40, c2.pk: 60})
    with pytest.raises(ValidationFailed):
        svc.review_round_create(
            actor=tiny.street_staff,
            area=tiny.community_a,
            year=2026,
            title="x",
            criteria=[("a", 10)],
            weight_reviewers=80,
            weight_satisfaction=30,
        )


def test_composite_score_weights_reviewers_and_resident_satisfaction(tiny, secs, crowd):
    a, b = secs
    q = make_questionnaire(tiny)
    qsvc.sample_draw(actor=tiny.street_staff, questionnaire=q, area=tiny.street, size=4, seed="r")
    pairs = qsvc.questionnaire_publish(actor=tiny.street_staff, questionnaire=q)
    questions = list(q.questions.order_by("position"))
    for score, (_inv, token) in zip(
        [5, 4], pairs, strict=False
    ):  # satisfaction (100 + 75) / 2 = 87.5
        qsvc.response_submit(
            questionnaire=q,
            token=token,
            answers={questions[0].pk: ["0"], questions[2].pk: [str(score)]},
        )
    rnd = _round(tiny, questionnaire=q)
    c1, c2 = rnd.criteria.all()
    reviewer2 = make_user("street_staff", area=tiny.street)
    svc.review_score(
        actor=tiny.street_staff, round=rnd, secretary=a, scores={c1.pk: 40, c2.pk: 50}
    )  # 90 %
    svc.review_score(actor=reviewer2, round=rnd, secretary=a, scores={c1.pk: 30, c2.pk: 40})  # 70 %
    svc.review_report_submit(actor=a.user, round=rnd, secretary=a, text="一年来……")
    results = {r["secretary"].pk: r for r in sel.review_results(rnd=rnd)}
    ra = results[a.pk]
    assert ra["n_reviewers"] == 2 and ra["reviewers"] == 80.0
    assert ra["satisfaction"]["value"] == 87.5
    assert ra["composite"] == round(0.7 * 80 + 0.3 * 87.5, 1) == 82.2 or ra["composite"] == 82.3
    assert results[b.pk]["composite"] is None
