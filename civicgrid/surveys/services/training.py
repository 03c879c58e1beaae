"""Staff knowledge tests (岗位练兵): banks, Excel import, papers, timed attempts, records."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from civicgrid.core import tabular
from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.geo.models import Area

from ..choices import BankTopic, ItemKind, TrainingKind
from ..models import (
    BankItem,
    PaperItem,
    QuestionBank,
    TestAnswer,
    TestAttempt,
    TestPaper,
    TrainingRecord,
)
from ._common import clean_text, home_area, require_area, require_obj

LETTERS = "ABCDEF"
TRUE_FALSE = ["正确", "错误"]


@transaction.atomic
def bank_create(*, actor, area: Area, name: str, topic: str = BankTopic.GRID) -> QuestionBank:
    require_area(actor, area)
    name = clean_text(name, field="name", label=_("题库名称"), max_length=100)
    if topic not in BankTopic.values:
        raise ValidationFailed(_("未知的题库类别。"), details={"topic": [_("无效。")]})
    return QuestionBank.objects.create(
        area=area,
        name=name,
        topic=topic,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _check_item(
    kind: str, text: str, options: list[str], answer: list[int]
) -> tuple[str, list[str], list[int]]:
    if kind not in ItemKind.values:
        raise ValidationFailed(
            _("未知的题型。"), details={"kind": [_("应为单选题、多选题或判断题。")]}
        )
    text = clean_text(text, field="text", label=_("题目"), max_length=500)
    if kind == ItemKind.TRUE_FALSE:
        options = list(TRUE_FALSE)
    else:
        options = [o.strip() for o in options if o and str(o).strip()]
        if len(options) < 2:
            raise ValidationFailed(
                _("选择题至少需要两个选项。"), details={"options": [_("选项过少。")]}
            )
    answer = sorted(set(answer))
    if not answer or any(not 0 <= a < len(options) for a in answer):
        raise ValidationFailed(_("正确答案须是已有的选项。"), details={"answer": [_("答案无效。")]})
    if kind != ItemKind.MULTIPLE and len(answer) != 1:
        raise ValidationFailed(
            _("单选题和判断题只能有一个正确答案。"), details={"answer": [_("答案无效。")]}
        )
    return text, options, answer


@transaction.atomic
def bank_item_add(
    *,
    actor,
    bank: QuestionBank,
    kind: str,
    text: str,
    options: list[str],
    answer: list[int],
    explanation: str = "",
) -> BankItem:
    require_obj(actor, bank)
    text, options, answer = _check_item(kind, text, options, answer)
    explanation = clean_text(
        explanation, field="explanation", label=_("解析"), max_length=2000, required=False
    )
    return BankItem.objects.create(
        bank=bank, kind=kind, text=text, options=options, answer=answer, explanation=explanation
    )


# ------------------------------------------------------------------------ Excel import

KIND_LABELS = {
    "单选题": ItemKind.SINGLE,
    "多选题": ItemKind.MULTIPLE,
    "判断题": ItemKind.TRUE_FALSE,
}

BANK_SPEC = tabular.Spec(
    title="试题",
    columns=(
        tabular.Column("题型", "kind", required=True, choices=KIND_LABELS, example="单选题"),
        tabular.Column("题目", "text", required=True, parse=tabular.text(500), width=40),
        *(tabular.Column(f"选项{c}", f"option_{c}", parse=tabular.text(200)) for c in LETTERS),
        tabular.Column(
            "答案", "answer", required=True, parse=tabular.text(10), help="A、AC;判断题填 对 或 错"
        ),
        tabular.Column("解析", "explanation", parse=tabular.text(2000), width=40),
    ),
    rules=("答案用选项字母;多选题连写,如 ACD;判断题填 对/错(或 正确/错误)。",),
)


@dataclass
class BankImport:
    total: int = 0
    created: int = 0
    errors: list = field(default_factory=list)
    report: bytes | None = None


def _parse_answer(row: tabular.Row) -> list[int] | None:
    raw = (
        (row.values.get("answer") or "").replace(",", "").replace(",", "").replace(" ", "").upper()
    )
    if row.values.get("kind") == ItemKind.TRUE_FALSE:
        mapping = {"对": 0, "正确": 0, "√": 0, "T": 0, "错": 1, "错误": 1, "×": 1, "F": 1}
        if raw not in mapping:
            row.fail("answer", _("判断题的答案应为 对 或 错。"))
            return None
        return [mapping[raw]]
    if not raw or any(c not in LETTERS for c in raw):
        row.fail("answer", _("答案应为选项字母,如 A 或 ACD。"))
        return None
    return sorted({LETTERS.index(c) for c in raw})


def bank_import(*, actor, bank: QuestionBank, content: bytes, filename: str) -> BankImport:
    """All or nothing: every row and column problem is reported, as in the registry imports."""
    require_obj(actor, bank)
    table = tabular.read_table(content, filename, BANK_SPEC)
    tabular.parse_rows(table, BANK_SPEC)
    outcome = BankImport(total=len(table.rows))
    with transaction.atomic():
        for row in table.rows:
            if not row.ok:
                continue
            answer = _parse_answer(row)
            if answer is None:
                continue
            options = [row.values.get(f"option_{c}") or "" for c in LETTERS]
            # Options must not leave holes (A, C without B).
            last = max((i for i, o in enumerate(options) if o), default=-1)
            if any(not o for o in options[: last + 1]):
                row.fail("option_A", _("选项须从 A 起连续填写。"))
                continue
            try:
                with transaction.atomic():
                    bank_item_add(
                        actor=actor,
                        bank=bank,
                        kind=row.values["kind"],
                        text=row.values["text"] or "",
                        options=options[: last + 1],
                        answer=answer,
                        explanation=row.values.get("explanation") or "",
                    )
                outcome.created += 1
            except ValidationFailed as exc:
                details = exc.details or {}
                key = next(iter(details), "")
                row.fail({"options": "option_A"}.get(key, key), exc.message)
        if any(not r.ok for r in table.rows):
            transaction.set_rollback(True)
            outcome.created = 0
    outcome.errors = [e for r in table.rows for e in r.errors]
    if outcome.errors:
        outcome.report = tabular.error_report_xlsx(table, BANK_SPEC)
    return outcome


def bank_template() -> bytes:
    return tabular.template_xlsx(BANK_SPEC)


# ------------------------------------------------------------------------ papers and attempts


@transaction.atomic
def paper_create(
    *,
    actor,
    bank: QuestionBank,
    area: Area,
    title: str,
    question_count: int,
    time_limit_minutes: int,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    seed: str = "",
    training_hours: Decimal | float = 1,
    pass_percent: int = 60,
) -> TestPaper:
    """A paper of N questions drawn from the bank: the N items with the smallest
    sha256("<seed>:<item id>") (the same method as the questionnaire samples). Passing it
    (score >= pass_percent % of the maximum) credits ``training_hours`` (0, or 0.5 to 24)."""
    require_obj(actor, bank)
    require_area(actor, area)
    title = clean_text(title, field="title", label=_("试卷名称"), max_length=100)
    items = list(bank.items.values_list("id", flat=True))
    if not 1 <= int(question_count) <= len(items):
        raise ValidationFailed(
            _("题量应在 1 到 %(n)d 之间(题库现有 %(n)d 题)。") % {"n": len(items)},
            details={"question_count": [_("超出范围。")]},
        )
    if not 1 <= int(time_limit_minutes) <= 600:
        raise ValidationFailed(
            _("限时应在 1 到 600 分钟之间。"), details={"time_limit_minutes": [_("超出范围。")]}
        )
    if closes_at <= opens_at:
        raise ValidationFailed(_("截止时间须晚于开考时间。"), details={"closes_at": [_("无效。")]})
    try:
        training_hours = Decimal(str(training_hours))
    except InvalidOperation:
        training_hours = Decimal("-1")
    if not training_hours.is_finite() or not (
        training_hours == 0 or Decimal("0.5") <= training_hours <= Decimal("24")
    ):
        raise ValidationFailed(
            _("计培训学时应为 0,或在 0.5 到 24 之间。"),
            details={"training_hours": [_("超出范围。")]},
        )
    if not 0 <= int(pass_percent) <= 100:
        raise ValidationFailed(
            _("合格线应在 0 到 100 之间。"), details={"pass_percent": [_("超出范围。")]}
        )
    seed = (seed or "").strip() or str(secrets.randbelow(10**9))
    paper = TestPaper.objects.create(
        title=title,
        bank=bank,
        area=area,
        question_count=int(question_count),
        time_limit_minutes=int(time_limit_minutes),
        seed=seed,
        opens_at=opens_at,
        closes_at=closes_at,
        training_hours=training_hours.quantize(Decimal("0.1")),
        pass_percent=int(pass_percent),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    chosen = sorted(items, key=lambda pk: hashlib.sha256(f"{seed}:{pk}".encode()).hexdigest())[
        : int(question_count)
    ]
    PaperItem.objects.bulk_create(
        [PaperItem(paper=paper, item_id=pk, position=i) for i, pk in enumerate(chosen, start=1)]
    )
    return paper


def may_sit(user, paper: TestPaper) -> bool:
    area = home_area(user)
    return area is not None and area.path.startswith(paper.area.path)


@transaction.atomic
def attempt_start(*, actor, paper: TestPaper, now: dt.datetime | None = None) -> TestAttempt:
    """Start (or resume) the actor's attempt; the deadline is fixed now and stored."""
    now = now or timezone.now()
    if not may_sit(actor, paper):
        raise NotFound()
    existing = TestAttempt.objects.filter(paper=paper, user=actor).first()
    if existing is not None:
        return existing
    if not paper.opens_at <= now <= paper.closes_at:
        raise Conflict(_("不在考试开放时间内。"))
    deadline = min(now + dt.timedelta(minutes=paper.time_limit_minutes), paper.closes_at)
    try:
        with transaction.atomic():
            return TestAttempt.objects.create(
                paper=paper,
                user=actor,
                area=home_area(actor),
                started_at=now,
                deadline=deadline,
                max_score=paper.paper_items.count(),
            )
    except IntegrityError:
        return TestAttempt.objects.get(paper=paper, user=actor)


