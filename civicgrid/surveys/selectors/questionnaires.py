"""Questionnaire lists, detail and results (with response rate and margins of error)."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, Q, QuerySet

from .. import sampling
from ..choices import QuestionKind, QuestionnaireMode
from ..models import AnswerItem, Invitation, Question, Questionnaire


def questionnaire_list(*, user) -> QuerySet[Questionnaire]:
    return (
        Questionnaire.objects.restrict(user)
        .select_related("area", "sample")
        .annotate(
            n_invited=Count("invitations", distinct=True),
            n_answered=Count("invitations", filter=Q(invitations__answered=True), distinct=True),
            n_responses=Count("responses", distinct=True),
        )
        .order_by("-created_at")
    )


def questionnaire_get(*, user, pk: int, action: str = "view") -> Questionnaire | None:
    return (
        Questionnaire.objects.restrict(user, action)
        .select_related("area", "sample__area")
        .filter(pk=pk)
        .first()
    )


def invitations(*, questionnaire: Questionnaire) -> QuerySet[Invitation]:
    return questionnaire.invitations.select_related("resident", "area").order_by("sort_key")


def satisfaction_index(questionnaire: Questionnaire) -> dict | None:
    """Mean of the satisfaction-flagged scale answers on 0–100: (x − 1) / (max − 1) · 100."""
    rows = list(
        AnswerItem.objects.filter(
            question__questionnaire=questionnaire,
            question__satisfaction=True,
            number__isnull=False,
        ).values_list("number", "question__scale_max")
    )
    if not rows:
        return None
    values = [(x - 1) / (m - 1) * 100 for x, m in rows]
    population = _population(questionnaire)
    n_resp = questionnaire.responses.count()
    moe = sampling.margin_of_error_mean(values, population)
    return {
        "value": round(sum(values) / len(values), 1),
        "answers": len(values),
        "responses": n_resp,
        "moe": round(moe, 1) if moe is not None else None,
    }


def _population(questionnaire: Questionnaire) -> int | None:
    if questionnaire.mode != QuestionnaireMode.SAMPLED:
        return None
    sample = getattr(questionnaire, "sample", None)
    return sample.frame_size if sample else None


def results(*, questionnaire: Questionnaire, text_limit: int = 200) -> dict:
    """Per-question figures. For a proportion p of n answers to a question, from a frame of N
    people: MOE = 1.96 · sqrt(p(1 − p)/n) · sqrt((N − n)/(N − 1)). Open questionnaires are not
    probability samples: no margin of error is given for them."""
    sample = getattr(questionnaire, "sample", None) if questionnaire.mode == "sampled" else None
    population = sample.frame_size if sample else None
    invited = questionnaire.invitations.count() if sample else None
    responses = questionnaire.responses.count()
    questions = list(questionnaire.questions.order_by("position"))
    counts: dict[int, Counter] = defaultdict(Counter)
    respondents: dict[int, int] = {}
    for qid, option, number in AnswerItem.objects.filter(
        question__questionnaire=questionnaire, text=""
    ).values_list("question_id", "option", "number"):
        counts[qid][option if option is not None else number] += 1
    for row in (
        AnswerItem.objects.filter(question__questionnaire=questionnaire)
        .values("question_id")
        .annotate(n=Count("response_id", distinct=True))
    ):
        respondents[row["question_id"]] = row["n"]
    texts: dict[int, list[str]] = defaultdict(list)
    for qid, text in (
        AnswerItem.objects.filter(question__questionnaire=questionnaire)
        .exclude(text="")
        .order_by("question_id", "id")
        .values_list("question_id", "text")
    ):
        if len(texts[qid]) < text_limit:
            texts[qid].append(text)
    probability = population is not None
    out = []
    for q in questions:
        n = respondents.get(q.pk, 0)
        entry = {"question": q, "id": q.pk, "kind": q.kind, "text": q.text, "n": n, "rows": []}
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            labels = list(q.options)
            values = [counts[q.pk].get(i, 0) for i in range(len(labels))]
        elif q.kind == QuestionKind.SCALE:
            labels = [str(i) for i in range(1, q.scale_max + 1)]
            values = [counts[q.pk].get(i, 0) for i in range(1, q.scale_max + 1)]
            scores = [v for i, c in enumerate(values, start=1) for v in [i] * c]
            if scores:
                entry["mean"] = round(sum(scores) / len(scores), 2)
                moe = sampling.margin_of_error_mean(scores, population) if probability else None
                entry["mean_moe"] = round(moe, 2) if moe is not None else None
        else:
            labels, values = [], []
            entry["texts"] = texts.get(q.pk, [])
        for label, count in zip(labels, values, strict=True):
            p = count / n if n else 0.0
            moe = sampling.margin_of_error(p, n, population) if probability and n else None
            entry["rows"].append(
                {
                    "label": label,
                    "count": count,
                    "pct": round(p * 100, 1),
                    "moe": round(moe * 100, 1) if moe is not None else None,
                }
            )
        entry["chart"] = {"labels": labels, "values": values, "title": q.text}
        out.append(entry)
    return {
        "questionnaire": questionnaire,
        "sample": sample,
        "population": population,
        "invited": invited,
        "responses": responses,
        "response_rate": round(responses / invited * 100, 1) if invited else None,
        "questions": out,
        "charts": [e["chart"] | {"id": e["id"]} for e in out if e["kind"] != QuestionKind.TEXT],
        "satisfaction": satisfaction_index(questionnaire),
        "probability": probability,
    }


def questions_for_answer(questionnaire: Questionnaire) -> list[Question]:
    return list(questionnaire.questions.order_by("position"))
