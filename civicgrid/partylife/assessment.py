"""Mutual-evaluation results (双评价) as columns of the assessment sheets
(civicgrid.cases.assessment.with_extras).

Which evaluation a month's assessment shows: the period of the most recently closed round whose
period label starts with that month's year (a round "2026" or "2026-H2" for 2026-11), so the
figures stay on every month of the year after the round closes. Communities get the mean score
(0–100) that units gave them and its rank; departments get the score communities gave them as
units, when a round rated them. Streets are not rated: no columns for them.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.cases.assessment import Extra, areas_in_view

from . import choices as c
from .models import EvaluationRound
from .selectors import evaluation_scores

KIND = {"community": "community", "department": "unit"}


def period_for(year: int) -> str | None:
    """The evaluation period an assessment of `year` shows (see the module's docstring)."""
    return (
        EvaluationRound.objects.filter(status=c.RoundStatus.CLOSED, period__startswith=str(year))
        .order_by("-closed_at", "-id")
        .values_list("period", flat=True)
        .first()
    )


def columns(*, user, sheet: str, keys: list[int], start, end) -> list[Extra]:
    kind = KIND.get(sheet)
    if kind is None or not keys:
        return []
    period = period_for(timezone.localtime(start).year)
    if period is None:
        return []
    results = {}
    for area in areas_in_view(user=user):
        results.update(evaluation_scores(area, period, user=user)[kind])
    wanted = set(keys)
    found = {k: r for k, r in results.items() if k in wanted and r.mean is not None}
    if not found:
        return []
    return [
        Extra(
            "evaluation_score",
            _("双评价得分(%(p)s)") % {"p": period},
            {k: float(r.mean) for k, r in found.items()},
        ),
        Extra("evaluation_rank", _("双评价名次"), {k: r.rank for k, r in found.items()}),
    ]