def _own(actor, attempt: TestAttempt) -> TestAttempt:
    a = TestAttempt.objects.select_for_update().filter(pk=attempt.pk).first()
    if a is None or a.user_id != getattr(actor, "pk", None):
        raise NotFound()
    return a


def _clean_choice(paper_item: PaperItem, chosen) -> list[int]:
    try:
        values = sorted({int(c) for c in chosen})
    except (TypeError, ValueError):
        raise ValidationFailed(_("答案无效。"))
    if any(not 0 <= v < len(paper_item.item.options) for v in values):
        raise ValidationFailed(_("答案无效。"))
    if paper_item.item.kind != ItemKind.MULTIPLE and len(values) > 1:
        raise ValidationFailed(_("此题只能选一项。"))
    return values


@transaction.atomic
def attempt_save_answer(*, actor, attempt: TestAttempt, paper_item_id: int, chosen) -> TestAnswer:
    """Save one answer while the clock runs; refused after the stored deadline."""
    a = _own(actor, attempt)
    now = timezone.now()
    if a.submitted_at is not None:
        raise Conflict(_("试卷已交,不能再作答。"))
    if now > a.deadline:
        raise Conflict(_("已超过答题时限,答案不再计入。"), code="deadline_passed")
    pi = (
        PaperItem.objects.select_related("item")
        .filter(pk=paper_item_id, paper_id=a.paper_id)
        .first()
    )
    if pi is None:
        raise NotFound()
    values = _clean_choice(pi, chosen)
    answer, _created = TestAnswer.objects.update_or_create(
        attempt=a, paper_item=pi, defaults={"chosen": values, "saved_at": now}
    )
    return answer


