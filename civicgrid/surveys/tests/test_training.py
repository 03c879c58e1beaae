"""Staff knowledge tests: Excel import with row errors, papers, the time limit, scores, review."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import Workbook

from civicgrid.core.errors import ApplicationError, NotFound, ValidationFailed
from civicgrid.surveys.models import TestAnswer, TestAttempt, TrainingRecord
from civicgrid.surveys.selectors import training as sel
from civicgrid.surveys.services import training as svc

pytestmark = pytest.mark.django_db

HEADERS = ["题型", "题目", "选项A", "选项B", "选项C", "选项D", "答案", "解析"]


def xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "试题"
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


GOOD = [
    ["单选题", "网格员发现问题后首先应当?", "上报", "忽略", "转发朋友圈", "", "A", "发现即上报。"],
    ["多选题", "三色管理包括哪些颜色?", "红", "黄", "绿", "蓝", "ABC", "红黄绿三色。"],
    ["判断题", "党员中心户一般联系 2–3 名信息员。", "", "", "", "", "对", "见工作规范。"],
]


@pytest.fixture
def bank(tiny):
    b = svc.bank_create(actor=tiny.street_staff, area=tiny.street, name="网格业务题库")
    outcome = svc.bank_import(
        actor=tiny.street_staff, bank=b, content=xlsx(GOOD), filename="bank.xlsx"
    )
    assert outcome.created == 3 and not outcome.errors
    return b


def test_import_reports_row_and_column_errors_and_writes_nothing(tiny):
    b = svc.bank_create(actor=tiny.street_staff, area=tiny.street, name="党务题库", topic="party")
    bad = GOOD + [
        ["问答题", "未知题型", "a", "b", "", "", "A", ""],
        ["单选题", "", "a", "b", "", "", "A", ""],
        ["单选题", "答案超出选项", "a", "b", "", "", "D", ""],
        ["单选题", "两个答案", "a", "b", "", "", "AB", ""],
        ["判断题", "判断题答案", "", "", "", "", "也许", ""],
    ]
    outcome = svc.bank_import(
        actor=tiny.street_staff, bank=b, content=xlsx(bad), filename="bank.xlsx"
    )
    messages = [str(e) for e in outcome.errors]
    assert outcome.created == 0 and b.items.count() == 0
    assert any(m.startswith("第 5 行『题型』") for m in messages)
    assert any(m.startswith("第 6 行『题目』") for m in messages)
    assert any(m.startswith("第 7 行") and "答案" in m for m in messages)
    assert any(m.startswith("第 8 行") for m in messages)
    assert any(m.startswith("第 9 行『答案』") for m in messages)
    assert outcome.report and outcome.report[:2] == b"PK"


def test_import_refuses_a_file_with_wrong_headers(tiny):
    b = svc.bank_create(actor=tiny.street_staff, area=tiny.street, name="题库")
    wb = Workbook()
    wb.active.append(["题目", "答案"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(ValidationFailed) as e:
        svc.bank_import(actor=tiny.street_staff, bank=b, content=buf.getvalue(), filename="x.xlsx")
    assert "缺少必填列" in str(e.value.message)


def _paper(tiny, bank, minutes=10):
    now = timezone.now()
    return svc.paper_create(
        actor=tiny.street_staff,
        bank=bank,
        area=tiny.street,
        title="十一月岗位练兵",
        question_count=3,
        time_limit_minutes=minutes,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        seed="s",
    )


def right_answers(paper):
    return {
        pi.pk: [str(i) for i in pi.item.answer] for pi in paper.paper_items.select_related("item")
    }


def test_submit_in_time_scores_and_writes_a_training_record(tiny, bank):
    paper = _paper(tiny, bank)
    attempt = svc.attempt_start(actor=tiny.staff_a, paper=paper)
    answers = right_answers(paper)
    first = next(iter(answers))
    answers[first] = ["1"]  # one wrong
    attempt = svc.attempt_submit(actor=tiny.staff_a, attempt=attempt, answers=answers)
    assert (attempt.score, attempt.max_score, attempt.late) == (2, 3, False)
    record = TrainingRecord.objects.get(attempt=attempt)
    assert record.kind == "test" and record.score == 67 and record.area == tiny.community_a
    rows = sel.review(attempt=attempt)
    wrong = [r for r in rows if not r["correct"]]
    assert len(wrong) == 1 and wrong[0]["right"] and wrong[0]["item"].explanation
    with pytest.raises(ApplicationError):
        svc.attempt_submit(actor=tiny.staff_a, attempt=attempt, answers=answers)


def test_the_server_enforces_the_time_limit(tiny, bank):
    paper = _paper(tiny, bank)
    attempt = svc.attempt_start(actor=tiny.staff_a, paper=paper)
    items = right_answers(paper)
    first_id, first_answer = next(iter(items.items()))
    svc.attempt_save_answer(
        actor=tiny.staff_a, attempt=attempt, paper_item_id=first_id, chosen=first_answer
    )
    # The stored deadline passes (as if the person kept the page open too long).
    saved = TestAnswer.objects.get(attempt=attempt).saved_at
    TestAttempt.objects.filter(pk=attempt.pk).update(deadline=saved + dt.timedelta(microseconds=1))
    with pytest.raises(ApplicationError) as e:
        svc.attempt_save_answer(
            actor=tiny.staff_a, attempt=attempt, paper_item_id=first_id, chosen=first_answer
        )
    assert e.value.code == "deadline_passed"
    attempt = svc.attempt_submit(actor=tiny.staff_a, attempt=attempt, answers=items)
    # Only the answer saved before the deadline counts; the rest came late.
    assert attempt.late and attempt.score == 1 and attempt.correct == 1


def test_only_staff_inside_the_papers_area_may_sit(tiny, bank):
    now = timezone.now()
    paper_a = svc.paper_create(
        actor=tiny.street_staff,
        bank=bank,
        area=tiny.community_a,
        title="东门练兵",
        question_count=2,
        time_limit_minutes=5,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=1),
    )
    with pytest.raises(NotFound):
        svc.attempt_start(actor=tiny.staff_b, paper=paper_a)
    assert svc.attempt_start(actor=tiny.worker_a1, paper=paper_a).area == tiny.community_a


def test_paper_draw_is_reproducible(tiny, bank):
    a = _paper(tiny, bank)
    b = _paper(tiny, bank)
    assert list(a.paper_items.values_list("item_id", flat=True)) == list(
        b.paper_items.values_list("item_id", flat=True)
    )
    with pytest.raises(ValidationFailed):
        svc.paper_create(
            actor=tiny.street_staff,
            bank=bank,
            area=tiny.street,
            title="x",
            question_count=9,
            time_limit_minutes=5,
            opens_at=timezone.now(),
            closes_at=timezone.now() + dt.timedelta(hours=1),
        )


def test_rankings_per_person_and_community_within_scope(tiny, bank):
    paper = _paper(tiny, bank)
    answers = right_answers(paper)
    for user, wrong in ((tiny.staff_a, 0), (tiny.worker_a1, 1), (tiny.staff_b, 2)):
        attempt = svc.attempt_start(actor=user, paper=paper)
        given = dict(answers)
        for pid in list(given)[:wrong]:
            given[pid] = ["1"] if given[pid] != ["1"] else ["0"]
        svc.attempt_submit(actor=user, attempt=attempt, answers=given)
    street = sel.ranking(user=tiny.street_staff, paper=paper)
    assert [a.user for a in street["people"]] == [tiny.staff_a, tiny.worker_a1, tiny.staff_b]
    assert {r["area__name"]: r["n"] for r in street["by_area"]} == {"东门社区": 2, "西门社区": 1}
    only_b = sel.ranking(user=tiny.staff_b, paper=paper)
    assert [a.user for a in only_b["people"]] == [tiny.staff_b]
