"""Banks, papers, rankings (per person, per community, per street) and wrong-answer review."""

from __future__ import annotations

from django.db.models import Avg, Count, F, Q, QuerySet, Sum

from ..models import PaperItem, QuestionBank, TestAnswer, TestAttempt, TestPaper, TrainingRecord
from ..services._common import home_area


def bank_list(*, user) -> QuerySet[QuestionBank]:
    return (
        QuestionBank.objects.restrict(user).select_related("area").annotate(n_items=Count("items"))
    )


def paper_list(*, user) -> QuerySet[TestPaper]:
    return (
        TestPaper.objects.restrict(user)
        .select_related("bank", "area")
        .annotate(n_attempts=Count("attempts", filter=Q(attempts__submitted_at__isnull=False)))
    )


def papers_to_sit(*, user) -> QuerySet[TestPaper]:
    """Papers whose area contains the user's home area (ancestors or itself)."""
    area = home_area(user)
    if area is None:
        return TestPaper.objects.none()
    ids = [int(x) for x in area.path.strip("/").split("/") if x]
    return (
        TestPaper.objects.filter(area_id__in=ids)
        .select_related("area", "bank")
        .order_by("-opens_at")
    )


def ranking(*, user, paper: TestPaper) -> dict:
    attempts = (
        TestAttempt.objects.restrict(user)
        .filter(paper=paper, submitted_at__isnull=False)
        .select_related("user", "area")
        .annotate(used=F("submitted_at") - F("started_at"))
        .order_by("-score", "used", "id")
    )
    people = list(attempts)
    by_area = list(
        TestAttempt.objects.restrict(user)
        .filter(paper=paper, submitted_at__isnull=False)
        .values("area_id", "area__name")
        .annotate(n=Count("id"), avg=Avg("score"))
        .order_by("-avg", "area__name")
    )
    by_street = list(
        TestAttempt.objects.restrict(user)
        .filter(paper=paper, submitted_at__isnull=False)
        .values("area__parent_id", "area__parent__name")
        .annotate(n=Count("id"), avg=Avg("score"))
        .order_by("-avg")
    )
    return {"people": people, "by_area": by_area, "by_street": by_street}


def review(*, attempt: TestAttempt) -> list[dict]:
    """Every question of the paper with the person's answer, the right one and the explanation."""
    answers = {a.paper_item_id: a for a in TestAnswer.objects.filter(attempt=attempt)}
    out = []
    for pi in (
        PaperItem.objects.filter(paper_id=attempt.paper_id)
        .select_related("item")
        .order_by("position")
    ):
        ans = answers.get(pi.pk)
        item = pi.item
        out.append(
            {
                "position": pi.position,
                "item": item,
                "chosen": [item.options[i] for i in (ans.chosen if ans else [])],
                "right": [item.options[i] for i in item.answer],
                "correct": bool(ans and ans.correct),
                "counted": bool(ans and ans.counted),
            }
        )
    return out


def records(*, user) -> QuerySet[TrainingRecord]:
    return TrainingRecord.objects.restrict(user).select_related("user", "area")


def hours_by_person(*, user, year: int) -> list[dict]:
    return list(
        TrainingRecord.objects.restrict(user)
        .filter(date__year=year)
        .values("user_id", "user__username", "user__display_name", "area__name")
        .annotate(hours=Sum("hours"), n=Count("id"))
        .order_by("-hours")
    )