@transaction.atomic
def attempt_submit(*, actor, attempt: TestAttempt, answers: dict[int, list]) -> TestAttempt:
    """Hand in. Answers that arrive after the deadline are ignored (only those saved in time
    count); the score, the pass (score >= the paper's pass mark) and a training record — with
    the paper's hours when passed, none otherwise — are written in the same transaction, and a
    pass is sent to the CIVICGRID_TEST_PASSED_HOOKS (party members' training hours)."""
    a = _own(actor, attempt)
    if a.submitted_at is not None:
        raise Conflict(_("试卷已交,不能重复提交。"))
    now = timezone.now()
    items = {
        pi.pk: pi for pi in PaperItem.objects.filter(paper_id=a.paper_id).select_related("item")
    }
    late = now > a.deadline
    if not late:
        for pid, chosen in answers.items():
            pi = items.get(int(pid))
            if pi is None or not chosen:
                continue
            TestAnswer.objects.update_or_create(
                attempt=a,
                paper_item=pi,
                defaults={"chosen": _clean_choice(pi, chosen), "saved_at": now},
            )
    score = correct = 0
    for ans in TestAnswer.objects.filter(attempt=a):
        pi = items[ans.paper_item_id]
        counted = ans.saved_at <= a.deadline
        right = counted and sorted(ans.chosen) == sorted(pi.item.answer)
        TestAnswer.objects.filter(pk=ans.pk).update(counted=counted, correct=right)
        if right:
            correct += 1
            score += pi.points
    max_score = sum(pi.points for pi in items.values())
    passed = is_pass(score, max_score, a.paper.pass_percent)
    TestAttempt.objects.filter(pk=a.pk).update(
        submitted_at=now,
        late=late,
        score=score,
        correct=correct,
        max_score=max_score,
        passed=passed,
    )
    a.refresh_from_db()
    TrainingRecord.objects.create(
        user=a.user,
        area=a.area,
        kind=TrainingKind.TEST,
        title=a.paper.title,
        date=timezone.localdate(now),
        hours=a.paper.training_hours if passed else 0,  # a test below the pass mark earns none
        score=round(score * 100 / max_score) if max_score else 0,
        attempt=a,
    )
    if passed:
        credit_passed(attempt=a, actor=actor)
    return a


