"""Secretaries, their projects and lists, the public page, and the review's composite score."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from ..models import (
    Milestone,
    ProgressReport,
    ReviewReport,
    ReviewRound,
    ReviewScore,
    SecretaryProfile,
    SecretaryProject,
)
from .questionnaires import satisfaction_index


def secretary_list(*, user) -> QuerySet[SecretaryProfile]:
    return (
        SecretaryProfile.objects.restrict(user)
        .select_related("user", "organization", "area")
        .prefetch_related(
            Prefetch("projects", queryset=SecretaryProject.objects.order_by("-year", "title"))
        )
        .order_by("area__path", "id")
    )


def project_list(*, user) -> QuerySet[SecretaryProject]:
    return SecretaryProject.objects.restrict(user).select_related(
        "secretary__user", "secretary__organization", "area"
    )


def public_projects() -> QuerySet[SecretaryProject]:
    """The public page: projects marked public, with their milestones and latest report."""
    return (
        SecretaryProject.objects.filter(public=True, secretary__active=True)
        .select_related("secretary__user", "secretary__organization", "area")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_on")),
            Prefetch("reports", queryset=ProgressReport.objects.order_by("-month")),
        )
        .order_by("area__path", "secretary_id", "title")
    )


def review_results(*, rnd: ReviewRound) -> list[dict]:
    """Per secretary in the round's area: reviewers' index (each reviewer's total as a per cent
    of the maximum, averaged over reviewers), satisfaction (0–100, the secretary's own survey,
    else the round's) and composite = (w_r · reviewers + w_s · satisfaction) / 100. Without
    survey results the composite is the reviewers' index alone (flagged)."""
    criteria = list(rnd.criteria.all())
    max_total = sum(c.max_score for c in criteria) or 1
    totals: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for s in ReviewScore.objects.filter(round=rnd):
        totals[s.secretary_id][s.reviewer_id] += s.score
        counts[(s.secretary_id, s.reviewer_id)] += 1
    reports = {
        r.secretary_id: r
        for r in ReviewReport.objects.filter(round=rnd).select_related("questionnaire")
    }
    secretaries = (
        SecretaryProfile.objects.filter(area__path__startswith=rnd.area.path, active=True)
        .select_related("user", "organization", "area")
        .order_by("area__path", "id")
    )
    round_sat = satisfaction_index(rnd.questionnaire) if rnd.questionnaire_id else None
    out = []
    for sec in secretaries:
        complete = [r for r in totals.get(sec.pk, {}) if counts[(sec.pk, r)] == len(criteria)]
        reviewers = (
            float(sum(totals[sec.pk][r] for r in complete)) / len(complete) / max_total * 100
            if complete
            else None
        )
        report = reports.get(sec.pk)
        sat = (
            satisfaction_index(report.questionnaire)
            if report and report.questionnaire_id
            else round_sat
        )
        sat_value = sat["value"] if sat else None
        if reviewers is None:
            composite = None
        elif sat_value is None:
            composite = reviewers
        else:
            composite = (
                rnd.weight_reviewers * reviewers + rnd.weight_satisfaction * sat_value
            ) / 100
        out.append(
            {
                "secretary": sec,
                "report": report,
                "n_reviewers": len(complete),
                "reviewers": round(reviewers, 1) if reviewers is not None else None,
                "satisfaction": sat,
                "composite": round(composite, 1) if composite is not None else None,
                "without_survey": sat_value is None,
            }
        )
    out.sort(key=lambda r: (r["composite"] is None, -(r["composite"] or 0)))
    return out