def is_pass(score: int, max_score: int, pass_percent: int) -> bool:
    """score / max_score >= pass_percent %, in integers (no rounding at the line)."""
    return max_score > 0 and score * 100 >= pass_percent * max_score


def credit_source(paper_id: int) -> str:
    """The key a credit is kept under: one per person and test, however often it is sent."""
    return f"surveys.paper:{paper_id}"


def credit_passed(*, attempt: TestAttempt, actor=None) -> int:
    """Tell every hook in settings.CIVICGRID_TEST_PASSED_HOOKS (the party-building app's
    education hours) that ``attempt`` passed: the person, the paper's training hours, the day
    of the hand-in and a source key per paper, so a hook credits each person once per test.
    Returns how many hooks credited something now."""
    if not attempt.passed or attempt.submitted_at is None:
        return 0
    paper = attempt.paper
    credited = 0
    for path in getattr(settings, "CIVICGRID_TEST_PASSED_HOOKS", ()):
        credited += bool(
            import_string(path)(
                actor=actor,
                user=attempt.user,
                source=credit_source(paper.pk),
                title=paper.title,
                taken_on=timezone.localdate(attempt.submitted_at),
                hours=paper.training_hours,
                score=round(attempt.score * 100 / attempt.max_score) if attempt.max_score else 0,
            )
        )
    return credited


def credit_all_passed(*, actor=None) -> int:
    """Send every passed attempt to the hooks again (idempotent): for attempts handed in
    before a person's party-member record was linked to their login. Returns new credits."""
    total = 0
    for attempt in (
        TestAttempt.objects.filter(passed=True, submitted_at__isnull=False)
        .select_related("paper", "user")
        .order_by("id")
        .iterator(chunk_size=500)
    ):
        with transaction.atomic():
            total += credit_passed(attempt=attempt, actor=actor)
    return total


@transaction.atomic
def training_record_add(
    *,
    actor,
    user,
    title: str,
    date: dt.date,
    hours: Decimal | float,
    kind: str = TrainingKind.COURSE,
) -> TrainingRecord:
    area = home_area(user)
    if area is None:
        raise ValidationFailed(_("该人员没有任职区划。"))
    require_area(actor, area)
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(_("不能为自己登记培训学时。"))
    title = clean_text(title, field="title", label=_("名称"), max_length=150)
    hours = Decimal(str(hours))
    if not Decimal("0") < hours <= Decimal("100"):
        raise ValidationFailed(_("学时应在 0 到 100 之间。"), details={"hours": [_("超出范围。")]})
    return TrainingRecord.objects.create(
        user=user, area=area, kind=kind, title=title, date=date, hours=hours
    )
